// Form scaffolding any screen may use: a labelled field with its hint and the
// error the API names for it (linked by aria-describedby), and the controls of a
// connector's or destination kind's spec. Secret fields are write-only.

import { cloneElement, useId, type ReactElement } from "react";
import type { FieldSpec } from "../api/sources";
import { controlOf, labelOf, type Values } from "../lib/specForm";

export function Field({
  label,
  hint,
  error,
  children,
  id: given,
  className,
  before,
}: {
  label: string;
  hint?: React.ReactNode;
  error?: string | null;
  /** One control; it gets the field's id and descriptions. */
  children: ReactElement<{ id?: string; "aria-describedby"?: string; "aria-invalid"?: boolean }>;
  id?: string;
  className?: string;
  /** Shown before the control on its line (a decorative mark, hidden from assistive technology). */
  before?: React.ReactNode;
}) {
  const own = useId();
  const id = given ?? own;
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  const control = cloneElement(children, {
    id,
    "aria-describedby": described || undefined,
    "aria-invalid": error ? true : undefined,
  });
  return (
    <div className={className ? `field ${className}` : "field"}>
      <label htmlFor={id}>{label}</label>
      {before ? (
        <div className="picker-with-logo">
          {before}
          {control}
        </div>
      ) : (
        control
      )}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Inline code in a spec's description (`store://x`) shown as code. */
function Described({ text }: { text: string }) {
  const parts = text.split(/`([^`]*)`/);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <code key={i}>{p}</code>
        ) : (
          <span key={i}>{p}</span>
        ),
      )}
    </>
  );
}

/** One control per field of `spec`. `stored` says a record exists: its secrets are kept unless typed. */
export function SpecFields({
  spec,
  values,
  onChange,
  errors,
  stored,
}: {
  spec: readonly FieldSpec[];
  values: Values;
  onChange: (name: string, value: string | boolean) => void;
  errors: Record<string, string | null | undefined>;
  stored?: boolean;
}) {
  return (
    <>
      {spec.map((f) => {
        const control = controlOf(f);
        const v = values[f.name];
        const label = `${labelOf(f.name)}${f.required && !(f.secret && stored) ? "" : " (optional)"}`;
        const hint = (
          <>
            <Described text={f.description} />
            {f.secret && (
              <>
                {" "}
                <strong>{stored ? "Write-only: stored, never shown; leave empty to keep it." : "Write-only: never shown again."}</strong>
              </>
            )}
          </>
        );
        if (control === "checkbox") {
          return (
            <div className="field" key={f.name}>
              <label className="check">
                <input type="checkbox" checked={v === true} onChange={(e) => onChange(f.name, e.target.checked)} />
                {labelOf(f.name)}
              </label>
              <p className="hint">
                <Described text={f.description} />
              </p>
              {errors[f.name] && (
                <p className="field-error" role="alert">
                  {errors[f.name]}
                </p>
              )}
            </div>
          );
        }
        const text = typeof v === "string" ? v : "";
        const set = (e: { target: { value: string } }) => onChange(f.name, e.target.value);
        let input: ReactElement<{ id?: string }>;
        switch (control) {
          case "select":
            input = (
              <select value={text} onChange={set}>
                {!f.required && <option value="">—</option>}
                {f.required && text === "" && <option value="">Choose…</option>}
                {f.one_of.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            );
            break;
          case "secret":
            input = (
              <input
                type="password"
                autoComplete="new-password"
                value={text}
                onChange={set}
                placeholder={stored ? "Stored; type to replace" : ""}
              />
            );
            break;
          case "number":
            input = <input type="number" inputMode="numeric" value={text} onChange={set} />;
            break;
          case "lines":
            input = <textarea rows={3} value={text} onChange={set} placeholder="One a line" />;
            break;
          case "json":
            input = (
              <textarea
                rows={3}
                value={text}
                onChange={set}
                placeholder={f.secret && stored ? "Stored; type a JSON object to replace" : "{ }"}
              />
            );
            break;
          default:
            input = <input value={text} onChange={set} placeholder={typeof f.default === "string" ? f.default : ""} />;
        }
        return (
          <Field key={f.name} label={label} hint={hint} error={errors[f.name] ?? null}>
            {input}
          </Field>
        );
      })}
    </>
  );
}
