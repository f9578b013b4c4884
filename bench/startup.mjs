#!/usr/bin/env node
// `npm run bench:startup`: time to `--version`, to `--help`, and to the first
// console prompt, each compared with `node -e 0` in the same run. Medians of
// several runs; prints figures, asserts nothing.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/proxmox-mpc.js", import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeSync(args, env = process.env) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const res = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "ignore"] });
    samples.push(performance.now() - t);
    if (res.status !== 0) throw new Error(`${args.join(" ")} exited ${res.status}`);
  }
  return median(samples);
}

/** Time until the console's prompt appears on a real terminal (util-linux `script` gives it a pty). */
async function timeToPrompt(cwd) {
  const samples = [];
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  // One at a time: concurrent consoles would measure the machine's contention.
  for (let i = 0; i < RUNS; i++) {
    samples.push(
      await new Promise((resolve, reject) => {
        const t = performance.now();
        const child = hasScript
          ? spawn("script", ["-qfec", `${process.execPath} ${bin}`, "/dev/null"], { cwd, env: { ...process.env, NO_COLOR: "1", TERM: "xterm" } })
          : spawn(process.execPath, [bin], { cwd, env: { ...process.env, NO_COLOR: "1" } });
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const plain = out.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
          if (/proxmox-mpc[^>\n]*> /.test(plain) || (!hasScript && out.length > 0)) {
            const ms = performance.now() - t;
            child.kill("SIGKILL");
            resolve(ms);
          }
        });
        child.on("error", reject);
        if (!hasScript) child.stdin.end();
      }),
    );
  }
  return median(samples);
}

const dir = mkdtempSync(join(tmpdir(), "mpc-bench-startup-"));
try {
  const node = timeSync(["-e", "0"]);
  const version = timeSync([bin, "--version"]);
  const help = timeSync([bin, "--help"]);
  const prompt = await timeToPrompt(dir);
  const wsDir = join(dir, "ws");
  mkdirSync(join(wsDir, ".proxmox-mpc"), { recursive: true });
  writeFileSync(join(wsDir, ".proxmox-mpc", "config.yaml"), "version: 1\nendpoint: https://pve1.example.com:8006\ntokenId: root@pam!mpc\ntls: {}\n");
  const wsPrompt = await timeToPrompt(wsDir);
  console.log(`\nStart-up times (median of ${RUNS} runs), ${new Date().toISOString()}`);
  console.table([
    { what: "node -e 0", ms: Math.round(node), "× node": "1.00" },
    { what: "proxmox-mpc --version", ms: Math.round(version), "× node": (version / node).toFixed(2) },
    { what: "proxmox-mpc --help", ms: Math.round(help), "× node": (help / node).toFixed(2) },
    { what: "console: first prompt (no workspace)", ms: Math.round(prompt), "× node": (prompt / node).toFixed(2) },
    { what: "console: first prompt (in a workspace)", ms: Math.round(wsPrompt), "× node": (wsPrompt / node).toFixed(2) },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
