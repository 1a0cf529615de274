// A data mart's backfills: each date range with its windows' runs and progress, a
// cancel for those running, and a new backfill (from, to, window size).

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link } from "react-router";
import { useClient } from "../../app";
import { backfillsOf, cancelBackfill, createBackfill, type Backfill } from "../../api/endpoints";
import { fieldError, formError, messageOf } from "../../lib/fields";
import { RUN_LABEL, toneOf } from "../../lib/jobs";
import { when } from "../../lib/time";
import { ErrorText, QueryState } from "../settings/common";
import type { SectionProps } from "./MartPage";

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function Backfills({ mart }: SectionProps) {
  const c = useClient();
  const qc = useQueryClient();
  const key = ["backfills", mart.id];
  const backfills = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => backfillsOf(c, mart.id, signal),
    refetchInterval: (q) => (q.state.data?.some((b) => b.status === "running") ? 3000 : false),
  });
  const cancel = useMutation({
    mutationFn: (b: Backfill) => cancelBackfill(c, b.id),
    onSuccess: () => qc.invalidateQueries({ queryKey: key }),
  });
  return (
    <div>
      <NewBackfill martId={mart.id} disabled={mart.status !== "published"} onCreated={() => qc.invalidateQueries({ queryKey: key })} />
      <QueryState query={backfills} what="backfills" />
      {cancel.error && (
        <p className="form-error" role="alert">
          {messageOf(cancel.error)}
        </p>
      )}
      {backfills.data && backfills.data.length === 0 && <p className="empty-note">No backfills.</p>}
      {backfills.data?.map((b) => {
        const done = b.windows.filter((w) => w.status && !["queued", "running", "paused"].includes(w.status)).length;
        return (
          <article key={b.id} className="item" aria-labelledby={`backfill-${b.id}`}>
            <header className="item-head">
              <h3 id={`backfill-${b.id}`}>
                {b.from} to {b.to} <span className="muted">by {b.window}</span>
              </h3>
              <span className={`status ${b.status === "succeeded" ? "ok" : b.status === "running" ? "busy" : b.status === "failed" ? "bad" : "idle"}`}>
                {b.status}
              </span>
              <span className="spacer" />
              {b.status === "running" && (
                <button type="button" className="button" disabled={cancel.isPending} onClick={() => cancel.mutate(b)}>
                  Cancel
                </button>
              )}
            </header>
            <p className="hint">
              {done} of {b.windows.length} windows done · started {when(b.created_at)}
            </p>
            <progress max={b.windows.length || 1} value={done} aria-label={`Windows done of the backfill ${b.from} to ${b.to}`} />
            <details>
              <summary>Windows</summary>
              <ul className="plain-list">
                {b.windows.map((w) => (
                  <li key={w.from}>
                    {w.from} – {w.to}:{" "}
                    {w.status ? <span className={`status ${toneOf(w.status)}`}>{RUN_LABEL[w.status]}</span> : <span className="muted">waiting</span>}
                    {w.run_id && (
                      <>
                        {" "}
                        <Link to={`/runs/${encodeURIComponent(w.run_id)}`}>{w.run_id}</Link>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </details>
          </article>
        );
      })}
    </div>
  );
}

function NewBackfill({ martId, disabled, onCreated }: { martId: string; disabled: boolean; onCreated: () => void }) {
  const c = useClient();
  const ids = { from: useId(), to: useId(), window: useId() };
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 7 * 86_400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [window, setWindow] = useState<Backfill["window"]>("day");
  const create = useMutation({ mutationFn: () => createBackfill(c, martId, { from, to, window }), onSuccess: onCreated });
  return (
    <form
      className="editor"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h3>New backfill</h3>
      {disabled && <p className="hint">Publish the data mart to backfill it.</p>}
      <div className="row">
        <div className="field">
          <label htmlFor={ids.from}>From (inclusive)</label>
          <input id={ids.from} type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />
          <ErrorText text={fieldError(create.error, "from")} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To (exclusive)</label>
          <input id={ids.to} type="date" value={to} onChange={(e) => setTo(e.target.value)} required />
          <ErrorText text={fieldError(create.error, "to")} />
        </div>
        <div className="field">
          <label htmlFor={ids.window}>One run per</label>
          <select id={ids.window} value={window} onChange={(e) => setWindow(e.target.value as Backfill["window"])}>
            <option value="day">day</option>
            <option value="week">week</option>
            <option value="month">month</option>
          </select>
        </div>
      </div>
      <ErrorText text={formError(create.error, ["from", "to"])} />
      <button type="submit" className="button primary" disabled={disabled || create.isPending}>
        Start backfill
      </button>
    </form>
  );
}
