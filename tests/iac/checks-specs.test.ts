/**
 * User test specs (tests/*.yaml) on a real synced workspace: specs that pass
 * and fail with their line, malformed files and specs, live specs skipped
 * offline, and `--live` against the simulator (status, guest agent, bridges,
 * template volumes).
 */
import type { CheckResult, TestReport } from "../../src/iac/checks/index.js";
import { checkedWorkspace, lineOf, writeSpec, type CheckedWorkspace } from "./checks-workspace.js";

let cw: CheckedWorkspace;
beforeAll(async () => {
  cw = await checkedWorkspace();
}, 60_000);
afterAll(async () => {
  await cw?.close();
});
beforeEach(async () => {
  await cw.reset();
});

const specResults = (report: TestReport): CheckResult[] => report.results.filter((r) => r.check === "spec");

describe("offline specs", () => {
  test("specs that hold pass, one result each, with the spec's file and line", async () => {
    const file = await writeSpec(
      cw,
      "prod.yaml",
      `# production guests
- name: web servers are sized for production
  select: { name: "web-*", tag: web }
  expect: { cores: ">= 2", memory: ">= 2G", tags: { contains: web }, ip: 10.0.10.0/24, bridge: vmbr0, agent: enabled }

- name: every prod guest boots with its node
  select: { tag: prod, type: [vm, ct] }
  count: 2
  expect:
    started: true
    storage: "local*"

- name: the database is protected on shared storage
  select: { node: pve2, vmid: "100-199" }
  expect: { protection: true, storage: nas01, disk: "<= 1T", tags: [staging, db] }

- name: one cloud-init template
  select: { template: true }
  count: 1
`,
    );
    const { report } = await cw.test();
    expect(report.ok).toBe(true);
    expect(specResults(report)).toEqual([
      { check: "spec", status: "passed", file, line: 2, message: "web servers are sized for production (1 guest)" },
      { check: "spec", status: "passed", file, line: 6, message: "every prod guest boots with its node (2 guests)" },
      { check: "spec", status: "passed", file, line: 13, message: "the database is protected on shared storage (1 guest)" },
      { check: "spec", status: "passed", file, line: 17, message: "one cloud-init template (1 guest)" },
    ]);
  });

  test("a spec that does not hold fails for each guest, at the line of the first failed expectation", async () => {
    const yaml = `- name: everything is big
  select: { name: "*-01" }
  expect:
    memory: ">= 1G"
    cores: ">= 2"
    tags: { contains: prod }
- name: there are ten web servers
  select: { name: "web-*" }
  count: ">= 10"
  expect: { cores: 2 }
`;
    const file = await writeSpec(cw, "big.yml", yaml);
    const { report, result } = await cw.test();
    expect(report.ok).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(specResults(report).map((r) => [r.status, r.file, r.line, r.message])).toEqual([
      ["failed", file, lineOf(yaml, "tags"), "everything is big: db-01 (terraform/db_01.tf:2) tags [db, staging], missing prod"],
      ["failed", file, lineOf(yaml, "memory"), "everything is big: dns-01 (terraform/dns_01.tf:2) memory 512 MiB, expected >= 1G; cores 1, expected >= 2"],
      ["failed", file, lineOf(yaml, "count"), "there are ten web servers: selects 1 guest, expected >= 10"],
    ]);
    expect(result.text).toContain(`✖ ${file}:${lineOf(yaml, "count")} there are ten web servers: selects 1 guest, expected >= 10`);
  });

  test("a spec selecting no guest fails (a typo in a selector is not a silent pass)", async () => {
    await writeSpec(cw, "typo.yaml", `- name: webs\n  select: { name: "wbe-*" }\n  expect: { cores: ">= 1" }\n`);
    const r = specResults((await cw.test()).report);
    expect(r).toEqual([{ check: "spec", status: "failed", file: "tests/typo.yaml", line: 1, message: "webs: selects 0 guests, expected >= 1" }]);
  });
});

describe("malformed spec files are failed checks with file and line, never a crash", () => {
  test("invalid YAML", async () => {
    await writeSpec(cw, "broken.yaml", `- name: ok\n  expect: { cores: 1 }\n- name: broken\n  select: { name: "web-*"\n  expect: {}\n`);
    const r = specResults((await cw.test()).report);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ status: "failed", file: "tests/broken.yaml", message: expect.stringMatching(/^malformed spec: not valid YAML: /) });
    expect(r[0].line).toBeGreaterThanOrEqual(4);
  });

  test("unknown keys, bad values and missing names point at their lines; the good specs of the file still run", async () => {
    const yaml = `- name: good
  select: { name: "web-*" }
  expect: { cores: ">= 1" }
- name: bad keys
  selct: { name: "web-*" }
  expect:
    cores: "at least two"
    colour: blue
- select: { name: "web-*" }
  expect: { cores: 1 }
- name: live key offline
  expect: { status: running }
- just a string
`;
    const file = await writeSpec(cw, "mixed.yaml", yaml);
    const r = specResults((await cw.test()).report);
    expect(r.map((x) => [x.status, x.line, x.message])).toEqual([
      ["failed", lineOf(yaml, "selct"), 'malformed spec: unknown key "selct" (a spec has name, select, count, expect, live)'],
      ["failed", lineOf(yaml, "at least two"), 'malformed spec: expect.cores: "at least two" is not a comparison like ">= 2"'],
      ["failed", lineOf(yaml, "colour"), expect.stringMatching(/^malformed spec: expect\.colour: unknown expectation \(use cores, memory, disk, /)],
      ["failed", 9, "malformed spec: a spec needs a name: a sentence saying what must hold"],
      ["failed", lineOf(yaml, "status"), "malformed spec: expect.status: status asks the cluster: put it in a spec with live: true"],
      ["failed", lineOf(yaml, "just a string"), "malformed spec: a spec is a mapping with name, select and expect"],
      ["passed", 1, "good (1 guest)"],
    ]);
    expect(r.every((x) => x.file === file)).toBe(true);
  });

  test("a file that is not a list", async () => {
    await writeSpec(cw, "map.yaml", "name: x\nexpect: { cores: 1 }\n");
    expect(specResults((await cw.test()).report)).toEqual([
      { check: "spec", status: "failed", file: "tests/map.yaml", line: 1, message: "malformed spec: a spec file is a YAML list of specs (each item starts with `- name: …`)" },
    ]);
  });
});

