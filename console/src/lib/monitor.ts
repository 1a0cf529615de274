// What the run monitor shows, from the run's successive states: the progress,
// rows per second over time, the stages on one time axis, and which of pause,
// resume, cancel and retry the run and the caller's role allow. Pure: the
// monitor renders what this decides; src/api/live.ts brings the states.

import type { Me, Run, RunStatus, Schemas } from "../api/endpoints";

/** One update of a run as the push channel carries it (`GET /v1/runs/{id}/events`). */
export type RunUpdate = Schemas["RunUpdate"];

// ---- The run, every field present ----

type Schema = Schemas;
type StageOf = Schema["Stage"];
/** A stage with its defaults filled in. */
export type FullStage = StageOf & { busy_ms: number; started_at: string | null; finished_at: string | null };
/** A run with the fields the API may leave out (their defaults) filled in. */
export type FullRun = Run & {
  attempt: number;
  counters: Schema["RunCounters"];
  progress: Schema["RunProgress"];
  stages: Record<"extract" | "transform" | "load" | "finalize", FullStage>;
  error_log: Schema["RowError"][];
  started_at: string | null;
  finished_at: string | null;
  next_retry_at: string | null;
  error: string | null;
};

function fullStage(s: StageOf | undefined): FullStage {
  return {
    state: s?.state ?? "pending",
    busy_ms: s?.busy_ms ?? 0,
    started_at: s?.started_at ?? null,
    finished_at: s?.finished_at ?? null,
  };
}

/** `run` with every field the monitor reads present. */
export function full(run: Run): FullRun {
  return {
    ...run,
    attempt: run.attempt ?? 1,
    counters: run.counters ?? { rows_read: 0, rows_written: 0, rows_failed: 0, rows_skipped: 0 },
    progress: run.progress ?? { chunks_total: 0, chunks_done: 0, chunks_failed: 0, fraction: 0, rows_per_second: 0 },
    stages: {
      extract: fullStage(run.stages?.extract),
      transform: fullStage(run.stages?.transform),
      load: fullStage(run.stages?.load),
      finalize: fullStage(run.stages?.finalize),
    },
    error_log: run.error_log ?? [],
    started_at: run.started_at ?? null,
    finished_at: run.finished_at ?? null,
    next_retry_at: run.next_retry_at ?? null,
    error: run.error ?? null,
  };
}

// ---- Server-sent events ----

/** One server-sent event: its `event` name (default `message`), its `data` lines joined, its `id`. */
export interface SseEvent {
  event: string;
  data: string;
  id: string;
}

