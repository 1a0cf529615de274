// Following a run against a real WebSocket server on 127.0.0.1 (the `ws`
// package, with Node's own socket under it), speaking what the stack's
// WebSocket API does: `$connect` refuses a handshake without `?run=` or a good
// `bearer.<token>` subprotocol and answers `sluice.v1`; then ws-push's frames,
// each one run update as text.
import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { createClient } from "./client";
import type { Schemas } from "./endpoints";
import { followRun, type LiveSocketClass } from "./live";
import { memoryStore } from "./session";
import type { Transport } from "../lib/monitor";

const RUN = "run_01J0000000000000000000000A";
const MART = "dm_01J0000000000000000000000B";

/** The run as `GET /v1/runs/{id}` answers it (typed by the API's document). */
function run(status: Schemas["RunStatus"], rows: number, done: number): Schemas["Run"] {
  return {
    id: RUN,
    project_id: "prj_01J0000000000000000000000C",
    version: 3,
    kind: "incremental",
    data_mart_id: MART,
    status,
    created_at: "2026-06-01T11:00:00Z",
    created_by: "operator",
    updated_at: "2026-06-01T11:00:05Z",
    counters: { rows_read: rows, rows_written: rows, rows_failed: 0, rows_skipped: 0 },
    progress: { chunks_total: 4, chunks_done: done, chunks_failed: 0, fraction: done / 4, rows_per_second: 10 },
  };
}
/** What ws-push posts to a connection: `live::update_of`'s RunUpdate, serialized. */
const update = (event: string, r: Schemas["Run"]): Schemas["RunUpdate"] => ({ event, event_at: "2026-06-01T11:00:05Z", run: r });

interface Server {
  url: string;
  handshakes: { url: string; protocols: string[]; refused: number | null }[];
  close(): Promise<void>;
}

let server: Server | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A WebSocket API on a free port accepting `token`, sending `frames` to each connection. */
async function liveApi(token: string, frames: Schemas["RunUpdate"][]): Promise<Server> {
  const handshakes: Server["handshakes"] = [];
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    path: "/live",
    handleProtocols: (protocols) => (protocols.has("sluice.v1") ? "sluice.v1" : false),
    verifyClient: ({ req }: { req: IncomingMessage }, done: (ok: boolean, code?: number) => void) => {
      const protocols = String(req.headers["sec-websocket-protocol"] ?? "")
        .split(",")
        .map((p) => p.trim());
      const bearer = protocols.find((p) => p.startsWith("bearer."));
      const runId = new URL(req.url ?? "", "http://x").searchParams.get("run");
      const refused = !runId ? 400 : bearer !== `bearer.${token}` ? 401 : runId !== RUN ? 404 : null;
      handshakes.push({ url: req.url ?? "", protocols, refused });
      if (refused) done(false, refused);
      else done(true);
    },
  });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  wss.on("connection", (socket) => {
    // As ws-push: one text frame per run event, the last one the end of the run.
    for (const f of frames) socket.send(JSON.stringify(f));
  });
  const address = wss.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/live`,
    handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

async function follow(url: string, answer: (path: string, auth: string | null) => Response) {
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) =>
    answer(String(input), new Headers(init?.headers).get("authorization"))) as typeof globalThis.fetch;
  const c = createClient({ store: memoryStore({ accessToken: "a1", refreshToken: "r1" }), fetch, exclusive: (t) => t() });
  const transports: Transport[] = [];
  const updates: string[] = [];
  await new Promise<void>((resolve, reject) => {
    followRun(
      c,
      RUN,
      {
        onUpdate: (u, via) => updates.push(`${via} ${u.event} ${u.run.status} ${u.run.progress?.chunks_done}`),
        onTransport: (t) => {
          transports.push(t);
          if (t === "ended") resolve();
        },
        onError: reject,
      },
      { liveUrl: async () => url, WebSocket: WebSocket as unknown as LiveSocketClass, sleep: async () => {} },
    );
  });
  return { transports, updates };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("followRun against a WebSocket server", () => {
  const frames = [update("RunStarted", run("running", 0, 0)), update("RunProgressed", run("running", 500, 2)), update("RunSucceeded", run("succeeded", 1000, 4))];

  it("receives ws-push's frames in order over a handshake carrying the credential as a subprotocol", async () => {
    server = await liveApi("a1", frames);
    const r = await follow(server.url, () => json(200, run("queued", 0, 0)));
    expect(server.handshakes).toEqual([{ url: `/live?run=${RUN}`, protocols: ["sluice.v1", "bearer.a1"], refused: null }]);
    expect(r.transports).toEqual(["connecting", "push", "ended"]);
    // The frames in order; the state read on opening shows only if it came first.
    const pushed = r.updates.filter((u) => u.startsWith("push"));
    expect(pushed).toEqual(["push RunStarted running 0", "push RunProgressed running 2", "push RunSucceeded succeeded 4"]);
  });

  it("refreshes an expired token after a refused handshake and connects with the new one", async () => {
    server = await liveApi("a2", frames);
    const r = await follow(server.url, (path, auth) => {
      if (path === "/v1/auth/refresh") return json(200, { access_token: "a2", refresh_token: "r2" });
      return auth === "Bearer a2" ? json(200, run("running", 0, 0)) : json(401, { error: { code: "unauthorized", message: "expired", details: {} } });
    });
    expect(server.handshakes.map((h) => [h.protocols, h.refused])).toEqual([
      [["sluice.v1", "bearer.a1"], 401],
      [["sluice.v1", "bearer.a2"], null],
    ]);
    expect(r.transports).toEqual(["connecting", "push", "ended"]);
    expect(r.updates[r.updates.length - 1]).toBe("push RunSucceeded succeeded 4");
  });
});
