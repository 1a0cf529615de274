// The run history chart's model: each finished or running run as a point (its
// duration and the rows it wrote), oldest first, and axes with round ticks. Pure:
// the chart draws what this computes.

import type { Run, RunStatus } from "../api/endpoints";
import { toneOf, type Tone } from "./jobs";

export interface RunPoint {
  id: string;
  status: RunStatus;
  tone: Tone;
  /** When it started (or was created, before it started). */
  at: string;
  /** From start to finish (or to `now` while it runs); `null` before it starts. */
  durationMs: number | null;
  rows: number;
}

/** The runs as chart points, oldest first. */
export function runPoints(runs: readonly Run[], now: number): RunPoint[] {
  return [...runs]
    .map((r) => {
      const started = r.started_at ? Date.parse(r.started_at) : NaN;
      const finished = r.finished_at ? Date.parse(r.finished_at) : now;
      const durationMs = Number.isFinite(started) ? Math.max(0, finished - started) : null;
      return {
        id: r.id,
        status: r.status,
        tone: toneOf(r.status),
        at: r.started_at ?? r.created_at,
        durationMs,
        rows: r.counters?.rows_written ?? 0,
      };
    })
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** A 1, 2 or 5 times a power of ten, the least at or over `x`. */
export function niceStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * power >= x - power * 1e-9) return m * power;
  return 10 * power;
}

/** An axis from 0 over `max` with about `count` round ticks: its top and its ticks. */
export function niceAxis(max: number, count = 4): { top: number; ticks: number[] } {
  if (!(max > 0) || !Number.isFinite(max)) return { top: 1, ticks: [0, 1] };
  const step = niceStep(max / count);
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { top, ticks };
}

/** A duration tick's label: `0`, `500 ms`, `30 s`, `2 min`, `1.5 h`. */
export function durationLabel(ms: number): string {
  if (ms === 0) return "0";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)} min`;
  return `${+(ms / 3_600_000).toFixed(1)} h`;
}

/** A count tick's label: `950`, `1.2k`, `3M`. */
export function countLabel(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${+(n / 1000).toFixed(1)}k`;
  if (n < 1_000_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  return `${+(n / 1_000_000_000).toFixed(1)}G`;
}
