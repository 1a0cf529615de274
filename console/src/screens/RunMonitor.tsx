// The run monitor: a run followed live through its push channel (polling when
// the channel fails), with its progress, rows per second over time, stages on
// one time axis, counters, the run's log (what extraction waited for, renewed or
// found missing), error log, and the pause, resume, cancel and retry
// the run's status and the caller's role allow.
//
// Embed it anywhere with just the run's id: `<RunMonitor runId={run.id} />`.
// It reads who the caller is itself (the shell's `["me"]` query) and follows
// the run until it is over or the component unmounts.

import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useClient } from "../app";
import { ApiError } from "../api/client";
import { me } from "../api/endpoints";
import { followRun, runAction } from "../api/live";
import { RUN_LABEL, toneOf } from "../lib/jobs";
import {
  full,
  type FullRun,
  actionsFor,
  addSample,
  isOver,
  plotPath,
  progressOf,
  rateSeries,
  spanSeconds,
  timeline,
  type RunAction,
  type Sample,
  type Transport,
} from "../lib/monitor";
import { ago, when } from "../lib/time";
import "./RunMonitor.css";

const number = new Intl.NumberFormat();
const rateFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

const TRANSPORT_LABEL: Record<Transport, string> = {
  connecting: "Connecting…",
  push: "Live: pushed by the server",
  polling: "Live: polling every 2 s (push channel unavailable)",
  ended: "Run over: not following",
};

const ACTION_LABEL: Record<RunAction, string> = {
  pause: "Pause",
  resume: "Resume",
  cancel: "Cancel",
  retry: "Retry",
};

export interface RunMonitorProps {
  /** The run to follow (`run_…`). */
  runId: string;
  /** Called once when the followed run is over (succeeded, failed or cancelled). */
  onEnd?: (run: FullRun) => void;
}

export function RunMonitor({ runId, onEnd }: RunMonitorProps) {
  const c = useClient();
  const who = useQuery({ queryKey: ["me"], queryFn: () => me(c), staleTime: 60_000 });
  const [run, setRun] = useState<FullRun | null>(null);
  const [eventAt, setEventAt] = useState<string | null>(null);
  const [samples, setSamples] = useState<Sample[]>([]);
  const [transport, setTransport] = useState<Transport>("connecting");
  const [error, setError] = useState<ApiError | null>(null);
  // Bumped when a resume or retry brings a run back: following starts again.
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    setError(null);
    return followRun(c, runId, {
      onUpdate(u) {
        const r = full(u.run);
        setRun(r);
        setEventAt(u.event_at);
        const at = Date.parse(u.event_at);
        setSamples((s) => addSample(s, r, Number.isFinite(at) ? at : Date.now()));
      },
      onTransport: setTransport,
      onError: setError,
    });
  }, [c, runId, generation]);

  const ended = useRef<string | null>(null);
  useEffect(() => {
    if (run && isOver(run) && ended.current !== run.id) {
      ended.current = run.id;
      onEnd?.(run);
    }
  }, [run, onEnd]);

  useEffect(() => {
    // Another run: its own series.
    setRun(null);
    setSamples([]);
  }, [runId]);

  const act = useMutation({
    mutationFn: (action: RunAction) => runAction(c, runId, action),
    onSuccess: (answered) => {
      const r = full(answered);
      setRun(r);
      // A run brought back after its follow ended (a retry): follow it again.
      if (!isOver(r) && transport === "ended") setGeneration((g) => g + 1);
    },
  });

  if (error) {
    return (
      <section className="monitor" aria-label="Run monitor">
        <p className="form-error" role="alert">
          {error.status === 404 ? "No such run in this project." : error.message}
        </p>
      </section>
    );
  }
  if (!run) {
    return (
      <section className="monitor" aria-label="Run monitor">
        <p className="loading" role="status">
          Loading the run…
        </p>
      </section>
    );
  }
  return (
    <RunView
      run={run}
      eventAt={eventAt}
      samples={samples}
      transport={transport}
      actions={actionsFor(run, who.data)}
      busy={act.isPending}
      failure={act.error}
      onAction={(a) => act.mutate(a)}
    />
  );
}

interface ViewProps {
  run: FullRun;
  eventAt: string | null;
  samples: Sample[];
  transport: Transport;
  actions: RunAction[];
  busy: boolean;
  failure: unknown;
  onAction: (a: RunAction) => void;
}

