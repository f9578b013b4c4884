/** `test-connection`: reach the server, check the token, print version and round-trip time. */
import { CONNECTION_OPTIONS } from "./connection-options.js";
import { defineCommand } from "./define.js";
import { declarations, defineOptions, flag } from "./options.js";
import type { Column, CommandContext, CommandResult } from "./types.js";

const TEST_CONNECTION_OPTIONS = defineOptions({
  ...declarations(CONNECTION_OPTIONS),
  allContexts: flag("--all-contexts", "check every context of contexts.yaml (a table; exit 1 if any failed)"),
});

/** One context's line of `test-connection --all-contexts` (its -o json shape). */
export interface ContextCheck {
  name: string;
  endpoint: string;
  ok: boolean;
  version?: string;
  roundTripMs?: number;
  error?: string;
}

/** What test-connection reports (its -o json shape). */
export interface ConnectionReport {
  endpoint: string;
  version: string;
  release: string;
  repoid: string;
  roundTripMs: number;
  tokenId: string;
  user: string;
  /** The token can read `/` (Sys.Audit on the root path). */
  canReadRoot: boolean;
  privilegesOnRoot: string[];
  nodes: { name: string; status: string }[];
  tls: string;
}

export const testConnectionCommand = defineCommand({
  name: "test-connection",
  summary: "Reach the server, check the API token, print the PVE version and round-trip time",
  description:
    "Connects with --endpoint/--fingerprint/--ca/--insecure or the PROXMOX_VE_ENDPOINT, PROXMOX_VE_API_TOKEN and PROXMOX_VE_INSECURE environment variables, and exits 1 with a clear message when anything fails.",
  examples: [
    "PROXMOX_VE_ENDPOINT=https://pve1:8006 PROXMOX_VE_API_TOKEN='root@pam!mpc=…' proxmox-mpc test-connection --fingerprint AA:BB:…",
    "proxmox-mpc test-connection --endpoint 127.0.0.1:8006 --insecure -o json",
    "proxmox-mpc test-connection --all-contexts",
  ],
  options: TEST_CONNECTION_OPTIONS,
  workspace: "optional",
  mcp: { tool: "read" },
  slash: true,
  async run(ctx, input) {
    const { allContexts, ...connection } = input.options;
    if (allContexts) return checkAllContexts(ctx, connection.timeout);
    const client = await ctx.services.proxmox({ connection });
    const opts = { signal: ctx.signal };
    const started = performance.now();
    const version = await client.version(opts);
    const firstMs = performance.now() - started;
    // Median of three more round trips: the first includes the TLS handshake.
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await client.version(opts);
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    const [permissions, nodes] = await Promise.all([client.permissions("/", opts), client.nodes(opts)]);
    const root = permissions["/"] ?? {};
    const privilegesOnRoot = Object.keys(root).filter((p) => root[p]).sort();
    const report: ConnectionReport = {
      endpoint: client.baseUrl,
      version: version.version,
      release: version.release,
      repoid: version.repoid,
      roundTripMs: Math.round(samples[1] * 10) / 10,
      tokenId: client.settings.token.id,
      user: client.settings.token.user,
      canReadRoot: privilegesOnRoot.includes("Sys.Audit"),
      privilegesOnRoot,
      nodes: nodes.map((n) => ({ name: n.node, status: n.status })),
      tls: client.settings.tls.mode,
    };
    const lines = [
      `Connected to ${report.endpoint}`,
      `  Proxmox VE   ${report.version} (release ${report.release}, repoid ${report.repoid})`,
      `  round trip   ${report.roundTripMs} ms (first request with handshake ${Math.round(firstMs)} ms)`,
      `  token        ${report.tokenId} (user ${report.user})`,
      `  read /       ${report.canReadRoot ? "yes" : "no — the token lacks Sys.Audit on /; sync will see only part of the cluster"}`,
      `  nodes        ${report.nodes.map((n) => `${n.name} (${n.status})`).join(", ") || "none visible"}`,
      `  TLS          ${describeTls(report.tls)}`,
    ];
    return { kind: "data", data: report, text: lines.join("\n") };
  },
});

function describeTls(mode: string): string {
  switch (mode) {
    case "fingerprint":
      return "pinned fingerprint";
    case "ca":
      return "verified with the given CA";
    case "insecure":
      return "NOT verified (--insecure)";
    default:
      return "verified with the system CAs";
  }
}

const CHECK_COLUMNS: Column[] = [
  { key: "name", header: "CONTEXT" },
  { key: "endpoint", header: "ENDPOINT" },
  { key: "version", header: "VERSION" },
  { key: "roundTrip", header: "ROUND TRIP", align: "right" },
  { key: "result", header: "RESULT" },
];

/** `--all-contexts`: each context's version and round trip, side by side; exit 1 if any failed. */
async function checkAllContexts(ctx: CommandContext, timeout: number | undefined): Promise<CommandResult> {
  const { readContexts, resolveContextSecret } = await import("../core/contexts.js");
  const { contexts } = readContexts(ctx.env);
  const checks = await Promise.all(
    contexts.map(async (c): Promise<ContextCheck> => {
      try {
        const token = `${c.tokenId}=${await resolveContextSecret(c, ctx.env)}`;
        const client = await ctx.services.proxmox({
          connection: { endpoint: c.endpoint, fingerprint: c.tls.fingerprint, ca: c.tls.ca, insecure: c.tls.insecure ?? false, timeout: timeout ?? 10 },
          token,
          retries: 0,
          key: `context:${c.name}`,
        });
        await client.version({ signal: ctx.signal }); // the handshake
        const started = performance.now();
        const version = await client.version({ signal: ctx.signal });
        return { name: c.name, endpoint: client.baseUrl, ok: true, version: version.version, roundTripMs: Math.round((performance.now() - started) * 10) / 10 };
      } catch (err) {
        return { name: c.name, endpoint: c.endpoint, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  if (checks.length === 0) return { kind: "data", data: checks, text: "No contexts (proxmox-mpc context add NAME …).\n" };
  const rows = checks.map((c) => ({ ...c, version: c.version ?? "-", roundTrip: c.roundTripMs === undefined ? "-" : `${c.roundTripMs} ms`, result: c.ok ? "ok" : `error: ${c.error}` }));
  return { kind: "data", data: checks, table: { columns: CHECK_COLUMNS, rows }, exitCode: checks.every((c) => c.ok) ? 0 : 1 };
}
