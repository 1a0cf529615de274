import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useClient } from "../../app";
import { project, updateProject, type Project, type UpdateProject } from "../../api/endpoints";
import { addressList } from "../../lib/access";
import { ErrorText, fieldError, formError, QueryState, useManages } from "./common";

type UrlField = "webhook_url" | "slack_webhook_url" | "teams_webhook_url";

const HOOKS: { field: UrlField; stored: "webhook" | "slack" | "teams"; label: string; hint: string }[] = [
  { field: "webhook_url", stored: "webhook", label: "Webhook", hint: "Runs that end and SLA misses are POSTed there as JSON." },
  { field: "slack_webhook_url", stored: "slack", label: "Slack", hint: "A Slack incoming webhook (https://hooks.slack.com/services/…)." },
  { field: "teams_webhook_url", stored: "teams", label: "Microsoft Teams", hint: "A Teams incoming webhook." },
];

export function ProjectSettings() {
  const c = useClient();
  const manages = useManages();
  const current = useQuery({ queryKey: ["project"], queryFn: ({ signal }) => project(c, signal) });
  return (
    <section aria-labelledby="project-title">
      <h2 id="project-title">Project</h2>
      {!manages && <p className="hint">Only admins and owners change the project.</p>}
      <QueryState query={current} what="the project" />
      {current.data && (
        <>
          <General key={current.data.id} project={current.data} readOnly={!manages} />
          <h3>Where notifications go</h3>
          <p className="hint">
            Each URL is a secret (it often carries a token): once saved, only its origin is shown. Replace it or remove
            it.
          </p>
          {HOOKS.map((h) => (
            <Hook key={h.field} hook={h} origin={current.data[h.stored]?.origin ?? null} readOnly={!manages} />
          ))}
        </>
      )}
    </section>
  );
}

function useSave() {
  const c = useClient();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateProject) => updateProject(c, body),
    onSuccess: (saved) => {
      queries.setQueryData(["project"], saved);
      void queries.invalidateQueries({ queryKey: ["projects"] });
    },
  });
}

function General({ project: p, readOnly }: { project: Project; readOnly: boolean }) {
  const id = useId();
  const save = useSave();
  const notifications = p.notifications ?? { emails: [], on_failure: true, on_success: false };
  const [name, setName] = useState(p.name);
  const [onFailure, setOnFailure] = useState(notifications.on_failure ?? true);
  const [onSuccess, setOnSuccess] = useState(notifications.on_success ?? false);
  const [emails, setEmails] = useState((notifications.emails ?? []).join("\n"));
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({
      name: name.trim(),
      notifications: { on_failure: onFailure, on_success: onSuccess, emails: addressList(emails) },
    });
  }
  const nameError = fieldError(save.error, "name");
  const emailsError = fieldError(save.error, "notifications.emails") ?? fieldError(save.error, "emails");
  return (
    <form className="editor" onSubmit={submit} aria-label="Name and notifications">
      <fieldset disabled={readOnly} className="plain">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-describedby={nameError ? `${id}-name-error` : undefined}
          />
          <ErrorText id={`${id}-name-error`} text={nameError} />
        </div>
        <fieldset className="group">
          <legend>Tell about runs that</legend>
          <label className="check">
            <input type="checkbox" checked={onFailure} onChange={(e) => setOnFailure(e.target.checked)} />
            fail
          </label>
          <label className="check">
            <input type="checkbox" checked={onSuccess} onChange={(e) => setOnSuccess(e.target.checked)} />
            succeed
          </label>
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-emails`}>E-mail them to</label>
          <textarea
            id={`${id}-emails`}
            rows={3}
            value={emails}
            onChange={(e) => setEmails(e.target.value)}
            aria-describedby={`${id}-emails-hint${emailsError ? ` ${id}-emails-error` : ""}`}
          />
          <p className="hint" id={`${id}-emails-hint`}>
            One address a line (at most 50); none for no e-mail.
          </p>
          <ErrorText id={`${id}-emails-error`} text={emailsError} />
        </div>
        <div className="actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            Save
          </button>
          {save.isSuccess && !save.isPending && (
            <span className="hint" role="status">
              Saved.
            </span>
          )}
          <ErrorText text={formError(save.error, ["name", "notifications.emails", "emails"])} />
        </div>
      </fieldset>
    </form>
  );
}

function Hook({ hook, origin, readOnly }: { hook: (typeof HOOKS)[number]; origin: string | null; readOnly: boolean }) {
  const id = useId();
  const save = useSave();
  const [url, setUrl] = useState("");
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ [hook.field]: url.trim() }, { onSuccess: () => setUrl("") });
  }
  const error = fieldError(save.error, hook.field);
  return (
    <form className="hook" onSubmit={submit} aria-label={hook.label}>
      <fieldset disabled={readOnly} className="plain">
        <h4>{hook.label}</h4>
        <p className="hint">{hook.hint}</p>
        <p data-testid={`${hook.stored}-origin`}>
          {origin ? (
            <>
              Sends to <code>{origin}</code>
            </>
          ) : (
            <span className="muted">Not set.</span>
          )}
        </p>
        <div className="field">
          <label htmlFor={`${id}-url`}>{origin ? `Replace the ${hook.label} URL` : `${hook.label} URL`}</label>
          <div className="inline">
            <input
              id={`${id}-url`}
              type="url"
              required
              autoComplete="off"
              spellCheck={false}
              placeholder="https://…"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              aria-describedby={error ? `${id}-error` : undefined}
            />
            <button type="submit" className="button" disabled={save.isPending}>
              Save<span className="visually-hidden"> the {hook.label} URL</span>
            </button>
            {origin && (
              <button type="button" className="button" disabled={save.isPending} onClick={() => save.mutate({ [hook.field]: null })}>
                Remove<span className="visually-hidden"> the {hook.label} URL</span>
              </button>
            )}
          </div>
          <ErrorText id={`${id}-error`} text={error} />
          <ErrorText text={formError(save.error, [hook.field])} />
        </div>
      </fieldset>
    </form>
  );
}
