import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { NavLink, Outlet } from "react-router";
import { useClient } from "../app";
import { me, signOut } from "../api/endpoints";
import { ProjectSwitcher } from "./ProjectSwitcher";
import { currentTheme, followSystem, toggleTheme, type Theme } from "../lib/theme";

const SIDEBAR_KEY = "sluice.sidebar";

function initialCollapsed(): boolean {
  try {
    return localStorage.getItem(SIDEBAR_KEY) === "collapsed";
  } catch {
    return false;
  }
}

function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(currentTheme);
  useEffect(() => followSystem(setTheme), []);
  const other = theme === "dark" ? "light" : "dark";
  return (
    <button
      type="button"
      className="icon-button"
      onClick={() => setTheme(toggleTheme())}
      aria-label={`Switch to ${other} mode`}
      title={`Switch to ${other} mode`}
    >
      <span aria-hidden="true">{theme === "dark" ? "☀" : "☾"}</span>
    </button>
  );
}

export function Shell() {
  const c = useClient();
  const [collapsed, setCollapsed] = useState(initialCollapsed);
  const who = useQuery({ queryKey: ["me"], queryFn: () => me(c), staleTime: 60_000 });

  function toggleSidebar() {
    const next = !collapsed;
    setCollapsed(next);
    try {
      localStorage.setItem(SIDEBAR_KEY, next ? "collapsed" : "open");
    } catch {
      // Not remembered; the choice holds until the page reloads.
    }
  }

  async function leave() {
    try {
      // Ends the session on the server too (a pasted token has none to end).
      if (c.store.load()?.refreshToken) await signOut(c);
    } catch {
      // Signed out here all the same.
    }
    c.store.save(null);
  }

  const user = who.data?.user?.email ?? who.data?.subject;
  return (
    <div className={collapsed ? "shell collapsed" : "shell"}>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="icon-button"
          onClick={toggleSidebar}
          aria-expanded={!collapsed}
          aria-controls="sidebar"
          aria-label={collapsed ? "Expand the sidebar" : "Collapse the sidebar"}
          title={collapsed ? "Expand the sidebar" : "Collapse the sidebar"}
        >
          <span aria-hidden="true">☰</span>
        </button>
        <span className="brand">Sluice</span>
        {who.data && <ProjectSwitcher me={who.data} />}
        <span className="spacer" />
        {user && (
          <span className="who">
            {user}
            {who.data && <span className="role">{who.data.custom?.name ?? who.data.role}</span>}
          </span>
        )}
        <ThemeToggle />
        <button type="button" className="button" onClick={leave}>
          Sign out
        </button>
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Main">
        <ul>
          <li>
            <NavLink to="/data-marts" title="Data marts">
              <span className="nav-icon" aria-hidden="true">
                ▦
              </span>
              <span className="nav-label">Data marts</span>
            </NavLink>
          </li>
          <li>
            <NavLink to="/sources" title="Sources">
              <span className="nav-icon" aria-hidden="true">
                ⇥
              </span>
              <span className="nav-label">Sources</span>
            </NavLink>
          </li>
          <li>
            <NavLink to="/destinations" title="Destinations">
              <span className="nav-icon" aria-hidden="true">
                ⇤
              </span>
              <span className="nav-label">Destinations</span>
            </NavLink>
          </li>
          <li>
            <NavLink to="/reports" title="Reports">
              <span className="nav-icon" aria-hidden="true">
                ⇪
              </span>
              <span className="nav-label">Reports</span>
            </NavLink>
          </li>
          <li>
            <NavLink to="/settings" title="Settings">
              <span className="nav-icon" aria-hidden="true">
                ⚙
              </span>
              <span className="nav-label">Settings</span>
            </NavLink>
          </li>
        </ul>
      </nav>
      <main id="content" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
