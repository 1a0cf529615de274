// The data mart wizard: six steps, one a screen, under a fixed header, beside a
// step list, above buttons that never scroll away. Drafts are saved as it goes:
// leaving step 1 creates one draft data mart per chosen stream (in one request),
// later steps save their definitions and triggers, and step 6 publishes and runs.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { useClient } from "../../app";
import { ApiError } from "../../api/client";
import { allDataMarts } from "../../api/endpoints";
import * as api from "../../api/sources";
import type { DataMart, DiscoveredStream, Mapping, PipelineSettings } from "../../api/sources";
import { messageOf } from "../../lib/fields";
import { forDefinition, setUniqueKey, uniqueKey } from "../../lib/mapping";
import { Field } from "../forms";
import { Logo } from "../logos";
import { MappingStep } from "./MappingStep";
import { RunMonitor } from "../RunMonitor";
import { initialSchedule, ScheduleStep, type Schedule } from "./ScheduleStep";
import { StageGraph } from "./StageGraph";

const STEPS = ["Source and streams", "Column mapping", "Pipeline settings", "Schedule", "Preview", "Execute and monitor"];

interface Draft {
  stream: string;
  title: string;
  mart?: DataMart;
  mapping: Mapping;
  pipeline: PipelineSettings;
  triggerId?: string;
  triggerVersion?: number;
}

/** A refusal's field within a draft's definition: `streams[0].mapping.columns[2].cast` → column 2. */
function columnOf(error: unknown, mapping: Mapping): string | null {
  if (!(error instanceof ApiError) || !error.field) return null;
  const m = /columns\[(\d+)\]/.exec(error.field);
  return m ? (mapping.columns?.[Number(m[1])]?.target ?? null) : null;
}

