/**
 * The workspace's IaC files as resources: terraform/*.tf and the text files
 * of ansible/**, read from the workspace folder as they are on disk. Only a
 * listed file can be read: no path outside those folders (`..`, absolute,
 * encoded), no dot-file, no symbolic link, nothing that is not IaC text (a
 * private key in ansible/ stays out).
 */
import { lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { extname, join, sep } from "node:path";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { redactString } from "../core/redact.js";
import type { WorkspacePaths } from "../core/workspace.js";

/** Extensions of the text files of ansible/ that are served (a key file has none). */
const ANSIBLE_TEXT = new Set([".yml", ".yaml", ".cfg", ".ini", ".j2", ".json", ".md", ".txt"]);
/** Bounds of the walk through ansible/ (roles and collections can be large) and of a file read. */
const MAX_FILES = 2000;
const MAX_DEPTH = 8;
const MAX_BYTES = 1024 * 1024;

/** One IaC file, by its path relative to the workspace root (always `/`-separated). */
export interface IacFile {
  path: string;
  mimeType: string;
  text: string;
}

/** The IaC files of a workspace, relative to its root, sorted: terraform/*.tf, then ansible/**. */
export function listIacFiles(paths: WorkspacePaths): string[] {
  const terraform = inside(paths.root, paths.terraform) ? regularFiles(paths.terraform, (name) => name.endsWith(".tf"), 0) : [];
  const ansible = inside(paths.root, paths.ansible) ? regularFiles(paths.ansible, (name) => ANSIBLE_TEXT.has(extname(name)), MAX_DEPTH) : [];
  return [...terraform.map((f) => `terraform/${f}`).sort(), ...ansible.map((f) => `ansible/${f}`).sort()];
}

/** Read one listed IaC file; anything else (traversal, unknown, too large) is refused as invalid params. */
export function readIacFile(paths: WorkspacePaths, requested: string): IacFile {
  let path: string;
  try {
    path = decodeURIComponent(requested);
  } catch {
    throw refused(requested, "it is not a valid path");
  }
  const segments = path.split("/");
  if (path.includes("\\") || path.includes("\0") || segments.some((s) => s === "" || s === "." || s === ".." || s.startsWith("."))) {
    throw refused(path, "only files inside terraform/ and ansible/ of the workspace can be read");
  }
  if (!listIacFiles(paths).includes(path)) throw refused(path, "no such IaC file in the workspace (see the resources proxmox-mpc://iac/…)");
  const file = join(paths.root, ...segments);
  if (lstatSync(file).size > MAX_BYTES) throw refused(path, `it is larger than ${MAX_BYTES / 1024} KiB`);
  return { path, mimeType: mimeTypeOf(path), text: redactString(readFileSync(file, "utf8")) };
}

/** text/x-hcl for Terraform, text/yaml for YAML, else text/plain. */
export function mimeTypeOf(path: string): string {
  const ext = extname(path);
  if (ext === ".tf") return "text/x-hcl";
  if (ext === ".yml" || ext === ".yaml") return "text/yaml";
  if (ext === ".json") return "application/json";
  return "text/plain";
}

function refused(path: string, why: string): McpError {
  return new McpError(ErrorCode.InvalidParams, `Cannot read IaC file "${path}": ${why}.`);
}

/** Whether `dir` exists and, symbolic links resolved, lies inside `root`. */
function inside(root: string, dir: string): boolean {
  try {
    return realpathSync(dir).startsWith(realpathSync(root) + sep);
  } catch {
    return false;
  }
}

/** Regular files (no links, no dot-files) below `dir` whose names pass `keep`, relative and `/`-joined, down to `depth` folders. */
function regularFiles(dir: string, keep: (name: string) => boolean, depth: number, prefix = "", found: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (found.length >= MAX_FILES || entry.name.startsWith(".")) continue;
    if (entry.isFile() && keep(entry.name)) found.push(`${prefix}${entry.name}`);
    else if (entry.isDirectory() && depth > 0) regularFiles(join(dir, entry.name), keep, depth - 1, `${prefix}${entry.name}/`, found);
  }
  return found;
}
