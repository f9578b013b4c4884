/**
 * redactedJson (the API's serializer) gives the same text as
 * JSON.stringify(redactValue(x)): registered secrets scrubbed from every
 * string, values under secret keys replaced at any depth — both on its fast
 * path (no secret key in the text) and its slow one.
 */
import { REDACTED, redactedJson, redactValue, registerSecret } from "../../src/core/redact.js";

const CANARY = "canary-9f8e7d6c5b4a";
registerSecret(CANARY);

const samples: unknown[] = [
  { items: [{ vmid: 100, name: "web-01", tags: ["a", "b"], note: `copied ${CANARY} here` }], total: 1, nextCursor: null },
  { ok: true, data: { config: { cores: 2, cipassword: "hunter2", sshkeys: "ssh-rsa AAA" } } },
  { deep: [{ a: [{ Authorization: "Bearer x" }] }], when: new Date(0), empty: { password: "" }, nothing: { token: null } },
  { text: "root@pam!ci=0f0e0d0c-1111-2222-3333-444455556666 and PVEAPIToken=root@pam!ci=abc" },
  [CANARY, 1, null, true],
  `just ${CANARY}`,
];

test.each(samples.map((s, i) => [i, s]))("sample %i: the same text as JSON.stringify(redactValue(x))", (_i, sample) => {
  const text = redactedJson(sample);
  expect(text).toBe(JSON.stringify(redactValue(sample)));
  expect(text).not.toContain(CANARY);
});

test("values under secret keys are replaced, other values kept", () => {
  const parsed = JSON.parse(redactedJson({ config: { cores: 2, cipassword: "hunter2" }, name: "db" })) as { config: Record<string, unknown>; name: string };
  expect(parsed.config).toEqual({ cores: 2, cipassword: REDACTED });
  expect(parsed.name).toBe("db");
});
