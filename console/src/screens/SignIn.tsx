import { useState, type FormEvent } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";
import { useClient, useSignedIn } from "../app";
import { ApiError } from "../api/client";
import { me, signIn, signUp } from "../api/endpoints";

type Mode = "sign-in" | "sign-up" | "token";

const TITLES: Record<Mode, string> = {
  "sign-in": "Sign in to Sluice",
  "sign-up": "Create the first account",
  token: "Sign in with a token",
};

function message(e: unknown, mode: Mode): string {
  if (e instanceof ApiError) {
    if (mode === "sign-up" && e.status === 403)
      return "Sign-up is closed: this deployment has its first user. Ask its operator to add you (sluice users add).";
    if (mode === "token" && e.status === 401) return "That token is not valid (unknown, expired or revoked).";
    if (e.status === 401) return "Wrong e-mail address or password.";
    return e.message;
  }
  return "The server could not be reached. Is sluice serve running?";
}

export function SignIn() {
  const c = useClient();
  const signedIn = useSignedIn();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? "/data-marts";
  const [mode, setMode] = useState<Mode>("sign-in");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (signedIn && !busy) return <Navigate to={from} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      if (mode === "token") {
        c.store.save({ accessToken: token.trim(), refreshToken: null });
        try {
          await me(c);
        } catch (e) {
          c.store.save(null);
          throw e;
        }
      } else {
        const tokens = await (mode === "sign-in" ? signIn : signUp)(c, { email: email.trim(), password });
        c.store.save({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
      }
      navigate(from, { replace: true });
    } catch (e) {
      setError(message(e, mode));
    } finally {
      setBusy(false);
    }
  }

  function switchTo(next: Mode) {
    setMode(next);
    setError(null);
  }

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <p className="brand-mark" aria-hidden="true">
          Sluice
        </p>
        <h1 id="sign-in-title">{TITLES[mode]}</h1>
        {mode === "sign-up" && (
          <p className="hint">The first account of a new deployment owns its project.</p>
        )}
        {mode === "token" ? (
          <div className="field">
            <label htmlFor="token">Token or API key</label>
            <textarea
              id="token"
              name="token"
              required
              rows={4}
              spellCheck={false}
              autoComplete="off"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              aria-describedby="token-hint"
            />
            <p className="hint" id="token-hint">
              The <code>export TOKEN=…</code> line sluice serve printed, a token from <code>sluice token</code>, or an
              API key.
            </p>
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor="email">E-mail address</label>
              <input
                id="email"
                name="email"
                type="email"
                required
                autoComplete="username"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="password">Password</label>
              <input
                id="password"
                name="password"
                type="password"
                required
                minLength={mode === "sign-up" ? 10 : 1}
                maxLength={256}
                autoComplete={mode === "sign-up" ? "new-password" : "current-password"}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby={mode === "sign-up" ? "password-hint" : undefined}
              />
              {mode === "sign-up" && (
                <p className="hint" id="password-hint">
                  10 to 256 characters.
                </p>
              )}
            </div>
          </>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="button primary wide" type="submit" disabled={busy}>
          {busy ? "Please wait…" : mode === "sign-up" ? "Create account" : "Sign in"}
        </button>
        <div className="switches">
          {mode !== "sign-in" && (
            <button type="button" className="link" onClick={() => switchTo("sign-in")}>
              Sign in with e-mail and password
            </button>
          )}
          {mode !== "sign-up" && (
            <button type="button" className="link" onClick={() => switchTo("sign-up")}>
              First time here? Create the first account
            </button>
          )}
          {mode !== "token" && (
            <button type="button" className="link" onClick={() => switchTo("token")}>
              Use a token instead
            </button>
          )}
        </div>
      </form>
    </main>
  );
}