export default function Wizard() {
  const c = useClient();
  const queries = useQueryClient();
  const [params] = useSearchParams();
  const [step, setStep] = useState(0);
  const [sourceId, setSourceId] = useState(params.get("source") ?? "");
  const [storageId, setStorageId] = useState("");
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [current, setCurrent] = useState(0);
  const [custom, setCustom] = useState("");
  const [schedule, setSchedule] = useState<Schedule>(initialSchedule);
  const [runs, setRuns] = useState<Record<string, string>>({});
  const [done, setDone] = useState<Record<string, boolean>>({});

  const sources = useQuery({ queryKey: ["sources"], queryFn: ({ signal }) => api.sources(c, signal) });
  const storages = useQuery({ queryKey: ["storages"], queryFn: ({ signal }) => api.storages(c, signal) });
  const marts = useQuery({ queryKey: ["data-marts"], queryFn: ({ signal }) => allDataMarts(c, signal) });
  const streams = useQuery({
    queryKey: ["streams", sourceId],
    queryFn: ({ signal }) => api.sourceStreams(c, sourceId, undefined, signal),
    enabled: sourceId !== "",
  });
  const created = drafts.some((d) => d.mart);
  const source = sources.data?.find((s) => s.id === sourceId);
  const storage = storageId || storages.data?.[0]?.id || "";

  function streamOf(name: string): DiscoveredStream | undefined {
    return streams.data?.find((s) => s.name === name);
  }

  const makeStorage = useMutation({
    mutationFn: () => api.createStorage(c, { title: "Local warehouse", kind: "local" }),
    onSuccess: (s) => {
      setStorageId(s.id);
      void queries.invalidateQueries({ queryKey: ["storages"] });
    },
  });

  // Leaving step 1: one draft per stream, all or none.
  const createDrafts = useMutation({
    mutationFn: () =>
      api.createSourceDataMarts(c, sourceId, {
        storage_id: storage,
        marts: drafts.map((d) => ({ stream: d.stream, title: d.title.trim() || null })),
      }),
    onSuccess: (r) => {
      setDrafts(
        drafts.map((d, i) => {
          const mart = r.items[i]!;
          const def = mart.definition?.kind === "connector" ? mart.definition : null;
          return {
            ...d,
            mart,
            mapping: def?.streams[0]?.mapping ?? { columns: [], rules: [] },
            pipeline: def?.pipeline ?? {},
          };
        }),
      );
      void queries.invalidateQueries({ queryKey: ["data-marts"] });
      setStep(1);
    },
  });

  function definitionOf(d: Draft): api.Definition {
    return {
      kind: "connector",
      source_id: sourceId,
      streams: [{ name: d.stream, mapping: forDefinition(d.mapping).mapping }],
      pipeline: { ...d.pipeline, max_active_runs: Number(schedule.maxActiveRuns) || 1 },
    };
  }

  // Steps 2-4 save every draft's definition; the index of the one refused is kept.
  const [refused, setRefused] = useState<number | null>(null);
  const save = useMutation({
    mutationFn: async () => {
      const out: Draft[] = [];
      for (const [i, d] of drafts.entries()) {
        try {
          const mart = await api.setDefinition(c, d.mart!.id, definitionOf(d));
          out.push({ ...d, mart });
        } catch (e) {
          setRefused(i);
          setCurrent(i);
          throw e;
        }
      }
      setRefused(null);
      setDrafts(out);
      return out;
    },
  });

  const saveSchedule = useMutation({
    mutationFn: async (saved: Draft[]) => {
      const out: Draft[] = [];
      for (const d of saved) {
        if (schedule.mode === "none") {
          out.push(d);
          continue;
        }
        const body = {
          cron: schedule.mode === "cron" ? schedule.cron : null,
          timezone: schedule.timezone,
          upstream: schedule.mode === "upstream" ? { data_mart_ids: schedule.upstream, mode: schedule.upstreamMode } : null,
          retry: { max_retries: Number(schedule.maxRetries), backoff_seconds: Number(schedule.backoffSeconds) },
          sla_seconds: schedule.slaMinutes.trim() === "" ? null : Math.round(Number(schedule.slaMinutes) * 60),
          catch_up: schedule.catchUp,
          catch_up_cap: Number(schedule.catchUpCap),
          when_busy: schedule.whenBusy,
        };
        const t = d.triggerId
          ? await api.updateTrigger(c, d.triggerId, { ...body, version: d.triggerVersion })
          : await api.createTrigger(c, { ...body, target_kind: "data_mart", target_id: d.mart!.id });
        out.push({ ...d, triggerId: t.id, triggerVersion: t.version });
      }
      setDrafts(out);
      return out;
    },
  });

  const execute = useMutation({
    mutationFn: async () => {
      const started: Record<string, string> = { ...runs };
      for (const d of drafts) {
        if (started[d.mart!.id]) continue;
        if (d.mart!.status !== "published") await api.publish(c, d.mart!.id);
        const run = await api.startRun(c, d.mart!.id);
        started[d.mart!.id] = run.id;
        setRuns({ ...started });
      }
      void queries.invalidateQueries({ queryKey: ["data-marts"] });
      return started;
    },
  });

  async function next() {
    if (step === 0) {
      if (!created) createDrafts.mutate();
      else setStep(1);
      return;
    }
    if (step >= 1 && step <= 3) {
      try {
        const saved = await save.mutateAsync();
        if (step === 3) await saveSchedule.mutateAsync(saved);
        setStep(step + 1);
      } catch {
        // Shown beside the field the API names.
      }
      return;
    }
    setStep(step + 1);
  }

  const busy = createDrafts.isPending || save.isPending || saveSchedule.isPending;
  const canNext =
    step === 0
      ? created || (sourceId !== "" && storage !== "" && drafts.length > 0)
      : step === 1
        ? drafts.every((d) => forDefinition(d.mapping).incomplete.length === 0 && (d.mapping.columns ?? []).length > 0)
        : step < 5;
  const draft = drafts[current];
  const setDraft = (patch: Partial<Draft>) => setDrafts(drafts.map((d, i) => (i === current ? { ...d, ...patch } : d)));

  const stepError = step === 0 ? createDrafts.error : step === 3 ? (save.error ?? saveSchedule.error) : save.error;
  const scheduleErrors: Record<string, string | null> = {};
  if (saveSchedule.error instanceof ApiError && saveSchedule.error.field) {
    scheduleErrors[saveSchedule.error.field.replace(/\..*$/, "")] = saveSchedule.error.message;
  }
  if (save.error instanceof ApiError && save.error.field?.includes("max_active_runs")) {
    scheduleErrors.max_active_runs = save.error.message;
  }
  const shownBeside =
    (step === 3 && saveSchedule.error instanceof ApiError && saveSchedule.error.field) ||
    (step === 1 && draft && columnOf(save.error, draft.mapping)) ||
    (step === 2 && save.error instanceof ApiError && /pipeline\.|rules/.test(save.error.field ?? ""));

  return (
    <div className="wizard">
      <header className="wizard-head">
        <h1>New data mart</h1>
        <p className="muted">
          Step {step + 1} of {STEPS.length}: <strong>{STEPS[step]}</strong>
        </p>
      </header>
      <nav className="wizard-steps" aria-label="Wizard steps">
        <ol>
          {STEPS.map((s, i) => (
            <li key={s} aria-current={i === step ? "step" : undefined} className={i < step ? "done" : i === step ? "current" : ""}>
              <span className="step-number" aria-hidden="true">
                {i < step ? "✓" : i + 1}
              </span>
              {s}
            </li>
          ))}
        </ol>
      </nav>
      <section className="wizard-body" aria-labelledby="step-title">
        <h2 id="step-title">{STEPS[step]}</h2>
        {step > 0 && step < 5 && drafts.length > 1 && (
          <div className="mart-tabs" role="group" aria-label="Data mart">
            {drafts.map((d, i) => (
              <button key={d.stream} type="button" className="button" aria-pressed={i === current} onClick={() => setCurrent(i)}>
                {d.mart?.title ?? d.title}
                {refused === i && " ⚠"}
              </button>
            ))}
          </div>
        )}

        {step === 0 && (
          <SourceStep
            {...{ sourceId, setSourceId, storage, setStorageId, drafts, setDrafts, custom, setCustom, created }}
            sources={sources.data ?? []}
            storages={storages.data ?? []}
            streams={streams}
            error={createDrafts.error}
            makeStorage={
              <>
                <button type="button" className="button" onClick={() => makeStorage.mutate()} disabled={makeStorage.isPending}>
                  Create a local storage
                </button>
                {makeStorage.error && (
                  <p className="field-error" role="alert">
                    {messageOf(makeStorage.error)}
                  </p>
                )}
              </>
            }
          />
        )}

        {step === 1 && draft && (
          <MappingStep
            key={current}
            sourceId={sourceId}
            stream={streamOf(draft.stream)}
            mapping={draft.mapping}
            onChange={(mapping) => setDraft({ mapping })}
            error={save.error && refused === current ? { column: columnOf(save.error, draft.mapping), message: messageOf(save.error) } : null}
          />
        )}

        {step === 2 && draft && (
          <PipelineStep
            key={current}
            pipeline={draft.pipeline}
            mapping={draft.mapping}
            onChange={(pipeline, mapping) => setDraft({ pipeline, mapping })}
            error={refused === current ? save.error : null}
          />
        )}

        {step === 3 && (
          <ScheduleStep
            schedule={schedule}
            onChange={setSchedule}
            errors={scheduleErrors}
            marts={marts.data ?? []}
            own={drafts.map((d) => d.mart?.id ?? "")}
          />
        )}

        {step === 4 && draft?.mart && (
          <PreviewStep key={draft.mart.id} draft={draft} sourceTitle={source?.title ?? sourceId} schedule={schedule} />
        )}

        {step === 5 && (
          <div className="execute">
            <p>
              Publishing makes {drafts.length === 1 ? "the data mart" : `the ${drafts.length} data marts`} live
              {schedule.mode === "cron" ? ", and the schedule starts" : ""}; a first run starts now.
            </p>
            {Object.keys(runs).length === 0 && (
              <button type="button" className="button primary" onClick={() => execute.mutate()} disabled={execute.isPending}>
                Publish and run
              </button>
            )}
            {execute.error && (
              <p className="field-error" role="alert">
                {messageOf(execute.error)}
              </p>
            )}
            {drafts.map((d) =>
              runs[d.mart!.id] ? (
                <div key={d.mart!.id} className="editor">
                  <h3>{d.mart!.title}</h3>
                  <RunMonitor
                    runId={runs[d.mart!.id]!}
                    onEnd={(r) => r.status === "succeeded" && setDone((x) => (x[d.mart!.id] ? x : { ...x, [d.mart!.id]: true }))}
                  />
                  {done[d.mart!.id] && <Rows martId={d.mart!.id} title={d.mart!.title} />}
                </div>
              ) : null,
            )}
            {Object.keys(done).length === drafts.length && drafts.length > 0 && (
              <p>
                <Link to="/data-marts">Go to the data marts</Link>
              </p>
            )}
          </div>
        )}
      </section>
      <footer className="wizard-foot">
        <button type="button" className="button" onClick={() => setStep(step - 1)} disabled={step === 0 || step === 5 || busy}>
          Back
        </button>
        <div className="wizard-message">
          {stepError && !shownBeside && (
            <p className="field-error" role="alert">
              {messageOf(stepError)}
            </p>
          )}
          {step === 1 && !canNext && <p className="hint">Every column needs a source field, an expression or a default.</p>}
        </div>
        {step < 5 && (
          <button type="button" className="button primary" onClick={next} disabled={!canNext || busy}>
            {busy ? "Saving…" : step === 4 ? "Continue to publish" : "Next"}
          </button>
        )}
      </footer>
    </div>
  );
}