function RunView({ run, eventAt, samples, transport, actions, busy, failure, onAction }: ViewProps) {
  const headingId = useId();
  const progress = progressOf(run);
  const now = Date.now();
  const tone = toneOf(run.status);
  return (
    <section className="monitor" aria-labelledby={headingId}>
      <header className="monitor-head">
        <h2 id={headingId}>
          Run <span className="mono">{run.id}</span>
        </h2>
        <span className={`status ${tone}`} data-testid="run-status">
          {RUN_LABEL[run.status]}
        </span>
        <span className={`transport ${transport}`} role="status" data-testid="transport">
          <span className="dot" aria-hidden="true" />
          {TRANSPORT_LABEL[transport]}
        </span>
      </header>
      <p className="muted monitor-sub">
        {run.kind === "backfill" && run.window ? `Backfill ${run.window.from} → ${run.window.to} · ` : ""}
        Data mart <span className="mono">{run.data_mart_id}</span>
        {run.started_at && (
          <>
            {" "}
            · started <time dateTime={run.started_at} title={when(run.started_at)}>{ago(run.started_at, now)}</time>
          </>
        )}
        {run.attempt > 1 && <> · attempt {run.attempt}</>}
      </p>

      <div className="monitor-progress">
        <div
          className={`bar ${tone}`}
          role="progressbar"
          aria-label="Run progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={progress.percent ?? undefined}
          aria-valuetext={progress.percent === null ? "Starting" : `${progress.percent}%`}
          data-testid="run-progress"
          data-event-at={eventAt ?? undefined}
        >
          <span className="fill" style={{ width: `${progress.percent ?? 0}%` }} />
        </div>
        <span className="percent" data-testid="run-percent">
          {progress.percent === null ? "…" : `${progress.percent}%`}
        </span>
      </div>
      <p className="muted monitor-sub">
        {number.format(progress.done)} of {number.format(progress.total)} chunks
        {progress.failed > 0 && <> · {number.format(progress.failed)} failed</>}
      </p>

      {run.error && (
        <p className="job-error" role="alert">
          {run.error}
        </p>
      )}

      {actions.length > 0 && (
        <div className="job-actions">
          {actions.map((a) => (
            <button
              key={a}
              type="button"
              className={a === "cancel" ? "button danger" : "button"}
              disabled={busy}
              onClick={() => onAction(a)}
            >
              {ACTION_LABEL[a]}
            </button>
          ))}
        </div>
      )}
      {failure != null && (
        <p className="form-error" role="alert">
          {failure instanceof ApiError ? failure.message : "The server could not be reached."}
        </p>
      )}

      <div className="monitor-grid">
        <Counters run={run} samples={samples} />
        <RatePlot samples={samples} />
      </div>
      <Timeline run={run} now={now} />
      <RunLog run={run} />
      <ErrorLog run={run} />
    </section>
  );
}

function Counters({ run, samples }: { run: FullRun; samples: Sample[] }) {
  const rates = rateSeries(samples);
  const current = rates[rates.length - 1]?.rate ?? null;
  const c = run.counters;
  return (
    <dl className="monitor-counters" data-testid="counters">
      <div>
        <dt>Rows read</dt>
        <dd>{number.format(c.rows_read)}</dd>
      </div>
      <div>
        <dt>Rows written</dt>
        <dd data-testid="rows-written">{number.format(c.rows_written)}</dd>
      </div>
      <div>
        <dt>Rows failed</dt>
        <dd className={c.rows_failed > 0 ? "bad" : undefined}>{number.format(c.rows_failed)}</dd>
      </div>
      <div>
        <dt>Rows skipped</dt>
        <dd>{number.format(c.rows_skipped)}</dd>
      </div>
      <div>
        <dt>Rows/s now</dt>
        <dd>{current === null || isOver(run) ? "–" : rateFormat.format(current)}</dd>
      </div>
      <div>
        <dt>Rows/s overall</dt>
        <dd>{rateFormat.format(run.progress.rows_per_second)}</dd>
      </div>
    </dl>
  );
}

const PLOT_W = 320;
const PLOT_H = 100;

