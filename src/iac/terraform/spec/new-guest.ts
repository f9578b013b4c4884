/**
 * newGuestSpec: the spec `create vm|ct` writes, with the defaults a Proxmox
 * operator expects from the GUI today (VirtIO SCSI single with iothread,
 * x86-64-v2-AES, VirtIO NIC with firewall on vmbr0, guest agent on;
 * unprivileged containers with nesting).
 */
import type { GuestSpec, IpAddressSpec, LxcGuestSpec, NewGuestInput, QemuGuestSpec } from "../../model.js";
import { UsageError } from "../../../core/errors.js";
import { safeResourceName } from "./names.js";
import { compact } from "./props.js";

const CIDR4 = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const CIDR6 = /^[0-9a-fA-F:]+\/\d{1,3}$/;
const OS_TYPES = ["debian", "ubuntu", "alpine", "centos", "fedora", "archlinux", "opensuse", "gentoo", "devuan", "nixos"];

/** A spec for a guest that does not exist yet. Throws UsageError on inputs that cannot work. */
export function newGuestSpec(input: NewGuestInput): GuestSpec {
  const address = ipAddress(input.ip, input.gateway);
  const tags = [...new Set(input.tags ?? [])].sort();
  const clone = input.clone ? compact({ vmId: input.clone.vmId, full: input.clone.full ?? true, nodeName: input.clone.nodeName }) : undefined;
  const base = {
    resourceName: safeResourceName(input.name, input.vmid, input.kind),
    vmid: input.vmid,
    node: input.node,
    name: input.name,
    tags,
    onBoot: true,
    started: true,
    template: false,
    protection: false,
    clone,
    unmapped: {},
  };
  const storage = input.storage ?? "local-lvm";
  const bridge = input.bridge ?? "vmbr0";
  if (input.kind === "lxc") {
    if (!input.ostemplate && !clone) {
      throw new UsageError(
        `Container ${input.name} needs an OS template.`,
        "Give one with --ostemplate local:vztmpl/<file> (see `pveam list local`), or --clone a container template.",
      );
    }
    const spec: LxcGuestSpec = {
      ...base,
      kind: "lxc",
      unprivileged: true,
      features: { nesting: true },
      cpu: { cores: input.cores ?? 1 },
      memory: { dedicated: input.memory ?? 512, swap: 512 },
      rootDisk: { datastoreId: storage, sizeGiB: input.diskGiB ?? 8 },
      mountPoints: [],
      networkInterfaces: [{ enabled: true, name: "eth0", bridge, firewall: true, ipv4: address ?? { address: "dhcp" } }],
      sshKeys: input.sshKeys?.length ? [...input.sshKeys] : undefined,
      operatingSystem: compact({ templateFileId: input.ostemplate, type: osTypeOf(input.ostemplate) }),
    };
    return compact(spec);
  }
  const memory = input.memory ?? 2048;
  const cloudInit = Boolean(clone || input.ip || input.sshKeys?.length || input.username);
  const spec: QemuGuestSpec = {
    ...base,
    kind: "qemu",
    cpu: { cores: input.cores ?? 2, sockets: 1, type: "x86-64-v2-AES" },
    // floating = dedicated keeps the balloon device, as PVE does by default.
    memory: { dedicated: memory, floating: memory },
    scsiHardware: "virtio-scsi-single",
    bootOrder: ["scsi0", "net0"],
    agent: { enabled: true },
    operatingSystem: { type: "l26" },
    disks: [
      compact({
        interface: "scsi0",
        datastoreId: storage,
        sizeGiB: input.diskGiB ?? 32,
        // A clone keeps the template's format; a new disk is raw, valid on every storage type.
        fileFormat: clone ? undefined : "raw",
        iothread: true,
      }),
    ],
    networkDevices: [{ enabled: true, model: "virtio", bridge, firewall: true }],
    initialization: cloudInit
      ? compact({
          datastoreId: storage,
          interface: "ide2",
          ipConfigs: [{ ipv4: address ?? { address: "dhcp" } }],
          userAccount:
            input.username || input.sshKeys?.length ? compact({ username: input.username, keys: input.sshKeys ? [...input.sshKeys] : undefined }) : undefined,
        })
      : undefined,
    serialDevices: [],
    hostPci: [],
    usb: [],
    numa: [],
  };
  return compact(spec);
}

/** --ip dhcp | CIDR (+ --gateway) as an address block; throws on a malformed address. */
function ipAddress(ip: string | undefined, gateway: string | undefined): IpAddressSpec | undefined {
  if (ip === undefined) {
    if (gateway) throw new UsageError("--gateway needs a static --ip address.", "Give --ip 10.0.1.5/24 --gateway 10.0.1.1.");
    return undefined;
  }
  if (ip === "dhcp") {
    if (gateway) throw new UsageError("--gateway cannot be used with --ip dhcp.", "Drop --gateway, or give a static --ip in CIDR form.");
    return { address: "dhcp" };
  }
  if (!CIDR4.test(ip) && !CIDR6.test(ip)) {
    throw new UsageError(`"${ip}" is not an address in CIDR form.`, 'Use --ip dhcp or an address with its prefix, e.g. "10.0.1.5/24".');
  }
  return compact({ address: ip, gateway });
}

/** The container OS type PVE would detect, from the template file name. */
function osTypeOf(template: string | undefined): string | undefined {
  const file = (template ?? "").split("/").pop()?.toLowerCase() ?? "";
  if (/^(almalinux|rockylinux)/.test(file)) return "centos";
  return OS_TYPES.find((os) => file.startsWith(os));
}
