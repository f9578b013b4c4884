/**
 * The shapes of `test`: one result per finding, the report that gathers
 * them, and the inputs every check reads (the parsed Terraform files and the
 * cluster as the last sync stored it).
 */
import type { NodeRecord, StorageRecord, GuestRecord } from "../../state/types.js";
import type { ParsedGuestSpec, ParsedWorkspace } from "../terraform/index.js";

/** How one result came out. `skipped`: a live spec without --live, or a check that needs data it lacks. */
export type CheckStatus = "passed" | "failed" | "warning" | "skipped";

/** The named checks (user specs report as `spec`). */
export const CHECK_NAMES = [
  "hcl-parse",
  "resource-types",
  "arguments",
  "nodes",
  "storage",
  "clone-source",
  "os-template",
  "bridges",
  "volumes",
  "unique-vmids",
  "unique-names",
  "unique-ips",
  "cpu-capacity",
  "memory-capacity",
  "disk-capacity",
  "inventory",
  "spec",
] as const;

/** A check's name. */
export type CheckName = (typeof CHECK_NAMES)[number];

/** One finding (or one passed check). Files are relative to the workspace root. */
export interface CheckResult {
  check: CheckName;
  status: CheckStatus;
  file?: string;
  /** 1-based. */
  line?: number;
  message: string;
}

/** What `test -o json` prints. `ok` is false when any result failed. */
export interface TestReport {
  ok: boolean;
  passed: number;
  failed: number;
  warnings: number;
  skipped: number;
  /** Guests read from the Terraform files. */
  guests: number;
  durationMs: number;
  results: CheckResult[];
}

/** The cluster as the last sync stored it (empty lists when nothing was synced). */
export interface ClusterFacts {
  /** Whether a sync ever ran: without one, references and capacity cannot be checked. */
  synced: boolean;
  nodes: NodeRecord[];
  storage: StorageRecord[];
  guests: GuestRecord[];
}

/** The Terraform side, with the text of every file (for argument line numbers). */
export interface TerraformFiles extends ParsedWorkspace {
  /** Absolute path → text. */
  texts: Map<string, string>;
  /** How many .tf files were read. */
  fileCount: number;
}

/** Everything an offline check reads. */
export interface CheckInput {
  /** Workspace root: result files are made relative to it. */
  root: string;
  terraform: TerraformFiles;
  facts: ClusterFacts;
}

/** A spec with a shorter name for the checks. */
export type Guest = ParsedGuestSpec;

/** Collects the results of one check; adds a `passed` result when it found no failure. */
export class CheckRecorder {
  readonly results: CheckResult[] = [];

  constructor(
    readonly check: CheckName,
    private readonly root: string,
  ) {}

  private add(status: CheckStatus, message: string, file?: string, line?: number): void {
    this.results.push({ check: this.check, status, ...(file ? { file: this.relative(file) } : {}), ...(line ? { line } : {}), message });
  }

  /** A failure (exit code 1). */
  fail(message: string, file?: string, line?: number): void {
    this.add("failed", message, file, line);
  }

  /** Worth a look; does not fail the run. */
  warn(message: string, file?: string, line?: number): void {
    this.add("warning", message, file, line);
  }

  /** Not checked (a live spec offline, nothing synced). */
  skip(message: string, file?: string, line?: number): void {
    this.add("skipped", message, file, line);
  }

  /** A path relative to the workspace root, with `/` separators. */
  relative(file: string): string {
    const prefix = this.root.endsWith("/") ? this.root : `${this.root}/`;
    return (file.startsWith(prefix) ? file.slice(prefix.length) : file).split("\\").join("/");
  }

  /** `file:line` of a guest, relative, for messages that point at another place. */
  where(guest: { file: string; line: number }): string {
    return `${this.relative(guest.file)}:${guest.line}`;
  }

  /** The results, ending with one `passed` result (`summary`) unless something failed or was skipped. */
  done(summary: string): CheckResult[] {
    if (!this.results.some((r) => r.status === "failed" || r.status === "skipped")) this.results.push({ check: this.check, status: "passed", message: summary });
    return this.results;
  }
}

/** `1 guest`, `3 guests`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
