/**
 * Line numbers hcl2json does not give: where an argument sits inside a
 * resource block. A plain scan of the text, good for the layouts people and
 * `terraform fmt` write (one argument or block opening per line).
 */

/** One step of an argument path: a name, and which block of that name (0-based). */
interface Step {
  name: string;
  index: number;
}

const STEP = /^([\w-]+)(?:\[(\d+)\])?$/;

function steps(path: string): Step[] {
  return path.split(".").map((part) => {
    const m = STEP.exec(part);
    return { name: m?.[1] ?? part, index: m?.[2] ? Number(m[2]) : 0 };
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The 1-based line of `path` ("node_name", "cpu.cores", "disk[1].datastore_id")
 * inside the resource that starts at `resourceLine`; the resource's own line
 * when it cannot be found.
 */
export function argumentLine(text: string | undefined, resourceLine: number, path: string): number {
  if (!text) return resourceLine;
  const lines = text.split("\n");
  let from = resourceLine; // 0-based index of the line after the resource's opening line
  let depth = 1;
  const list = steps(path);
  for (let s = 0; s < list.length; s++) {
    const { name, index } = list[s];
    const last = s === list.length - 1;
    const pattern = new RegExp(`^\\s*"?${escape(name)}"?\\s*(=|\\{)`);
    let seen = 0;
    let found = -1;
    let level = depth;
    for (let i = from; i < lines.length; i++) {
      const line = stripComment(lines[i]);
      if (level === depth && pattern.test(line)) {
        if (seen === index && (last || /\{\s*$/.test(line))) {
          found = i;
          break;
        }
        seen++;
      }
      level += count(line, "{") - count(line, "}");
      if (level < depth) break;
    }
    if (found < 0) return s === 0 ? resourceLine : from;
    from = found + 1;
    depth += 1;
  }
  return from;
}

function stripComment(line: string): string {
  const hash = line.search(/(^|\s)(#|\/\/)/);
  return hash >= 0 && !/"[^"]*(#|\/\/)[^"]*"/.test(line) ? line.slice(0, hash) : line;
}

function count(line: string, ch: string): number {
  let n = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && line[i - 1] !== "\\") quoted = !quoted;
    else if (!quoted && c === ch) n++;
  }
  return n;
}
