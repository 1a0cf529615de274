// Following a run: its push channel, falling back to polling `GET /v1/runs/{id}`
// when the channel fails or the deployment has none, and trying the channel
// again now and then. Also the run routes the monitor calls.
//
// The push channel is `GET /v1/runs/{id}/events` where `sluice serve` serves the
// console (server-sent events read with fetch, so the credential goes in the
// Authorization header, never in the URL), and on AWS, whose HTTP API has no
// such route, the stack's WebSocket API named by the deployment's
// `/config.json`: `?run=<id>` with the subprotocols `sluice.v1` and
// `bearer.<credential>` (a browser's WebSocket sends no header of its own), each
// frame one run update as the event stream's `data`.

import { ApiError, type Client } from "./client";
import { runtimeConfig } from "./config";
import type { Run } from "./endpoints";
import { isOver, retryDelay, SseParser, updateOf, type RunUpdate, type Transport } from "../lib/monitor";

/** The subprotocol the WebSocket API speaks; the credential rides beside it as `bearer.<token>`. */
export const LIVE_PROTOCOL = "sluice.v1";

/** What of a WebSocket following a run uses (the browser's, or a test's). */
export interface LiveSocket {
  binaryType?: string;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}
export type LiveSocketClass = new (url: string, protocols: string[]) => LiveSocket;

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
  /** The WebSocket API to follow on, if any (default: the deployment's `/config.json`). */
  liveUrl?: () => Promise<string | null>;
  /** The WebSocket class (default: the browser's). */
  WebSocket?: LiveSocketClass;
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

/** A WebSocket frame's run update, or `null` for anything else. */
function frameUpdate(data: unknown): RunUpdate | null {
  let text: string;
  if (typeof data === "string") text = data;
  else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) text = new TextDecoder().decode(data);
  else return null;
  return updateOf({ event: "run", data: text, id: "" });
}

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

  /**
   * One WebSocket connection: `"refused"` when the handshake fails (API Gateway
   * says no more than that), otherwise how it ended. ws-push sends a run's state
   * when it changes, so its state now is read once the socket is open.
   */
  function socket(url: string, WS: LiveSocketClass, token: string): Promise<Pushed | "refused"> {
    return new Promise((resolve) => {
      let ws: LiveSocket;
      try {
        ws = new WS(`${url}?run=${id(runId)}`, [LIVE_PROTOCOL, `bearer.${token}`]);
      } catch {
        resolve("failed");
        return;
      }
      ws.binaryType = "arraybuffer";
      let opened = false;
      let pushed = false;
      let settled = false;
      const finish = (r: Pushed | "refused") => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        resolve(r);
      };
      const onAbort = () => {
        ws.close(1000);
        finish("closed");
      };
      signal.addEventListener("abort", onAbort);
      const take = (u: RunUpdate, via: "push" | "poll") => {
        h.onUpdate(u, via);
        if (isOver(u.run)) {
          ws.close(1000);
          finish("over");
        }
      };
      ws.onopen = () => {
        opened = true;
        h.onTransport("push");
        getRun(c, runId, signal).then(
          (run) => {
            // A pushed state is newer than the one read.
            if (!pushed && !settled) take({ event: "snapshot", event_at: new Date().toISOString(), run }, "poll");
          },
          (e) => {
            if (settled || signal.aborted) return;
            if (e instanceof ApiError && !e.retryable) {
              h.onError(e);
              stop.abort();
            }
          },
        );
      };
      ws.onmessage = (ev) => {
        if (settled) return;
        const u = frameUpdate(ev.data);
        if (!u || u.run.id !== runId) return;
        pushed = true;
        take(u, "push");
      };
      // An error is followed by its close, which says what comes next.
      ws.onerror = () => {};
      ws.onclose = (ev) => {
        if (!opened) finish("refused");
        // Closed by API Gateway (idle, or the connection's two hours): again, at once.
        else finish(ev.code === 1000 || ev.code === 1001 ? "closed" : "failed");
      };
    });
  }

  /**
   * The WebSocket channel. A refused handshake is explained by reading the run
   * over HTTP: an expired token is refreshed there (the client's refresh on a
   * 401) and the handshake tried again at once with the new one; a run gone or
   * not the caller's ends following, as on the event stream.
   */
  async function pushWs(url: string, WS: LiveSocketClass): Promise<Pushed> {
    for (let attempt = 0; ; attempt += 1) {
      const used = c.store.load()?.accessToken ?? null;
      const r = used === null ? "refused" : await socket(url, WS, used);
      if (r !== "refused") return r;
      if (signal.aborted) return "closed";
      try {
        await getRun(c, runId, signal);
      } catch (e) {
        if (signal.aborted) return "closed";
        if (e instanceof ApiError && !e.retryable) {
          h.onError(e);
          stop.abort();
        }
        return "failed";
      }
      const now = c.store.load()?.accessToken ?? null;
      if (attempt > 0 || now === null || now === used) return "failed";
    }
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
    const live = await (opts.liveUrl ?? (async () => (await runtimeConfig()).liveUrl))().catch(() => null);
    const WS = opts.WebSocket ?? (globalThis as { WebSocket?: LiveSocketClass }).WebSocket;
    const channel = live && WS ? () => pushWs(live, WS) : push;
    while (!signal.aborted) {
      if (!absent) {
        h.onTransport("connecting");
        const r = await channel();
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
