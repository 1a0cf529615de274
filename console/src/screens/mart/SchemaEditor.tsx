// The schema of a data mart's table: each field's name, type and status (how it
// compares with what the last run landed), with an alias and a description people
// edit; saved together, only the fields changed.

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useClient } from "../../app";
import { ApiError } from "../../api/client";
import { updateDataMart, type FieldStatus, type SchemaField } from "../../api/endpoints";
import { messageOf } from "../../lib/fields";
import type { SectionProps } from "./MartPage";

const STATUS: Record<FieldStatus, { label: string; tone: string; hint: string }> = {
  connected: { label: "Connected", tone: "ok", hint: "In the table, as before." },
  new: { label: "New", tone: "busy", hint: "Appeared with the last run." },
  missing: { label: "Missing", tone: "bad", hint: "No longer in the table." },
  type_changed: { label: "Type changed", tone: "bad", hint: "Its type changed with the last run." },
};

interface Notes {
  alias: string;
  description: string;
}

function notesOf(f: SchemaField): Notes {
  return { alias: f.alias ?? "", description: f.description ?? "" };
}

export function SchemaEditor({ mart, onSaved }: SectionProps) {
  const c = useClient();
  const schema = mart.schema ?? [];
  const [edits, setEdits] = useState<Record<string, Notes>>({});
  const changed = schema.filter((f) => {
    const e = edits[f.name];
    return e && (e.alias !== (f.alias ?? "") || e.description !== (f.description ?? ""));
  });
  const save = useMutation({
    mutationFn: () =>
      updateDataMart(c, mart.id, {
        version: mart.version,
        fields: changed.map((f) => {
          const e = edits[f.name] ?? notesOf(f);
          return { name: f.name, alias: e.alias.trim() || null, description: e.description.trim() || null };
        }),
      }),
    onSuccess: (m) => {
      setEdits({});
      onSaved(m);
    },
  });
  // The API names `fields[i].alias`: i counts the fields sent, in order.
  const errorAt = (name: string, part: "alias" | "description"): string | null => {
    const e = save.error;
    if (!(e instanceof ApiError) || !e.field) return null;
    const i = changed.findIndex((f) => f.name === name);
    return e.field === `fields[${i}].${part}` || (part === "alias" && e.field === `fields[${i}].name`) ? e.message : null;
  };
  const named = save.error instanceof ApiError && /^fields\[\d+\]/.test(save.error.field ?? "");
  const set = (f: SchemaField, part: keyof Notes, value: string) =>
    setEdits((old) => ({ ...old, [f.name]: { ...(old[f.name] ?? notesOf(f)), [part]: value } }));

  if (schema.length === 0) {
    return <p className="empty-note">No schema yet: it is filled in by the first run that lands rows.</p>;
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <p className="hint">
        Aliases are the names people read a field by (unique in the schema); both survive later runs.
      </p>
      <div className="table-scroll">
        <table className="table schema-table">
          <caption className="visually-hidden">Fields of {mart.title}</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Alias</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {schema.map((f) => {
              const notes = edits[f.name] ?? notesOf(f);
              const s = STATUS[f.status ?? "connected"];
              const aliasError = errorAt(f.name, "alias");
              const descriptionError = errorAt(f.name, "description");
              return (
                <tr key={f.name}>
                  <th scope="row" className="mono cell-main">
                    {f.name}
                  </th>
                  <td className="mono">
                    {f.type}
                    {f.previous_type && <span className="muted"> (was {f.previous_type})</span>}
                  </td>
                  <td>
                    <span className={`status ${s.tone}`} title={s.hint}>
                      {s.label}
                    </span>
                  </td>
                  <td>
                    <input
                      aria-label={`Alias of ${f.name}`}
                      value={notes.alias}
                      maxLength={128}
                      aria-invalid={aliasError ? true : undefined}
                      onChange={(e) => set(f, "alias", e.target.value)}
                    />
                    {aliasError && (
                      <p className="field-error" role="alert">
                        {aliasError}
                      </p>
                    )}
                  </td>
                  <td>
                    <input
                      aria-label={`Description of ${f.name}`}
                      value={notes.description}
                      maxLength={2000}
                      aria-invalid={descriptionError ? true : undefined}
                      onChange={(e) => set(f, "description", e.target.value)}
                    />
                    {descriptionError && (
                      <p className="field-error" role="alert">
                        {descriptionError}
                      </p>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {save.error && !named ? (
        <p className="form-error" role="alert">
          {messageOf(save.error)}
        </p>
      ) : null}
      <div className="actions sticky-actions">
        <button type="submit" className="button primary" disabled={changed.length === 0 || save.isPending}>
          Save {changed.length > 0 ? `${changed.length} field${changed.length === 1 ? "" : "s"}` : "fields"}
        </button>
        <button type="button" className="button" disabled={changed.length === 0} onClick={() => setEdits({})}>
          Discard
        </button>
        {save.isSuccess && changed.length === 0 && <span role="status">Saved.</span>}
      </div>
    </form>
  );
}
