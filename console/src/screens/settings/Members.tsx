import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useId, useState, type FormEvent } from "react";
import { useClient } from "../../app";
import { members, removeMember, updateMember, type DataMart, type Member } from "../../api/endpoints";
import { mayChangeMember } from "../../lib/access";
import {
  ConfirmButton,
  ErrorText,
  fieldError,
  formError,
  messageOf,
  QueryState,
  RoleName,
  RoleOptions,
  ScopePicker,
  scopeText,
  useDataMarts,
  useManages,
  useMe,
  useRoles,
  type Scope,
} from "./common";

export function Members() {
  const c = useClient();
  const who = useMe();
  const manages = useManages();
  const list = useQuery({ queryKey: ["members"], queryFn: ({ signal }) => members(c, signal) });
  const custom = useRoles();
  const marts = useDataMarts(manages);
  const [editing, setEditing] = useState<string | null>(null);

  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {!manages && <p className="hint">Only admins and owners change members.</p>}
      <QueryState query={list} what="members" />
      {list.data && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Reaches</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((m) => (
              <Fragment key={m.id}>
                <tr>
                  <th scope="row" className="cell-main">
                    {m.email}
                    {m.user_id === who.data?.user?.id && <span className="muted"> (you)</span>}
                  </th>
                  <td>
                    <RoleName role={m.role} custom={custom.data} />
                  </td>
                  <td>{scopeText(m.data_marts, marts.data)}</td>
                  <td className="cell-actions">
                    {mayChangeMember(who.data?.role, m.role) && (
                      <MemberActions member={m} editing={editing === m.id} onEdit={() => setEditing(editing === m.id ? null : m.id)} />
                    )}
                  </td>
                </tr>
                {editing === m.id && (
                  <tr className="editor-row">
                    <td colSpan={4}>
                      <MemberEditor member={m} marts={marts.data} onDone={() => setEditing(null)} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function MemberActions({ member, editing, onEdit }: { member: Member; editing: boolean; onEdit: () => void }) {
  const c = useClient();
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: () => removeMember(c, member.id),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["members"] }),
  });
  return (
    <div className="actions">
      <button type="button" className="button" aria-expanded={editing} onClick={onEdit}>
        Edit<span className="visually-hidden"> {member.email}</span>
      </button>
      <ConfirmButton label="Remove" confirm={`Remove ${member.email}`} busy={remove.isPending} onConfirm={() => remove.mutate()} />
      <ErrorText text={remove.error ? messageOf(remove.error) : null} />
    </div>
  );
}

function MemberEditor({ member, marts, onDone }: { member: Member; marts: readonly DataMart[] | undefined; onDone: () => void }) {
  const c = useClient();
  const queries = useQueryClient();
  const who = useMe();
  const custom = useRoles();
  const id = useId();
  const [role, setRole] = useState(member.role);
  const [scope, setScope] = useState<Scope>(member.data_marts ?? null);
  const save = useMutation({
    mutationFn: () => updateMember(c, member.id, { role, data_marts: scope, version: member.version }),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ["members"] });
      if (member.user_id === who.data?.user?.id) void queries.invalidateQueries({ queryKey: ["me"] });
      onDone();
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  const roleError = fieldError(save.error, "role");
  return (
    <form className="editor" onSubmit={submit} aria-label={`Access of ${member.email}`}>
      <div className="field">
        <label htmlFor={`${id}-role`}>Role</label>
        <select
          id={`${id}-role`}
          value={role}
          onChange={(e) => setRole(e.target.value)}
          aria-describedby={roleError ? `${id}-role-error` : undefined}
        >
          <RoleOptions callerRole={who.data?.role} custom={custom.data ?? []} current={member.role} />
        </select>
        <ErrorText id={`${id}-role-error`} text={roleError} />
      </div>
      <ScopePicker value={scope} onChange={setScope} marts={marts} error={fieldError(save.error, "data_marts")} />
      <div className="actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save
        </button>
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <ErrorText text={formError(save.error, ["role", "data_marts"])} />
      </div>
    </form>
  );
}
