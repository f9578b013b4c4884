/**
 * `health`: every check at once, each under its own timeout, so a run takes
 * about as long as the slowest check. A probe that times out or throws turns
 * into a failed check naming what it was checking; it never fails the run.
 */
import { redactString } from "../core/redact.js";
import type { Workspace } from "../core/workspace.js";
import type { ProxmoxClient } from "../proxmox/client.js";
import type { Store } from "../state/store.js";
import { probeDatabase, probeOperations, probeState, probeTool, probeWorkspace, TOOL_NAMES } from "./health-local.js";
import { probeCluster, probeServer, type Reach } from "./health-server.js";
import { check, HEALTH_GROUPS, worstStatus, type HealthCheck, type HealthGroup, type HealthReport } from "./health-types.js";

export * from "./health-types.js";

/** What the checks read from; the command passes its services. */
export interface HealthSources {
  env: NodeJS.ProcessEnv;
  workspace?: Workspace;
  /** The API client (may throw when no endpoint or token is configured). */
  client: () => Promise<ProxmoxClient>;
  /** The workspace's store (only asked for with a workspace). */
  store: () => Promise<Store>;
  signal: AbortSignal;
  /** Per-check timeout. */
  timeoutMs: number;
}

/** One probe: the group and name its failure is reported under, and the work. */
interface Probe {
  group: HealthGroup;
  name: string;
  run: (signal: AbortSignal) => Promise<HealthCheck[]>;
}

/** Run every check concurrently and gather the report (checks in group order). */
export async function runHealth(sources: HealthSources): Promise<HealthReport> {
  const { workspace: ws, env } = sources;
  let reach: Promise<Reach> | undefined;
  const server = (signal: AbortSignal): Promise<Reach> => (reach ??= probeServer(sources.client, signal));
  const probes: Probe[] = [
    { group: "connectivity", name: "Proxmox server", run: async (signal) => (await server(signal)).checks },
    {
      group: "cluster",
      name: "Cluster",
      run: async (signal) => {
        const { client } = await server(signal);
        return client ? probeCluster(client, signal) : [check("cluster", "Cluster", "warn", "not checked", "the server could not be asked (see Connectivity)")];
      },
    },
    ...TOOL_NAMES.map((name): Probe => ({ group: "tools", name, run: (signal) => probeTool(name, env, signal) })),
  ];
  if (ws) {
    probes.push(
      { group: "database", name: "Database", run: () => probeDatabase(sources.store) },
      { group: "workspace", name: "Workspace access", run: async () => probeWorkspace(ws) },
      { group: "state", name: "Last sync", run: () => probeState(sources.store, ws) },
      { group: "state", name: "Recent operations", run: () => probeOperations(sources.store) },
    );
  }
  const results = await Promise.all(probes.map((probe) => withTimeout(probe, sources.signal, sources.timeoutMs)));
  const checks = results.flat();
  if (!ws) checks.push(check("workspace", "Workspace", "warn", "none", "not in a workspace: database, workspace and sync checks skipped (run `proxmox-mpc init`)"));
  checks.sort((a, b) => HEALTH_GROUPS.indexOf(a.group) - HEALTH_GROUPS.indexOf(b.group));
  return { status: worstStatus(checks.map((c) => c.status)), checks };
}

/** A probe under its own deadline: its requests are aborted when the time is up. */
async function withTimeout(probe: Probe, outer: AbortSignal, timeoutMs: number): Promise<HealthCheck[]> {
  // Tools are optional: one that is slow to say its version is a warning, not a failure.
  const severity = probe.group === "tools" ? "warn" : "fail";
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  outer.addEventListener("abort", abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<HealthCheck[]>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve([check(probe.group, probe.name, severity, `> ${timeoutMs / 1000} s`, `no answer within ${timeoutMs / 1000} s (--timeout)`)]);
    }, timeoutMs);
  });
  try {
    return await Promise.race([probe.run(controller.signal), deadline]);
  } catch (err) {
    return [check(probe.group, probe.name, severity, "error", redactString(err instanceof Error ? err.message : String(err)))];
  } finally {
    clearTimeout(timer);
    outer.removeEventListener("abort", abort);
  }
}
