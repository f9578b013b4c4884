/**
 * The connection flags shared by commands that talk to a server; services.ts
 * turns them (+ workspace + environment) into a client.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "../core/errors.js";
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


/** Read a CA bundle (PEM), or fail with a usage error that says what is wrong. */
export function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`Cannot read the CA file ${file}.`, "Give a PEM file, e.g. a copy of /etc/pve/pve-root-ca.pem from the server.");
  }
  if (!pem.includes("BEGIN CERTIFICATE")) throw new UsageError(`${file} is not a PEM certificate.`, "It must contain -----BEGIN CERTIFICATE-----.");
  return pem;
}
