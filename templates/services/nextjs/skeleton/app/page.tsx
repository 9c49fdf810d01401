import { headers } from "next/headers";

import { site } from "@/lib/site";

// Rendered on the server for every request (SSR); see app/about for a static page.
export const dynamic = "force-dynamic";

export default async function Home() {
  const requestHeaders = await headers();
  const agent = requestHeaders.get("user-agent") ?? "unknown";
  return (
    <main className="mx-auto max-w-2xl p-8">
      <h1 className="text-3xl font-bold">{site.name}</h1>
      <p className="mt-2 text-slate-600">{site.description}</p>
      <p className="mt-6 text-sm text-slate-500">Rendered on the server for {agent}.</p>
    </main>
  );
}
