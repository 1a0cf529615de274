// Where the signed-in session is kept: the access token (15 minutes) and the
// refresh token (good once), or a pasted token without a refresh token. Kept in
// localStorage so a reload or a second tab stays signed in; the console's
// Content-Security-Policy runs no script but its own.

export interface Session {
  accessToken: string;
  /** `null` for a pasted token: it cannot be refreshed. */
  refreshToken: string | null;
}

export interface SessionStore {
  load(): Session | null;
  save(session: Session | null): void;
  /** Calls `listener` after every change, this tab's or another's. */
  subscribe(listener: () => void): () => void;
}

function parse(text: string | null): Session | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Session>;
    if (typeof value.accessToken !== "string" || value.accessToken === "") return null;
    return {
      accessToken: value.accessToken,
      refreshToken: typeof value.refreshToken === "string" ? value.refreshToken : null,
    };
  } catch {
    return null;
  }
}

/** A store over a `Storage` (localStorage in the browser). */
export function storageStore(storage: Storage, key = "sluice.session"): SessionStore {
  const listeners = new Set<() => void>();
  let raw = storage.getItem(key);
  let current = parse(raw);
  const notify = () => listeners.forEach((l) => l());
  if (typeof window !== "undefined") {
    window.addEventListener("storage", (event) => {
      if (event.key !== key && event.key !== null) return;
      raw = storage.getItem(key);
      current = parse(raw);
      notify();
    });
  }
  return {
    load() {
      // Another tab may have refreshed the tokens since.
      const now = storage.getItem(key);
      if (now !== raw) {
        raw = now;
        current = parse(now);
      }
      return current;
    },
    save(session) {
      current = session;
      if (session) storage.setItem(key, JSON.stringify(session));
      else storage.removeItem(key);
      raw = storage.getItem(key);
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A store in memory (tests, or a browser without storage). */
export function memoryStore(initial: Session | null = null): SessionStore {
  let current = initial;
  const listeners = new Set<() => void>();
  return {
    load: () => current,
    save(session) {
      current = session;
      listeners.forEach((l) => l());
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
