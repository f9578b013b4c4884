/**
 * `completion bash|zsh`: a shell completion script. The script asks
 * `proxmox-mpc __complete LINE` for candidates, which uses the console's
 * completer: commands, flags and names from the workspace's store.
 */
import { UsageError } from "../core/errors.js";
import { defineCommand } from "./define.js";

const BASH = `# proxmox-mpc completion for bash. Install: proxmox-mpc completion bash > /etc/bash_completion.d/proxmox-mpc
_proxmox_mpc() {
  local line="\${COMP_LINE:0:\$COMP_POINT}"
  line="\${line#* }"
  local IFS=$'\\n'
  COMPREPLY=( $(proxmox-mpc __complete "$line" 2>/dev/null) )
}
complete -o default -F _proxmox_mpc proxmox-mpc
`;

const ZSH = `#compdef proxmox-mpc
# proxmox-mpc completion for zsh. Install: proxmox-mpc completion zsh > "\${fpath[1]}/_proxmox-mpc"
_proxmox_mpc() {
  local line="\${BUFFER[1,CURSOR]}"
  line="\${line#* }"
  local -a candidates
  candidates=("\${(@f)$(proxmox-mpc __complete "$line" 2>/dev/null)}")
  compadd -- \${candidates[@]}
}
compdef _proxmox_mpc proxmox-mpc
`;

export const completionCommand = defineCommand({
  name: "completion",
  summary: "Print a shell completion script (bash or zsh)",
  examples: ["proxmox-mpc completion bash > /etc/bash_completion.d/proxmox-mpc", "proxmox-mpc completion zsh > \"${fpath[1]}/_proxmox-mpc\""],
  arguments: [{ name: "shell", description: "bash or zsh", required: true, choices: ["bash", "zsh"] }],
  workspace: "none",
  mcp: { tool: false, why: "prints a shell completion script for a terminal" },
  record: false,
  async run(_ctx, input) {
    const shell = input.args[0];
    if (shell !== "bash" && shell !== "zsh") throw new UsageError(`Unsupported shell "${shell}".`, "Use bash or zsh.");
    return { kind: "message", text: (shell === "bash" ? BASH : ZSH).trimEnd() };
  },
});

export const completeCommand = defineCommand({
  name: "__complete",
  summary: "Completion candidates for a command line (used by the completion scripts)",
  examples: ['proxmox-mpc __complete "get vms --node "'],
  arguments: [{ name: "line", description: "the command line after proxmox-mpc", required: true }],
  workspace: "optional",
  mcp: { tool: false, why: "internal plumbing of shell completion" },
  hidden: true,
  record: false,
  async run(ctx, input) {
    const [{ complete }, { emptyState, readQuickState }] = await Promise.all([import("./completer.js"), import("../state/quick-state.js")]);
    // The same reader as the console: SQLite's fast path, else the context's store (closed by the face).
    const state = ctx.workspace ? await readQuickState(ctx.workspace, ctx.env, () => ctx.services.store()).catch(() => emptyState()) : emptyState();
    const [candidates] = complete(input.args.join(" "), ctx.commands.filter((c) => !c.hidden), state.names);
    return { kind: "message", text: candidates.join("\n") };
  },
});
