/** The apply scheduler alone: limits, dependencies, stop on failure, abort. Jobs take time on jest's fake clock. */
import { jest } from "@jest/globals";
import { runJobs, type Job, type JobOutcome, type SchedulerOptions } from "../../../src/engine/native/scheduler.js";

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const options = (signal = new AbortController().signal): SchedulerOptions => ({ parallel: 4, perNode: 2, signal, isAbort: (e: unknown) => e instanceof Error && e.message === "aborted" });

/** Run the jobs to the end, moving the fake clock through every timer they set. */
async function run(jobs: Job[], opts = options()): Promise<JobOutcome[]> {
  const outcomes = runJobs(jobs, opts);
  await jest.runAllTimersAsync();
  return outcomes;
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

it("never runs more than 4 jobs at once, nor more than 2 on one node", async () => {
  let running = 0;
  let peak = 0;
  const perNode = new Map<string, number>();
  const nodePeak = new Map<string, number>();
  const jobs: Job[] = Array.from({ length: 24 }, (_, i) => {
    const node = `pve${(i % 3) + 1}`;
    return {
      nodes: [node],
      after: [],
      run: async () => {
        running++;
        perNode.set(node, (perNode.get(node) ?? 0) + 1);
        peak = Math.max(peak, running);
        nodePeak.set(node, Math.max(nodePeak.get(node) ?? 0, perNode.get(node)!));
        await tick(3 + (i % 4));
        running--;
        perNode.set(node, perNode.get(node)! - 1);
      },
    };
  });
  const outcomes = await run(jobs);
  expect(outcomes.every((o) => o.status === "done")).toBe(true);
  expect(peak).toBe(4);
  expect([...nodePeak.values()]).toEqual([2, 2, 2]);
});

it("starts a job only after its dependencies are done", async () => {
  const order: string[] = [];
  const job = (name: string, after: number[], ms: number): Job => ({ nodes: ["pve1"], after, run: async () => (await tick(ms), void order.push(name)) });
  // 0: template (slow), 1 and 2: clones of it, 3: a delete after everything.
  const outcomes = await run([job("template", [], 20), job("clone-a", [0], 1), job("clone-b", [0], 1), job("delete", [0, 1, 2], 1)]);
  expect(outcomes.map((o) => o.status)).toEqual(["done", "done", "done", "done"]);
  expect(order[0]).toBe("template");
  expect(order.at(-1)).toBe("delete");
});

it("a failure lets running jobs finish and starts nothing new", async () => {
  const finished: number[] = [];
  const jobs: Job[] = [0, 1, 2, 3, 4].map((i) => ({
    nodes: ["pve1"],
    after: [],
    run: async () => {
      await tick(i === 0 ? 1 : 15);
      if (i === 0) throw new Error("boom");
      finished.push(i);
    },
  }));
  const outcomes = await run(jobs);
  expect(outcomes.map((o) => o.status)).toEqual(["failed", "done", "skipped", "skipped", "skipped"]);
  expect(outcomes[0]).toMatchObject({ error: new Error("boom") });
  expect(finished).toEqual([1]);
});

it("an abort cancels what has not started and reports interrupted jobs as cancelled", async () => {
  const controller = new AbortController();
  const jobs: Job[] = [0, 1, 2].map(() => ({
    nodes: ["pve1"],
    after: [],
    run: () =>
      new Promise<void>((_, reject) => controller.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true })),
  }));
  setTimeout(() => controller.abort(), 10);
  const outcomes = await run(jobs, options(controller.signal));
  expect(outcomes.map((o) => o.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
  expect(outcomes.map((o) => "error" in o && o.error !== undefined)).toEqual([true, true, false]);
});
