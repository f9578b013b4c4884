import { normalizeEndpoint, normalizeFingerprint, parseApiToken, resolveConnection } from "../../src/proxmox/connection.js";
import { UsageError } from "../../src/core/errors.js";

describe("normalizeEndpoint", () => {
  it.each([
    ["https://pve1:8006", "https://pve1:8006"],
    ["pve1:8006", "https://pve1:8006"],
    ["pve1", "https://pve1:8006"],
    ["https://pve1:8006/api2/json", "https://pve1:8006"],
    ["https://pve1:8006/api2/json/", "https://pve1:8006"],
    ["10.0.0.5", "https://10.0.0.5:8006"],
    ["http://127.0.0.1:1234", "http://127.0.0.1:1234"],
    ["https://proxy.example.com/pve/api2/json", "https://proxy.example.com/pve"],
    ["[::1]:8006", "https://[::1]:8006"],
  ])("%s -> %s", (input, expected) => {
    expect(normalizeEndpoint(input)).toBe(expected);
  });

  it("rejects garbage with a usage error", () => {
    expect(() => normalizeEndpoint("")).toThrow(UsageError);
    expect(() => normalizeEndpoint("ftp://pve1")).toThrow(/Unsupported scheme/);
  });
});

describe("parseApiToken", () => {
  it("splits user, realm, token id and secret", () => {
    const t = parseApiToken("root@pam!mpc=0b1d5b4e-0000-4000-8000-000000000001");
    expect(t).toEqual({ id: "root@pam!mpc", user: "root@pam" });
    expect(t.secret).toBe("0b1d5b4e-0000-4000-8000-000000000001");
    expect(JSON.stringify(t)).not.toContain("0b1d5b4e");
  });

  it("accepts the header form PVEAPIToken=…", () => {
    expect(parseApiToken("PVEAPIToken=ops@pve!ci=s3cr3t-value").id).toBe("ops@pve!ci");
  });

  it.each(["root@pam", "root@pam!mpc", "rootpam!mpc=x1234", "root@pam!=abcd"])("rejects %s without echoing it", (bad) => {
    let error: unknown;
    try {
      parseApiToken(`${bad}`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).not.toContain("x1234");
  });
});

describe("normalizeFingerprint", () => {
  const hex = "ab".repeat(32);
  it("accepts plain, colon and lower-case hex", () => {
    const expected = "AB:".repeat(31) + "AB";
    expect(normalizeFingerprint(hex)).toBe(expected);
    expect(normalizeFingerprint(expected.toLowerCase())).toBe(expected);
    expect(normalizeFingerprint(`sha256:${hex}`)).toBe(expected);
  });
  it("rejects a SHA-1 fingerprint", () => {
    expect(() => normalizeFingerprint("AB:".repeat(19) + "AB")).toThrow(/not a SHA-256 fingerprint/);
  });
});

describe("resolveConnection", () => {
  const env = { PROXMOX_VE_ENDPOINT: "pve1", PROXMOX_VE_API_TOKEN: "root@pam!mpc=secret-1" };

  it("reads the bpg provider's environment variables", () => {
    const s = resolveConnection({}, env);
    expect(s.baseUrl).toBe("https://pve1:8006");
    expect(s.token.id).toBe("root@pam!mpc");
    expect(s.tls).toEqual({ mode: "verify" });
  });

  it("PROXMOX_VE_INSECURE=true turns verification off; flags win over it", () => {
    expect(resolveConnection({}, { ...env, PROXMOX_VE_INSECURE: "true" }).tls.mode).toBe("insecure");
    expect(resolveConnection({ fingerprint: "ab".repeat(32) }, { ...env, PROXMOX_VE_INSECURE: "true" }).tls.mode).toBe("fingerprint");
  });

  it("explicit options win over the environment", () => {
    expect(resolveConnection({ endpoint: "https://other:8006" }, env).baseUrl).toBe("https://other:8006");
  });

  it("says what is missing", () => {
    expect(() => resolveConnection({}, {})).toThrow(/No Proxmox VE endpoint/);
    expect(() => resolveConnection({}, { PROXMOX_VE_ENDPOINT: "pve1" })).toThrow(/No API token/);
    expect(() => resolveConnection({ insecure: true, fingerprint: "ab".repeat(32) }, env)).toThrow(/only one of/);
  });
});
