import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useClient } from "../../app";
import { invitations, invite, revokeInvitation, type Invitation } from "../../api/endpoints";
import { acceptLink } from "../../lib/access";
import { when } from "../../lib/time";
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
  ShownOnce,
  useDataMarts,
  useMe,
  useRoles,
  type Scope,
} from "./common";

export function Invitations() {
  const c = useClient();
  const list = useQuery({ queryKey: ["invitations"], queryFn: ({ signal }) => invitations(c, signal) });
  const custom = useRoles();
  const marts = useDataMarts();
  return (
    <section aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations</h2>
      <InviteForm />
      <h3>Sent</h3>
      <QueryState query={list} what="invitations" />
      {list.data && list.data.length === 0 && <p className="hint">No invitations yet.</p>}
      {list.data && list.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Role</th>
              <th scope="col">Reaches</th>
              <th scope="col">State</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((inv) => (
              <tr key={inv.id}>
                <th scope="row" className="cell-main">
                  {inv.email}
                </th>
                <td>
                  <RoleName role={inv.role} custom={custom.data} />
                </td>
                <td>{scopeText(inv.data_marts, marts.data)}</td>
                <td>
                  <span className={`state ${inv.state}`}>{inv.state}</span>
                </td>
                <td>{when(inv.expires_at)}</td>
                <td className="cell-actions">{inv.state === "pending" && <Revoke invitation={inv} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Revoke({ invitation }: { invitation: Invitation }) {
  const c = useClient();
  const queries = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => revokeInvitation(c, invitation.id),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["invitations"] }),
  });
  return (
    <div className="actions">
      <ConfirmButton
        label="Revoke"
        confirm={`Revoke the invitation of ${invitation.email}`}
        busy={revoke.isPending}
        onConfirm={() => revoke.mutate()}
      />
      <ErrorText text={revoke.error ? messageOf(revoke.error) : null} />
    </div>
  );
}

function InviteForm() {
  const c = useClient();
  const queries = useQueryClient();
  const who = useMe();
  const custom = useRoles();
  const marts = useDataMarts();
  const id = useId();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("viewer");
  const [scope, setScope] = useState<Scope>(null);
  const send = useMutation({
    mutationFn: () => invite(c, { email: email.trim(), role, data_marts: scope }),
    onSuccess: () => {
      setEmail("");
      setScope(null);
      void queries.invalidateQueries({ queryKey: ["invitations"] });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    send.mutate();
  }
  const emailError = fieldError(send.error, "email");
  const roleError = fieldError(send.error, "role");
  const sent = send.data?.token ? send.data : null;
  return (
    <>
      <form className="editor" onSubmit={submit} aria-label="Invite someone">
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-email`}>E-mail address</label>
            <input
              id={`${id}-email`}
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-describedby={emailError ? `${id}-email-error` : undefined}
            />
            <ErrorText id={`${id}-email-error`} text={emailError} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select
              id={`${id}-role`}
              value={role}
              onChange={(e) => setRole(e.target.value)}
              aria-describedby={roleError ? `${id}-role-error` : undefined}
            >
              <RoleOptions callerRole={who.data?.role} custom={custom.data ?? []} />
            </select>
            <ErrorText id={`${id}-role-error`} text={roleError} />
          </div>
        </div>
        <ScopePicker value={scope} onChange={setScope} marts={marts.data} error={fieldError(send.error, "data_marts")} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={send.isPending}>
            Invite
          </button>
          <ErrorText text={formError(send.error, ["email", "role", "data_marts"])} />
        </div>
      </form>
      {sent?.token && (
        <div className="notice" role="status">
          <p>
            <strong>{sent.email}</strong> is invited. Send them the link below: it is shown this once, and works for
            that address until {when(sent.expires_at)}.
          </p>
          <ShownOnce label="Accept link" value={acceptLink(window.location.origin, sent.token)} />
          <ShownOnce label="Invitation token" value={sent.token} />
        </div>
      )}
    </>
  );
}
