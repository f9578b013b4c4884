/**
 * The Proxmox VE API client: typed methods for what proxmox-mpc needs, over
 * one Transport (auth, TLS, retries, concurrency). Every path and parameter
 * used here exists in the official schema (see tests/proxmox/conformance).
 */
import type { Logger } from "../core/logger.js";
import { toNumber } from "../pve/scalars.js";
import { resolveConnection, type ConnectionInput, type ConnectionSettings } from "./connection.js";
import { normalizeEntry } from "./normalize.js";
import { waitForTask, type TaskApi, type TaskState, type WaitOptions } from "./tasks.js";
import { Transport, type HttpMethod, type Params, type RequestOptions, type TransportOptions } from "./transport.js";
import type {
  GuestType,
  PveClusterResource,
  PveClusterStatusEntry,
  PveGuestConfig,
  PveGuestListEntry,
  PveGuestStatus,
  PveNodeListEntry,
  PveNodeStatus,
  PvePendingEntry,
  PvePermissions,
  PveSnapshot,
  PveStorage,
  PveStorageContent,
  PveTaskListEntry,
  PveTaskLogLine,
  PveTaskStatus,
  PveVersion,
  ResourceType,
} from "./types.js";

export type ClientOptions = Omit<TransportOptions, "settings"> & {
  /** Every task this client waits for, as it runs and once it stopped (the run's task.status events). */
  onTask?: (state: TaskState) => void;
};

/** GET …/migrate, evened out between qemu (`allowed_nodes`) and lxc (`allowed-nodes`). */
export interface PveMigratePrecondition {
  running: boolean;
  allowedNodes: string[];
  /** Why a node is not allowed: storages it lacks, HA resources that block it. */
  notAllowedNodes: Record<string, { unavailableStorages: string[]; blockingHaResources: string[] }>;
  /** Volumes on storages that are not shared (qemu only). */
  localDisks: { volid: string; size: number; drive?: string; cdrom: boolean; unused: boolean }[];
  /** Local devices (PCI, USB) that block a migration (qemu only). */
  localResources: string[];
}
export type PowerAction = "start" | "stop" | "shutdown" | "reboot";

/** A typed client for one Proxmox VE server (or cluster). */
export class ProxmoxClient implements TaskApi {
  readonly transport: Transport;

  constructor(
    readonly settings: ConnectionSettings,
    private readonly options: ClientOptions = {},
  ) {
    this.transport = new Transport({ ...options, settings });
  }

  /** Build a client from options and the PROXMOX_VE_* environment variables. */
  static fromInput(input: ConnectionInput, env: NodeJS.ProcessEnv = process.env, options: ClientOptions = {}): ProxmoxClient {
    return new ProxmoxClient(resolveConnection(input, env), options);
  }

  get baseUrl(): string {
    return this.settings.baseUrl;
  }

  /** Low-level call for paths without a typed method. */
  request<T>(method: HttpMethod, path: string, params?: Params, options?: RequestOptions): Promise<T> {
    return this.transport.request<T>(method, path, params, options);
  }

  close(): void {
    this.transport.close();
  }

  // --- cluster and nodes -------------------------------------------------

  version(options?: RequestOptions): Promise<PveVersion> {
    return this.request<PveVersion>("GET", "/version", {}, options);
  }

  async nodes(options?: RequestOptions): Promise<PveNodeListEntry[]> {
    return (await this.request<PveNodeListEntry[]>("GET", "/nodes", {}, options)).map((n) => normalizeEntry(n));
  }

  nodeStatus(node: string, options?: RequestOptions): Promise<PveNodeStatus> {
    return this.request<PveNodeStatus>("GET", `/nodes/${node}/status`, {}, options);
  }

  clusterStatus(options?: RequestOptions): Promise<PveClusterStatusEntry[]> {
    return this.request<PveClusterStatusEntry[]>("GET", "/cluster/status", {}, options);
  }

  async clusterResources(type?: ResourceType, options?: RequestOptions): Promise<PveClusterResource[]> {
    return (await this.request<PveClusterResource[]>("GET", "/cluster/resources", { type }, options)).map((e) => normalizeEntry(e));
  }

