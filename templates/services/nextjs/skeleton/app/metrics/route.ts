import { metricsText } from "@/lib/metrics";

export const dynamic = "force-dynamic";

/** Prometheus metrics, in the text exposition format. */
export function GET(): Response {
  return new Response(metricsText(), {
    headers: { "Content-Type": "text/plain; version=0.0.4" },
  });
}
