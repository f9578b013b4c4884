/**
 * Test helpers: a tiny HTTP client for the simulator (real HTTP over
 * loopback with Node's fetch), task waiting, and shape comparison.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunningSimulator } from "../../src/sim/index.js";

export const here = dirname(fileURLToPath(import.meta.url));
export const fixturesDir = resolve(here, "../fixtures/pve");
export const seedsDir = resolve(here, "../fixtures/seeds");

/** A response: status, reason phrase, parsed body. */
export interface Reply {
  status: number;
  reason: string;
  body: { data: unknown; message?: string; errors?: Record<string, string>; total?: number } | null;
}

/** Requests against a running simulator with its token (or another one). */
export class Api {
  constructor(
    private readonly sim: RunningSimulator,
    private readonly token: string | null = sim.token,
  ) {}

  async call(method: string, path: string, params?: Record<string, string | number>, json = false): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (this.token !== null) headers.Authorization = `PVEAPIToken=${this.token}`;
    let url = `${this.sim.url}/api2/json${path}`;
    let body: string | undefined;
    const form = (p: Record<string, string | number>): string => new URLSearchParams(Object.entries(p).map(([k, v]): [string, string] => [k, String(v)])).toString();
    if (params && (method === "GET" || method === "DELETE")) {
      url += `?${form(params)}`;
    } else if (params && json) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(params);
    } else if (params) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = form(params);
    }
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    return { status: res.status, reason: res.statusText, body: text ? JSON.parse(text) : null };
  }

  get = (path: string, params?: Record<string, string | number>): Promise<Reply> => this.call("GET", path, params);
  post = (path: string, params?: Record<string, string | number>): Promise<Reply> => this.call("POST", path, params ?? {});
  put = (path: string, params?: Record<string, string | number>): Promise<Reply> => this.call("PUT", path, params ?? {});
  del = (path: string, params?: Record<string, string | number>): Promise<Reply> => this.call("DELETE", path, params);

  /** GET and return data, failing the test on a non-200. */
  async data<T = Record<string, unknown>>(path: string, params?: Record<string, string | number>): Promise<T> {
    const r = await this.get(path, params);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.reason}`);
    return r.body!.data as T;
  }

  /** Poll a task until it stops; returns its status object. */
  async waitTask(upid: unknown, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const node = String(upid).split(":")[1];
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.data(`/nodes/${node}/tasks/${encodeURIComponent(String(upid))}/status`);
      if (s.status === "stopped") return s;
      if (Date.now() > until) throw new Error(`task ${String(upid)} still running`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** Read a fixture's JSON. */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(resolve(fixturesDir, name), "utf8")) as T;
}

/** JSON type names of a value's keys: {vmid: "number", tags: "string", ha: "object"}. */
export function shape(value: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
  return out;
}

/**
 * Keys of `expected` missing in `actual` or with another JSON type, except
 * the listed keys (known differences, each one a documented PVE-version change).
 */
export function shapeMismatches(expected: Record<string, unknown>, actual: Record<string, unknown>, except: string[] = []): string[] {
  const e = shape(expected);
  const a = shape(actual);
  return Object.keys(e)
    .filter((k) => !except.includes(k))
    .filter((k) => a[k] !== e[k])
    .map((k) => `${k}: fixture ${e[k]}, simulator ${a[k] ?? "missing"}`);
}
