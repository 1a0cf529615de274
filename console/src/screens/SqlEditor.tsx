// The SQL editor over a data mart (/data-marts/:id/sql): a plain textarea (Tab
// indents, Shift+Tab outdents, Enter keeps the indentation, Ctrl/⌘+Enter runs;
// Esc then Tab leaves it), the results in a grid a page at a time, and the whole
// result as CSV, made here from the query's pages.

import "./pages.css";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { useClient } from "../app";
import { dataMart, queryMart, type QueryResult } from "../api/endpoints";
import { csvFileName, csvLine } from "../lib/csv";
import { indent, newline, outdent, type Edit } from "../lib/editing";
import { messageOf } from "../lib/fields";
import { QueryState } from "./settings/common";

const PAGE_SIZES = [25, 100, 500];
/** Rows per request while downloading: large pages, yet well under what a Lambda may answer (6 MB). */
const DOWNLOAD_PAGE = 5_000;

interface Shown {
  sql: string;
  pageSize: number;
  /** The `page` token of each page shown so far; the first is `null`. */
  tokens: (string | null)[];
  result: QueryResult;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export default function SqlEditor() {
  const { id = "" } = useParams();
  const c = useClient();
  const mart = useQuery({ queryKey: ["data-mart", id], queryFn: ({ signal }) => dataMart(c, id, signal) });
  const ids = { sql: useId(), hint: useId(), size: useId() };
  const [sql, setSql] = useState("SELECT *\nFROM ${DATA_MART_TABLE}\nLIMIT 1000");
  const [pageSize, setPageSize] = useState(100);
  const [shown, setShown] = useState<Shown | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const leaving = useRef(false);
  const pending = useRef<Edit | null>(null);

  // The caret goes where the last key put it, once React has written the text.
  useEffect(() => {
    const e = pending.current;
    if (e && area.current) {
      area.current.setSelectionRange(e.start, e.end);
      pending.current = null;
    }
  }, [sql]);

  const page = useMutation({
    mutationFn: async (next: { sql: string; pageSize: number; tokens: (string | null)[] }) => {
      const token = next.tokens[next.tokens.length - 1];
      const result = await queryMart(c, id, { sql: next.sql, page_size: next.pageSize, page: token });
      return { ...next, result };
    },
    onSuccess: setShown,
  });

  const [download, setDownload] = useState<{ rows: number; error: string | null; done: boolean } | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  function run() {
    page.mutate({ sql, pageSize, tokens: [null] });
  }

  function onKeyDown(e: React.KeyboardEvent<HTMLTextAreaElement>) {
    const t = e.currentTarget;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
      return;
    }
    if (e.key === "Escape") {
      leaving.current = true;
      return;
    }
    let edit: Edit | null = null;
    if (e.key === "Tab" && !leaving.current && !e.altKey && !e.ctrlKey && !e.metaKey) {
      edit = e.shiftKey ? outdent(t.value, t.selectionStart, t.selectionEnd) : indent(t.value, t.selectionStart, t.selectionEnd);
    } else if (e.key === "Enter" && !e.shiftKey) {
      edit = newline(t.value, t.selectionStart, t.selectionEnd);
    }
    leaving.current = false;
    if (edit) {
      e.preventDefault();
      pending.current = edit;
      setSql(edit.value);
    }
  }

