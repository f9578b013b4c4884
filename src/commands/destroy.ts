/** `destroy NAME…|--all`: delete managed guests from the cluster (after confirmation). */
import { UsageError } from "../core/errors.js";
import { runApply } from "./apply.js";
import { defineCommand } from "./define.js";
import { ENGINE_OPTION } from "./engine-context.js";
import { defineOptions, flag } from "./options.js";

export const destroyCommand = defineCommand({
  name: "destroy",
  summary: "Destroy managed guests in the cluster (named ones, or --all)",
  description:
    "Plans the deletion, shows it and asks for confirmation (--yes skips it; --no-input without --yes refuses). A guest with protection enabled in Proxmox is never destroyed. The .tf files stay, like terraform destroy: a later `apply` creates those guests again. To take guests out of the IaC as well, use `delete vm|ct NAME --apply` (destroys them, then removes their files).",
  examples: ["proxmox-mpc destroy web-03", "proxmox-mpc destroy web-01 web-02 --yes", "proxmox-mpc destroy --all"],
  arguments: [{ name: "names", description: "guests to destroy", variadic: true, completion: "guest" }],
  options: defineOptions({ engine: ENGINE_OPTION, all: flag("--all", "destroy every guest the workspace manages") }),
  workspace: "required",
  mcp: { tool: "destructive" },
  slash: true,
  async run(ctx, input) {
    if (!input.args.length && !input.options.all) throw new UsageError("Name the guests to destroy, or pass --all.", "e.g. proxmox-mpc destroy web-03");
    if (input.args.length && input.options.all) throw new UsageError("Give names or --all, not both.");
    const result = await runApply(ctx, { destroy: true, targets: input.args.length ? input.args : undefined, engine: input.options.engine });
    if ((result.exitCode ?? 0) === 0) {
      ctx.ui.info("Their .tf files are kept (like terraform destroy): `apply` would create them again; `delete vm|ct NAME` takes a guest out of the IaC.");
    }
    return result;
  },
});
