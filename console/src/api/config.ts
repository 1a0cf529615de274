// The deployment's runtime settings: `/config.json` beside the console's files,
// written by scripts/deploy-console.sh on AWS (`{"live_url":"wss://…/live"}`, the
// stack's WebSocket API) and absent where `sluice serve` serves the console, whose
// own push channel is `GET /v1/runs/{id}/events`. Read once, at start.

export interface RuntimeConfig {
  /** The WebSocket API runs are followed on; `null`: the API's own event stream. */
  liveUrl: string | null;
}

const NONE: RuntimeConfig = { liveUrl: null };

/** The settings a `/config.json` body gives; anything unusable is left out. */
export function parseConfig(body: unknown): RuntimeConfig {
  if (!body || typeof body !== "object") return NONE;
  const live = (body as { live_url?: unknown }).live_url;
  if (typeof live !== "string") return NONE;
  try {
    const url = new URL(live);
    // Only a WebSocket URL, never with a credential or a query of its own.
    if ((url.protocol !== "wss:" && url.protocol !== "ws:") || url.username || url.password || url.search || url.hash) return NONE;
    return { liveUrl: url.href.replace(/\/$/, "") };
  } catch {
    return NONE;
  }
}

/** Reads `/config.json`; a deployment without one (a 404, or not JSON) has none. */
export async function fetchConfig(doFetch: typeof fetch = (i, o) => globalThis.fetch(i, o)): Promise<RuntimeConfig> {
  try {
    const res = await doFetch("/config.json", { headers: { accept: "application/json" }, cache: "no-cache" });
    if (!res.ok || !(res.headers.get("content-type") ?? "").includes("json")) return NONE;
    return parseConfig(await res.json());
  } catch {
    return NONE;
  }
}

let loaded: Promise<RuntimeConfig> | null = null;

/** The deployment's settings, read once (outside a browser: none). */
export function runtimeConfig(): Promise<RuntimeConfig> {
  loaded ??= typeof window === "undefined" ? Promise.resolve(NONE) : fetchConfig();
  return loaded;
}
