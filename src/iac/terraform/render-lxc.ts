/**
 * The body of a proxmox_virtual_environment_container resource for a container spec.
 */
import type { LxcGuestSpec, LxcNetworkInterfaceSpec, MountPointSpec } from "../model.js";
import { FEATURES, LXC_CONSOLE, LXC_CPU, LXC_MEMORY, LXC_NET, LXC_TOP, MOUNT_POINT, ROOTFS, STARTUP } from "./spec/codecs.js";
import { attr, block, BLANK, comment, type HclItem } from "./hcl/writer.js";
import { codecAttrs, extraComment, items, lifecycleBlock, UNKNOWN_TEMPLATE_FILE_ID, unmappedComments, volumeComment } from "./render-common.js";
import { dnsBlock, ipConfigBlock } from "./render-qemu.js";

/** Body items of a container resource. */
export function lxcItems(spec: LxcGuestSpec): HclItem[] {
  const blocks: HclItem[] = [];
  const add = (item: HclItem | undefined): void => {
    if (item) blocks.push(BLANK, item);
  };
  if (spec.clone) {
    const c = spec.clone;
    add(block("clone", [attr("vm_id", c.vmId), attr("node_name", c.nodeName), attr("datastore_id", c.datastoreId)]));
  }
  add(block("cpu", codecAttrs(LXC_CPU, spec.cpu)));
  add(block("memory", codecAttrs(LXC_MEMORY, spec.memory)));
  if (spec.features) add(block("features", [extraComment("features", spec.features.extra), ...codecAttrs(FEATURES.fields, spec.features)]));
  const os = spec.operatingSystem;
  add(
    block("operating_system", [
      os.templateFileId === undefined ? comment("PVE does not record the template a container was made from (ignored in lifecycle).") : undefined,
      attr("template_file_id", os.templateFileId ?? UNKNOWN_TEMPLATE_FILE_ID),
      attr("type", os.type),
    ]),
  );
  if (spec.startup) add(block("startup", codecAttrs(STARTUP.fields, spec.startup)));
  if (spec.console) add(block("console", codecAttrs(LXC_CONSOLE, spec.console)));
  if (spec.rootDisk) {
    const d = spec.rootDisk;
    add(
      block("disk", [
        volumeComment("rootfs", d.volume, d.exactSize),
        extraComment("rootfs", d.extra),
        attr("datastore_id", d.datastoreId),
        attr("size", d.sizeGiB),
        ...codecAttrs(ROOTFS.fields, d),
      ]),
    );
  }
  spec.mountPoints.forEach((mp, i) => add(mountPointBlock(mp, i)));
  spec.networkInterfaces.forEach((net, i) => add(interfaceBlock(net, i)));
  add(initializationBlock(spec));
  add(lifecycleBlock(spec));
  return items(
    unmappedComments(spec.unmapped),
    attr("node_name", spec.node),
    attr("vm_id", spec.vmid),
    attr("description", spec.description),
    spec.tags.length ? attr("tags", spec.tags) : undefined,
    attr("start_on_boot", spec.onBoot),
    attr("started", spec.started),
    spec.template ? attr("template", true) : undefined,
    spec.protection ? attr("protection", true) : undefined,
    spec.unprivileged ? attr("unprivileged", true) : undefined,
    codecAttrs(LXC_TOP, spec),
    blocks,
  );
}

function mountPointBlock(mp: MountPointSpec, index: number): HclItem {
  return block("mount_point", [extraComment(`mp${index}`, mp.extra), ...codecAttrs(MOUNT_POINT.fields, mp)]);
}

function interfaceBlock(net: LxcNetworkInterfaceSpec, index: number): HclItem {
  return block("network_interface", [
    extraComment(`net${index}`, net.extra),
    attr("name", net.name),
    net.enabled ? undefined : attr("enabled", false),
    ...codecAttrs(LXC_NET.fields.slice(1), net),
  ]);
}

/** initialization {}: hostname, DNS, one ip_config per interface, root SSH keys. */
function initializationBlock(spec: LxcGuestSpec): HclItem {
  // ip_config blocks are matched to interfaces by position: keep the empty ones before the last address.
  const last = spec.networkInterfaces.reduce((acc, n, i) => (n.ipv4 || n.ipv6 ? i : acc), -1);
  const ipConfigs = spec.networkInterfaces.slice(0, last + 1).map((n) => ipConfigBlock({ ipv4: n.ipv4, ipv6: n.ipv6 }));
  return block("initialization", [
    attr("hostname", spec.name),
    dnsBlock(spec.dns),
    ...ipConfigs,
    spec.sshKeys ? block("user_account", [attr("keys", spec.sshKeys)]) : undefined,
  ]);
}
