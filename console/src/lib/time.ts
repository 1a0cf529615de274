// How times read on screen: countdowns to the next fire, ages of the last run,
// run durations. Pure functions of their inputs (the clock is passed in).

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad = (n: number) => String(n).padStart(2, "0");

/** A countdown of `ms`, two units at most: `in 2 d 3 h`, `in 1 h 05 min`, `in 4 min 09 s`, `in 12 s`, `now`. */
export function countdown(ms: number): string {
  if (!Number.isFinite(ms) || ms < SECOND) return "now";
  const s = Math.floor(ms / SECOND);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `in ${d} d ${h} h`;
  if (h > 0) return `in ${h} h ${pad(m)} min`;
  if (m > 0) return `in ${m} min ${pad(sec)} s`;
  return `in ${sec} s`;
}

/** How long ago `iso` was: `just now`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function ago(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return "";
  if (ms < MINUTE) return "just now";
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min ago`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)} h ago`;
  return `${Math.floor(ms / DAY)} d ago`;
}

/** A run's length: `850 ms`, `12.4 s`, `3 min 05 s`, `1 h 02 min`. */
export function duration(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < SECOND) return `${ms} ms`;
  if (ms < MINUTE) return `${(ms / SECOND).toFixed(1)} s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min ${pad(Math.floor((ms % MINUTE) / SECOND))} s`;
  return `${Math.floor(ms / HOUR)} h ${pad(Math.floor((ms % HOUR) / MINUTE))} min`;
}

/** A date and time as people read it here, in their own zone. */
export function when(iso: string, locale?: string): string {
  return new Date(iso).toLocaleString(locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}
