import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useMemo, useState, type FormEvent } from "react";
import { useClient } from "../../app";
import { createRole, deleteRole, permissions, updateRole, type CustomRole } from "../../api/endpoints";
import { groupPermissions, patternsOf, selectionOf, type PermissionGroup, type Selection } from "../../lib/permissions";
import { ConfirmButton, ErrorText, fieldError, formError, messageOf, QueryState, useRoles } from "./common";

export function Roles() {
  const list = useRoles();
  const [editing, setEditing] = useState<CustomRole | "new" | null>(null);
  return (
    <section aria-labelledby="roles-title">
      <h2 id="roles-title">Roles</h2>
      <p className="hint">
        Built-in roles: <strong>viewer</strong> reads, <strong>editor</strong> writes, <strong>admin</strong> manages
        access, <strong>owner</strong> owns. A custom role grants the actions you pick.
      </p>
      {editing === null && (
        <p>
          <button type="button" className="button primary" onClick={() => setEditing("new")}>
            New role
          </button>
        </p>
      )}
      {editing !== null && (
        <RoleEditor key={editing === "new" ? "new" : editing.id} role={editing === "new" ? null : editing} onDone={() => setEditing(null)} />
      )}
      <h3>Custom roles</h3>
      <QueryState query={list} what="roles" />
      {list.data && list.data.length === 0 && <p className="hint">No custom roles yet.</p>}
      {list.data && list.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Grants</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((r) => (
              <tr key={r.id}>
                <th scope="row" className="cell-main">
                  {r.name}
                </th>
                <td>{r.description || <span className="muted">—</span>}</td>
                <td>
                  <code className="patterns">{r.permissions.join(", ")}</code>
                </td>
                <td className="cell-actions">
                  <RoleActions role={r} onEdit={() => setEditing(r)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RoleActions({ role, onEdit }: { role: CustomRole; onEdit: () => void }) {
  const c = useClient();
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteRole(c, role.id),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["roles"] }),
  });
  return (
    <div className="actions">
      <button type="button" className="button" onClick={onEdit}>
        Edit<span className="visually-hidden"> {role.name}</span>
      </button>
      <ConfirmButton label="Delete" confirm={`Delete ${role.name}`} busy={remove.isPending} onConfirm={() => remove.mutate()} />
      <ErrorText text={remove.error ? messageOf(remove.error) : null} />
    </div>
  );
}

function RoleEditor({ role, onDone }: { role: CustomRole | null; onDone: () => void }) {
  const c = useClient();
  const queries = useQueryClient();
  const id = useId();
  const catalog = useQuery({ queryKey: ["permissions"], queryFn: ({ signal }) => permissions(c, signal), staleTime: Infinity });
  const groups = useMemo(() => groupPermissions(catalog.data ?? []), [catalog.data]);
  const [name, setName] = useState(role?.name ?? "");
  const [description, setDescription] = useState(role?.description ?? "");
  // Read from the role once the catalog is known; `null` until then.
  const [picked, setPicked] = useState<Selection | null>(null);
  const selection = picked ?? (catalog.data ? selectionOf(role?.permissions ?? [], groups) : null);
  const save = useMutation({
    mutationFn: () => {
      const patterns = selection ? patternsOf(selection, groups) : [];
      return role
        ? updateRole(c, role.id, { name: name.trim(), description, permissions: patterns, version: role.version })
        : createRole(c, { name: name.trim(), description, permissions: patterns });
    },
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ["roles"] });
      onDone();
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  const fields = ["name", "description", "permissions"];
  const nameError = fieldError(save.error, "name");
  const permissionsError = fieldError(save.error, "permissions");
  return (
    <form className="editor" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{role ? `Edit ${role.name}` : "New role"}</h3>
      <div className="row">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-describedby={nameError ? `${id}-name-error` : undefined}
          />
          <ErrorText id={`${id}-name-error`} text={nameError} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-description`}>Description (optional)</label>
          <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
          <ErrorText text={fieldError(save.error, "description")} />
        </div>
      </div>
      <QueryState query={catalog} what="permissions" />
      {selection && (
        <PermissionPicker groups={groups} selection={selection} onChange={setPicked} error={permissionsError} />
      )}
      <div className="actions">
        <button type="submit" className="button primary" disabled={save.isPending || !selection}>
          {role ? "Save role" : "Create role"}
        </button>
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <ErrorText text={formError(save.error, fields)} />
      </div>
    </form>
  );
}

function PermissionPicker({
  groups,
  selection,
  onChange,
  error,
}: {
  groups: readonly PermissionGroup[];
  selection: Selection;
  onChange: (next: Selection) => void;
  error: string | null;
}) {
  const id = useId();
  function toggle(set: "permissions" | "resources", value: string, on: boolean) {
    const next = new Set(selection[set]);
    if (on) next.add(value);
    else next.delete(value);
    onChange({ ...selection, [set]: next });
  }
  const count = patternsOf(selection, groups).length;
  return (
    <fieldset className="picker" aria-describedby={`${id}-count${error ? ` ${id}-error` : ""}`}>
      <legend>Permissions</legend>
      <p className="hint" id={`${id}-count`} aria-live="polite">
        {count === 0 ? "Nothing picked yet." : `${count} picked.`}
      </p>
      <ErrorText id={`${id}-error`} text={error} />
      {selection.other.length > 0 && (
        <p className="hint">
          Also kept as written: <code>{selection.other.join(", ")}</code>
        </p>
      )}
      <div className="picker-groups">
        {groups.map((g) => {
          const all = selection.resources.has(g.resource);
          return (
            <fieldset key={g.resource} className="picker-group">
              <legend>{g.resource}</legend>
              <label className="check strong">
                <input type="checkbox" checked={all} onChange={(e) => toggle("resources", g.resource, e.target.checked)} />
                All actions <code>{g.resource}:*</code>
              </label>
              {g.permissions.map((p) => (
                <label key={p.permission} className="check" title={`${p.method} ${p.path}: ${p.summary}`}>
                  <input
                    type="checkbox"
                    disabled={all}
                    checked={all || selection.permissions.has(p.permission)}
                    onChange={(e) => toggle("permissions", p.permission, e.target.checked)}
                  />
                  <span>
                    {p.action}
                    <span className="picker-summary">{p.summary}</span>
                  </span>
                </label>
              ))}
            </fieldset>
          );
        })}
      </div>
    </fieldset>
  );
}
