/** `debug on|off`: verbose diagnostics for the workspace, persisted until turned off. */
import { UsageError } from "../core/errors.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";

const STATES = ["on", "off", "status"] as const;

export const debugCommand = defineCommand({
  name: "debug",
  summary: "Turn debug mode on or off for the workspace (API calls with timing, phases, stack traces)",
  description:
    "With debug on, every command logs at debug level to .proxmox-mpc/logs/ (each API call: method, path, status, duration, attempt) " +
    "and shows the API calls with their timing, the phases and stack traces on stderr. " +
    "It stays on (the file .proxmox-mpc/debug) until `debug off`. The token secret is never logged.",
  examples: ["proxmox-mpc debug on", "proxmox-mpc debug off", "proxmox-mpc debug", "/debug on"],
  arguments: [{ name: "state", description: "on, off, or status (default)", choices: STATES }],
  workspace: "required",
  mcp: { tool: false, why: "changes how this terminal's console draws logs; an MCP client reads logs with the logs tool" },
  slash: true,
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const state = input.args[0] ?? "status";
    if (!(STATES as readonly string[]).includes(state)) throw new UsageError(`debug takes on, off or status, got "${state}".`, "Example: proxmox-mpc debug on");
    const { isDebugOn, setDebug } = await import("../observability/log-files.js");
    if (state !== "status") setDebug(ws.paths.dir, state === "on");
    const on = isDebugOn(ws.paths.dir);
    const text =
      state === "status"
        ? `Debug mode is ${on ? "on" : "off"} for ${ws.name}.`
        : on
          ? "Debug mode on: API calls with timing, phases and stack traces are shown, and logs are kept at debug level (`proxmox-mpc debug off` to stop)."
          : "Debug mode off: logs are kept at info level.";
    return { kind: "data", data: { debug: on, workspace: ws.paths.root }, text };
  },
});
