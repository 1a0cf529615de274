import { describe, expect, it } from "vitest";
import type { Run } from "../api/endpoints";
import { countLabel, durationLabel, niceAxis, niceStep, runPoints } from "./chart";

function run(id: string, status: Run["status"], started: string | null, finished: string | null, rows: number): Run {
  return {
    id,
    status,
    created_at: started ?? "2026-01-01T00:00:00Z",
    started_at: started,
    finished_at: finished,
    counters: { rows_read: rows, rows_written: rows, rows_failed: 0, rows_skipped: 0 },
  } as Run;
}

describe("the run chart's model", () => {
  it("orders runs oldest first with their durations and rows written", () => {
    const now = Date.parse("2026-01-01T01:00:00Z");
    const points = runPoints(
      [
        run("r3", "running", "2026-01-01T00:59:00Z", null, 0),
        run("r1", "succeeded", "2026-01-01T00:00:00Z", "2026-01-01T00:00:02.500Z", 120),
        run("r2", "failed", "2026-01-01T00:30:00Z", "2026-01-01T00:31:00Z", 3),
      ],
      now,
    );
    expect(points.map((p) => p.id)).toEqual(["r1", "r2", "r3"]);
    expect(points.map((p) => p.durationMs)).toEqual([2500, 60_000, 60_000]);
    expect(points.map((p) => p.rows)).toEqual([120, 3, 0]);
    expect(points.map((p) => p.tone)).toEqual(["ok", "bad", "busy"]);
  });

  it("has no duration for a run that has not started", () => {
    expect(runPoints([run("q", "queued", null, null, 0)], 0)[0]?.durationMs).toBeNull();
  });

  it("rounds axes to 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(0.3)).toBe(0.5);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(20)).toBe(20);
    expect(niceStep(7000)).toBe(10_000);
    expect(niceAxis(2500)).toEqual({ top: 3000, ticks: [0, 1000, 2000, 3000] });
    expect(niceAxis(120)).toEqual({ top: 150, ticks: [0, 50, 100, 150] });
    expect(niceAxis(0)).toEqual({ top: 1, ticks: [0, 1] });
  });

  it("labels ticks briefly", () => {
    expect(durationLabel(0)).toBe("0");
    expect(durationLabel(500)).toBe("500 ms");
    expect(durationLabel(2500)).toBe("2.5 s");
    expect(durationLabel(90_000)).toBe("1.5 min");
    expect(durationLabel(5_400_000)).toBe("1.5 h");
    expect(countLabel(950)).toBe("950");
    expect(countLabel(1200)).toBe("1.2k");
    expect(countLabel(3_000_000)).toBe("3M");
  });
});
