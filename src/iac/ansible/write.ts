/**
 * writeAnsible: put generated files on disk without disturbing anything
 * else. A generated file is written only when its content differs (so an
 * unchanged file keeps its mtime); a stub only when it does not exist (so
 * user edits survive); files that were not generated (a user's own
 * playbooks, group_vars/ …) are never touched. Each write goes to a
 * temporary file first and is renamed into place, so a crash never leaves a
 * half-written inventory.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { compareText } from "./names.js";
import type { GeneratedFile, WriteResult } from "./types.js";

/** The absolute target of a relative generated path; refuses paths that leave `dir`. */
function targetOf(dir: string, path: string): string {
  const rel = normalize(path);
  if (!path || isAbsolute(path) || rel === ".." || rel.startsWith(`..${sep}`)) {
    throw new Error(`Refusing to write "${path}": generated paths must stay inside ${dir}.`);
  }
  return join(dir, rel);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function writeAtomic(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, content, { mode: 0o644 });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Write `files` under `dir` (the workspace's ansible/ folder, created if
 * needed). Returns the relative paths written and left unchanged, sorted.
 */
export async function writeAnsible(dir: string, files: readonly GeneratedFile[]): Promise<WriteResult> {
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const target = targetOf(dir, file.path);
    const current = await readIfExists(target);
    const keep = current !== undefined && (file.kind === "stub" || current === file.content);
    if (keep) {
      unchanged.push(file.path);
      continue;
    }
    await writeAtomic(target, file.content);
    written.push(file.path);
  }
  return { written: written.sort(compareText), unchanged: unchanged.sort(compareText) };
}
