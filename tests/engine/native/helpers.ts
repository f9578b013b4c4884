/**
 * A workspace for native-engine tests: a simulator, a client on it, a temp
 * folder with terraform/ and the managed set, and an EngineContext over them.
 */
import { join } from "node:path";
import { readFile, writeFile } from "node:fs/promises";
import { createLogger } from "../../../src/core/logger.js";
import { ScriptedUI } from "../../../src/core/ui.js";
import { newGuestSpec, specFromPve, type GuestSpec, type NewGuestInput } from "../../../src/iac/model.js";
import { assignResourceNames } from "../../../src/iac/terraform/spec/names.js";
import { writeTerraform } from "../../../src/iac/terraform/index.js";
import { ProxmoxClient } from "../../../src/proxmox/client.js";
import { parseApiToken } from "../../../src/proxmox/connection.js";
import type { EngineContext } from "../../../src/engine/types.js";
import { markManaged } from "../../../src/engine/native/state.js";
import { addressOf } from "../../../src/engine/native/types.js";
import { startSim, tempDir, type RunningSimulator } from "../../helpers/sim.js";
import type { SimulatorOptions } from "../../../src/sim/index.js";

export interface NativeWorkspace {
  sim: RunningSimulator;
  client: ProxmoxClient;
  dir: string;
  tfDir: string;
  ui: ScriptedUI;
  /** An engine context (optionally with an abort signal). */
  ctx(signal?: AbortSignal): EngineContext;
  /** Write specs with the real generator (adopted ones get import blocks; hand edits are overwritten). */
  write(specs: GuestSpec[]): Promise<void>;
  /** Adopt live guests like sync does: specFromPve → writeTerraform → markManaged. */
  adopt(vmids?: number[]): Promise<GuestSpec[]>;
  /** Edit a .tf file's text. */
  edit(file: string, change: (text: string) => string): Promise<void>;
  close(): Promise<void>;
}

/** Start a simulator and an empty workspace on it. */
export async function nativeWorkspace(options: SimulatorOptions = {}): Promise<NativeWorkspace> {
  const sim = await startSim({ taskDelayMs: 5, ...options });
  const client = new ProxmoxClient({ baseUrl: sim.url, token: parseApiToken(sim.token), tls: { mode: "verify" } }, { retryBaseMs: 20 });
  const { dir, cleanup } = tempDir("mpc-native-");
  const tfDir = join(dir, "terraform");
  const ui = new ScriptedUI([], false);
  const log = createLogger();
  const ws: NativeWorkspace = {
    sim,
    client,
    dir,
    tfDir,
    ui,
    ctx: (signal) => ({
      root: dir,
      terraformDir: tfDir,
      env: {},
      log,
      ui,
      signal: signal ?? new AbortController().signal,
      client: async () => client,
      credentials: async () => ({}),
    }),
    write: async (specs) => {
      await writeTerraform(tfDir, specs, { overwrite: true });
    },
    adopt: async (vmids) => {
      const resources = (await client.clusterResources("vm")).filter((r) => r.vmid !== undefined && (!vmids || vmids.includes(r.vmid)));
      const specs: GuestSpec[] = [];
      for (let i = 0; i < resources.length; i += 16) {
        const batch = await Promise.all(
          resources.slice(i, i + 16).map(async (r) => {
            const type = r.type as "qemu" | "lxc";
            const { digest: _digest, ...config } = await client.guestConfig(r.node!, type, r.vmid!);
            return specFromPve({ vmid: r.vmid!, type, node: r.node!, name: String(r.name ?? ""), status: String(r.status), template: r.template === 1, config });
          }),
        );
        specs.push(...batch.map((s) => ({ ...s, adopted: true })));
      }
      const named = assignResourceNames(specs);
      await writeTerraform(tfDir, named);
      await markManaged(dir, named.map((s) => ({ vmid: s.vmid, name: s.name, node: s.node, type: s.kind, address: addressOf(s) })));
      return named;
    },
    edit: async (file, change) => {
      const path = join(tfDir, file);
      await writeFile(path, change(await readFile(path, "utf8")));
    },
    close: async () => {
      client.close();
      await sim.close();
      cleanup();
    },
  };
  return ws;
}

/** newGuestSpec with test defaults. */
export function newVm(input: Partial<NewGuestInput> & { name: string; vmid: number; node: string }): GuestSpec {
  return newGuestSpec({ kind: "qemu", cores: 2, memory: 1024, diskGiB: 16, ...input });
}
