/**
 * API tokens in the store (src/state/token-repository.ts), on SQLite and
 * PostgreSQL, through the full (Prisma) store and the read store: a token
 * made by one verifies in the other, the secret is never stored (only its
 * scrypt hash), expiry and revocation end it, and both stores list the same.
 */
import { openStore, type Store } from "../../src/state/index.js";
import { storeCases } from "../state/harness.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

describe.each(cases)("API tokens on $name", (c) => {
  let full: Store;
  let read: Store;
  beforeAll(async () => {
    const url = c.newUrl();
    full = await openStore({ url });
    read = await openStore({ url, readOnly: true });
  });
  afterAll(async () => {
    await read?.close();
    await full?.close();
  });

  test("made in one store, verified, listed, expired and revoked the same in both", async () => {
    const now = new Date(Date.UTC(2026, 10, 1, 12));
    const made = await full.tokens.create("ci", "operator", { now });
    expect(made.token).toMatch(/^pmpc_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{32}$/);
    const secret = made.token.split("_").slice(2).join("_");
    const rows = (await full.prisma.apiToken.findMany()) as Array<Record<string, unknown>>;
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(String(rows[0].hash)).toMatch(/^scrypt\$/);

    const viaRead = await read.tokens.create("viewer-1", "viewer", { now, expiresAt: new Date(now.getTime() + 3600_000) });
    expect((await full.tokens.verify(viaRead.token, now))?.role).toBe("viewer");
    expect((await read.tokens.verify(made.token, now))?.name).toBe("ci");
    expect(await read.tokens.verify(made.token.slice(0, -2) + "xx", now)).toBeUndefined();
    expect(await read.tokens.verify("pmpc_nothing", now)).toBeUndefined();

    const later = new Date(now.getTime() + 2 * 3600_000);
    expect(await full.tokens.verify(viaRead.token, later)).toBeUndefined();
    expect(await full.tokens.list(later)).toEqual(await read.tokens.list(later));
    expect((await read.tokens.list(later)).map((t) => [t.name, t.role, t.state])).toEqual([
      ["ci", "operator", "active"],
      ["viewer-1", "viewer", "expired"],
    ]);

    await expect(read.tokens.create("ci", "admin", { now })).rejects.toThrow(/A token named ci exists/);
    expect(await read.tokens.revoke("ci", later)).toBe(true);
    expect(await read.tokens.revoke("ci", later)).toBe(false);
    expect(await full.tokens.verify(made.token, later)).toBeUndefined();
    expect(await read.tokens.verify(made.token, later)).toBeUndefined();
    // A revoked name may be used again; the old token stays dead.
    const again = await full.tokens.create("ci", "admin", { now: later });
    expect((await read.tokens.verify(again.token, later))?.role).toBe("admin");
    expect(await read.tokens.verify(made.token, later)).toBeUndefined();
    expect(await full.tokens.list(later)).toEqual(await read.tokens.list(later));
  });
});
