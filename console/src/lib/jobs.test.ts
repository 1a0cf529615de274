import { describe, expect, it } from "vitest";
import type { DataMart, Run, Trigger } from "../api/endpoints";
import { card, mainTrigger, nextFire } from "./jobs";

const NOW = Date.parse("2026-06-01T12:00:00Z");

function mart(over: Partial<DataMart> = {}): DataMart {
  return {
    id: "dm_01J0000000000000000000000A",
    project_id: "prj_01J0000000000000000000000A",
    version: 1,
    created_at: "2026-05-01T00:00:00Z",
    updated_at: "2026-05-01T00:00:00Z",
    created_by: "test",
    title: "Orders",
    storage_id: "stg_01J0000000000000000000000A",
    status: "published",
    definition: { kind: "connector" } as DataMart["definition"],
    ...over,
  };
}

function run(over: Partial<Run>): Run {
  return {
    id: "run_01J0000000000000000000000A",
    data_mart_id: "dm_01J0000000000000000000000A",
    created_at: "2026-06-01T11:00:00Z",
    started_at: "2026-06-01T11:00:01Z",
    finished_at: "2026-06-01T11:02:00Z",
    status: "succeeded",
    counters: { rows_read: 10, rows_written: 9, rows_failed: 1, rows_skipped: 0 },
    ...over,
  } as Run;
}

function trigger(over: Partial<Trigger>): Trigger {
  return {
    id: "trg_01J0000000000000000000000A",
    enabled: true,
    cron: "0 6 * * *",
    timezone: "UTC",
    next_fire_at: "2026-06-02T06:00:00Z",
    next_fire_times: ["2026-06-02T06:00:00Z", "2026-06-03T06:00:00Z"],
    version: 3,
    ...over,
  } as Trigger;
}

describe("nextFire", () => {
  it("is the first fire time still ahead of the clock", () => {
    const t = trigger({
      next_fire_times: ["2026-06-01T11:00:00Z", "2026-06-01T12:00:00Z", "2026-06-01T13:00:00Z"],
    });
    expect(nextFire(t, NOW)?.toISOString()).toBe("2026-06-01T13:00:00.000Z");
  });

  it("falls back to next_fire_at when the list is empty", () => {
    const t = trigger({ next_fire_times: [], next_fire_at: "2026-06-01T12:30:00Z" });
    expect(nextFire(t, NOW)?.toISOString()).toBe("2026-06-01T12:30:00.000Z");
  });

  it("is none while the trigger is disabled, or once every known time has passed", () => {
    expect(nextFire(trigger({ enabled: false }), NOW)).toBeNull();
    expect(nextFire(trigger({ next_fire_times: ["2026-06-01T11:00:00Z"] }), NOW)).toBeNull();
  });
});

describe("mainTrigger", () => {
  it("picks the enabled trigger firing soonest", () => {
    const late = trigger({ id: "late", next_fire_times: ["2026-06-05T00:00:00Z"] });
    const soon = trigger({ id: "soon", next_fire_times: ["2026-06-01T12:05:00Z"] });
    const off = trigger({ id: "off", enabled: false });
    expect(mainTrigger([late, off, soon], NOW)?.id).toBe("soon");
  });

  it("falls back to the newest (first) when none will fire", () => {
    const off = trigger({ id: "off", enabled: false });
    const upstream = trigger({ id: "up", cron: null, next_fire_at: null, next_fire_times: [] });
    expect(mainTrigger([off, upstream], NOW)?.id).toBe("off");
    expect(mainTrigger([], NOW)).toBeNull();
  });
});

describe("card", () => {
  it("offers run now on a published connector mart with no run under way", () => {
    const c = card(mart(), run({}), [], NOW);
    expect(c.canRun).toBe(true);
    expect(c.runBlocked).toBeNull();
    expect(c.last).toMatchObject({ label: "Succeeded", tone: "ok", rows: 9, at: "2026-06-01T11:02:00Z" });
    expect(c.next).toBeNull();
  });

  it("does not offer run now on a draft, another kind of mart, or while a run is under way", () => {
    expect(card(mart({ status: "draft" }), null, [], NOW)).toMatchObject({
      canRun: false,
      runBlocked: "Publish the data mart to run it",
    });
    const sql = mart({ definition: { kind: "sql" } as DataMart["definition"] });
    expect(card(sql, null, [], NOW)).toMatchObject({ canRun: false, runBlocked: "Only connector data marts run" });
    const running = card(mart(), run({ status: "running", finished_at: null }), [], NOW);
    expect(running).toMatchObject({ canRun: false, active: true, runBlocked: "A run is under way" });
    expect(running.last).toMatchObject({ tone: "busy", at: "2026-06-01T11:00:01Z", percent: null });
  });

  it("shows how far a run under way has come, and nothing of a finished run's progress", () => {
    const progress = { chunks_total: 8, chunks_done: 3, chunks_failed: 0, fraction: 0.375, rows_per_second: 10 };
    expect(card(mart(), run({ status: "running", finished_at: null, progress }), [], NOW).last?.percent).toBe(37);
    expect(card(mart(), run({ progress: { ...progress, fraction: 1 } }), [], NOW).last?.percent).toBeNull();
  });

  it("offers force-retry only when the newest run failed", () => {
    expect(card(mart(), run({ status: "failed", error: "boom" }), [], NOW)).toMatchObject({
      canRetry: true,
      last: { tone: "bad", error: "boom" },
    });
    expect(card(mart(), run({ status: "cancelled" }), [], NOW).canRetry).toBe(false);
    expect(card(mart(), null, [], NOW)).toMatchObject({ canRetry: false, last: null });
  });

  it("shows the trigger firing soonest and its next fire", () => {
    const c = card(mart(), null, [trigger({})], NOW);
    expect(c.trigger?.cron).toBe("0 6 * * *");
    expect(c.next?.toISOString()).toBe("2026-06-02T06:00:00.000Z");
  });
});
