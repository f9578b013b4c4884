/**
 * The checks that ask the Proxmox VE server: reachability (round trip), the
 * token and its privileges, TLS trust, and the cluster (nodes, quorum,
 * guests, storage, memory overcommit).
 */
import { redactString } from "../core/redact.js";
import { AuthenticationError, TlsError } from "../proxmox/errors.js";
import type { ProxmoxClient } from "../proxmox/client.js";
import type { PveClusterResource } from "../proxmox/types.js";
import { check, type HealthCheck } from "./health-types.js";

/** What sync reads with (privileges on `/`). */
export const SYNC_PRIVILEGES = ["Sys.Audit", "VM.Audit", "Datastore.Audit"] as const;
/** What apply, create and delete need (privileges on `/`). */
export const APPLY_PRIVILEGES = ["VM.Allocate", "VM.Config.CPU", "VM.Config.Memory", "VM.Config.Disk", "VM.Config.Network", "VM.Config.Options", "VM.PowerMgmt", "Datastore.AllocateSpace"] as const;
/** Storage at or above this share used is a warning. */
export const STORAGE_WARN = 0.85;

/** What the reachability probe learnt, for the cluster probe. */
export interface Reach {
  client?: ProxmoxClient;
  checks: HealthCheck[];
}

const message = (err: unknown): string => redactString(err instanceof Error ? err.message : String(err));

/** Server reachable (round trip), token valid with enough privileges, TLS trust. */
export async function probeServer(getClient: () => Promise<ProxmoxClient>, signal: AbortSignal): Promise<Reach> {
  let client: ProxmoxClient;
  try {
    client = await getClient();
  } catch (err) {
    return { checks: [check("connectivity", "Proxmox server", "fail", "not configured", message(err))] };
  }
  const tls = tlsCheck(client);
  const where = client.baseUrl.replace(/\/api2\/json\/?$/, "");
  const started = performance.now();
  let first: number;
  try {
    const version = await client.version({ signal });
    first = performance.now() - started;
    const again = performance.now();
    await client.version({ signal });
    const ms = Math.round(Math.min(first, performance.now() - again));
    const server = check("connectivity", "Proxmox server", "ok", `${ms} ms`, `${where} answered: Proxmox VE ${version.version}`);
    return { client, checks: [server, ...(await tokenChecks(client, signal)), tls] };
  } catch (err) {
    const ms = `${Math.round(performance.now() - started)} ms`;
    if (err instanceof AuthenticationError) {
      return {
        checks: [
          check("connectivity", "Proxmox server", "ok", ms, `${where} answered (it refused the token)`),
          check("connectivity", "API token", "fail", `HTTP ${err.status ?? 401}`, `${client.settings.token.id} was rejected: check the token id and secret (PROXMOX_VE_API_TOKEN or .proxmox-mpc/secrets)`),
          tls,
        ],
      };
    }
    if (err instanceof TlsError) return { checks: [check("connectivity", "Proxmox server", "fail", ms, message(err)), { ...tls, status: "fail", message: `the certificate was not trusted: ${message(err)}` }] };
    return { checks: [check("connectivity", "Proxmox server", "fail", ms, `${where} unreachable: ${message(err)}`), tls] };
  }
}

async function tokenChecks(client: ProxmoxClient, signal: AbortSignal): Promise<HealthCheck[]> {
  const id = client.settings.token.id;
  let granted: string[];
  try {
    const permissions = await client.permissions("/", { signal });
    const root = permissions["/"] ?? {};
    granted = Object.keys(root).filter((p) => root[p]);
  } catch (err) {
    return [check("connectivity", "API token", "fail", "no privileges", `${id}: reading its privileges failed: ${message(err)}`)];
  }
  const token = check("connectivity", "API token", "ok", `${granted.length} privileges on /`, `${id} is valid`);
  const missingSync = SYNC_PRIVILEGES.filter((p) => !granted.includes(p));
  const missingApply = APPLY_PRIVILEGES.filter((p) => !granted.includes(p));
  const figure = `sync ${missingSync.length ? "no" : "yes"}, apply ${missingApply.length ? "no" : "yes"}`;
  if (missingSync.length) return [token, check("connectivity", "Token privileges", "fail", figure, `missing on / for sync: ${missingSync.join(", ")} (and for apply: ${missingApply.join(", ") || "none"})`)];
  if (missingApply.length) return [token, check("connectivity", "Token privileges", "warn", figure, `read-only for apply/create/delete: missing ${missingApply.join(", ")} on /`)];
  return [token, check("connectivity", "Token privileges", "ok", figure, `${SYNC_PRIVILEGES.join(", ")} and what apply needs (${APPLY_PRIVILEGES.length} privileges) on /`)];
}

