/**
 * Workspace events: what happened, as it happens, for whoever listens in this
 * process — the API's event stream (/api/v1/events), outbound webhooks, the
 * Prometheus figures. One bus per long-lived face (the API server shares one
 * across its runs); a shell run gets its own. Emitting never throws and never
 * waits: a listener that fails is logged by its owner, not by the emitter.
 *
 * The names are part of the public contract (docs/api.md "Events"; webhooks
 * subscribe to them by name).
 */
import { randomUUID } from "node:crypto";

export const EVENT_TYPES = [
  /** A command started: {command, actor, args}. */
  "operation.started",
  /** A line of progress a running command showed: {command, text, level}. */
  "operation.progress",
  /** A command ended: {command, actor, result, exitCode, durationMs, api?: {requests, retries, errors} (its Proxmox API figures), error?}. */
  "operation.finished",
  /** A Proxmox task changed state: {upid, node, type, id?, status, exitstatus?}. */
  "task.status",
  /** A sync finished: {guests, nodes, storages, added, removed, changed, durationMs}. */
  "sync.done",
  /** A sync found changes on the server since the last one: {added, removed, changed, names}. */
  "sync.changed",
  /** Differences between the IaC and the cluster were found: {count, items: [{name, kind, what}]}. */
  "drift.found",
  /** An apply finished: {result, created, changed, destroyed, failed}. */
  "apply.done",
  /** The health checks' overall status changed: {status, previous, failed: [names]}. */
  "health.changed",
  /** A health run had a failing check: {status, failed: [{name, message}]}. */
  "health.failed",
  /** A guest's power state changed through a command: {name, vmid, node, kind, status, previous?}. */
  "guest.status",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface WorkspaceEvent {
  /** Increasing within a bus (the SSE `id:`; resume with Last-Event-ID). */
  seq: number;
  /** Unique across processes (webhook deliveries carry it). */
  id: string;
  type: EventType;
  /** ISO time. */
  at: string;
  /** The run that emitted it, when one did. */
  correlationId?: string;
  data: Record<string, unknown>;
}

export type EventListener = (event: WorkspaceEvent) => void;

/** How many past events a bus keeps for a client resuming with Last-Event-ID. */
const KEEP = 1000;

export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<EventListener>();
  private readonly past: WorkspaceEvent[] = [];

  /** Send an event to every listener (synchronously; a listener that throws is skipped, never the emitter). */
  emit(type: EventType, data: Record<string, unknown>, correlationId?: string): WorkspaceEvent {
    const event: WorkspaceEvent = { seq: ++this.seq, id: randomUUID(), type, at: new Date().toISOString(), ...(correlationId ? { correlationId } : {}), data };
    this.past.push(event);
    if (this.past.length > KEEP) this.past.shift();
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own (each owner logs its own); emitting goes on.
      }
    }
    return event;
  }

  /** Listen until the returned function is called. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `seq` still kept (for Last-Event-ID), oldest first. */
  since(seq: number): WorkspaceEvent[] {
    return this.past.filter((e) => e.seq > seq);
  }

  /** Whether anyone listens (emitters may skip building costly payloads otherwise). */
  get listened(): boolean {
    return this.listeners.size > 0;
  }
}
