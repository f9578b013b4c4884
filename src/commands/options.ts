/**
 * A command's options, declared once. Each builder (flag, negated, text,
 * number, choice, list) gives the option's command-line form (flags, help,
 * default, completion) and a function that builds its zod schema; from one
 * `defineOptions({...})` the CLI builds its commander options, completion and
 * /help read the flags, `defineCommand` validates and types `input.options`,
 * and schema.ts derives an MCP tool's input schema.
 *
 * zod is only a type here: its schemas are built when first needed
 * (schema.ts), so `--help` and the console's first prompt never load it. A
 * run whose options all pass `accepts` (the schema's verdict, tested to agree
 * with it on every declared option) does not load it either: zod (about
 * 100 ms to import) is there to word a refusal and for tools' schemas.
 */
import type { z } from "zod";

/** Tab-completion source: fixed words, or names from the store. */
export type Completion = readonly string[] | "guest" | "node" | "storage" | "tag";

/** The zod namespace, handed to an option's schema builder when validation first needs it. */
export type Zod = typeof z;

/** One option as a builder declares it. `S` is the type of its zod schema (what `input.options` holds is inferred from it). */
export interface OptionDecl<S extends z.ZodType = z.ZodType> {
  /** commander's flag syntax: "--dry-run", "--no-refresh", "-p, --port <port>". */
  readonly flags: string;
  readonly description: string;
  /** Applied when the option is not given, and shown by --help (but for --no-X). */
  readonly default?: string | number | boolean;
  /** The allowed values (shown by --help, checked by the schema). */
  readonly choices?: readonly string[];
  /** Given again, the values collect into an array ("--tag a --tag b"). */
  readonly repeatable?: boolean;
  /** What Tab offers as the value. */
  readonly completion?: Completion;
  /** Turns a value typed on a command line into the schema's type (numbers); anything else passes unchanged. */
  readonly fromText?: (value: string) => unknown;
  /** The option's zod schema, with its description and default. */
  readonly schema: (zod: Zod) => S;
  /** Whether the schema takes a given (non-undefined) value as it is, decided without zod. */
  readonly accepts: (value: unknown) => boolean;
}

/** An option of a declared set: its declaration, its key in `input.options`, and its flag names. */
export interface CommandOption extends OptionDecl {
  /** The key in `input.options` and in an MCP tool's input ("dryRun" for --dry-run). */
  readonly key: string;
  /** Every name of the flag: ["-p", "--port"]. */
  readonly names: readonly string[];
  /** The long name, used in messages: "--port". */
  readonly long: string;
  /** Whether the flag takes a value (`<value>`). */
  readonly takesValue: boolean;
}

/** Declarations by key. */
export type OptionShape = Record<string, OptionDecl>;

const DECLARED: unique symbol = Symbol("proxmox-mpc.options");

/** What `defineOptions` returns: a list of options for the faces, carrying their declarations for typing and validation. */
export type OptionSet<S extends OptionShape = OptionShape> = ReadonlyArray<CommandOption> & { readonly [DECLARED]: S };

type SchemaOf<D> = D extends OptionDecl<infer S> ? S : never;

/** The zod object of a shape's schemas. */
export type OptionsSchema<S extends OptionShape> = z.ZodObject<{ [K in keyof S]: SchemaOf<S[K]> }>;

/** What `input.options` holds after validation: inferred from the options' zod schemas. */
export type OptionValues<S extends OptionShape> = z.infer<OptionsSchema<S>>;

/** The validated options of a declared set, e.g. `OptionsOf<typeof CONNECTION_OPTIONS>`. */
export type OptionsOf<T> = T extends OptionSet<infer S> ? OptionValues<S> : never;

