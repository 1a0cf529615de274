// The routes the sources, destinations and data-mart wizard screens call: the
// connector and destination catalogs, sources and destinations with their tests,
// discovery, mapping suggestions, definitions, preview, publish, runs, triggers.

import type { Client } from "./client";
import type { Answer, Body, Schemas } from "./endpoints";

export type ConnectorSpec = Schemas["ConnectorSpec"];
export type DestinationKindSpec = Schemas["DestinationKindSpec"];
export type FieldSpec = Schemas["FieldSpec"];
export type Source = Schemas["SourceView"];
export type Destination = Schemas["DestinationView"];
export type ConnectionTest = Schemas["SourceTest"];
export type DiscoveredStream = Schemas["DiscoveredStream"];
export type Suggestion = Schemas["Suggestion"];
export type Storage = Schemas["Storage"];
export type ValueMap = Schemas["ValueMap"];
export type Definition = Schemas["Definition"];
export type ColumnMapping = Schemas["ColumnMapping"];
export type Mapping = Schemas["Mapping"];
export type StringOp = Schemas["StringOp"];
export type PipelineSettings = Schemas["PipelineSettings"];
export type ValidationReport = Schemas["ValidationReport"];
export type Preview = Schemas["Preview"];
export type QueryResult = Schemas["QueryResult"];
export type CreateTrigger = Schemas["CreateTrigger"];
export type Run = Schemas["Run"];
export type DataMart = Schemas["DataMart"];

const id = encodeURIComponent;

export async function connectors(c: Client, signal?: AbortSignal) {
  return (await c.request<Answer<"/v1/connectors", "get">>("GET", "/v1/connectors", undefined, { signal })).items;
}

export async function destinationKinds(c: Client, signal?: AbortSignal) {
  return (await c.request<Answer<"/v1/destination-kinds", "get">>("GET", "/v1/destination-kinds", undefined, { signal }))
    .items;
}

