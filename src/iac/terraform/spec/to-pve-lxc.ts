/**
 * The container part of pveConfigFromSpec: OS type, features, root disk,
 * mount points, network interfaces with addresses, DNS.
 */
import type { LxcGuestSpec, LxcNetworkInterfaceSpec, PveConfigValues } from "../../model.js";
import { FEATURES, LXC_NET, MOUNT_POINT, ROOTFS } from "./codecs.js";
import { printProps } from "../../../pve/property-string.js";
import { encodeOptions, printCodec, specToSize } from "./props.js";

/** Add the container-specific keys to `out`. */
export function lxcValues(spec: LxcGuestSpec, out: PveConfigValues, create: boolean): void {
  if (spec.operatingSystem.type !== undefined) out.ostype = spec.operatingSystem.type;
  if (spec.features) out.features = printCodec(FEATURES, spec.features, spec.features.extra);
  const allocate = create && !spec.clone;
  if (spec.rootDisk && (!create || allocate)) {
    const disk = spec.rootDisk;
    const options = { ...encodeOptions(ROOTFS, disk), ...disk.extra };
    out.rootfs =
      allocate && disk.volume === undefined
        ? printProps({ volume: `${disk.datastoreId}:${disk.sizeGiB}`, ...options }, "volume")
        : printProps({ volume: `${disk.datastoreId}:${disk.volume ?? ""}`, ...options, size: specToSize(disk.sizeGiB, disk.exactSize) }, "volume");
  }
  spec.mountPoints.forEach((mp, i) => (out[`mp${i}`] = printCodec(MOUNT_POINT, mp, mp.extra)));
  spec.networkInterfaces.forEach((net, i) => {
    if (net.enabled) out[`net${i}`] = interfaceValue(net);
  });
  if (spec.dns?.servers !== undefined) out.nameserver = spec.dns.servers.join(" ");
  if (spec.dns?.domain !== undefined) out.searchdomain = spec.dns.domain;
  if (create && !spec.clone) {
    if (spec.operatingSystem.templateFileId !== undefined) out.ostemplate = spec.operatingSystem.templateFileId;
    if (spec.sshKeys?.length) out["ssh-public-keys"] = spec.sshKeys.join("\n");
  }
}

/** `name=eth0,bridge=vmbr0,firewall=1,hwaddr=…,ip=dhcp,tag=20,type=veth`. */
export function interfaceValue(net: LxcNetworkInterfaceSpec): string {
  return printProps(
    {
      ...encodeOptions(LXC_NET, net),
      ip: net.ipv4?.address,
      gw: net.ipv4?.gateway,
      ip6: net.ipv6?.address,
      gw6: net.ipv6?.gateway,
      type: "veth",
      ...net.extra,
    },
    undefined,
    LXC_NET.required,
  );
}
