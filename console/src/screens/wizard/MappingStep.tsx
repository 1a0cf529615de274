// Step 2: the column mapping of one stream. Click a source field, then a target
// column, to connect them; suggestions fill the columns that read nothing; the
// transform editor sets the chosen column's cast, expression, default, string ops,
// value map and exclusion.

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useClient } from "../../app";
import { suggestMapping, valueMaps, type ColumnMapping, type DiscoveredStream, type Mapping, type StringOp } from "../../api/sources";
import { messageOf } from "../../lib/fields";
import * as m from "../../lib/mapping";
import { Field } from "../forms";

export function MappingStep({
  sourceId,
  stream,
  mapping,
  onChange,
  error,
}: {
  sourceId: string;
  stream: DiscoveredStream | undefined;
  mapping: Mapping;
  onChange: (m: Mapping) => void;
  /** The API's refusal of this mapping, with the column it names if any. */
  error: { column: string | null; message: string } | null;
}) {
  const c = useClient();
  const [picked, setPicked] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(mapping.columns?.[0]?.target ?? null);
  const [newTarget, setNewTarget] = useState("");
  const fields = stream?.fields ?? [];
  const names = fields.map((f) => f.name);
  const free = m.unmapped(mapping, names);
  const columns = mapping.columns ?? [];
  const column = columns.find((x) => x.target === selected) ?? null;

  const suggest = useMutation({
    mutationFn: () =>
      suggestMapping(c, sourceId, {
        stream: stream?.name ?? "",
        columns: columns.map((x) => ({ name: x.target, cast: x.cast ?? "string" })),
      }),
    onSuccess: (s) => onChange(m.applySuggestions(mapping, s.columns)),
  });

  function clickTarget(target: string) {
    if (picked) {
      onChange(m.connect(mapping, picked, target));
      setPicked(null);
    }
    setSelected(target);
  }

  return (
    <div className="mapping">
      <p className="hint">
        Click a source field, then the target column it fills. A field not used yet can become a new column. Columns read from{" "}
        <strong>{stream?.name}</strong>.
      </p>
      <div className="mapping-grid">
        <section aria-labelledby="source-fields">
          <h3 id="source-fields">Source fields</h3>
          <ul className="pick-list">
            {fields.map((f) => (
              <li key={f.name}>
                <button
                  type="button"
                  className={picked === f.name ? "pick picked" : free.includes(f.name) ? "pick" : "pick used"}
                  aria-pressed={picked === f.name}
                  onClick={() => setPicked(picked === f.name ? null : f.name)}
                >
                  <span className="mono">{f.name}</span> <span className="muted">{f.source_type}</span>
                </button>
              </li>
            ))}
          </ul>
          {picked && (
            <button
              type="button"
              className="button"
              onClick={() => {
                const next = m.addFromSource(mapping, picked, fields.find((f) => f.name === picked)?.cast);
                onChange(next);
                setSelected(next.columns?.[next.columns.length - 1]?.target ?? null);
                setPicked(null);
              }}
            >
              Add {picked} as a new column
            </button>
          )}
        </section>
        <section aria-labelledby="target-columns">
          <h3 id="target-columns">Target columns</h3>
          <ul className="pick-list">
            {columns.map((col) => (
              <li key={col.target}>
                <button
                  type="button"
                  className={selected === col.target ? "pick picked" : m.isComplete(col) ? "pick" : "pick empty-target"}
                  aria-current={selected === col.target ? "true" : undefined}
                  aria-label={`Target ${col.target}${picked ? `: connect ${picked} to it` : ""}`}
                  onClick={() => clickTarget(col.target)}
                >
                  <span className="mono">{col.target}</span>{" "}
                  <span className="muted">
                    {col.exclude ? "excluded" : col.expression ? "= expression" : col.source ? `← ${col.source}` : "reads nothing"}
                    {col.cast ? ` · ${col.cast}` : ""}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              const name = m.snake(newTarget);
              if (!name) return;
              onChange(m.addTarget(mapping, name));
              setSelected(name);
              setNewTarget("");
            }}
          >
            <label className="visually-hidden" htmlFor="new-target">
              New target column
            </label>
            <input id="new-target" placeholder="New column name" value={newTarget} onChange={(e) => setNewTarget(e.target.value)} />
            <button type="submit" className="button">
              Add column
            </button>
          </form>
          <div className="actions">
            <button type="button" className="button" onClick={() => suggest.mutate()} disabled={suggest.isPending || columns.length === 0}>
              Suggest sources
            </button>
            {suggest.data && (
              <span role="status" className="hint">
                {suggest.data.columns.filter((s) => s.source).length} matched; {suggest.data.unmatched_sources.length} fields unused.
              </span>
            )}
            {suggest.error && (
              <p className="field-error" role="alert">
                {messageOf(suggest.error)}
              </p>
            )}
          </div>
        </section>
        <section aria-labelledby="transform" className="transform">
          <h3 id="transform">Transform {column && <span className="mono">{column.target}</span>}</h3>
          {column ? (
            <ColumnEditor
              key={column.target}
              column={column}
              fields={names}
              error={error && error.column === column.target ? error.message : null}
              onChange={(patch) => {
                onChange(m.update(mapping, column.target, patch));
                if (patch.target) setSelected(patch.target);
              }}
              onRemove={() => {
                onChange(m.remove(mapping, column.target));
                setSelected(null);
              }}
              onMove={(by) => onChange(m.move(mapping, column.target, by))}
            />
          ) : (
            <p className="hint">Choose a target column to edit its transforms.</p>
          )}
        </section>
      </div>
      {free.length > 0 && <p className="hint">Not read: {free.join(", ")}.</p>}
    </div>
  );
}

const OPS: StringOp["op"][] = ["trim", "lower", "upper", "substring", "replace", "concat", "map"];

function ColumnEditor({
  column,
  fields,
  error,
  onChange,
  onRemove,
  onMove,
}: {
  column: ColumnMapping;
  fields: string[];
  error: string | null;
  onChange: (patch: Partial<ColumnMapping>) => void;
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
}) {
  const c = useClient();
  const maps = useQuery({ queryKey: ["value-maps"], queryFn: ({ signal }) => valueMaps(c, signal) });
  const [name, setName] = useState(column.target);
  const [defaultText, setDefaultText] = useState(m.defaultText(column.default));
  const [op, setOp] = useState<StringOp["op"]>("trim");
  const [a, setA] = useState("");
  const [b, setB] = useState("");
  const ops = column.ops ?? [];

  function addOp() {
    let next: StringOp | null = null;
    if (op === "trim" || op === "lower" || op === "upper") next = { op };
    else if (op === "substring") next = { op, start: Number(a) || 0, length: b.trim() === "" ? null : Number(b) };
    else if (op === "replace") next = { op, from: a, to: b };
    else if (op === "concat") next = { op, with: a.split(",").map((x) => x.trim()).filter(Boolean), separator: b };
    else if (op === "map" && a) next = { op, map: a, default: b === "" ? null : b };
    if (next) onChange({ ops: [...ops, next] });
    setA("");
    setB("");
  }

  const labels: Record<string, [string, string] | null> = {
    substring: ["Start (from 0)", "Length (optional)"],
    replace: ["Replace", "With"],
    concat: ["Fields, comma-separated", "Separator"],
    map: ["Value map", "Default when no key matches (optional)"],
  };

  return (
    <div className="column-editor">
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <Field label="Column name">
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => name.trim() && name.trim() !== column.target && onChange({ target: name.trim() })}
        />
      </Field>
      <Field label="Source field">
        <select value={column.source ?? ""} onChange={(e) => onChange({ source: e.target.value || null })}>
          <option value="">None (expression or default)</option>
          {fields.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Cast" hint="The type the column lands as.">
        <select value={column.cast ?? ""} onChange={(e) => onChange({ cast: e.target.value || null })}>
          <option value="">As read</option>
          {m.CASTS.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
          {column.cast && !(m.CASTS as readonly string[]).includes(column.cast) && <option value={column.cast}>{column.cast}</option>}
        </select>
      </Field>
      <Field label="Expression (optional)" hint="SQL over the row's source columns, instead of a field: qty * price.">
        <textarea rows={2} value={column.expression ?? ""} onChange={(e) => onChange({ expression: e.target.value || null })} />
      </Field>
      <Field label="Default (optional)" hint="Used when the value is null.">
        <input
          value={defaultText}
          onChange={(e) => setDefaultText(e.target.value)}
          onBlur={() => onChange({ default: m.parseDefault(defaultText, column.cast) })}
        />
      </Field>
      <fieldset>
        <legend>String operations, in order</legend>
        {ops.length > 0 && (
          <ol className="ops">
            {ops.map((o, i) => (
              <li key={i}>
                {m.opText(o)}{" "}
                <button type="button" className="link" onClick={() => onChange({ ops: ops.filter((_, j) => j !== i) })}>
                  Remove
                </button>
              </li>
            ))}
          </ol>
        )}
        <div className="row">
          <Field label="Operation">
            <select value={op} onChange={(e) => setOp(e.target.value as StringOp["op"])}>
              {OPS.map((o) => (
                <option key={o} value={o}>
                  {o === "map" ? "map (value map)" : o}
                </option>
              ))}
            </select>
          </Field>
          {labels[op] && (
            <>
              <Field label={labels[op]![0]}>
                {op === "map" ? (
                  <select value={a} onChange={(e) => setA(e.target.value)}>
                    <option value="">Choose…</option>
                    {maps.data?.map((vm) => (
                      <option key={vm.id} value={vm.name}>
                        {vm.title}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input value={a} onChange={(e) => setA(e.target.value)} />
                )}
              </Field>
              <Field label={labels[op]![1]}>
                <input value={b} onChange={(e) => setB(e.target.value)} />
              </Field>
            </>
          )}
        </div>
        <button type="button" className="button" onClick={addOp}>
          Add operation
        </button>
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={column.exclude === true} onChange={(e) => onChange({ exclude: e.target.checked })} />
        Exclude: read the field but leave it out of the table
      </label>
      <div className="actions">
        <button type="button" className="button" onClick={() => onMove(-1)}>
          Move up
        </button>
        <button type="button" className="button" onClick={() => onMove(1)}>
          Move down
        </button>
        <button type="button" className="button danger" onClick={onRemove}>
          Remove column
        </button>
      </div>
    </div>
  );
}
