// Lighthouse's performance and accessibility scores of the console's pages, in the
// distribution's Chromium against a real `sluice serve` (SLUICE_BIN, a fresh data
// directory, free ports) holding 1,000 data marts. A figure, not a test: it fetches
// Lighthouse with npx (pinned below) on first use.
//   SLUICE_BIN=../target/release/sluice node scripts/lighthouse.mjs
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "@playwright/test";

const LIGHTHOUSE = "lighthouse@12.8.2";
const MARTS = 1000;
const bin = process.env.SLUICE_BIN ?? "../target/debug/sluice";
const chrome = process.env.CHROMIUM ?? "/usr/bin/chromium";
const dir = mkdtempSync(join(tmpdir(), "sluice-lighthouse-"));

const server = spawn(bin, ["--data-dir", join(dir, "data"), "serve", "--port", "0", "--console-port", "0", "--requests-per-minute", "100000"], {
  env: { ...process.env, RUST_LOG: "warn" },
  stdio: ["ignore", "pipe", "inherit"],
});
const printed = await new Promise((resolve, reject) => {
  const found = {};
  server.once("exit", (code) => reject(new Error(`sluice serve exited (${code})`)));
  createInterface({ input: server.stdout }).on("line", (line) => {
    found.console ??= line.match(/^console:\s+(\S+)/)?.[1];
    found.token ??= line.match(/^export TOKEN=(\S+)/)?.[1];
    if (found.console && found.token) resolve(found);
  });
});
const { console: base, token } = printed;
const api = async (path, body) => {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

let browser;
try {
  const storage = await api("/v1/storages", { title: "Lake", kind: "local" });
  let next = 0;
  const worker = async () => {
    while (next < MARTS) await api("/v1/data-marts", { title: `Mart ${next++}`, storage_id: storage.id });
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  console.error(`${MARTS} data marts made`);

  // One browser with a debugging port: Lighthouse audits through it, and Playwright
  // signs it in between (a token in localStorage, which the audits keep).
  const port = 9200 + Math.floor(Math.random() * 500);
  browser = spawn(
    chrome,
    ["--headless=new", `--remote-debugging-port=${port}`, `--user-data-dir=${join(dir, "profile")}`,
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []), "about:blank"],
    { stdio: "ignore" },
  );
  for (let i = 0; ; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/json/version`).then((r) => r.ok, () => false);
    if (up) break;
    if (i > 150) throw new Error("chromium did not open its debugging port");
    await new Promise((r) => setTimeout(r, 200));
  }
  const audit = (path) => {
    const out = join(dir, "report.json");
    execFileSync(
      "npx",
      ["--yes", LIGHTHOUSE, base + path, `--port=${port}`, "--disable-storage-reset", "--quiet",
        "--only-categories=performance,accessibility", "--output=json", `--output-path=${out}`],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    const report = JSON.parse(readFileSync(out, "utf8"));
    const score = (c) => Math.round(report.categories[c].score * 100);
    const shown = (a) => report.audits[a]?.displayValue ?? "";
    const landed = new URL(report.finalDisplayedUrl).pathname;
    if (landed !== path) throw new Error(`${path} ended on ${landed}`);
    console.log(
      `${path.padEnd(12)} performance ${score("performance")}, accessibility ${score("accessibility")}` +
        ` (FCP ${shown("first-contentful-paint")}, LCP ${shown("largest-contentful-paint")},` +
        ` TBT ${shown("total-blocking-time")}, TTI ${shown("interactive")})`,
    );
  };

  // Signed out first; then signed in (a token in localStorage, kept between audits).
  audit("/sign-in");
  // Disconnected again before the next audit: a connected Playwright holds new tabs
  // until it lets them go, and the audit blocks this process.
  const cdp = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  const page = await cdp.contexts()[0].newPage();
  await page.goto(`${base}/sign-in`);
  await page.evaluate((t) => localStorage.setItem("sluice.session", JSON.stringify({ accessToken: t, refreshToken: null })), token);
  await page.close();
  await cdp.close();
  audit("/data-marts");
} finally {
  if (browser && browser.exitCode === null) {
    browser.kill("SIGTERM");
    await new Promise((r) => browser.once("exit", r));
  }
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