describe("live specs", () => {
  const LIVE = `- name: the database runs
  live: true
  select: { name: db-01 }
  expect: { status: running }
- name: the web server's agent answers
  live: true
  select: { name: web-01 }
  expect: { status: running, agent: responds, uptime: ">= 0" }
`;

  test("without --live they are skipped, not failed", async () => {
    const file = await writeSpec(cw, "live.yaml", LIVE);
    const { report, result } = await cw.test();
    expect(report).toMatchObject({ ok: true, skipped: 2 });
    expect(specResults(report).map((r) => [r.status, r.line])).toEqual([
      ["skipped", 1],
      ["skipped", 5],
    ]);
    expect(result.text).toContain(`– ${file}:1 the database runs: a live spec (run \`test --live\` to check it against the cluster)`);
  });

  test("with --live they ask the simulator: a stopped guest fails until it is started", async () => {
    const file = await writeSpec(cw, "live.yaml", LIVE);
    let { report } = await cw.test({ live: true });
    expect(specResults(report)).toEqual([
      { check: "spec", status: "failed", file, line: 4, message: "the database runs: db-01 on pve2: status is stopped" },
      { check: "spec", status: "passed", file, line: 5, message: "the web server's agent answers (1 guest)" },
    ]);
    const started = await cw.ws.run(["start", "vm", "db-01"]);
    expect(started.code).toBe(0);
    ({ report } = await cw.test({ live: true }));
    expect(specResults(report).map((r) => r.status)).toEqual(["passed", "passed"]);
    expect(report.ok).toBe(true);
    await cw.ws.run(["stop", "vm", "db-01", "--yes"]);
  });

  test("agent: responds fails for a VM without the guest agent, with PVE's reason", async () => {
    await cw.ws.run(["start", "vm", "db-01"]);
    await writeSpec(cw, "agent.yaml", `- name: agents\n  live: true\n  select: { name: "*-01", type: vm }\n  expect: { agent: responds }\n`);
    const r = specResults((await cw.test({ live: true })).report);
    expect(r).toEqual([{ check: "spec", status: "failed", file: "tests/agent.yaml", line: 4, message: "agents: db-01 on pve2: the guest agent does not answer (No QEMU guest agent configured)" }]);
    await cw.ws.run(["stop", "vm", "db-01", "--yes"]);
  });

  test("a guest that is only in the files does not exist in the cluster", async () => {
    await cw.addGuest({ kind: "qemu", name: "web-02", vmid: 103, node: "pve1" });
    await writeSpec(cw, "web.yaml", `- name: webs run\n  live: true\n  select: { name: "web-*" }\n  expect: { status: running }\n`);
    const r = specResults((await cw.test({ live: true })).report);
    expect(r.map((x) => x.message)).toEqual(["webs run: web-02 (vm_id 103) does not exist in the cluster (apply first)"]);
  });
});

describe("--live reference checks", () => {
  test("a bridge that is not on the node fails; offline it only has to be a valid name", async () => {
    const file = await cw.addGuest({ kind: "qemu", name: "app-01", vmid: 700, node: "pve1", bridge: "vmbr7" });
    expect((await cw.test()).report.ok).toBe(true);
    const { report } = await cw.test({ live: true });
    expect(report.results.filter((r) => r.check === "bridges")).toEqual([
      { check: "bridges", status: "failed", file, line: expect.any(Number), message: "bridge vmbr7 of app-01 does not exist on pve1 (bridges: vmbr0, vmbr1)" },
    ]);
  });

  test("a new container's OS template volume must exist (the storage alone is checked offline)", async () => {
    const missing = await cw.addGuest({ kind: "lxc", name: "ct-01", vmid: 701, node: "pve1", ostemplate: "local:vztmpl/alpine-3.20.tar.xz" });
    await cw.addGuest({ kind: "lxc", name: "ct-02", vmid: 702, node: "pve1", ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst" });
    expect((await cw.test()).report.ok).toBe(true);
    const { report } = await cw.test({ live: true });
    expect(report.results.filter((r) => r.check === "volumes" && r.status !== "passed")).toEqual([
      { check: "volumes", status: "failed", file: missing, line: expect.any(Number), message: "local:vztmpl/alpine-3.20.tar.xz (operating_system.template_file_id) of ct-01 does not exist on pve1" },
    ]);
  });
});
