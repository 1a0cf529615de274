import { describe, expect, it } from "vitest";
import type { Run } from "../api/endpoints";
import {
  full,
  type FullRun,
  actionsFor,
  addSample,
  MAX_SAMPLES,
  niceCeiling,
  plotPath,
  progressOf,
  rateSeries,
  retryDelay,
  SseParser,
  timeline,
  updateOf,
} from "./monitor";

function stage(state: string, started?: string, finished?: string) {
  return { state, started_at: started ?? null, finished_at: finished ?? null, busy_ms: 0 };
}

function run(over: Partial<Run> = {}): FullRun {
  return full({
    id: "run_01J0000000000000000000000A",
    data_mart_id: "dm_01J0000000000000000000000A",
    status: "running",
    kind: "incremental",
    attempt: 1,
    started_at: "2026-06-01T11:00:00Z",
    finished_at: null,
    counters: { rows_read: 0, rows_written: 0, rows_failed: 0, rows_skipped: 0 },
    progress: { chunks_total: 0, chunks_done: 0, chunks_failed: 0, fraction: 0, rows_per_second: 0 },
    stages: {
      extract: stage("pending"),
      transform: stage("pending"),
      load: stage("pending"),
      finalize: stage("pending"),
    },
    error_log: [],
    ...over,
  } as Run);
}

const T0 = Date.parse("2026-06-01T11:00:00Z");

describe("SseParser", () => {
  it("reads events cut anywhere, skipping heartbeats, with multi-line data and ids", () => {
    const p = new SseParser();
    const text = ': heartbeat\n\nid: 1\nevent: run\ndata: {"a":\ndata: 1}\n\nid: 2\r\nevent: run\r\ndata: {"b":2}\r\n\r\n';
    const events = [];
    for (let i = 0; i < text.length; i += 3) events.push(...p.push(text.slice(i, i + 3)));
    expect(events).toEqual([
      { id: "1", event: "run", data: '{"a":\n1}' },
      { id: "2", event: "run", data: '{"b":2}' },
    ]);
  });

  it("keeps an event until its blank line comes, and names an unnamed one `message`", () => {
    const p = new SseParser();
    expect(p.push("data: x\n")).toEqual([]);
    expect(p.push("\n")).toEqual([{ id: "", event: "message", data: "x" }]);
    expect(p.push("event: run\n\n")).toEqual([]); // no data: no event
  });

  it("turns a run event into an update and ignores anything else", () => {
    const u = { event: "RunProgressed", event_at: "2026-06-01T11:00:01Z", run: run() };
    expect(updateOf({ event: "run", data: JSON.stringify(u), id: "3" })).toEqual(u);
    expect(updateOf({ event: "message", data: JSON.stringify(u), id: "" })).toBeNull();
    expect(updateOf({ event: "run", data: "not json", id: "" })).toBeNull();
    expect(updateOf({ event: "run", data: "{}", id: "" })).toBeNull();
  });
});

describe("progressOf", () => {
  it("is the share of known chunks done, held under 100% until the run succeeded", () => {
    const p = (chunks_done: number, chunks_total: number, status: Run["status"] = "running") =>
      progressOf(
        run({
          status,
          progress: { chunks_total, chunks_done, chunks_failed: 0, fraction: chunks_total ? chunks_done / chunks_total : 0, rows_per_second: 0 },
        }),
      ).percent;
    expect(p(0, 0, "queued")).toBe(0);
    expect(p(0, 0)).toBeNull();
    expect(p(1, 3)).toBe(33);
    expect(p(3, 3)).toBe(99);
    expect(p(3, 3, "succeeded")).toBe(100);
    expect(p(0, 0, "succeeded")).toBe(100);
  });
});

