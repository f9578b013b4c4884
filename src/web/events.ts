/**
 * The live event stream (GET /api/v1/events, Server-Sent Events) read with
 * fetch and a stream reader, because EventSource cannot send the
 * Authorization header. Reconnects with Last-Event-ID after a drop; keeps the
 * last events so a page that learns a correlation id late (a 202 answer
 * arriving after the run's first events) still sees them.
 */

/** One event (src/core/events.ts WorkspaceEvent, as the stream sends it). */
export interface LiveEvent {
  seq: number;
  id: string;
  type: string;
  at: string;
  correlationId?: string;
  data: Record<string, unknown>;
}

/**
 * Commands that only read (the dashboard's own loads among them): their
 * operation events change nothing a page shows, and reloading on them would
 * make every page that follows operations reload itself forever.
 */
const READS = new Set(["get", "describe", "logs", "status", "health", "audit", "test"]);
const LISTS = new Set(["snapshot", "backup"]);

/** Whether a run of this command only read (the list action of snapshot and backup too). */
export function readsOnly(command: string, args: readonly unknown[] = []): boolean {
  return READS.has(command) || (LISTS.has(command) && args[0] === "list");
}

/**
 * Whether an event marks a run that only read: an operation.started of a read, or an
 * operation.finished another process's run read from the store (`origin: "store"`: no
 * operation.started came before it; it carries the command's args itself).
 */
export function startsRead(event: LiveEvent): boolean {
  const fromStore = event.type === "operation.finished" && event.data.origin === "store";
  if (event.type !== "operation.started" && !fromStore) return false;
  return readsOnly(String(event.data.command), Array.isArray(event.data.args) ? event.data.args : []);
}

/** Whether an event is a read's operation.started/progress/finished. */
export function isRead(event: LiveEvent, reads: ReadonlySet<string>): boolean {
  return event.type.startsWith("operation.") && event.correlationId !== undefined && reads.has(event.correlationId);
}

export type StreamState = "connecting" | "live" | "offline";

type Listener = (event: LiveEvent) => void;

const KEEP = 500;

export class EventStream {
  state: StreamState = "connecting";
  readonly recent: LiveEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<(s: StreamState) => void>();
  private lastSeq = 0;
  private seen = new Set<string>();
  /** Correlation ids of runs that only read (READS, and the list action of snapshot and backup). */
  readonly reads = new Set<string>();
  private abort = new AbortController();
  private stopped = false;

  constructor(private readonly token: string) {
    void this.run();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (s: StreamState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): void {
    this.stopped = true;
    this.abort.abort();
  }

  private setState(state: StreamState): void {
    if (state === this.state) return;
    this.state = state;
    for (const l of [...this.stateListeners]) l(state);
  }

  private async run(): Promise<void> {
    let wait = 500;
    while (!this.stopped) {
      this.setState(this.state === "live" ? "connecting" : this.state);
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: "text/event-stream" };
        if (this.lastSeq) headers["last-event-id"] = String(this.lastSeq);
        const res = await fetch("/api/v1/events", { headers, signal: this.abort.signal, cache: "no-store" });
        if (res.status === 401 || res.status === 403) {
          this.setState("offline");
          return;
        }
        if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
        this.setState("live");
        wait = 500;
        await this.read(res.body);
      } catch {
        // A drop, a restart of the server, or close(): try again unless closed.
      }
      if (this.stopped) return;
      this.setState("offline");
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 10_000);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        this.dispatch(block);
      }
    }
  }

  private dispatch(block: string): void {
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (!data.length) return;
    let event: LiveEvent;
    try {
      event = JSON.parse(data.join("\n")) as LiveEvent;
    } catch {
      return;
    }
    // A replay after a reconnect may repeat events (or, after a server restart, start again at 1): known ids are skipped.
    this.lastSeq = event.seq;
    if (this.seen.has(event.id)) return;
    this.seen.add(event.id);
    if (this.seen.size > KEEP * 2) this.seen = new Set(this.recent.map((e) => e.id));
    if (event.correlationId && startsRead(event)) {
      this.reads.add(event.correlationId);
      if (this.reads.size > KEEP) this.reads.delete(this.reads.values().next().value!);
    }
    this.recent.push(event);
    if (this.recent.length > KEEP) this.recent.shift();
    for (const l of [...this.listeners]) l(event);
  }
}
