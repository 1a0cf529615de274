// A run's progress while it goes: polls GET /v1/runs/{id} until the run ends, and
// shows its status, a progress bar and its counters. (The live monitor with a push
// channel will take its place.)

import { useQuery } from "@tanstack/react-query";
import { useClient } from "../../app";
import { run as getRun, type Run } from "../../api/sources";
import { messageOf } from "../../lib/fields";

const ENDED = new Set(["succeeded", "failed", "cancelled"]);
const number = new Intl.NumberFormat();

/** The share of the run done, 0-100: all of it once it succeeded. */
export function percentOf(run: Run): number {
  if (run.status === "succeeded") return 100;
  return Math.min(99, Math.floor((run.progress?.fraction ?? 0) * 100));
}

export function RunProgress({ runId, title, onEnd }: { runId: string; title: string; onEnd?: (run: Run) => void }) {
  const c = useClient();
  const run = useQuery({
    queryKey: ["run", runId],
    queryFn: async ({ signal }) => {
      const r = await getRun(c, runId, signal);
      if (ENDED.has(r.status)) onEnd?.(r);
      return r;
    },
    refetchInterval: (q) => (q.state.data && ENDED.has(q.state.data.status) ? false : 1000),
  });
  if (run.error)
    return (
      <p className="field-error" role="alert">
        {messageOf(run.error)}
      </p>
    );
  if (!run.data)
    return (
      <p className="loading" role="status">
        Starting…
      </p>
    );
  const r = run.data;
  const percent = percentOf(r);
  const tone = r.status === "succeeded" ? "ok" : r.status === "failed" || r.status === "cancelled" ? "bad" : "busy";
  const counters = r.counters;
  return (
    <div className="run-progress" data-testid="run-progress">
      <div className="inline">
        <strong>{title}</strong>
        <span className={`status ${tone}`}>{r.status}</span>
        <span aria-hidden="true">{percent}%</span>
      </div>
      <progress max={100} value={percent} aria-label={`${title}: run progress`} aria-valuetext={`${percent}%`} />
      <p className="hint" aria-live="polite">
        {percent}% · {number.format(counters?.rows_read ?? 0)} rows read · {number.format(counters?.rows_written ?? 0)} written
        {(counters?.rows_failed ?? 0) > 0 && ` · ${number.format(counters?.rows_failed ?? 0)} failed`}
        {(counters?.rows_skipped ?? 0) > 0 && ` · ${number.format(counters?.rows_skipped ?? 0)} skipped`}
      </p>
      {r.error && (
        <p className="field-error" role="alert">
          {r.error}
        </p>
      )}
    </div>
  );
}
