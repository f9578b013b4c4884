/**
 * The dashboard's browser tests: Debian's chromium (/usr/bin/chromium) driven
 * by playwright-core (no browser download), and `proxmox-mpc serve` as a real
 * child process on a workspace synced from the simulator, with tokens of each
 * role made by `proxmox-mpc token create` (real child processes too).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { apiServer, syncedWorkspace, stopAll, type ApiServer } from "../api/helpers.js";
import { cliProcess, REPO_ROOT } from "./cli.js";
import type { RunningSimulator } from "./sim.js";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * The flags this machine needs (/work/.library/env/machines/node-svc.md): as root
 * without a sandbox, no GPU, and none of chromium's own connections to Google's
 * hosts, which the closed network refuses. playwright-core adds a new empty
 * --user-data-dir of its own to every launch (it refuses one in `args`).
 */
export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** One headless chromium for a test file. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 30_000 });
}

/** The seed the dashboard tests run on: web-01 and dns-01 running, db-01 (a VM) stopped, a template. */
export const DASHBOARD_SEED = join(REPO_ROOT, "tests", "fixtures", "seeds", "small.yaml");

type Workspace = Awaited<ReturnType<typeof syncedWorkspace>>["ws"];

export interface Dashboard {
  /** The dashboard's address (`/` of the server). */
  url: string;
  /** The admin token `serve` printed on its first start (token name "admin"). */
  admin: string;
  /** Tokens made with `token create NAME --role ROLE`, by name (viewer-1, operator-1). */
  tokens: { viewer: string; operator: string };
  server: ApiServer;
  sim: RunningSimulator;
  ws: Workspace;
  stop: () => Promise<void>;
}

/** `token create NAME --role ROLE` as a child process; the bearer token it shows once. */
export async function createToken(ws: Workspace, name: string, role: "viewer" | "operator" | "admin"): Promise<string> {
  const made = await cliProcess(["-C", ws.dir, "token", "create", name, "--role", role, "-o", "json"], { env: ws.env, cwd: ws.dir });
  if (made.code !== 0) throw new Error(`token create ${name} --role ${role} failed (${made.code}): ${made.stderr}`);
  return (JSON.parse(made.stdout) as { bearer: string }).bearer;
}

/**
 * A simulator (DASHBOARD_SEED), a workspace synced from it, `serve --port 0`
 * on it with the native engine (terraform's provider registry is out of reach
 * here), and a viewer and an operator token. `serve` starts first: it makes
 * the admin token only when the store has none.
 */
export async function startDashboard(): Promise<Dashboard> {
  let sim: RunningSimulator | undefined;
  let ws: Workspace | undefined;
  let server: ApiServer | undefined;
  try {
    ({ sim, ws } = await syncedWorkspace({ seed: DASHBOARD_SEED }));
    server = await apiServer(ws.dir, { ...ws.env, PROXMOX_MPC_ENGINE: "native" });
    const [viewer, operator] = [await createToken(ws, "viewer-1", "viewer"), await createToken(ws, "operator-1", "operator")];
    const parts = { sim, ws, server };
    return { url: `${server.url}/`, admin: server.token, tokens: { viewer, operator }, ...parts, stop: () => stopAll(parts.server, parts.sim, parts.ws) };
  } catch (err) {
    await stopAll(server, sim, ws);
    throw err;
  }
}

/** Where the screenshots go (gitignored; kept by CI as artifacts). */
export const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "web");

/** A full-page screenshot named by page and viewport: test-artifacts/web/guests-1280x800-dark.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const size = page.viewportSize();
  const scheme = await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches ? '-dark' : ''");
  const path = join(ARTIFACTS, `${name}-${size ? `${size.width}x${size.height}` : "default"}${String(scheme)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Retry an assertion until it holds (expect-like polling, for what a locator
 * cannot wait for itself: a count, a computed layout); its last error after
 * `timeoutMs`.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
