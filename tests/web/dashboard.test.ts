/**
 * The web dashboard end to end: Debian's chromium (playwright-core) against
 * `proxmox-mpc serve` (a real child process) on a workspace synced from the
 * simulator. Everything is found by role and accessible name, as
 * docs/dashboard.md promises: log in with the token, filter the guests, edit
 * a .tf (validation problems with line numbers, save, plan, apply with
 * progress), start a stopped VM and watch its status change over the event
 * stream, a CLI stop (another process) seen there too, the audit page; a
 * viewer sees no mutating button and the API refuses those calls anyway; the
 * login by keyboard alone; no horizontal overflow at 390×844 and 1280×800;
 * dark mode. Screenshots of every page go to test-artifacts/web/
 * (docs/testing.md). The tests share one server and browser but none needs
 * another to have run: each changes a guest of its own (the apply web-01, the
 * start db-01, the CLI stop dns-01) and finds its own action on the Audit page.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from "playwright-core";
import { describeWith } from "../helpers/real-parts.js";
import { eventually, launchChromium, screenshot, startDashboard, type Dashboard } from "../helpers/browser.js";

const describeBrowser = describeWith("chromium");
const WEB = 100; // web-01 in the seed: a running VM on pve1 with 2 cores (the IaC test changes them)
const DB = 102; // db-01: a stopped VM on pve2 (the start test starts it)
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let browser: Browser;
let dash: Dashboard;
const contexts: BrowserContext[] = [];

/** A new tab in its own context (its own sessionStorage: logged out). */
async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  context.setDefaultTimeout(10_000); // a missing element fails with Playwright's own message, before jest's timeout
  contexts.push(context);
  return context.newPage();
}

/** Log in with the token: the header then names the token and its role and offers Log out. */
async function logIn(page: Page, token: string, who: string): Promise<void> {
  await page.goto(dash.url);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await page.getByText(who, { exact: true }).waitFor();
  await page.getByRole("button", { name: "Log out", exact: true }).waitFor();
}

const h1 = (page: Page, name: string): Locator => page.getByRole("heading", { level: 1, name, exact: true });
const button = (scope: Page | Locator, name: string): Locator => scope.getByRole("button", { name, exact: true });
const guestsTable = (page: Page): Locator => page.getByRole("table", { name: "Guests", exact: true });
/** The data rows of a table (the header row has no cell). */
const dataRows = (table: Locator): Locator => table.getByRole("row").filter({ has: table.page().getByRole("cell") });

/** The column headers' texts, without the sort arrow of the sorted one (once the table is there). */
async function headersOf(table: Locator): Promise<string[]> {
  await table.getByRole("columnheader").first().waitFor();
  return (await table.getByRole("columnheader").allInnerTexts()).map((h) => h.replace(/[▲▼]/g, "").trim());
}

/** The cell of a row under the column header `column`. */
async function cellOf(table: Locator, row: Locator, column: string): Promise<Locator> {
  const headers = await headersOf(table);
  const index = headers.indexOf(column);
  if (index < 0) throw new Error(`table has no column ${column}: ${headers.join(", ")}`);
  return row.locator(":scope > td, :scope > th").nth(index);
}

const exactly = (text: string): RegExp => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);

/**
 * The rows whose cells under the named columns read these texts (a string:
 * the whole cell): a locator, so waiting on it waits for such a row.
 */
async function rowsWhere(table: Locator, where: Record<string, string | RegExp>): Promise<Locator> {
  const headers = await headersOf(table);
  let rows = table.getByRole("row");
  for (const [column, text] of Object.entries(where)) {
    const n = headers.indexOf(column) + 1;
    if (n === 0) throw new Error(`table has no column ${column}: ${headers.join(", ")}`);
    const cell = table.page().locator(`:scope > td:nth-child(${n}), :scope > th:nth-child(${n})`);
    rows = rows.filter({ has: cell.filter({ hasText: typeof text === "string" ? exactly(text) : text }) });
  }
  return rows;
}

/** The confirmation dialog named `title`: check it lists `lists`, then Confirm. */
async function confirm(page: Page, title: string | RegExp, lists: string): Promise<void> {
  const dialog = page.getByRole("dialog", { name: title });
  await dialog.waitFor();
  expect(await dialog.innerText()).toContain(lists);
  await button(dialog, "Confirm").click();
  await dialog.waitFor({ state: "hidden" });
}

