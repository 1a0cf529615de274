import { describe, expect, it } from "vitest";
import { ApiError, createClient } from "./client";
import { memoryStore, storageStore, type Session } from "./session";

/** A server in a function: answers each request with `answer`, recording what it was asked. */
function server(answer: (path: string, auth: string | null, body: unknown) => Response | Promise<Response>) {
  const calls: { method: string; path: string; auth: string | null; body: unknown }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    const call = { method: init?.method ?? "GET", path: String(input), auth: headers.get("authorization"), body };
    calls.push(call);
    return answer(call.path, call.auth, body);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const unauthorized = () => json(401, { error: { code: "unauthorized", message: "expired token", details: {} } });
const tokens = (n: number) => json(200, { access_token: `a${n}`, refresh_token: `r${n}` });
const direct = <T>(task: () => Promise<T>) => task();

describe("the API client", () => {
  it("sends the session's access token and reads the JSON answer", async () => {
    const s = server(() => json(200, { role: "owner" }));
    const c = createClient({ store: memoryStore({ accessToken: "a1", refreshToken: "r1" }), fetch: s.fetch, exclusive: direct });
    await expect(c.request("GET", "/v1/me")).resolves.toEqual({ role: "owner" });
    expect(s.calls).toEqual([{ method: "GET", path: "/v1/me", auth: "Bearer a1", body: undefined }]);
  });

  it("refreshes once on a 401, keeps the new pair, and retries with the new token", async () => {
    const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
    const s = server((path, auth) => {
      if (path === "/v1/auth/refresh") return tokens(2);
      return auth === "Bearer a2" ? json(200, { ok: true }) : unauthorized();
    });
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    await expect(c.request("GET", "/v1/data-marts")).resolves.toEqual({ ok: true });
    expect(s.calls.map((x) => `${x.path} ${x.auth ?? ""}`.trim())).toEqual([
      "/v1/data-marts Bearer a1",
      "/v1/auth/refresh",
      "/v1/data-marts Bearer a2",
    ]);
    expect(s.calls[1]?.body).toEqual({ refresh_token: "r1" });
    expect(store.load()).toEqual({ accessToken: "a2", refreshToken: "r2" });
  });

  it("refreshes on API Gateway's own 403 (its authorizer refused the token), not on the API's 403", async () => {
    const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
    const s = server((path, auth) => {
      if (path === "/v1/auth/refresh") return tokens(2);
      if (path === "/v1/storages") return json(403, { error: { code: "forbidden", message: "role", details: {} } });
      return auth === "Bearer a2" ? json(200, { ok: true }) : json(403, { message: "Forbidden" });
    });
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    await expect(c.request("GET", "/v1/data-marts")).resolves.toEqual({ ok: true });
    expect(s.calls.map((x) => x.path)).toEqual(["/v1/data-marts", "/v1/auth/refresh", "/v1/data-marts"]);
    await expect(c.request("GET", "/v1/storages")).rejects.toMatchObject({ status: 403 });
    expect(s.calls.length).toBe(4);
    expect(store.load()).toEqual({ accessToken: "a2", refreshToken: "r2" });
  });

  it("presents a refresh token once when several requests get a 401 together", async () => {
    const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
    let refreshes = 0;
    const s = server(async (path, auth) => {
      if (path === "/v1/auth/refresh") {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10));
        return tokens(2);
      }
      return auth === "Bearer a2" ? json(200, { path }) : unauthorized();
    });
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    const answers = await Promise.all(["/v1/a", "/v1/b", "/v1/c"].map((p) => c.request("GET", p)));
    expect(answers).toEqual([{ path: "/v1/a" }, { path: "/v1/b" }, { path: "/v1/c" }]);
    expect(refreshes).toBe(1);
  });

  it("uses tokens another tab refreshed meanwhile instead of presenting the used refresh token", async () => {
    const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
    const s = server((path, auth) => {
      if (path === "/v1/auth/refresh") throw new Error("must not refresh");
      if (auth === "Bearer a1") {
        // The other tab's refresh lands while this request is on its way.
        store.save({ accessToken: "a9", refreshToken: "r9" });
        return unauthorized();
      }
      return json(200, { auth });
    });
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    await expect(c.request("GET", "/v1/me")).resolves.toEqual({ auth: "Bearer a9" });
  });

  it("signs out when the refresh is refused", async () => {
    const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
    const s = server(() => unauthorized());
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    const error = await c.request("GET", "/v1/me").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(store.load()).toBeNull();
    expect(s.calls.map((x) => x.path)).toEqual(["/v1/me", "/v1/auth/refresh"]);
  });

  it("signs out after a second 401, without refreshing again", async () => {
    const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
    const s = server((path) => (path === "/v1/auth/refresh" ? tokens(2) : unauthorized()));
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    await expect(c.request("GET", "/v1/me")).rejects.toBeInstanceOf(ApiError);
    expect(store.load()).toBeNull();
    expect(s.calls.map((x) => x.path)).toEqual(["/v1/me", "/v1/auth/refresh", "/v1/me"]);
  });

  it("signs out a pasted token (no refresh token) on its first 401", async () => {
    const store = memoryStore({ accessToken: "pasted", refreshToken: null });
    const s = server(() => unauthorized());
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    await expect(c.request("GET", "/v1/me")).rejects.toMatchObject({ status: 401 });
    expect(store.load()).toBeNull();
    expect(s.calls).toHaveLength(1);
  });

  it("sends no token to sign-in, and a 401 there signs no one out", async () => {
    const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
    const s = server(() => json(401, { error: { code: "unauthorized", message: "wrong", details: {} } }));
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    await expect(c.request("POST", "/v1/auth/sign-in", { email: "a@b.c", password: "x" }, { auth: false })).rejects.toMatchObject({
      status: 401,
      message: "wrong",
    });
    expect(s.calls[0]?.auth).toBeNull();
    expect(store.load()).not.toBeNull();
  });

  it("reads the error envelope: status, code, message and the field it names", async () => {
    const s = server(() =>
      json(422, { error: { code: "validation_failed", message: "cron: not a schedule", details: { field: "cron" } } }),
    );
    const c = createClient({ store: memoryStore({ accessToken: "a", refreshToken: null }), fetch: s.fetch, exclusive: direct });
    const e = (await c.request("POST", "/v1/triggers", {}).catch((x: unknown) => x)) as ApiError;
    expect([e.status, e.code, e.message, e.field]).toEqual([422, "validation_failed", "cron: not a schedule", "cron"]);
  });

  it("describes an answer that is not the envelope by its status", async () => {
    const s = server(() => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    const c = createClient({ store: memoryStore(), fetch: s.fetch, exclusive: direct });
    await expect(c.request("GET", "/v1/me")).rejects.toMatchObject({ status: 502, code: "http_502" });
  });

  it("reads how long a 429 asks to wait, and calls it retryable", async () => {
    const s = server(() =>
      new Response(JSON.stringify({ error: { code: "too_many_requests", message: "slow down", details: {} } }), {
        status: 429,
        headers: { "retry-after": "7" },
      }),
    );
    const c = createClient({ store: memoryStore({ accessToken: "a", refreshToken: "r" }), fetch: s.fetch, exclusive: direct });
    const e = (await c.request("GET", "/v1/data-marts").catch((x: unknown) => x)) as ApiError;
    expect([e.status, e.retryAfter, e.retryable]).toEqual([429, 7, true]);
    expect(new ApiError(422, "validation_failed", "bad").retryable).toBe(false);
    expect(new ApiError(503, "unavailable", "down").retryable).toBe(true);
  });

  it("answers undefined for 204", async () => {
    const s = server(() => new Response(null, { status: 204 }));
    const c = createClient({ store: memoryStore({ accessToken: "a", refreshToken: "r" }), fetch: s.fetch, exclusive: direct });
    await expect(c.request("DELETE", "/v1/triggers/x")).resolves.toBeUndefined();
  });
});

