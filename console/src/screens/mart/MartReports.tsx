// The reports of a data mart, each linking to its page, and a new one.

import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useClient } from "../../app";
import { destinations, reportsOf } from "../../api/endpoints";
import { QueryState } from "../settings/common";
import type { SectionProps } from "./MartPage";

export function MartReports({ mart }: SectionProps) {
  const c = useClient();
  const reports = useQuery({ queryKey: ["reports", mart.id], queryFn: ({ signal }) => reportsOf(c, mart.id, signal) });
  const dests = useQuery({ queryKey: ["destinations"], queryFn: ({ signal }) => destinations(c, signal), staleTime: 60_000 });
  return (
    <div>
      <p>
        <Link className="button primary" to={`/reports/new?data_mart_id=${encodeURIComponent(mart.id)}`}>
          New report
        </Link>
      </p>
      <QueryState query={reports} what="reports" />
      {reports.data && reports.data.length === 0 && <p className="empty-note">No reports of this data mart yet.</p>}
      {reports.data && reports.data.length > 0 && (
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Reports of {mart.title}</caption>
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Destination</th>
                <th scope="col">Built from</th>
              </tr>
            </thead>
            <tbody>
              {reports.data.map((r) => {
                const d = dests.data?.find((x) => x.id === r.destination_id);
                return (
                  <tr key={r.id}>
                    <td className="cell-main">
                      <Link to={`/reports/${encodeURIComponent(r.id)}`}>{r.title}</Link>
                    </td>
                    <td>{d ? `${d.title} (${d.kind})` : r.destination_id}</td>
                    <td>{r.query ? "SQL query" : "Output controls"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