function SourceStep({
  sourceId,
  setSourceId,
  storage,
  setStorageId,
  drafts,
  setDrafts,
  custom,
  setCustom,
  created,
  sources,
  storages,
  streams,
  error,
  makeStorage,
}: {
  sourceId: string;
  setSourceId: (s: string) => void;
  storage: string;
  setStorageId: (s: string) => void;
  drafts: Draft[];
  setDrafts: (d: Draft[]) => void;
  custom: string;
  setCustom: (s: string) => void;
  created: boolean;
  sources: api.Source[];
  storages: api.Storage[];
  streams: { data?: DiscoveredStream[]; error: unknown; isFetching: boolean };
  error: unknown;
  makeStorage: ReactNode;
}) {
  const errorAt = (i: number, f: string) =>
    error instanceof ApiError && error.field?.startsWith(`marts[${i}].${f}`) ? error.message : null;
  if (created)
    return (
      <div>
        <p>Drafts made, one per stream:</p>
        <ul>
          {drafts.map((d) => (
            <li key={d.stream}>
              <strong>{d.mart?.title}</strong> <span className="muted">from {d.stream}</span> <span className="badge draft">Draft</span>
            </li>
          ))}
        </ul>
      </div>
    );
  function toggle(name: string, on: boolean) {
    setDrafts(on ? [...drafts, { stream: name, title: name, mapping: { columns: [] }, pipeline: {} }] : drafts.filter((d) => d.stream !== name));
  }
  const names = streams.data?.map((s) => s.name) ?? [];
  return (
    <div>
      <div className="row">
        <Field
          label="Source"
          hint={<Link to="/sources/new">Add a source</Link>}
          error={error instanceof ApiError && error.field === "source_id" ? error.message : null}
          before={<SourceLogo connector={sources.find((s) => s.id === sourceId)?.connector} />}
        >
          <select
            value={sourceId}
            onChange={(e) => {
              setSourceId(e.target.value);
              setDrafts([]);
            }}
          >
            <option value="">Choose…</option>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} ({s.connector})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Storage" hint="Where the data marts' tables land." error={error instanceof ApiError && error.field === "storage_id" ? error.message : null}>
          <select value={storage} onChange={(e) => setStorageId(e.target.value)}>
            {storages.length === 0 && <option value="">None yet</option>}
            {storages.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} ({s.kind})
              </option>
            ))}
          </select>
        </Field>
      </div>
      {storages.length === 0 && makeStorage}
      {sourceId && (
        <fieldset>
          <legend>Streams: one data mart each</legend>
          {streams.isFetching && (
            <p className="loading" role="status">
              Discovering streams…
            </p>
          )}
          {streams.error ? (
            <p className="field-error" role="alert">
              {messageOf(streams.error)}
            </p>
          ) : null}
          {streams.data && streams.data.length === 0 && <p className="hint">The source offers no streams yet; name one below.</p>}
          {[...names, ...drafts.map((d) => d.stream).filter((n) => !names.includes(n))].map((name, i) => {
            const d = drafts.find((x) => x.stream === name);
            const idx = drafts.findIndex((x) => x.stream === name);
            const s = streams.data?.find((x) => x.name === name);
            return (
              <div key={name} className="stream-row">
                <label className="check">
                  <input type="checkbox" checked={Boolean(d)} onChange={(e) => toggle(name, e.target.checked)} />
                  <span className="mono">{name}</span>
                  {s && (
                    <span className="muted">
                      {s.fields.length} fields{s.primary_key.length > 0 ? `, key ${s.primary_key.join(", ")}` : ""}
                    </span>
                  )}
                </label>
                {d && (
                  <Field label={`Title of the data mart from ${name}`} error={errorAt(idx, "title") ?? errorAt(idx, "stream")} id={`stream-title-${i}`}>
                    <input value={d.title} onChange={(e) => setDrafts(drafts.map((x) => (x.stream === name ? { ...x, title: e.target.value } : x)))} />
                  </Field>
                )}
              </div>
            );
          })}
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              if (custom.trim()) toggle(custom.trim(), true);
              setCustom("");
            }}
          >
            <label htmlFor="custom-stream" className="visually-hidden">
              Another stream (a table, a path or a glob)
            </label>
            <input id="custom-stream" placeholder="Another stream: a table, a path or a glob" value={custom} onChange={(e) => setCustom(e.target.value)} />
            <button type="submit" className="button">
              Add stream
            </button>
          </form>
        </fieldset>
      )}
    </div>
  );
}

