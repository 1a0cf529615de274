import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useClient } from "../../app";
import { apiKeys, createApiKey, revokeApiKey, type ApiKey } from "../../api/endpoints";
import { endOfDay, grantableRoles } from "../../lib/access";
import { useNow } from "../../lib/clock";
import { ago, when } from "../../lib/time";
import { ConfirmButton, ErrorText, fieldError, formError, messageOf, QueryState, ShownOnce, useMe } from "./common";

export function ApiKeys() {
  const c = useClient();
  const list = useQuery({ queryKey: ["api-keys"], queryFn: ({ signal }) => apiKeys(c, signal) });
  const now = useNow();
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p className="hint">A key acts in this project with its role, for scripts and schedulers; it is shown once.</p>
      <KeyForm />
      <h3>Keys</h3>
      <QueryState query={list} what="API keys" />
      {list.data && list.data.length === 0 && <p className="hint">No API keys yet.</p>}
      {list.data && list.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Role</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((k) => (
              <tr key={k.id}>
                <th scope="row" className="cell-main">
                  {k.name}
                </th>
                <td>
                  <code>slk_{k.prefix}_…</code>
                </td>
                <td>
                  <span className="role">{k.role}</span>
                </td>
                <td>{k.last_used_at ? ago(k.last_used_at, now) : "Never"}</td>
                <td>{k.expires_at ? when(k.expires_at) : "Never"}</td>
                <td className="cell-actions">
                  <Revoke apiKey={k} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Revoke({ apiKey }: { apiKey: ApiKey }) {
  const c = useClient();
  const queries = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => revokeApiKey(c, apiKey.id),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["api-keys"] }),
  });
  return (
    <div className="actions">
      <ConfirmButton label="Revoke" confirm={`Revoke ${apiKey.name}`} busy={revoke.isPending} onConfirm={() => revoke.mutate()} />
      <ErrorText text={revoke.error ? messageOf(revoke.error) : null} />
    </div>
  );
}

function KeyForm() {
  const c = useClient();
  const queries = useQueryClient();
  const who = useMe();
  const id = useId();
  const [name, setName] = useState("");
  const [role, setRole] = useState<"viewer" | "editor" | "admin" | "owner">("viewer");
  const [expires, setExpires] = useState("");
  const create = useMutation({
    mutationFn: () => createApiKey(c, { name: name.trim(), role, expires_at: endOfDay(expires) }),
    onSuccess: () => {
      setName("");
      setExpires("");
      void queries.invalidateQueries({ queryKey: ["api-keys"] });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  const fields = ["name", "role", "expires_at"];
  const errors = Object.fromEntries(fields.map((f) => [f, fieldError(create.error, f)]));
  return (
    <>
      <form className="editor" onSubmit={submit} aria-label="Create an API key">
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input
              id={`${id}-name`}
              required
              maxLength={100}
              placeholder="ci, airflow…"
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-describedby={errors.name ? `${id}-name-error` : undefined}
            />
            <ErrorText id={`${id}-name-error`} text={errors.name ?? null} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select
              id={`${id}-role`}
              value={role}
              onChange={(e) => setRole(e.target.value as typeof role)}
              aria-describedby={errors.role ? `${id}-role-error` : undefined}
            >
              {grantableRoles(who.data?.role).map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <ErrorText id={`${id}-role-error`} text={errors.role ?? null} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-expires`}>Expires (optional)</label>
            <input
              id={`${id}-expires`}
              type="date"
              value={expires}
              onChange={(e) => setExpires(e.target.value)}
              aria-describedby={`${id}-expires-hint${errors.expires_at ? ` ${id}-expires-error` : ""}`}
            />
            <p className="hint" id={`${id}-expires-hint`}>
              At the end of that day; never if left empty.
            </p>
            <ErrorText id={`${id}-expires-error`} text={errors.expires_at ?? null} />
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="button primary" disabled={create.isPending}>
            Create key
          </button>
          <ErrorText text={formError(create.error, fields)} />
        </div>
      </form>
      {create.data && (
        <div className="notice" role="status">
          <p>
            Key <strong>{create.data.name}</strong> is made. Copy it now: it cannot be shown again.
          </p>
          <ShownOnce label="API key" value={create.data.key}>
            Send it as <code>Authorization: Bearer …</code>.
          </ShownOnce>
        </div>
      )}
    </>
  );
}
