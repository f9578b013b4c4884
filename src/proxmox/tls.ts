/**
 * TLS trust for Proxmox VE's usual self-signed certificates. The agent checks
 * the server before any byte of the request (and so the token) is sent:
 * createConnection hands the socket to the HTTP layer only after our check.
 *  - verify:      system CAs and host name (default)
 *  - ca:          the given CA bundle and host name
 *  - fingerprint: the leaf certificate's SHA-256 must match (host name and chain ignored, like the GUI's pinning)
 *  - insecure:    anything (with a warning from the caller)
 */
import https from "node:https";
import tls from "node:tls";
import type { Duplex } from "node:stream";
import { TlsError } from "./errors.js";
import type { TlsTrust } from "./connection.js";

/** Error codes that mean "the certificate is not trusted" rather than "the connection failed". */
const UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "HOSTNAME_MISMATCH",
]);

type ConnectCallback = (err: Error | null, socket: Duplex) => void;

/** An https.Agent that enforces a {@link TlsTrust} before the request is written. */
export class TrustingAgent extends https.Agent {
  constructor(
    private readonly trust: TlsTrust,
    options: https.AgentOptions = {},
  ) {
    super({ keepAlive: true, ...options });
  }

  override createConnection(requestOptions: https.RequestOptions, callback?: ConnectCallback): Duplex | undefined {
    const options = requestOptions as tls.ConnectionOptions;
    const connectOptions: tls.ConnectionOptions = {
      ...options,
      rejectUnauthorized: false,
      ca: this.trust.mode === "ca" ? this.trust.caPem : options.ca,
      servername: options.servername ?? (isIp(options.host) ? undefined : options.host),
    };
    const socket = tls.connect(connectOptions);
    const onError = (err: Error): void => {
      socket.removeListener("secureConnect", onSecure);
      callback?.(err, socket);
    };
    const onSecure = (): void => {
      socket.removeListener("error", onError);
      const problem = checkTrust(this.trust, socket, String(options.host ?? options.servername ?? ""));
      if (problem) {
        socket.destroy();
        callback?.(problem, socket);
        return;
      }
      callback?.(null, socket);
    };
    socket.once("error", onError);
    socket.once("secureConnect", onSecure);
    return undefined;
  }
}

function isIp(host: string | undefined): boolean {
  return !!host && (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(":"));
}

/** The SHA-256 fingerprint of the peer's leaf certificate, uppercase colon hex. */
export function peerFingerprint(socket: tls.TLSSocket): string | undefined {
  const cert = socket.getPeerCertificate();
  return cert && cert.fingerprint256 ? cert.fingerprint256.toUpperCase() : undefined;
}

function checkTrust(trust: TlsTrust, socket: tls.TLSSocket, host: string): TlsError | undefined {
  const fp = peerFingerprint(socket);
  if (trust.mode === "insecure") return undefined;
  if (trust.mode === "fingerprint") {
    if (fp === trust.fingerprint) return undefined;
    return new TlsError(
      `The server's certificate fingerprint ${fp ?? "(none)"} does not match the pinned fingerprint ${trust.fingerprint}.`,
      {
        code: "tls-fingerprint-mismatch",
        hint: "If the server's certificate was renewed on purpose, check the new fingerprint in the Proxmox GUI and pass it with --fingerprint; otherwise someone may be intercepting the connection.",
      },
      fp,
    );
  }
  let reason: string | undefined;
  if (!socket.authorized) reason = String(socket.authorizationError ?? "untrusted certificate");
  else {
    const cert = socket.getPeerCertificate();
    const mismatch = tls.checkServerIdentity(host, cert);
    if (mismatch) reason = mismatch.message;
  }
  if (!reason) return undefined;
  const code = reason.split(/[:\s]/)[0];
  const what = UNTRUSTED.has(code) || /self[- ]signed|issuer|altname|Hostname/i.test(reason) ? "is not trusted" : "was rejected";
  const how =
    trust.mode === "ca"
      ? `Check that ${trust.caFile ?? "the CA file"} signed this server's certificate, or pin it with --fingerprint ${fp}.`
      : `If this is your Proxmox server (self-signed certificates are the default), pin it with --fingerprint ${fp}, or trust its CA with --ca FILE (--insecure also works, but skips the check).`;
  return new TlsError(`The server's certificate ${what} (${reason}). Its SHA-256 fingerprint is ${fp ?? "unknown"}.`, { code: "tls-untrusted", hint: how }, fp);
}
