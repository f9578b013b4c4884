/**
 * A container spec from a proxmox_virtual_environment_container block: the
 * inverse of render-lxc, lenient with hand-written files.
 */
import type { LxcGuestSpec, LxcNetworkInterfaceSpec, MountPointSpec } from "../../model.js";
import { FEATURES, LXC_CONSOLE, LXC_CPU, LXC_MEMORY, LXC_NET, LXC_TOP, MOUNT_POINT, ROOTFS, STARTUP } from "../spec/codecs.js";
import { compact } from "../spec/props.js";
import { UNKNOWN_TEMPLATE_FILE_ID } from "../render-common.js";
import type { BodyReader } from "./body.js";
import type { PveComments } from "./comments.js";
import { readBase, readCloneBlock, volumeOf } from "./common.js";
import { readDns, readIpConfig } from "./qemu.js";

/** The container spec of a resource body. */
export function lxcFromHcl(name: string, r: BodyReader, c: PveComments): LxcGuestSpec {
  const init = r.block("initialization");
  const hostname = init?.str("hostname") ?? "";
  const base = readBase("lxc", name, r, c, hostname);
  const spec: LxcGuestSpec = {
    ...base,
    kind: "lxc",
    unprivileged: r.bool("unprivileged") ?? false,
    mountPoints: [],
    networkInterfaces: [],
    operatingSystem: {},
  };
  r.fields(LXC_TOP, spec as unknown as Record<string, unknown>);
  spec.clone = readCloneBlock(r, false);
  readInto(r, "cpu", LXC_CPU, spec.cpu as Record<string, unknown>);
  readInto(r, "memory", LXC_MEMORY, spec.memory as Record<string, unknown>);
  const features = r.block("features");
  if (features) {
    const f: Record<string, unknown> = {};
    features.fields(FEATURES.fields, f);
    features.finish();
    spec.features = compact({ ...f, extra: c.extras.features });
  }
  const os = r.block("operating_system");
  if (os) {
    const template = os.str("template_file_id");
    spec.operatingSystem = compact({ type: os.str("type"), templateFileId: template === UNKNOWN_TEMPLATE_FILE_ID ? undefined : template });
    os.finish();
  }
  if (r.has("startup")) spec.startup = readInto(r, "startup", STARTUP.fields, {});
  if (r.has("console")) spec.console = readInto(r, "console", LXC_CONSOLE, {});
  const disk = r.block("disk");
  if (disk) {
    const sizeGiB = disk.num("size") ?? 4;
    const d: Record<string, unknown> = { datastoreId: disk.str("datastore_id") ?? "local", sizeGiB, ...volumeOf(c, "rootfs", sizeGiB) };
    disk.fields(ROOTFS.fields, d);
    disk.finish();
    spec.rootDisk = compact({ ...(d as unknown as NonNullable<LxcGuestSpec["rootDisk"]>), extra: c.extras.rootfs });
  }
  spec.mountPoints = r.blocks("mount_point").map((b, i) => {
    const mp: Record<string, unknown> = {};
    b.fields(MOUNT_POINT.fields, mp);
    b.finish();
    return compact({ ...(mp as unknown as MountPointSpec), extra: c.extras[`mp${i}`] });
  });
  spec.networkInterfaces = r.blocks("network_interface").map((b, i) => readInterface(b, i, c.extras[`net${i}`]));
  if (init) readInitialization(init, spec);
  return compact(spec);
}

function readInto<T extends object>(r: BodyReader, name: string, codecs: Parameters<BodyReader["fields"]>[0], target: T): T {
  const b = r.block(name);
  b?.fields(codecs, target as Record<string, unknown>);
  b?.finish();
  return target;
}

function readInterface(b: BodyReader, index: number, extra: Record<string, string> | undefined): LxcNetworkInterfaceSpec {
  const net: Record<string, unknown> = {};
  b.fields(LXC_NET.fields, net);
  const enabled = b.bool("enabled") ?? true;
  b.finish();
  const name = (net.name as string | undefined) ?? `eth${index}`;
  if (!enabled) return { enabled: false, name };
  return compact({ enabled, ...net, name, bridge: (net.bridge as string | undefined) ?? "vmbr0", extra } as LxcNetworkInterfaceSpec);
}

/** hostname was read by the caller; DNS, addresses (by interface position) and root SSH keys. */
function readInitialization(init: BodyReader, spec: LxcGuestSpec): void {
  const dns = readDns(init.block("dns"));
  if (dns) spec.dns = dns;
  init.blocks("ip_config").forEach((b, i) => {
    const ip = readIpConfig(b);
    const net = spec.networkInterfaces[i];
    if (!net) {
      init.fail("ip_config", `block ${i + 1} has no network_interface to go with`);
      return;
    }
    if (ip.ipv4) net.ipv4 = ip.ipv4;
    if (ip.ipv6) net.ipv6 = ip.ipv6;
  });
  const account = init.block("user_account");
  if (account) {
    const keys = account.strList("keys");
    if (keys) spec.sshKeys = keys;
    account.ignore("password");
    account.finish();
  }
  init.ignore("hostname");
  init.finish();
}
