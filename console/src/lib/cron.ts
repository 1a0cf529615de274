// Cron schedules as the API reads them (five fields or a preset, in an IANA time
// zone): parsed to say in words what they mean and when they fire next, while the
// schedule is typed. The API stays the judge: its message is what a bad cron shows.
// Daylight saving as the API does it: a local time that does not exist fires once at
// the end of the gap; a local time that happens twice fires at its first occurrence.

export const PRESETS: Record<string, string> = {
  "@every_15_minutes": "*/15 * * * *",
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
};

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  dayRestricted: boolean;
  weekdayRestricted: boolean;
  fields: string[];
}

export type Parsed = { ok: true; cron: Cron } | { ok: false; error: string };

function value(s: string, what: string, min: number, max: number, names: string[]): number {
  const named = names.findIndex((n) => n === s.toUpperCase());
  if (named >= 0) return named + min;
  if (!/^\d+$/.test(s)) throw new Error(`${what}: \`${s}\` is not a number`);
  const v = Number(s);
  if (v < min || v > max) throw new Error(`${what}: ${v} is out of range ${min}-${max}`);
  return v;
}

function field(text: string, what: string, min: number, max: number, names: string[] = []): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/", 2) as [string, string | undefined];
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) throw new Error(`${what}: step \`${stepText}\` is not a number`);
      step = Number(stepText);
      if (step === 0) throw new Error(`${what}: step must be at least 1`);
    }
    if (range === "") throw new Error(`${what}: empty value`);
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") [lo, hi] = [min, max];
    else if (range.includes("-")) {
      const [a, b] = range.split("-", 2) as [string, string];
      [lo, hi] = [value(a, what, min, max, names), value(b, what, min, max, names)];
      if (lo > hi) throw new Error(`${what}: range ${lo}-${hi} runs backwards`);
    } else {
      lo = value(range, what, min, max, names);
      hi = stepText !== undefined ? max : lo;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** The expression a preset stands for, or the text itself. */
export function expand(text: string): string {
  const t = text.trim();
  return t.startsWith("@") ? (PRESETS[t.toLowerCase()] ?? t) : t;
}

export function parseCron(text: string): Parsed {
  const t = text.trim();
  if (t.startsWith("@") && !PRESETS[t.toLowerCase()]) {
    return { ok: false, error: `unknown preset \`${t}\`; use one of ${Object.keys(PRESETS).join(", ")}` };
  }
  const parts = expand(t).split(/\s+/).filter(Boolean);
  if (parts.length !== 5) {
    return { ok: false, error: `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}` };
  }
  try {
    const weekdays = field(parts[4]!, "day-of-week", 0, 7, WEEKDAYS);
    if (weekdays.delete(7)) weekdays.add(0);
    return {
      ok: true,
      cron: {
        minutes: field(parts[0]!, "minute", 0, 59),
        hours: field(parts[1]!, "hour", 0, 23),
        days: field(parts[2]!, "day-of-month", 1, 31),
        months: field(parts[3]!, "month", 1, 12, MONTHS),
        weekdays,
        dayRestricted: parts[2] !== "*" && parts[2] !== "?",
        weekdayRestricted: parts[4] !== "*" && parts[4] !== "?",
        fields: parts,
      },
    };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

// ---- In words ----

const pad = (n: number) => String(n).padStart(2, "0");

function list(words: string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** Consecutive runs of a sorted set as `a-b` or `a`. */
function runs(values: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && last[1] === v - 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

function sorted(s: Set<number>): number[] {
  return [...s].sort((a, b) => a - b);
}

// The step of a field written as a star with a step (or a bare star): every n-th value from the start.
function step(text: string): number | null {
  if (text === "*" || text === "?") return 1;
  const m = /^\*\/(\d+)$/.exec(text);
  return m ? Number(m[1]) : null;
}

function named(values: number[], names: string[], offset: number): string {
  const name = (v: number) => names[v - offset] ?? String(v);
  return list(
    runs(values).map(([a, b]) => {
      if (a === b) return name(a);
      return b === a + 1 ? `${name(a)} and ${name(b)}` : `${name(a)} to ${name(b)}`;
    }),
  );
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${s}`;
}

/** A cron expression in words: `At 09:30 on Monday to Friday`, `Every 15 minutes`. */
export function describeCron(text: string): string {
  const parsed = parseCron(text);
  if (!parsed.ok) return "";
  const c = parsed.cron;
  const [mf, hf] = c.fields as [string, string, string, string, string];
  const minutes = sorted(c.minutes);
  const hours = sorted(c.hours);
  let time: string;
  const mStep = step(mf);
  const hStep = step(hf);
  if (mStep !== null && hStep === 1) time = mStep === 1 ? "Every minute" : `Every ${mStep} minutes`;
  else if (hStep === 1 && minutes.length === 1) time = minutes[0] === 0 ? "Every hour" : `Every hour at minute ${minutes[0]}`;
  else if (hStep !== null && hStep > 1 && minutes.length === 1)
    time = `Every ${hStep} hours at minute ${minutes[0]}`;
  else if (hours.length * minutes.length <= 6) time = `At ${list(hours.flatMap((h) => minutes.map((m) => `${pad(h)}:${pad(m)}`)))}`;
  else if (minutes.length === 1) time = `At minute ${minutes[0]} of hours ${list(runs(hours).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)))}`;
  else time = `At minutes ${list(minutes.map(String))} of ${hStep === 1 ? "every hour" : `hours ${list(hours.map(String))}`}`;

  const parts = [time];
  const days = sorted(c.days);
  const weekdays = sorted(c.weekdays);
  const dayText = c.dayRestricted ? `on day ${list(runs(days).map(([a, b]) => (a === b ? ordinal(a) : `${ordinal(a)} to ${ordinal(b)}`)))} of the month` : "";
  const weekdayText = c.weekdayRestricted ? `on ${named(weekdays, DAY_NAMES, 0)}` : "";
  if (dayText && weekdayText) parts.push(`${dayText} or ${weekdayText}`);
  else if (dayText || weekdayText) parts.push(dayText || weekdayText);
  if (c.months.size < 12) parts.push(`in ${named(sorted(c.months), MONTH_NAMES, 1)}`);
  return parts.join(" ");
}

// ---- Next fires ----

interface Wall {
  y: number;
  mo: number; // 1-12
  d: number;
  h: number;
  mi: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall clock in `tz` at instant `ms`. */
function wallAt(ms: number, tz: string): Wall {
  const p = Object.fromEntries(formatter(tz).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute) };
}

const wallMs = (w: Wall) => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);
const MINUTE = 60_000;

/** The instants whose wall clock in `tz` is `w`: none (a skipped hour), one, or two (a repeated one). */
function instantsOf(w: Wall, tz: string): number[] {
  const guess = wallMs(w);
  const out = new Set<number>();
  // Offsets are within ±14 h: try the offsets in force a day either side.
  for (const probe of [guess - 86_400_000, guess, guess + 86_400_000]) {
    const offset = wallMs(wallAt(probe, tz)) - Math.floor(probe / MINUTE) * MINUTE;
    const t = guess - offset;
    if (wallMs(wallAt(t, tz)) === guess) out.add(t);
  }
  return [...out].sort((a, b) => a - b);
}

function matchesDate(c: Cron, y: number, mo: number, d: number): boolean {
  if (!c.months.has(mo)) return false;
  const dayOk = c.days.has(d);
  const weekdayOk = c.weekdays.has(new Date(Date.UTC(y, mo - 1, d)).getUTCDay());
  return c.dayRestricted && c.weekdayRestricted ? dayOk || weekdayOk : dayOk && weekdayOk;
}

/** The next wall-clock minute at or after `from` that the fields match (within eight years). */
function nextWall(c: Cron, from: Wall): Wall | null {
  const hours = sorted(c.hours);
  const minutes = sorted(c.minutes);
  let date = Date.UTC(from.y, from.mo - 1, from.d);
  let startMinute = from.h * 60 + from.mi;
  const limit = date + (366 * 8 + 2) * 86_400_000;
  while (date <= limit) {
    const day = new Date(date);
    const [y, mo, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    if (matchesDate(c, y, mo, d)) {
      for (const h of hours) {
        if (h < Math.floor(startMinute / 60)) continue;
        const first = h === Math.floor(startMinute / 60) ? startMinute % 60 : 0;
        const mi = minutes.find((m) => m >= first);
        if (mi !== undefined) return { y, mo, d, h, mi };
      }
    }
    date += 86_400_000;
    startMinute = 0;
  }
  return null;
}

function addMinute(w: Wall): Wall {
  const t = new Date(wallMs(w) + MINUTE);
  return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes() };
}

/** The first fire strictly after `after` (ms), in time zone `tz`. */
export function nextFire(c: Cron, tz: string, after: number): number | null {
  let candidate = addMinute(wallAt(after, tz));
  for (let guard = 0; guard < 10_000; guard++) {
    const wall = nextWall(c, candidate);
    if (!wall) return null;
    const instants = instantsOf(wall, tz);
    let instant: number | null = instants[0] ?? null;
    if (instant === null) {
      // A skipped local time: the first valid instant after the gap.
      let w = wall;
      for (let i = 0; i < 26 * 60 && instant === null; i++) {
        w = addMinute(w);
        instant = instantsOf(w, tz)[0] ?? null;
      }
    }
    if (instant !== null && instant > after) return instant;
    candidate = addMinute(wall);
  }
  return null;
}

/** The next `n` fires after `after` (ms) as ISO instants; empty for a bad expression or zone. */
export function nextFires(text: string, tz: string, after: number, n = 5): string[] {
  const parsed = parseCron(text);
  if (!parsed.ok || !isTimeZone(tz)) return [];
  const out: string[] = [];
  let t = after;
  while (out.length < n) {
    const next = nextFire(parsed.cron, tz, t);
    if (next === null) break;
    out.push(new Date(next).toISOString());
    t = next;
  }
  return out;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The IANA zones this browser knows, UTC first. */
export function timeZones(): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...known.filter((z) => z !== "UTC")];
}

/** `at` (ISO) as a wall-clock time in `tz`: `Mon 3 Mar, 09:30`. */
export function inZone(at: string, tz: string, locale?: string): string {
  return new Date(at).toLocaleString(locale, {
    timeZone: tz,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
}
