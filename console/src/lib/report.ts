// The report builder's form as data, and the body it saves: output controls
// (columns with aliases, filters, sort, limit) or a SQL query, the destination and
// the cache's lifetime. Pure: checked here as far as the form can know; the API
// checks the rest against the data mart's schema and names the field.

import type { CreateReport, OutputControls, Report, SchemaField } from "../api/endpoints";

export type FilterOp = NonNullable<OutputControls["filters"]>[number]["op"];

export const FILTER_OPS: { op: FilterOp; label: string; takes: "one" | "list" | "two" | "none" }[] = [
  { op: "eq", label: "equals", takes: "one" },
  { op: "ne", label: "does not equal", takes: "one" },
  { op: "lt", label: "less than", takes: "one" },
  { op: "lte", label: "at most", takes: "one" },
  { op: "gt", label: "more than", takes: "one" },
  { op: "gte", label: "at least", takes: "one" },
  { op: "in", label: "is one of", takes: "list" },
  { op: "not_in", label: "is none of", takes: "list" },
  { op: "between", label: "between", takes: "two" },
  { op: "contains", label: "contains", takes: "one" },
  { op: "starts_with", label: "starts with", takes: "one" },
  { op: "is_null", label: "is empty", takes: "none" },
  { op: "is_not_null", label: "is not empty", takes: "none" },
];

export interface ColumnChoice {
  column: string;
  include: boolean;
  alias: string;
}

export interface FilterRow {
  column: string;
  op: FilterOp;
  /** As typed: a list is comma-separated, `between` is `low, high`. */
  value: string;
}

export interface SortRow {
  column: string;
  descending: boolean;
}

export interface Builder {
  title: string;
  dataMartId: string;
  destinationId: string;
  mode: "controls" | "sql";
  query: string;
  columns: ColumnChoice[];
  filters: FilterRow[];
  sort: SortRow[];
  limit: string;
  cacheTtl: string;
}

export interface Problem {
  field: string;
  reason: string;
}

/** The form for a new report of `dataMartId`. */
export function emptyBuilder(dataMartId = ""): Builder {
  return {
    title: "",
    dataMartId,
    destinationId: "",
    mode: "controls",
    query: "SELECT * FROM ${DATA_MART_TABLE}",
    columns: [],
    filters: [],
    sort: [],
    limit: "",
    cacheTtl: "300",
  };
}

/** Every field of the schema as a column choice; choices made before are kept (by name). */
export function columnsFor(schema: readonly SchemaField[], before: readonly ColumnChoice[]): ColumnChoice[] {
  return schema.map((f) => {
    const kept = before.find((c) => c.column === f.name);
    return kept ?? { column: f.name, include: before.length === 0, alias: f.alias ?? "" };
  });
}

/** The form of a saved report (its columns matched to the schema's fields). */
export function builderOf(r: Report, schema: readonly SchemaField[]): Builder {
  const out = r.output;
  const chosen = out?.columns ?? [];
  const columns: ColumnChoice[] = chosen.length
    ? [
        ...chosen.map((c) => ({ column: c.column, include: true, alias: c.alias ?? "" })),
        ...schema
          .filter((f) => !chosen.some((c) => c.column === f.name))
          .map((f) => ({ column: f.name, include: false, alias: "" })),
      ]
    : schema.map((f) => ({ column: f.name, include: true, alias: "" }));
  return {
    title: r.title,
    dataMartId: r.data_mart_id,
    destinationId: r.destination_id,
    mode: r.query ? "sql" : "controls",
    query: r.query ?? "SELECT * FROM ${DATA_MART_TABLE}",
    columns,
    filters: (out?.filters ?? []).map((f) => ({ column: f.column, op: f.op, value: valueText(f.value) })),
    sort: (out?.sort ?? []).map((s) => ({ column: s.column, descending: s.descending ?? false })),
    limit: out?.limit != null ? String(out.limit) : "",
    cacheTtl: String(r.cache_ttl_seconds),
  };
}

