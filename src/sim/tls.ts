/**
 * A fresh self-signed certificate per start, like a new PVE node's
 * pve-ssl.pem: RSA 2048 (generated natively), signed with node-forge,
 * CN = the host, SAN IP 127.0.0.1 + DNS localhost (+ the host).
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";

/** Key, certificate and the SHA-256 fingerprint as PVE's GUI shows it. */
export interface SelfSignedCert {
  keyPem: string;
  certPem: string;
  /** Uppercase colon hex of SHA-256 over the DER. */
  fingerprint: string;
}

/** Create a key pair and a self-signed certificate valid for a year. */
export function createSelfSignedCert(host = "127.0.0.1"): SelfSignedCert {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive serial: clear the top bit of the first byte.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString("hex");
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now + 365 * 24 * 3600 * 1000);
  const attrs = [
    { name: "commonName", value: host },
    { name: "organizationName", value: "PVE Cluster Node" },
    { shortName: "OU", value: "proxmox-mpc simulator" },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const altNames: { type: number; ip?: string; value?: string }[] = [
    { type: 7, ip: "127.0.0.1" },
    { type: 2, value: "localhost" },
  ];
  if (host !== "127.0.0.1" && host !== "localhost") altNames.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return { keyPem: privateKey, certPem, fingerprint: new X509Certificate(certPem).fingerprint256 };
}
