/**
 * The connection flags shared by commands that talk to a server; services.ts
 * turns them (+ workspace + environment) into a client.
 */
import type { OptionSpec } from "./types.js";

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

