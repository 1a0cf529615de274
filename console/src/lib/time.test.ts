import { describe, expect, it } from "vitest";
import { ago, countdown, duration } from "./time";

const s = 1000;
const min = 60 * s;
const h = 60 * min;
const d = 24 * h;

describe("countdown", () => {
  it("reads now once less than a second is left, or when the time has passed", () => {
    expect(countdown(999)).toBe("now");
    expect(countdown(0)).toBe("now");
    expect(countdown(-5 * s)).toBe("now");
    expect(countdown(Number.NaN)).toBe("now");
  });

  it("shows seconds under a minute", () => {
    expect(countdown(1 * s)).toBe("in 1 s");
    expect(countdown(59 * s + 999)).toBe("in 59 s");
  });

  it("shows minutes and padded seconds under an hour", () => {
    expect(countdown(4 * min + 9 * s)).toBe("in 4 min 09 s");
    expect(countdown(60 * s)).toBe("in 1 min 00 s");
  });

  it("shows hours and padded minutes under a day, dropping the seconds", () => {
    expect(countdown(1 * h + 5 * min + 59 * s)).toBe("in 1 h 05 min");
  });

  it("shows days and hours beyond a day", () => {
    expect(countdown(2 * d + 3 * h + 59 * min)).toBe("in 2 d 3 h");
  });
});

describe("ago", () => {
  const now = Date.parse("2026-06-01T12:00:00Z");
  it("says how long ago, in the largest whole unit", () => {
    expect(ago("2026-06-01T11:59:30Z", now)).toBe("just now");
    expect(ago("2026-06-01T11:55:00Z", now)).toBe("5 min ago");
    expect(ago("2026-06-01T09:00:00Z", now)).toBe("3 h ago");
    expect(ago("2026-05-30T12:00:00Z", now)).toBe("2 d ago");
  });

  it("says nothing of a time it cannot read", () => {
    expect(ago("not a time", now)).toBe("");
  });
});

describe("duration", () => {
  it("reads a run's length at the scale it has", () => {
    expect(duration("2026-06-01T12:00:00.000Z", "2026-06-01T12:00:00.850Z")).toBe("850 ms");
    expect(duration("2026-06-01T12:00:00Z", "2026-06-01T12:00:12.400Z")).toBe("12.4 s");
    expect(duration("2026-06-01T12:00:00Z", "2026-06-01T12:03:05Z")).toBe("3 min 05 s");
    expect(duration("2026-06-01T12:00:00Z", "2026-06-01T13:02:00Z")).toBe("1 h 02 min");
  });

  it("is empty for an end before the start", () => {
    expect(duration("2026-06-01T12:00:00Z", "2026-06-01T11:00:00Z")).toBe("");
  });
});
