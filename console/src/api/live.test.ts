import { describe, expect, it } from "vitest";
import { createClient } from "./client";
import { followRun } from "./live";
import { memoryStore } from "./session";
import type { Transport } from "../lib/monitor";

const RUN = "run_01J0000000000000000000000A";
const runOf = (status: string, rows: number) => ({
  id: RUN,
  status,
  counters: { rows_read: rows, rows_written: rows, rows_failed: 0, rows_skipped: 0 },
});
const frame = (n: number, event: string, run: object) =>
  `id: ${n}\nevent: run\ndata: ${JSON.stringify({ event, event_at: "2026-06-01T11:00:00Z", run })}\n\n`;

/** A body sent in `parts`; `breaks` ends it with a network error instead of its end. */
function eventStream(parts: string[], breaks = false): Response {
  const enc = new TextEncoder();
  const queue = [...parts];
  const body = new ReadableStream<Uint8Array>({
    // One part a read; then the end, or the break (after what came before it).
    pull(ctl) {
      const next = queue.shift();
      if (next !== undefined) ctl.enqueue(enc.encode(next));
      else if (breaks) ctl.error(new TypeError("network error"));
      else ctl.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const error = (status: number) => json(status, { error: { code: "x", message: `status ${status}`, details: {} } });

/** Follows the run against `answer` (called with each path and the calls so far) until it ends. */
async function follow(answer: (path: string, n: number, accept: string | null) => Response) {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    const headers = new Headers(init?.headers);
    calls.push(`${path} ${headers.get("authorization")}`);
    return answer(path, calls.length, headers.get("accept"));
  }) as typeof globalThis.fetch;
  const c = createClient({ store: memoryStore({ accessToken: "a1", refreshToken: "r1" }), fetch, exclusive: (t) => t() });
  const transports: Transport[] = [];
  const updates: string[] = [];
  let clock = 0;
  await new Promise<void>((resolve, reject) => {
    followRun(
      c,
      RUN,
      {
        onUpdate: (u, via) => updates.push(`${via} ${u.run.status} ${u.run.counters?.rows_written}`),
        onTransport: (t) => {
          transports.push(t);
          if (t === "ended") resolve();
        },
        onError: (e) => reject(e),
      },
      {
        pollEvery: 500,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      },
    );
  });
  return { calls, transports, updates };
}

describe("followRun", () => {
  it("follows the push channel with the credential in the header until the run is over", async () => {
    const r = await follow((path, _n, accept) => {
      expect(path).toBe(`/v1/runs/${RUN}/events`);
      expect(accept).toBe("text/event-stream");
      return eventStream([": heartbeat\n\n", frame(1, "snapshot", runOf("running", 0)), frame(2, "RunSucceeded", runOf("succeeded", 9))]);
    });
    expect(r.calls).toEqual([`/v1/runs/${RUN}/events Bearer a1`]);
    expect(r.transports).toEqual(["connecting", "push", "ended"]);
    expect(r.updates).toEqual(["push running 0", "push succeeded 9"]);
  });

  it("polls when the push channel fails, and tries it again after a while", async () => {
    const r = await follow((path, n) => {
      if (path.endsWith("/events")) {
        // The first stream breaks midway; the second works.
        return n === 1 ? eventStream([frame(1, "snapshot", runOf("running", 1))], true) : eventStream([frame(1, "snapshot", runOf("succeeded", 5))]);
      }
      return json(200, runOf("running", 2));
    });
    expect(r.transports).toEqual(["connecting", "push", "polling", "connecting", "push", "ended"]);
    expect(r.updates[0]).toBe("push running 1");
    expect(r.updates.filter((u) => u.startsWith("poll")).length).toBeGreaterThanOrEqual(2);
    expect(r.updates[r.updates.length - 1]).toBe("push succeeded 5");
  });

  it("polls for good where the deployment serves no push channel", async () => {
    let polls = 0;
    const r = await follow((path) => {
      if (path.endsWith("/events")) return error(404);
      polls += 1;
      return json(200, polls < 4 ? runOf("running", polls) : runOf("succeeded", 4));
    });
    expect(r.calls.filter((c) => c.includes("/events")).length).toBe(1);
    expect(r.transports).toEqual(["connecting", "polling", "ended"]);
    expect(r.updates).toEqual(["poll running 1", "poll running 2", "poll running 3", "poll succeeded 4"]);
  });

  it("reconnects at once when the server ends a stream before the run is over", async () => {
    const r = await follow((_path, n) =>
      n === 1 ? eventStream([frame(1, "snapshot", runOf("running", 1))]) : eventStream([frame(1, "snapshot", runOf("failed", 1))]),
    );
    expect(r.transports).toEqual(["connecting", "push", "connecting", "push", "ended"]);
    expect(r.calls.every((c) => c.includes("/events"))).toBe(true);
  });

  it("stops with the error when the run is not found", async () => {
    await expect(follow((path) => (path.endsWith("/events") ? error(404) : error(404)))).rejects.toMatchObject({ status: 404 });
  });
});
