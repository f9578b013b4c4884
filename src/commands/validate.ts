/**
 * Input checks shared by the commands that edit the desired state: names,
 * vmids, sizes, addresses. Each failure is a one-line UsageError (exit 2).
 */
import { UsageError } from "../core/errors.js";

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A guest name: DNS labels separated by dots, at most 63 characters each. */
export function checkGuestName(name: string): string {
  if (!name || name.length > 253 || !name.split(".").every((label) => LABEL.test(label))) {
    throw new UsageError(`"${name}" is not a valid guest name.`, "Use letters, digits and hyphens (a DNS name like web-01), not starting or ending with a hyphen.", "invalid-name");
  }
  return name;
}

/** A vmid: a whole number from 100 to 999999999 (PVE's range). */
export function checkVmid(value: unknown): number {
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 100 || n > 999_999_999) {
    throw new UsageError(`"${value}" is not a valid vmid.`, "A vmid is a whole number from 100 to 999999999.", "invalid-vmid");
  }
  return n;
}

/** Memory in MiB from "2048", "2G", "512M", "1.5G". */
export function parseMemoryMiB(value: unknown, flag = "--memory"): number {
  const m = /^(\d+(?:\.\d+)?)\s*([MG]i?B?)?$/i.exec(String(value).trim());
  const mib = m ? Number(m[1]) * (m[2]?.toUpperCase().startsWith("G") ? 1024 : 1) : NaN;
  if (!Number.isFinite(mib) || mib < 16 || !Number.isInteger(mib)) {
    throw new UsageError(`${flag} "${value}" is not a memory size.`, "Give MiB (2048) or a size like 2G or 512M (at least 16 MiB).", "invalid-size");
  }
  return mib;
}

/** Disk size in whole GiB from "32", "32G", "8192M", "1T". */
export function parseDiskGiB(value: unknown, flag = "--disk"): number {
  const m = /^(\d+(?:\.\d+)?)\s*([MGT]i?B?)?$/i.exec(String(value).trim());
  const unit = m?.[2]?.toUpperCase()[0] ?? "G";
  const gib = m ? Number(m[1]) * (unit === "T" ? 1024 : unit === "M" ? 1 / 1024 : 1) : NaN;
  if (!Number.isFinite(gib) || gib < 1 || !Number.isInteger(gib)) {
    throw new UsageError(`${flag} "${value}" is not a disk size.`, "Give whole GiB (32) or a size like 32G, 8192M or 1T (at least 1 GiB).", "invalid-size");
  }
  return gib;
}

/** `dhcp` or an IPv4 CIDR like 10.0.0.5/24. */
export function checkIp(value: string): string {
  if (value === "dhcp") return value;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new UsageError(`--ip "${value}" is not dhcp or an IPv4 address with prefix.`, "e.g. --ip 10.0.0.5/24 --gateway 10.0.0.1, or --ip dhcp.", "invalid-ip");
  }
  return value;
}

/** An IPv4 address (gateway). */
export function checkGateway(value: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new UsageError(`--gateway "${value}" is not an IPv4 address.`, undefined, "invalid-ip");
  return value;
}

/** Expand `web-{n}` for --count: web-01, web-02, … (at least two digits). */
export function expandNames(pattern: string, count: number): string[] {
  if (count === 1 && !pattern.includes("{n}")) return [pattern];
  if (!pattern.includes("{n}")) throw new UsageError("--count needs {n} in --name, e.g. --name web-{n} --count 3.", undefined, "invalid-name");
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => pattern.replaceAll("{n}", String(i + 1).padStart(width, "0")));
}
