/**
 * The figures of one operation (a command run from any face): time per
 * phase, API requests with their bytes, retries and time, and time spent in
 * the store. The composition root gives each run one collector; the API
 * transport, the store and the phases of long work add to it; the runner
 * records its snapshot with the operation, where `logs` and `health` read it.
 */

/** What is kept in the operations table (`Operation.metrics`, JSON). */
export interface MetricsSnapshot {
  /** Milliseconds per phase (`sync.fetch-configs`, `apply.create`, `task.wait`…), summed when a phase repeats. */
  phases: Record<string, number>;
  api: {
    requests: number;
    /** Attempts answered with an HTTP error or not at all (retried ones included). */
    errors: number;
    /** Attempts that were retries. */
    retries: number;
    /** Response bytes read. */
    bytesIn: number;
    /** Request body bytes sent. */
    bytesOut: number;
    /** Time spent waiting for responses (overlapping requests each count). */
    ms: number;
  };
  db: { queries: number; ms: number };
}

/** One finished API request (one attempt), as the transport reports it. */
export interface ApiRequestFigures {
  /** HTTP status; undefined when no answer came (network error, timeout). */
  status: number | undefined;
  /** 1 for the first try, 2+ for a retry. */
  attempt: number;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
}

/** The collector of one run. */
export class OperationMetrics {
  private readonly phases = new Map<string, number>();
  private readonly api = { requests: 0, errors: 0, retries: 0, bytesIn: 0, bytesOut: 0, ms: 0 };
  private readonly db = { queries: 0, ms: 0 };

  /** Add the time of a phase (milliseconds). */
  phase(name: string, ms: number): void {
    this.phases.set(name, (this.phases.get(name) ?? 0) + ms);
  }

  /** Time `work` as phase `name`. */
  async timed<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.phase(name, performance.now() - started);
    }
  }

  /** One attempt of an API request; a second attempt counts as a retry, an answer ≥ 400 or none as an error. */
  apiRequest(figures: ApiRequestFigures): void {
    this.api.requests += 1;
    if (figures.attempt > 1) this.api.retries += 1;
    if (figures.status === undefined || figures.status >= 400) this.api.errors += 1;
    this.api.bytesIn += figures.bytesIn;
    this.api.bytesOut += figures.bytesOut;
    this.api.ms += figures.durationMs;
  }

  /** One store call of `ms` milliseconds. */
  dbQuery(ms: number): void {
    this.db.queries += 1;
    this.db.ms += ms;
  }

  /** The figures so far, rounded to whole milliseconds. */
  snapshot(): MetricsSnapshot {
    return {
      phases: Object.fromEntries([...this.phases].map(([name, ms]) => [name, Math.round(ms)])),
      api: { ...this.api, ms: Math.round(this.api.ms) },
      db: { queries: this.db.queries, ms: Math.round(this.db.ms) },
    };
  }

  /** Whether anything was measured (a run that did no work records no figures). */
  get empty(): boolean {
    return this.phases.size === 0 && this.api.requests === 0 && this.db.queries === 0;
  }
}
