/**
 * The texts proxmox-mpc writes verbatim into a workspace (ansible.cfg and the
 * playbook stubs, provider.tf, .gitignore, the example test spec) are plain
 * files in the package's `templates/` folder, where they can be read and
 * reviewed as what they are. This module finds that folder next to the
 * running code and reads a template once per process.
 *
 * Nothing is read at import: a template is read only where a generator needs
 * it, so start-up (`--version`, `--help`, the console's first prompt) never
 * touches templates/.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ProxmoxMpcError } from "./errors.js";

const cache = new Map<string, string>();

const PLACEHOLDER = /\{\{([A-Z][A-Z0-9_]*)\}\}/g;

const REINSTALL = "Reinstall proxmox-mpc (npm install -g proxmox-mpc): its package is incomplete, templates/ ships with it.";

/**
 * The package's `templates/` folder. This module runs from `dist/core/`
 * (installed) or `src/core/` (ts-jest): both are two levels below the
 * package root, which holds `templates/`. A fixed path, not a walk up the
 * tree, so a broken install never picks up some other `templates/` folder.
 */
export function templatesDir(): string {
  return fileURLToPath(new URL("../../templates", import.meta.url));
}

/**
 * The text of `templates/<name>` (`/`-separated, e.g. `ansible/ansible.cfg`),
 * read on first use and cached. CRLF becomes LF, so a Windows checkout
 * generates the same bytes. Throws a ProxmoxMpcError with code
 * `templates-missing` when the folder or the file is not there.
 */
export function readTemplate(name: string): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const dir = templatesDir();
  const file = join(dir, ...name.split("/"));
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    const what = existsSync(dir) ? `The template ${name} of proxmox-mpc is missing (${file}).` : `The templates of proxmox-mpc are missing: ${dir} does not exist.`;
    throw new ProxmoxMpcError(what, { code: "templates-missing", hint: REINSTALL, cause: err });
  }
  text = text.replace(/\r\n/g, "\n");
  cache.set(name, text);
  return text;
}

/**
 * Replace every `{{NAME}}` in a template's text by `values[NAME]`. A
 * placeholder without a value is a bug in proxmox-mpc and throws rather than
 * writing a half-filled file.
 */
export function fillTemplate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (_whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new ProxmoxMpcError(`A template of proxmox-mpc has the placeholder {{${key}}} and no value for it.`, { code: "template-placeholder", hint: "This is a bug in proxmox-mpc: please report it." });
    return value;
  });
}
