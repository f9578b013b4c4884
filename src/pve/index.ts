/**
 * The PVE wire format, once: property strings, sizes, lists and tags,
 * booleans and numbers, and what a guest's config says about it. The client,
 * the simulator, the sync and the IaC code all read and write PVE values
 * through these. The vendored API schema and its validator are in
 * `./api-schema/index.js` (imported on their own: loading the schema costs).
 */
export { parseProps, printProps, parseSchemaProps, type ParsedPropertyString, type PropsInput } from "./property-string.js";
export { GIB, parseSize, printSize } from "./size.js";
export { splitList, parseTags, uniqueTags, printTags } from "./tags.js";
export { parseBool, printBool, toNumber } from "./scalars.js";
export {
  isDiskKey,
  configDisks,
  configNets,
  guestFromConfig,
  guestFromResource,
  type ConfigDisk,
  type ConfigNet,
  type ConfigValues,
  type GuestEntry,
  type GuestReading,
  type GuestType,
} from "./guest-config.js";
