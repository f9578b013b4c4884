/**
 * Types of the official Proxmox VE API schema (pve-docs api-viewer/apidata.js)
 * as vendored in pve-api-subset.json. Booleans inside the schema are Perl-style
 * 0/1 numbers.
 */

/** One property schema (a parameter, a return property or a property-string key). */
export interface PropertySchema {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object" | "null" | "any" | string;
  optional?: 0 | 1;
  default?: unknown;
  description?: string;
  verbose_description?: string;
  /** A named format ("pve-vmid") or, for property strings, the schema of every key. */
  format?: string | Record<string, PropertySchema>;
  format_description?: string;
  enum?: readonly string[];
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  typetext?: string;
  /** Property-string key written without `key=` (e.g. the MAC of `virtio=...`). */
  default_key?: 0 | 1;
  /** This key is another name of the given key. */
  alias?: string;
  /** With alias: the key name itself is stored under this key (net `virtio=` → model). */
  keyAlias?: string;
  requires?: string | Record<string, unknown>;
  properties?: Record<string, PropertySchema>;
  additionalProperties?: 0 | 1 | PropertySchema;
  items?: PropertySchema;
  renderer?: string;
}

/** A permission check expression, e.g. ["perm", "/vms/{vmid}", ["VM.Audit"], "any", 1]. */
export type PermissionCheck = readonly unknown[];

/** The `permissions` object of a method. */
export interface MethodPermissions {
  check?: PermissionCheck;
  user?: string;
  description?: string;
}

/** The schema of one method of one path. */
export interface MethodInfo {
  name: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  description?: string;
  allowtoken?: 0 | 1;
  protected?: 0 | 1;
  proxyto?: string | null;
  parameters?: {
    additionalProperties?: 0 | 1;
    properties?: Record<string, PropertySchema>;
  };
  returns?: PropertySchema;
  permissions?: MethodPermissions;
}

/** One vendored endpoint. */
export interface VendoredEndpoint {
  method: MethodInfo["method"];
  path: string;
  info: MethodInfo;
}

/** The content of pve-api-subset.json. */
export interface SchemaSubset {
  source: { repository: string; commit: string; file: string; version: string };
  /** Highest index of every indexed key (`net[n]` → 31). */
  indexMax: Record<string, number>;
  endpoints: VendoredEndpoint[];
}

/** What findEndpoint() returns. */
export interface EndpointMatch {
  /** The schema path, e.g. "/nodes/{node}/qemu/{vmid}/config". */
  pathTemplate: string;
  /** Decoded values of the `{x}` segments. */
  pathParams: Record<string, string>;
  info: MethodInfo;
}

/** A parameter value as a client holds it before encoding. */
export type ParamValue = string | number | boolean | undefined;
