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
export type ProjectMembership = Schemas["ProjectMembership"];
export type Member = Schemas["MemberView"];
export type CustomRole = Schemas["CustomRoleView"];
export type PermissionView = Schemas["PermissionView"];
export type Invitation = Schemas["InvitationView"];
export type ApiKey = Schemas["ApiKeyView"];
export type CreatedApiKey = Schemas["CreatedApiKey"];
export type Project = Schemas["Project"];
export type UpdateProject = Schemas["UpdateProject"];

/** The JSON a route answers on success (200 or 201). */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { "application/json": infer T } } }
    ? T
    : R extends { 201: { content: { "application/json": infer T } } }
      ? T
      : never
  : never;

/** The JSON body a route takes. */
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
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

// ---- Projects and access ----

export async function projects(c: Client, signal?: AbortSignal) {
  return (await c.request<Answer<"/v1/projects", "get">>("GET", "/v1/projects", undefined, { signal })).items;
}

export function createProject(c: Client, body: Body<"/v1/projects", "post">) {
  return c.request<Answer<"/v1/projects", "post">>("POST", "/v1/projects", body);
}

/** A new access token for another project of the session (the refresh token stays). */
export function switchProject(c: Client, projectId: string) {
  const body: Body<"/v1/auth/switch-project", "post"> = { project_id: projectId };
  return c.request<Answer<"/v1/auth/switch-project", "post">>("POST", "/v1/auth/switch-project", body);
}

export function acceptInvitation(c: Client, token: string) {
  const body: Body<"/v1/auth/accept-invitation", "post"> = { token };
  return c.request<Answer<"/v1/auth/accept-invitation", "post">>("POST", "/v1/auth/accept-invitation", body);
}

export async function members(c: Client, signal?: AbortSignal) {
  return (await c.request<Answer<"/v1/members", "get">>("GET", "/v1/members", undefined, { signal })).items;
}

export function updateMember(c: Client, memberId: string, body: Body<"/v1/members/{id}", "patch">) {
  return c.request<Answer<"/v1/members/{id}", "patch">>("PATCH", `/v1/members/${id(memberId)}`, body);
}

export function removeMember(c: Client, memberId: string) {
  return c.request<void>("DELETE", `/v1/members/${id(memberId)}`);
}

export async function roles(c: Client, signal?: AbortSignal) {
  return (await c.request<Answer<"/v1/roles", "get">>("GET", "/v1/roles", undefined, { signal })).items;
}

export function createRole(c: Client, body: Body<"/v1/roles", "post">) {
  return c.request<Answer<"/v1/roles", "post">>("POST", "/v1/roles", body);
}

export function updateRole(c: Client, roleId: string, body: Body<"/v1/roles/{id}", "patch">) {
  return c.request<Answer<"/v1/roles/{id}", "patch">>("PATCH", `/v1/roles/${id(roleId)}`, body);
}

export function deleteRole(c: Client, roleId: string) {
  return c.request<void>("DELETE", `/v1/roles/${id(roleId)}`);
}

export async function permissions(c: Client, signal?: AbortSignal) {
  return (await c.request<Answer<"/v1/permissions", "get">>("GET", "/v1/permissions", undefined, { signal })).items;
}

export async function invitations(c: Client, signal?: AbortSignal) {
  return (await c.request<Answer<"/v1/invitations", "get">>("GET", "/v1/invitations", undefined, { signal })).items;
}

export function invite(c: Client, body: Body<"/v1/invitations", "post">) {
  return c.request<Answer<"/v1/invitations", "post">>("POST", "/v1/invitations", body);
}

export function revokeInvitation(c: Client, invitationId: string) {
  return c.request<void>("DELETE", `/v1/invitations/${id(invitationId)}`);
}

