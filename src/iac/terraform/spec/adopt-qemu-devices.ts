/**
 * Adoption of a VM's drives (disks, EFI, TPM, CD-ROM, the cloud-init drive),
 * network devices and cloud-init settings.
 */
import type {
  CloudInitSpec,
  DiskSpec,
  DiskSpeedSpec,
  EfiDiskSpec,
  IpConfigSpec,
  NetworkDeviceSpec,
  QemuGuestSpec,
  TpmStateSpec,
} from "../../model.js";
import { DISK, DISK_SPEED, EFI_DISK, IPCONFIG_ORDER, NET, NIC_MODELS, TPM_STATE } from "./codecs.js";
import { parseProps } from "../../../pve/property-string.js";
import { parseBool } from "../../../pve/scalars.js";
import { compact, decodeOptions, sizeToSpec, splitVolume, volumeFormat } from "./props.js";
import { keyIndex, type ConfigReader } from "./reader.js";

/** The cloud-init drive found among the drives. */
export interface CloudInitDrive {
  key: string;
  storage?: string;
  volume: string;
  options: Record<string, string>;
}

const CLOUDINIT = /(^|\/)vm-\d+-cloudinit/;
const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;

/** Disks, EFI disk, TPM state and CD-ROM into the spec; returns the cloud-init drive if any. */
export function adoptDrives(reader: ConfigReader, spec: QemuGuestSpec): CloudInitDrive | undefined {
  let cloudInit: CloudInitDrive | undefined;
  for (const key of reader.keys(/^(ide|sata|scsi|virtio)\d+$/)) {
    const options = parseProps(reader.peek(key) ?? "", "file");
    const file = options.file ?? "";
    const { storage, volume } = splitVolume(file);
    if (CLOUDINIT.test(volume)) {
      cloudInit ??= { key, storage, volume, options };
      continue;
    }
    if (options.media === "cdrom") {
      if (!spec.cdrom) {
        reader.use(key);
        const { file: _file, media: _media, ...extra } = options;
        spec.cdrom = compact({ interface: key, fileId: file, extra: Object.keys(extra).length ? extra : undefined });
      }
      continue;
    }
    // The provider manages scsi/sata/virtio disks on a storage; IDE disks and
    // host device passthrough stay comments.
    if (key.startsWith("ide") || !storage || options.size === undefined) continue;
    reader.use(key);
    spec.disks.push(adoptDisk(key, storage, volume, options));
  }
  spec.efiDisk = adoptSmallDisk(reader, "efidisk0", EFI_DISK) as EfiDiskSpec | undefined;
  spec.tpmState = adoptSmallDisk(reader, "tpmstate0", TPM_STATE) as TpmStateSpec | undefined;
  return cloudInit;
}

function adoptDisk(key: string, storage: string, volume: string, options: Record<string, string>): DiskSpec {
  // A file-based volume names its format; the provider wants it as file_format.
  const disk: DiskSpec = { interface: key, datastoreId: storage, volume, ...sizeToSpec(options.size), fileFormat: volumeFormat(volume) };
  const rest = decodeOptions(DISK, options, disk as unknown as Record<string, unknown>, ["file", "size"]) ?? {};
  const speed: DiskSpeedSpec = {};
  const extra = decodeOptions(DISK_SPEED, rest, speed as Record<string, unknown>);
  if (Object.keys(speed).length) disk.speed = speed;
  if (extra) disk.extra = extra;
  return compact(disk);
}

function adoptSmallDisk(
  reader: ConfigReader,
  key: string,
  codec: typeof EFI_DISK,
): EfiDiskSpec | TpmStateSpec | undefined {
  const text = reader.peek(key);
  if (text === undefined) return undefined;
  const options = parseProps(text, "file");
  const { storage, volume } = splitVolume(options.file ?? "");
  if (!storage) return undefined;
  reader.use(key);
  const out: Record<string, unknown> = { datastoreId: storage, volume, exactSize: options.size, fileFormat: codec === EFI_DISK ? volumeFormat(volume) : undefined };
  const extra = decodeOptions(codec, options, out, ["file", "size"]);
  return compact({ ...(out as unknown as EfiDiskSpec), extra });
}

/** netN → network devices; a gap in the numbering becomes a disabled placeholder. */
export function adoptNetworkDevices(reader: ConfigReader): NetworkDeviceSpec[] {
  const keys = reader.keys(/^net\d+$/);
  const count = keys.length ? keyIndex(keys[keys.length - 1]) + 1 : 0;
  const out: NetworkDeviceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const text = reader.take(`net${i}`);
    out.push(text === undefined ? { enabled: false, model: "virtio" } : adoptNet(text));
  }
  return out;
}

