/**
 * A unified-style line diff (like `diff -u`), to show a user how a file they
 * edited differs from what proxmox-mpc would generate.
 */

type Op = { op: " " | "-" | "+"; line: string };

/** The edit script between two line arrays (longest common subsequence). */
function editScript(a: string[], b: string[]): Op[] {
  // Trim the common head and tail first: hand edits are usually small.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: Op[] = a.slice(0, head).map((line) => ({ op: " ", line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ op: " ", line: am[i] });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ op: "-", line: am[i++] });
    else ops.push({ op: "+", line: bm[j++] });
  }
  for (const line of a.slice(a.length - tail)) ops.push({ op: " ", line });
  return ops;
}

/**
 * `--- from` / `+++ to` and `@@ -l,n +l,n @@` hunks with `context` lines
 * around each change; "" when the texts are equal.
 */
export function unifiedDiff(from: string, to: string, fromLabel: string, toLabel: string, context = 3): string {
  if (from === to) return "";
  const ops = editScript(from.split("\n"), to.split("\n"));
  const changed = ops.map((o, k) => (o.op !== " " ? k : -1)).filter((k) => k >= 0);
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = Math.min(ops.length, changed[k] + context + 1);
    while (k + 1 < changed.length && changed[k + 1] - context <= end) {
      k++;
      end = Math.min(ops.length, changed[k] + context + 1);
    }
    let aLine = 1;
    let bLine = 1;
    for (let x = 0; x < start; x++) {
      if (ops[x].op !== "+") aLine++;
      if (ops[x].op !== "-") bLine++;
    }
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.op !== "+").length;
    const bCount = hunk.filter((o) => o.op !== "-").length;
    out.push(`@@ -${aLine},${aCount} +${bLine},${bCount} @@`);
    for (const o of hunk) out.push(`${o.op}${o.line}`);
    k++;
  }
  return out.join("\n") + "\n";
}
