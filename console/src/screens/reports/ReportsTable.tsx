// A table of reports, each linking to its page, with its destination and how it
// is built; and, where the reports are of several data marts, each one's mart.
// The project's reports page and a data mart's reports section both show it.

import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useClient } from "../../app";
import { destinations, type reportsOf } from "../../api/endpoints";

type Report = Awaited<ReturnType<typeof reportsOf>>[number];

export function ReportsTable({
  reports,
  caption,
  marts,
}: {
  reports: readonly Report[];
  caption: string;
  /** The project's data marts, for a column naming each report's; none: no such column. */
  marts?: readonly { id: string; title: string }[];
}) {
  const c = useClient();
  const dests = useQuery({ queryKey: ["destinations"], queryFn: ({ signal }) => destinations(c, signal), staleTime: 60_000 });
  return (
    <div className="table-scroll">
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Report</th>
            {marts && <th scope="col">Data mart</th>}
            <th scope="col">Destination</th>
            <th scope="col">Built from</th>
          </tr>
        </thead>
        <tbody>
          {reports.map((r) => {
            const d = dests.data?.find((x) => x.id === r.destination_id);
            return (
              <tr key={r.id}>
                <td className="cell-main">
                  <Link to={`/reports/${encodeURIComponent(r.id)}`}>{r.title}</Link>
                </td>
                {marts && (
                  <td>
                    <Link to={`/data-marts/${encodeURIComponent(r.data_mart_id)}`}>
                      {marts.find((m) => m.id === r.data_mart_id)?.title ?? r.data_mart_id}
                    </Link>
                  </td>
                )}
                <td>{d ? `${d.title} (${d.kind})` : r.destination_id}</td>
                <td>{r.query ? "SQL query" : "Output controls"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
