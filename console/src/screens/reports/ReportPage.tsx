// A report's page (/reports/:id): what it delivers where, run now, its run history
// (status, rows, bytes, duration, what was delivered, the file of an export to
// download, cancel and retry), and the builder to edit it.

import "../pages.css";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useClient } from "../../app";
import {
  cancelReportRun,
  dataMart,
  deleteReport,
  destinations,
  downloadReportRun,
  report as getReport,
  reportRuns,
  retryReportRun,
  startReportRun,
  type ReportRun,
  type ReportRunStatus,
} from "../../api/endpoints";
import { messageOf } from "../../lib/fields";
import { builderOf } from "../../lib/report";
import { when } from "../../lib/time";
import { QueryState } from "../settings/common";
import { ReportBuilder } from "./ReportBuilder";

const STATUS: Record<ReportRunStatus, { label: string; tone: string }> = {
  queued: { label: "Queued", tone: "busy" },
  running: { label: "Running", tone: "busy" },
  succeeded: { label: "Succeeded", tone: "ok" },
  failed: { label: "Failed", tone: "bad" },
  cancelled: { label: "Cancelled", tone: "idle" },
};

const number = new Intl.NumberFormat();

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function ms(n: number | null | undefined): string {
  if (n === null || n === undefined) return "";
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;
}

export default function ReportPage() {
  const { id = "" } = useParams();
  const c = useClient();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const report = useQuery({ queryKey: ["report", id], queryFn: ({ signal }) => getReport(c, id, signal) });
  const martId = report.data?.data_mart_id ?? "";
  const mart = useQuery({
    queryKey: ["data-mart", martId],
    queryFn: ({ signal }) => dataMart(c, martId, signal),
    enabled: martId !== "",
  });
  const dests = useQuery({ queryKey: ["destinations"], queryFn: ({ signal }) => destinations(c, signal), staleTime: 60_000 });
  const runsKey = ["report-runs", id];
  const runs = useQuery({
    queryKey: runsKey,
    queryFn: ({ signal }) => reportRuns(c, id, 50, signal),
    refetchInterval: (q) => (q.state.data?.some((r) => r.status === "queued" || r.status === "running") ? 1500 : 30_000),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: runsKey });
  const run = useMutation({ mutationFn: () => startReportRun(c, id), onSuccess: refresh });
  const cancel = useMutation({ mutationFn: (r: ReportRun) => cancelReportRun(c, r.id), onSuccess: refresh });
  const retry = useMutation({ mutationFn: (r: ReportRun) => retryReportRun(c, r.id), onSuccess: refresh });
  const remove = useMutation({
    mutationFn: () => deleteReport(c, id),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ["reports"] });
      navigate("/reports");
    },
  });
  const download = useMutation({
    mutationFn: async (r: ReportRun) => {
      const file = await downloadReportRun(c, r.id);
      const url = URL.createObjectURL(file.blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = file.fileName ?? r.delivered?.target.split("/").pop() ?? `${r.id}`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  const failure = run.error ?? cancel.error ?? retry.error ?? remove.error ?? download.error;
  const r = report.data;
  const dest = dests.data?.find((d) => d.id === r?.destination_id);
  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/reports">Reports</Link>
      </p>
      <QueryState query={report} what="the report" />
      {r && (
        <>
          <header className="mart-head">
            <h1>{r.title}</h1>
            <span className="spacer" />
            <button type="button" className="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
              {editing ? "Close the editor" : "Edit"}
            </button>
            <button
              type="button"
              className="button danger"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(`Delete the report “${r.title}”?`)) remove.mutate();
              }}
            >
              Delete
            </button>
            <button type="button" className="button primary" disabled={run.isPending} onClick={() => run.mutate()}>
              Run now
            </button>
          </header>
          <dl className="facts">
            <div>
              <dt>Data mart</dt>
              <dd>
                <Link to={`/data-marts/${encodeURIComponent(r.data_mart_id)}`}>{mart.data?.title ?? r.data_mart_id}</Link>
              </dd>
            </div>
            <div>
              <dt>Destination</dt>
              <dd>{dest ? `${dest.title} (${dest.kind})` : r.destination_id}</dd>
            </div>
            <div>
              <dt>Built from</dt>
              <dd>{r.query ? "A SQL query" : "Output controls"}</dd>
            </div>
            <div>
              <dt>Cached for</dt>
              <dd>{r.cache_ttl_seconds} s</dd>
            </div>
          </dl>
          {failure && (
            <p className="form-error" role="alert">
              {messageOf(failure)}
            </p>
          )}
          {editing && mart.data && (
            <ReportBuilder
              key={r.version}
              initial={builderOf(r, mart.data.schema ?? [])}
              report={r}
              onSaved={() => setEditing(false)}
              onCancel={() => setEditing(false)}
            />
          )}
          <h2>Run history</h2>
          <QueryState query={runs} what="runs" />
          {runs.data && runs.data.length === 0 && <p className="empty-note">Not run yet.</p>}
          {runs.data && runs.data.length > 0 && (
            <div className="table-scroll">
              <table className="table" data-testid="report-runs">
                <caption className="visually-hidden">Runs of {r.title}, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Started</th>
                    <th scope="col">Status</th>
                    <th scope="col">Rows</th>
                    <th scope="col">Size</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Delivered</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {runs.data.map((x) => (
                    <tr key={x.id}>
                      <td>{when(x.started_at ?? x.created_at)}</td>
                      <td>
                        <span className={`status ${STATUS[x.status].tone}`}>{STATUS[x.status].label}</span>
                        {x.attempt > 1 && <span className="muted"> · attempt {x.attempt}</span>}
                        {x.error && <p className="job-error wrap">{x.error}</p>}
                      </td>
                      <td>{number.format(x.rows)}</td>
                      <td>{bytes(x.bytes)}</td>
                      <td>{ms(x.duration_ms)}</td>
                      <td className="mono">{x.delivered?.target ?? ""}</td>
                      <td className="cell-actions">
                        <div className="actions">
                          {x.status === "succeeded" && x.destination_kind === "object_export" && (
                            <button
                              type="button"
                              className="button"
                              disabled={download.isPending}
                              onClick={() => download.mutate(x)}
                            >
                              Download
                            </button>
                          )}
                          {(x.status === "queued" || x.status === "running") && (
                            <button type="button" className="button" disabled={cancel.isPending} onClick={() => cancel.mutate(x)}>
                              Cancel
                            </button>
                          )}
                          {(x.status === "failed" || x.status === "cancelled") && (
                            <button type="button" className="button" disabled={retry.isPending} onClick={() => retry.mutate(x)}>
                              Retry
                            </button>
                          )}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </div>
  );
}
