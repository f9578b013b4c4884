/**
 * The real third-party parts the tests drive (PostgreSQL, ansible,
 * python3-proxmoxer, tmux, Debian's chromium). On a developer's machine a missing part skips its
 * tests with the reason printed; with CI=true a missing part fails the run,
 * so CI can never lose coverage silently (.ci/run installs them all).
 */
import { spawnSync } from "node:child_process";

/** The parts, each with how to check it is there and how to install it. */
export const REAL_PARTS = {
  ansible: { check: ["sh", "-c", "command -v ansible-inventory && command -v ansible-playbook"], install: "apt-get install -y ansible python3-apt" },
  // Debian's python (/usr/bin/python3), where apt installs proxmoxer; not a pyenv shim's.
  proxmoxer: { check: ["/usr/bin/python3", "-c", "import proxmoxer, requests"], install: "apt-get install -y python3-proxmoxer python3-requests" },
  tmux: { check: ["tmux", "-V"], install: "apt-get install -y tmux" },
  // Debian's chromium, driven by playwright-core for the dashboard's browser tests (no browser download).
  chromium: { check: ["/usr/bin/chromium", "--version"], install: "apt-get install -y chromium" },
} as const;

export type RealPart = keyof typeof REAL_PARTS | "postgresql";

/** True when CI=true (the environment CI sets). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true" || env.CI === "1";
}

/**
 * What to do about a missing part: under CI throw (the test file fails with
 * the reason); elsewhere print why its tests are skipped.
 */
export function missingPart(part: RealPart, reason: string): void {
  const message = `${part} is not available (${reason})`;
  if (inCi()) throw new Error(`CI=true: ${message}. .ci/run must install and start it; no test may be skipped in CI.`);
  console.warn(`Skipping the ${part} tests: ${message}.`);
}

const seen = new Map<string, boolean>();

/** True when the part's command runs here (cached per process). */
export function havePart(part: keyof typeof REAL_PARTS): boolean {
  let ok = seen.get(part);
  if (ok === undefined) {
    const [cmd, ...args] = REAL_PARTS[part].check;
    ok = spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
    seen.set(part, ok);
  }
  return ok;
}

/** `describe` when the part is there, `describe.skip` (or a CI failure) when it is not. */
export function describeWith(part: keyof typeof REAL_PARTS): jest.Describe {
  if (havePart(part)) return describe;
  missingPart(part, `install it with: ${REAL_PARTS[part].install}`);
  return describe.skip;
}
