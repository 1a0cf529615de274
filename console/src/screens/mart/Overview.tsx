// A data mart's definition and what it is: title and description (editable), its
// storage, and where its rows come from (a source's streams and mappings, or a query).

import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useClient } from "../../app";
import { source, updateDataMart, type Definition } from "../../api/endpoints";
import { fieldError, formError } from "../../lib/fields";
import { when } from "../../lib/time";
import { ErrorText } from "../settings/common";
import type { SectionProps } from "./MartPage";

export function Overview({ mart, onSaved }: SectionProps) {
  const c = useClient();
  const ids = { title: useId(), description: useId() };
  const [title, setTitle] = useState(mart.title);
  const [description, setDescription] = useState(mart.description ?? "");
  const save = useMutation({
    mutationFn: () =>
      updateDataMart(c, mart.id, { title, description: description.trim() ? description : null, version: mart.version }),
    onSuccess: onSaved,
  });
  const changed = title !== mart.title || description !== (mart.description ?? "");
  return (
    <div className="overview">
      <form
        className="editor"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <div className="field">
          <label htmlFor={ids.title}>Title</label>
          <input id={ids.title} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
          <ErrorText text={fieldError(save.error, "title")} />
        </div>
        <div className="field">
          <label htmlFor={ids.description}>Description</label>
          <textarea
            id={ids.description}
            className="prose"
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
          <ErrorText text={fieldError(save.error, "description")} />
        </div>
        <ErrorText text={formError(save.error, ["title", "description"])} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={!changed || save.isPending}>
            Save
          </button>
          {save.isSuccess && !changed && <span role="status">Saved.</span>}
        </div>
      </form>
      <dl className="facts">
        <div>
          <dt>Id</dt>
          <dd className="mono">{mart.id}</dd>
        </div>
        <div>
          <dt>Storage</dt>
          <dd className="mono">{mart.storage_id}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{when(mart.created_at)}</dd>
        </div>
        <div>
          <dt>Published</dt>
          <dd>{mart.published_at ? when(mart.published_at) : "Not yet"}</dd>
        </div>
      </dl>
      <h2>Definition</h2>
      {mart.definition ? <DefinitionView definition={mart.definition} /> : <p className="muted">No definition yet.</p>}
    </div>
  );
}

function DefinitionView({ definition }: { definition: Definition }) {
  const c = useClient();
  const sourceId = definition.kind === "connector" ? definition.source_id : null;
  const src = useQuery({
    queryKey: ["source", sourceId],
    queryFn: ({ signal }) => source(c, sourceId ?? "", signal),
    enabled: sourceId !== null,
    staleTime: 60_000,
  });
  switch (definition.kind) {
    case "sql":
    case "view":
      return (
        <>
          <p>
            A <strong>{definition.kind === "sql" ? "SQL query" : "view"}</strong>:
          </p>
          <pre className="code">{definition.query}</pre>
        </>
      );
    case "table":
      return (
        <p>
          The table <code>{definition.table}</code>.
        </p>
      );
    case "table_pattern":
      return (
        <p>
          The tables matching <code>{definition.pattern}</code>.
        </p>
      );
    case "connector": {
      const p = definition.pipeline;
      return (
        <>
          <p>
            From the source <strong>{src.data?.title ?? definition.source_id}</strong>
            {src.data && <span className="muted"> ({src.data.connector})</span>}.
          </p>
          {definition.streams.map((s) => (
            <div key={s.name} className="stream">
              <h3>
                Stream <code>{s.name}</code>
              </h3>
              {s.mapping?.columns?.length ? (
                <div className="table-scroll">
                  <table className="table">
                    <caption className="visually-hidden">Columns of the stream {s.name}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Column</th>
                        <th scope="col">From</th>
                        <th scope="col">Cast</th>
                        <th scope="col">Default</th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.mapping.columns.map((col, i) => (
                        <tr key={i}>
                          <td className="mono">{col.target}</td>
                          <td className="mono">{col.source ?? col.expression ?? ""}</td>
                          <td>{col.cast ?? ""}</td>
                          <td>{col.default === undefined || col.default === null ? "" : JSON.stringify(col.default)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <p className="muted">Every field as it comes.</p>
              )}
            </div>
          ))}
          {p && (
            <dl className="facts">
              <div>
                <dt>Write mode</dt>
                <dd>{p.write_mode}</dd>
              </div>
              <div>
                <dt>Error policy</dt>
                <dd>{p.error_policy}</dd>
              </div>
              <div>
                <dt>Batch size</dt>
                <dd>{p.batch_size}</dd>
              </div>
              <div>
                <dt>Max active runs</dt>
                <dd>{p.max_active_runs}</dd>
              </div>
            </dl>
          )}
        </>
      );
    }
  }
}
