import { site } from "@/lib/site";

// Rendered once at build time (SSG).
export const dynamic = "force-static";

export default function About() {
  return (
    <main className="mx-auto max-w-2xl p-8">
      <h1 className="text-2xl font-semibold">About {site.name}</h1>
      <p className="mt-2">{site.description}</p>
    </main>
  );
}
