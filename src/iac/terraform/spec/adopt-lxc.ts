/**
 * Adoption of a container config: CPU, memory, features, root disk, mount
 * points, network interfaces (with their addresses), DNS, console.
 */
import type {
  BaseGuestSpec,
  LxcConsoleSpec,
  LxcFeaturesSpec,
  LxcGuestSpec,
  LxcNetworkInterfaceSpec,
  LxcRootDiskSpec,
  MountPointSpec,
} from "../../model.js";
import { parseProps } from "../../../pve/property-string.js";
import { parseBool } from "../../../pve/scalars.js";
import { FEATURES, LXC_CONSOLE, LXC_CPU, LXC_MEMORY, LXC_NET, LXC_TOP, MOUNT_POINT, ROOTFS } from "./codecs.js";
import { contiguous } from "./adopt-qemu.js";
import { compact, decodeOptions, sizeToSpec, splitVolume } from "./props.js";
import { keyIndex, type ConfigReader } from "./reader.js";

/** A container spec from its config. */
export function adoptLxc(base: BaseGuestSpec, reader: ConfigReader): LxcGuestSpec {
  const spec: LxcGuestSpec = {
    ...base,
    kind: "lxc",
    unprivileged: parseBool(reader.take("unprivileged")) === true,
    mountPoints: [],
    networkInterfaces: [],
    operatingSystem: {},
  };
  reader.fields(LXC_TOP, spec as unknown as Record<string, unknown>);
  reader.fields(LXC_CPU, spec.cpu as Record<string, unknown>);
  reader.fields(LXC_MEMORY, spec.memory as Record<string, unknown>);
  const ostype = reader.take("ostype");
  if (ostype !== undefined) spec.operatingSystem.type = ostype;
  const features: LxcFeaturesSpec = {};
  const featuresRead = reader.props("features", FEATURES, features as Record<string, unknown>);
  if (featuresRead) spec.features = compact({ ...features, extra: featuresRead.extra });
  spec.rootDisk = adoptRootDisk(reader);
  spec.mountPoints = contiguous(reader, /^mp\d+$/)
    .map((key) => adoptMountPoint(reader, key))
    .filter((m): m is MountPointSpec => !!m);
  spec.networkInterfaces = adoptInterfaces(reader);
  const servers = reader.take("nameserver");
  const domain = reader.take("searchdomain");
  if (servers !== undefined || domain !== undefined) {
    spec.dns = compact({ servers: servers?.split(/\s+/).filter(Boolean), domain });
  }
  const console: LxcConsoleSpec = {};
  reader.fields(LXC_CONSOLE, console as Record<string, unknown>);
  if (Object.keys(console).length) spec.console = console;
  spec.unmapped = reader.unmapped();
  return compact(spec);
}

function adoptRootDisk(reader: ConfigReader): LxcRootDiskSpec | undefined {
  const text = reader.peek("rootfs");
  if (text === undefined) return undefined;
  const options = parseProps(text, "volume");
  const { storage, volume } = splitVolume(options.volume ?? "");
  if (!storage || options.size === undefined) return undefined;
  reader.use("rootfs");
  const disk: LxcRootDiskSpec = { datastoreId: storage, volume, ...sizeToSpec(options.size) };
  const extra = decodeOptions(ROOTFS, options, disk as unknown as Record<string, unknown>, ["volume", "size"]);
  return compact({ ...disk, extra });
}

function adoptMountPoint(reader: ConfigReader, key: string): MountPointSpec | undefined {
  const mp: Partial<MountPointSpec> = {};
  const read = reader.props(key, MOUNT_POINT, mp as Record<string, unknown>);
  if (!read || mp.volume === undefined || mp.path === undefined) {
    reader.unuse(key);
    return undefined;
  }
  return compact({ ...(mp as MountPointSpec), extra: read.extra });
}

/** netN with their ip=/gw=/ip6=/gw6=; a gap becomes a disabled placeholder. */
function adoptInterfaces(reader: ConfigReader): LxcNetworkInterfaceSpec[] {
  const keys = reader.keys(/^net\d+$/);
  const count = keys.length ? keyIndex(keys[keys.length - 1]) + 1 : 0;
  const out: LxcNetworkInterfaceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const text = reader.take(`net${i}`);
    out.push(text === undefined ? { enabled: false, name: `eth${i}` } : adoptInterface(text, i));
  }
  return out;
}

function adoptInterface(text: string, index: number): LxcNetworkInterfaceSpec {
  const { ip, gw, ip6, gw6, type, ...options } = parseProps(text);
  const net: LxcNetworkInterfaceSpec = { enabled: true, name: `eth${index}` };
  const extra = decodeOptions(LXC_NET, options, net as unknown as Record<string, unknown>) ?? {};
  // Containers only have veth interfaces; anything else is carried as is.
  if (type !== undefined && type !== "veth") extra.type = type;
  const ipv4 = compact({ address: ip, gateway: gw });
  const ipv6 = compact({ address: ip6, gateway: gw6 });
  return compact({
    ...net,
    ipv4: Object.keys(ipv4).length ? ipv4 : undefined,
    ipv6: Object.keys(ipv6).length ? ipv6 : undefined,
    extra: Object.keys(extra).length ? extra : undefined,
  });
}
