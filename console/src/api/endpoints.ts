// The routes the console calls, typed from the generated OpenAPI types: a route or
// body that changes on the server fails `npm run typecheck` here.

import type { Client } from "./client";
import type { components, paths } from "./schema.gen";

export type Schemas = components["schemas"];
export type DataMart = Schemas["DataMart"];
export type Run = Schemas["Run"];
export type RunStatus = Schemas["RunStatus"];
export type Trigger = Schemas["TriggerView"];
export type Me = Schemas["Me"];
export type SessionTokens = Schemas["SessionTokens"];

/** The JSON a route answers on success (200 or 201). */
type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { "application/json": infer T } } }
    ? T
    : R extends { 201: { content: { "application/json": infer T } } }
      ? T
      : never
  : never;

/** The JSON body a route takes. */
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;

const id = encodeURIComponent;

export function signIn(c: Client, body: Body<"/v1/auth/sign-in", "post">) {
  return c.request<Answer<"/v1/auth/sign-in", "post">>("POST", "/v1/auth/sign-in", body, { auth: false });
}

export function signUp(c: Client, body: Body<"/v1/auth/sign-up", "post">) {
  return c.request<Answer<"/v1/auth/sign-up", "post">>("POST", "/v1/auth/sign-up", body, { auth: false });
}

export function signOut(c: Client) {
  return c.request<void>("POST", "/v1/auth/sign-out");
}

export function me(c: Client) {
  return c.request<Answer<"/v1/me", "get">>("GET", "/v1/me");
}

/** Every data mart of the project, newest first, in pages of 200. */
export async function allDataMarts(c: Client, signal?: AbortSignal): Promise<DataMart[]> {
  const out: DataMart[] = [];
  let cursor: string | null | undefined = null;
  do {
    const query: string = cursor ? `&cursor=${id(cursor)}` : "";
    const page: Answer<"/v1/data-marts", "get"> = await c.request("GET", `/v1/data-marts?limit=200${query}`, undefined, {
      signal,
    });
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

/** A data mart's newest run, if it has one. */
export async function lastRun(c: Client, martId: string, signal?: AbortSignal): Promise<Run | null> {
  const page = await c.request<Answer<"/v1/data-marts/{id}/runs", "get">>(
    "GET",
    `/v1/data-marts/${id(martId)}/runs?limit=1`,
    undefined,
    { signal },
  );
  return page.items[0] ?? null;
}

/** The triggers of a data mart (a mart has few: one page holds them). */
export async function triggersOf(c: Client, martId: string, signal?: AbortSignal): Promise<Trigger[]> {
  const page = await c.request<Answer<"/v1/triggers", "get">>(
    "GET",
    `/v1/triggers?limit=200&target_id=${id(martId)}`,
    undefined,
    { signal },
  );
  return page.items;
}

export function startRun(c: Client, martId: string) {
  const body: Body<"/v1/data-marts/{id}/runs", "post"> = {};
  return c.request<Answer<"/v1/data-marts/{id}/runs", "post">>("POST", `/v1/data-marts/${id(martId)}/runs`, body);
}

export function retryRun(c: Client, runId: string) {
  return c.request<Answer<"/v1/runs/{id}/retry", "post">>("POST", `/v1/runs/${id(runId)}/retry`);
}

export function setTriggerEnabled(c: Client, trigger: Trigger, enabled: boolean) {
  const body: Body<"/v1/triggers/{id}", "patch"> = { enabled, version: trigger.version };
  return c.request<Answer<"/v1/triggers/{id}", "patch">>("PATCH", `/v1/triggers/${id(trigger.id)}`, body);
}