function valueText(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.map((x) => String(x)).join(", ");
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** A typed value: a number where it reads as one, `true`/`false`, else the text. */
export function literal(text: string): string | number | boolean {
  const t = text.trim();
  if (t === "true") return true;
  if (t === "false") return false;
  if (t !== "" && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t) && Number.isFinite(Number(t))) return Number(t);
  return t;
}

function filterValue(f: FilterRow, at: string): { value?: unknown; problem?: Problem } {
  const takes = FILTER_OPS.find((o) => o.op === f.op)?.takes ?? "one";
  if (takes === "none") return {};
  const parts = f.value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (takes === "one") {
    if (f.value.trim() === "") return { problem: { field: `${at}.value`, reason: "needs a value" } };
    return { value: literal(f.value) };
  }
  if (takes === "two") {
    if (parts.length !== 2) return { problem: { field: `${at}.value`, reason: "needs two values: low, high" } };
    return { value: parts.map(literal) };
  }
  if (parts.length === 0) return { problem: { field: `${at}.value`, reason: "needs at least one value" } };
  return { value: parts.map(literal) };
}

/** The body that saves the form, or what is wrong with it (fields named as the API names them). */
export function reportBody(b: Builder): { body: CreateReport } | { problems: Problem[] } {
  const problems: Problem[] = [];
  const title = b.title.trim();
  if (!title) problems.push({ field: "title", reason: "needs a title" });
  if (!b.dataMartId) problems.push({ field: "data_mart_id", reason: "choose a data mart" });
  if (!b.destinationId) problems.push({ field: "destination_id", reason: "choose a destination" });
  const ttl = Number(b.cacheTtl);
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 604_800) {
    problems.push({ field: "cache_ttl_seconds", reason: "must be a whole number of seconds from 60 to 604800" });
  }
  const base = { title, data_mart_id: b.dataMartId, destination_id: b.destinationId, cache_ttl_seconds: ttl };
  if (b.mode === "sql") {
    if (!b.query.trim()) problems.push({ field: "query", reason: "needs a query" });
    return problems.length ? { problems } : { body: { ...base, query: b.query } };
  }
  const output: OutputControls = {};
  const included = b.columns.filter((c) => c.include);
  if (b.columns.length > 0 && included.length === 0) {
    problems.push({ field: "output.columns", reason: "choose at least one column" });
  }
  // Every column chosen, in order: all of them is the same as none named.
  if (included.length && included.length < b.columns.length) {
    output.columns = included.map((c) => ({ column: c.column, alias: c.alias.trim() || null }));
  } else if (included.some((c) => c.alias.trim())) {
    output.columns = included.map((c) => ({ column: c.column, alias: c.alias.trim() || null }));
  }
  const filters: NonNullable<OutputControls["filters"]> = [];
  b.filters.forEach((f, i) => {
    const at = `output.filters[${i}]`;
    if (!f.column) problems.push({ field: `${at}.column`, reason: "choose a column" });
    const { value, problem } = filterValue(f, at);
    if (problem) problems.push(problem);
    filters.push(value === undefined ? { column: f.column, op: f.op } : { column: f.column, op: f.op, value });
  });
  if (filters.length) output.filters = filters;
  if (b.sort.length) output.sort = b.sort.map((s) => ({ column: s.column, descending: s.descending }));
  if (b.limit.trim()) {
    const n = Number(b.limit);
    if (!Number.isInteger(n) || n < 1) problems.push({ field: "output.limit", reason: "must be a whole number over 0" });
    else output.limit = n;
  }
  return problems.length ? { problems } : { body: { ...base, output } };
}

/** The names a sort may use: the output's names (aliases where given). */
export function outputNames(b: Builder): string[] {
  const included = b.columns.filter((c) => c.include);
  return (included.length ? included : b.columns).map((c) => c.alias.trim() || c.column);
}
