// The project's settings: members, invitations, roles, API keys and the project
// itself, a section per address (/settings/members…). Who manages access sees
// every section; other members see the members and the project, read-only.

import { NavLink, Navigate, useParams } from "react-router";
import { ApiKeys } from "./settings/ApiKeys";
import { useManages, useMe } from "./settings/common";
import { Invitations } from "./settings/Invitations";
import { Members } from "./settings/Members";
import { ProjectSettings } from "./settings/ProjectSettings";
import { Roles } from "./settings/Roles";

const SECTIONS = [
  { path: "members", label: "Members", admin: false, Screen: Members },
  { path: "invitations", label: "Invitations", admin: true, Screen: Invitations },
  { path: "roles", label: "Roles", admin: true, Screen: Roles },
  { path: "api-keys", label: "API keys", admin: true, Screen: ApiKeys },
  { path: "project", label: "Project", admin: false, Screen: ProjectSettings },
] as const;

export default function Settings() {
  const { section } = useParams();
  const who = useMe();
  const manages = useManages();
  if (!section) return <Navigate to="/settings/members" replace />;
  const shown = SECTIONS.filter((s) => manages || !s.admin);
  const current = SECTIONS.find((s) => s.path === section);
  return (
    <div className="page settings">
      <h1>Settings</h1>
      <nav className="tabs" aria-label="Settings">
        <ul>
          {shown.map((s) => (
            <li key={s.path}>
              <NavLink to={`/settings/${s.path}`}>{s.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      {!current && <p>No such section.</p>}
      {current && current.admin && !manages && who.data && (
        <p className="form-error" role="alert">
          Only admins and owners see the {current.label.toLowerCase()}.
        </p>
      )}
      {current && (!current.admin || manages) && <current.Screen />}
    </div>
  );
}
