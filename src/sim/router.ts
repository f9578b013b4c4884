/**
 * One API request from parsed input to a result: route (501), auth (401,
 * except for the schema's `user: "world"` endpoints), permission (403), node
 * reachability (500/595), schema validation (400), then the handler. No HTTP
 * here, so the order of checks reads in one place.
 */
import { findEndpoint, validateAgainst, type EndpointMatch } from "../pve/api-schema/index.js";
import { Principal } from "./auth.js";
import type { SimCluster } from "./cluster.js";
import type { Handler, HandlerSettings, RouteTable } from "./handler.js";
import { Enveloped, RawJson } from "./handler.js";
import { accessRoutes } from "./handlers/access.js";
import { restoreRoutes } from "./handlers/backup-restore.js";
import { backupRoutes } from "./handlers/backup.js";
import { clusterRoutes } from "./handlers/cluster.js";
import { day2Routes } from "./handlers/day2-endpoints.js";
import { guestCreateRoutes } from "./handlers/guest-create.js";
import { guestModifyRoutes } from "./handlers/guest-modify.js";
import { guestPowerRoutes } from "./handlers/guest-power.js";
import { guestReadRoutes } from "./handlers/guest-read.js";
import { indexRoutes, ROOT_INDEX } from "./handlers/indexes.js";
import { metricsRoutes } from "./handlers/metrics.js";
import { migrateRoutes } from "./handlers/migrate.js";
import { pendingRoutes } from "./handlers/pending.js";
import { poolRoutes } from "./handlers/pools.js";
import { snapshotRoutes } from "./handlers/snapshots.js";
import { storageTaskRoutes } from "./handlers/storage-tasks.js";
import { paramError, PveHttpError } from "./pve-error.js";
import type { Credentials, SimAuth } from "./tickets.js";

const METHODS = ["GET", "POST", "PUT", "DELETE"] as const;

/** Every implemented endpoint. */
export const ROUTES: RouteTable = {
  ...clusterRoutes,
  ...accessRoutes,
  ...poolRoutes,
  ...metricsRoutes,
  ...storageTaskRoutes,
  ...guestReadRoutes,
  ...guestCreateRoutes,
  ...guestModifyRoutes,
  ...guestPowerRoutes,
  ...backupRoutes,
  // After guestCreateRoutes: a create that names a backup archive is a restore.
  ...restoreRoutes,
  ...snapshotRoutes,
  ...migrateRoutes,
  ...day2Routes,
  // Last: wraps the config, start and reboot handlers above (pending changes).
  ...pendingRoutes,
};
// Directory indexes list the children that are implemented (any method), so every listed child answers.
Object.assign(ROUTES, indexRoutes((template) => METHODS.some((m) => `${m} ${template}` in ROUTES)));

/** An endpoint of the vendored schema, or the root index (the schema dump starts below `/`). */
function endpoint(method: string, path: string): EndpointMatch | undefined {
  if (method === "GET" && (path === "/" || path === "")) return { pathTemplate: "/", pathParams: {}, info: ROOT_INDEX };
  return findEndpoint(method, path);
}

/** An API request after HTTP parsing. */
export interface ApiRequest extends Omit<Credentials, "method"> {
  method: string;
  /** Path below /api2/json, e.g. "/nodes/pve1/qemu". */
  path: string;
  params: Record<string, string | boolean>;
}

/** The outcome: data plus extra envelope fields, or an error. */
export type ApiOutcome =
  | { ok: true; data: unknown; extra?: Record<string, unknown>; raw?: string }
  | { ok: false; error: PveHttpError; authFailure?: boolean };

/** The caller of endpoints that need no login (POST /access/ticket): no privileges. */
const ANONYMOUS = new Principal("anonymous@world", []);

/** Dispatches API requests against one cluster. */
export class Router {
  constructor(
    private readonly cluster: SimCluster,
    private readonly auth: SimAuth,
    private readonly settings: HandlerSettings,
  ) {}

  /** Answer one request. */
  async handle(req: ApiRequest): Promise<ApiOutcome> {
    try {
      return await this.dispatch(req);
    } catch (err) {
      if (err instanceof PveHttpError) return { ok: false, error: err, authFailure: err.status === 401 };
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, error: new PveHttpError(500, message) };
    }
  }

  private async dispatch(req: ApiRequest): Promise<ApiOutcome> {
    const method = req.method.toUpperCase();
    const match = endpoint(method, req.path);
    const handler: Handler | undefined = match && ROUTES[`${method} ${match.pathTemplate}`];
    if (!match || !handler) {
      throw new PveHttpError(501, `Method '${method} ${req.path.replace(/\/+$/, "") || "/"}' not implemented`);
    }
    const now = Date.now();
    const principal = match.info.permissions?.user === "world" ? ANONYMOUS : this.auth.authenticate({ ...req, method }, now);
    if (!(principal instanceof Principal)) return { ok: false, error: new PveHttpError(401, principal.reason), authFailure: true };

    const params: Record<string, string | boolean> = { ...req.params, ...match.pathParams };
    const check = match.info.permissions?.check;
    if (check) principal.check(check, params);

    const nodeName = match.pathParams.node;
    if (nodeName !== undefined) {
      const node = this.cluster.node(nodeName);
      if (!node) throw new PveHttpError(500, `hostname lookup '${nodeName}' failed - failed to get address info for: ${nodeName}: Name or service not known`);
      if (node.status !== "online") throw new PveHttpError(595, "No route to host");
    }

    const errors = validateAgainst(match.info, params);
    if (Object.keys(errors).length > 0) throw paramError(errors);

    const result = await handler({ cluster: this.cluster, params, principal, settings: this.settings, auth: this.auth, now });
    if (result instanceof Enveloped) return { ok: true, data: result.data, extra: result.extra };
    if (result instanceof RawJson) return { ok: true, data: undefined, raw: result.json };
    return { ok: true, data: result === undefined ? null : result };
  }
}
