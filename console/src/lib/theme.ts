// Light or dark: the system's choice until the person toggles; toggling back to
// what the system shows follows the system again.

export type Theme = "light" | "dark";
const KEY = "sluice.theme";

const media = () =>
  typeof window !== "undefined" && window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

export function systemTheme(): Theme {
  return media()?.matches ? "dark" : "light";
}

/** The theme chosen by toggling, or `null` to follow the system. */
export function storedTheme(): Theme | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : null;
  } catch {
    return null;
  }
}

export function currentTheme(): Theme {
  return storedTheme() ?? systemTheme();
}

export function applyTheme(): Theme {
  const theme = currentTheme();
  document.documentElement.dataset.theme = theme;
  return theme;
}

/** Switches to the other theme; remembers it only while it differs from the system's. */
export function toggleTheme(): Theme {
  const next: Theme = currentTheme() === "dark" ? "light" : "dark";
  try {
    if (next === systemTheme()) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, next);
  } catch {
    // Storage refused: the choice lasts until the page reloads.
    document.documentElement.dataset.theme = next;
    return next;
  }
  return applyTheme();
}

/** Re-applies the theme when the system's changes. */
export function followSystem(onChange: (theme: Theme) => void): () => void {
  const m = media();
  if (!m) return () => {};
  const listener = () => onChange(applyTheme());
  m.addEventListener("change", listener);
  return () => m.removeEventListener("change", listener);
}