function RatePlot({ samples }: { samples: Sample[] }) {
  const titleId = useId();
  const points = useMemo(() => rateSeries(samples), [samples]);
  const { d, max } = plotPath(points, PLOT_W, PLOT_H);
  const span = spanSeconds(points);
  return (
    <figure className="monitor-plot">
      <figcaption id={titleId}>Rows per second over time</figcaption>
      {points.length === 0 ? (
        <p className="muted">No rows written yet while watching.</p>
      ) : (
        <svg
          viewBox={`-1 -4 ${PLOT_W + 2} ${PLOT_H + 8}`}
          role="img"
          aria-labelledby={titleId}
          aria-describedby={`${titleId}-d`}
          preserveAspectRatio="none"
        >
          <desc id={`${titleId}-d`}>
            {points.length} measurements over {span} s; the highest is{" "}
            {rateFormat.format(Math.max(...points.map((p) => p.rate)))} rows per second.
          </desc>
          <line x1={0} y1={PLOT_H} x2={PLOT_W} y2={PLOT_H} className="axis" />
          <line x1={0} y1={0} x2={PLOT_W} y2={0} className="grid" />
          <path d={d} className="line" vectorEffect="non-scaling-stroke" />
        </svg>
      )}
      {points.length > 0 && (
        <p className="plot-scale muted">
          <span>top: {rateFormat.format(max)} rows/s</span>
          <span>last {span} s</span>
        </p>
      )}
    </figure>
  );
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function Timeline({ run, now }: { run: FullRun; now: number }) {
  const bars = timeline(run, now);
  return (
    <section className="monitor-section" aria-label="Stages">
      <h3>Stages</h3>
      <ol className="timeline" data-testid="timeline">
        {bars.map((b) => {
          const took =
            b.startedAt && b.finishedAt ? Date.parse(b.finishedAt) - Date.parse(b.startedAt) : b.startedAt ? now - Date.parse(b.startedAt) : null;
          return (
            <li key={b.name} className={`stage ${b.state}`}>
              <span className="stage-name">{b.name}</span>
              <span className="stage-track" aria-hidden="true">
                {b.left !== null && b.width !== null && (
                  <span className="stage-bar" style={{ left: `${b.left}%`, width: `${b.width}%` }} />
                )}
              </span>
              <span className="stage-state">
                {b.state}
                {took !== null && <span className="muted"> · {duration(Math.max(0, took))}</span>}
                {b.busyMs > 0 && <span className="muted"> · busy {duration(b.busyMs)}</span>}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** The run's own log: a rate limit's wait, a renewed token, a glob that found no file. */
function RunLog({ run }: { run: FullRun }) {
  const lines = run.log ?? [];
  return (
    <section className="monitor-section" aria-label="Run log">
      <h3>Run log</h3>
      {lines.length === 0 ? (
        <p className="muted">Nothing to note.</p>
      ) : (
        <ol className="run-log" data-testid="run-log">
          {lines.map((l, i) => (
            <li key={`${l.at}-${i}`}>
              <time className="muted" dateTime={l.at} title={when(l.at)}>
                {new Date(l.at).toLocaleTimeString()}
              </time>{" "}
              <span className="mono">{l.stream}</span> {l.message}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ErrorLog({ run }: { run: FullRun }) {
  const rows = run.error_log;
  const failed = run.counters.rows_failed + run.counters.rows_skipped;
  return (
    <section className="monitor-section" aria-label="Error log">
      <h3>Error log</h3>
      {rows.length === 0 ? (
        <p className="muted">No row failed.</p>
      ) : (
        <>
          {failed > rows.length && (
            <p className="muted">
              The first {number.format(rows.length)} of {number.format(failed)} rows failed or skipped.
            </p>
          )}
          <div className="table-scroll">
            <table className="table" data-testid="error-log">
              <thead>
                <tr>
                  <th scope="col">Stream</th>
                  <th scope="col">Chunk</th>
                  <th scope="col">Row</th>
                  <th scope="col">Column</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e, i) => (
                  <tr key={`${e.chunk}-${e.row ?? "all"}-${i}`}>
                    <td>{e.stream}</td>
                    <td className="mono">{e.chunk}</td>
                    <td>{e.row ?? "whole chunk"}</td>
                    <td>{e.column ?? ""}</td>
                    <td>{e.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