describe("the session store", () => {
  function storage(): Storage {
    const map = new Map<string, string>();
    return {
      get length() {
        return map.size;
      },
      clear: () => map.clear(),
      getItem: (k) => map.get(k) ?? null,
      key: (i) => [...map.keys()][i] ?? null,
      removeItem: (k) => void map.delete(k),
      setItem: (k, v) => void map.set(k, v),
    };
  }

  it("keeps a session across loads and forgets it on sign-out", () => {
    const s = storage();
    const session: Session = { accessToken: "a", refreshToken: "r" };
    storageStore(s).save(session);
    const again = storageStore(s);
    expect(again.load()).toEqual(session);
    again.save(null);
    expect(storageStore(s).load()).toBeNull();
  });

  it("sees what another tab wrote, and ignores what it cannot read", () => {
    const s = storage();
    const store = storageStore(s);
    s.setItem("sluice.session", JSON.stringify({ accessToken: "b", refreshToken: "r2" }));
    expect(store.load()).toEqual({ accessToken: "b", refreshToken: "r2" });
    s.setItem("sluice.session", "{not json");
    expect(store.load()).toBeNull();
    s.setItem("sluice.session", JSON.stringify({ accessToken: "" }));
    expect(store.load()).toBeNull();
  });

  it("tells its listeners of every change", () => {
    const store = memoryStore();
    let calls = 0;
    const stop = store.subscribe(() => calls++);
    store.save({ accessToken: "a", refreshToken: null });
    store.save(null);
    stop();
    store.save({ accessToken: "b", refreshToken: null });
    expect(calls).toBe(2);
  });
});

describe("file names of downloads", () => {
  it("reads Content-Disposition's plain and encoded names", async () => {
    const { fileNameOf } = await import("./client");
    expect(fileNameOf('attachment; filename="orders.csv"')).toBe("orders.csv");
    expect(fileNameOf("attachment; filename=orders.csv")).toBe("orders.csv");
    expect(fileNameOf("attachment; filename*=UTF-8''%C3%BCber.csv")).toBe("über.csv");
    expect(fileNameOf(null)).toBeNull();
  });
});
