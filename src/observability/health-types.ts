/**
 * The shapes of a health report: each check has a status, a measured figure
 * and a one-line explanation; the report's status is the worst of them.
 */

/** The verdict of one check. */
export type CheckStatus = "ok" | "warn" | "fail";

/** The groups the console draws the checks under, in this order. */
export const HEALTH_GROUPS = ["connectivity", "database", "workspace", "tools", "cluster", "state"] as const;

/** A group of checks. */
export type HealthGroup = (typeof HEALTH_GROUPS)[number];

/** One check's result (one entry of `health -o json`'s `checks`). */
export interface HealthCheck {
  name: string;
  group: HealthGroup;
  status: CheckStatus;
  /** What was measured: "45 ms", "82%", "v1.9.8", "3/3 online". */
  figure: string;
  /** One line: why the status, and what it means for the user. */
  message: string;
}

/** What `health` returns: the worst status and every check. */
export interface HealthReport {
  status: CheckStatus;
  checks: HealthCheck[];
}

const RANK: Record<CheckStatus, number> = { ok: 0, warn: 1, fail: 2 };

/** The worst of some statuses ("ok" for none). */
export function worstStatus(statuses: readonly CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((worst, s) => (RANK[s] > RANK[worst] ? s : worst), "ok");
}

/** A check result in one call: `check("connectivity", "Proxmox server", "ok", "45 ms", "answered /version")`. */
export function check(group: HealthGroup, name: string, status: CheckStatus, figure: string, message: string): HealthCheck {
  return { name, group, status, figure, message };
}
