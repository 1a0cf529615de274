// A real `sluice serve` for the browser tests: a fresh data directory, free ports,
// ready once /health answers; stopped by its PID.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

/** How long serve may take to answer /health: a cold start on a busy machine is slow. */
const READY_TIMEOUT_MS = 180_000;

export interface Sluice {
  /** The API's own port. */
  api: string;
  /** The console's port (the API's paths answer there too). */
  console: string;
  /** The operator token serve prints (an admin's). */
  token: string;
  stop(): Promise<void>;
}

export function sluiceBinary(): string {
  if (process.env.SLUICE_BIN) return resolve(process.env.SLUICE_BIN);
  const target = process.env.CARGO_TARGET_DIR ?? fileURLToPath(new URL("../../target", import.meta.url));
  return join(target, "debug", "sluice");
}

/** Starts serve; `args` go after `serve` (`--requests-per-minute`, say). */
export async function startSluice(args: string[] = []): Promise<Sluice> {
  const data = mkdtempSync(join(tmpdir(), "sluice-console-e2e-"));
  const child: ChildProcess = spawn(
    sluiceBinary(),
    ["--data-dir", join(data, "data"), "serve", "--host", "127.0.0.1", "--port", "0", "--console-port", "0", ...args],
    { env: { ...process.env, RUST_LOG: "warn" }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(data, { recursive: true, force: true });
  };
  try {
    const printed = await new Promise<{ api: string; console: string; token: string }>((resolveUrls, reject) => {
      const found: { api?: string; console?: string; token?: string } = {};
      const timer = setTimeout(() => reject(new Error("sluice serve printed no URLs in time")), READY_TIMEOUT_MS);
      child.once("exit", (code) => reject(new Error(`sluice serve exited (${code}) before it was ready`)));
      child.once("error", reject);
      const stdout = child.stdout;
      if (!stdout) return reject(new Error("no stdout"));
      createInterface({ input: stdout }).on("line", (line) => {
        found.api ??= line.match(/^Sluice is listening on (\S+)/)?.[1];
        found.console ??= line.match(/^console:\s+(\S+)/)?.[1];
        found.token ??= line.match(/^export TOKEN=(\S+)/)?.[1];
        if (found.api && found.console && found.token) {
          clearTimeout(timer);
          resolveUrls(found as { api: string; console: string; token: string });
        }
      });
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      try {
        if ((await fetch(`${printed.console}/health`)).ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error("sluice serve's /health did not answer in time");
      await new Promise((r) => setTimeout(r, 250));
    }
    return { ...printed, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A JSON request to the API with a bearer token; throws on an error status. */
export async function call<T = any>(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
