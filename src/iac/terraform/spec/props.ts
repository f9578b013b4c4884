/**
 * A small table-driven codec between the options of PVE property strings and
 * the model's typed fields, and the model's sizes (whole GiB plus an exact
 * PVE size). Property strings, sizes and booleans themselves are read and
 * printed by src/pve/.
 * A codec lists, per option, the model field and the Terraform argument, so
 * one table drives adoption, pveConfigFromSpec, rendering and parsing.
 */
import { printProps } from "../../../pve/property-string.js";
import { parseBool, printBool } from "../../../pve/scalars.js";
import { GIB, parseSize, printSize } from "../../../pve/size.js";

/** Value type of a field: "strings" is a list (PVE joins it with `sep`). */
export type FieldType = "string" | "int" | "float" | "bool" | "strings";

/** One option of a property string (or one top-level key). */
export interface FieldCodec {
  /** PVE option name. */
  pve: string;
  /** Model field name. */
  spec: string;
  /** Terraform argument name. */
  tf: string;
  type: FieldType;
  /** List separator in PVE ("strings" only). */
  sep?: string;
}

/** A property-string format: its lead (bare) option, required options, fields. */
export interface PropCodec {
  lead?: string;
  required?: string[];
  fields: FieldCodec[];
}

/** A field in short form: [pve, spec, tf, type, sep?]. */
export type FieldRow = [string, string, string, FieldType, string?];

/** Build field codecs from rows. */
export function fields(rows: FieldRow[]): FieldCodec[] {
  return rows.map(([pve, spec, tf, type, sep]) => ({ pve, spec, tf, type, sep }));
}

/** Decode one PVE option value to a field value; undefined when it does not fit the type. */
export function decodeValue(field: FieldCodec, text: string): unknown {
  switch (field.type) {
    case "string":
      return text;
    case "bool":
      return parseBool(text);
    case "int":
      return /^-?\d+$/.test(text) ? Number(text) : undefined;
    case "float":
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
    case "strings":
      return text.split(field.sep ?? ";").filter((s) => s !== "");
  }
}

/** Encode a field value as PVE writes it. */
export function encodeValue(field: FieldCodec, value: unknown): string {
  if (field.type === "bool") return printBool(Boolean(value));
  if (field.type === "strings") return (value as string[]).join(field.sep ?? ";");
  return String(value);
}

/**
 * Map options onto a target object through a codec. Options that are not in
 * the codec, or whose value does not decode, are returned as `extra`.
 */
export function decodeOptions(
  codec: PropCodec,
  options: Record<string, string>,
  target: Record<string, unknown>,
  skip: string[] = [],
): Record<string, string> | undefined {
  const extra: Record<string, string> = {};
  for (const [key, text] of Object.entries(options)) {
    if (skip.includes(key)) continue;
    const field = codec.fields.find((f) => f.pve === key);
    const value = field ? decodeValue(field, text) : undefined;
    if (field && value !== undefined) target[field.spec] = value;
    else extra[key] = text;
  }
  return Object.keys(extra).length ? extra : undefined;
}

/** The options a typed object stands for (plus its extra options). */
export function encodeOptions(codec: PropCodec, source: object, extra?: Record<string, string>): Record<string, string> {
  const src = source as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const field of codec.fields) {
    const value = src[field.spec];
    if (value !== undefined) out[field.pve] = encodeValue(field, value);
  }
  return { ...out, ...(extra ?? {}) };
}

/** Print a typed object as a property string through its codec. */
export function printCodec(codec: PropCodec, source: object, extra?: Record<string, string>): string {
  return printProps(encodeOptions(codec, source, extra), codec.lead, codec.required);
}

/** A PVE size as whole GiB (floor, at least 1) plus the exact size when it is not whole GiB. */
export function sizeToSpec(size: string | undefined): { sizeGiB: number; exactSize?: string } {
  const bytes = parseSize(size) ?? 0;
  const gib = bytes / GIB;
  if (Number.isInteger(gib) && gib >= 1) return { sizeGiB: gib };
  return { sizeGiB: Math.max(1, Math.floor(gib)), exactSize: size };
}

/** The PVE size of a sizeGiB/exactSize pair. */
export function specToSize(sizeGiB: number, exactSize?: string): string {
  return exactSize ?? printSize(sizeGiB * GIB);
}

/** Split "storage:volume" (a bare path has no storage). */
export function splitVolume(volid: string): { storage?: string; volume: string } {
  const i = volid.indexOf(":");
  if (i <= 0 || volid.startsWith("/")) return { volume: volid };
  return { storage: volid.slice(0, i), volume: volid.slice(i + 1) };
}

/** The image format a file-based volume's name implies ("100/vm-100-disk-0.qcow2" → qcow2). */
export function volumeFormat(volume: string | undefined): string | undefined {
  return /\.(qcow2|raw|vmdk)$/.exec(volume ?? "")?.[1];
}

/** Any config value as the string PVE would print (arrays/objects as JSON). */
export function configText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Keep only defined values (so deep-equal comparisons ignore `key: undefined`). */
export function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}
