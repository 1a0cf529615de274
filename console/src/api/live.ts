// Following a run: its push channel (`GET /v1/runs/{id}/events`, server-sent
// events read with fetch so the credential goes in the Authorization header,
// never in the URL), falling back to polling `GET /v1/runs/{id}` when the
// channel fails or the deployment has none, and trying the channel again now
// and then. Also the run routes the monitor calls.

import { ApiError, type Client } from "./client";
import type { Run } from "./endpoints";
import { isOver, retryDelay, SseParser, updateOf, type RunUpdate, type Transport } from "../lib/monitor";

const id = encodeURIComponent;

export function getRun(c: Client, runId: string, signal?: AbortSignal) {
  return c.request<Run>("GET", `/v1/runs/${id(runId)}`, undefined, { signal });
}

export function runAction(c: Client, runId: string, action: "pause" | "resume" | "cancel" | "retry") {
  return c.request<Run>("POST", `/v1/runs/${id(runId)}/${action}`);
}

export interface FollowHandlers {
  /** A new state of the run, with how it came. */
  onUpdate(update: RunUpdate, via: "push" | "poll"): void;
  /** How the run is followed now. */
  onTransport(t: Transport): void;
  /** The run cannot be read (gone, or not the caller's): following stops. */
  onError(e: ApiError): void;
}

export interface FollowOptions {
  /** Between two polls, ms (default 2000). */
  pollEvery?: number;
  /** Waits, and the clock (injected by tests). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

/** What reading the push channel once came to. */
type Pushed = "over" | "closed" | "failed" | "absent";

/**
 * Follows run `runId` until it is over or the returned function is called.
 * The push channel first; when it fails, polling, with the channel tried
 * again after 1, 2, 4 … 30 s of polling; when the deployment serves no
 * channel (a 404 while the run itself reads), polling for good.
 */
export function followRun(c: Client, runId: string, h: FollowHandlers, opts: FollowOptions = {}): () => void {
  const stop = new AbortController();
  const signal = stop.signal;
  const sleep = opts.sleep ?? abortableSleep;
  const pollEvery = opts.pollEvery ?? 2000;
  const now = opts.now ?? Date.now;

  async function push(): Promise<Pushed> {
    let res: Response;
    try {
      res = await c.open(`/v1/runs/${id(runId)}/events`, { signal });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return "absent";
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        h.onError(e);
        stop.abort();
      }
      return "failed";
    }
    if (!res.body) return "failed";
    h.onTransport("push");
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    let over = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const e of parser.push(value)) {
          const u = updateOf(e);
          if (!u) continue;
          over = isOver(u.run);
          h.onUpdate(u, "push");
        }
      }
    } catch {
      return signal.aborted ? "closed" : "failed";
    } finally {
      reader.releaseLock();
    }
    return over ? "over" : "closed";
  }

  /** Polls until the run is over (`true`) or `until` passes (`false`). */
  async function poll(until: number): Promise<boolean> {
    h.onTransport("polling");
    while (!signal.aborted) {
      try {
        const run = await getRun(c, runId, signal);
        h.onUpdate({ event: "poll", event_at: new Date().toISOString(), run }, "poll");
        if (isOver(run)) return true;
      } catch (e) {
        if (signal.aborted) return false;
        if (e instanceof ApiError && !e.retryable) {
          h.onError(e);
          stop.abort();
          return false;
        }
      }
      if (now() >= until) return false;
      await sleep(pollEvery, signal);
    }
    return false;
  }

  void (async () => {
    let failures = 0;
    let absent = false;
    while (!signal.aborted) {
      if (!absent) {
        h.onTransport("connecting");
        const r = await push();
        if (signal.aborted) break;
        if (r === "over") break;
        if (r === "closed") {
          // The server ends a stream after an access token's lifetime: again, at once.
          failures = 0;
          continue;
        }
        if (r === "absent") absent = true;
        else failures += 1;
      }
      const until = absent ? Infinity : now() + retryDelay(failures);
      if (await poll(until)) break;
    }
    if (!signal.aborted) h.onTransport("ended");
  })();

  return () => stop.abort();
}
