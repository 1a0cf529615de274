// What a data mart's job card shows and offers, from the mart, its newest run and
// its triggers. Pure: the card renders what this decides.

import type { DataMart, Run, RunStatus, Trigger } from "../api/endpoints";

export type Tone = "ok" | "bad" | "busy" | "idle";

/** Runs that are not over yet: the card polls while one is. */
export const ACTIVE: readonly RunStatus[] = ["queued", "running", "paused"];

export const RUN_LABEL: Record<RunStatus, string> = {
  queued: "Queued",
  running: "Running",
  paused: "Paused",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
  interrupted: "Interrupted",
};

export function toneOf(status: RunStatus): Tone {
  switch (status) {
    case "succeeded":
      return "ok";
    case "failed":
    case "interrupted":
      return "bad";
    case "queued":
    case "running":
    case "paused":
      return "busy";
    case "cancelled":
      return "idle";
  }
}

/** The next fire of `trigger` after `now`: the first of its next fire times still
 * ahead (the list may be older than the clock), or `null` while it is disabled or
 * waits on upstream marts. */
export function nextFire(trigger: Trigger, now: number): Date | null {
  if (!trigger.enabled) return null;
  const times = trigger.next_fire_times.length
    ? trigger.next_fire_times
    : trigger.next_fire_at
      ? [trigger.next_fire_at]
      : [];
  for (const t of times) {
    const at = Date.parse(t);
    if (at > now) return new Date(at);
  }
  return null;
}

/** The trigger a card shows: the enabled one firing soonest, else the newest. */
export function mainTrigger(triggers: readonly Trigger[], now: number): Trigger | null {
  let best: Trigger | null = null;
  let bestAt = Infinity;
  for (const t of triggers) {
    const at = nextFire(t, now)?.getTime() ?? Infinity;
    if (at < bestAt) {
      best = t;
      bestAt = at;
    }
  }
  return best ?? triggers[0] ?? null;
}

export interface Card {
  published: boolean;
  /** The newest run's outcome, or `null` before the first run. */
  last: {
    status: RunStatus;
    label: string;
    tone: Tone;
    at: string;
    rows: number;
    error: string | null;
    /** 1, then one more for each retry. */
    attempt: number;
    /** Percent of the known chunks done, while it runs. */
    percent: number | null;
  } | null;
  trigger: Trigger | null;
  next: Date | null;
  /** Run now: a published mart with no run under way. */
  canRun: boolean;
  /** Force-retry: the newest run failed (retried from its failed chunks). */
  canRetry: boolean;
  /** A run is under way: the card polls it. */
  active: boolean;
  /** Why run now is not offered, for its tooltip. */
  runBlocked: string | null;
}

export function card(mart: DataMart, run: Run | null, triggers: readonly Trigger[], now: number): Card {
  const published = mart.status === "published";
  // Runs land a connector's streams; the other kinds are read where they are.
  const runs = mart.definition?.kind === "connector";
  const active = run !== null && ACTIVE.includes(run.status);
  const trigger = mainTrigger(triggers, now);
  return {
    published,
    last: run && {
      status: run.status,
      label: RUN_LABEL[run.status],
      tone: toneOf(run.status),
      at: run.finished_at ?? run.started_at ?? run.created_at,
      rows: run.counters?.rows_written ?? 0,
      error: run.error ?? null,
      attempt: run.attempt ?? 1,
      percent: active && run.progress ? Math.floor(run.progress.fraction * 100) : null,
    },
    trigger,
    next: trigger ? nextFire(trigger, now) : null,
    canRun: published && runs && !active,
    canRetry: run?.status === "failed",
    active,
    runBlocked: !published
      ? "Publish the data mart to run it"
      : !runs
        ? "Only connector data marts run"
        : active
          ? "A run is under way"
          : null,
  };
}
