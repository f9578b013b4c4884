/**
 * `sim`: run the Proxmox VE API simulator on loopback until Ctrl-C. The first
 * stdout line says where it listens, with the token (and the certificate
 * fingerprint with --tls), so scripts can read it. `--pve-version` picks the
 * PVE version it answers as; `root@pam` may also log in with a password
 * (`--password`, else a random one printed on stderr).
 */
import { ProxmoxMpcError, UsageError } from "../core/errors.js";
import { defineCommand, type ParsedInput } from "./define.js";
import { choice, defineOptions, flag, number, text, type OptionsOf } from "./options.js";
import type { CommandContext, CommandResult } from "./types.js";

const SIM_OPTIONS = defineOptions({
  port: number("--port <port>", "TCP port (0 = any free port)", { int: true, min: 0, max: 65535, default: 8006 }),
  host: text("--host <host>", "address to listen on", { default: "127.0.0.1" }),
  tls: flag("--tls", "serve HTTPS with a fresh self-signed certificate (its fingerprint is printed)"),
  token: text("--token <token>", "accepted API token, user@realm!tokenid=secret (default: root@pam!mpc=<random uuid>)"),
  seed: text("--seed <file>", "YAML file describing nodes, storage and guests"),
  size: number("--size <n>", "number of guests of a generated cluster (default 12 without --seed)", { int: true, min: 0, max: 200_000 }),
  randomSeed: number("--random-seed <n>", "seed of the generator and of fault injection", { int: true, min: 0, default: 1 }),
  latency: number("--latency <ms>", "delay added to every response", { int: true, min: 0 }),
  faultRate: number("--fault-rate <f>", "fraction (0..1) of requests answered with a fault (5xx, 596, dropped connection)", { min: 0, max: 1 }),
  taskDelay: number("--task-delay <ms>", "how long tasks (start, clone, ...) run (default 50)", { int: true, min: 0 }),
  pveVersion: choice("--pve-version <version>", "Proxmox VE version to answer as: 8.4 or 9.1 (default 9.1, the newest)", ["8.4", "9.1"]),
  password: text("--password <password>", "password of root@pam for ticket login (default: random, printed on stderr)"),
});

async function run(ctx: CommandContext, input: ParsedInput<OptionsOf<typeof SIM_OPTIONS>>): Promise<CommandResult> {
  const flags = input.options;
  const { port, faultRate, size, randomSeed, taskDelay: taskDelayMs, latency: latencyMs } = flags;
  if (flags.seed !== undefined && flags.size !== undefined) throw new UsageError("Give either --seed or --size, not both.");

  const { startSimulator, parseToken } = await import("../sim/index.js");
  if (flags.token !== undefined && !parseToken(flags.token)) {
    throw new UsageError("--token must look like user@realm!tokenid=secret.", "Example: --token 'root@pam!mpc=s3cret'");
  }
  if (flags.password !== undefined && flags.password.length === 0) throw new UsageError("--password must not be empty.");
  let sim;
  try {
    sim = await startSimulator({
      host: flags.host,
      port,
      tls: Boolean(flags.tls),
      token: flags.token,
      seed: flags.seed,
      size: flags.seed === undefined ? size ?? 12 : undefined,
      randomSeed,
      latencyMs,
      faultRate,
      taskDelayMs,
      pveVersion: flags.pveVersion,
      password: flags.password,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new ProxmoxMpcError(`Cannot listen on ${flags.host}:${port} (${code}).`, {
        code: "sim-listen",
        hint: "Pick another port with --port, or --port 0 for any free one.",
        cause: err,
      });
    }
    throw err;
  }
  ctx.ui.emit(`listening on ${sim.url} token ${sim.token}${sim.fingerprint ? ` fingerprint ${sim.fingerprint}` : ""}`);
  const guests = sim.cluster.guests().length;
  ctx.ui.info(`Simulating cluster '${sim.cluster.name}' (Proxmox VE ${sim.cluster.version.version}): ${sim.cluster.nodes.size} nodes, ${guests} guests. Press Ctrl-C to stop.`);
  ctx.ui.info(`Password login: ${sim.user}, ${flags.password === undefined ? `password ${sim.password}` : "the --password given"}.`);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await sim.close();
  ctx.ui.info(`Simulator stopped after ${sim.stats().requests} requests.`);
  return { kind: "none" };
}

export const simCommand = defineCommand({
  name: "sim",
  summary: "Run a Proxmox VE API simulator on loopback",
  description:
    "Serves the Proxmox VE API endpoints proxmox-mpc uses, with the shapes, errors and tasks of a real PVE 8.4 or 9.1 server " +
    "(--pve-version), from a generated cluster (--size) or a YAML seed (--seed). The first line on stdout is " +
    "'listening on URL token TOKEN [fingerprint FP]'. Besides the API token, root@pam may log in with a password " +
    "(POST /access/ticket): --password, else a random one printed on stderr. See docs/simulator.md.",
  examples: [
    "proxmox-mpc sim",
    "proxmox-mpc sim --tls --port 0 --size 200",
    "proxmox-mpc sim --seed tests/fixtures/seeds/small.yaml --token 'root@pam!mpc=secret'",
    "proxmox-mpc sim --latency 20 --fault-rate 0.05 --task-delay 500",
    "proxmox-mpc sim --pve-version 8.4 --password 's3cret'",
  ],
  options: SIM_OPTIONS,
  workspace: "none",
  mcp: { tool: false, why: "runs a simulated Proxmox server in the foreground until stopped" },
  record: false,
  run,
});
