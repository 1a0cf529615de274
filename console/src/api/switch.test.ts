import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { ApiError, createClient } from "./client";
import { memoryStore } from "./session";
import { enterProject } from "./switch";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const direct = <T>(task: () => Promise<T>) => task();

function fakeFetch(answer: (path: string, auth: string | null, body: unknown) => Response) {
  const calls: string[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const auth = new Headers(init?.headers).get("authorization");
    calls.push(`${init?.method ?? "GET"} ${String(input)} ${auth ?? ""}`.trim());
    return answer(String(input), auth, typeof init?.body === "string" ? JSON.parse(init.body) : undefined);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

const switched = (token: string) =>
  json(200, { access_token: token, token_type: "Bearer", expires_in: 900, project_id: "prj_2", role: "owner" });

describe("entering another project", () => {
  it("keeps the new access token with the same refresh token, and forgets what was read", async () => {
    const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
    const s = fakeFetch((_path, _auth, body) => {
      expect(body).toEqual({ project_id: "prj_2" });
      return switched("b1");
    });
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    const queries = new QueryClient();
    queries.setQueryData(["data-marts"], ["of the old project"]);
    await enterProject(c, queries, "prj_2");
    expect(s.calls).toEqual(["POST /v1/auth/switch-project Bearer a1"]);
    expect(store.load()).toEqual({ accessToken: "b1", refreshToken: "r1" });
    expect(queries.getQueryData(["data-marts"])).toBeUndefined();
  });

  it("keeps the refresh token the request itself refreshed to", async () => {
    const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
    const s = fakeFetch((path, auth) => {
      if (path === "/v1/auth/refresh") return json(200, { access_token: "a2", refresh_token: "r2" });
      if (auth === "Bearer a1") return json(401, { error: { code: "unauthorized", message: "expired", details: {} } });
      return switched("b2");
    });
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    await enterProject(c, new QueryClient(), "prj_2");
    expect(store.load()).toEqual({ accessToken: "b2", refreshToken: "r2" });
  });

  it("changes nothing when the switch is refused", async () => {
    const store = memoryStore({ accessToken: "a1", refreshToken: "r1" });
    const s = fakeFetch(() => json(403, { error: { code: "forbidden", message: "not a member", details: {} } }));
    const c = createClient({ store, fetch: s.fetch, exclusive: direct });
    const queries = new QueryClient();
    queries.setQueryData(["me"], { project_id: "prj_1" });
    await expect(enterProject(c, queries, "prj_9")).rejects.toBeInstanceOf(ApiError);
    expect(store.load()).toEqual({ accessToken: "a1", refreshToken: "r1" });
    expect(queries.getQueryData(["me"])).toEqual({ project_id: "prj_1" });
  });
});
