/** `test-connection`: reach the server, check the token, print version and round-trip time. */
import { CONNECTION_OPTIONS } from "./connection-options.js";
import { defineCommand } from "./define.js";

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
  ],
  options: CONNECTION_OPTIONS,
  workspace: "optional",
  mcp: { tool: "read" },
  slash: true,
  async run(ctx, input) {
    const client = await ctx.services.proxmox({ connection: input.options });
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
