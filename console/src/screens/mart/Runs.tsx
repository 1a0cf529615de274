// A data mart's run history: a chart of the last runs (duration as bars, rows
// written as a line, each run's bar coloured by its outcome) and the list of runs,
// each linking to its run monitor.

import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useClient } from "../../app";
import { runsOf, type Run } from "../../api/endpoints";
import { countLabel, durationLabel, niceAxis, runPoints, type RunPoint } from "../../lib/chart";
import { ACTIVE, RUN_LABEL, toneOf } from "../../lib/jobs";
import { duration, when } from "../../lib/time";
import { QueryState } from "../settings/common";
import type { SectionProps } from "./MartPage";

const SHOWN = 30;
const number = new Intl.NumberFormat();

export function Runs({ mart }: SectionProps) {
  const c = useClient();
  const runs = useQuery({
    queryKey: ["runs", mart.id],
    queryFn: ({ signal }) => runsOf(c, mart.id, SHOWN, signal),
    refetchInterval: (q) => (q.state.data?.some((r) => ACTIVE.includes(r.status)) ? 2000 : 30_000),
  });
  return (
    <div>
      <QueryState query={runs} what="runs" />
      {runs.data && runs.data.length === 0 && <p className="empty-note">No runs yet.</p>}
      {runs.data && runs.data.length > 0 && (
        <>
          <RunChart points={runPoints(runs.data, Date.now())} />
          <RunTable runs={runs.data} />
        </>
      )}
    </div>
  );
}

const W = 720;
const H = 220;
const M = { top: 16, right: 56, bottom: 28, left: 64 };

function RunChart({ points }: { points: RunPoint[] }) {
  const durations = niceAxis(Math.max(0, ...points.map((p) => p.durationMs ?? 0)));
  const rows = niceAxis(Math.max(0, ...points.map((p) => p.rows)));
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const slot = innerW / Math.max(points.length, 1);
  const barW = Math.max(4, Math.min(28, slot * 0.6));
  const x = (i: number) => M.left + slot * i + slot / 2;
  const yD = (ms: number) => M.top + innerH - (ms / durations.top) * innerH;
  const yR = (n: number) => M.top + innerH - (n / rows.top) * innerH;
  const line = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${yR(p.rows).toFixed(1)}`).join(" ");
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby="run-chart-title"
        aria-describedby="run-chart-desc"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id="run-chart-title">Duration and rows written of the last {points.length} runs</title>
        <desc id="run-chart-desc">
          {points
            .map(
              (p) =>
                `${when(p.at)}: ${RUN_LABEL[p.status]}, ${p.durationMs === null ? "not started" : durationLabel(p.durationMs)}, ${number.format(p.rows)} rows`,
            )
            .join("; ")}
        </desc>
        {durations.ticks.map((t) => (
          <g key={`d${t}`} className="tick">
            <line x1={M.left} x2={W - M.right} y1={yD(t)} y2={yD(t)} className="grid" />
            <text x={M.left - 6} y={yD(t)} dy="0.32em" textAnchor="end">
              {durationLabel(t)}
            </text>
          </g>
        ))}
        {rows.ticks.map((t) => (
          <text key={`r${t}`} className="tick rows-tick" x={W - M.right + 6} y={yR(t)} dy="0.32em">
            {countLabel(t)}
          </text>
        ))}
        {points.map((p, i) => (
          <rect
            key={p.id}
            className={`bar ${p.tone}`}
            data-run={p.id}
            x={x(i) - barW / 2}
            width={barW}
            y={yD(p.durationMs ?? 0)}
            height={Math.max(p.durationMs ? 1 : 0, M.top + innerH - yD(p.durationMs ?? 0))}
          >
            <title>
              {`${when(p.at)} · ${RUN_LABEL[p.status]} · ${p.durationMs === null ? "not started" : durationLabel(p.durationMs)} · ${number.format(p.rows)} rows`}
            </title>
          </rect>
        ))}
        <path d={line} className="rows-line" fill="none" />
        {points.map((p, i) => (
          <circle key={p.id} className="rows-dot" cx={x(i)} cy={yR(p.rows)} r={3} />
        ))}
        <line x1={M.left} x2={W - M.right} y1={M.top + innerH} y2={M.top + innerH} className="axis" />
        {first && (
          <text className="tick" x={x(0)} y={H - 8} textAnchor="middle">
            {when(first.at)}
          </text>
        )}
        {last && points.length > 1 && (
          <text className="tick" x={x(points.length - 1)} y={H - 8} textAnchor="middle">
            {when(last.at)}
          </text>
        )}
      </svg>
      <figcaption className="legend">
        <span>
          <span className="swatch bar-swatch" aria-hidden="true" /> Duration (left axis; colour: outcome)
        </span>
        <span>
          <span className="swatch line-swatch" aria-hidden="true" /> Rows written (right axis)
        </span>
      </figcaption>
    </figure>
  );
}

function RunTable({ runs }: { runs: Run[] }) {
  return (
    <div className="table-scroll">
      <table className="table">
        <caption className="visually-hidden">Runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col">Kind</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Rows written</th>
            <th scope="col">Failed</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>
                <Link className="mono" to={`/runs/${encodeURIComponent(r.id)}`}>
                  {r.id}
                </Link>
              </td>
              <td>
                <span className={`status ${toneOf(r.status)}`}>{RUN_LABEL[r.status]}</span>
                {(r.attempt ?? 1) > 1 && <span className="muted"> · attempt {r.attempt}</span>}
              </td>
              <td>{r.kind}</td>
              <td>{r.started_at ? when(r.started_at) : <span className="muted">Not yet</span>}</td>
              <td>{r.started_at && r.finished_at ? duration(r.started_at, r.finished_at) : ""}</td>
              <td>{number.format(r.counters?.rows_written ?? 0)}</td>
              <td>{number.format((r.counters?.rows_failed ?? 0) + (r.counters?.rows_skipped ?? 0))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