/** Every API key of the project, newest first, in pages of 200. */
export async function apiKeys(c: Client, signal?: AbortSignal): Promise<ApiKey[]> {
  const out: ApiKey[] = [];
  let cursor: string | null | undefined = null;
  do {
    const query: string = cursor ? `&cursor=${id(cursor)}` : "";
    const page: Answer<"/v1/api-keys", "get"> = await c.request("GET", `/v1/api-keys?limit=200${query}`, undefined, {
      signal,
    });
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

export function createApiKey(c: Client, body: Body<"/v1/api-keys", "post">) {
  return c.request<Answer<"/v1/api-keys", "post">>("POST", "/v1/api-keys", body);
}

export function revokeApiKey(c: Client, keyId: string) {
  return c.request<void>("DELETE", `/v1/api-keys/${id(keyId)}`);
}

export function project(c: Client, signal?: AbortSignal) {
  return c.request<Answer<"/v1/project", "get">>("GET", "/v1/project", undefined, { signal });
}

export function updateProject(c: Client, body: Body<"/v1/project", "patch">) {
  return c.request<Answer<"/v1/project", "patch">>("PATCH", "/v1/project", body);
}

// ---- A data mart's page, its SQL editor, reports ----

export type SchemaField = Schemas["SchemaField"];
export type FieldStatus = Schemas["FieldStatus"];
export type Definition = Schemas["Definition"];
export type Lineage = Schemas["Lineage"];
export type QueryResult = Schemas["QueryResult"];
export type Backfill = Schemas["Backfill"];
export type Report = Schemas["Report"];
export type ReportRun = Schemas["ReportRun"];
export type ReportRunStatus = Schemas["ReportRunStatus"];
export type OutputControls = Schemas["OutputControls"];
export type Destination = Schemas["DestinationView"];
export type Source = Answer<"/v1/sources/{id}", "get">;
export type UpdateDataMart = Body<"/v1/data-marts/{id}", "patch">;
export type CreateReport = Body<"/v1/reports", "post">;
export type UpdateReport = Body<"/v1/reports/{id}", "patch">;
export type CreateBackfill = Body<"/v1/data-marts/{id}/backfills", "post">;
export type CreateTrigger = Body<"/v1/triggers", "post">;

/** Every item of a paged list, in pages of 200. */
async function everyPage<T>(c: Client, path: string, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null | undefined = null;
  const sep = path.includes("?") ? "&" : "?";
  do {
    const query: string = cursor ? `&cursor=${id(cursor)}` : "";
    const page: { items: T[]; next_cursor?: string | null } = await c.request(
      "GET",
      `${path}${sep}limit=200${query}`,
      undefined,
      { signal },
    );
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

export function dataMart(c: Client, martId: string, signal?: AbortSignal) {
  return c.request<Answer<"/v1/data-marts/{id}", "get">>("GET", `/v1/data-marts/${id(martId)}`, undefined, { signal });
}

export function updateDataMart(c: Client, martId: string, body: UpdateDataMart) {
  return c.request<Answer<"/v1/data-marts/{id}", "patch">>("PATCH", `/v1/data-marts/${id(martId)}`, body);
}

export function publishDataMart(c: Client, martId: string) {
  return c.request<Answer<"/v1/data-marts/{id}/publish", "post">>("POST", `/v1/data-marts/${id(martId)}/publish`);
}

/** A data mart's newest runs, newest first (one page of at most `limit`). */
export async function runsOf(c: Client, martId: string, limit: number, signal?: AbortSignal): Promise<Run[]> {
  const page = await c.request<Answer<"/v1/data-marts/{id}/runs", "get">>(
    "GET",
    `/v1/data-marts/${id(martId)}/runs?limit=${limit}`,
    undefined,
    { signal },
  );
  return page.items;
}

export function lineage(c: Client, martId: string, signal?: AbortSignal) {
  return c.request<Answer<"/v1/data-marts/{id}/lineage", "get">>(
    "GET",
    `/v1/data-marts/${id(martId)}/lineage`,
    undefined,
    { signal },
  );
}

export function source(c: Client, sourceId: string, signal?: AbortSignal) {
  return c.request<Source>("GET", `/v1/sources/${id(sourceId)}`, undefined, { signal });
}

/** One page of a read-only query over the data mart; `page` is the last answer's `next_page`. */
export function queryMart(
  c: Client,
  martId: string,
  body: Body<"/v1/data-marts/{id}/query", "post">,
  signal?: AbortSignal,
) {
  return c.request<Answer<"/v1/data-marts/{id}/query", "post">>(
    "POST",
    `/v1/data-marts/${id(martId)}/query`,
    body,
    { signal },
  );
}

export function triggersFor(c: Client, targetId: string, signal?: AbortSignal) {
  return everyPage<Trigger>(c, `/v1/triggers?target_id=${id(targetId)}`, signal);
}

export function createTrigger(c: Client, body: CreateTrigger) {
  return c.request<Answer<"/v1/triggers", "post">>("POST", "/v1/triggers", body);
}

export function deleteTrigger(c: Client, triggerId: string) {
  return c.request<void>("DELETE", `/v1/triggers/${id(triggerId)}`);
}

export function backfillsOf(c: Client, martId: string, signal?: AbortSignal) {
  return everyPage<Backfill>(c, `/v1/backfills?data_mart_id=${id(martId)}`, signal);
}

export function createBackfill(c: Client, martId: string, body: CreateBackfill) {
  return c.request<Answer<"/v1/data-marts/{id}/backfills", "post">>(
    "POST",
    `/v1/data-marts/${id(martId)}/backfills`,
    body,
  );
}

export function cancelBackfill(c: Client, backfillId: string) {
  return c.request<Answer<"/v1/backfills/{id}/cancel", "post">>("POST", `/v1/backfills/${id(backfillId)}/cancel`);
}

export function reportsOf(c: Client, martId: string | null, signal?: AbortSignal) {
  return everyPage<Report>(c, martId ? `/v1/reports?data_mart_id=${id(martId)}` : "/v1/reports", signal);
}

export function report(c: Client, reportId: string, signal?: AbortSignal) {
  return c.request<Answer<"/v1/reports/{id}", "get">>("GET", `/v1/reports/${id(reportId)}`, undefined, { signal });
}

export function createReport(c: Client, body: CreateReport) {
  return c.request<Answer<"/v1/reports", "post">>("POST", "/v1/reports", body);
}

export function updateReport(c: Client, reportId: string, body: UpdateReport) {
  return c.request<Answer<"/v1/reports/{id}", "patch">>("PATCH", `/v1/reports/${id(reportId)}`, body);
}

export function deleteReport(c: Client, reportId: string) {
  return c.request<void>("DELETE", `/v1/reports/${id(reportId)}`);
}

/** A report's newest runs, newest first. */
export async function reportRuns(c: Client, reportId: string, limit: number, signal?: AbortSignal) {
  const page = await c.request<Answer<"/v1/reports/{id}/runs", "get">>(
    "GET",
    `/v1/reports/${id(reportId)}/runs?limit=${limit}`,
    undefined,
    { signal },
  );
  return page.items;
}

export function startReportRun(c: Client, reportId: string) {
  const body: Body<"/v1/reports/{id}/runs", "post"> = {};
  return c.request<ReportRun>("POST", `/v1/reports/${id(reportId)}/runs`, body);
}

export function cancelReportRun(c: Client, runId: string) {
  return c.request<Answer<"/v1/report-runs/{id}/cancel", "post">>("POST", `/v1/report-runs/${id(runId)}/cancel`);
}

export function retryReportRun(c: Client, runId: string) {
  return c.request<Answer<"/v1/report-runs/{id}/retry", "post">>("POST", `/v1/report-runs/${id(runId)}/retry`);
}

/** The file an `object_export` run delivered (followed to its signed link on AWS). */
export function downloadReportRun(c: Client, runId: string) {
  return c.download(`/v1/report-runs/${id(runId)}/download`);
}

export function destinations(c: Client, signal?: AbortSignal) {
  return everyPage<Destination>(c, "/v1/destinations", signal);
}
