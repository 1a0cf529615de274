// The run monitor in Chromium against a real `sluice serve`: a `files` data mart
// made through the API runs; its job card links to the monitor, which follows it
// through the push channel (server-sent events, no polling) from paused, through
// resume, to 100%. Axe checks the monitor in light and dark mode, with
// screenshots; the time from the server publishing a run event to the DOM
// showing it is a figure (test-results/figures.json), printed, not asserted.
import { expect, test } from "@playwright/test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { checkBothThemes, publishedFilesMart, SHOTS } from "./helpers";
import { call, startSluice, type Sluice } from "./sluice";

const ROWS = 30_000;

let sluice: Sluice;

test.beforeAll(async () => {
  sluice = await startSluice();
});

test.afterAll(async () => {
  await sluice?.stop();
});

/** A published `files` data mart over one uploaded file of `ROWS` orders, a chunk per 100 rows. */
async function filesMart(title: string): Promise<string> {
  return publishedFilesMart(sluice, {
    title,
    folder: "monitored",
    rows: Array.from({ length: ROWS }, (_, i) => ({ order_id: i + 1, qty: String((i + 1) % 7), note: "x".repeat(40) })),
    columns: [
      { target: "id", source: "order_id", cast: "int" },
      { target: "qty", source: "qty", cast: "int", default: 0 },
    ],
    pipeline: { batch_size: 100, parallelism: 1, error_policy: "skip_and_log", write_mode: "append" },
  });
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

test("a files mart's run is followed live from its job card to 100%, pushed by the server", async ({ page }) => {
  const martId = await filesMart("Monitored orders");
  // Started and paused at once through the API: the monitor opens on a run
  // that waits, and its own Resume button sets it going.
  const run = await call(sluice.api, sluice.token, "POST", `/v1/data-marts/${martId}/runs`, {});
  await call(sluice.api, sluice.token, "POST", `/v1/runs/${run.id}/pause`);

  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(`${sluice.console}/sign-in`);
  await page.getByRole("button", { name: "Use a token instead" }).click();
  await page.getByLabel("Token or API key").fill(sluice.token);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/data-marts$/);

  // Polls of the run would show in the page's requests: there must be none.
  const polls: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === `/v1/runs/${run.id}`) polls.push(r.url());
  });

  const card = page.getByRole("article", { name: "Monitored orders", exact: true });
  await expect(card.getByTestId("last-run")).toContainText("Paused");
  await card.getByRole("link", { name: "Monitor", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${run.id}$`));
  await expect(page.getByRole("heading", { name: "Run monitor" })).toBeVisible();
  await expect(page.getByTestId("transport")).toHaveText("Live: pushed by the server");
  await expect(page.getByTestId("run-status")).toHaveText("Paused");
  await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Pause" })).toHaveCount(0);
  // The controls are reached from the keyboard.
  await page.getByRole("button", { name: "Resume" }).focus();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Cancel" })).toBeFocused();
  await checkBothThemes(page, "run-monitor-paused");

  // Each state the DOM shows: how long after the server published its event.
  await page.evaluate(() => {
    const w = window as unknown as { __latencies: number[]; __percents: string[] };
    w.__latencies = [];
    w.__percents = [];
    const bar = document.querySelector('[data-testid="run-progress"]');
    if (!bar) throw new Error("no progress bar");
    new MutationObserver(() => {
      const at = Date.parse(bar.getAttribute("data-event-at") ?? "");
      const pushed = document.querySelector('[data-testid="transport"]')?.textContent?.includes("pushed");
      if (Number.isFinite(at) && pushed !== false) w.__latencies.push(Date.now() - at);
      w.__percents.push(document.querySelector('[data-testid="run-percent"]')?.textContent ?? "");
    }).observe(bar, { attributes: true, attributeFilter: ["data-event-at"] });
  });

  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByTestId("run-percent")).toHaveText("100%", { timeout: 120_000 });
  await expect(page.getByTestId("run-status")).toHaveText("Succeeded");
  await expect(page.getByTestId("rows-written")).toHaveText(new Intl.NumberFormat("en-US").format(ROWS));
  await expect(page.getByRole("progressbar", { name: "Run progress" })).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByTestId("transport")).toHaveText("Run over: not following");
  await expect(page.getByRole("img", { name: "Rows per second over time" })).toBeVisible();
  await expect(page.getByTestId("timeline")).toContainText("finalize");
  await expect(page.getByRole("button", { name: "Retry" })).toHaveCount(0);

  const seen = await page.evaluate(() => {
    const w = window as unknown as { __latencies: number[]; __percents: string[] };
    return { latencies: w.__latencies, percents: w.__percents };
  });
  // Live: the states came one after another on the pushed channel, never by polling.
  expect(polls).toEqual([]);
  expect(seen.percents.length).toBeGreaterThan(2);
  expect(seen.percents[seen.percents.length - 1]).toBe("100%");
  await checkBothThemes(page, "run-monitor-done");
  // On a phone: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId("run-percent")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await page.screenshot({ path: `${SHOTS}/run-monitor-done-narrow-light.png`, fullPage: true });

  const figure = {
    updates: seen.latencies.length,
    median_ms: median(seen.latencies),
    p90_ms: percentile(seen.latencies, 90),
    max_ms: seen.latencies.length ? Math.max(...seen.latencies) : null,
  };
  mkdirSync("test-results", { recursive: true });
  const file = "test-results/figures.json";
  const figures = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  figures.run_event_to_screen = figure;
  writeFileSync(file, JSON.stringify(figures, null, 2) + "\n");
  console.log(
    `run event → screen over the push channel: median ${figure.median_ms} ms, p90 ${figure.p90_ms} ms, max ${figure.max_ms} ms (${figure.updates} updates)`,
  );
});

test("a run whose glob finds no file says so in the monitor's run log", async ({ page }) => {
  const martId = await publishedFilesMart(sluice, {
    title: "Misnamed orders",
    folder: "misnamed",
    rows: [{ order_id: 1 }],
    columns: [{ target: "id", source: "order_id", cast: "int" }],
    pipeline: { batch_size: 100, parallelism: 1 },
    stream: "*.csv",
  });
  const run = await call(sluice.api, sluice.token, "POST", `/v1/data-marts/${martId}/runs`, {});
  await page.goto(`${sluice.console}/sign-in`);
  await page.getByRole("button", { name: "Use a token instead" }).click();
  await page.getByLabel("Token or API key").fill(sluice.token);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/data-marts$/);
  await page.goto(`${sluice.console}/runs/${run.id}`);
  await expect(page.getByTestId("run-status")).toHaveText("Succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("rows-written")).toHaveText("0");
  const log = page.getByRole("region", { name: "Run log" });
  await expect(log.getByTestId("run-log")).toContainText("*.csv");
  await expect(log.getByTestId("run-log")).toContainText("No file matches `*.csv` at the source's location: nothing to land.");
});
