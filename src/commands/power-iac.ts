/**
 * After a power action: keep the guest's .tf `started` line in step with what
 * the operator did, so the next `plan` does not undo it (start → `started =
 * true`, stop/shutdown → `started = false`, reboot → no change). Only that
 * line changes; a file whose `started` is absent (where that means otherwise)
 * or an expression is left alone with a note saying why. Nothing is written
 * for a guest whose task failed or was cancelled, nor with --no-wait (the
 * outcome is unknown then: the note says how to record it afterwards).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PowerAction } from "../proxmox/client.js";
import type { StartedLine } from "../iac/terraform/edit-started.js";
import type { TfFileEntry } from "../iac/tf-index.js";
import type { CommandContext } from "./types.js";

/** The part of a power outcome the follow-up reads and annotates. */
export interface PoweredGuest {
  vmid: number;
  name: string;
  result: "ok" | "skipped" | "failed" | "cancelled" | "started";
  /** What happened to the guest's .tf (set here): "terraform/web_01.tf: started = true", or why it was not changed. */
  iac?: string;
}

/**
 * Edit the `started` line of the guests that are now in the state asked for
 * (done, or skipped because they already were), and note the files left alone.
 * Never fails the command: a file that cannot be read or written is a warning.
 */
export async function followPower(ctx: CommandContext, action: PowerAction, type: "qemu" | "lxc", outcomes: PoweredGuest[]): Promise<void> {
  const desired = action === "start" ? true : action === "stop" || action === "shutdown" ? false : undefined;
  if (desired === undefined || !ctx.workspace) return;
  const dir = ctx.workspace.paths.terraform;
  const { indexTerraformDir } = await import("../iac/tf-index.js");
  const entries = await indexTerraformDir(dir);
  for (const o of outcomes) {
    const entry = entries.find((e) => e.vmid === o.vmid && e.kind === type && e.resourceName);
    if (!entry || o.result === "failed" || o.result === "cancelled") continue;
    try {
      o.iac = await follow(dir, entry, o, desired, action);
    } catch (err) {
      o.iac = `terraform/${entry.file} not changed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!o.iac) continue;
    if (/: started = (true|false)$/.test(o.iac)) ctx.ui.info(o.iac);
    else ctx.ui.warn(o.iac);
  }
}

/** One guest's file: the line changed ("FILE: started = V"), a note, or undefined when it already agrees. */
async function follow(dir: string, entry: TfFileEntry, o: PoweredGuest, desired: boolean, action: PowerAction): Promise<string | undefined> {
  const [{ setStartedText, readStarted }, { restamp }, { atomicWrite }] = await Promise.all([
    import("../iac/terraform/edit-started.js"),
    import("../iac/terraform/edit-guest.js"),
    import("../iac/terraform/write.js"),
  ]);
  const file = `terraform/${entry.file}`;
  const path = join(dir, entry.file);
  const text = await readFile(path, "utf8");
  const target = { file, kind: entry.kind ?? "qemu", resourceName: entry.resourceName ?? "" };
  if (o.result === "started") {
    const found = readStarted(text, target);
    if (found.state === "literal" && found.value === desired) return undefined;
    return `${file} not changed: with --no-wait the outcome is unknown. Once the task is done, run \`proxmox-mpc ${action} ${entry.kind === "lxc" ? "ct" : "vm"} ${o.name}\` again (it records started = ${desired}) or edit the file, or the next apply will ${desired ? "stop" : "start"} ${o.name} again.`;
  }
  const edit = setStartedText(text, target, desired);
  if (edit.changed) {
    // An untouched file stays proxmox-mpc's own (its hash is renewed); a hand-edited one stays hand-edited.
    await atomicWrite(path, restamp(text, edit.text));
    return `${file}: started = ${desired}`;
  }
  return whyNot(file, edit.found, desired, o.name);
}

function whyNot(file: string, found: StartedLine, desired: boolean, name: string): string | undefined {
  const undo = `the next apply will ${desired ? "stop" : "start"} ${name} again`;
  switch (found.state) {
    case "literal":
      return undefined;
    case "absent":
      // The provider's default is started = true.
      return desired ? undefined : `${file} not changed: it has no \`started\` argument, and its default (true) means ${undo}. Add \`started = false\` to keep it stopped.`;
    case "expression":
      return `${file} not changed: started is an expression (${found.raw}); make it ${desired} for ${name}, or ${undo}.`;
    case "unreadable":
      return `${file} not changed: ${found.why}`;
  }
}
