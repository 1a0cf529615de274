// Following a run over the WebSocket API (AWS): a fake WebSocket class injected,
// each connection scripted, the HTTP side answered by a fake fetch.
import { describe, expect, it } from "vitest";
import { createClient } from "./client";
import { followRun, type LiveSocket } from "./live";
import { memoryStore } from "./session";
import { retryDelay, type Transport } from "../lib/monitor";

const RUN = "run_01J0000000000000000000000A";
const LIVE = "wss://abc123.execute-api.eu-west-1.amazonaws.com/live";
const runOf = (status: string, rows: number, id = RUN) => ({
  id,
  status,
  counters: { rows_read: rows, rows_written: rows, rows_failed: 0, rows_skipped: 0 },
});
/** A frame as ws-push posts it: one run update, JSON. */
const frame = (event: string, run: object) => JSON.stringify({ event, event_at: "2026-06-01T11:00:00Z", run });
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const error = (status: number) => json(status, { error: { code: "x", message: `status ${status}`, details: {} } });

/** Lets every pending callback and answer run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

type Script = (s: FakeSocket) => Promise<void>;

class FakeSocket implements LiveSocket {
  static scripts: Script[] = [];
  static made: FakeSocket[] = [];
  static clock = () => 0;
  binaryType = "blob";
  onopen: LiveSocket["onopen"] = null;
  onmessage: LiveSocket["onmessage"] = null;
  onclose: LiveSocket["onclose"] = null;
  onerror: LiveSocket["onerror"] = null;
  closedWith: number | null = null;
  readonly madeAt = FakeSocket.clock();
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    const script = FakeSocket.scripts[FakeSocket.made.length];
    FakeSocket.made.push(this);
    if (!script) throw new Error(`no script for connection ${FakeSocket.made.length}`);
    void settle().then(() => script(this));
  }
  open() {
    this.onopen?.({});
  }
  send(data: unknown) {
    this.onmessage?.({ data });
  }
  /** The handshake refused: an error, then the close, never an open. */
  refuse() {
    this.onerror?.({});
    this.onclose?.({ code: 1006 });
  }
  drop(code: number) {
    this.onclose?.({ code });
  }
  close(code?: number) {
    this.closedWith = code ?? 1005;
    void settle().then(() => this.onclose?.({ code: code ?? 1005 }));
  }
}

/** Follows the run over `scripts` with `answer` serving HTTP, until it ends. */
async function follow(scripts: Script[], answer: (path: string, auth: string | null) => Response) {
  FakeSocket.scripts = scripts;
  FakeSocket.made = [];
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    const auth = new Headers(init?.headers).get("authorization");
    calls.push(`${init?.method ?? "GET"} ${path} ${auth}`);
    return answer(path, auth);
  }) as typeof globalThis.fetch;
  const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
  const c = createClient({ store, fetch, exclusive: (t) => t() });
  const transports: Transport[] = [];
  const updates: string[] = [];
  let clock = 0;
  FakeSocket.clock = () => clock;
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
        liveUrl: async () => LIVE,
        WebSocket: FakeSocket,
      },
    );
  });
  return { calls, transports, updates, sockets: FakeSocket.made };
}

/** Opens, waits for the state read once open, then sends `frames`. */
const serves =
  (...frames: unknown[]): Script =>
  async (s) => {
    s.open();
    await settle();
    for (const f of frames) s.send(f);
  };

describe("followRun over the WebSocket API", () => {
  it("reads frames into updates in order, the credential a subprotocol and never in the URL", async () => {
    const r = await follow(
      [
        serves(
          frame("RunStarted", runOf("running", 1)),
          "not json",
          frame("RunProgressed", runOf("running", 9, "run_01J0000000000000000000000B")),
          new TextEncoder().encode(frame("RunProgressed", runOf("running", 3))),
          frame("RunSucceeded", runOf("succeeded", 9)),
        ),
      ],
      () => json(200, runOf("queued", 0)),
    );
    const [socket] = r.sockets;
    expect(socket?.url).toBe(`${LIVE}?run=${RUN}`);
    expect(socket?.url).not.toContain("a1");
    expect(socket?.protocols).toEqual(["sluice.v1", "bearer.a1"]);
    expect(socket?.binaryType).toBe("arraybuffer");
    expect(r.transports).toEqual(["connecting", "push", "ended"]);
    // The state when it opened (read over HTTP), then each frame as it came.
    expect(r.updates).toEqual(["poll queued 0", "push running 1", "push running 3", "push succeeded 9"]);
    expect(r.calls).toEqual([`GET /v1/runs/${RUN} Bearer a1`]);
    // Over: the console closes it.
    expect(socket?.closedWith).toBe(1000);
  });

  it("polls when the connection breaks, and connects again after a growing wait", async () => {
    let polls = 0;
    const r = await follow(
      [
        async (s) => {
          await serves(frame("RunStarted", runOf("running", 1)))(s);
          s.drop(1006);
        },
        async (s) => s.refuse(),
        serves(frame("RunSucceeded", runOf("succeeded", 5))),
      ],
      (path) => {
        expect(path).toBe(`/v1/runs/${RUN}`);
        polls += 1;
        return json(200, runOf("running", 2));
      },
    );
    expect(r.transports).toEqual(["connecting", "push", "polling", "connecting", "polling", "connecting", "push", "ended"]);
    expect(r.updates[1]).toBe("push running 1");
    expect(r.updates.filter((u) => u === "poll running 2").length).toBeGreaterThanOrEqual(2);
    expect(r.updates[r.updates.length - 1]).toBe("push succeeded 5");
    // Tried again after 1 s of polling, then after 2 s more.
    const at = r.sockets.map((s) => s.madeAt);
    expect(at[0]).toBe(0);
    expect(at[1]).toBe(retryDelay(1));
    expect(at[2]! - at[1]!).toBe(retryDelay(2));
    expect(polls).toBeGreaterThan(0);
  });

  it("refreshes the token when the handshake is refused, and connects with the new one", async () => {
    const r = await follow([async (s) => s.refuse(), serves(frame("RunFailed", runOf("failed", 2)))], (path, auth) => {
      if (path === "/v1/auth/refresh") return json(200, { access_token: "a2", refresh_token: "r2" });
      return auth === "Bearer a1" ? error(401) : json(200, runOf("running", 1));
    });
    expect(r.sockets.map((s) => s.protocols)).toEqual([
      ["sluice.v1", "bearer.a1"],
      ["sluice.v1", "bearer.a2"],
    ]);
    expect(r.transports).toEqual(["connecting", "push", "ended"]);
    expect(r.updates[r.updates.length - 1]).toBe("push failed 2");
  });

  it("connects again at once when API Gateway closes an idle connection", async () => {
    const r = await follow(
      [
        async (s) => {
          await serves(frame("RunStarted", runOf("running", 1)))(s);
          s.drop(1001);
        },
        serves(frame("RunSucceeded", runOf("succeeded", 4))),
      ],
      () => json(200, runOf("running", 1)),
    );
    expect(r.transports).toEqual(["connecting", "push", "connecting", "push", "ended"]);
    expect(r.sockets[1]?.madeAt).toBe(0);
  });

  it("stops with the error when the run is not the caller's", async () => {
    await expect(follow([async (s) => s.refuse()], () => error(404))).rejects.toMatchObject({ status: 404 });
  });
});
