/**
 * Task log lines like the ones PVE writes (volume allocation, template
 * extraction, clone progress, cloud-init ISO), so that clients which show or
 * parse task logs see something realistic before "TASK OK".
 */
import type { SimCluster } from "./cluster.js";
import { guestDisks, type DiskInfo } from "./guest-config.js";
import type { SimGuest } from "./types.js";

const GiB = 1024 ** 3;

function volumeName(disk: DiskInfo): string {
  return disk.volid.slice((disk.storage?.length ?? -1) + 1).split("/").pop() ?? disk.volid;
}

/** What allocating a volume prints on its storage type. */
function allocLine(cluster: SimCluster, disk: DiskInfo): string {
  const s = cluster.storages.get(disk.storage ?? "");
  if (s && /^(lvm|lvmthin)$/.test(s.type)) return `  Logical volume "${volumeName(disk)}" created.`;
  if (s && s.type === "zfspool") return `zfs create ${volumeName(disk)}`;
  const path = s?.path ?? `/mnt/pve/${disk.storage}`;
  const rel = disk.volid.slice((disk.storage?.length ?? -1) + 1);
  return `Formatting '${path}/images/${rel}', fmt=${/\.raw$/.test(rel) ? "raw" : "qcow2"} size=${disk.size}`;
}

const realDisks = (g: SimGuest): DiskInfo[] =>
  guestDisks(g)
    .filter(({ key, disk }) => !/^unused/.test(key) && !disk.volid.includes("cloudinit"))
    .map(({ disk }) => disk);

/** qmcreate / vzcreate. */
export function createLines(cluster: SimCluster, g: SimGuest, ostemplate?: string): string[] {
  const lines = realDisks(g).map((d) => allocLine(cluster, d));
  if (g.type === "lxc" && ostemplate) {
    const rootfs = realDisks(g)[0];
    const blocks = Math.floor((rootfs?.size ?? 4 * GiB) / 4096);
    lines.push(
      `Creating filesystem with ${blocks} 4k blocks and ${Math.floor(blocks / 4)} inodes`,
      `extracting archive '/var/lib/vz/template/cache/${ostemplate.split("/").pop()}'`,
      "Total bytes read: 521113600 (497MiB, 221MiB/s)",
      `Detected container architecture: ${g.config.arch ?? "amd64"}`,
      "Creating SSH host key 'ssh_host_ed25519_key' - this may take some time ...",
    );
  }
  return lines;
}

/** qmclone / vzclone. */
export function cloneLines(cluster: SimCluster, src: SimGuest, target: SimGuest, full: boolean): string[] {
  const lines: string[] = [];
  const targets = realDisks(target);
  realDisks(src).forEach((d, i) => {
    lines.push(`create ${full ? "full" : "linked"} clone of drive (${d.volid})`);
    if (full && targets[i]) {
      lines.push(allocLine(cluster, targets[i]));
      const gib = (d.size / GiB).toFixed(1);
      lines.push(`transferred ${gib} GiB of ${gib} GiB (100.00%)`);
    }
  });
  return lines;
}

/** qmstart / vzstart. */
export function startLines(g: SimGuest): string[] {
  return g.type === "qemu" && guestDisks(g).some(({ disk }) => disk.volid.includes("cloudinit")) ? ["generating cloud-init ISO"] : [];
}

/** qmdestroy / vzdestroy. */
export function destroyLines(cluster: SimCluster, g: SimGuest): string[] {
  return guestDisks(g).map(({ disk }) => {
    const s = cluster.storages.get(disk.storage ?? "");
    return s && /^(lvm|lvmthin)$/.test(s.type) ? `  Logical volume "${volumeName(disk)}" successfully removed.` : `removing volume '${disk.volid}'`;
  });
}
