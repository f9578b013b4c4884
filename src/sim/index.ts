/**
 * The Proxmox VE API simulator: an in-memory cluster behind the endpoints
 * proxmox-mpc uses, on loopback, with the shapes, errors, tasks and locks of
 * PVE 8.4 or 9.1, API tokens and password (ticket) login, plus latency and
 * fault injection. Used by `proxmox-mpc sim`, `demo`, and every integration
 * test and benchmark.
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { TokenStore, parseToken } from "./auth.js";
import { SimCluster } from "./cluster.js";
import { FaultInjector } from "./faults.js";
import { generateCluster } from "./generator.js";
import { derived } from "./guest-config.js";
import { Router } from "./router.js";
import { clusterFromSeed, readSeed } from "./seed.js";
import { DEFAULT_PVE_VERSION, isPveVersion, pveProfile } from "./pve-version.js";
import { createListener, listen, type ServerStats } from "./server.js";
import { SimAuth, TicketAuthority } from "./tickets.js";
import { createSelfSignedCert } from "./tls.js";
import type { RunningSimulator, SimToken, SimulatorOptions } from "./types.js";

export type * from "./types.js";
export { SimCluster, simGuest, type FaultKind, type ClusterInit } from "./cluster.js";
export type { SimTask, TaskFailure } from "./tasks.js";
export { parseToken, ALL_PRIVILEGES } from "./auth.js";
export { generateCluster } from "./generator.js";
export { readSeed, clusterFromSeed } from "./seed.js";
export { createSelfSignedCert } from "./tls.js";
export { DEFAULT_PVE_VERSION, PVE_VERSIONS, isPveVersion, type PveVersion } from "./pve-version.js";

function checkOptions(o: SimulatorOptions): void {
  const bad = (what: string): never => {
    throw new RangeError(`simulator option ${what}`);
  };
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) bad(`port must be 0..65535, got ${o.port}`);
  if (o.faultRate !== undefined && !(o.faultRate >= 0 && o.faultRate <= 1)) bad(`faultRate must be 0..1, got ${o.faultRate}`);
  if (o.size !== undefined && (!Number.isInteger(o.size) || o.size < 0)) bad(`size must be a whole number >= 0, got ${o.size}`);
  for (const k of ["latencyMs", "taskDelayMs", "lockTimeoutMs", "authFailDelayMs"] as const) {
    const v = o[k];
    if (v !== undefined && !(v >= 0)) bad(`${k} must be >= 0, got ${v}`);
  }
  if (o.token !== undefined && !parseToken(o.token)) bad("token must look like user@realm!tokenid=secret");
  if (o.pveVersion !== undefined && !isPveVersion(o.pveVersion)) bad(`pveVersion must be 8.4 or 9.1, got ${String(o.pveVersion)}`);
  if (o.password !== undefined && o.password.length === 0) bad("password must not be empty");
}

/** Start a simulator; resolves when it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  checkOptions(options);
  const host = options.host ?? "127.0.0.1";
  const randomSeed = options.randomSeed ?? 1;
  const token = options.token ?? `root@pam!mpc=${randomUUID()}`;
  const password = options.password ?? randomUUID();
  const pveVersion = options.pveVersion ?? DEFAULT_PVE_VERSION;
  const pve = pveProfile(pveVersion);
  const seedDoc = options.seed === undefined ? undefined : readSeed(options.seed);
  const init = seedDoc ? clusterFromSeed(seedDoc, randomSeed) : generateCluster(options.size ?? 12, randomSeed);
  init.version = { ...pve.version, ...(seedDoc?.version ?? {}) };
  const cluster = new SimCluster(init, {
    taskDelayMs: options.taskDelayMs ?? 50,
    lockTimeoutMs: options.lockTimeoutMs ?? 1000,
    randomSeed,
  });
  // Derive memory/disk/CPU facts of every guest now, so the first big listing is not the slow one.
  for (const g of cluster.guests()) derived(g);
  const tokens: SimToken[] = [{ token, privileges: "all" }, ...(seedDoc?.tokens ?? []), ...(options.extraTokens ?? [])];
  const auth = new SimAuth(new TokenStore(tokens), new TicketAuthority([{ userid: "root@pam", password, privileges: "all" }], cluster.name));
  const cert = options.tls ? createSelfSignedCert(host) : undefined;
  if (cert) {
    const first = cluster.nodes.values().next().value;
    if (first) first.sslFingerprint = cert.fingerprint;
  }
  const stats: ServerStats = { requests: 0, handlerMicros: 0 };
  const listener = createListener({
    router: new Router(cluster, auth, { resizeReturnsTask: options.resizeReturnsTask ?? true, pve }),
    cluster,
    faults: new FaultInjector(options.faultRate ?? 0, randomSeed),
    latencyMs: options.latencyMs ?? 0,
    authFailDelayMs: options.authFailDelayMs ?? 0,
    stats,
  });
  let server: http.Server;
  let port: number;
  try {
    ({ server, port } = await listen(listener, { host, port: options.port ?? 0, tls: cert && { key: cert.keyPem, cert: cert.certPem } }));
  } catch (err) {
    cluster.dispose();
    throw err;
  }
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `${cert ? "https" : "http"}://${urlHost}:${port}`,
    token,
    user: "root@pam",
    password,
    pveVersion,
    fingerprint: cert?.fingerprint,
    caPem: cert?.certPem,
    cluster,
    stats: () => ({ requests: stats.requests, handlerMicros: Math.round(stats.handlerMicros) }),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        cluster.dispose();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
