import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useClient } from "../app";
import { ApiError } from "../api/client";
import { createProject, projects, type Me } from "../api/endpoints";
import { enterProject } from "../api/switch";

function messageOf(e: unknown): string {
  return e instanceof ApiError ? e.message : "The server could not be reached.";
}

/**
 * The project in the top bar. A session lists the user's projects, switches
 * between them and creates one; an API key or a pasted token is for its one
 * project and only names it.
 */
export function ProjectSwitcher({ me }: { me: Me }) {
  const c = useClient();
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ["projects"], queryFn: ({ signal }) => projects(c, signal), staleTime: 60_000 });
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const outside = (event: MouseEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open]);

  const current = list.data?.find((p) => p.current) ?? list.data?.find((p) => p.project_id === me.project_id);
  const label = current?.name ?? me.project_id;
  if (me.credential !== "session") {
    return (
      <span className="project" title={`Project ${me.project_id}`}>
        {label}
      </span>
    );
  }

  async function go(projectId: string) {
    setError(null);
    setBusy(true);
    try {
      await enterProject(c, queries, projectId);
      setOpen(false);
      button.current?.focus();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const made = await createProject(c, { name: name.trim() });
      setName("");
      await enterProject(c, queries, made.project_id);
      setOpen(false);
      button.current?.focus();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div
      className="switcher"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === "Escape" && open) {
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className="button switcher-button"
        aria-expanded={open}
        aria-controls="project-menu"
        onClick={() => setOpen(!open)}
      >
        <span className="visually-hidden">Project: </span>
        {label}
        <span aria-hidden="true"> ▾</span>
      </button>
      {open && (
        <div id="project-menu" className="switcher-panel">
          <h2 className="switcher-title">Your projects</h2>
          {list.isPending && <p className="hint">Loading…</p>}
          <ul aria-label="Your projects">
            {(list.data ?? []).map((p) => (
              <li key={p.project_id}>
                <button
                  type="button"
                  className="switcher-item"
                  aria-current={p.current ? "true" : undefined}
                  disabled={busy || p.current}
                  onClick={() => go(p.project_id)}
                >
                  <span className="switcher-name">{p.name}</span>
                  <span className="role">{p.current ? "current" : p.role.startsWith("rol_") ? "custom role" : p.role}</span>
                </button>
              </li>
            ))}
          </ul>
          <form className="switcher-new" onSubmit={create}>
            <label htmlFor="new-project">New project</label>
            <div className="inline">
              <input
                id="new-project"
                required
                maxLength={200}
                placeholder="Name"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
              <button type="submit" className="button" disabled={busy}>
                Create
              </button>
            </div>
          </form>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
