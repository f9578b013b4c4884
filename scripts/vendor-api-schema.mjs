#!/usr/bin/env node
/**
 * Vendor the subset of the official Proxmox VE API schema that proxmox-mpc
 * uses (client and simulator) into src/pve/api-schema/pve-api-subset.json.
 *
 * Usage: node scripts/vendor-api-schema.mjs [path/to/apidoc.json]
 * Default input: ../shared/pve-api/apidoc.json (pve-docs commit
 * a8736b6d6169ea9679ee02285ea36fdab42e85c3, api-viewer/apidata.js, pve-docs 9.1.3).
 *
 * Each kept endpoint keeps its full `info` object for that method (parameters
 * with every property schema, returns, permissions, proxyto, ...). The output
 * also records, for every indexed key such as `net[n]`, the highest index PVE
 * accepts (from the "(n is 0 to N)" text of its description when present,
 * else from the constants of qemu-server / pve-container).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const input = resolve(process.argv[2] ?? resolve(here, "../../shared/pve-api/apidoc.json"));
const output = resolve(here, "../src/pve/api-schema/pve-api-subset.json");

/** The endpoints proxmox-mpc uses: "METHOD path". */
const ENDPOINTS = `
GET /version
GET /nodes
GET /nodes/{node}/status
GET /nodes/{node}/network
GET /cluster/status
GET /cluster/resources
GET /cluster/nextid
GET /access/permissions
GET /storage
GET /nodes/{node}/storage
GET /nodes/{node}/storage/{storage}/status
GET /nodes/{node}/storage/{storage}/content
GET /nodes/{node}/tasks
GET /nodes/{node}/tasks/{upid}/status
GET /nodes/{node}/tasks/{upid}/log
DELETE /nodes/{node}/tasks/{upid}
GET /nodes/{node}/qemu
POST /nodes/{node}/qemu
GET /nodes/{node}/qemu/{vmid}
DELETE /nodes/{node}/qemu/{vmid}
GET /nodes/{node}/qemu/{vmid}/config
POST /nodes/{node}/qemu/{vmid}/config
PUT /nodes/{node}/qemu/{vmid}/config
GET /nodes/{node}/qemu/{vmid}/pending
GET /nodes/{node}/qemu/{vmid}/status/current
POST /nodes/{node}/qemu/{vmid}/status/start
POST /nodes/{node}/qemu/{vmid}/status/stop
POST /nodes/{node}/qemu/{vmid}/status/shutdown
POST /nodes/{node}/qemu/{vmid}/status/reboot
POST /nodes/{node}/qemu/{vmid}/status/reset
POST /nodes/{node}/qemu/{vmid}/clone
PUT /nodes/{node}/qemu/{vmid}/resize
POST /nodes/{node}/qemu/{vmid}/template
GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces
GET /nodes/{node}/qemu/{vmid}/snapshot
POST /nodes/{node}/qemu/{vmid}/snapshot
GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}
DELETE /nodes/{node}/qemu/{vmid}/snapshot/{snapname}
GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config
PUT /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config
POST /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback
GET /nodes/{node}/lxc
POST /nodes/{node}/lxc
GET /nodes/{node}/lxc/{vmid}
DELETE /nodes/{node}/lxc/{vmid}
GET /nodes/{node}/lxc/{vmid}/config
PUT /nodes/{node}/lxc/{vmid}/config
GET /nodes/{node}/lxc/{vmid}/pending
GET /nodes/{node}/lxc/{vmid}/status/current
POST /nodes/{node}/lxc/{vmid}/status/start
POST /nodes/{node}/lxc/{vmid}/status/stop
POST /nodes/{node}/lxc/{vmid}/status/shutdown
POST /nodes/{node}/lxc/{vmid}/status/reboot
POST /nodes/{node}/lxc/{vmid}/clone
PUT /nodes/{node}/lxc/{vmid}/resize
POST /nodes/{node}/lxc/{vmid}/template
GET /nodes/{node}/lxc/{vmid}/interfaces
GET /nodes/{node}/lxc/{vmid}/snapshot
POST /nodes/{node}/lxc/{vmid}/snapshot
GET /nodes/{node}/lxc/{vmid}/snapshot/{snapname}
DELETE /nodes/{node}/lxc/{vmid}/snapshot/{snapname}
GET /nodes/{node}/lxc/{vmid}/snapshot/{snapname}/config
PUT /nodes/{node}/lxc/{vmid}/snapshot/{snapname}/config
POST /nodes/{node}/lxc/{vmid}/snapshot/{snapname}/rollback
GET /cluster
GET /cluster/tasks
GET /cluster/ha
GET /cluster/ha/resources
GET /access
GET /access/ticket
POST /access/ticket
GET /pools
GET /pools/{poolid}
GET /nodes/{node}
GET /nodes/{node}/version
GET /nodes/{node}/rrddata
GET /nodes/{node}/qemu/{vmid}/status
GET /nodes/{node}/qemu/{vmid}/agent
GET /nodes/{node}/qemu/{vmid}/rrddata
PUT /nodes/{node}/qemu/{vmid}/unlink
GET /nodes/{node}/lxc/{vmid}/status
GET /nodes/{node}/lxc/{vmid}/rrddata
POST /nodes/{node}/vzdump
GET /nodes/{node}/vzdump/extractconfig
DELETE /nodes/{node}/storage/{storage}/content/{volume}
GET /nodes/{node}/qemu/{vmid}/migrate
POST /nodes/{node}/qemu/{vmid}/migrate
GET /nodes/{node}/lxc/{vmid}/migrate
POST /nodes/{node}/lxc/{vmid}/migrate
POST /nodes/{node}/qemu/{vmid}/status/suspend
POST /nodes/{node}/qemu/{vmid}/status/resume
POST /nodes/{node}/lxc/{vmid}/status/suspend
POST /nodes/{node}/lxc/{vmid}/status/resume
POST /nodes/{node}/qemu/{vmid}/move_disk
POST /nodes/{node}/lxc/{vmid}/move_volume
GET /nodes/{node}/qemu/{vmid}/firewall/rules
GET /nodes/{node}/lxc/{vmid}/firewall/rules
POST /nodes/{node}/qemu/{vmid}/agent/exec
GET /nodes/{node}/qemu/{vmid}/agent/exec-status
`
  .trim()
  .split("\n")
  .map((line) => line.trim().split(/\s+/));

