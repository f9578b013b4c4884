/**
 * Adoption of a VM config: machine settings, CPU, memory, boot, agent and
 * the passthrough devices. Disks, network and cloud-init: adopt-qemu-devices.
 */
import type { AgentSpec, BaseGuestSpec, CpuSpec, HostPciSpec, NumaSpec, QemuGuestSpec, UsbSpec, VgaSpec } from "../../model.js";
import { AGENT, CPU_TYPE, HOSTPCI, NUMA, QEMU_CPU, QEMU_MEMORY, QEMU_TOP, USB, VGA } from "./codecs.js";
import { adoptCloudInit, adoptDrives, adoptNetworkDevices } from "./adopt-qemu-devices.js";
import { compact } from "./props.js";
import { keyIndex, type ConfigReader } from "./reader.js";

/** A VM spec from its config. */
export function adoptQemu(base: BaseGuestSpec, reader: ConfigReader): QemuGuestSpec {
  const spec: QemuGuestSpec = {
    ...base,
    kind: "qemu",
    disks: [],
    networkDevices: [],
    serialDevices: [],
    hostPci: [],
    usb: [],
    numa: [],
  };
  reader.fields(QEMU_TOP, spec as unknown as Record<string, unknown>);
  spec.cpu = adoptCpu(reader);
  adoptMemory(reader, spec);
  const ostype = reader.take("ostype");
  if (ostype !== undefined) spec.operatingSystem = { type: ostype };
  const boot = reader.peek("boot");
  if (boot !== undefined && /^order=[^,=]*$/.test(boot)) {
    reader.use("boot");
    spec.bootOrder = boot.slice("order=".length).split(";").filter(Boolean);
  }
  spec.agent = adoptAgent(reader);
  const cloudInitDrive = adoptDrives(reader, spec);
  spec.networkDevices = adoptNetworkDevices(reader);
  spec.initialization = adoptCloudInit(reader, spec, cloudInitDrive);
  spec.serialDevices = contiguous(reader, /^serial\d+$/).map((key) => reader.take(key) as string);
  spec.vga = adoptVga(reader);
  spec.hostPci = reader.keys(/^hostpci\d+$/).map((key) => adoptHostPci(reader, key)).filter((d): d is HostPciSpec => !!d);
  spec.usb = contiguous(reader, /^usb\d+$/).map((key) => adoptUsb(reader, key));
  spec.numa = reader.keys(/^numa\d+$/).map((key) => adoptNuma(reader, key)).filter((n): n is NumaSpec => !!n);
  spec.unmapped = reader.unmapped();
  return compact(spec);
}

function adoptCpu(reader: ConfigReader): CpuSpec {
  const cpu: CpuSpec = {};
  reader.fields(QEMU_CPU, cpu as Record<string, unknown>);
  const read = reader.props("cpu", CPU_TYPE, cpu as Record<string, unknown>);
  if (read?.extra) cpu.extra = read.extra;
  return cpu;
}

function adoptMemory(reader: ConfigReader, spec: QemuGuestSpec): void {
  const memory = reader.peek("memory");
  // PVE 8 allows `memory: current=2048`; only the plain form maps to `dedicated`.
  if (memory !== undefined && /^\d+$/.test(memory)) {
    reader.use("memory");
    spec.memory.dedicated = Number(memory);
  }
  reader.fields(QEMU_MEMORY, spec.memory as Record<string, unknown>);
}

function adoptAgent(reader: ConfigReader): AgentSpec | undefined {
  const agent: Partial<AgentSpec> = {};
  const read = reader.props("agent", AGENT, agent as Record<string, unknown>);
  if (!read) return undefined;
  return compact({ enabled: agent.enabled ?? false, trim: agent.trim, type: agent.type, extra: read.extra });
}

function adoptVga(reader: ConfigReader): VgaSpec | undefined {
  const vga: VgaSpec = {};
  const read = reader.props("vga", VGA, vga as Record<string, unknown>);
  if (!read) return undefined;
  return compact({ ...vga, extra: read.extra });
}

function adoptHostPci(reader: ConfigReader, key: string): HostPciSpec | undefined {
  const pci: Partial<HostPciSpec> = { device: key };
  const read = reader.props(key, HOSTPCI, pci as Record<string, unknown>);
  if (!read || (pci.id === undefined && pci.mapping === undefined)) {
    reader.unuse(key);
    return undefined;
  }
  return compact({ ...(pci as HostPciSpec), extra: read.extra });
}

function adoptUsb(reader: ConfigReader, key: string): UsbSpec {
  const usb: UsbSpec = {};
  // PVE accepts the host bare ("1234:5678") but writes it as host=…
  const read = reader.props(key, { ...USB, lead: "host" }, usb as Record<string, unknown>);
  return compact({ ...usb, extra: read?.extra });
}

function adoptNuma(reader: ConfigReader, key: string): NumaSpec | undefined {
  const numa: Partial<NumaSpec> = { device: key };
  const read = reader.props(key, NUMA, numa as Record<string, unknown>);
  if (!read || read.extra || numa.cpus === undefined || numa.memory === undefined) {
    reader.unuse(key);
    return undefined;
  }
  return numa as NumaSpec;
}

/**
 * Keys of a numbered family that form an unbroken run from 0 (serial0,
 * serial1 …): the provider numbers these blocks by position. Keys after a
 * gap stay unmapped.
 */
export function contiguous(reader: ConfigReader, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const key of reader.keys(pattern)) {
    if (keyIndex(key) !== out.length) break;
    out.push(key);
  }
  return out;
}
