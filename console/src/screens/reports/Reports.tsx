// Every report of the project (/reports): its data mart, destination and how it
// is built, each linking to its page; and a new one.

import "../pages.css";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useClient } from "../../app";
import { allDataMarts, reportsOf } from "../../api/endpoints";
import { QueryState } from "../settings/common";
import { ReportsTable } from "./ReportsTable";

export default function Reports() {
  const c = useClient();
  const reports = useQuery({ queryKey: ["reports", null], queryFn: ({ signal }) => reportsOf(c, null, signal) });
  const marts = useQuery({ queryKey: ["data-marts"], queryFn: ({ signal }) => allDataMarts(c, signal) });
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
        <ReportsTable reports={reports.data} caption="Reports" marts={marts.data ?? []} />
      )}
    </div>
  );
}
