/**
 * A long-lived process (serve, the console, an MCP server) does not ask Vault
 * for the token secret on every request: a value read is used again for
 * PROXMOX_MPC_VAULT_CACHE_SECONDS (default 60; 0 asks every time) — but only
 * for the same Vault, namespace, token and reference: another token is asked
 * for itself (a wrong one is refused, never handed the remembered value).
 * Against the Vault stand-in (tests/helpers/vault-server.ts).
 */
import { readVaultSecret } from "../../src/core/vault.js";
import { startVaultServer, type RunningVault } from "../helpers/vault-server.js";

const TOKEN = "hvs.cache-test-token";
let vault: RunningVault;

beforeAll(async () => {
  vault = await startVaultServer({ token: TOKEN, secrets: { "kv/proxmox": { token: "secret-one" }, "kv/other": { token: "secret-two" } } });
});
afterAll(() => vault?.close());

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ VAULT_ADDR: vault.addr, VAULT_TOKEN: TOKEN, ...extra });
const reads = () => vault.requests.length;

test("a value read is used again for the same reference and token", async () => {
  const before = reads();
  expect(await readVaultSecret("vault://kv/proxmox#token", env(), "test")).toBe("secret-one");
  expect(await readVaultSecret("vault://kv/proxmox#token", env(), "test")).toBe("secret-one");
  expect(reads() - before).toBe(1);
  expect(await readVaultSecret("vault://kv/other#token", env(), "test")).toBe("secret-two");
  expect(reads() - before).toBe(2);
});

test("another token is asked for itself: a wrong one is refused, not given the remembered value", async () => {
  await readVaultSecret("vault://kv/proxmox#token", env(), "test");
  await expect(readVaultSecret("vault://kv/proxmox#token", env({ VAULT_TOKEN: "hvs.wrong" }), "test")).rejects.toThrow(/Vault refused VAULT_TOKEN/);
});

test("PROXMOX_MPC_VAULT_CACHE_SECONDS=0 asks Vault every time", async () => {
  const before = reads();
  await readVaultSecret("vault://kv/proxmox#token", env({ PROXMOX_MPC_VAULT_CACHE_SECONDS: "0" }), "test");
  await readVaultSecret("vault://kv/proxmox#token", env({ PROXMOX_MPC_VAULT_CACHE_SECONDS: "0" }), "test");
  expect(reads() - before).toBe(2);
});
