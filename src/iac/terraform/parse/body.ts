/**
 * Typed reading of one block of hcl2json output (attributes as JSON values,
 * nested blocks as arrays, expressions as "${…}" strings), reporting values
 * proxmox-mpc cannot use and arguments it does not know.
 */
import type { FieldCodec } from "../spec/props.js";

/** A problem found while reading a resource. */
export interface ReadIssue {
  kind: "error" | "unknown";
  /** Argument path inside the resource ("disk.speed.read"). */
  argument: string;
  message: string;
}

/** A JSON object as hcl2json returns it. */
export type HclObject = Record<string, unknown>;

const EXPRESSION = /(^|[^$])\$\{|(^|[^%])%\{/;

/** Reads the arguments of one block; `finish()` reports those nobody asked for. */
export class BodyReader {
  private readonly seen = new Set<string>();

  constructor(
    readonly obj: HclObject,
    readonly path: string,
    private readonly issues: ReadIssue[],
  ) {}

  private at(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  private error(name: string, message: string): undefined {
    this.issues.push({ kind: "error", argument: this.at(name), message });
    return undefined;
  }

  /** Record an error about an argument. */
  fail(name: string, message: string): undefined {
    this.seen.add(name);
    return this.error(name, message);
  }

  /** Whether the argument or block is present. */
  has(name: string): boolean {
    return this.obj[name] !== undefined;
  }

  /** Mark an argument as understood without reading it. */
  ignore(name: string): void {
    this.seen.add(name);
  }

  /** A literal string (template escapes undone); an expression is an error. */
  str(name: string): string | undefined {
    this.seen.add(name);
    const v = this.obj[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (typeof v !== "string") return this.error(name, "expected a string");
    return literal(v) ?? this.error(name, `uses an expression (${v}); proxmox-mpc reads literal values only`);
  }

  /** A number (a numeric string is accepted, as Terraform converts it). */
  num(name: string): number | undefined {
    const v = this.obj[name];
    this.seen.add(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number") return v;
    const s = typeof v === "string" ? literal(v) : undefined;
    if (s !== undefined && s.trim() !== "" && !Number.isNaN(Number(s))) return Number(s);
    return this.error(name, `expected a number, found ${JSON.stringify(v)}`);
  }

  /** A boolean ("true"/"false" strings accepted). */
  bool(name: string): boolean | undefined {
    const v = this.obj[name];
    this.seen.add(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "false") return v === "true";
    return this.error(name, `expected true or false, found ${JSON.stringify(v)}`);
  }

  /** A list of literal strings. */
  strList(name: string): string[] | undefined {
    const v = this.obj[name];
    this.seen.add(name);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.error(name, "expected a list of strings");
    const out: string[] = [];
    for (const item of v) {
      const s = typeof item === "string" ? literal(item) : typeof item === "number" ? String(item) : undefined;
      if (s === undefined) return this.error(name, `expected literal strings, found ${JSON.stringify(item)}`);
      out.push(s);
    }
    return out;
  }

  /** Every block of a type, each as a reader. */
  blocks(name: string): BodyReader[] {
    this.seen.add(name);
    const v = this.obj[name];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((b) => typeof b !== "object" || b === null || Array.isArray(b))) {
      this.error(name, "expected a block");
      return [];
    }
    return v.map((b) => new BodyReader(b as HclObject, this.at(name), this.issues));
  }

  /** The single block of a type (a second one is an error). */
  block(name: string): BodyReader | undefined {
    const list = this.blocks(name);
    if (list.length > 1) this.error(name, "appears more than once; only one is allowed");
    return list[0];
  }

  /** Read fields through codecs into a target object (by Terraform argument name). */
  fields(codecs: FieldCodec[], target: Record<string, unknown>): void {
    for (const f of codecs) {
      const value = f.type === "bool" ? this.bool(f.tf) : f.type === "int" || f.type === "float" ? this.num(f.tf) : f.type === "strings" ? this.strList(f.tf) : this.str(f.tf);
      if (value !== undefined) target[f.spec] = value;
    }
  }

  /** Report every argument or block that was never read as unknown to proxmox-mpc. */
  finish(): void {
    for (const name of Object.keys(this.obj)) {
      if (this.seen.has(name)) continue;
      this.issues.push({ kind: "unknown", argument: this.at(name), message: "not modelled by proxmox-mpc (kept in the file, not carried into the spec)" });
    }
  }
}

/** The literal text of an hcl2json string, or undefined when it holds an expression. */
export function literal(value: string): string | undefined {
  if (EXPRESSION.test(value)) return undefined;
  return value.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}
