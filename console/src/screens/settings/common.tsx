// What the settings' sections share: the caller, the project's roles and data
// marts, errors shown beside the control the API names, a value shown once with a
// copy button, and the data-mart scope picker.

import { useQuery } from "@tanstack/react-query";
import { useId, useState, type ReactNode } from "react";
import { useClient } from "../../app";
import { allDataMarts, me, roles, type CustomRole, type DataMart } from "../../api/endpoints";
import { grantableRoles, managesAccess, roleName } from "../../lib/access";
import { messageOf } from "../../lib/fields";
export { fieldError, formError, messageOf, scopeText } from "../../lib/fields";

export function useMe() {
  const c = useClient();
  return useQuery({ queryKey: ["me"], queryFn: () => me(c), staleTime: 60_000 });
}

/** Whether the caller manages access here (built-in admin or owner). */
export function useManages(): boolean {
  return managesAccess(useMe().data?.role);
}

/** The project's custom roles: asked for only by those who manage access. */
export function useRoles() {
  const c = useClient();
  const manages = useManages();
  return useQuery({ queryKey: ["roles"], queryFn: ({ signal }) => roles(c, signal), enabled: manages });
}

export function useDataMarts(enabled = true) {
  const c = useClient();
  return useQuery({ queryKey: ["data-marts"], queryFn: ({ signal }) => allDataMarts(c, signal), enabled });
}

export function ErrorText({ id, text }: { id?: string; text: string | null }) {
  if (!text) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {text}
    </p>
  );
}

/** A query's failure, a 403 included, as a sentence in the page. */
export function QueryState({ query, what }: { query: { isPending: boolean; error: unknown }; what: string }) {
  if (query.error)
    return (
      <p className="form-error" role="alert">
        {messageOf(query.error)}
      </p>
    );
  if (query.isPending)
    return (
      <p className="loading" role="status">
        Loading {what}…
      </p>
    );
  return null;
}

/** A secret shown this once: read-only, with a button that copies it. */
export function ShownOnce({ label, value, children }: { label: string; value: string; children?: ReactNode }) {
  const id = useId();
  const [copied, setCopied] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("Copied.");
    } catch {
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      setCopied("Selected: copy it with the keyboard.");
    }
  }
  return (
    <div className="shown-once">
      <label htmlFor={id}>{label}</label>
      <div className="inline">
        <input id={id} className="mono" readOnly value={value} onFocus={(e) => e.target.select()} />
        <button type="button" className="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="hint" aria-live="polite">
        {copied ?? children}
      </p>
    </div>
  );
}

/** A built-in role or a custom one's name. */
export function RoleName({ role, custom }: { role: string; custom?: readonly CustomRole[] }) {
  return <span className="role">{roleName(role, custom)}</span>;
}

/** The roles the caller may give: the built-in ones up to their own, then the custom ones. */
export function RoleOptions({ callerRole, custom, current }: { callerRole?: string; custom: readonly CustomRole[]; current?: string }) {
  const builtins: string[] = grantableRoles(callerRole);
  const extra = current && !builtins.includes(current) && !custom.some((r) => r.id === current) ? [current] : [];
  return (
    <>
      <optgroup label="Built-in">
        {[...builtins, ...extra].map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </optgroup>
      {custom.length > 0 && (
        <optgroup label="Custom">
          {custom.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </optgroup>
      )}
    </>
  );
}

export type Scope = null | string[];

/** "Whole project" (`null`) or chosen data marts. */
export function ScopePicker({
  value,
  onChange,
  marts,
  error,
}: {
  value: Scope;
  onChange: (next: Scope) => void;
  marts: readonly DataMart[] | undefined;
  error?: string | null;
}) {
  const id = useId();
  const chosen = new Set(value ?? []);
  return (
    <fieldset className="scope" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>Reaches</legend>
      <label className="check">
        <input type="radio" name={`${id}-scope`} checked={value === null} onChange={() => onChange(null)} />
        The whole project
      </label>
      <label className="check">
        <input type="radio" name={`${id}-scope`} checked={value !== null} onChange={() => onChange(value ?? [])} />
        Chosen data marts only
      </label>
      {value !== null && (
        <div className="scope-marts">
          {!marts && <p className="hint">Loading data marts…</p>}
          {marts && marts.length === 0 && <p className="hint">The project has no data marts yet.</p>}
          {marts?.map((m) => (
            <label key={m.id} className="check">
              <input
                type="checkbox"
                checked={chosen.has(m.id)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.target.checked) next.add(m.id);
                  else next.delete(m.id);
                  onChange(marts.filter((x) => next.has(x.id)).map((x) => x.id));
                }}
              />
              {m.title}
            </label>
          ))}
        </div>
      )}
      <ErrorText id={`${id}-error`} text={error ?? null} />
    </fieldset>
  );
}

/** A button that asks once more before it acts. */
export function ConfirmButton({
  label,
  confirm,
  onConfirm,
  busy,
}: {
  label: string;
  confirm: string;
  onConfirm: () => void;
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="button" onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span className="inline">
      <button
        type="button"
        className="button danger"
        disabled={busy}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirm}
      </button>
      <button type="button" className="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