function PipelineStep({
  pipeline,
  mapping,
  onChange,
  error,
}: {
  pipeline: PipelineSettings;
  mapping: Mapping;
  onChange: (p: PipelineSettings, m: Mapping) => void;
  error: unknown;
}) {
  const err = (f: string) => (error instanceof ApiError && error.field?.endsWith(f) ? error.message : null);
  const set = (patch: Partial<PipelineSettings>) => onChange({ ...pipeline, ...patch }, mapping);
  const num = (v: string) => (v.trim() === "" ? undefined : Number(v));
  const key = uniqueKey(mapping);
  const targets = (mapping.columns ?? []).map((c) => c.target);
  return (
    <div>
      <div className="row">
        <Field label="Write mode" error={err("write_mode")} hint="Append adds rows; replace swaps the table; merge updates rows by key.">
          <select value={pipeline.write_mode ?? "append"} onChange={(e) => set({ write_mode: e.target.value as PipelineSettings["write_mode"] })}>
            <option value="append">append</option>
            <option value="replace">replace</option>
            <option value="merge">merge</option>
          </select>
        </Field>
        <Field label="Error policy" error={err("error_policy")} hint="What a bad row does to the run.">
          <select value={pipeline.error_policy ?? "fail_fast"} onChange={(e) => set({ error_policy: e.target.value as PipelineSettings["error_policy"] })}>
            <option value="fail_fast">fail fast</option>
            <option value="continue">continue</option>
            <option value="skip_and_log">skip and log</option>
          </select>
        </Field>
      </div>
      {(pipeline.write_mode === "merge" || key.length > 0) && (
        <fieldset>
          <legend>Key columns (merge, and checked unique)</legend>
          {err("rules") && (
            <p className="field-error" role="alert">
              {err("rules")}
            </p>
          )}
          {targets.map((t) => (
            <label className="check" key={t}>
              <input
                type="checkbox"
                checked={key.includes(t)}
                onChange={(e) => onChange(pipeline, setUniqueKey(mapping, e.target.checked ? [...key, t] : key.filter((k) => k !== t)))}
              />
              <span className="mono">{t}</span>
            </label>
          ))}
        </fieldset>
      )}
      <div className="row">
        <Field label="Batch size" error={err("batch_size")} hint="Rows per chunk, 100-100,000.">
          <input type="number" value={pipeline.batch_size ?? 5000} onChange={(e) => set({ batch_size: num(e.target.value) })} />
        </Field>
        <Field label="Parallelism" error={err("parallelism")} hint="Chunks in flight, 1-16.">
          <input type="number" value={pipeline.parallelism ?? 4} onChange={(e) => set({ parallelism: num(e.target.value) })} />
        </Field>
        <Field label="Look-back days" error={err("lookback_days")} hint="Incremental runs start this many days early, 0-90.">
          <input type="number" value={pipeline.lookback_days ?? 0} onChange={(e) => set({ lookback_days: num(e.target.value) })} />
        </Field>
      </div>
      <Field label="Checks before the commit (optional)" error={err("pre_sql")} hint="SQL, one statement a line; ${DATA_MART_TABLE} names the table. A failing one fails the run.">
        <textarea rows={3} value={(pipeline.pre_sql ?? []).join("\n")} onChange={(e) => set({ pre_sql: lines(e.target.value) })} />
      </Field>
      <Field label="Checks after the commit (optional)" error={err("post_sql")} hint="SQL, one statement a line.">
        <textarea rows={3} value={(pipeline.post_sql ?? []).join("\n")} onChange={(e) => set({ post_sql: lines(e.target.value) })} />
      </Field>
    </div>
  );
}