/** Highest index of indexed keys whose description does not say "(n is 0 to N)". */
const INDEX_MAX_FALLBACK = {
  "net[n]": 31, // qemu-server MAX_NETS = 32; pve-container MAX_LXC_NETWORKS = 32
  "ipconfig[n]": 31, // one per net
  "hostpci[n]": 15, // MAX_HOSTPCI_DEVICES = 16
  "numa[n]": 7, // MAX_NUMA = 8
  "unused[n]": 255, // MAX_UNUSED_DISKS = 256
  "virtiofs[n]": 9, // MAX_VIRTIOFS = 10
  "mp[n]": 255, // MAX_MOUNT_POINTS = 256
  "dev[n]": 255, // MAX_DEVICES = 256
  "usb[n]": 14, // 0 to 4, up to 14 on machine >= 7.1
};

const apidoc = JSON.parse(readFileSync(input, "utf8"));
const byPath = new Map();
(function walk(nodes) {
  for (const node of nodes) {
    byPath.set(node.path, node);
    if (node.children) walk(node.children);
  }
})(apidoc);

const endpoints = [];
const indexMax = {};
for (const [method, path] of ENDPOINTS) {
  const info = byPath.get(path)?.info?.[method];
  if (!info) throw new Error(`endpoint not in the schema: ${method} ${path}`);
  endpoints.push({ method, path, info });
  for (const [key, schema] of Object.entries(info.parameters?.properties ?? {})) {
    if (!key.endsWith("[n]")) continue;
    const text = `${schema.description ?? ""} ${schema.verbose_description ?? ""}`;
    const m = /\(n is 0 to (\d+)(?:, [^)]*up to (\d+))?/.exec(text);
    const max = m ? Number(m[2] ?? m[1]) : INDEX_MAX_FALLBACK[key];
    if (max === undefined) throw new Error(`no max index known for ${key} (${method} ${path})`);
    indexMax[key] = Math.max(indexMax[key] ?? 0, max);
  }
}

const subset = {
  source: {
    repository: "https://github.com/proxmox/pve-docs",
    commit: "a8736b6d6169ea9679ee02285ea36fdab42e85c3",
    file: "api-viewer/apidata.js",
    version: "pve-docs 9.1.3",
  },
  indexMax,
  endpoints,
};
writeFileSync(output, `${JSON.stringify(subset, null, 1)}\n`);
console.log(`wrote ${endpoints.length} endpoints to ${output}`);
