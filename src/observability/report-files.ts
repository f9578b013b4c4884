/**
 * The workspace files a diagnostic bundle carries: the config and the IaC
 * (terraform/*.tf, ansible/ YAML and cfg, tests/ specs). Never the secrets
 * file, terraform state or variable files, keys, or anything else: the list
 * is what is taken, not what is left out.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Workspace } from "../core/workspace.js";

/** One file of the bundle: its path in the workspace and its text (maybe cut). */
export interface BundleFile {
  path: string;
  kind: "config" | "terraform" | "ansible" | "tests";
  bytes: number;
  truncated: boolean;
  content: string;
}

/** Most bytes kept of one file, and most files. */
export const MAX_FILE_BYTES = 64 * 1024;
export const MAX_FILES = 300;

const TAKEN: { kind: BundleFile["kind"]; dir: (ws: Workspace) => string; pattern: RegExp }[] = [
  { kind: "terraform", dir: (ws) => ws.paths.terraform, pattern: /\.tf$/ },
  { kind: "ansible", dir: (ws) => ws.paths.ansible, pattern: /\.(ya?ml|cfg)$/ },
  { kind: "tests", dir: (ws) => ws.paths.tests, pattern: /\.ya?ml$/ },
];

/** The config and IaC files of a workspace, sorted by path. */
export function collectFiles(ws: Workspace): BundleFile[] {
  const files: BundleFile[] = [];
  if (existsSync(ws.paths.config)) files.push(read(ws, ws.paths.config, "config"));
  for (const { kind, dir, pattern } of TAKEN) {
    for (const path of walk(dir(ws), 0).filter((p) => pattern.test(p)).sort()) {
      if (files.length >= MAX_FILES) return files;
      files.push(read(ws, path, kind));
    }
  }
  return files;
}

function read(ws: Workspace, path: string, kind: BundleFile["kind"]): BundleFile {
  const buffer = readFileSync(path);
  const truncated = buffer.length > MAX_FILE_BYTES;
  return { path: relative(ws.paths.root, path), kind, bytes: buffer.length, truncated, content: buffer.subarray(0, MAX_FILE_BYTES).toString("utf8") };
}

/** Files under `dir` (not following hidden folders such as .terraform). */
function walk(dir: string, depth: number): string[] {
  if (depth > 6 || !existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    if (entry.startsWith(".")) return [];
    const path = join(dir, entry);
    const stat = statSync(path);
    return stat.isDirectory() ? walk(path, depth + 1) : stat.isFile() ? [path] : [];
  });
}
