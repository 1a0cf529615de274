// /accept?token=…, the link an invitation is sent as. Signed in: accept it, then
// offer to switch to its project. Signed out: sign up with it (it opens sign-up
// where sign-up is closed), or sign in and accept.

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useClient, useSignedIn } from "../app";
import { ApiError } from "../api/client";
import { acceptInvitation, me, signIn, signUp, type ProjectMembership } from "../api/endpoints";
import { enterProject } from "../api/switch";

function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return "The server could not be reached. Is sluice serve running?";
}

export default function Accept() {
  const token = useSearchParams()[0].get("token")?.trim() ?? "";
  const signedIn = useSignedIn();
  return (
    <main className="sign-in">
      <div className="sign-in-card accept">
        <p className="brand-mark" aria-hidden="true">
          Sluice
        </p>
        {!token ? (
          <>
            <h1>No invitation here</h1>
            <p>This link has no invitation token. Open the whole link you were sent.</p>
          </>
        ) : signedIn ? (
          <Accepting token={token} />
        ) : (
          <Join token={token} />
        )}
      </div>
    </main>
  );
}

/** Signed in: accepts once, then offers the project. */
function Accepting({ token }: { token: string }) {
  const c = useClient();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [joined, setJoined] = useState<ProjectMembership | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [who, setWho] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    // Once per page, StrictMode's second effect included: the token is good once.
    if (started.current) return;
    started.current = true;
    void (async () => {
      try {
        const m = await me(c);
        setWho(m.user?.email ?? null);
        if (m.credential !== "session") {
          setError("An invitation is accepted by a user: sign out of this token and sign in, or sign up.");
          return;
        }
        setJoined(await acceptInvitation(c, token));
      } catch (e) {
        setError(messageOf(e));
      }
    })();
  }, [c, token]);

  async function go() {
    if (!joined) return;
    setBusy(true);
    try {
      if (!joined.current) await enterProject(c, queries, joined.project_id);
      navigate("/data-marts", { replace: true });
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }

  if (error)
    return (
      <>
        <h1>The invitation was not accepted</h1>
        <p className="form-error" role="alert">
          {error}
        </p>
        {who && <p className="hint">Signed in as {who}.</p>}
        <button type="button" className="button" onClick={() => c.store.save(null)}>
          Sign out and use another account
        </button>
        <p>
          <Link to="/data-marts">Go to the console</Link>
        </p>
      </>
    );
  if (!joined)
    return (
      <>
        <h1>Accepting the invitation</h1>
        <p className="loading" role="status">
          Please wait…
        </p>
      </>
    );
  return (
    <>
      <h1>You joined {joined.name}</h1>
      <p>
        Your role there: <span className="role">{joined.role}</span>
      </p>
      <button type="button" className="button primary wide" onClick={go} disabled={busy}>
        {joined.current ? `Open ${joined.name}` : `Switch to ${joined.name}`}
      </button>
      <p>
        <Link to="/data-marts">Stay in the current project</Link>
      </p>
    </>
  );
}

/** Signed out: a new account with the invitation, or an existing one. */
function Join({ token }: { token: string }) {
  const c = useClient();
  const navigate = useNavigate();
  const [mode, setMode] = useState<"sign-up" | "sign-in">("sign-up");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const body = { email: email.trim(), password };
      // Sign-up joins the invitation's project and signs in there; sign-in is
      // followed by accepting, on this page once signed in.
      const tokens = mode === "sign-up" ? await signUp(c, { ...body, invitation: token }) : await signIn(c, body);
      c.store.save({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
      if (mode === "sign-up") navigate("/data-marts", { replace: true });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? "Wrong e-mail address or password." : messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-labelledby="accept-title">
      <h1 id="accept-title">{mode === "sign-up" ? "Join with your invitation" : "Sign in to accept"}</h1>
      <p className="hint">
        {mode === "sign-up"
          ? "Create your account with the address the invitation was sent to."
          : "Sign in with the address the invitation was sent to; it is accepted next."}
      </p>
      <div className="field">
        <label htmlFor="email">E-mail address</label>
        <input
          id="email"
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
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button className="button primary wide" type="submit" disabled={busy}>
        {busy ? "Please wait…" : mode === "sign-up" ? "Create account and join" : "Sign in"}
      </button>
      <div className="switches">
        <button
          type="button"
          className="link"
          onClick={() => {
            setMode(mode === "sign-up" ? "sign-in" : "sign-up");
            setError(null);
          }}
        >
          {mode === "sign-up" ? "I have an account: sign in instead" : "New here? Create an account"}
        </button>
      </div>
    </form>
  );
}
