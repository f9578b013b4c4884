/**
 * The services of one command run, created lazily and memoized by the
 * composition root (context.ts): the API client (one per tuning: sync reads
 * with 16 in flight, everything else with 8), the workspace's store, and the
 * plan/apply engine. A command never builds a client or a store itself; a
 * test builds the same thing through createContext.
 */
import { resolve } from "node:path";
import { contextToken, defaultContext, type ContextInEffect } from "../core/contexts.js";
import { UsageError } from "../core/errors.js";
import { resolveSecretSource } from "../core/secret-source.js";
import type { EventType } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { OperationMetrics } from "../core/metrics.js";
import type { UI } from "../core/ui.js";
import { databaseUrl, readSecretFile, type Workspace } from "../core/workspace.js";
import type { Engine, EngineContext } from "../engine/types.js";
import type { ProxmoxClient } from "../proxmox/client.js";
import type { Store } from "../state/store.js";
import { readCaFile, type ConnectionFlags } from "./connection-options.js";

/** How a client is made: connection flags (test-connection, init), requests in flight, retries. */
export interface ClientTuning {
  /** Overrides of the workspace's endpoint and TLS trust. */
  connection?: ConnectionFlags;
  /** Requests in flight (default 8). */
  concurrency?: number;
  /** Retries of an idempotent request (default the client's). */
  retries?: number;
  /** A token instead of the workspace's (init, before the workspace exists). */
  token?: string;
  /** Tells apart clients that differ only by their token (test-connection --all-contexts: one per context). */
  key?: string;
}

/** What a command uses besides its input. */
export interface Services {
  /** The API client for this run (flags, else the workspace, else PROXMOX_VE_*), created on first use. */
  proxmox(tuning?: ClientTuning): Promise<ProxmoxClient>;
  /** The workspace's state store, opened on first use. */
  store(): Promise<Store>;
  /** The engine asked for (flag, else $PROXMOX_MPC_ENGINE, else terraform when installed, else native) and the context it runs in. */
  engine(requested?: unknown): Promise<{ engine: Engine; context: EngineContext }>;
  /** The full API token (the context's, else PROXMOX_VE_API_TOKEN, else token id + the secret from config.yaml's source or the secrets file); undefined outside a workspace. */
  token(): Promise<string | undefined>;
  /** The context in effect (--context, $PROXMOX_MPC_CONTEXT, the workspace's, or the current one outside a workspace), if any. */
  context(): ContextInEffect | undefined;
  /** Close everything opened so far (the faces call it after each command). */
  close(): Promise<void>;
}

/** What the services are built from: the run's fixed facts. */
export interface ServiceScope {
  cwd: string;
  env: NodeJS.ProcessEnv;
  workspace?: Workspace;
  log: Logger;
  ui: UI;
  signal: AbortSignal;
  version: string;
  /** The run's figures: API requests and store time are added as they happen. */
  metrics?: OperationMetrics;
  /** A store kept open by a long-lived face across runs: used instead of opening one, and left open by close(). */
  sharedStore?: () => Promise<Store>;
  /** The context named by --context or $PROXMOX_MPC_CONTEXT (its server, trust and token replace the workspace's). */
  context?: ContextInEffect;
  /** An event of the run (on its bus, with its correlation id): the client's task waits as task.status. */
  emit?: (type: EventType, data: Record<string, unknown>) => void;
}

/** The services of one run; nothing is created until asked for. */
export function createServices(scope: ServiceScope): Services {
  const clients = new Map<string, Promise<ProxmoxClient>>();
  let store: Promise<Store> | undefined;
  let warnedInsecure = false;

  const services: Services = {
    proxmox(tuning = {}) {
      // The token itself never becomes part of a key: only whether one was given.
      const key = JSON.stringify({ ...tuning, token: tuning.token ? "given" : undefined });
      let client = clients.get(key);
      if (!client) {
        client = createClient(scope, tuning).then((c) => {
          if (c.settings.tls.mode === "insecure" && !warnedInsecure) {
            warnedInsecure = true;
            scope.ui.warn("TLS certificate verification is off (--insecure): anyone between you and the server could read the API token.");
          }
          return c;
        });
        clients.set(key, client);
      }
      return client;
    },
    store() {
      if (!store) {
        const ws = requireScopeWorkspace(scope.workspace);
        // The read path (plain SQL): Prisma loads only if a write needs it (docs/state.md).
        const opened = scope.sharedStore
          ? scope.sharedStore()
          : import("../state/store.js").then(({ openStore }) => openStore({ url: databaseUrl(ws, scope.env), readOnly: true }));
        store = opened.then((s) => (scope.metrics ? timedStore(s, scope.metrics) : s));
      }
      return store;
    },
    async engine(requested) {
      const wanted = requested ?? (scope.env.PROXMOX_MPC_ENGINE || undefined);
      if (wanted !== undefined && wanted !== "terraform" && wanted !== "native") {
        throw new UsageError(`Unknown engine "${String(wanted)}".`, "Use --engine terraform or --engine native.");
      }
      const { chooseEngine } = await import("../engine/select.js");
      return { engine: await chooseEngine(wanted, scope.env), context: engineContext(scope, services) };
    },
    token: () => runToken(scope),
    context: () => contextInEffect(scope),
    async close() {
      const open = [...clients.values()];
      const opened = store;
      clients.clear();
      store = undefined;
      for (const client of open) (await client.catch(() => undefined))?.close();
      if (opened && !scope.sharedStore) await (await opened.catch(() => undefined))?.close();
    },
  };
  return services;
}