  /** The next free vmid (PVE sends it as a string); with `vmid`, checks that one is free (ValidationError if not). */
  async nextId(vmid?: number, options?: RequestOptions): Promise<number> {
    const raw = await this.request<string | number>("GET", "/cluster/nextid", { vmid }, options);
    const id = toNumber(raw);
    if (id === undefined) throw new TypeError(`Unexpected nextid answer: ${JSON.stringify(raw)}`);
    return id;
  }

  /** The token's effective privileges (for `path`, or all paths). */
  permissions(path?: string, options?: RequestOptions): Promise<PvePermissions> {
    return this.request<PvePermissions>("GET", "/access/permissions", { path }, options);
  }

  // --- guests (qemu and lxc) ---------------------------------------------

  async listGuests(node: string, type: GuestType, options?: RequestOptions): Promise<PveGuestListEntry[]> {
    return (await this.request<PveGuestListEntry[]>("GET", `/nodes/${node}/${type}`, {}, options)).map((e) => normalizeEntry(e));
  }

  /** The guest's config with its `digest`; `current` gives the running values instead of pending ones. */
  guestConfig(node: string, type: GuestType, vmid: number, options: RequestOptions & { current?: boolean } = {}): Promise<PveGuestConfig> {
    return this.request<PveGuestConfig>("GET", `/nodes/${node}/${type}/${vmid}/config`, { current: options.current }, options);
  }

  /**
   * Change a guest's config. `digest` refuses the change if the config changed
   * since it was read; `remove` lists keys to delete. qemu uses the
   * asynchronous POST (returns a UPID), lxc the synchronous PUT (returns null).
   */
  updateGuestConfig(
    node: string,
    type: GuestType,
    vmid: number,
    changes: Params,
    options: RequestOptions & { digest?: string; remove?: string[] } = {},
  ): Promise<string | null> {
    const params: Params = { ...changes, digest: options.digest, delete: options.remove?.length ? options.remove.join(",") : undefined };
    const method = type === "qemu" ? "POST" : "PUT";
    return this.request<string | null>(method, `/nodes/${node}/${type}/${vmid}/config`, params, options);
  }

  async guestStatus(node: string, type: GuestType, vmid: number, options?: RequestOptions): Promise<PveGuestStatus> {
    return normalizeEntry(await this.request<PveGuestStatus>("GET", `/nodes/${node}/${type}/${vmid}/status/current`, {}, options));
  }

  /** Create a guest; returns the task's UPID. */
  createGuest(node: string, type: GuestType, params: Params & { vmid: number }, options?: RequestOptions): Promise<string> {
    return this.request<string>("POST", `/nodes/${node}/${type}`, params, options);
  }

  /** Clone `vmid` (often a template) into `newid`; returns the UPID. */
  cloneGuest(node: string, type: GuestType, vmid: number, params: Params & { newid: number }, options?: RequestOptions): Promise<string> {
    return this.request<string>("POST", `/nodes/${node}/${type}/${vmid}/clone`, params, options);
  }

  /** PVE's migration precondition check (qemu: local disks and resources too; lxc on PVE 9). */
  async migratePrecondition(node: string, type: GuestType, vmid: number, target?: string, options?: RequestOptions): Promise<PveMigratePrecondition> {
    const raw = await this.request<Record<string, unknown>>("GET", `/nodes/${node}/${type}/${vmid}/migrate`, { target }, options);
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
    const notAllowed = (raw.not_allowed_nodes ?? raw["not-allowed-nodes"] ?? {}) as Record<string, { unavailable_storages?: string[]; "blocking-ha-resources"?: { sid: string; cause: string }[] }>;
    return {
      running: raw.running === true || Number(raw.running) === 1,
      allowedNodes: list(raw.allowed_nodes ?? raw["allowed-nodes"]),
      notAllowedNodes: Object.fromEntries(Object.entries(notAllowed).map(([n, why]) => [n, { unavailableStorages: list(why?.unavailable_storages), blockingHaResources: (why?.["blocking-ha-resources"] ?? []).map((b) => b.sid) }])),
      localDisks: (Array.isArray(raw.local_disks) ? (raw.local_disks as Record<string, unknown>[]) : []).map((d) => ({
        volid: String(d.volid),
        size: Number(d.size ?? 0),
        drive: d.drivename === undefined ? undefined : String(d.drivename),
        cdrom: Number(d.cdrom ?? 0) === 1,
        unused: Number(d.is_unused ?? 0) === 1,
      })),
      localResources: list(raw.local_resources),
    };
  }

