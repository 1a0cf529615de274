import { useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useDeferredValue, useLayoutEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { useClient } from "../app";
import { ApiError } from "../api/client";
import { allDataMarts } from "../api/endpoints";
import { JobCard } from "./JobCard";

/** Cards are at least this wide; as many columns as fit. */
const CARD_MIN_WIDTH = 340;
const ROW_HEIGHT = 196;

function useColumns(ref: React.RefObject<HTMLElement | null>): number {
  const [columns, setColumns] = useState(1);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setColumns(Math.max(1, Math.floor(el.clientWidth / CARD_MIN_WIDTH)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return columns;
}

export default function DataMarts() {
  const c = useClient();
  const marts = useQuery({ queryKey: ["data-marts"], queryFn: ({ signal }) => allDataMarts(c, signal) });
  const [filter, setFilter] = useState("");
  const deferred = useDeferredValue(filter.trim().toLowerCase());
  const shown = useMemo(
    () => (marts.data ?? []).filter((m) => !deferred || m.title.toLowerCase().includes(deferred)),
    [marts.data, deferred],
  );
  const scroller = useRef<HTMLDivElement>(null);
  const columns = useColumns(scroller);
  const rows = Math.ceil(shown.length / columns);
  const virtual = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 3,
  });

  return (
    <div className="jobs-page">
      <div className="page-head">
        <h1>Data marts</h1>
        <span className="count" aria-live="polite">
          {marts.data ? `${shown.length} of ${marts.data.length}` : ""}
        </span>
        <span className="spacer" />
        <label className="search">
          <span className="visually-hidden">Filter data marts by title</span>
          <input type="search" placeholder="Filter by title" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <Link className="button primary" to="/data-marts/new">
          New data mart
        </Link>
      </div>
      <div className="jobs-scroll" ref={scroller}>
        {marts.isPending && (
          <p className="loading" role="status">
            Loading data marts…
          </p>
        )}
        {marts.error && (
          <p className="form-error" role="alert">
            {marts.error instanceof ApiError ? marts.error.message : "The server could not be reached."}
          </p>
        )}
        {marts.data && marts.data.length === 0 && (
          <div className="empty">
            <h2>No data marts yet</h2>
            <p>
              Create one through the API (<code>POST /v1/data-marts</code>); the wizard comes to the console next.
            </p>
          </div>
        )}
        {shown.length > 0 && (
          <ul className="job-rows" style={{ height: virtual.getTotalSize() }} aria-label="Data marts">
            {virtual.getVirtualItems().map((row) => (
              <li
                key={row.key}
                className="job-row"
                data-index={row.index}
                ref={virtual.measureElement}
                style={{ transform: `translateY(${row.start}px)`, gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }}
              >
                {shown.slice(row.index * columns, row.index * columns + columns).map((mart) => (
                  <JobCard key={mart.id} mart={mart} />
                ))}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