/** The Audit page (through the Main navigation) has a row of `action` (on `target`) made over the API with the token named admin. */
async function seeInAudit(page: Page, action: string, target?: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit", exact: true }).click();
  await h1(page, "Audit").waitFor();
  const table = page.getByRole("table", { name: "Audit", exact: true });
  await (await rowsWhere(table, { Action: action, Actor: "api", Principal: "admin", Role: "admin", ...(target ? { Target: new RegExp(`\\b${target}\\b`) } : {}) })).first().waitFor();
  await screenshot(page, `audit-${action}`);
}

/** Navigate the one-page app to a hash route and wait for its heading. */
async function open(page: Page, route: string, heading: string): Promise<void> {
  await page.goto(`${dash.url}#/${route}`);
  await h1(page, heading).waitFor();
}

/** How far the page is wider than the window (0: no horizontal scrollbar). */
async function overflow(page: Page): Promise<number> {
  return Number(await page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth"));
}

/** The pages, each with its route, heading and what shows it has loaded. */
const PAGES: Array<{ name: string; route: string; heading: string; ready: (page: Page) => Locator }> = [
  { name: "overview", route: "overview", heading: "Overview", ready: (p) => p.getByRole("table", { name: "Guests by status" }) },
  { name: "guests", route: "guests", heading: "Guests", ready: (p) => guestsTable(p).getByRole("row", { name: /db-01/ }) },
  { name: "guest", route: "guests/vm/db-01", heading: "db-01", ready: (p) => p.getByRole("table", { name: "Config" }) },
  { name: "iac", route: "iac", heading: "IaC", ready: (p) => p.getByRole("list", { name: "IaC files" }).getByRole("link").first() },
  { name: "plan", route: "plan", heading: "Plan", ready: (p) => button(p, "Plan") },
  { name: "logs", route: "logs", heading: "Logs", ready: (p) => p.getByRole("table", { name: "Logs" }) },
  { name: "audit", route: "audit", heading: "Audit", ready: (p) => p.getByRole("table", { name: "Audit" }) },
];

/** Visit every page; screenshot each (named by page and viewport) and return the overflow of each. */
async function tour(page: Page): Promise<Record<string, number>> {
  const wide: Record<string, number> = {};
  for (const p of PAGES) {
    await open(page, p.route, p.heading);
    await p.ready(page).waitFor();
    await screenshot(page, p.name);
    wide[p.name] = await overflow(page);
  }
  return wide;
}

/** The luminance (0 black … 1 white) of the body's background (the first non-transparent one up from main). */
async function backgroundLuminance(page: Page): Promise<number> {
  const rgb = String(
    await page.evaluate(`(() => {
      for (let el = document.querySelector("main") || document.body; el; el = el.parentElement) {
        const c = getComputedStyle(el).backgroundColor;
        if (c && c !== "transparent" && !/rgba\\(.*,\\s*0\\)$/.test(c)) return c;
      }
      return "rgb(255, 255, 255)";
    })()`),
  );
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? ["255", "255", "255"]).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

describeBrowser("the dashboard in Debian's chromium", () => {
  let admin: Page;

  beforeAll(async () => {
    [browser, dash] = await Promise.all([launchChromium(), startDashboard()]);
    admin = await newPage();
    await logInAdmin(admin);
  }, 60_000);
  afterEach(async () => {
    // Where each tab ended (after a failure: what it showed), named by the test.
    const test = (expect.getState().currentTestName ?? "test").replace(/^the dashboard in Debian's chromium /, "").replace(/\W+/g, "-").slice(0, 60);
    const pages = contexts.flatMap((c) => c.pages());
    for (const [i, page] of pages.entries()) await screenshot(page, `end-${test}-${i}`).catch(() => undefined);
    for (const c of contexts.splice(1)) await c.close();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await dash?.stop();
  });

  it("filters the guests table with the search box to the matching rows", async () => {
    await open(admin, "guests", "Guests");
    const table = guestsTable(admin);
    await table.getByRole("row", { name: /db-01/ }).waitFor();
    expect(await headersOf(table)).toEqual(expect.arrayContaining(["Name", "VMID", "Node", "Status", "Cores", "Memory", "Disk", "Tags"]));
    const all = await dataRows(table).count();
    expect(all).toBeGreaterThanOrEqual(3);
    await screenshot(admin, "guests-all");

    await admin.getByRole("searchbox", { name: "Search guests" }).fill("db-01");
    await eventually(async () => expect(await dataRows(table).count()).toBe(1));
    expect(await dataRows(table).first().innerText()).toContain("db-01");
    expect(await admin.getByLabel("Shown", { exact: true }).innerText()).toMatch(new RegExp(`^1 of ${all} guests`));
    await screenshot(admin, "guests-filtered");

    await admin.getByRole("searchbox", { name: "Search guests" }).fill("");
    await eventually(async () => expect(await dataRows(table).count()).toBe(all));
  });

  it("edits web-01's .tf: an invalid file shows its problem with the line number; fixed, saved, planned, applied with progress, audited", async () => {
    await open(admin, "guests/vm/web-01", "web-01");
    await admin.getByRole("link", { name: /^Edit terraform\/.+\.tf$/ }).click();
    await h1(admin, "IaC").waitFor();
    const editor = admin.getByLabel("IaC file", { exact: true });
    await eventually(async () => expect(await editor.inputValue()).toMatch(/cores\s*=\s*2\b/));
    const original = await editor.inputValue();
    const coresLine = original.split("\n").findIndex((l) => /cores\s*=\s*2\b/.test(l)) + 1;

    await editor.fill(original.replace(/cores\s*=\s*2\b/, "cores = "));
    await button(admin, "Validate").click();
    const problems = admin.getByRole("list", { name: "Problems" });
    const problem = problems.getByRole("listitem").filter({ hasText: new RegExp(`^line ${coresLine}: `) });
    await problem.first().waitFor();
    expect(await problem.first().innerText()).toMatch(/Invalid expression/);
    await screenshot(admin, "iac-problems");

    await editor.fill(original.replace(/cores\s*=\s*2\b/, "cores = 3"));
    await button(admin, "Validate").click();
    await admin.getByText("No problems.", { exact: true }).waitFor();
    expect(await problems.getByRole("listitem").count()).toBe(0);

    await button(admin, "Save").click();
    await confirm(admin, /^Save terraform\/.+\.tf\?$/, "3");
    await admin.getByRole("log", { name: "Notifications" }).getByText(/^saved terraform\/.+\.tf$/).waitFor();

    await button(admin, "Plan").click();
    const result = admin.getByLabel("Plan result", { exact: true });
    await result.getByText(/^Plan: 0 to add, 1 to change, 0 to destroy\.$/).waitFor();
    const changes = result.getByRole("table", { name: "Changes" });
    await (await rowsWhere(changes, { Action: "update", Kind: "vm", Name: "web-01", Details: /cores: 2 → 3/ })).waitFor();
    expect(await dataRows(changes).count()).toBe(1);
    await screenshot(admin, "iac-plan");

    await button(admin, "Apply").click();
    const asked = admin.getByRole("dialog", { name: "Apply the plan?" });
    await button(asked, "Cancel").click();
    await asked.waitFor({ state: "hidden" });
    expect(dash.sim.cluster.guest(WEB)?.config.cores).toBe(2);
    await button(admin, "Apply").click();
    await confirm(admin, "Apply the plan?", "web-01");
    await admin.getByLabel("Apply status").getByText("Apply ok.", { exact: true }).waitFor({ timeout: 20_000 });
    await admin.getByRole("list", { name: "Progress" }).getByRole("listitem").filter({ hasText: /updating web-01 \(cores\)/ }).waitFor();
    expect(dash.sim.cluster.guest(WEB)?.config.cores).toBe(3);
    await screenshot(admin, "iac-applied");

    await seeInAudit(admin, "apply");
  });

  it("starts the stopped db-01 from the guests table (confirmed): its status cell turns running live, without a reload, here and in a viewer's tab; audited", async () => {
    // A viewer's tab that does nothing: only the event stream can tell it about the start.
    const watcher = await newPage();
    await logIn(watcher, dash.tokens.viewer, "viewer-1 (viewer)");
    const statusAfterLoad = async (page: Page): Promise<Locator> => {
      await page.getByRole("status", { name: "Event stream" }).getByText("live", { exact: true }).waitFor();
      const table = guestsTable(page);
      await table.getByRole("row", { name: /db-01/ }).waitFor();
      return cellOf(table, table.getByRole("row", { name: /db-01/ }), "Status");
    };
    const statusIn = async (page: Page): Promise<Locator> => {
      await open(page, "guests", "Guests");
      const cell = await statusAfterLoad(page);
      expect(await cell.innerText()).toBe("stopped");
      await page.evaluate("window.__notReloaded = true");
      return cell;
    };
    const [status, watched] = [await statusIn(admin), await statusIn(watcher)];

    await admin.getByRole("checkbox", { name: "Select db-01", exact: true }).check();
    const placed = await status.boundingBox();
    await button(admin.getByRole("toolbar", { name: "Bulk actions" }), "Start").click();
    await confirm(admin, "Start 1 guest?", "db-01");
    await eventually(async () => expect(await status.innerText()).toBe("running"), 15_000);
    await eventually(async () => expect(await watched.innerText()).toBe("running"), 15_000);
    expect([await admin.evaluate("window.__notReloaded === true"), await watcher.evaluate("window.__notReloaded === true")]).toEqual([true, true]);
    expect(await status.boundingBox()).toEqual(placed); // no layout shift on the live update
    expect(dash.sim.cluster.guest(DB)?.status).toBe("running");
    await admin.getByRole("log", { name: "Notifications" }).getByText(/^start db-01: ok/).waitFor();
    await screenshot(admin, "guests-started");
    await watcher.reload(); // the store has the new status too, not only the page
    expect(await (await statusAfterLoad(watcher)).innerText()).toBe("running");

    await seeInAudit(admin, "start", "db-01");
  });

  it("a CLI stop of the running dns-01 (another process): its status cell turns stopped without a reload", async () => {
    const page = await newPage();
    await logIn(page, dash.tokens.viewer, "viewer-1 (viewer)");
    await open(page, "guests", "Guests");
    await page.getByRole("status", { name: "Event stream" }).getByText("live", { exact: true }).waitFor();
    const table = guestsTable(page);
    await table.getByRole("row", { name: /dns-01/ }).waitFor();
    const status = await cellOf(table, table.getByRole("row", { name: /dns-01/ }), "Status");
    expect(await status.innerText()).toBe("running");
    await page.evaluate("window.__notReloaded = true");
    // Not through this server: only the store (read back by the server's store watcher) tells it.
    const stopped = await dash.ws.run(["stop", "ct", "dns-01", "--yes"]);
    expect([stopped.code, stopped.stderr]).toEqual([0, expect.any(String)]);
    await eventually(async () => expect(await status.innerText()).toBe("stopped"), 15_000);
    expect(await page.evaluate("window.__notReloaded === true")).toBe(true);
  });

  it("a guest with a snapshot shows it on its page, with its time, and every section loads", async () => {
    const taken = await dash.ws.run(["snapshot", "create", "vm", "web-01", "qa-snap", "--description", "before the upgrade"]);
    expect([taken.code, taken.stderr]).toEqual([0, expect.any(String)]);
    const page = await newPage();
    await logIn(page, dash.tokens.viewer, "viewer-1 (viewer)");
    await open(page, "guests/vm/web-01", "web-01");
    const snapshots = page.getByRole("table", { name: "Snapshots" });
    const row = snapshots.getByRole("row", { name: /qa-snap/ });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/qa-snap\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[\s\S]*before the upgrade/);
    // Every section has loaded: nothing is left "Loading…" (a bad time used to stop the page there).
    await page.getByRole("table", { name: "History" }).getByRole("cell").first().waitFor();
    await eventually(async () => expect(await page.getByText("Loading…").count()).toBe(0), 10_000);
    await screenshot(page, "guest-with-snapshot");
  });

  it("a confirmation opens on Cancel (Enter alone never acts), names the guests already stopped apart, and gives the focus back to the button that opened it", async () => {
    const page = await newPage();
    await logIn(page, dash.admin, "admin (admin)");
    await open(page, "guests", "Guests");
    const table = guestsTable(page);
    const row = table.getByRole("row", { name: /web-01/ });
    await row.getByRole("checkbox").check();
    // dns-01 was stopped by the CLI test above: named apart, left as it is.
    const stoppedRow = table.getByRole("row", { name: /dns-01/ });
    expect(await (await cellOf(table, stoppedRow, "Status")).innerText()).toBe("stopped");
    await stoppedRow.getByRole("checkbox").check();
    const stop = button(page, "Stop");
    await stop.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Stop 1 guest?" });
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/hard-stop \(like pulling the plug\) vm web-01[\s\S]*already stopped, left as it is: dns-01/);
    expect(await page.evaluate("document.activeElement && document.activeElement.textContent.trim()")).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await eventually(async () => expect(await page.evaluate("document.activeElement && document.activeElement.textContent.trim()")).toBe("Stop"), 5_000);
    // Nothing was stopped.
    expect(await (await cellOf(table, row, "Status")).innerText()).toBe("running");
  });

  it("gives a viewer no Start, Stop, Save, Plan or Apply button nor the Audit page, and the API refuses those calls with 403", async () => {
    const page = await newPage();
    await logIn(page, dash.tokens.viewer, "viewer-1 (viewer)");
    await open(page, "guests", "Guests");
    await guestsTable(page).getByRole("row", { name: /db-01/ }).waitFor();
    for (const name of ["Start", "Stop", "Shutdown", "Reboot"]) expect(await button(page, name).count()).toBe(0);
    expect(await page.getByRole("checkbox", { name: /^Select / }).count()).toBe(0);
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).count()).toBe(0);

    await open(page, "guests/vm/web-01", "web-01");
    await page.getByRole("table", { name: "Config" }).waitFor();
    for (const name of ["Start", "Stop", "Shutdown", "Reboot"]) expect(await button(page, name).count()).toBe(0);

    await page.getByRole("link", { name: /^Edit terraform\/.+\.tf$/ }).click();
    await button(page, "Validate").waitFor();
    for (const name of ["Save", "New", "Plan", "Apply"]) expect(await button(page, name).count()).toBe(0);
    await open(page, "plan", "Plan");
    for (const name of ["Plan", "Apply"]) expect(await button(page, name).count()).toBe(0);
    await screenshot(page, "plan-viewer");

    const tf = join(dash.ws.dir, "terraform", "web_01.tf");
    const before = readFileSync(tf, "utf8");
    const statuses = await page.evaluate(
      async ([token]) => {
        const send = async (method: string, path: string, body: unknown): Promise<number> =>
          (await fetch(path, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) })).status;
        return {
          start: await send("POST", "/api/v1/commands/start", { kind: "vm", names: ["web-01"], confirm: true }),
          stop: await send("POST", "/api/v1/vms/web-01/stop", { confirm: true }),
          save: await send("PUT", "/api/v1/iac/files/terraform/web_01.tf", { content: "# overwritten by a viewer\n", confirm: true }),
          plan: await send("POST", "/api/v1/plan", {}),
          apply: await send("POST", "/api/v1/apply", { confirm: true }),
        };
      },
      [dash.tokens.viewer],
    );
    expect(statuses).toEqual({ start: 403, stop: 403, save: 403, plan: 403, apply: 403 });
    expect(dash.sim.cluster.guest(WEB)?.status).toBe("running");
    expect(readFileSync(tf, "utf8")).toBe(before);
  });

  it("gives an operator Start and Plan but no Apply", async () => {
    const page = await newPage();
    await logIn(page, dash.tokens.operator, "operator-1 (operator)");
    await open(page, "guests/vm/web-01", "web-01");
    await button(page, "Stop").waitFor();
    await page.getByRole("link", { name: /^Edit terraform\/.+\.tf$/ }).click();
    await button(page, "Plan").waitFor();
    await button(page, "Save").waitFor();
    expect(await button(page, "Apply").count()).toBe(0);
  });

  it("logs in with the keyboard alone (Tab to the token field, type, Enter)", async () => {
    const page = await newPage();
    await page.goto(dash.url);
    const field = page.getByLabel("API token");
    await field.waitFor();
    await screenshot(page, "login");
    const focusedLabel = "(document.activeElement && document.activeElement.labels && document.activeElement.labels[0] || {}).textContent";
    const hasFocus = async (): Promise<boolean> => String(await page.evaluate(focusedLabel)).trim() === "API token";
    let focused = await hasFocus(); // the field may have the focus from the start
    for (let tabs = 0; tabs < 10 && !focused; tabs++) {
      await page.keyboard.press("Tab");
      focused = await hasFocus();
    }
    expect(focused).toBe(true);
    await page.keyboard.type(dash.admin);
    await page.keyboard.press("Enter");
    await page.getByText("admin (admin)", { exact: true }).waitFor();
    await h1(page, "Overview").waitFor();
  });

  it.each([
    ["phone", PHONE],
    ["desktop", DESKTOP],
  ])("renders every page at %s width without horizontal overflow", async (_label, viewport) => {
    const page = await newPage({ viewport });
    await logIn(page, dash.admin, "admin (admin)");
    expect(await tour(page)).toEqual(Object.fromEntries(PAGES.map((p) => [p.name, 0])));
  });

  it("renders dark in a dark color scheme and light in a light one", async () => {
    const light = await luminanceOf(await newPage({ colorScheme: "light" }));
    const page = await newPage({ colorScheme: "dark" });
    const dark = await luminanceOf(page);
    expect({ dark: dark < 0.35, light: light > 0.65 }).toEqual({ dark: true, light: true });
    await tour(page);
  });

  it("lays out readably: whole status headers at 1280 px, logs newest first with the message on screen at 390 px, problems bulleted at their first line, /api/docs code spans", async () => {
    // Guests by status: no header or cell cut (Containers was "Co…").
    await open(admin, "overview", "Overview");
    const byStatus = admin.getByRole("table", { name: "Guests by status" });
    await byStatus.getByRole("cell").first().waitFor();
    expect(await headersOf(byStatus)).toEqual(["Status", "VMs", "Containers", "Count"]);
    const cut = await byStatus.evaluate((t) => Array.from(t.querySelectorAll("th, td")).filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent));
    expect(cut).toEqual([]);

    // Logs: newest first; on a phone each message is inside the window.
    const phone = await newPage({ viewport: PHONE });
    await logIn(phone, dash.admin, "admin (admin)");
    await open(phone, "logs", "Logs");
    const logs = phone.getByRole("table", { name: "Logs" });
    await dataRows(logs).nth(1).waitFor();
    const rows = dataRows(logs);
    const times: string[] = [];
    for (let i = 0; i < Math.min(await rows.count(), 20); i++) times.push(await (await cellOf(logs, rows.nth(i), "Time")).innerText());
    expect(times).toEqual([...times].sort().reverse());
    const message = await (await cellOf(logs, rows.first(), "Message")).boundingBox();
    expect(message && message.width > 200 && message.x >= 0 && message.x + message.width <= PHONE.width).toBe(true);
    expect(await overflow(phone)).toBe(0);
    await screenshot(phone, "logs-stacked");

    // Problems: each one's button is a block, so a wrapped problem keeps its bullet at its first line.
    await open(admin, "iac/terraform/web_01.tf", "IaC");
    const editor = admin.getByLabel("IaC file", { exact: true });
    await eventually(async () => expect(await editor.inputValue()).toContain("resource"));
    const original = await editor.inputValue();
    await editor.fill(original.replace(/(\n\s*name\s*=\s*"web-01"\n)/, `$1  ${"a_very_long_unknown_argument_".repeat(6)}x = 1\n`));
    await button(admin, "Validate").click();
    const item = admin.getByRole("list", { name: "Problems" }).getByRole("listitem").filter({ hasText: "a_very_long_unknown_argument_" });
    await item.first().waitFor();
    const layout = await item.first().evaluate((li) => {
      const b = li.querySelector("button")!;
      return { display: getComputedStyle(b).display, lines: Math.round(b.getBoundingClientRect().height / parseFloat(getComputedStyle(b).lineHeight)), top: Math.round(b.getBoundingClientRect().top - li.getBoundingClientRect().top) };
    });
    expect(layout).toEqual({ display: "block", lines: expect.any(Number), top: 0 });
    expect(layout.lines).toBeGreaterThan(1);
    await screenshot(admin, "iac-problems-wrapped");
    await editor.fill(original);

    // /api/docs: `code` spans of the descriptions are <code>, no backtick left as text.
    await admin.goto(`${dash.url}api/docs`);
    await admin.locator("details").first().waitFor();
    const docs = await admin.evaluate(() => ({
      codes: Array.from(document.querySelectorAll("#routes p code")).map((c) => c.textContent),
      backticks: Array.from(document.querySelectorAll("#routes p, #routes td")).filter((e) => e.textContent!.includes("`")).length,
    }));
    expect(docs.codes).toContain("describe");
    expect(docs.backticks).toBe(0);
    // Only text and <code> come from a description: markup in it stays text.
    const rendered = await admin.evaluate("(() => { const p = document.createElement('p'); p.append(...md('run `<b>x</b>` then <i>y</i> and `z')); return p.innerHTML; })()");
    expect(rendered).toBe("run <code>&lt;b&gt;x&lt;/b&gt;</code> then &lt;i&gt;y&lt;/i&gt; and `z");
  });
});

/** Log the shared admin page in: the overview with its event stream. */
async function logInAdmin(page: Page): Promise<void> {
  await logIn(page, dash.admin, "admin (admin)");
  await h1(page, "Overview").waitFor();
  await page.getByRole("status", { name: "Event stream" }).waitFor();
  await screenshot(page, "overview-after-login");
}

/** Log in and read the guests page's background luminance. */
async function luminanceOf(page: Page): Promise<number> {
  await logIn(page, dash.admin, "admin (admin)");
  await open(page, "guests", "Guests");
  return backgroundLuminance(page);
}
