import type { Metadata } from "next";
import type { ReactNode } from "react";

import { site } from "@/lib/site";

import "./globals.css";

export const metadata: Metadata = { title: site.name, description: site.description };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-white text-slate-900 antialiased">{children}</body>
    </html>
  );
}
