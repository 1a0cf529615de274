// `/runs/:id`: one run's monitor, loaded on demand.

import { Link, useParams } from "react-router";
import { RunMonitor } from "./RunMonitor";

export default function RunPage() {
  const { id = "" } = useParams();
  return (
    <div className="page">
      <div className="page-head">
        <h1>Run monitor</h1>
        <Link className="link" to="/data-marts">
          Back to the data marts
        </Link>
      </div>
      <RunMonitor runId={id} />
    </div>
  );
}
