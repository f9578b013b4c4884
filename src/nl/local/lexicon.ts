/**
 * The infrastructure domain's words: what the slot reader looks for around
 * numbers and names. Language itself (tokens, lemmas, cardinal numbers,
 * number words) comes from wink-nlp and compromise; the intents come from the
 * trained model.
 */

/** The intents the model tells apart ("none": not a proxmox-mpc request). */
export const INTENTS = ["list", "describe", "create", "delete", "start", "stop", "shutdown", "reboot", "sync", "plan", "apply", "test", "health", "logs", "report", "set", "snapshot", "backup", "clone", "migrate", "context", "none"] as const;
export type Intent = (typeof INTENTS)[number];

/** Lemmas that name VMs, containers, or either. */
export const VM_WORDS = new Set(["vm", "vms", "virtual", "machine", "qemu", "kvm", "server", "instance", "box", "host", "virtualmachine"]);
export const CT_WORDS = new Set(["container", "ct", "cts", "lxc", "lxcs", "containers"]);
export const GUEST_WORDS = new Set(["guest", "guests", "workload", "everything", "all"]);

/** Units of size, to MiB. */
export const SIZE_UNITS: Record<string, number> = {
  m: 1, mb: 1, mib: 1, meg: 1, megs: 1, megabyte: 1, mebibyte: 1,
  g: 1024, gb: 1024, gib: 1024, gig: 1024, gigs: 1024, gigabyte: 1024, gibibyte: 1024,
  t: 1024 * 1024, tb: 1024 * 1024, tib: 1024 * 1024, tera: 1024 * 1024, terabyte: 1024 * 1024, tebibyte: 1024 * 1024,
};

export const MEMORY_WORDS = new Set(["ram", "memory", "mem"]);
export const DISK_WORDS = new Set(["disk", "drive", "ssd", "hdd", "volume", "rootfs", "root", "storage", "space", "disks"]);
export const CORE_WORDS = new Set(["core", "cores", "cpu", "cpus", "vcpu", "vcpus", "processor", "processors", "socket", "thread", "threads"]);

/** Time units for `logs --since`. */
export const TIME_UNITS: Record<string, [number, "m" | "h" | "d"]> = {
  minute: [1, "m"], min: [1, "m"], mins: [1, "m"], m: [1, "m"],
  hour: [1, "h"], hr: [1, "h"], hrs: [1, "h"], h: [1, "h"],
  day: [1, "d"], d: [1, "d"], week: [7, "d"], wk: [7, "d"],
};

/** Words that start a new step after "and" / "then" (a clause boundary). */
export const STEP_VERBS = new Set([
  "deploy", "apply", "start", "boot", "power", "stop", "shut", "shutdown", "reboot", "restart", "plan", "test", "validate", "check", "sync",
  "show", "list", "describe", "delete", "remove", "destroy", "run", "kill", "bring", "spin", "create", "make", "provision", "tail", "follow",
  "report", "display", "get", "fetch", "refresh", "roll", "push", "verify", "halt", "bounce", "cycle", "inspect", "give", "tell", "open", "file",
  "snapshot", "backup", "migrate", "move", "drain", "evacuate", "resize", "grow", "restore", "revert", "switch", "take", "set",
]);

/** Words after "create … and" that mean: write, check, plan and apply the new guests. */
export const DEPLOY_WORDS = new Set(["deploy", "apply", "provision", "roll", "push", "build", "launch"]);

/** Pronouns that point back at the guests of the step before. */
export const PRONOUNS = new Set(["them", "it", "its", "those", "these", "they", "em", "their"]);

/** Words that are never a role (the `web` of "3 web VMs"). */
export const NOT_ROLES = new Set([
  "new", "more", "additional", "extra", "another", "small", "big", "large", "tiny", "fresh", "few", "couple", "of", "the", "a", "an", "some", "my",
  "our", "linux", "debian", "ubuntu", "identical", "same", "empty", "blank", "all", "running", "stopped", "other", "x", "xnum", "xsize", "xnode",
  "xstore", "xguest", "xip", "xtag", "and", "with", "on", "for", "to", "in", "up", "please", "me", "us", "dozen", "both", "two", "three", "four",
  "five", "six", "seven", "eight", "nine", "ten", "single", "one", "virtual", "lxc", "qemu", "kvm", "cheap", "powerful", "beefy", "little",
]);

/** Words that make a step about snapshots or backups whatever verb it has ("delete the snapshot …" is no guest delete). */
export const SNAPSHOT_WORDS = new Set(["snapshot", "snapshots", "snap", "snaps", "checkpoint", "checkpoints"]);
export const BACKUP_WORDS = new Set(["backup", "backups", "vzdump", "dump", "dumps", "archive", "archives"]);
