// Sources and destinations: a list, a kind picker, and a form drawn from the kind's
// spec (secret fields write-only), then the record's page with its connection test.
// Both screens are this one with a different `Kind`.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useClient } from "../app";
import type { Client } from "../api/client";
import { ApiError } from "../api/client";
import type { FieldSpec } from "../api/sources";
import { fieldError, messageOf } from "../lib/fields";
import { buildConfig, changedConfig, initialValues, specField, type Values } from "../lib/specForm";
import { ago } from "../lib/time";
import { Field, SpecFields } from "./forms";
import { Logo } from "./logos";
import { ConfirmButton } from "./settings/common";

/** One kind of source (a connector) or destination, as its catalog lists it. */
export interface KindSpec {
  name: string;
  title: string;
  description: string;
  config: FieldSpec[];
}

export interface ConfiguredRecord {
  id: string;
  title: string;
  kind: string;
  config: Record<string, unknown>;
  version: number;
  updated_at: string;
}

export interface TestResult {
  ok: boolean;
  checks: { check: string; ok: boolean; reason?: string | null }[];
}

/** What differs between the sources screen and the destinations screen. */
export interface Kind {
  /** `sources`: the path and the query key. */
  path: string;
  noun: string;
  plural: string;
  kindLabel: string;
  intro: string;
  kinds(c: Client, signal?: AbortSignal): Promise<KindSpec[]>;
  list(c: Client, signal?: AbortSignal): Promise<ConfiguredRecord[]>;
  get(c: Client, id: string, signal?: AbortSignal): Promise<ConfiguredRecord>;
  create(c: Client, title: string, kind: string, config: Record<string, unknown>): Promise<ConfiguredRecord>;
  update(c: Client, id: string, body: { title?: string; config?: Record<string, unknown>; version: number }): Promise<ConfiguredRecord>;
  remove(c: Client, id: string): Promise<void>;
  test(c: Client, id: string): Promise<TestResult>;
}

export function ConfiguredScreen({ kind }: { kind: Kind }) {
  const { id } = useParams();
  if (!id) return <List kind={kind} />;
  if (id === "new") return <Create kind={kind} />;
  return <Detail kind={kind} id={id} />;
}

function useKinds(kind: Kind) {
  const c = useClient();
  return useQuery({ queryKey: [kind.path, "kinds"], queryFn: ({ signal }) => kind.kinds(c, signal), staleTime: Infinity });
}

