// The lineage graph of a data mart as inline SVG: its source, the marts it runs
// after and those that run after it, its reports and their destinations, in layers
// left to right. Marts and reports are links (reachable with Tab); a list below
// says the same in words.

import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { useClient } from "../../app";
import { allDataMarts, destinations, lineage, reportsOf, source } from "../../api/endpoints";
import { layout, lineageGraph, NODE_HEIGHT, NODE_WIDTH, type NodeKind } from "../../lib/lineage";
import { QueryState } from "../settings/common";
import type { SectionProps } from "./MartPage";

const KIND_LABEL: Record<NodeKind, string> = {
  source: "Source",
  mart: "Data mart",
  current: "This data mart",
  report: "Report",
  destination: "Destination",
};

function clip(text: string, max = 22): string {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

export function LineageGraph({ mart }: SectionProps) {
  const c = useClient();
  const navigate = useNavigate();
  const sourceId = mart.definition?.kind === "connector" ? mart.definition.source_id : null;
  const links = useQuery({ queryKey: ["lineage", mart.id], queryFn: ({ signal }) => lineage(c, mart.id, signal) });
  const marts = useQuery({ queryKey: ["data-marts"], queryFn: ({ signal }) => allDataMarts(c, signal) });
  const src = useQuery({
    queryKey: ["source", sourceId],
    queryFn: ({ signal }) => source(c, sourceId ?? "", signal),
    enabled: sourceId !== null,
    staleTime: 60_000,
  });
  const reports = useQuery({ queryKey: ["reports", mart.id], queryFn: ({ signal }) => reportsOf(c, mart.id, signal) });
  const dests = useQuery({ queryKey: ["destinations"], queryFn: ({ signal }) => destinations(c, signal), staleTime: 60_000 });
  if (!links.data || !reports.data) {
    return (
      <>
        <QueryState query={links} what="the lineage" />
        <QueryState query={reports} what="the reports" />
      </>
    );
  }
  const graph = lineageGraph({
    mart: { id: mart.id, title: mart.title, sourceId },
    sourceTitle: src.data?.title ?? null,
    upstream: links.data.upstream,
    downstream: links.data.downstream,
    dependencies: links.data.edges,
    martTitles: new Map((marts.data ?? []).map((m) => [m.id, m.title])),
    reports: reports.data,
    destinationTitles: new Map((dests.data ?? []).map((d) => [d.id, d.title])),
  });
  const l = layout(graph);
  return (
    <figure className="lineage">
      <div className="lineage-scroll">
        <svg
          width={l.width}
          height={l.height}
          viewBox={`0 0 ${l.width} ${l.height}`}
          role="group"
          aria-label={`Lineage of ${mart.title}`}
        >
          <defs>
            <marker id="lineage-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
              <path d="M0,0 L8,4 L0,8 z" className="arrow" />
            </marker>
          </defs>
          {l.edges.map((e) => (
            <path key={`${e.from}>${e.to}`} d={e.path} className="edge" markerEnd="url(#lineage-arrow)" aria-hidden="true" />
          ))}
          {l.nodes.map((n) => {
            const box = (
              <>
                <rect x={n.x} y={n.y} width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} className={`node ${n.kind}`} />
                <text x={n.x + 10} y={n.y + 16} className="node-kind" aria-hidden="true">
                  {KIND_LABEL[n.kind]}
                </text>
                <text x={n.x + 10} y={n.y + 33} className="node-label" aria-hidden="true">
                  {clip(n.label)}
                </text>
                <title>{`${KIND_LABEL[n.kind]}: ${n.label}`}</title>
              </>
            );
            return n.href ? (
              <a
                key={n.id}
                href={n.href}
                className="node-link"
                aria-label={`${KIND_LABEL[n.kind]}: ${n.label}`}
                data-node={n.id}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(n.href ?? "/");
                }}
              >
                {box}
              </a>
            ) : (
              <g key={n.id} role="img" aria-label={`${KIND_LABEL[n.kind]}: ${n.label}`} data-node={n.id}>
                {box}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption>
        <h3 className="visually-hidden">In words</h3>
        <ul className="lineage-words">
          {graph.edges.map((e) => {
            const a = graph.nodes.find((n) => n.id === e.from);
            const b = graph.nodes.find((n) => n.id === e.to);
            if (!a || !b) return null;
            const name = (n: typeof a) =>
              n.href ? (
                <Link to={n.href}>
                  {n.label}
                </Link>
              ) : (
                <strong>{n.label}</strong>
              );
            return (
              <li key={`${e.from}>${e.to}`}>
                {KIND_LABEL[a.kind]} {name(a)} → {KIND_LABEL[b.kind].toLowerCase()} {name(b)}
              </li>
            );
          })}
          {graph.edges.length === 0 && <li>Nothing feeds this data mart or reads from it yet.</li>}
        </ul>
      </figcaption>
    </figure>
  );
}
