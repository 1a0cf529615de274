// A data mart's triggers: each schedule (cron and time zone) or upstream link, on
// or off, its next fires and its last fires with their runs; a new schedule.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link } from "react-router";
import { useClient } from "../../app";
import { createTrigger, deleteTrigger, setTriggerEnabled, triggersFor, type Trigger } from "../../api/endpoints";
import { fieldError, formError, messageOf } from "../../lib/fields";
import { when } from "../../lib/time";
import { ErrorText, QueryState } from "../settings/common";
import type { SectionProps } from "./MartPage";

export function Triggers({ mart }: SectionProps) {
  const c = useClient();
  const qc = useQueryClient();
  const key = ["triggers", mart.id];
  const triggers = useQuery({ queryKey: key, queryFn: ({ signal }) => triggersFor(c, mart.id, signal) });
  const refresh = () => qc.invalidateQueries({ queryKey: key });
  const toggle = useMutation({ mutationFn: (t: Trigger) => setTriggerEnabled(c, t, !t.enabled), onSuccess: refresh });
  const remove = useMutation({ mutationFn: (t: Trigger) => deleteTrigger(c, t.id), onSuccess: refresh });
  const failure = toggle.error ?? remove.error;
  return (
    <div>
      <QueryState query={triggers} what="triggers" />
      {failure && (
        <p className="form-error" role="alert">
          {messageOf(failure)}
        </p>
      )}
      {triggers.data && triggers.data.length === 0 && <p className="empty-note">Not scheduled.</p>}
      {triggers.data?.map((t) => (
        <article key={t.id} className="item" aria-labelledby={`trigger-${t.id}`}>
          <header className="item-head">
            <h3 id={`trigger-${t.id}`}>
              {t.cron ? (
                <>
                  <code>{t.cron}</code> <span className="muted">in {t.timezone}</span>
                </>
              ) : (
                <>After {t.upstream?.mode === "any" ? "any" : "all"} of its upstream marts</>
              )}
            </h3>
            <span className={`badge ${t.enabled ? "published" : "draft"}`}>{t.enabled ? "On" : "Off"}</span>
            <span className="spacer" />
            <button
              type="button"
              className="button"
              aria-pressed={t.enabled}
              disabled={toggle.isPending}
              onClick={() => toggle.mutate(t)}
            >
              {t.enabled ? "Disable" : "Enable"}
            </button>
            <button
              type="button"
              className="button danger"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm("Delete this trigger?")) remove.mutate(t);
              }}
            >
              Delete
            </button>
          </header>
          <dl className="facts">
            <div>
              <dt>Next fires</dt>
              <dd>
                {t.next_fire_times.length ? (
                  <ul className="plain-list">
                    {t.next_fire_times.slice(0, 3).map((at) => (
                      <li key={at}>
                        <time dateTime={at}>{when(at)}</time>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="muted">None</span>
                )}
              </dd>
            </div>
            <div>
              <dt>Retries</dt>
              <dd>
                {t.retry.max_retries} (from {t.retry.backoff_seconds} s)
              </dd>
            </div>
            <div>
              <dt>When busy</dt>
              <dd>{t.when_busy}</dd>
            </div>
            <div>
              <dt>Catch-up</dt>
              <dd>{t.catch_up}</dd>
            </div>
          </dl>
          {(t.recent_fires ?? []).length > 0 && (
            <details>
              <summary>Last fires</summary>
              <ul className="plain-list">
                {(t.recent_fires ?? []).map((f) => (
                  <li key={f.fired_at}>
                    <time dateTime={f.fired_at}>{when(f.fired_at)}</time> · {f.cause} · {f.outcome}
                    {f.run_id && (
                      <>
                        {" "}
                        · <Link to={`/runs/${encodeURIComponent(f.run_id)}`}>{f.run_id}</Link>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </article>
      ))}
      <NewSchedule martId={mart.id} onCreated={refresh} />
    </div>
  );
}

function NewSchedule({ martId, onCreated }: { martId: string; onCreated: () => void }) {
  const c = useClient();
  const ids = { cron: useId(), tz: useId() };
  const [cron, setCron] = useState("@daily");
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
  const create = useMutation({
    mutationFn: () => createTrigger(c, { target_kind: "data_mart", target_id: martId, cron, timezone }),
    onSuccess: onCreated,
  });
  return (
    <form
      className="editor"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h3>New schedule</h3>
      <div className="row">
        <div className="field">
          <label htmlFor={ids.cron}>Cron or preset</label>
          <input
            id={ids.cron}
            className="mono"
            value={cron}
            onChange={(e) => setCron(e.target.value)}
            aria-describedby={`${ids.cron}-hint`}
            required
          />
          <p className="hint" id={`${ids.cron}-hint`}>
            Five fields (<code>30 6 * * 1-5</code>) or <code>@hourly</code>, <code>@daily</code>, <code>@weekly</code>,{" "}
            <code>@monthly</code>, <code>@every_15_minutes</code>.
          </p>
          <ErrorText text={fieldError(create.error, "cron")} />
        </div>
        <div className="field">
          <label htmlFor={ids.tz}>Time zone</label>
          <input id={ids.tz} value={timezone} onChange={(e) => setTimezone(e.target.value)} required />
          <ErrorText text={fieldError(create.error, "timezone")} />
        </div>
      </div>
      <ErrorText text={formError(create.error, ["cron", "timezone"])} />
      <button type="submit" className="button primary" disabled={create.isPending}>
        Add schedule
      </button>
    </form>
  );
}