function List({ kind }: { kind: Kind }) {
  const c = useClient();
  const records = useQuery({ queryKey: [kind.path], queryFn: ({ signal }) => kind.list(c, signal) });
  const kinds = useKinds(kind);
  const now = Date.now();
  return (
    <div className="page">
      <div className="page-head">
        <h1>{kind.plural}</h1>
        <span className="spacer" />
        <Link className="button primary" to={`/${kind.path}/new`}>
          New {kind.noun}
        </Link>
      </div>
      <p className="muted">{kind.intro}</p>
      {records.error && (
        <p className="form-error" role="alert">
          {messageOf(records.error)}
        </p>
      )}
      {records.isPending && (
        <p className="loading" role="status">
          Loading {kind.plural.toLowerCase()}…
        </p>
      )}
      {records.data && records.data.length === 0 && (
        <div className="empty">
          <h2>No {kind.plural.toLowerCase()} yet</h2>
          <p>
            <Link to={`/${kind.path}/new`}>Add the first one</Link>.
          </p>
        </div>
      )}
      {records.data && records.data.length > 0 && (
        <table className="table">
          <caption className="visually-hidden">{kind.plural}</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">{kind.kindLabel}</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {records.data.map((r) => (
              <tr key={r.id}>
                <th scope="row" className="cell-main">
                  <Link to={`/${kind.path}/${encodeURIComponent(r.id)}`}>{r.title}</Link>
                </th>
                <td>
                  <span className="with-logo">
                    <Logo name={r.kind} />
                    {kinds.data?.find((k) => k.name === r.kind)?.title ?? r.kind}
                  </span>
                </td>
                <td>{ago(r.updated_at, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Errors by spec field from a failed save: the API's field, or ours found before asking. */
function errorsOf(spec: readonly FieldSpec[], error: unknown, local: Record<string, string>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const named = error instanceof ApiError ? specField(error.field) : null;
  for (const f of spec) out[f.name] = local[f.name] ?? (named === f.name ? (error as ApiError).message : null);
  return out;
}

function Create({ kind }: { kind: Kind }) {
  const c = useClient();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const kinds = useKinds(kind);
  const [chosen, setChosen] = useState("");
  const [title, setTitle] = useState("");
  const [values, setValues] = useState<Values>({});
  const [local, setLocal] = useState<Record<string, string>>({});
  const spec = kinds.data?.find((k) => k.name === chosen);
  const create = useMutation({
    mutationFn: (config: Record<string, unknown>) => kind.create(c, title.trim(), chosen, config),
    onSuccess: (r) => {
      void queries.invalidateQueries({ queryKey: [kind.path] });
      navigate(`/${kind.path}/${encodeURIComponent(r.id)}`);
    },
  });

  function pick(name: string) {
    setChosen(name);
    const k = kinds.data?.find((x) => x.name === name);
    setValues(k ? initialValues(k.config) : {});
    setLocal({});
    create.reset();
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!spec) return;
    const built = buildConfig(spec.config, values);
    setLocal(built.errors);
    if (Object.keys(built.errors).length === 0) create.mutate(built.config);
  }

  const errors = spec ? errorsOf(spec.config, create.error, local) : {};
  const named = create.error instanceof ApiError ? create.error.field : undefined;
  const general = create.error && !(named && (named === "title" || named === "connector" || named === "kind" || specField(named))) ? messageOf(create.error) : null;

  return (
    <div className="page">
      <p>
        <Link to={`/${kind.path}`}>← {kind.plural}</Link>
      </p>
      <h1>New {kind.noun}</h1>
      <form className="editor" onSubmit={submit} aria-label={`New ${kind.noun}`}>
        <Field label={kind.kindLabel} error={fieldError(create.error, kind.path === "sources" ? "connector" : "kind")} hint={spec?.description} before={<Logo name={chosen} size={24} className={chosen ? undefined : "logo-none"} />}>
          <select value={chosen} onChange={(e) => pick(e.target.value)} required>
            <option value="">Choose…</option>
            {kinds.data?.map((k) => (
              <option key={k.name} value={k.name}>
                {k.title}
              </option>
            ))}
          </select>
        </Field>
        {spec && (
          <>
            <Field label="Title" error={fieldError(create.error, "title")}>
              <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
            </Field>
            <fieldset>
              <legend>{spec.title} settings</legend>
              <SpecFields spec={spec.config} values={values} onChange={(n, v) => setValues((s) => ({ ...s, [n]: v }))} errors={errors} />
            </fieldset>
            <div className="actions">
              <button type="submit" className="button primary" disabled={create.isPending}>
                Create {kind.noun}
              </button>
              {general && (
                <p className="field-error" role="alert">
                  {general}
                </p>
              )}
            </div>
          </>
        )}
      </form>
    </div>
  );
}

function Detail({ kind, id }: { kind: Kind; id: string }) {
  const c = useClient();
  const record = useQuery({ queryKey: [kind.path, id], queryFn: ({ signal }) => kind.get(c, id, signal) });
  const kinds = useKinds(kind);
  const spec = kinds.data?.find((k) => k.name === record.data?.kind);
  if (record.error || kinds.error)
    return (
      <div className="page">
        <p className="form-error" role="alert">
          {messageOf(record.error ?? kinds.error)}
        </p>
      </div>
    );
  if (!record.data || !spec)
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  return <Editor key={`${record.data.id}-${record.data.version}`} kind={kind} record={record.data} spec={spec} />;
}

function Editor({ kind, record, spec }: { kind: Kind; record: ConfiguredRecord; spec: KindSpec }) {
  const c = useClient();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [title, setTitle] = useState(record.title);
  const [values, setValues] = useState<Values>(() => initialValues(spec.config, record.config));
  const [local, setLocal] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: (config: Record<string, unknown>) =>
      kind.update(c, record.id, {
        title: title.trim() !== record.title ? title.trim() : undefined,
        config: Object.keys(config).length > 0 ? config : undefined,
        version: record.version,
      }),
    onSuccess: (r) => {
      queries.setQueryData([kind.path, record.id], r);
      void queries.invalidateQueries({ queryKey: [kind.path], exact: true });
    },
  });
  const test = useMutation({ mutationFn: () => kind.test(c, record.id) });
  const remove = useMutation({
    mutationFn: () => kind.remove(c, record.id),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: [kind.path] });
      navigate(`/${kind.path}`);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const built = buildConfig(spec.config, values, true);
    setLocal(built.errors);
    if (Object.keys(built.errors).length === 0) save.mutate(changedConfig(spec.config, built.config, record.config));
  }

  const errors = errorsOf(spec.config, save.error, local);
  const named = save.error instanceof ApiError ? save.error.field : undefined;
  const general = save.error && !(named && (named === "title" || specField(named))) ? messageOf(save.error) : null;

  return (
    <div className="page">
      <p>
        <Link to={`/${kind.path}`}>← {kind.plural}</Link>
      </p>
      <div className="page-head">
        <h1>{record.title}</h1>
        <span className="badge with-logo">
          <Logo name={spec.name} size={16} />
          {spec.title}
        </span>
        <span className="spacer" />
        {kind.path === "sources" && (
          <Link className="button" to={`/data-marts/new?source=${encodeURIComponent(record.id)}`}>
            New data mart from it
          </Link>
        )}
      </div>
      <section className="editor" aria-labelledby="connection-test">
        <h2 id="connection-test">Connection test</h2>
        <div className="actions">
          <button type="button" className="button" onClick={() => test.mutate()} disabled={test.isPending}>
            {test.isPending ? "Testing…" : "Test connection"}
          </button>
          {test.error && (
            <p className="field-error" role="alert">
              {messageOf(test.error)}
            </p>
          )}
        </div>
        {test.data && (
          <div role="status" data-testid="test-result">
            <p className={test.data.ok ? "status ok" : "status bad"}>{test.data.ok ? "Connection works." : "Connection failed."}</p>
            <ul className="checks">
              {test.data.checks.map((ch) => (
                <li key={ch.check}>
                  <span className={ch.ok ? "status ok" : "status bad"}>{ch.ok ? "✓" : "✗"}</span> <strong>{ch.check}</strong>
                  {ch.reason && <>: {ch.reason}</>}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>
      <form className="editor" onSubmit={submit} aria-label={`Edit ${record.title}`}>
        <h2>Settings</h2>
        <Field label="Title" error={fieldError(save.error, "title")}>
          <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        </Field>
        <SpecFields spec={spec.config} values={values} onChange={(n, v) => setValues((s) => ({ ...s, [n]: v }))} errors={errors} stored />
        <div className="actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            Save changes
          </button>
          {save.isSuccess && <span role="status">Saved.</span>}
          {general && (
            <p className="field-error" role="alert">
              {general}
            </p>
          )}
          <span className="spacer" />
          <ConfirmButton label={`Delete ${kind.noun}`} confirm={`Delete ${record.title}`} busy={remove.isPending} onConfirm={() => remove.mutate()} />
        </div>
        {remove.error && (
          <p className="field-error" role="alert">
            {messageOf(remove.error)}
          </p>
        )}
      </form>
    </div>
  );
}
