/**
 * The console drawing of a health report: a headline, then the checks by
 * group with an icon, the figure and the explanation (colour when wanted).
 */
import { style } from "../core/style.js";
import { HEALTH_GROUPS, type CheckStatus, type HealthGroup, type HealthReport } from "./health-types.js";

const TITLES: Record<HealthGroup, string> = {
  connectivity: "🔗 Connectivity",
  database: "🗄️  Database",
  workspace: "📁 Workspace",
  tools: "🛠️  Tools",
  cluster: "📊 Cluster",
  state: "🔄 State",
};

const ICONS: Record<CheckStatus, string> = { ok: "✅", warn: "⚠️ ", fail: "❌" };

const HEADLINES: Record<CheckStatus, string> = {
  ok: "🟢 System Health: All Systems Operational",
  warn: "🟡 System Health: Operational with warnings",
  fail: "🔴 System Health: Failing",
};

/** The report as the console shows it. */
export function renderHealth(report: HealthReport, color: boolean): string {
  const s = style(color);
  const paint = (status: CheckStatus, text: string): string => (status === "ok" ? s.ok(text) : status === "warn" ? s.warning(text) : s.bad(text));
  const counts = (["fail", "warn"] as const).map((st) => [st, report.checks.filter((c) => c.status === st).length] as const).filter(([, n]) => n > 0);
  const summary = counts.length ? ` (${counts.map(([st, n]) => `${n} ${st === "fail" ? "failing" : n === 1 ? "warning" : "warnings"}`).join(", ")})` : "";
  const lines = [s.strong(paint(report.status, HEADLINES[report.status])) + summary];
  const width = Math.max(...report.checks.map((c) => c.name.length));
  for (const group of HEALTH_GROUPS) {
    const checks = report.checks.filter((c) => c.group === group);
    if (!checks.length) continue;
    lines.push("", s.strong(`${TITLES[group]}:`));
    for (const c of checks) lines.push(`  ${ICONS[c.status]} ${c.name.padEnd(width)}  ${paint(c.status, c.figure)} ${s.faint(`— ${c.message}`)}`);
  }
  return `${lines.join("\n")}\n`;
}