  /** Migrate a guest to another node; returns the UPID. qemu: `online`, `withLocalDisks`; lxc: `restart` (a running container restarts on the target). */
  migrateGuest(node: string, type: GuestType, vmid: number, target: string, params: { online?: boolean; withLocalDisks?: boolean; restart?: boolean; targetStorage?: string } = {}, options?: RequestOptions): Promise<string> {
    const body: Params =
      type === "qemu"
        ? { target, online: params.online, "with-local-disks": params.withLocalDisks, targetstorage: params.targetStorage }
        : { target, restart: params.restart, "target-storage": params.targetStorage };
    return this.request<string>("POST", `/nodes/${node}/${type}/${vmid}/migrate`, body, options);
  }

  /** Destroy a guest; returns the UPID. */
  deleteGuest(node: string, type: GuestType, vmid: number, params: { purge?: boolean; destroyUnreferencedDisks?: boolean } = {}, options?: RequestOptions): Promise<string> {
    return this.request<string>(
      "DELETE",
      `/nodes/${node}/${type}/${vmid}`,
      { purge: params.purge, "destroy-unreferenced-disks": params.destroyUnreferencedDisks },
      options,
    );
  }

  /** start / stop / shutdown / reboot; returns the UPID. */
  powerAction(node: string, type: GuestType, vmid: number, action: PowerAction, params: Params = {}, options?: RequestOptions): Promise<string> {
    return this.request<string>("POST", `/nodes/${node}/${type}/${vmid}/status/${action}`, params, options);
  }

  /** Grow a disk: `size` is absolute ("50G") or relative ("+10G"). qemu on PVE 8 returns a UPID, older servers and lxc may return null. */
  resizeDisk(node: string, type: GuestType, vmid: number, disk: string, size: string, options: RequestOptions & { digest?: string } = {}): Promise<string | null> {
    return this.request<string | null>("PUT", `/nodes/${node}/${type}/${vmid}/resize`, { disk, size, digest: options.digest }, options);
  }

  /** The config's current and pending values (a change that applies at the next restart has `pending`, a pending removal `delete`). */
  guestPending(node: string, type: GuestType, vmid: number, options?: RequestOptions): Promise<PvePendingEntry[]> {
    return this.request<PvePendingEntry[]>("GET", `/nodes/${node}/${type}/${vmid}/pending`, {}, options);
  }

  listSnapshots(node: string, type: GuestType, vmid: number, options?: RequestOptions): Promise<PveSnapshot[]> {
    return this.request<PveSnapshot[]>("GET", `/nodes/${node}/${type}/${vmid}/snapshot`, {}, options);
  }

  createSnapshot(node: string, type: GuestType, vmid: number, snapname: string, params: { description?: string; vmstate?: boolean } = {}, options?: RequestOptions): Promise<string> {
    const body: Params = { snapname, description: params.description };
    if (type === "qemu") body.vmstate = params.vmstate;
    return this.request<string>("POST", `/nodes/${node}/${type}/${vmid}/snapshot`, body, options);
  }

  deleteSnapshot(node: string, type: GuestType, vmid: number, snapname: string, options?: RequestOptions): Promise<string> {
    return this.request<string>("DELETE", `/nodes/${node}/${type}/${vmid}/snapshot/${snapname}`, {}, options);
  }

  /** Roll back to a snapshot (PVE stops a running guest first; `start` starts it afterwards); returns the UPID. */
  rollbackSnapshot(node: string, type: GuestType, vmid: number, snapname: string, params: { start?: boolean } = {}, options?: RequestOptions): Promise<string> {
    return this.request<string>("POST", `/nodes/${node}/${type}/${vmid}/snapshot/${snapname}/rollback`, { start: params.start }, options);
  }

  /** The guest config a snapshot holds. */
  snapshotConfig(node: string, type: GuestType, vmid: number, snapname: string, options?: RequestOptions): Promise<PveGuestConfig> {
    return this.request<PveGuestConfig>("GET", `/nodes/${node}/${type}/${vmid}/snapshot/${snapname}/config`, {}, options);
  }

