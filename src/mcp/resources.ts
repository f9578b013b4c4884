/**
 * The workspace as MCP resources (`proxmox-mpc://…`): its config (secrets
 * removed), nodes, guests (a list, and one resource per guest), VMs,
 * containers, storage, status (last sync and drift), recent operations and
 * logs, health, and each IaC file. Every resource but the workspace and the
 * files is the data of the console command that shows it, run through the
 * scope as the `mcp` actor; the files are read from the workspace folder.
 */
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError, type ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import { redactValue } from "../core/redact.js";
import { redactDatabaseUrl } from "../state/url.js";
import { commandData, jsonContents, listGuests, type CommandData } from "./resource-data.js";
import { listIacFiles, mimeTypeOf, readIacFile } from "./resource-iac.js";
import type { McpScope } from "./scope.js";

/** The URI scheme of every resource. */
export const RESOURCE_SCHEME = "proxmox-mpc://";

/** A fixed resource: its name, URI path, description and what reads it. */
interface FixedResource {
  name: string;
  path: string;
  title: string;
  description: string;
  read(scope: McpScope): Promise<CommandData<unknown>>;
}

const FIXED: readonly FixedResource[] = [
  {
    name: "workspace",
    path: "workspace",
    title: "Workspace",
    description: "The workspace: its folder, config (endpoint, token id without its secret, TLS, database with the password masked), the MCP policy and the IaC files.",
    read: async (scope) => ({ data: workspaceData(scope), shown: [] }),
  },
  { name: "nodes", path: "nodes", title: "Nodes", description: "Cluster nodes from the last sync (`get nodes -o json`): status, cpu 0..1, maxcpu, mem/maxmem bytes, uptime.", read: (s) => commandData(s, "get", ["nodes"]) },
  {
    name: "guests",
    path: "guests",
    title: "Guests",
    description: "Every VM and container from the last sync (`get vms` and `get cts`): vmid, name, node, type, status, cores, memory MiB, disk GiB, tags. One guest in full: proxmox-mpc://guests/{name}.",
    read: (s) => listGuests(s),
  },
  { name: "vms", path: "vms", title: "Virtual machines", description: "QEMU VMs from the last sync (`get vms -o json`).", read: (s) => commandData(s, "get", ["vms"]) },
  { name: "containers", path: "containers", title: "Containers", description: "LXC containers from the last sync (`get cts -o json`).", read: (s) => commandData(s, "get", ["cts"]) },
  { name: "storage", path: "storage", title: "Storage", description: "Storage per node from the last sync (`get storage -o json`): type, content, used/total/avail bytes, shared, active.", read: (s) => commandData(s, "get", ["storage"]) },
  {
    name: "status",
    path: "status",
    title: "Last sync and drift",
    description: "`status -o json`: the server (reachable, version), the last sync (age, guests added/changed/removed), the last failed attempt, the drift found by the last plan, store counts.",
    read: (s) => commandData(s, "status"),
  },
  {
    name: "operations",
    path: "operations",
    title: "Recent operations",
    description: "The last 50 operations of the past 7 days from every face (CLI, console, MCP), newest first (`logs --operations -o json`): command, actor, arguments, result, exit code, error, duration, correlation id and figures (API requests, retries, DB time, phases).",
    read: (s) => commandData(s, "logs", [], { operations: true, since: "7d", limit: 50 }),
  },
  { name: "logs", path: "logs", title: "Recent logs", description: "The last 200 log entries (info and above) of the past 24 hours (`logs --since 24h -o json`).", read: (s) => commandData(s, "logs", [], { since: "24h", limit: 200 }) },
  { name: "health", path: "health", title: "Health", description: "`health -o json`: connectivity, token, TLS, database, workspace, tools, cluster (quorum, storage, memory overcommit) and state checks, each ok/warn/fail with a figure.", read: (s) => commandData(s, "health") },
];

/** Register every resource and resource template of the workspace on `server`. */
export function registerResources(server: McpServer, scope: McpScope): void {
  for (const r of FIXED) {
    const uri = `${RESOURCE_SCHEME}${r.path}`;
    server.registerResource(r.name, uri, { title: r.title, description: r.description, mimeType: "application/json" }, async () => jsonContents(uri, await r.read(scope)));
  }

  const guests = new ResourceTemplate(`${RESOURCE_SCHEME}guests/{name}`, {
    list: async () => ({
      resources: (await listGuests(scope)).data.map((g) => ({
        uri: guestUri(g.name),
        name: `guest ${g.name}`,
        title: `${g.type === "qemu" ? "VM" : "Container"} ${g.name} (${g.vmid})`,
        description: `${g.type === "qemu" ? "VM" : "Container"} ${g.vmid} on ${g.node}, ${g.status}`,
        mimeType: "application/json",
      })),
    }),
    complete: {
      name: async (value) => {
        const names = (await listGuests(scope)).data.map((g) => g.name);
        return names.filter((n) => n.toLowerCase().startsWith(value.toLowerCase())).slice(0, 100);
      },
    },
  });
  server.registerResource(
    "guest",
    guests,
    { title: "One guest", description: "Everything known about one VM or container, by name or vmid (`describe vm|ct NAME -o json`): config, disks, network, IaC file, sync history, recent operations.", mimeType: "application/json" },
    async (uri, variables) => jsonContents(uri.toString(), await describeGuest(scope, decodeURIComponent(String(variables.name)))),
  );

  const iac = new ResourceTemplate(`${RESOURCE_SCHEME}iac/{+path}`, {
    list: async () => ({
      resources: listIacFiles(scope.workspace.paths).map((path) => ({ uri: `${RESOURCE_SCHEME}iac/${path}`, name: path, mimeType: mimeTypeOf(path) })),
    }),
    complete: { path: async (value) => listIacFiles(scope.workspace.paths).filter((p) => p.startsWith(value)).slice(0, 100) },
  });
  server.registerResource(
    "iac",
    iac,
    { title: "IaC file", description: "A file of the workspace's desired state as it is on disk: terraform/*.tf (bpg/proxmox provider) or a text file of ansible/ (inventory, playbooks, config)." },
    async (uri, variables): Promise<ReadResourceResult> => {
      const file = readIacFile(scope.workspace.paths, String(variables.path));
      return { contents: [{ uri: uri.toString(), mimeType: file.mimeType, text: file.text }] };
    },
  );
}

/** `proxmox-mpc://guests/NAME` */
function guestUri(name: string): string {
  return `${RESOURCE_SCHEME}guests/${encodeURIComponent(name)}`;
}

/** `describe` of the guest named (or numbered) `key`, whichever its kind. */
async function describeGuest(scope: McpScope, key: string): Promise<CommandData<unknown>> {
  const guest = (await listGuests(scope)).data.find((g) => g.name === key || String(g.vmid) === key);
  if (!guest) throw new McpError(ErrorCode.InvalidParams, `No guest named "${key}" in the store: see proxmox-mpc://guests, or run the sync tool if it is new.`);
  return commandData(scope, "describe", [guest.type === "qemu" ? "vm" : "ct", String(guest.vmid)]);
}


/** The workspace and its config without secrets (the token secret is never in it; a database password is masked). */
function workspaceData(scope: McpScope): Record<string, unknown> {
  const ws = scope.workspace;
  const url = ws.config.database?.url;
  return redactValue({
    name: ws.name,
    root: ws.paths.root,
    proxmoxMpcVersion: scope.version,
    config: { ...ws.config, database: url ? { url: redactDatabaseUrl(url) } : undefined },
    policy: { ...scope.policy, readOnly: !scope.policy.allowWrite },
    iacFiles: listIacFiles(ws.paths),
  });
}
