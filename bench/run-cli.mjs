#!/usr/bin/env node
// Runs one proxmox-mpc command in this process (from dist/) and prints, on the
// last line of stderr, `BENCH {"code":…,"ms":…,"maxRssMiB":…}` for the benchmarks.
import { runCli } from "../dist/cli/main.js";

const started = performance.now();
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTTY: false,
});
const ms = performance.now() - started;
process.stderr.write(`\nBENCH ${JSON.stringify({ code, ms: Math.round(ms), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
process.exitCode = code;