/** One VM network device from its config text. */
export function adoptNet(text: string): NetworkDeviceSpec {
  const options = parseProps(text);
  let model = "virtio";
  let mac: string | undefined;
  const modelKey =
    NIC_MODELS.find((m) => options[m] !== undefined) ??
    Object.keys(options).find((k) => MAC.test(options[k]) && !NET.fields.some((f) => f.pve === k));
  if (modelKey) {
    model = modelKey;
    mac = MAC.test(options[modelKey]) ? options[modelKey] : undefined;
    delete options[modelKey];
  } else if (options.model) {
    model = options.model;
    mac = options.macaddr;
    delete options.model;
    delete options.macaddr;
  }
  const net: NetworkDeviceSpec = { enabled: true, model, macAddress: mac };
  const extra = decodeOptions(NET, options, net as unknown as Record<string, unknown>);
  return compact({ ...net, extra });
}

/** initialization {}: the cloud-init drive, ipconfigN, ciuser, sshkeys, DNS, cicustom, ciupgrade. */
export function adoptCloudInit(reader: ConfigReader, spec: QemuGuestSpec, drive: CloudInitDrive | undefined): CloudInitSpec | undefined {
  const ci: CloudInitSpec = { ipConfigs: [] };
  let present = false;
  if (drive) {
    present = true;
    reader.use(drive.key);
    ci.datastoreId = drive.storage;
    ci.interface = drive.key;
    const fileBased = /^(\d+)\/vm-\1-cloudinit\.(qcow2|raw|vmdk)$/.exec(drive.volume);
    if (fileBased) ci.fileFormat = fileBased[2];
    else if (drive.volume !== `vm-${spec.vmid}-cloudinit`) ci.volume = drive.volume;
    const { file: _file, media: _media, ...extra } = drive.options;
    if (Object.keys(extra).length) ci.extra = extra;
  }
  for (const key of reader.keys(/^ipconfig\d+$/)) {
    const ipConfig = adoptIpConfig(reader.peek(key) ?? "");
    if (!ipConfig) continue;
    reader.use(key);
    present = true;
    while (ci.ipConfigs.length < keyIndex(key)) ci.ipConfigs.push({});
    ci.ipConfigs[keyIndex(key)] = ipConfig;
  }
  const username = reader.take("ciuser");
  const sshkeys = reader.take("sshkeys");
  if (username !== undefined || sshkeys !== undefined) {
    present = true;
    ci.userAccount = compact({ username, keys: sshkeys === undefined ? undefined : decodeSshKeys(sshkeys) });
  }
  const servers = reader.take("nameserver");
  const domain = reader.take("searchdomain");
  if (servers !== undefined || domain !== undefined) {
    present = true;
    ci.dns = compact({ servers: servers?.split(/\s+/).filter(Boolean), domain });
  }
  present = adoptCicustom(reader, ci) || present;
  const upgrade = parseBool(reader.peek("ciupgrade"));
  if (upgrade !== undefined) {
    reader.use("ciupgrade");
    ci.upgrade = upgrade;
    present = true;
  }
  return present ? compact(ci) : undefined;
}

/** ip=,gw=,ip6=,gw6= → ipv4/ipv6; undefined if it has anything else. */
export function adoptIpConfig(text: string): IpConfigSpec | undefined {
  const options = parseProps(text);
  if (Object.keys(options).some((k) => !IPCONFIG_ORDER.includes(k))) return undefined;
  const ipv4 = compact({ address: options.ip, gateway: options.gw });
  const ipv6 = compact({ address: options.ip6, gateway: options.gw6 });
  return compact({ ipv4: Object.keys(ipv4).length ? ipv4 : undefined, ipv6: Object.keys(ipv6).length ? ipv6 : undefined });
}

const CICUSTOM: Record<string, keyof CloudInitSpec> = {
  user: "userDataFileId",
  network: "networkDataFileId",
  meta: "metaDataFileId",
  vendor: "vendorDataFileId",
};

function adoptCicustom(reader: ConfigReader, ci: CloudInitSpec): boolean {
  const text = reader.peek("cicustom");
  if (text === undefined) return false;
  const options = parseProps(text);
  if (Object.keys(options).some((k) => !(k in CICUSTOM))) return false;
  reader.use("cicustom");
  for (const [k, v] of Object.entries(options)) (ci as unknown as Record<string, unknown>)[CICUSTOM[k]] = v;
  return true;
}

/** PVE keeps `sshkeys` URL-encoded, one key per line. */
export function decodeSshKeys(text: string): string[] {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // Not encoded after all: keep the text.
  }
  return decoded
    .split(/\r?\n/)
    .map((k) => k.trim())
    .filter(Boolean);
}

/** sshkeys as PVE stores them. */
export function encodeSshKeys(keys: string[]): string {
  return encodeURIComponent(keys.join("\n"));
}

export { CICUSTOM };
