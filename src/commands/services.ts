/**
 * Services for commands, created lazily once per context: the API client of
 * the workspace (or of flags + environment) and the state store.
 */
import { resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import { databaseUrl, readSecretFile } from "../core/workspace.js";
import type { ProxmoxClient } from "../proxmox/client.js";
import type { Store } from "../state/store.js";
import { readCaFile, type ConnectionFlags } from "./connection-options.js";
import type { CommandContext } from "./types.js";

/** Clients by context, then by tuning: sync's client (16 in flight) is not the engine's (8). */
const clients = new WeakMap<CommandContext, Map<string, Promise<ProxmoxClient>>>();
const stores = new WeakMap<CommandContext, Promise<Store>>();
/** Contexts already warned that TLS verification is off (once per command, however many clients). */
const warnedInsecure = new WeakSet<CommandContext>();

/** The workspace of a command that requires one. */
export function requireWorkspace(ctx: CommandContext): NonNullable<CommandContext["workspace"]> {
  if (!ctx.workspace) {
    throw new UsageError("Not in a proxmox-mpc workspace (no .proxmox-mpc/ here or in a parent folder).", "Run `proxmox-mpc init` here, or pass -C DIR.", "no-workspace");
  }
  return ctx.workspace;
}

/**
 * The API client: flags first, then the workspace config, then PROXMOX_VE_*.
 * The token: PROXMOX_VE_API_TOKEN, else the workspace's token id + secrets file.
 */
export function getClient(ctx: CommandContext, flags: ConnectionFlags = {}, tuning: { concurrency?: number } = {}): Promise<ProxmoxClient> {
  let byTuning = clients.get(ctx);
  if (!byTuning) clients.set(ctx, (byTuning = new Map()));
  const key = String(tuning.concurrency ?? "default");
  let client = byTuning.get(key);
  if (!client) {
    client = createClient(ctx, flags, tuning);
    byTuning.set(key, client);
  }
  return client;
}

async function createClient(ctx: CommandContext, flags: ConnectionFlags, tuning: { concurrency?: number }): Promise<ProxmoxClient> {
  const { ProxmoxClient } = await import("../proxmox/client.js");
  const ws = ctx.workspace;
  const anyTlsFlag = flags.fingerprint !== undefined || flags.ca !== undefined || flags.insecure !== undefined;
  const tls = anyTlsFlag ? flags : { fingerprint: ws?.config.tls.fingerprint, ca: ws?.config.tls.ca, insecure: ws?.config.tls.insecure };
  const base = ws && flags.ca === undefined ? ws.paths.root : ctx.cwd;
  let caPem: string | undefined;
  let caFile: string | undefined;
  if (tls.ca) {
    caFile = resolve(base, tls.ca);
    caPem = readCaFile(caFile);
  }
  const token = workspaceToken(ctx);
  if (flags.timeout !== undefined && !(flags.timeout > 0)) throw new UsageError("--timeout must be a positive number of seconds.");
  const client = ProxmoxClient.fromInput(
    { endpoint: flags.endpoint ?? ws?.config.endpoint, token, fingerprint: tls.fingerprint, caPem, caFile, insecure: tls.insecure },
    ctx.env,
    { log: ctx.log, timeoutMs: flags.timeout ? flags.timeout * 1000 : undefined, userAgent: `proxmox-mpc/${ctx.version}`, concurrency: tuning.concurrency },
  );
  if (client.settings.tls.mode === "insecure" && !warnedInsecure.has(ctx)) {
    warnedInsecure.add(ctx);
    ctx.ui.warn("TLS certificate verification is off (--insecure): anyone between you and the server could read the API token.");
  }
  return client;
}

/** The full API token: PROXMOX_VE_API_TOKEN, else the workspace's token id + secrets file (undefined outside a workspace). */
export function workspaceToken(ctx: CommandContext): string | undefined {
  const ws = ctx.workspace;
  if (ctx.env.PROXMOX_VE_API_TOKEN || !ws) return ctx.env.PROXMOX_VE_API_TOKEN;
  const secret = readSecretFile(ws);
  if (!secret) {
    throw new UsageError(
      `No API token secret for ${ws.config.tokenId}.`,
      `Set PROXMOX_VE_API_TOKEN='${ws.config.tokenId}=SECRET', or write the secret to ${ws.paths.secrets} (mode 0600).`,
      "no-token",
    );
  }
  return `${ws.config.tokenId}=${secret}`;
}

/** The workspace's state store (SQLite file by default, PostgreSQL when configured). */
export function getStore(ctx: CommandContext): Promise<Store> {
  let store = stores.get(ctx);
  if (!store) {
    const ws = requireWorkspace(ctx);
    store = import("../state/store.js").then(({ openStore }) => openStore({ url: databaseUrl(ws, ctx.env) }));
    stores.set(ctx, store);
  }
  return store;
}

/** Close what this context opened (the faces call it after each command). */
export async function closeServices(ctx: CommandContext): Promise<void> {
  const byTuning = clients.get(ctx);
  const store = stores.get(ctx);
  clients.delete(ctx);
  stores.delete(ctx);
  for (const client of byTuning?.values() ?? []) (await client.catch(() => undefined))?.close();
  if (store) await (await store.catch(() => undefined))?.close();
}

