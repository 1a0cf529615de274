import { describe, expect, it } from "vitest";
import { describeCron, nextFires, parseCron } from "./cron";

const at = (iso: string) => Date.parse(iso);

describe("cron in words", () => {
  it("says presets and steps plainly", () => {
    expect(describeCron("@every_15_minutes")).toBe("Every 15 minutes");
    expect(describeCron("@hourly")).toBe("Every hour");
    expect(describeCron("@daily")).toBe("At 00:00");
    expect(describeCron("* * * * *")).toBe("Every minute");
    expect(describeCron("5 */6 * * *")).toBe("Every 6 hours at minute 5");
  });

  it("names days, weekdays and months", () => {
    expect(describeCron("30 9 * * 1-5")).toBe("At 09:30 on Monday to Friday");
    expect(describeCron("0 8,17 * * SAT,SUN")).toBe("At 08:00 and 17:00 on Sunday and Saturday");
    expect(describeCron("0 0 1 * *")).toBe("At 00:00 on day 1st of the month");
    expect(describeCron("0 6 1,15 1-3 *")).toBe("At 06:00 on day 1st and 15th of the month in January to March");
    expect(describeCron("0 0 13 * 5")).toBe("At 00:00 on day 13th of the month or on Friday");
  });

  it("says nothing of an expression it cannot read, and the parser says why", () => {
    expect(describeCron("61 * * * *")).toBe("");
    expect(parseCron("61 * * * *")).toEqual({ ok: false, error: "minute: 61 is out of range 0-59" });
    expect(parseCron("* * *")).toMatchObject({ ok: false, error: expect.stringContaining("expected 5 fields") });
    expect(parseCron("@fortnightly")).toMatchObject({ ok: false, error: expect.stringContaining("unknown preset") });
    expect(parseCron("5-1 * * * *")).toMatchObject({ ok: false, error: "minute: range 5-1 runs backwards" });
  });
});

describe("next fires", () => {
  it("every fifteen minutes fires on the quarter", () => {
    expect(nextFires("*/15 * * * *", "UTC", at("2026-03-02T10:07:30Z"), 3)).toEqual([
      "2026-03-02T10:15:00.000Z",
      "2026-03-02T10:30:00.000Z",
      "2026-03-02T10:45:00.000Z",
    ]);
  });

  it("a daily time follows the zone's offset through daylight saving", () => {
    // Berlin is UTC+1 in winter, UTC+2 from 29 March 2026.
    expect(nextFires("0 9 * * *", "Europe/Berlin", at("2026-03-27T12:00:00Z"), 3)).toEqual([
      "2026-03-28T08:00:00.000Z",
      "2026-03-29T07:00:00.000Z",
      "2026-03-30T07:00:00.000Z",
    ]);
  });

  it("a skipped local hour fires once at the end of the gap, a repeated one once", () => {
    // 02:30 does not exist in Berlin on 29 March 2026: fires at 03:00 local (01:00 UTC).
    expect(nextFires("30 2 * * *", "Europe/Berlin", at("2026-03-28T12:00:00Z"), 2)).toEqual([
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T00:30:00.000Z",
    ]);
    // 02:30 happens twice on 25 October 2026: the first, still at UTC+2.
    expect(nextFires("30 2 * * *", "Europe/Berlin", at("2026-10-24T12:00:00Z"), 2)).toEqual([
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  it("both day fields restricted match either, and Sunday is 0 or 7", () => {
    // 13 March 2026 is a Friday; 6 March is one too.
    expect(nextFires("0 0 13 * 5", "UTC", at("2026-03-01T00:00:00Z"), 3)).toEqual([
      "2026-03-06T00:00:00.000Z",
      "2026-03-13T00:00:00.000Z",
      "2026-03-20T00:00:00.000Z",
    ]);
    expect(nextFires("0 12 * * 7", "UTC", at("2026-03-02T00:00:00Z"), 1)).toEqual(["2026-03-08T12:00:00.000Z"]);
  });

  it("a leap day waits for its year; a bad zone or expression has none", () => {
    expect(nextFires("0 0 29 2 *", "UTC", at("2026-03-01T00:00:00Z"), 1)).toEqual(["2028-02-29T00:00:00.000Z"]);
    expect(nextFires("0 0 30 2 *", "UTC", at("2026-03-01T00:00:00Z"), 1)).toEqual([]);
    expect(nextFires("0 0 * * *", "Mars/Olympus", at("2026-03-01T00:00:00Z"), 1)).toEqual([]);
  });
});
