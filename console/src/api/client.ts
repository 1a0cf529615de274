// The API client: same-origin JSON requests with the session's bearer token.
// An answer of 401 refreshes the session once (one refresh at a time: a refresh
// token is good once, and presenting it twice ends the session), then retries;
// a second 401, or a refresh refused, signs out. On AWS a refused token is API
// Gateway's own 403 (its authorizer said no), treated as a 401.

import type { Session, SessionStore } from "./session";

/** The error envelope every API error answers: `{"error":{"code","message","details"}}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  /** Seconds to wait before asking again, from a 429's or 503's `Retry-After`. */
  retryAfter: number | null = null;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Whether asking again may get another answer: the server failed, or asked to wait. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }

  /** The field a validation error names (`details.field`), if any. */
  get field(): string | undefined {
    return typeof this.details.field === "string" ? this.details.field : undefined;
  }
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  /** Send the session's token (default); `false` for sign-in, sign-up, refresh. */
  auth?: boolean;
  signal?: AbortSignal;
  /** The `Accept` header (JSON unless said). */
  accept?: string;
}

/** A file the API answered: its bytes and the name it gave it. */
export interface Download {
  blob: Blob;
  fileName: string | null;
}

export interface Client {
  request<T>(method: Method, path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  /** A GET whose answer is a file (a redirect to a signed link is followed). */
  download(path: string, options?: RequestOptions): Promise<Download>;
  /**
   * A `GET` of `path` whose body the caller reads as it arrives (a stream of
   * server-sent events), with the session's credential in the header and the
   * same refresh on a 401; an answer that is not a success throws its ApiError.
   */
  open(path: string, options?: { signal?: AbortSignal; accept?: string }): Promise<Response>;
  readonly store: SessionStore;
}

export interface ClientOptions {
  store: SessionStore;
  fetch?: typeof fetch;
  /** Prefix of every path; empty for the console's own origin. */
  baseUrl?: string;
  /**
   * Runs `task` while no other tab refreshes (the Web Locks API in the browser),
   * so two tabs never present the same refresh token.
   */
  exclusive?: <T>(task: () => Promise<T>) => Promise<T>;
}

function browserExclusive<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request("sluice.refresh", task) as Promise<T>) : task();
}

async function errorOf(res: Response): Promise<ApiError> {
  const error = await envelopeOf(res);
  const after = Number(res.headers.get("retry-after"));
  if (res.headers.has("retry-after") && Number.isFinite(after) && after >= 0) error.retryAfter = after;
  return error;
}

async function envelopeOf(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON: described by its status below.
  }
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (e && typeof e.message === "string") {
    return new ApiError(
      res.status,
      typeof e.code === "string" ? e.code : "error",
      e.message,
      e.details && typeof e.details === "object" ? (e.details as Record<string, unknown>) : {},
    );
  }
  return new ApiError(res.status, "http_" + res.status, `the server answered ${res.status} ${res.statusText}`.trim());
}

export function createClient(options: ClientOptions): Client {
  const { store } = options;
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const base = options.baseUrl ?? "";
  const exclusive = options.exclusive ?? browserExclusive;
  let refreshing: Promise<Session | null> | null = null;

  /** New tokens for the session that got a 401 with `used`; `null` when refused. */
  function refresh(used: Session): Promise<Session | null> {
    refreshing ??= exclusive(async () => {
      const current = store.load();
      if (!current) return null;
      // Refreshed meanwhile (by this tab or another): use what is there.
      if (current.accessToken !== used.accessToken) return current;
      if (!current.refreshToken) return null;
      const res = await doFetch(base + "/v1/auth/refresh", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refresh_token: current.refreshToken }),
      });
      if (!res.ok) return null;
      const tokens = (await res.json()) as { access_token: string; refresh_token: string };
      const next = { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
      store.save(next);
      return next;
    }).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /**
   * Whether the credential was refused: the API's 401, or on AWS the 403 API
   * Gateway answers itself when the authorizer refuses a token (a body without
   * the API's error envelope; a role that may not do something is the API's 403).
   */
  async function refused(res: Response): Promise<boolean> {
    if (res.status === 401) return true;
    if (res.status !== 403) return false;
    const body: unknown = await res
      .clone()
      .json()
      .catch(() => null);
    return !(body !== null && typeof body === "object" && "error" in body);
  }

  function send(
    method: Method,
    path: string,
    body: unknown,
    session: Session | null,
    signal?: AbortSignal,
    accept = "application/json",
  ) {
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (session) headers.authorization = `Bearer ${session.accessToken}`;
    return doFetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  }

  async function answer(method: Method, path: string, body: unknown, opts: RequestOptions): Promise<Response> {
    const auth = opts.auth ?? true;
    const session = auth ? store.load() : null;
    let res = await send(method, path, body, session, opts.signal, opts.accept);
    if (auth && (await refused(res))) {
      const next = session ? await refresh(session) : null;
      if (next) res = await send(method, path, body, next, opts.signal, opts.accept);
      if (!next || (await refused(res))) store.save(null);
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  async function request<T>(method: Method, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const res = await answer(method, path, body, opts);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  async function download(path: string, opts: RequestOptions = {}): Promise<Download> {
    const res = await answer("GET", path, undefined, opts);
    return { blob: await res.blob(), fileName: fileNameOf(res.headers.get("content-disposition")) };
  }

  function open(path: string, opts: { signal?: AbortSignal; accept?: string } = {}): Promise<Response> {
    return answer("GET", path, undefined, { signal: opts.signal, accept: opts.accept ?? "text/event-stream" });
  }

  return { request, download, open, store };
}

/** The file name a `Content-Disposition` header gives (`filename="…"` or `filename*=UTF-8''…`). */
export function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = disposition.match(/filename\*\s*=\s*UTF-8''([^;]+)/i);
  if (star) {
    try {
      return decodeURIComponent((star[1] ?? "").trim());
    } catch {
      // Not percent-encoded as it says: take the plain name.
    }
  }
  const plain = disposition.match(/filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i);
  const name = (plain?.[1] ?? plain?.[2])?.trim();
  return name ? name : null;
}
