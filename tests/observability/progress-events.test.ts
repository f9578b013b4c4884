/**
 * progressEvents (what a run shows → operation.progress on the event stream):
 * a spinner redrawing one line with new figures is thinned to a frame per
 * 250 ms plus its last frame, but every line of another shape — an apply's
 * steps, "[2/6] updating web-01 (cores)…" — goes out, in order, even when
 * they come faster than that.
 */
import { jest } from "@jest/globals";
import { EventBus, type WorkspaceEvent } from "../../src/core/events.js";
import { progressEvents } from "../../src/core/recording-ui.js";

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

function listen(): { bus: EventBus; texts: () => string[] } {
  const bus = new EventBus();
  const seen: WorkspaceEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  return { bus, texts: () => seen.map((e) => String(e.data.text)) };
}

test("every step line goes out, in order, between thinned spinner frames; the spinner's last frame too", () => {
  const { bus, texts } = listen();
  const show = progressEvents(bus, "apply", () => "c-1");
  for (let i = 1; i <= 300; i++) show(`Reading guest configs ${i}/300`, "progress");
  for (let step = 1; step <= 6; step++) {
    show(`[${step}/6] updating guest-${step} (cores)…`, "progress");
    jest.advanceTimersByTime(5);
  }
  show("Apply complete!", "info");
  jest.advanceTimersByTime(1000);
  const out = texts();
  expect(out.filter((t) => t.startsWith("["))).toEqual([1, 2, 3, 4, 5, 6].map((s) => `[${s}/6] updating guest-${s} (cores)…`));
  const frames = out.filter((t) => t.startsWith("Reading"));
  expect(frames[0]).toBe("Reading guest configs 1/300");
  expect(frames[frames.length - 1]).toBe("Reading guest configs 300/300");
  expect(frames.length).toBeLessThanOrEqual(3);
  expect(out[out.length - 1]).toBe("Apply complete!");
  // The spinner's last frame came before the first step.
  expect(out.indexOf("Reading guest configs 300/300")).toBeLessThan(out.indexOf("[1/6] updating guest-1 (cores)…"));
});

test("a spinner left alone sends its newest frame when the window ends", () => {
  const { bus, texts } = listen();
  const show = progressEvents(bus, "sync", () => "c-2");
  show("Reading guest configs 1/10", "progress");
  show("Reading guest configs 2/10", "progress");
  show("Reading guest configs 3/10", "progress");
  expect(texts()).toEqual(["Reading guest configs 1/10"]);
  jest.advanceTimersByTime(250);
  expect(texts()).toEqual(["Reading guest configs 1/10", "Reading guest configs 3/10"]);
});

test("nothing is built or sent while nobody listens", () => {
  const bus = new EventBus();
  const show = progressEvents(bus, "sync", () => "c-3");
  show("[1/2] creating a…", "progress");
  const seen: WorkspaceEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  expect(seen).toEqual([]);
  expect(bus.since(0)).toEqual([]);
});
