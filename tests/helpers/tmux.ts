/**
 * Drive a real terminal program in tmux (a real pseudo-terminal): type with
 * send-keys, read the screen with capture-pane. Used for the console tests.
 */
import { execFileSync, spawnSync } from "node:child_process";

/** True when tmux is installed (.ci/run installs it). */
export function hasTmux(): boolean {
  return spawnSync("tmux", ["-V"]).status === 0;
}

export class TmuxSession {
  private constructor(readonly name: string) {}

  /** Start `command` in a detached 160x50 terminal. */
  static start(command: string, env: NodeJS.ProcessEnv, cwd: string): TmuxSession {
    const name = `mpc-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const exports = Object.entries(env)
      .filter(([k, v]) => v !== undefined && /^(PROXMOX_|NO_COLOR|PATH|HOME|DATABASE_URL|TERM)/.test(k))
      .map(([k, v]) => `export ${k}='${String(v).replace(/'/g, "'\\''")}';`)
      .join(" ");
    execFileSync("tmux", ["new-session", "-d", "-s", name, "-x", "160", "-y", "50", `cd '${cwd}' && ${exports} ${command}; echo "[exit $?]"; sleep 60`]);
    return new TmuxSession(name);
  }

  /** Type keys (tmux key names like Enter, Tab, C-c are allowed). */
  send(...keys: string[]): void {
    execFileSync("tmux", ["send-keys", "-t", this.name, ...keys]);
  }

  /** Type literal text. */
  type(text: string): void {
    execFileSync("tmux", ["send-keys", "-t", this.name, "-l", text]);
  }

  screen(): string {
    return execFileSync("tmux", ["capture-pane", "-p", "-J", "-S", "-200", "-t", this.name], { encoding: "utf8" });
  }

  /** Wait until the screen matches (or fail with the screen in the message). */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(): void {
    spawnSync("tmux", ["kill-session", "-t", this.name]);
  }
}
