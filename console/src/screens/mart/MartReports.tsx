// The reports of a data mart, each linking to its page, and a new one.

import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useClient } from "../../app";
import { reportsOf } from "../../api/endpoints";
import { ReportsTable } from "../reports/ReportsTable";
import { QueryState } from "../settings/common";
import type { SectionProps } from "./MartPage";

export function MartReports({ mart }: SectionProps) {
  const c = useClient();
  const reports = useQuery({ queryKey: ["reports", mart.id], queryFn: ({ signal }) => reportsOf(c, mart.id, signal) });
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
        <ReportsTable reports={reports.data} caption={`Reports of ${mart.title}`} />
      )}
    </div>
  );
}
