/**
 * Running apply steps in dependency order with bounded parallelism: at most
 * `parallel` steps at once, at most `perNode` on one node, a step only after
 * the steps it depends on are done. The first failure (or an abort) stops
 * the run: running steps finish, nothing new starts, and every step that
 * never started is reported as skipped (failure) or cancelled (abort).
 */

/** One unit of work. */
export interface Job {
  /** Nodes the step works on (a replace that moves a guest touches two). */
  nodes: string[];
  /** Indexes of jobs that must be done first. */
  after: number[];
  run(): Promise<void>;
}

/** What became of a job. */
export type JobOutcome = { status: "done" } | { status: "failed"; error: unknown } | { status: "skipped" } | { status: "cancelled"; error?: unknown };

export interface SchedulerOptions {
  parallel: number;
  perNode: number;
  signal: AbortSignal;
  /** Whether an error means the run was cancelled rather than failed. */
  isAbort: (error: unknown) => boolean;
}

/** Run the jobs; resolves when every started job has settled. */
export function runJobs(jobs: Job[], options: SchedulerOptions): Promise<JobOutcome[]> {
  const outcomes: (JobOutcome | undefined)[] = new Array<JobOutcome | undefined>(jobs.length);
  const started = new Set<number>();
  const nodeLoad = new Map<string, number>();
  let running = 0;
  let stopped = false;
  return new Promise((resolve) => {
    const onAbort = (): void => pump();
    const finishIfIdle = (): void => {
      if (running > 0) return;
      const pending = jobs.some((_, i) => !started.has(i));
      if (!stopped && pending) return;
      const aborted = options.signal.aborted;
      options.signal.removeEventListener("abort", onAbort);
      resolve(jobs.map((_, i) => outcomes[i] ?? (aborted ? { status: "cancelled" } : { status: "skipped" })));
    };
    const ready = (i: number): boolean => {
      const job = jobs[i];
      if (!job.after.every((d) => outcomes[d]?.status === "done")) return false;
      return job.nodes.every((n) => (nodeLoad.get(n) ?? 0) < options.perNode);
    };
    const pump = (): void => {
      if (options.signal.aborted) stopped = true;
      for (let i = 0; !stopped && running < options.parallel && i < jobs.length; i++) {
        if (started.has(i) || !ready(i)) continue;
        start(i);
      }
      // Nothing running and nothing can start: a dependency failed or is missing.
      if (running === 0 && !stopped && jobs.some((_, i) => !started.has(i))) stopped = true;
      finishIfIdle();
    };
    const start = (i: number): void => {
      const job = jobs[i];
      started.add(i);
      running++;
      for (const n of job.nodes) nodeLoad.set(n, (nodeLoad.get(n) ?? 0) + 1);
      void job.run().then(
        () => (outcomes[i] = { status: "done" }),
        (error: unknown) => {
          const cancelled = options.signal.aborted && options.isAbort(error);
          outcomes[i] = cancelled ? { status: "cancelled", error } : { status: "failed", error };
          stopped = true;
        },
      ).finally(() => {
        running--;
        for (const n of job.nodes) nodeLoad.set(n, (nodeLoad.get(n) ?? 1) - 1);
        pump();
      });
    };
    options.signal.addEventListener("abort", onAbort, { once: true });
    pump();
  });
}