function lines(text: string): string[] {
  return text.split("\n").filter((l, i, all) => l.trim() !== "" || i < all.length - 1);
}

function Table({ result, caption }: { result: api.QueryResult; caption: string }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table className="table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {result.columns.map((col) => (
              <th key={col.name} scope="col">
                {col.name} <span className="muted">{col.type}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((row, i) => (
            <tr key={i}>
              {row.map((v, j) => (
                <td key={j}>{v === null ? <span className="muted">null</span> : typeof v === "object" ? JSON.stringify(v) : String(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PreviewStep({ draft, sourceTitle, schedule }: { draft: Draft; sourceTitle: string; schedule: Schedule }) {
  const c = useClient();
  const id = draft.mart!.id;
  const preview = useQuery({ queryKey: ["preview", id, draft.mart!.version], queryFn: () => api.preview(c, id, { limit: 20 }) });
  const check = useQuery({
    queryKey: ["validate", id, draft.mart!.version],
    queryFn: () => api.validateDefinition(c, id, draft.mart!.definition!),
    enabled: Boolean(draft.mart!.definition),
  });
  const columns = (draft.mapping.columns ?? []).length;
  const post = (draft.pipeline.post_sql ?? []).length;
  return (
    <div>
      <StageGraph
        label={`Stages of a run of ${draft.mart!.title}`}
        stages={[
          { name: "Extract", detail: `${sourceTitle}: ${draft.stream}` },
          { name: "Transform", detail: `${columns} columns, ${draft.pipeline.error_policy ?? "fail_fast"}` },
          { name: "Load", detail: `${draft.pipeline.write_mode ?? "append"}` },
          { name: "Finalize", detail: post > 0 ? `${post} checks` : schedule.mode === "none" ? "on demand" : "schedule" },
        ]}
      />
      {check.data && !check.data.valid && (
        <div className="form-error" role="alert">
          <p>The definition has problems:</p>
          <ul>
            {check.data.problems.map((p) => (
              <li key={p.field + p.reason}>
                <code>{p.field}</code>: {p.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview.isPending && (
        <p className="loading" role="status">
          Reading sample rows…
        </p>
      )}
      {preview.error && (
        <p className="field-error" role="alert">
          {messageOf(preview.error)}
        </p>
      )}
      {preview.data && (
        <>
          <section aria-labelledby="warnings-head">
            <h3 id="warnings-head" className="small-head">
              Validation warnings ({preview.data.warnings.length})
            </h3>
            {preview.data.warnings.length === 0 ? (
              <p className="hint">None in the sample.</p>
            ) : (
              <ul className="warnings" data-testid="preview-warnings">
                {preview.data.warnings.map((w, i) => (
                  <li key={i}>
                    <span className="status busy">{w.kind}</span> {w.row ? `row ${w.row}` : ""} {w.column ? <code>{w.column}</code> : null}: {w.reason}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <div className="side-by-side">
            <Table result={preview.data.before} caption="Before: source rows" />
            <Table result={preview.data.after} caption="After: the data mart's rows" />
          </div>
        </>
      )}
    </div>
  );
}

function Rows({ martId, title }: { martId: string; title: string }) {
  const c = useClient();
  const rows = useQuery({
    queryKey: ["query", martId],
    queryFn: () => api.query(c, martId, { sql: "SELECT * FROM ${DATA_MART_TABLE} LIMIT 50", page_size: 50 }),
  });
  if (rows.error)
    return (
      <p className="field-error" role="alert">
        {messageOf(rows.error)}
      </p>
    );
  if (!rows.data) return null;
  return <Table result={rows.data} caption={`${title}: the first rows landed`} />;
}

/** The chosen source's connector mark; the generic one, faint, before a choice. */
function SourceLogo({ connector }: { connector: string | undefined }) {
  return <Logo name={connector ?? ""} size={24} className={connector ? undefined : "logo-none"} />;
}
