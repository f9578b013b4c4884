/**
 * The Proxmox VE version the simulator answers as (`--pve-version`): what
 * /version reports, the kernel and QEMU it claims, and the fields that differ
 * between PVE 8.4 and 9.1 (node memory `available`, the container interface
 * list in the guest-agent shape, pressure-stall and `memhost` counters, the
 * RRD format behind rrddata). Requests are validated against the one vendored
 * schema (9.1) for both.
 */

/** A version the simulator can answer as. */
export type PveVersion = "8.4" | "9.1";

/** Every supported version, oldest first. */
export const PVE_VERSIONS: readonly PveVersion[] = ["8.4", "9.1"];

/** The default: the newest. */
export const DEFAULT_PVE_VERSION: PveVersion = "9.1";

/** One RRD archive as rrddata serves it: seconds between points and how many points. */
export interface RrdFrame {
  step: number;
  points: number;
}

/** What differs between versions. */
export interface PveProfile {
  id: PveVersion;
  major: 8 | 9;
  /** GET /version (seed `version:` keys override these). */
  version: { version: string; release: string; repoid: string };
  kernel: { release: string; version: string };
  qemu: { version: string; machine: string };
  /** RRD timeframes (`decade` only in 9.x, node RRDs only). */
  rrd: Record<string, RrdFrame>;
  /** Extra RRD columns of 9.x (pve-node-9.0 / pve-vm-9.0), empty in 8.x. */
  rrdNodeExtra: readonly string[];
  rrdGuestExtra: readonly string[];
}

const PRESSURE_GUEST = ["pressurecpusome", "pressurecpufull", "pressureiosome", "pressureiofull", "pressurememorysome", "pressurememoryfull"] as const;

const PROFILES: Record<PveVersion, PveProfile> = {
  "8.4": {
    id: "8.4",
    major: 8,
    // As recorded from a real PVE 8.4.1 server (tests/fixtures/pve/version.datadog.json).
    version: { version: "8.4.1", release: "8.4", repoid: "2a2fa54b8503f96c" },
    kernel: { release: "6.8.12-9-pve", version: "#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-9 (2025-03-16T19:18Z)" },
    qemu: { version: "9.2.0", machine: "pc-i440fx-9.2+pve1" },
    // pve2 RRDs: 70 rows per archive.
    rrd: { hour: { step: 60, points: 70 }, day: { step: 1800, points: 70 }, week: { step: 10800, points: 70 }, month: { step: 43200, points: 70 }, year: { step: 604800, points: 70 } },
    rrdNodeExtra: [],
    rrdGuestExtra: [],
  },
  "9.1": {
    id: "9.1",
    major: 9,
    // pve-manager/9.1.2/9d436f37a0ac4172, as a real 9.1.2 node reports it in /nodes/{node}/status.
    version: { version: "9.1.2", release: "9.1", repoid: "9d436f37a0ac4172" },
    kernel: { release: "6.17.4-1-pve", version: "#1 SMP PREEMPT_DYNAMIC PMX 6.17.4-1 (2025-12-03T15:42Z)" },
    qemu: { version: "10.1.2", machine: "pc-i440fx-10.1+pve0" },
    // pve-*-9.0 RRDs: 1-minute steps kept for a day, 30 minutes for a month, 6 hours for a year, a week for ~11 years.
    rrd: {
      hour: { step: 60, points: 60 },
      day: { step: 60, points: 1440 },
      week: { step: 1800, points: 336 },
      month: { step: 1800, points: 1440 },
      year: { step: 21600, points: 1440 },
      decade: { step: 604800, points: 570 },
    },
    rrdNodeExtra: ["memfree", "arcsize", "pressurecpusome", "pressureiosome", "pressureiofull", "pressurememorysome", "pressurememoryfull"],
    rrdGuestExtra: ["memhost", ...PRESSURE_GUEST],
  },
};

/** Whether a string names a supported version. */
export function isPveVersion(value: string): value is PveVersion {
  return (PVE_VERSIONS as readonly string[]).includes(value);
}

/** The profile of a version. */
export function pveProfile(version: PveVersion = DEFAULT_PVE_VERSION): PveProfile {
  return PROFILES[version];
}

/** Pressure-stall counters (PVE ≥ 9.0 status/current and guest lists): fractions of time stalled. */
export function pressureStats(type: "qemu" | "lxc", running: boolean, load: number): Record<string, number> {
  const keys = type === "qemu" ? PRESSURE_GUEST : PRESSURE_GUEST.filter((k) => k !== "pressurecpufull");
  const base = running ? Math.round(load * 1000) / 100_000 : 0;
  return Object.fromEntries(keys.map((k, i) => [k, k.endsWith("full") ? base / 2 : base * (1 + i / 10)]));
}