  async function downloadCsv() {
    if (!shown) return;
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setDownload({ rows: 0, error: null, done: false });
    const parts: string[] = [];
    let rows = 0;
    try {
      let token: string | null = null;
      let header = false;
      do {
        const r: QueryResult = await queryMart(
          c,
          id,
          { sql: shown.sql, page_size: DOWNLOAD_PAGE, page: token },
          controller.signal,
        );
        if (!header) {
          parts.push(csvLine(r.columns.map((col) => col.name)));
          header = true;
        }
        for (const row of r.rows) parts.push(csvLine(row));
        rows += r.rows.length;
        setDownload({ rows, error: null, done: false });
        token = r.next_page ?? null;
      } while (token);
      const url = URL.createObjectURL(new Blob(parts, { type: "text/csv;charset=utf-8" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = csvFileName(mart.data?.title ?? "query", new Date());
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDownload({ rows, error: null, done: true });
    } catch (e) {
      if (controller.signal.aborted) setDownload(null);
      else setDownload({ rows, error: messageOf(e), done: false });
    }
  }

  const result = shown?.result;
  const pageNo = shown ? shown.tokens.length : 0;
  const first = shown ? (pageNo - 1) * shown.pageSize + 1 : 0;
  return (
    <div className="page sql-page">
      <p className="crumbs">
        <Link to="/data-marts">Data marts</Link> /{" "}
        <Link to={`/data-marts/${encodeURIComponent(id)}`}>{mart.data?.title ?? id}</Link>
      </p>
      <h1>SQL editor</h1>
      <QueryState query={mart} what="the data mart" />
      <form
        className="sql-form"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <div className="field">
          <label htmlFor={ids.sql}>Query</label>
          <textarea
            id={ids.sql}
            ref={area}
            className="sql-input"
            rows={8}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            value={sql}
            onChange={(e) => setSql(e.target.value)}
            onKeyDown={onKeyDown}
            aria-describedby={ids.hint}
          />
          <p className="hint" id={ids.hint}>
            Read-only SQL; <code>{"${DATA_MART_TABLE}"}</code> names this data mart, other marts by their table name.
            Ctrl+Enter (⌘+Enter) runs; Tab indents; Esc then Tab leaves the editor.
          </p>
        </div>
        <div className="actions">
          <button type="submit" className="button primary" disabled={page.isPending || !sql.trim()}>
            Run query
          </button>
          <label htmlFor={ids.size}>Rows per page</label>
          <select
            id={ids.size}
            className="narrow"
            value={pageSize}
            onChange={(e) => setPageSize(Number(e.target.value))}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          {page.isPending && <span role="status">Running…</span>}
        </div>
      </form>
      {page.error && (
        <p className="form-error" role="alert">
          {messageOf(page.error)}
        </p>
      )}
      {shown && result && (
        <section className="results" aria-label="Results">
          <div className="results-bar">
            <p role="status" className="hint">
              {result.rows.length === 0
                ? pageNo === 1
                  ? "No rows."
                  : "No more rows."
                : `Rows ${first}–${first + result.rows.length - 1}${result.next_page ? "" : ` of ${first + result.rows.length - 1}`} · page ${pageNo}`}
            </p>
            <span className="spacer" />
            <button
              type="button"
              className="button"
              disabled={pageNo <= 1 || page.isPending}
              onClick={() => page.mutate({ ...shown, tokens: shown.tokens.slice(0, -1) })}
            >
              Previous page
            </button>
            <button
              type="button"
              className="button"
              disabled={!result.next_page || page.isPending}
              onClick={() => page.mutate({ ...shown, tokens: [...shown.tokens, result.next_page ?? null] })}
            >
              Next page
            </button>
            <button
              type="button"
              className="button"
              disabled={download !== null && !download.done && !download.error}
              onClick={downloadCsv}
            >
              Download CSV
            </button>
            {download && !download.done && !download.error && (
              <button type="button" className="button" onClick={() => abort.current?.abort()}>
                Stop download
              </button>
            )}
          </div>
          {download && (
            <p className={download.error ? "form-error" : "hint"} role={download.error ? "alert" : "status"}>
              {download.error
                ? `The download stopped after ${download.rows} rows: ${download.error}`
                : download.done
                  ? `Downloaded ${download.rows} rows as CSV.`
                  : `Reading rows for the CSV… ${download.rows}`}
            </p>
          )}
          <div className="grid-scroll" tabIndex={0} role="region" aria-label="Result rows">
            <table className="table grid">
              <caption className="visually-hidden">Rows of the query, page {pageNo}</caption>
              <thead>
                <tr>
                  <th scope="col" className="row-no">
                    #
                  </th>
                  {result.columns.map((col) => (
                    <th key={col.name} scope="col" title={col.type}>
                      {col.name}
                      <span className="col-type">{col.type}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {result.rows.map((row, i) => (
                  <tr key={i}>
                    <td className="row-no">{first + i}</td>
                    {row.map((v, j) => (
                      <td key={j} className={v === null ? "null" : typeof v === "number" ? "num" : undefined}>
                        {v === null ? "null" : cellText(v)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
