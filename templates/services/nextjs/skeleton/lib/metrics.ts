/** Request counters, served at /metrics in the Prometheus text format. */
const requests = new Map<string, number>();

export function countRequest(route: string, code: number): void {
  const key = `route="${route}",code="${code}"`;
  requests.set(key, (requests.get(key) ?? 0) + 1);
}

export function metricsText(): string {
  const lines = [
    "# HELP http_requests_total Requests served by the API routes, by route and code.",
    "# TYPE http_requests_total counter",
  ];
  for (const [labels, value] of [...requests.entries()].sort()) {
    lines.push(`http_requests_total{${labels}} ${value}`);
  }
  const memory = process.memoryUsage();
  lines.push(
    "# HELP process_resident_memory_bytes Resident memory size in bytes.",
    "# TYPE process_resident_memory_bytes gauge",
    `process_resident_memory_bytes ${memory.rss}`,
    "# HELP process_uptime_seconds Seconds since the server started.",
    "# TYPE process_uptime_seconds gauge",
    `process_uptime_seconds ${process.uptime().toFixed(0)}`,
  );
  return lines.join("\n") + "\n";
}
