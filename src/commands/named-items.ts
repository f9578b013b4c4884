/**
 * What the commands that keep named items in the store share (`token`,
 * `hook`, and the times `webhook` lists): the checks of the NAME argument
 * against the verb, and how a time is listed.
 */
import { UsageError } from "../core/errors.js";

/** A time as listed: ISO to the second, or "-". */
export const when = (d: Date | null): string => (d ? d.toISOString().replace(/\.\d+Z$/, "Z") : "-");

/**
 * `token create|revoke NAME`, `hook add|remove NAME`: every verb but list needs a name, list takes
 * none, and a name is letters, digits, . _ @ - (up to 63). `example` follows "e.g." when one is missing.
 */
export function checkItemName(item: "token" | "hook", verb: string, name: string | undefined, example: string): void {
  if (verb !== "list" && !name) throw new UsageError(`${item} ${verb} needs a name.`, `e.g. ${example}`);
  if (verb === "list" && name) throw new UsageError(`${item} list takes no name.`);
  if (name && !/^[A-Za-z0-9][\w.@-]{0,62}$/.test(name)) throw new UsageError(`"${name}" is not a ${item} name: letters, digits, . _ @ - (up to 63).`);
}
