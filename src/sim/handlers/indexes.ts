/**
 * Directory indexes: GET /, /cluster, /cluster/ha, /access, /nodes/{node},
 * /nodes/{node}/{qemu,lxc}/{vmid} and their status/agent directories. Each
 * lists its children in PVE's order and key (`subdir`, `name` or `id`), but
 * only those the simulator implements, so that every listed child answers.
 */
import type { MethodInfo } from "../../pve/api-schema/index.js";
import { guestAt, type HandlerContext, type RouteTable } from "../handler.js";
import type { GuestType } from "../types.js";

/**
 * The root index. The official schema dump starts below `/` (its top level
 * is /cluster, /nodes, ...), so this method is described here, as PVE::API2
 * declares it.
 */
export const ROOT_INDEX: MethodInfo = {
  name: "index",
  method: "GET",
  description: "Directory index.",
  allowtoken: 1,
  permissions: { user: "all" },
  parameters: { additionalProperties: 0 },
  returns: { type: "array", items: { type: "object", properties: { subdir: { type: "string" } } } },
};

/** One index: its path template, the key of its entries and PVE's full list of children. */
interface IndexSpec {
  template: string;
  key: "subdir" | "name" | "id";
  children: readonly string[];
  /** A guest directory: 500 "Configuration file ... does not exist" for a missing guest, as PVE. */
  guest?: GuestType;
}

const QEMU_DIRS = ["config", "cloudinit", "pending", "status", "unlink", "vncproxy", "termproxy", "migrate", "resize", "move", "rrd", "rrddata", "monitor", "agent", "snapshot", "spiceproxy", "sendkey", "firewall", "mtunnel", "remote_migrate"];
const LXC_DIRS = ["config", "pending", "status", "vncproxy", "termproxy", "vncwebsocket", "spiceproxy", "migrate", "clone", "rrd", "rrddata", "firewall", "snapshot", "resize", "interfaces"];
const NODE_DIRS = [
  "aplinfo", "apt", "capabilities", "ceph", "certificates", "config", "disks", "dns", "firewall", "hardware", "hosts", "journal", "lxc",
  "migrateall", "netstat", "network", "qemu", "query-url-metadata", "replication", "report", "rrd", "rrddata", "scan", "sdn", "services",
  "spiceshell", "startall", "status", "stopall", "storage", "subscription", "suspendall", "syslog", "tasks", "termproxy", "time", "version",
  "vncshell", "vzdump", "wakeonlan",
];
const AGENT_COMMANDS = [
  "exec", "exec-status", "file-read", "file-write", "fsfreeze-freeze", "fsfreeze-status", "fsfreeze-thaw", "fstrim", "get-fsinfo",
  "get-host-name", "get-memory-block-info", "get-memory-blocks", "get-osinfo", "get-time", "get-timezone", "get-users", "get-vcpus", "info",
  "network-get-interfaces", "ping", "set-user-password", "shutdown", "suspend-disk", "suspend-hybrid", "suspend-ram",
];

const INDEXES: IndexSpec[] = [
  { template: "/", key: "subdir", children: ["version", "cluster", "nodes", "storage", "access", "pools"] },
  {
    template: "/cluster",
    key: "name",
    children: ["log", "options", "resources", "replication", "tasks", "backup", "ha", "status", "nextid", "firewall", "config", "acme", "ceph", "jobs", "metrics", "sdn", "mapping", "notifications", "backup-info"],
  },
  { template: "/cluster/ha", key: "id", children: ["status", "resources", "groups", "rules"] },
  { template: "/access", key: "subdir", children: ["users", "groups", "roles", "acl", "domains", "openid", "tfa", "ticket", "password", "vncticket", "permissions"] },
  { template: "/nodes/{node}", key: "name", children: NODE_DIRS },
  { template: "/nodes/{node}/qemu/{vmid}", key: "subdir", children: QEMU_DIRS, guest: "qemu" },
  { template: "/nodes/{node}/lxc/{vmid}", key: "subdir", children: LXC_DIRS, guest: "lxc" },
  { template: "/nodes/{node}/qemu/{vmid}/status", key: "subdir", children: ["current", "start", "stop", "reset", "shutdown", "suspend", "reboot", "resume"], guest: "qemu" },
  { template: "/nodes/{node}/lxc/{vmid}/status", key: "subdir", children: ["current", "start", "stop", "shutdown", "suspend", "resume", "reboot"], guest: "lxc" },
  { template: "/nodes/{node}/qemu/{vmid}/agent", key: "name", children: AGENT_COMMANDS, guest: "qemu" },
];

/** The path template of a child of an index. */
export function childTemplate(parent: string, child: string): string {
  return parent === "/" ? `/${child}` : `${parent}/${child}`;
}

/**
 * The index routes. `implemented(template)` tells whether any method of a
 * child path is served; only those children are listed.
 */
export function indexRoutes(implemented: (template: string) => boolean): RouteTable {
  const routes: RouteTable = {};
  for (const spec of INDEXES) {
    let listed: string[] | undefined;
    routes[`GET ${spec.template}`] = (ctx: HandlerContext) => {
      if (spec.guest) guestAt(ctx, spec.guest);
      listed ??= spec.children.filter((c) => implemented(childTemplate(spec.template, c)));
      return listed.map((child) => ({ [spec.key]: child }));
    };
  }
  return routes;
}
