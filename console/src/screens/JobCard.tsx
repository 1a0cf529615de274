import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { memo, useEffect, useId, useRef } from "react";
import { Link } from "react-router";
import { useClient } from "../app";
import { ApiError } from "../api/client";
import { lastRun, retryRun, setTriggerEnabled, startRun, triggersOf, type DataMart, type Run, type Trigger } from "../api/endpoints";
import { useNow } from "../lib/clock";
import { sources as listSources } from "../api/sources";
import { ACTIVE, card } from "../lib/jobs";
import { ago, countdown, when } from "../lib/time";
import { Logo } from "./logos";

const number = new Intl.NumberFormat();

function Countdown({ at, onPassed }: { at: Date; onPassed: () => void }) {
  const now = useNow();
  const left = at.getTime() - now;
  const latest = useRef(onPassed);
  latest.current = onPassed;
  // Once the fire is a few seconds past, the trigger has a new next fire.
  const passed = left < -3000;
  useEffect(() => {
    if (passed) latest.current();
  }, [passed]);
  return (
    <time dateTime={at.toISOString()} title={when(at.toISOString())}>
      {countdown(left)}
    </time>
  );
}

function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : "The server could not be reached.";
}

export const JobCard = memo(function JobCard({ mart }: { mart: DataMart }) {
  const c = useClient();
  const qc = useQueryClient();
  const titleId = useId();
  const runKey = ["last-run", mart.id];
  const triggerKey = ["triggers", mart.id];
  const run = useQuery({
    queryKey: runKey,
    queryFn: ({ signal }) => lastRun(c, mart.id, signal),
    // Poll while a run is under way; otherwise now and then.
    refetchInterval: (q) => (q.state.data && ACTIVE.includes(q.state.data.status) ? 1500 : 30_000),
  });
  const triggers = useQuery({
    queryKey: triggerKey,
    queryFn: ({ signal }) => triggersOf(c, mart.id, signal),
    staleTime: 30_000,
  });
  // The connector's mark: one list of sources for every card (the wizard's query).
  const sourceId = mart.definition?.kind === "connector" ? mart.definition.source_id : null;
  const sources = useQuery({
    queryKey: ["sources"],
    queryFn: ({ signal }) => listSources(c, signal),
    enabled: sourceId !== null,
    staleTime: 60_000,
  });
  const connector = sources.data?.find((s) => s.id === sourceId)?.connector;
  const setRun = (r: Run) => qc.setQueryData(runKey, r);
  const runNow = useMutation({ mutationFn: () => startRun(c, mart.id), onSuccess: setRun });
  const retry = useMutation({ mutationFn: (id: string) => retryRun(c, id), onSuccess: setRun });
  const toggle = useMutation({
    mutationFn: (t: Trigger) => setTriggerEnabled(c, t, !t.enabled),
    onSuccess: (t) =>
      qc.setQueryData<Trigger[]>(triggerKey, (old) => old?.map((x) => (x.id === t.id ? t : x)) ?? [t]),
  });

  const now = Date.now();
  const model = card(mart, run.data ?? null, triggers.data ?? [], now);
  const failure = runNow.error ?? retry.error ?? toggle.error;
  const busy = runNow.isPending || retry.isPending || toggle.isPending;

  return (
    <article className="job-card" aria-labelledby={titleId}>
      <header className="job-head">
        {connector && <Logo name={connector} className="job-logo" />}
        <h2 id={titleId} className="job-title">
          <Link to={`/data-marts/${encodeURIComponent(mart.id)}`}>{mart.title}</Link>
        </h2>
        <span className={`badge ${model.published ? "published" : "draft"}`}>
          {model.published ? "Published" : "Draft"}
        </span>
      </header>
      <dl className="job-facts">
        <div>
          <dt>Last run</dt>
          <dd data-testid="last-run">
            {run.isPending ? (
              <span className="muted">…</span>
            ) : model.last ? (
              <>
                <span className={`status ${model.last.tone}`}>{model.last.label}</span>{" "}
                <time dateTime={model.last.at} title={when(model.last.at)}>
                  {ago(model.last.at, now)}
                </time>
                {model.last.percent !== null && <span className="muted"> · {model.last.percent}%</span>}
                {model.last.tone !== "busy" && (
                  <span className="muted"> · {number.format(model.last.rows)} rows</span>
                )}
                {model.last.attempt > 1 && <span className="muted"> · attempt {model.last.attempt}</span>}
                {run.data && (
                  <>
                    {" · "}
                    <Link className="link" to={`/runs/${encodeURIComponent(run.data.id)}`} aria-describedby={titleId}>
                      Monitor
                    </Link>
                  </>
                )}
              </>
            ) : (
              <span className="muted">Never run</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Next run</dt>
          <dd data-testid="next-run">
            {model.next ? (
              <Countdown at={model.next} onPassed={() => qc.invalidateQueries({ queryKey: triggerKey })} />
            ) : model.trigger ? (
              <span className="muted">{model.trigger.enabled ? "After its upstream marts" : "Schedule off"}</span>
            ) : (
              <span className="muted">Not scheduled</span>
            )}
            {model.trigger?.cron && <span className="muted mono"> · {model.trigger.cron}</span>}
          </dd>
        </div>
      </dl>
      {model.last?.error && model.last.tone === "bad" && (
        <p className="job-error" title={model.last.error}>
          {model.last.error}
        </p>
      )}
      {failure && (
        <p className="job-error" role="alert">
          {errorText(failure)}
        </p>
      )}
      <div className="job-actions">
        <button
          type="button"
          className="button primary"
          disabled={!model.canRun || busy}
          title={model.runBlocked ?? undefined}
          aria-describedby={titleId}
          onClick={() => runNow.mutate()}
        >
          Run now
        </button>
        {model.trigger && (
          <button
            type="button"
            className="button"
            disabled={busy}
            aria-describedby={titleId}
            aria-pressed={model.trigger.enabled}
            onClick={() => model.trigger && toggle.mutate(model.trigger)}
          >
            {model.trigger.enabled ? "Disable schedule" : "Enable schedule"}
          </button>
        )}
        {model.canRetry && (
          <button
            type="button"
            className="button"
            disabled={busy}
            aria-describedby={titleId}
            onClick={() => run.data && retry.mutate(run.data.id)}
          >
            Force retry
          </button>
        )}
      </div>
    </article>
  );
});