/** The repositories whose calls count as DB time (locks wait for other processes: not database time). */
const TIMED_REPOSITORIES = new Set<PropertyKey>(["guests", "nodes", "storage", "syncs", "operations"]);

/** The store, with the time of each repository call, counts() and ping() added to the run's DB time. */
function timedStore(store: Store, metrics: OperationMetrics): Store {
  const timed = new Map<PropertyKey, unknown>();
  const time = (fn: (...args: unknown[]) => unknown, self: unknown) =>
    (...args: unknown[]) => {
      const started = performance.now();
      const out = fn.apply(self, args);
      return out instanceof Promise ? out.finally(() => metrics.dbQuery(performance.now() - started)) : out;
    };
  const repository = (target: object) => {
    // One wrapper per method, made on first use (not a new closure on every access).
    const wrapped = new Map<PropertyKey, unknown>();
    return new Proxy(target, {
      get(t, key) {
        const value: unknown = Reflect.get(t, key, t);
        if (typeof value !== "function") return value;
        if (!wrapped.has(key)) wrapped.set(key, time(value as (...args: unknown[]) => unknown, t));
        return wrapped.get(key);
      },
    });
  };
  return new Proxy(store, {
    get(t, key) {
      const value: unknown = Reflect.get(t, key, t);
      if (TIMED_REPOSITORIES.has(key) && value && typeof value === "object") {
        if (!timed.has(key)) timed.set(key, repository(value));
        return timed.get(key);
      }
      if (key === "counts" || key === "ping") return time(value as (...args: unknown[]) => unknown, t);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}

async function createClient(scope: ServiceScope, tuning: ClientTuning): Promise<ProxmoxClient> {
  const { ProxmoxClient } = await import("../proxmox/client.js");
  const ws = scope.workspace;
  const flags = tuning.connection ?? {};
  // A context in effect gives the server, its trust and the token (a current context yields to --endpoint).
  const effect = contextInEffect(scope);
  const cx = effect && !(effect.source === "current" && flags.endpoint !== undefined) ? effect.context : undefined;
  const server = cx ?? (ws ? { endpoint: ws.config.endpoint, tls: ws.config.tls } : undefined);
  const anyTlsFlag = flags.fingerprint !== undefined || flags.ca !== undefined || flags.insecure !== undefined;
  const tls = anyTlsFlag ? flags : { fingerprint: server?.tls.fingerprint, ca: server?.tls.ca, insecure: server?.tls.insecure };
  const base = ws && flags.ca === undefined ? ws.paths.root : scope.cwd;
  const caFile = tls.ca ? resolve(base, tls.ca) : undefined;
  const caPem = caFile ? readCaFile(caFile) : undefined;
  if (flags.timeout !== undefined && !(flags.timeout > 0)) throw new UsageError("--timeout must be a positive number of seconds.");
  return ProxmoxClient.fromInput(
    { endpoint: flags.endpoint ?? server?.endpoint, token: tuning.token ?? (cx ? await memoContextToken(scope, cx) : await memoWorkspaceToken(scope)), fingerprint: tls.fingerprint, caPem, caFile, insecure: tls.insecure },
    scope.env,
    {
      log: scope.log,
      timeoutMs: flags.timeout ? flags.timeout * 1000 : undefined,
      userAgent: `proxmox-mpc/${scope.version}`,
      concurrency: tuning.concurrency,
      retries: tuning.retries,
      onRequest: scope.metrics ? (r) => scope.metrics?.apiRequest(r) : undefined,
      onTask: scope.emit ? (state) => scope.emit?.("task.status", { ...state }) : undefined,
    },
  );
}

/** The engine's view of the workspace: paths, credentials for child processes, the API client. */
function engineContext(scope: ServiceScope, services: Services): EngineContext {
  const ws = requireScopeWorkspace(scope.workspace);
  return {
    root: ws.paths.root,
    terraformDir: ws.paths.terraform,
    env: scope.env,
    log: scope.log,
    ui: scope.ui,
    signal: scope.signal,
    client: () => services.proxmox(),
    metrics: scope.metrics,
    credentials: async () => {
      const token = await services.token();
      if (!token) throw new UsageError("No API token for terraform.", "Set PROXMOX_VE_API_TOKEN.", "no-token");
      const creds: Record<string, string> = { PROXMOX_VE_ENDPOINT: ws.config.endpoint, PROXMOX_VE_API_TOKEN: token };
      if (ws.config.tls.insecure) creds.PROXMOX_VE_INSECURE = "true";
      return creds;
    },
  };
}

/** The context in effect: the one --context / $PROXMOX_MPC_CONTEXT named, else the workspace's, else (outside a workspace) the current one. */
function contextInEffect(scope: ServiceScope): ContextInEffect | undefined {
  const memo = runContexts.get(scope);
  if (memo) return memo.effect;
  const effect = scope.context ?? defaultContext(scope.env, scope.workspace?.config.context, scope.workspace !== undefined);
  runContexts.set(scope, { effect });
  return effect;
}

/** Per run: the context in effect and the tokens, resolved once (a secret_command runs, and Vault is read, once per run). */
const runContexts = new WeakMap<ServiceScope, { effect: ContextInEffect | undefined; token?: Promise<string>; workspaceToken?: Promise<string | undefined> }>();

/** A context's full token, resolved once per run. */
function memoContextToken(scope: ServiceScope, context: ContextInEffect["context"]): Promise<string> {
  contextInEffect(scope);
  const memo = runContexts.get(scope)!;
  if (memo.effect?.context !== context) return contextToken(context, scope.env);
  return (memo.token ??= contextToken(context, scope.env));
}

/** The workspace's full token (or PROXMOX_VE_API_TOKEN), resolved once per run. */
function memoWorkspaceToken(scope: ServiceScope): Promise<string | undefined> {
  contextInEffect(scope);
  const memo = runContexts.get(scope)!;
  return (memo.workspaceToken ??= workspaceToken(scope.env, scope.workspace));
}

/** The run's full API token: the context's in effect, else the workspace's. */
function runToken(scope: ServiceScope): Promise<string | undefined> {
  const cx = contextInEffect(scope);
  return cx ? memoContextToken(scope, cx.context) : memoWorkspaceToken(scope);
}

/**
 * The full API token: PROXMOX_VE_API_TOKEN, else the workspace's token id + the secret from where
 * config.yaml says it lives (Vault, a command), else from the secrets file (undefined outside a workspace).
 */
async function workspaceToken(env: NodeJS.ProcessEnv, ws: Workspace | undefined): Promise<string | undefined> {
  if (env.PROXMOX_VE_API_TOKEN || !ws) return env.PROXMOX_VE_API_TOKEN;
  const source = ws.config.secretSource;
  if (source) {
    const what = `The token secret of this workspace (${source.kind === "vault" ? "secret" : "secret_command"} in ${ws.paths.config})`;
    return `${ws.config.tokenId}=${await resolveSecretSource(source, env, { what, tokenId: ws.config.tokenId, change: `change it in ${ws.paths.config}` })}`;
  }
  const secret = readSecretFile(ws);
  if (!secret) {
    throw new UsageError(
      `No API token secret for ${ws.config.tokenId}.`,
      `Set PROXMOX_VE_API_TOKEN='${ws.config.tokenId}=SECRET', write the secret to ${ws.paths.secrets} (mode 0600), or say where it lives in ${ws.paths.config} (secret: vault://MOUNT/PATH#KEY or secret_command: CMD).`,
      "no-token",
    );
  }
  return `${ws.config.tokenId}=${secret}`;
}

function requireScopeWorkspace(ws: Workspace | undefined): Workspace {
  if (!ws) throw new UsageError("Not in a proxmox-mpc workspace (no .proxmox-mpc/ here or in a parent folder).", "Run `proxmox-mpc init` here, or pass -C DIR.", "no-workspace");
  return ws;
}
