/**
 * The connection flags shared by commands that talk to a server; services.ts
 * turns them (+ workspace + environment) into a client.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "../core/errors.js";
import { defineOptions, flag, number, text, type OptionsOf } from "./options.js";

/** The declarations of the connection flags (test-connection's options). */
export const CONNECTION_OPTIONS = defineOptions({
  endpoint: text("--endpoint <url>", "Proxmox VE API endpoint, e.g. https://pve1:8006 (default: $PROXMOX_VE_ENDPOINT)"),
  fingerprint: text("--fingerprint <sha256>", "trust the server certificate with this SHA-256 fingerprint (colon hex, as the GUI shows it)"),
  ca: text("--ca <file>", "trust server certificates signed by this CA (PEM file)"),
  insecure: flag("--insecure", "do not verify the server certificate (also $PROXMOX_VE_INSECURE=true); not recommended"),
  timeout: number("--timeout <seconds>", "per-request timeout in seconds"),
});

/** Connection flags as a command got them (a flag not given is absent: the workspace or environment decides). */
export type ConnectionFlags = Partial<OptionsOf<typeof CONNECTION_OPTIONS>>;


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
