// A data mart's page (/data-marts/:id/:section): its definition, its schema with
// editable aliases and descriptions, its runs as a chart, its triggers, backfills,
// reports and lineage, a section per address; the SQL editor is a page of its own.

import "../pages.css";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, NavLink, useParams } from "react-router";
import { useClient } from "../../app";
import { dataMart, publishDataMart, startRun, type DataMart } from "../../api/endpoints";
import { messageOf } from "../../lib/fields";
import { QueryState } from "../settings/common";
import { Backfills } from "./Backfills";
import { LineageGraph } from "./LineageGraph";
import { MartReports } from "./MartReports";
import { Overview } from "./Overview";
import { Runs } from "./Runs";
import { SchemaEditor } from "./SchemaEditor";
import { Triggers } from "./Triggers";

const SECTIONS = [
  { path: "overview", label: "Overview", Screen: Overview },
  { path: "schema", label: "Schema", Screen: SchemaEditor },
  { path: "runs", label: "Runs", Screen: Runs },
  { path: "triggers", label: "Triggers", Screen: Triggers },
  { path: "backfills", label: "Backfills", Screen: Backfills },
  { path: "reports", label: "Reports", Screen: MartReports },
  { path: "lineage", label: "Lineage", Screen: LineageGraph },
] as const;

export function martKey(id: string) {
  return ["data-mart", id];
}

export function useMart(id: string) {
  const c = useClient();
  return useQuery({ queryKey: martKey(id), queryFn: ({ signal }) => dataMart(c, id, signal) });
}

export default function MartPage() {
  const { id = "", section = "overview" } = useParams();
  const c = useClient();
  const qc = useQueryClient();
  const mart = useMart(id);
  const setMart = (m: DataMart) => {
    qc.setQueryData(martKey(id), m);
    qc.invalidateQueries({ queryKey: ["data-marts"] });
  };
  const run = useMutation({
    mutationFn: () => startRun(c, id),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["runs", id] }),
  });
  const publish = useMutation({ mutationFn: () => publishDataMart(c, id), onSuccess: setMart });
  const current = SECTIONS.find((s) => s.path === section);
  const m = mart.data;
  return (
    <div className="page mart-page">
      <p className="crumbs">
        <Link to="/data-marts">Data marts</Link>
      </p>
      <QueryState query={mart} what="the data mart" />
      {m && (
        <>
          <header className="mart-head">
            <h1>{m.title}</h1>
            <span className={`badge ${m.status}`}>{m.status === "published" ? "Published" : "Draft"}</span>
            <span className="spacer" />
            <Link className="button" to={`/data-marts/${encodeURIComponent(id)}/sql`}>
              SQL editor
            </Link>
            {m.status === "draft" ? (
              <button
                type="button"
                className="button primary"
                disabled={publish.isPending || !m.definition}
                title={m.definition ? undefined : "Set a definition first"}
                onClick={() => publish.mutate()}
              >
                Publish
              </button>
            ) : (
              <button type="button" className="button primary" disabled={run.isPending} onClick={() => run.mutate()}>
                Run now
              </button>
            )}
          </header>
          {(run.error || publish.error) && (
            <p className="form-error" role="alert">
              {messageOf(run.error ?? publish.error)}
            </p>
          )}
          {run.data && (
            <p className="hint" role="status">
              Run started: <Link to={`/runs/${encodeURIComponent(run.data.id)}`}>{run.data.id}</Link>
            </p>
          )}
          <nav className="tabs" aria-label="Data mart">
            <ul>
              {SECTIONS.map((s) => (
                <li key={s.path}>
                  <NavLink
                    to={`/data-marts/${encodeURIComponent(id)}/${s.path}`}
                    className={({ isActive }) => (isActive || (s.path === "overview" && !section) ? "active" : "")}
                    aria-current={s.path === section ? "page" : undefined}
                  >
                    {s.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <section className="mart-section" aria-label={current?.label ?? "Section"}>
            {current ? <current.Screen mart={m} onSaved={setMart} /> : <p>No such section.</p>}
          </section>
        </>
      )}
    </div>
  );
}

export interface SectionProps {
  mart: DataMart;
  onSaved: (m: DataMart) => void;
}