/** Every page of a listing route that pages with `cursor` (200 a page). */
async function all<T>(c: Client, path: string, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null | undefined = null;
  do {
    const query: string = cursor ? `&cursor=${id(cursor)}` : "";
    const page: { items: T[]; next_cursor?: string | null } = await c.request("GET", `${path}?limit=200${query}`, undefined, {
      signal,
    });
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

export const sources = (c: Client, signal?: AbortSignal) => all<Source>(c, "/v1/sources", signal);
export const destinations = (c: Client, signal?: AbortSignal) => all<Destination>(c, "/v1/destinations", signal);
export const storages = (c: Client, signal?: AbortSignal) => all<Storage>(c, "/v1/storages", signal);
export const valueMaps = (c: Client, signal?: AbortSignal) => all<ValueMap>(c, "/v1/value-maps", signal);

export function source(c: Client, sourceId: string, signal?: AbortSignal) {
  return c.request<Answer<"/v1/sources/{id}", "get">>("GET", `/v1/sources/${id(sourceId)}`, undefined, { signal });
}

export function createSource(c: Client, body: Body<"/v1/sources", "post">) {
  return c.request<Answer<"/v1/sources", "post">>("POST", "/v1/sources", body);
}

export function updateSource(c: Client, sourceId: string, body: Body<"/v1/sources/{id}", "patch">) {
  return c.request<Answer<"/v1/sources/{id}", "patch">>("PATCH", `/v1/sources/${id(sourceId)}`, body);
}

export function deleteSource(c: Client, sourceId: string) {
  return c.request<void>("DELETE", `/v1/sources/${id(sourceId)}`);
}

export function testSource(c: Client, sourceId: string) {
  return c.request<Answer<"/v1/sources/{id}/test", "post">>("POST", `/v1/sources/${id(sourceId)}/test`);
}

export async function sourceStreams(c: Client, sourceId: string, name?: string, signal?: AbortSignal) {
  const query = name ? `?name=${id(name)}` : "";
  return (
    await c.request<Answer<"/v1/sources/{id}/streams", "get">>("GET", `/v1/sources/${id(sourceId)}/streams${query}`, undefined, {
      signal,
    })
  ).streams;
}

export function suggestMapping(c: Client, sourceId: string, body: Body<"/v1/sources/{id}/suggest-mapping", "post">) {
  return c.request<Answer<"/v1/sources/{id}/suggest-mapping", "post">>(
    "POST",
    `/v1/sources/${id(sourceId)}/suggest-mapping`,
    body,
  );
}

export function createSourceDataMarts(c: Client, sourceId: string, body: Body<"/v1/sources/{id}/data-marts", "post">) {
  return c.request<Answer<"/v1/sources/{id}/data-marts", "post">>("POST", `/v1/sources/${id(sourceId)}/data-marts`, body);
}

export function destination(c: Client, destinationId: string, signal?: AbortSignal) {
  return c.request<Answer<"/v1/destinations/{id}", "get">>("GET", `/v1/destinations/${id(destinationId)}`, undefined, {
    signal,
  });
}

export function createDestination(c: Client, body: Body<"/v1/destinations", "post">) {
  return c.request<Answer<"/v1/destinations", "post">>("POST", "/v1/destinations", body);
}

export function updateDestination(c: Client, destinationId: string, body: Body<"/v1/destinations/{id}", "patch">) {
  return c.request<Answer<"/v1/destinations/{id}", "patch">>("PATCH", `/v1/destinations/${id(destinationId)}`, body);
}

export function deleteDestination(c: Client, destinationId: string) {
  return c.request<void>("DELETE", `/v1/destinations/${id(destinationId)}`);
}

export function testDestination(c: Client, destinationId: string) {
  return c.request<Answer<"/v1/destinations/{id}/test", "post">>("POST", `/v1/destinations/${id(destinationId)}/test`);
}

export function createStorage(c: Client, body: Body<"/v1/storages", "post">) {
  return c.request<Answer<"/v1/storages", "post">>("POST", "/v1/storages", body);
}

export function validateDefinition(c: Client, martId: string, body: Definition) {
  return c.request<Answer<"/v1/data-marts/{id}/definition/validate", "post">>(
    "POST",
    `/v1/data-marts/${id(martId)}/definition/validate`,
    body,
  );
}

export function setDefinition(c: Client, martId: string, body: Definition) {
  return c.request<Answer<"/v1/data-marts/{id}/definition", "put">>("PUT", `/v1/data-marts/${id(martId)}/definition`, body);
}

export function preview(c: Client, martId: string, body: Body<"/v1/data-marts/{id}/preview", "post">) {
  return c.request<Answer<"/v1/data-marts/{id}/preview", "post">>("POST", `/v1/data-marts/${id(martId)}/preview`, body);
}

export function publish(c: Client, martId: string) {
  return c.request<Answer<"/v1/data-marts/{id}/publish", "post">>("POST", `/v1/data-marts/${id(martId)}/publish`);
}

export function run(c: Client, runId: string, signal?: AbortSignal) {
  return c.request<Answer<"/v1/runs/{id}", "get">>("GET", `/v1/runs/${id(runId)}`, undefined, { signal });
}

export function query(c: Client, martId: string, body: Body<"/v1/data-marts/{id}/query", "post">) {
  return c.request<Answer<"/v1/data-marts/{id}/query", "post">>("POST", `/v1/data-marts/${id(martId)}/query`, body);
}

export function createTrigger(c: Client, body: CreateTrigger) {
  return c.request<Answer<"/v1/triggers", "post">>("POST", "/v1/triggers", body);
}

export function updateTrigger(c: Client, triggerId: string, body: Body<"/v1/triggers/{id}", "patch">) {
  return c.request<Answer<"/v1/triggers/{id}", "patch">>("PATCH", `/v1/triggers/${id(triggerId)}`, body);
}

export function startRun(c: Client, martId: string) {
  return c.request<Answer<"/v1/data-marts/{id}/runs", "post">>("POST", `/v1/data-marts/${id(martId)}/runs`, {});
}

export function deleteDataMart(c: Client, martId: string) {
  return c.request<void>("DELETE", `/v1/data-marts/${id(martId)}`);
}