describe("rows per second", () => {
  it("starts the series at the run's start and rates each step between updates", () => {
    let s = addSample([], run({ counters: { rows_read: 0, rows_written: 100, rows_failed: 0, rows_skipped: 0 } }), T0 + 1000);
    s = addSample(s, run({ counters: { rows_read: 0, rows_written: 400, rows_failed: 0, rows_skipped: 0 } }), T0 + 2000);
    s = addSample(s, run({ counters: { rows_read: 0, rows_written: 400, rows_failed: 0, rows_skipped: 0 } }), T0 + 4000);
    expect(s.map((x) => x.t - T0)).toEqual([0, 1000, 2000, 4000]);
    expect(rateSeries(s)).toEqual([
      { t: T0 + 1000, rate: 100 },
      { t: T0 + 2000, rate: 300 },
      { t: T0 + 4000, rate: 0 },
    ]);
  });

  it("keeps one sample per moment, ignores one from the past, and stays bounded", () => {
    const r = (rows: number) => run({ started_at: null, counters: { rows_read: 0, rows_written: rows, rows_failed: 0, rows_skipped: 0 } });
    let s = addSample([], r(1), T0);
    s = addSample(s, r(5), T0);
    expect(s).toEqual([{ t: T0, rows: 5 }]);
    expect(addSample(s, r(9), T0 - 1)).toEqual(s);
    for (let i = 1; i <= MAX_SAMPLES + 10; i++) s = addSample(s, r(i), T0 + i);
    expect(s.length).toBe(MAX_SAMPLES);
    expect(s[s.length - 1]).toEqual({ t: T0 + MAX_SAMPLES + 10, rows: MAX_SAMPLES + 10 });
  });

  it("plots in the box with a round top", () => {
    const { d, max } = plotPath(
      [
        { t: 0, rate: 0 },
        { t: 500, rate: 70 },
        { t: 1000, rate: 35 },
      ],
      200,
      100,
    );
    expect(max).toBe(100);
    expect(d).toBe("M0,100 L100,30 L200,65");
    expect(plotPath([], 200, 100)).toEqual({ d: "", max: 0 });
    expect([niceCeiling(0), niceCeiling(3), niceCeiling(12), niceCeiling(4999)]).toEqual([0, 5, 20, 5000]);
  });
});

describe("timeline", () => {
  it("places each stage on the run's time axis, unstarted ones nowhere", () => {
    const r = run({
      finished_at: "2026-06-01T11:00:10Z",
      status: "succeeded",
      stages: {
        extract: stage("succeeded", "2026-06-01T11:00:00Z", "2026-06-01T11:00:04Z"),
        transform: stage("succeeded", "2026-06-01T11:00:02Z", "2026-06-01T11:00:09Z"),
        load: stage("succeeded", "2026-06-01T11:00:09Z", "2026-06-01T11:00:10Z"),
        finalize: stage("pending"),
      } as Run["stages"],
    });
    const bars = timeline(r, T0 + 60_000);
    expect(bars.map((b) => [b.name, b.left, b.width])).toEqual([
      ["extract", 0, 40],
      ["transform", 20, 70],
      ["load", 90, 10],
      ["finalize", null, null],
    ]);
  });
});

describe("actionsFor", () => {
  const editor = { role: "editor", custom: null };
  const viewer = { role: "viewer", custom: null };
  it("offers what the status allows to a role that may change runs", () => {
    expect(actionsFor(run({ status: "running" }), editor)).toEqual(["pause", "cancel"]);
    expect(actionsFor(run({ status: "paused" }), editor)).toEqual(["resume", "cancel"]);
    expect(actionsFor(run({ status: "failed" }), editor)).toEqual(["retry"]);
    expect(actionsFor(run({ status: "failed", next_retry_at: "2026-06-01T12:00:00Z" }), editor)).toEqual([
      "cancel",
      "retry",
    ]);
    expect(actionsFor(run({ status: "succeeded" }), editor)).toEqual([]);
  });

  it("offers nothing to a viewer, and to a custom role what its patterns grant", () => {
    expect(actionsFor(run({ status: "running" }), viewer)).toEqual([]);
    expect(actionsFor(run({ status: "running" }), null)).toEqual([]);
    const custom = (permissions: string[]) => ({ role: "crl_x", custom: { name: "Ops", permissions } });
    expect(actionsFor(run({ status: "running" }), custom(["run:pause"]))).toEqual(["pause"]);
    expect(actionsFor(run({ status: "running" }), custom(["run:*"]))).toEqual(["pause", "cancel"]);
    expect(actionsFor(run({ status: "running" }), custom(["*:cancel", "data-mart:*"]))).toEqual(["cancel"]);
    expect(actionsFor(run({ status: "running" }), custom(["run:get"]))).toEqual([]);
  });
});

describe("retryDelay", () => {
  it("doubles from 1 s to at most 30 s", () => {
    expect([1, 2, 3, 5, 6, 20].map(retryDelay)).toEqual([1000, 2000, 4000, 16_000, 30_000, 30_000]);
  });
});
