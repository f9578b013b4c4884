/**
 * An operation's figures (core/metrics.ts, kept in the operations table) in
 * words and columns: `logs --operations`, the `command finished` lines of
 * `logs`, and health's "Recent operations" check draw them the same way.
 */
import type { MetricsSnapshot } from "../core/metrics.js";

/** "1,012 API requests (2.1 MB in, 3 retries, 1 error), DB 45 ms (12 queries), slowest phase sync.fetch-resources 880 ms" */
export function describeMetrics(m: MetricsSnapshot): string {
  const parts: string[] = [];
  if (m.api.requests) {
    const extra = [`${formatBytes(m.api.bytesIn)} in`];
    if (m.api.bytesOut) extra.push(`${formatBytes(m.api.bytesOut)} out`);
    if (m.api.retries) extra.push(plural(m.api.retries, "retry", "retries"));
    if (m.api.errors) extra.push(plural(m.api.errors, "error"));
    parts.push(`${plural(m.api.requests, "API request")} (${extra.join(", ")})`);
  }
  if (m.db.queries) parts.push(`DB ${m.db.ms} ms (${plural(m.db.queries, "call")})`);
  const slowest = slowestPhase(m);
  if (slowest) parts.push(`slowest phase ${slowest.name} ${slowest.ms} ms`);
  return parts.join(", ");
}

/** The phase that took longest, if any was timed. */
export function slowestPhase(m: MetricsSnapshot): { name: string; ms: number } | undefined {
  let best: { name: string; ms: number } | undefined;
  for (const [name, ms] of Object.entries(m.phases)) if (!best || ms > best.ms) best = { name, ms };
  return best;
}

/** 512 B, 3.4 KB, 2.1 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}
