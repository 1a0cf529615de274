// The report builder: a data mart, a destination, and either output controls
// (columns with aliases, filters, sort, limit) or a SQL query; the cache's
// lifetime. /reports/new makes a report (?data_mart_id= picks the mart); the report's
// own page edits it with the same form.

import "../pages.css";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useClient } from "../../app";
import { ApiError } from "../../api/client";
import {
  allDataMarts,
  createReport,
  dataMart,
  destinations,
  updateReport,
  type CreateReport,
  type Report,
} from "../../api/endpoints";
import { messageOf } from "../../lib/fields";
import {
  columnsFor,
  emptyBuilder,
  FILTER_OPS,
  outputNames,
  reportBody,
  type Builder,
  type FilterRow,
  type Problem,
} from "../../lib/report";

export default function NewReport() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/reports">Reports</Link>
      </p>
      <h1>New report</h1>
      <ReportBuilder
        initial={emptyBuilder(params.get("data_mart_id") ?? "")}
        onSaved={(r) => navigate(`/reports/${encodeURIComponent(r.id)}`)}
      />
    </div>
  );
}

export function ReportBuilder({
  initial,
  report,
  onSaved,
  onCancel,
}: {
  initial: Builder;
  /** The report edited; none for a new one. */
  report?: Report;
  onSaved: (r: Report) => void;
  onCancel?: () => void;
}) {
  const c = useClient();
  const qc = useQueryClient();
  const [b, setB] = useState<Builder>(initial);
  const [problems, setProblems] = useState<Problem[]>([]);
  const ids = {
    title: useId(),
    mart: useId(),
    dest: useId(),
    query: useId(),
    limit: useId(),
    ttl: useId(),
  };
  const marts = useQuery({ queryKey: ["data-marts"], queryFn: ({ signal }) => allDataMarts(c, signal) });
  const dests = useQuery({ queryKey: ["destinations"], queryFn: ({ signal }) => destinations(c, signal), staleTime: 60_000 });
  const mart = useQuery({
    queryKey: ["data-mart", b.dataMartId],
    queryFn: ({ signal }) => dataMart(c, b.dataMartId, signal),
    enabled: b.dataMartId !== "",
  });
  const schema = mart.data?.schema;
  // The mart's fields as column choices, once its schema is known.
  useEffect(() => {
    if (schema) setB((old) => ({ ...old, columns: columnsFor(schema, old.columns) }));
  }, [schema]);

  const save = useMutation({
    mutationFn: (body: CreateReport) => {
      if (report) {
        const { data_mart_id: _, ...rest } = body;
        return updateReport(c, report.id, {
          ...rest,
          version: report.version,
          query: body.query ?? null,
          output: body.output ?? null,
        });
      }
      return createReport(c, body);
    },
    onSuccess: (r) => {
      qc.invalidateQueries({ queryKey: ["reports"] });
      qc.setQueryData(["report", r.id], r);
      onSaved(r);
    },
  });
  const apiError = save.error instanceof ApiError ? save.error : null;
  const errorOf = (field: string): string | null =>
    problems.find((p) => p.field === field)?.reason ?? (apiError?.field === field ? apiError.message : null);
  const shownFields = new Set([
    "title",
    "data_mart_id",
    "destination_id",
    "cache_ttl_seconds",
    "query",
    "output.columns",
    "output.limit",
    ...b.columns.map((_, i) => `output.columns[${i}].alias`),
    ...b.filters.flatMap((_, i) => [`output.filters[${i}].column`, `output.filters[${i}].value`, `output.filters[${i}].op`]),
  ]);
  const otherError = save.error && !(apiError?.field && shownFields.has(apiError.field)) ? messageOf(save.error) : null;
  const set = (patch: Partial<Builder>) => setB((old) => ({ ...old, ...patch }));
  const setFilter = (i: number, patch: Partial<FilterRow>) =>
    set({ filters: b.filters.map((f, j) => (j === i ? { ...f, ...patch } : f)) });
  const names = outputNames(b);

  return (
    <form
      className="editor builder"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const r = reportBody(b);
        if ("problems" in r) {
          setProblems(r.problems);
          save.reset();
          return;
        }
        setProblems([]);
        save.mutate(r.body);
      }}
    >
      <div className="row">
        <div className="field">
          <label htmlFor={ids.title}>Title</label>
          <input
            id={ids.title}
            aria-invalid={errorOf("title") ? true : undefined}
            aria-describedby={errorOf("title") ? `${ids.title}-error` : undefined}
            value={b.title}
            onChange={(e) => set({ title: e.target.value })}
            maxLength={200}
          />
          <FieldError id={`${ids.title}-error`} text={errorOf("title")} />
        </div>
        <div className="field">
          <label htmlFor={ids.mart}>Data mart</label>
          <select
            id={ids.mart}
            aria-invalid={errorOf("data_mart_id") ? true : undefined}
            aria-describedby={errorOf("data_mart_id") ? `${ids.mart}-error` : undefined}
            value={b.dataMartId}
            disabled={report !== undefined}
            onChange={(e) => set({ dataMartId: e.target.value, columns: [], filters: [], sort: [] })}
          >
            <option value="">Choose a data mart</option>
            {marts.data?.map((m) => (
              <option key={m.id} value={m.id}>
                {m.title}
              </option>
            ))}
          </select>
          <FieldError id={`${ids.mart}-error`} text={errorOf("data_mart_id")} />
        </div>
        <div className="field">
          <label htmlFor={ids.dest}>Destination</label>
          <select
            id={ids.dest}
            aria-invalid={errorOf("destination_id") ? true : undefined}
            aria-describedby={errorOf("destination_id") ? `${ids.dest}-error` : undefined}
            value={b.destinationId}
            onChange={(e) => set({ destinationId: e.target.value })}
          >
            <option value="">Choose a destination</option>
            {dests.data?.map((d) => (
              <option key={d.id} value={d.id}>
                {d.title} ({d.kind})
              </option>
            ))}
          </select>
          <FieldError id={`${ids.dest}-error`} text={errorOf("destination_id")} />
          {dests.data && dests.data.length === 0 && <p className="hint">No destinations yet: an admin adds them.</p>}
        </div>
      </div>

      <fieldset className="plain">
        <legend>Built from</legend>
        <div className="inline">
          <label className="check">
            <input type="radio" name="mode" checked={b.mode === "controls"} onChange={() => set({ mode: "controls" })} />
            Output controls
          </label>
          <label className="check">
            <input type="radio" name="mode" checked={b.mode === "sql"} onChange={() => set({ mode: "sql" })} />
            A SQL query
          </label>
        </div>
      </fieldset>

      {b.mode === "sql" ? (
        <div className="field">
          <label htmlFor={ids.query}>Query</label>
          <textarea
            id={ids.query}
            aria-invalid={errorOf("query") ? true : undefined}
            aria-describedby={errorOf("query") ? `${ids.query}-error` : undefined}
            rows={6}
            spellCheck={false}
            value={b.query}
            onChange={(e) => set({ query: e.target.value })}
          />
          <p className="hint">
            Read-only SQL; <code>{"${DATA_MART_TABLE}"}</code> names the data mart.
          </p>
          <FieldError id={`${ids.query}-error`} text={errorOf("query")} />
        </div>
      ) : (
        <>
          <fieldset>
            <legend>Columns</legend>
            {!b.dataMartId && <p className="hint">Choose a data mart to pick its columns.</p>}
            {b.dataMartId && schema && schema.length === 0 && (
              <p className="hint">The data mart has no schema yet: every column is delivered.</p>
            )}
            {b.columns.length > 0 && (
              <table className="table compact">
                <caption className="visually-hidden">Columns delivered</caption>
                <thead>
                  <tr>
                    <th scope="col">Deliver</th>
                    <th scope="col">Column</th>
                    <th scope="col">Delivered as</th>
                  </tr>
                </thead>
                <tbody>
                  {b.columns.map((col, i) => (
                    <tr key={col.column}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Deliver ${col.column}`}
                          checked={col.include}
                          onChange={(e) =>
                            set({ columns: b.columns.map((x, j) => (j === i ? { ...x, include: e.target.checked } : x)) })
                          }
                        />
                      </td>
                      <td className="mono">{col.column}</td>
                      <td>
                        <input
                          aria-label={`Alias of ${col.column} in the report`}
                          placeholder={col.column}
                          value={col.alias}
                          disabled={!col.include}
                          onChange={(e) =>
                            set({ columns: b.columns.map((x, j) => (j === i ? { ...x, alias: e.target.value } : x)) })
                          }
                        />
                        <FieldError text={errorOf(`output.columns[${i}].alias`)} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <FieldError text={errorOf("output.columns")} />
          </fieldset>

          <fieldset>
            <legend>Filters</legend>
            {b.filters.length === 0 && <p className="hint">Every row is delivered.</p>}
            {b.filters.map((f, i) => {
              const takes = FILTER_OPS.find((o) => o.op === f.op)?.takes;
              return (
                <div key={i} className="filter-row">
                  <select
                    aria-label={`Column of filter ${i + 1}`}
                    value={f.column}
                    onChange={(e) => setFilter(i, { column: e.target.value })}
                  >
                    <option value="">Column</option>
                    {b.columns.map((col) => (
                      <option key={col.column} value={col.column}>
                        {col.column}
                      </option>
                    ))}
                  </select>
                  <select
                    aria-label={`Condition of filter ${i + 1}`}
                    value={f.op}
                    onChange={(e) => setFilter(i, { op: e.target.value as FilterRow["op"] })}
                  >
                    {FILTER_OPS.map((o) => (
                      <option key={o.op} value={o.op}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                  {takes !== "none" && (
                    <input
                      aria-label={`Value of filter ${i + 1}`}
                      placeholder={takes === "list" ? "a, b, c" : takes === "two" ? "low, high" : "value"}
                      value={f.value}
                      onChange={(e) => setFilter(i, { value: e.target.value })}
                    />
                  )}
                  <button
                    type="button"
                    className="button"
                    aria-label={`Remove filter ${i + 1}`}
                    onClick={() => set({ filters: b.filters.filter((_, j) => j !== i) })}
                  >
                    Remove
                  </button>
                  <FieldError text={errorOf(`output.filters[${i}].column`) ?? errorOf(`output.filters[${i}].value`) ?? errorOf(`output.filters[${i}].op`)} />
                </div>
              );
            })}
            <button
              type="button"
              className="button"
              disabled={b.columns.length === 0}
              onClick={() => set({ filters: [...b.filters, { column: b.columns[0]?.column ?? "", op: "eq", value: "" }] })}
            >
              Add filter
            </button>
          </fieldset>

          <fieldset>
            <legend>Sort and limit</legend>
            {b.sort.map((s, i) => (
              <div key={i} className="filter-row">
                <select
                  aria-label={`Sort ${i + 1} by`}
                  value={s.column}
                  onChange={(e) => set({ sort: b.sort.map((x, j) => (j === i ? { ...x, column: e.target.value } : x)) })}
                >
                  {names.map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </select>
                <select
                  aria-label={`Direction of sort ${i + 1}`}
                  value={s.descending ? "desc" : "asc"}
                  onChange={(e) =>
                    set({ sort: b.sort.map((x, j) => (j === i ? { ...x, descending: e.target.value === "desc" } : x)) })
                  }
                >
                  <option value="asc">ascending</option>
                  <option value="desc">descending</option>
                </select>
                <button
                  type="button"
                  className="button"
                  aria-label={`Remove sort ${i + 1}`}
                  onClick={() => set({ sort: b.sort.filter((_, j) => j !== i) })}
                >
                  Remove
                </button>
              </div>
            ))}
            <button
              type="button"
              className="button"
              disabled={names.length === 0}
              onClick={() => set({ sort: [...b.sort, { column: names[0] ?? "", descending: false }] })}
            >
              Add sort
            </button>
            <div className="field narrow-field">
              <label htmlFor={ids.limit}>At most (rows)</label>
              <input
                id={ids.limit}
            aria-invalid={errorOf("output.limit") ? true : undefined}
            aria-describedby={errorOf("output.limit") ? `${ids.limit}-error` : undefined}
                inputMode="numeric"
                placeholder="all"
                value={b.limit}
                onChange={(e) => set({ limit: e.target.value })}
              />
              <FieldError id={`${ids.limit}-error`} text={errorOf("output.limit")} />
            </div>
          </fieldset>
        </>
      )}

      <div className="field narrow-field">
        <label htmlFor={ids.ttl}>Cache for (seconds)</label>
        <input
          id={ids.ttl}
          aria-invalid={errorOf("cache_ttl_seconds") ? true : undefined}
          aria-describedby={errorOf("cache_ttl_seconds") ? `${ids.ttl}-error` : undefined}
          inputMode="numeric"
          value={b.cacheTtl}
          onChange={(e) => set({ cacheTtl: e.target.value })}
        />
        <p className="hint">How long the data endpoint serves a result again (60 to 604800); a run of the mart ends it sooner.</p>
        <FieldError id={`${ids.ttl}-error`} text={errorOf("cache_ttl_seconds")} />
      </div>

      {otherError && (
        <p className="form-error" role="alert">
          {otherError}
        </p>
      )}
      {problems.length > 0 && (
        <p className="form-error" role="alert">
          Check the form: {problems.length === 1 ? "one field needs" : `${problems.length} fields need`} attention.
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {report ? "Save report" : "Create report"}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function FieldError({ text, id }: { text: string | null; id?: string }) {
  if (!text) return null;
  return (
    <p className="field-error" id={id}>
      {text}
    </p>
  );
}