/** Declare a command's options, in the order --help lists them. */
export function defineOptions<const S extends OptionShape>(shape: S): OptionSet<S> {
  const list = Object.entries(shape).map(([key, decl]): CommandOption => {
    const names = decl.flags.split(/[ ,|]+/).filter((part) => part.startsWith("-"));
    return { ...decl, key, names, long: names.find((n) => n.startsWith("--")) ?? names[0], takesValue: /[<[]/.test(decl.flags) };
  });
  return Object.freeze(Object.assign(list, { [DECLARED]: shape }));
}

/** Whether `value` was made by defineOptions (and not written by hand). */
export function isOptionSet(value: unknown): value is OptionSet {
  return Array.isArray(value) && Object.isFrozen(value) && DECLARED in value;
}

/** The declarations behind a set, by key. */
export function declarations<S extends OptionShape>(set: OptionSet<S>): S {
  return set[DECLARED];
}

/**
 * The options' values when every given one passes its `accepts` and no
 * unknown key is there: given values (text read as the option's type) plus
 * defaults. Undefined otherwise: then the zod schema decides, and words why.
 */
export function acceptOptions(set: OptionSet | undefined, given: Record<string, unknown>): Record<string, unknown> | undefined {
  const options = set ?? [];
  if (Object.keys(given).some((key) => !options.some((o) => o.key === key))) return undefined;
  const values: Record<string, unknown> = {};
  for (const option of options) {
    const raw = given[option.key];
    const value = typeof raw === "string" && option.fromText ? option.fromText(raw) : raw;
    if (value === undefined) {
      if (option.default !== undefined) values[option.key] = option.default;
    } else if (option.accepts(value)) values[option.key] = value;
    else return undefined;
  }
  return values;
}

const isBoolean = (value: unknown): boolean => typeof value === "boolean";

/** An on/off flag: `true` when given, absent otherwise (so "not given" can defer to the workspace or environment). */
export function flag(flags: string, description: string): OptionDecl<z.ZodOptional<z.ZodBoolean>> {
  const error = (): string => `${longName(flags)} is a flag: true or false.`;
  return { flags, description, accepts: isBoolean, schema: (zod) => zod.boolean({ error }).optional().describe(description) };
}

/** A `--no-X` flag: X is true unless the flag is given. */
export function negated(flags: `--no-${string}`, description: string): OptionDecl<z.ZodDefault<z.ZodBoolean>> {
  const error = (): string => `${longName(flags)} is a flag: true or false.`;
  return { flags, description, default: true, accepts: isBoolean, schema: (zod) => zod.boolean({ error }).default(true).describe(description) };
}

/** Options of a text value. */
export interface TextOptions {
  completion?: Completion;
}

/** A text value: "--node <node>". */
export function text(flags: string, description: string, options: TextOptions & { default: string }): OptionDecl<z.ZodDefault<z.ZodString>>;
export function text(flags: string, description: string, options?: TextOptions): OptionDecl<z.ZodOptional<z.ZodString>>;
export function text(flags: string, description: string, options: TextOptions & { default?: string } = {}): OptionDecl<z.ZodDefault<z.ZodString> | z.ZodOptional<z.ZodString>> {
  const error = (iss: { input?: unknown }): string => `${longName(flags)} must be text, got ${JSON.stringify(iss.input)}.`;
  const { default: value, completion } = options;
  return {
    flags,
    description,
    default: value,
    completion,
    accepts: (v) => typeof v === "string",
    schema: (zod) => (value === undefined ? zod.string({ error }).optional() : zod.string({ error }).default(value)).describe(description),
  };
}

/** Bounds of a number. */
export interface NumberOptions {
  /** Whole numbers only. */
  int?: boolean;
  min?: number;
  max?: number;
}

/** A number: "--wait <seconds>". A value outside the bounds is refused, naming the flag and what it takes. */
export function number(flags: string, description: string, options: NumberOptions & { default: number }): OptionDecl<z.ZodDefault<z.ZodNumber>>;
export function number(flags: string, description: string, options?: NumberOptions): OptionDecl<z.ZodOptional<z.ZodNumber>>;
export function number(flags: string, description: string, options: NumberOptions & { default?: number } = {}): OptionDecl<z.ZodDefault<z.ZodNumber> | z.ZodOptional<z.ZodNumber>> {
  const { int = false, min, max, default: value } = options;
  const range = min !== undefined && max !== undefined ? ` between ${min} and ${max}` : min !== undefined ? ` ${min} or more` : max !== undefined ? ` ${max} or less` : "";
  const error = (iss: { input?: unknown }): string => `${longName(flags)} must be ${int ? "a whole number" : "a number"}${range}, got "${String(iss.input)}".`;
  const build = (zod: Zod): z.ZodNumber => {
    let n = zod.number({ error });
    if (int) n = n.int({ error });
    if (min !== undefined) n = n.min(min, { error });
    return max === undefined ? n : n.max(max, { error });
  };
  return {
    flags,
    description,
    default: value,
    fromText: (s) => (s.trim() !== "" && Number.isFinite(Number(s)) ? Number(s) : s),
    // zod's int() is a safe integer; its number() is finite.
    accepts: (v) => typeof v === "number" && (int ? Number.isSafeInteger(v) : Number.isFinite(v)) && (min === undefined || v >= min) && (max === undefined || v <= max),
    schema: (zod) => (value === undefined ? build(zod).optional() : build(zod).default(value)).describe(description),
  };
}

/** One of fixed values: "--engine <engine>" with ["terraform", "native"]. */
export function choice<const V extends readonly [string, ...string[]]>(flags: string, description: string, values: V): OptionDecl<z.ZodOptional<z.ZodEnum<{ [K in V[number]]: K }>>> {
  const error = (iss: { input?: unknown }): string => `${longName(flags)} must be one of ${values.join(", ")}, got "${String(iss.input)}".`;
  return {
    flags,
    description,
    choices: values,
    completion: values,
    accepts: (v) => typeof v === "string" && values.includes(v),
    schema: (zod) => zod.enum(values, { error }).optional().describe(description),
  };
}

/** A repeatable text value collecting an array: "--tag <tag>" given twice → ["a", "b"]. */
export function list(flags: string, description: string, options: TextOptions = {}): OptionDecl<z.ZodOptional<z.ZodArray<z.ZodString>>> {
  const error = (): string => `${longName(flags)} takes text values (given as a list).`;
  return {
    flags,
    description,
    repeatable: true,
    completion: options.completion,
    fromText: (s) => [s],
    accepts: (v) => Array.isArray(v) && v.every((item) => typeof item === "string"),
    schema: (zod) => zod.array(zod.string({ error }), { error }).optional().describe(description),
  };
}

function longName(flags: string): string {
  return /--[\w-]+/.exec(flags)?.[0] ?? flags;
}
