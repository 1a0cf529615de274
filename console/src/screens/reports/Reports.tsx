// Every report of the project (/reports): its data mart, destination and how it
// is built, each linking to its page; and a new one.

import "../pages.css";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useClient } from "../../app";
import { allDataMarts, destinations, reportsOf } from "../../api/endpoints";
import { QueryState } from "../settings/common";

export default function Reports() {
  const c = useClient();
  const reports = useQuery({ queryKey: ["reports", null], queryFn: ({ signal }) => reportsOf(c, null, signal) });
  const marts = useQuery({ queryKey: ["data-marts"], queryFn: ({ signal }) => allDataMarts(c, signal) });
  const dests = useQuery({ queryKey: ["destinations"], queryFn: ({ signal }) => destinations(c, signal), staleTime: 60_000 });
  return (
    <div className="page">
      <header className="mart-head">
        <h1>Reports</h1>
        <span className="spacer" />
        <Link className="button primary" to="/reports/new">
          New report
        </Link>
      </header>
      <QueryState query={reports} what="reports" />
      {reports.data && reports.data.length === 0 && (
        <div className="empty">
          <h2>No reports yet</h2>
          <p>A report delivers a data mart's rows to a destination, on demand or on a schedule.</p>
        </div>
      )}
      {reports.data && reports.data.length > 0 && (
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Reports</caption>
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Data mart</th>
                <th scope="col">Destination</th>
                <th scope="col">Built from</th>
              </tr>
            </thead>
            <tbody>
              {reports.data.map((r) => {
                const m = marts.data?.find((x) => x.id === r.data_mart_id);
                const d = dests.data?.find((x) => x.id === r.destination_id);
                return (
                  <tr key={r.id}>
                    <td className="cell-main">
                      <Link to={`/reports/${encodeURIComponent(r.id)}`}>{r.title}</Link>
                    </td>
                    <td>
                      <Link to={`/data-marts/${encodeURIComponent(r.data_mart_id)}`}>{m?.title ?? r.data_mart_id}</Link>
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
