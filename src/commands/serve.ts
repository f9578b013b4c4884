/**
 * `serve`: the workspace as a REST API (docs/api.md). Like `mcp`, the command
 * only checks its options and returns a `serve` result; the shell face hands
 * it to the HTTP face (src/api/serve.ts) that the entry point loads.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";
import { isIP } from "node:net";
import { UsageError } from "../core/errors.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { isLoopback } from "./mcp.js";
import { defineOptions, number, text } from "./options.js";

export const serveCommand = defineCommand({
  name: "serve",
  summary: "Serve this workspace as a REST API (/api/v1, OpenAPI at /api/openapi.json, docs at /api/docs), MCP at /mcp, metrics at /metrics",
  description:
    "Every command of the registry over HTTP, behind bearer tokens with roles (viewer, operator, admin; see `token`). The first start creates an admin token and prints it once: the first line is `listening on URL token TOKEN` (later starts: `token (existing)`). Plain HTTP unless --cert and --key give a certificate and its key (PEM): then HTTPS. Leaving this host without either: put a TLS reverse proxy in front of it. See docs/api.md.",
  examples: ["proxmox-mpc serve", "proxmox-mpc serve --port 0", "proxmox-mpc serve --host 0.0.0.0 --port 8443 --cert /etc/ssl/mpc.crt --key /etc/ssl/mpc.key"],
  options: defineOptions({
    host: text("--host <address>", "address to listen on", { default: "127.0.0.1" }),
    port: number("--port <port>", "port to listen on (0: a free one)", { int: true, min: 0, max: 65535, default: 8080 }),
    cert: text("--cert <file>", "serve HTTPS with this certificate (PEM, the chain after it; with --key)"),
    key: text("--key <file>", "the certificate's private key (PEM, unencrypted)"),
    trustProxy: text("--trust-proxy <addresses>", "behind a reverse proxy: its addresses or networks (comma-separated, e.g. 127.0.0.1,10.0.0.0/8); the client's address is then read from X-Forwarded-For (audit, rate limits)"),
  }),
  workspace: "required",
  mcp: { tool: false, why: "is the REST API server itself" },
  record: false,
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    if (ctx.actor === "console") throw new UsageError("The API server runs in its own process: run it from a shell: proxmox-mpc serve");
    const { host, port } = input.options;
    const tls = checkTls(ctx.cwd, input.options.cert, input.options.key);
    if (!tls && !isLoopback(host)) {
      ctx.ui.warn(`Listening on ${host}: plain HTTP carries tokens in clear text. Put a TLS reverse proxy in front of it (docs/api.md).`);
    }
    const trustProxy = input.options.trustProxy === undefined ? undefined : proxyAddresses(input.options.trustProxy);
    return { kind: "serve", face: "api", cwd: ctx.cwd, root: ws.paths.root, options: { transport: "http", host, port, allowWrite: true, tls, trustProxy } };
  },
});

/** --trust-proxy: addresses and networks (a.b.c.d, a.b.c.d/n, IPv6 and IPv6/n), each checked. */
function proxyAddresses(text: string): string[] {
  const items = text.split(",").map((a) => a.trim()).filter(Boolean);
  if (!items.length) throw new UsageError("--trust-proxy needs the reverse proxy's address or network, e.g. 127.0.0.1 or 10.0.0.0/8.");
  for (const item of items) {
    const [address, bits, extra] = item.split("/");
    const family = isIP(address);
    const prefix = bits === undefined ? undefined : Number(bits);
    if (!family || extra !== undefined || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 4 ? 32 : 128)) )) {
      throw new UsageError(`--trust-proxy: "${item}" is not an address or a network.`, "Give the proxy's addresses or networks, comma-separated: 127.0.0.1,10.0.0.0/8.");
    }
  }
  return items;
}

/** The absolute paths of --cert and --key once both read as PEM and the key is the certificate's; undefined without them. */
function checkTls(cwd: string, cert: string | undefined, key: string | undefined): { cert: string; key: string } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new UsageError(`--${cert === undefined ? "key" : "cert"} needs --${cert === undefined ? "cert" : "key"}: HTTPS takes a certificate and its private key.`, "Give both (PEM files), or neither for plain HTTP.");
  const files = { cert: resolve(cwd, cert), key: resolve(cwd, key) };
  const certPem = readPem(files.cert, "certificate");
  const keyPem = readPem(files.key, "key");
  try {
    new X509Certificate(certPem);
  } catch {
    throw new UsageError(`${files.cert} is not a PEM certificate.`, "--cert takes the certificate (-----BEGIN CERTIFICATE-----), the chain after it.", "bad-certificate");
  }
  try {
    createPrivateKey(keyPem);
  } catch {
    throw new UsageError(`${files.key} is not a readable PEM private key.`, "--key takes the unencrypted private key (-----BEGIN PRIVATE KEY-----); decrypt one with `openssl pkey -in KEY -out KEY.plain`.", "bad-key");
  }
  try {
    createSecureContext({ cert: certPem, key: keyPem });
  } catch {
    throw new UsageError(`The key ${files.key} does not belong to the certificate ${files.cert}.`, "Give the private key the certificate was made for.", "key-mismatch");
  }
  return files;
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a folder" : (err as Error).message;
    throw new UsageError(`Cannot read the ${what} ${file}: ${why}.`, `Give the path of the ${what}'s PEM file, readable by this user.`, `unreadable-${what}`);
  }
}