  /** Back guests up with vzdump (POST /nodes/{node}/vzdump, guests on that node); returns the UPID. */
  vzdump(node: string, vmids: number[], params: { storage?: string; mode?: "snapshot" | "suspend" | "stop"; compress?: "0" | "1" | "gzip" | "lzo" | "zstd"; notesTemplate?: string; protected?: boolean } = {}, options?: RequestOptions): Promise<string> {
    const body: Params = { vmid: vmids.join(","), storage: params.storage, mode: params.mode, compress: params.compress, "notes-template": params.notesTemplate, protected: params.protected };
    return this.request<string>("POST", `/nodes/${node}/vzdump`, body, options);
  }

  /** The guest config stored in a backup archive (the text of its .conf). */
  backupConfig(node: string, volume: string, options?: RequestOptions): Promise<string> {
    return this.request<string>("GET", `/nodes/${node}/vzdump/extractconfig`, { volume }, options);
  }

  /** Restore a backup archive as guest `vmid` (`force` overwrites an existing one); returns the UPID. */
  restoreGuest(node: string, type: GuestType, vmid: number, archive: string, params: { storage?: string; force?: boolean; unique?: boolean; pool?: string } = {}, options?: RequestOptions): Promise<string> {
    const body: Params = { vmid, storage: params.storage, force: params.force, unique: params.unique, pool: params.pool };
    if (type === "qemu") body.archive = archive;
    else Object.assign(body, { ostemplate: archive, restore: true });
    return this.request<string>("POST", `/nodes/${node}/${type}`, body, options);
  }

  /** Delete a storage volume (a backup archive, an ISO, …); returns a UPID, or null when it finished within `delay` seconds. */
  deleteVolume(node: string, storage: string, volume: string, params: { delay?: number } = {}, options?: RequestOptions): Promise<string | null> {
    return this.request<string | null>("DELETE", `/nodes/${node}/storage/${storage}/content/${encodeURIComponent(volume)}`, { delay: params.delay }, options);
  }

  // --- storage -----------------------------------------------------------

  async storage(node: string, filter: { content?: string; enabled?: boolean } = {}, options?: RequestOptions): Promise<PveStorage[]> {
    return this.request<PveStorage[]>("GET", `/nodes/${node}/storage`, { content: filter.content, enabled: filter.enabled }, options);
  }

  async storageContent(node: string, storage: string, filter: { content?: string; vmid?: number } = {}, options?: RequestOptions): Promise<PveStorageContent[]> {
    const rows = await this.request<PveStorageContent[]>("GET", `/nodes/${node}/storage/${storage}/content`, { content: filter.content, vmid: filter.vmid }, options);
    return rows.map((e) => normalizeEntry(e));
  }

  // --- tasks -------------------------------------------------------------

  tasks(node: string, filter: { limit?: number; vmid?: number; typefilter?: string; errors?: boolean; source?: "archive" | "active" | "all" } = {}, options?: RequestOptions): Promise<PveTaskListEntry[]> {
    return this.request<PveTaskListEntry[]>("GET", `/nodes/${node}/tasks`, { ...filter }, options);
  }

  /** The cluster's recent tasks (every node's running ones and its latest finished ones), newest first. */
  clusterTasks(options?: RequestOptions): Promise<PveTaskListEntry[]> {
    return this.request<PveTaskListEntry[]>("GET", "/cluster/tasks", {}, options);
  }

  taskStatus(node: string, upid: string, options?: RequestOptions): Promise<PveTaskStatus> {
    return this.request<PveTaskStatus>("GET", `/nodes/${node}/tasks/${upid}/status`, {}, options);
  }

  taskLog(node: string, upid: string, options: RequestOptions & { start?: number; limit?: number } = {}): Promise<PveTaskLogLine[]> {
    return this.request<PveTaskLogLine[]>("GET", `/nodes/${node}/tasks/${upid}/log`, { start: options.start, limit: options.limit }, options);
  }

  /** Wait for a UPID to finish (see tasks.ts). */
  waitForTask(upid: string, options: WaitOptions = {}): Promise<PveTaskStatus> {
    const { onTask } = this.options;
    if (!onTask) return waitForTask(this, upid, options);
    return waitForTask(this, upid, { ...options, onState: (state) => (onTask(state), options.onState?.(state)) });
  }

  /** Run a call that may return a UPID and wait for it if it does. */
  async settle(result: string | null, options?: WaitOptions): Promise<PveTaskStatus | null> {
    return typeof result === "string" && result.startsWith("UPID:") ? this.waitForTask(result, options) : null;
  }
}

export type { Logger };
export { RetryBudget, type RetryPolicy } from "./transport.js";
