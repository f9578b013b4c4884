#!/usr/bin/env node
// `npm start`: the first thing a new user runs. Starts the built-in Proxmox VE
// simulator (HTTPS, self-signed, 500 guests) and runs `test-connection` against
// it with the fingerprint pinned, exactly as you would against a real server.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/proxmox-mpc.js", import.meta.url));
const sim = spawn(process.execPath, [bin, "sim", "--tls", "--size", "500", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const stop = () => sim.kill("SIGINT");
process.on("SIGINT", stop);

const first = await new Promise((resolve, reject) => {
  const lines = createInterface({ input: sim.stdout });
  lines.once("line", resolve);
  sim.once("exit", (code) => reject(new Error(`the simulator exited (${code}) before it was ready`)));
});
const match = /^listening on (\S+) token (\S+) fingerprint (\S+)$/.exec(first);
if (!match) {
  stop();
  throw new Error(`unexpected first line from the simulator: ${first}`);
}
const [, url, token, fingerprint] = match;
process.stderr.write(`Simulator (500 guests) at ${url}\n\n$ PROXMOX_VE_ENDPOINT=${url} PROXMOX_VE_API_TOKEN=… proxmox-mpc test-connection --fingerprint ${fingerprint}\n`);
const check = spawn(process.execPath, [bin, "test-connection", "--fingerprint", fingerprint], {
  stdio: "inherit",
  env: { ...process.env, PROXMOX_VE_ENDPOINT: url, PROXMOX_VE_API_TOKEN: token },
});
const code = await new Promise((resolve) => check.once("exit", resolve));
stop();
process.exitCode = code ?? 1;