function tlsCheck(client: ProxmoxClient): HealthCheck {
  if (client.baseUrl.startsWith("http:")) return check("connectivity", "TLS trust", "warn", "plain HTTP", "the endpoint is not HTTPS: the token travels unencrypted");
  switch (client.settings.tls.mode) {
    case "fingerprint":
      return check("connectivity", "TLS trust", "ok", "fingerprint", "the server certificate is pinned by its SHA-256 fingerprint");
    case "ca":
      return check("connectivity", "TLS trust", "ok", "CA file", "the server certificate is verified with the given CA");
    case "insecure":
      return check("connectivity", "TLS trust", "warn", "insecure", "certificate verification is off: pin the fingerprint (init --fingerprint) instead");
    default:
      return check("connectivity", "TLS trust", "ok", "system CAs", "the server certificate is verified with the system CAs");
  }
}

/** Nodes online, quorum, guests running/stopped, storage usage, memory overcommit. */
export async function probeCluster(client: ProxmoxClient, signal: AbortSignal): Promise<HealthCheck[]> {
  const [status, resources] = await Promise.all([client.clusterStatus({ signal }).catch(() => undefined), client.clusterResources(undefined, { signal })]);
  const nodes = resources.filter((r) => r.type === "node");
  const online = nodes.filter((n) => n.status === "online");
  const offline = nodes.filter((n) => n.status !== "online").map((n) => n.node ?? n.id);
  const checks = [
    check("cluster", "Nodes", online.length === 0 ? "fail" : offline.length ? "warn" : "ok", `${online.length}/${nodes.length} online`, offline.length ? `offline: ${offline.join(", ")}` : "every node is online"),
    quorumCheck(status),
    ...guestChecks(resources),
    storageCheck(resources),
    memoryCheck(nodes, resources),
  ];
  return checks;
}

function quorumCheck(status: Awaited<ReturnType<ProxmoxClient["clusterStatus"]>> | undefined): HealthCheck {
  const cluster = status?.find((e) => e.type === "cluster");
  if (!cluster) return check("cluster", "Quorum", "ok", "standalone", "a single node, not in a cluster");
  return cluster.quorate ? check("cluster", "Quorum", "ok", "quorate", `cluster ${cluster.name} has quorum`) : check("cluster", "Quorum", "fail", "no quorum", `cluster ${cluster.name} has lost quorum: guests cannot be changed`);
}

function guestChecks(resources: PveClusterResource[]): HealthCheck[] {
  return (["qemu", "lxc"] as const).map((type) => {
    const guests = resources.filter((r) => r.type === type && !r.template);
    const running = guests.filter((g) => g.status === "running").length;
    const label = type === "qemu" ? "VMs" : "Containers";
    return check("cluster", label, "ok", `${running} running, ${guests.length - running} stopped`, `${guests.length} ${label === "VMs" ? "VMs" : "containers"} (templates not counted)`);
  });
}

function storageCheck(resources: PveClusterResource[]): HealthCheck {
  const seen = new Map<string, { label: string; used: number }>();
  for (const s of resources.filter((r) => r.type === "storage" && (r.maxdisk ?? 0) > 0)) {
    const label = s.shared ? String(s.storage) : `${s.storage} on ${s.node}`;
    seen.set(label, { label, used: (s.disk ?? 0) / (s.maxdisk ?? 1) });
  }
  const all = [...seen.values()].sort((a, b) => b.used - a.used);
  if (!all.length) return check("cluster", "Storage", "ok", "none", "no storage reports its size");
  const pct = (u: number): string => `${Math.round(u * 100)}%`;
  const full = all.filter((s) => s.used >= STORAGE_WARN);
  if (full.length) return check("cluster", "Storage", "warn", `${pct(full[0].used)} ${full[0].label}`, `at or above ${pct(STORAGE_WARN)} used: ${full.map((s) => `${s.label} ${pct(s.used)}`).join(", ")}`);
  return check("cluster", "Storage", "ok", `${pct(all[0].used)} ${all[0].label}`, `${all.length} storages, all below ${pct(STORAGE_WARN)} used`);
}

function memoryCheck(nodes: PveClusterResource[], resources: PveClusterResource[]): HealthCheck {
  const ratios = nodes
    .filter((n) => (n.maxmem ?? 0) > 0)
    .map((n) => {
      const given = resources.filter((r) => (r.type === "qemu" || r.type === "lxc") && r.node === n.node && r.status === "running").reduce((sum, g) => sum + (g.maxmem ?? 0), 0);
      return { node: String(n.node), ratio: given / (n.maxmem ?? 1) };
    })
    .sort((a, b) => b.ratio - a.ratio);
  if (!ratios.length) return check("cluster", "Memory", "ok", "unknown", "no node reports its memory");
  const top = ratios[0];
  const figure = `${Math.round(top.ratio * 100)}% ${top.node}`;
  if (top.ratio > 1) return check("cluster", "Memory", "warn", figure, `overcommitted: running guests are given more memory than ${ratios.filter((r) => r.ratio > 1).map((r) => r.node).join(", ")} has`);
  return check("cluster", "Memory", "ok", figure, "running guests' memory fits every node (highest shown)");
}