/**
 * Reads a `text/event-stream` as it arrives, in pieces cut anywhere: each
 * `push` returns the events the text completes. Comments (`: heartbeat`) and
 * unknown fields are skipped, as the HTML standard's parser does.
 */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id = "";

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      // A lone `\r` at the end may be the first half of `\r\n`: wait for more.
      if (!m || (m[0] === "\r" && m.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      if (line === "") {
        if (this.data.length > 0) out.push({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
        this.event = "";
        this.data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") this.event = value;
      else if (field === "data") this.data.push(value);
      else if (field === "id") this.id = value;
    }
    return out;
  }
}

/** The run update an event carries, or `null` for any other event or a body that is not one. */
export function updateOf(e: SseEvent): RunUpdate | null {
  if (e.event !== "run") return null;
  try {
    const u = JSON.parse(e.data) as RunUpdate;
    return u && typeof u === "object" && u.run && typeof u.run.id === "string" ? u : null;
  } catch {
    return null;
  }
}

// ---- Progress ----

export const FINAL: readonly RunStatus[] = ["succeeded", "failed", "cancelled"];

export function isOver(run: Pick<Run, "status">): boolean {
  return FINAL.includes(run.status);
}

export interface Progress {
  /** 0-100, whole; `null` while nothing tells how far along it is (no chunk yet). */
  percent: number | null;
  /** Chunks done of those known (the total grows while extraction runs). */
  done: number;
  total: number;
  failed: number;
}

/**
 * How far along the run is. 100% only once it succeeded: with every chunk
 * transformed, the load and finalize are still to come.
 */
export function progressOf(run: FullRun): Progress {
  const p = run.progress;
  const base = { done: p.chunks_done, total: p.chunks_total, failed: p.chunks_failed };
  if (run.status === "succeeded") return { ...base, percent: 100 };
  if (p.chunks_total === 0) return { ...base, percent: run.status === "queued" ? 0 : null };
  const percent = Math.floor(Math.min(1, Math.max(0, p.fraction)) * 100);
  return { ...base, percent: Math.min(99, percent) };
}

// ---- Rows per second over time ----

/** Rows written by a moment (ms since the epoch). */
export interface Sample {
  t: number;
  rows: number;
}

export interface RatePoint {
  t: number;
  rate: number;
}

/** Samples a monitor keeps: enough for minutes of updates, bounded. */
export const MAX_SAMPLES = 240;

/**
 * The samples with `run`'s rows written at `at` added: one per moment (a later
 * state of the same moment replaces it), in time order, the oldest dropped
 * past [`MAX_SAMPLES`]. The first sample of a run seen after it started is its
 * start, with no row written.
 */
export function addSample(samples: readonly Sample[], run: FullRun, at: number): Sample[] {
  const out = samples.slice();
  if (out.length === 0 && run.started_at) {
    const start = Date.parse(run.started_at);
    if (Number.isFinite(start) && start < at) out.push({ t: start, rows: 0 });
  }
  const rows = run.counters.rows_written;
  const last = out[out.length - 1];
  if (last && at < last.t) return out;
  if (last && at === last.t) out[out.length - 1] = { t: at, rows };
  else out.push({ t: at, rows });
  return out.length > MAX_SAMPLES ? out.slice(out.length - MAX_SAMPLES) : out;
}

/** Seconds between the first and last point of a series. */
export function spanSeconds(points: readonly RatePoint[]): number {
  const first = points[0];
  const last = points[points.length - 1];
  return first && last ? Math.round((last.t - first.t) / 1000) : 0;
}

/** Rows per second between consecutive samples, at the later one's moment. */
export function rateSeries(samples: readonly Sample[]): RatePoint[] {
  const out: RatePoint[] = [];
  samples.forEach((b, i) => {
    const a = i > 0 ? samples[i - 1] : undefined;
    if (!a) return;
    const dt = (b.t - a.t) / 1000;
    if (dt > 0) out.push({ t: b.t, rate: Math.max(0, b.rows - a.rows) / dt });
  });
  return out;
}

/** An SVG path of `points` in a `width` × `height` box (time across, rate up), and the rate at the top. */
export function plotPath(points: readonly RatePoint[], width: number, height: number): { d: string; max: number } {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return { d: "", max: 0 };
  const max = niceCeiling(Math.max(...points.map((p) => p.rate)));
  const t0 = first.t;
  const span = Math.max(1, last.t - t0);
  const x = (t: number) => (points.length === 1 ? width : ((t - t0) / span) * width);
  const y = (r: number) => height - (max > 0 ? (r / max) * height : 0);
  const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${round(x(p.t))},${round(y(p.rate))}`).join(" ");
  return { d, max };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The smallest of 1, 2 or 5 times a power of ten at or above `n` (an axis' top). */
export function niceCeiling(n: number): number {
  if (!(n > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

// ---- Stages on one time axis ----

export const STAGES = ["extract", "transform", "load", "finalize"] as const;
export type StageName = (typeof STAGES)[number];

export interface StageBar {
  name: StageName;
  state: FullStage["state"];
  startedAt: string | null;
  finishedAt: string | null;
  busyMs: number;
  /** Where the bar starts and how wide it is, in % of the run's time so far; `null` before it started. */
  left: number | null;
  width: number | null;
}

/** The stages of `run` on one axis from its start to its end (or `now`). */
export function timeline(run: FullRun, now: number): StageBar[] {
  const starts = STAGES.map((s) => run.stages[s].started_at).filter((t): t is string => !!t);
  const t0 = run.started_at ? Date.parse(run.started_at) : starts.length ? Math.min(...starts.map(Date.parse)) : NaN;
  const end = run.finished_at ? Date.parse(run.finished_at) : now;
  const span = Math.max(1, end - t0);
  return STAGES.map((name) => {
    const s = run.stages[name];
    const started = s.started_at ? Date.parse(s.started_at) : NaN;
    const finished = s.finished_at ? Date.parse(s.finished_at) : end;
    const placed = Number.isFinite(t0) && Number.isFinite(started);
    const left = placed ? clamp(((started - t0) / span) * 100) : null;
    const width = placed && left !== null ? Math.max(0.5, clamp(((finished - started) / span) * 100, 100 - left)) : null;
    return {
      name,
      state: s.state,
      startedAt: s.started_at ?? null,
      finishedAt: s.finished_at ?? null,
      busyMs: s.busy_ms,
      left,
      width,
    };
  });
}

function clamp(n: number, max = 100): number {
  return Math.min(max, Math.max(0, n));
}

// ---- What the caller may do ----

export type RunAction = "pause" | "resume" | "cancel" | "retry";
export const RUN_ACTIONS: readonly RunAction[] = ["pause", "resume", "cancel", "retry"];

/** Whether the run's status allows `action` (the server decides; this hides what it would refuse). */
export function statusAllows(run: FullRun, action: RunAction): boolean {
  switch (action) {
    case "pause":
      return run.status === "queued" || run.status === "running";
    case "resume":
      return run.status === "paused" || run.status === "interrupted";
    case "cancel":
      return !isOver(run) || (run.status === "failed" && !!run.next_retry_at);
    case "retry":
      return run.status === "failed";
  }
}

/**
 * Whether the caller's role grants `action` on runs: built-in editors and
 * above; a custom role by a pattern granting `run:<action>` (`run:*`,
 * `*:<action>`, `*:*`). `null` (not known yet) grants nothing.
 */
export function roleAllows(me: Pick<Me, "role" | "custom"> | null | undefined, action: RunAction): boolean {
  if (!me) return false;
  if (me.custom) {
    return me.custom.permissions.some((p) => {
      const [resource, verb] = p.split(":");
      return (resource === "run" || resource === "*") && (verb === action || verb === "*");
    });
  }
  return me.role === "editor" || me.role === "admin" || me.role === "owner";
}

/** The actions to offer on `run` to `me`. */
export function actionsFor(run: FullRun, me: Pick<Me, "role" | "custom"> | null | undefined): RunAction[] {
  return RUN_ACTIONS.filter((a) => statusAllows(run, a) && roleAllows(me, a));
}

// ---- Push or poll ----

/** How the monitor hears of the run: its push channel, polling, or not at all any more. */
export type Transport = "connecting" | "push" | "polling" | "ended";

/** How long to poll before trying the push channel again after `failures` in a row: 1 s, 2 s, 4 s … at most 30 s. */
export function retryDelay(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}
