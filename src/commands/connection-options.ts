/**
 * The connection flags shared by commands that talk to a server, and the one
 * place that turns flags (+ environment) into a client.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import type { ProxmoxClient } from "../proxmox/client.js";
import type { CommandContext, OptionSpec } from "./types.js";

export const CONNECTION_OPTIONS: readonly OptionSpec[] = [
  { flags: "--endpoint <url>", description: "Proxmox VE API endpoint, e.g. https://pve1:8006 (default: $PROXMOX_VE_ENDPOINT)" },
  { flags: "--fingerprint <sha256>", description: "trust the server certificate with this SHA-256 fingerprint (colon hex, as the GUI shows it)" },
  { flags: "--ca <file>", description: "trust server certificates signed by this CA (PEM file)" },
  { flags: "--insecure", description: "do not verify the server certificate (also $PROXMOX_VE_INSECURE=true); not recommended" },
  { flags: "--timeout <seconds>", description: "per-request timeout in seconds", type: "float" },
];

/** Connection flags as parsed by a face. */
export interface ConnectionFlags {
  endpoint?: string;
  fingerprint?: string;
  ca?: string;
  insecure?: boolean;
  timeout?: number;
}

/** Build a client from flags and PROXMOX_VE_* (lazy-loads the client). */
export async function clientFromFlags(ctx: CommandContext, flags: ConnectionFlags): Promise<ProxmoxClient> {
  const { ProxmoxClient } = await import("../proxmox/client.js");
  let caPem: string | undefined;
  if (flags.ca) {
    const file = resolve(ctx.cwd, flags.ca);
    try {
      caPem = await readFile(file, "utf8");
    } catch {
      throw new UsageError(`Cannot read the CA file ${file}.`, "Give a PEM file with --ca, e.g. /etc/pve/pve-root-ca.pem copied from the server.");
    }
    if (!caPem.includes("BEGIN CERTIFICATE")) throw new UsageError(`${file} is not a PEM certificate.`, "It must contain -----BEGIN CERTIFICATE-----.");
  }
  if (flags.timeout !== undefined && !(flags.timeout > 0)) throw new UsageError("--timeout must be a positive number of seconds.");
  const client = ProxmoxClient.fromInput(
    { endpoint: flags.endpoint, fingerprint: flags.fingerprint, caPem, caFile: flags.ca, insecure: flags.insecure },
    ctx.env,
    { log: ctx.log, timeoutMs: flags.timeout ? flags.timeout * 1000 : undefined, userAgent: `proxmox-mpc/${ctx.version}` },
  );
  if (client.settings.tls.mode === "insecure") {
    ctx.ui.warn("TLS certificate verification is off (--insecure): anyone between you and the server could read the API token.");
  }
  return client;
}
