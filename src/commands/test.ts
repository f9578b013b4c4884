/**
 * `test [--live]`: validate the whole workspace offline — the .tf files
 * parse and use documented arguments, references resolve against the last
 * sync, VMIDs/names/IPs are unique, guests fit their nodes and storage, the
 * Ansible inventory agrees — then run the specs in tests/*.yaml. --live also
 * asks the cluster (bridges, template volumes, live specs). Exit code 1 when
 * anything failed. See docs/testing.md.
 */
import { join } from "node:path";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { defineOptions, flag, negated } from "./options.js";
import type { Column } from "./types.js";

const COLUMNS: Column[] = [
  { key: "status", header: "STATUS" },
  { key: "check", header: "CHECK" },
  { key: "where", header: "WHERE" },
  { key: "message", header: "MESSAGE" },
];

/** `test [--live] [--no-cache]`: the workspace's checks and specs as one report. */
export const testCommand = defineCommand({
  name: "test",
  summary: "Validate the workspace: HCL parses, references resolve, ids/names/IPs unique, capacity fits; runs tests/*.yaml specs",
  description:
    "Offline and fast: reads terraform/, ansible/inventory.yml and tests/*.yaml, and the cluster as the last sync stored it. --live also asks the server (bridges and template volumes exist, live specs such as `status: running`). Exit code 1 when a check failed; warnings do not fail. -o wide lists the passed checks too.",
  examples: ["proxmox-mpc test", "proxmox-mpc test --live", "proxmox-mpc test -o json"],
  options: defineOptions({
    live: flag("--live", "also ask the cluster (bridges, volumes, live specs)"),
    cache: negated("--no-cache", "parse every .tf file again instead of reusing unchanged ones"),
  }),
  workspace: "required",
  mcp: { tool: "read" },
  slash: true,
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const { runWorkspaceTests, renderReport, liveCluster, location } = await import("../iac/checks/index.js");
    // The store loads (Prisma, a few hundred ms) while the files are read.
    const facts = ctx.services.store().then(async (store) => {
      const [last, nodes, storage, guests] = await Promise.all([store.syncs.last({ status: "completed" }), store.nodes.list(), store.storage.list(), store.guests.list()]);
      return { synced: last !== null, nodes, storage, guests };
    });
    const live = input.options.live ? liveCluster(await ctx.services.proxmox(), ctx.signal) : undefined;
    const report = await runWorkspaceTests({
      paths: { root: ws.paths.root, terraform: ws.paths.terraform, ansible: ws.paths.ansible, tests: ws.paths.tests },
      facts,
      live,
      signal: ctx.signal,
      cache: !input.options.cache ? undefined : { file: join(ws.paths.dir, "cache", "terraform-parse.json"), version: ctx.version },
    });
    ctx.log.info({ passed: report.passed, failed: report.failed, warnings: report.warnings, durationMs: report.durationMs }, "workspace tested");
    const rows = report.results.map((r) => ({ ...r, where: location(r).trim() }));
    return { kind: "data", data: report, text: renderReport(report), table: { columns: COLUMNS, rows }, exitCode: report.ok ? 0 : 1 };
  },
});
