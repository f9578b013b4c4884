/**
 * `sim`: run the Proxmox VE API simulator on loopback until Ctrl-C. The first
 * stdout line says where it listens, with the token (and the certificate
 * fingerprint with --tls), so scripts can read it. `--pve-version` picks the
 * PVE version it answers as; `root@pam` may also log in with a password
 * (`--password`, else a random one printed on stderr).
 */
import { ProxmoxMpcError, UsageError } from "../core/errors.js";
import type { Command, CommandContext, CommandInput, CommandResult } from "./types.js";

/** Options as the faces pass them (commander's camelCase keys). */
interface SimFlags {
  port?: number | string;
  host?: string;
  tls?: boolean;
  token?: string;
  seed?: string;
  size?: number | string;
  randomSeed?: number | string;
  latency?: number | string;
  faultRate?: number | string;
  taskDelay?: number | string;
  pveVersion?: string;
  password?: string;
}

function num(value: number | string | undefined, name: string, opts: { min: number; max?: number; int?: boolean }): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : Number(value);
  const range = opts.max === undefined ? `${opts.min} or more` : `between ${opts.min} and ${opts.max}`;
  if (!Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || n < opts.min || (opts.max !== undefined && n > opts.max)) {
    throw new UsageError(`${name} must be ${opts.int ? "a whole number " : "a number "}${range}, got "${value}".`);
  }
  return n;
}

async function run(ctx: CommandContext, input: CommandInput): Promise<CommandResult> {
  const flags = input.options as SimFlags;
  const port = num(flags.port ?? 8006, "--port", { min: 0, max: 65535, int: true });
  const faultRate = num(flags.faultRate, "--fault-rate", { min: 0, max: 1 });
  const size = num(flags.size, "--size", { min: 0, max: 200_000, int: true });
  const randomSeed = num(flags.randomSeed ?? 1, "--random-seed", { min: 0, int: true });
  const latencyMs = num(flags.latency, "--latency", { min: 0, int: true });
  const taskDelayMs = num(flags.taskDelay, "--task-delay", { min: 0, int: true });
  if (flags.seed !== undefined && flags.size !== undefined) throw new UsageError("Give either --seed or --size, not both.");

  const { startSimulator, parseToken, isPveVersion, PVE_VERSIONS } = await import("../sim/index.js");
  if (flags.token !== undefined && !parseToken(flags.token)) {
    throw new UsageError("--token must look like user@realm!tokenid=secret.", "Example: --token 'root@pam!mpc=s3cret'");
  }
  const pveVersion = flags.pveVersion;
  if (pveVersion !== undefined && !isPveVersion(pveVersion)) {
    throw new UsageError(`--pve-version must be one of ${PVE_VERSIONS.join(", ")}, got "${pveVersion}".`);
  }
  if (flags.password !== undefined && flags.password.length === 0) throw new UsageError("--password must not be empty.");
  let sim;
  try {
    sim = await startSimulator({
      host: flags.host ?? "127.0.0.1",
      port,
      tls: Boolean(flags.tls),
      token: flags.token,
      seed: flags.seed,
      size: flags.seed === undefined ? size ?? 12 : undefined,
      randomSeed,
      latencyMs,
      faultRate,
      taskDelayMs,
      pveVersion,
      password: flags.password,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new ProxmoxMpcError(`Cannot listen on ${flags.host ?? "127.0.0.1"}:${port} (${code}).`, {
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

export const simCommand: Command = {
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
  options: [
    { flags: "--port <port>", description: "TCP port (0 = any free port)", default: 8006, type: "int" },
    { flags: "--host <host>", description: "address to listen on", default: "127.0.0.1" },
    { flags: "--tls", description: "serve HTTPS with a fresh self-signed certificate (its fingerprint is printed)" },
    { flags: "--token <token>", description: "accepted API token, user@realm!tokenid=secret (default: root@pam!mpc=<random uuid>)" },
    { flags: "--seed <file>", description: "YAML file describing nodes, storage and guests" },
    { flags: "--size <n>", description: "number of guests of a generated cluster (default 12 without --seed)", type: "int" },
    { flags: "--random-seed <n>", description: "seed of the generator and of fault injection", default: 1, type: "int" },
    { flags: "--latency <ms>", description: "delay added to every response", type: "int" },
    { flags: "--fault-rate <f>", description: "fraction (0..1) of requests answered with a fault (5xx, 596, dropped connection)", type: "float" },
    { flags: "--task-delay <ms>", description: "how long tasks (start, clone, ...) run (default 50)", type: "int" },
    { flags: "--pve-version <version>", description: "Proxmox VE version to answer as: 8.4 or 9.1 (default 9.1, the newest)", choices: ["8.4", "9.1"] },
    { flags: "--password <password>", description: "password of root@pam for ticket login (default: random, printed on stderr)" },
  ],
  workspace: "none",
  record: false,
  run,
};
