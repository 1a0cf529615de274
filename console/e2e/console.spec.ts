// The console in Chromium against a real `sluice serve`: the first user signs up,
// signs out and in again; a data mart made through the API shows as a job card;
// run now lands a run; the schedule is disabled and enabled; a failed run is
// force-retried; a lost access token is refreshed; a pasted token signs in. Axe
// checks every page in light and dark mode, and each is saved as a screenshot.
import { expect, test, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { checkBothThemes, expectAccessible, publishedFilesMart, SHOTS } from "./helpers";
import { call, sluiceBinary, startSluice, type Sluice } from "./sluice";

const EMAIL = "owner@example.com";
const PASSWORD = "correct horse battery";

let sluice: Sluice;

// One server for the file, its tests in order: each goes on from the one before.
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  sluice = await startSluice();
});

test.afterAll(async () => {
  await sluice?.stop();
});

/** A `files` data mart over three uploaded rows; `fail` makes its run fail on a bad value. */
async function createMart(title: string, fail = false): Promise<string> {
  return publishedFilesMart(sluice, {
    title,
    folder: title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    rows: [
      { order_id: 1, qty: "2" },
      { order_id: 2, qty: "x" },
      { order_id: 3, qty: "5" },
    ],
    columns: [
      { target: "id", source: "order_id", cast: "int" },
      fail ? { target: "qty", source: "qty", cast: "int" } : { target: "qty", source: "qty", cast: "int", default: 0 },
    ],
    pipeline: { error_policy: fail ? "fail_fast" : "skip_and_log", write_mode: "append" },
  });
}

function card(page: Page, title: string) {
  return page.getByRole("article", { name: title, exact: true });
}

test("a person signs up, runs a data mart from its job card and manages its schedule", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(sluice.console);
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("heading", { name: "Sign in to Sluice" })).toBeVisible();
  await checkBothThemes(page, "sign-in");

  // The first account of a fresh deployment.
  await page.getByRole("button", { name: "First time here? Create the first account" }).click();
  await expect(page.getByRole("heading", { name: "Create the first account" })).toBeVisible();
  await page.getByLabel("E-mail address").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/data-marts$/);
  await expect(page.getByRole("heading", { name: "No data marts yet" })).toBeVisible();
  await expect(page.getByRole("banner")).toContainText(EMAIL);
  await expect(page.getByRole("banner")).toContainText("owner");

  // Out, then in again with the password; a wrong one is refused first.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByLabel("E-mail address").fill(EMAIL);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong e-mail address or password.");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/data-marts$/);

  // A data mart, scheduled, made through the API.
  const martId = await createMart("Orders");
  // Daily, 40 minutes from now: it will not fire during the test, and its countdown
  // shows seconds.
  const at = new Date(Date.now() + 40 * 60_000);
  const cron = `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
  const trigger = await call(sluice.api, sluice.token, "POST", "/v1/triggers", {
    target_kind: "data_mart",
    target_id: martId,
    cron,
    timezone: "UTC",
  });
  await page.reload();
  const orders = card(page, "Orders");
  await expect(orders).toBeVisible();
  await expect(orders).toContainText("Published");
  await expect(orders.getByTestId("last-run")).toHaveText("Never run");
  // Counting down in minutes and seconds (a loaded machine may take a while to get here).
  await expect(orders.getByTestId("next-run")).toContainText(/in ([1-9]|[1-3]\d|40) min \d\d s/);
  await expect(orders.getByTestId("next-run")).toContainText(cron);
  await checkBothThemes(page, "data-marts");

  // The countdown counts down.
  const before = await orders.getByTestId("next-run").locator("time").textContent();
  await expect(orders.getByTestId("next-run").locator("time")).not.toHaveText(before ?? "", { timeout: 5_000 });

  // Run now: the run lands its rows.
  await orders.getByRole("button", { name: "Run now" }).click();
  await expect(orders.getByTestId("last-run")).toContainText(/Queued|Running|Succeeded/);
  await expect(orders.getByTestId("last-run")).toContainText("Succeeded", { timeout: 120_000 });
  // The row whose value is not an int is skipped and logged.
  await expect(orders.getByTestId("last-run")).toContainText("2 rows");
  const runs = await call(sluice.api, sluice.token, "GET", `/v1/data-marts/${martId}/runs`);
  expect(runs.items).toHaveLength(1);
  expect(runs.items[0].status).toBe("succeeded");

  // The schedule, off and on again.
  await orders.getByRole("button", { name: "Disable schedule" }).click();
  await expect(orders.getByTestId("next-run")).toContainText("Schedule off");
  expect((await call(sluice.api, sluice.token, "GET", `/v1/triggers/${trigger.id}`)).enabled).toBe(false);
  await orders.getByRole("button", { name: "Enable schedule" }).click();
  await expect(orders.getByTestId("next-run")).toContainText(/in \d+/);
  expect((await call(sluice.api, sluice.token, "GET", `/v1/triggers/${trigger.id}`)).enabled).toBe(true);

  // A run that fails, force-retried from its card.
  await createMart("Broken orders", true);
  await page.reload();
  const broken = card(page, "Broken orders");
  await broken.getByRole("button", { name: "Run now" }).click();
  await expect(broken.getByTestId("last-run")).toContainText("Failed", { timeout: 120_000 });
  await expect(broken).toContainText("is not a valid int");
  await checkBothThemes(page, "data-marts-failed-run");
  await broken.getByRole("button", { name: "Force retry" }).click();
  await expect(broken.getByTestId("last-run")).toContainText("attempt 2", { timeout: 120_000 });
  await expect(broken.getByTestId("last-run")).toContainText("Failed", { timeout: 120_000 });

  // The shell: the theme toggle, the sidebar collapsing, keyboard first.
  await page.getByRole("button", { name: "Switch to dark mode" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.getByRole("button", { name: "Switch to light mode" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  const sidebarToggle = page.getByRole("button", { name: "Collapse the sidebar" });
  await sidebarToggle.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Expand the sidebar" })).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("link", { name: "Data marts" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/sidebar-collapsed-light.png` });
  await expectAccessible(page, "data marts, sidebar collapsed");
  await page.getByRole("button", { name: "Expand the sidebar" }).click();
  await expect(page.getByRole("button", { name: "Collapse the sidebar" })).toHaveAttribute("aria-expanded", "true");

  // From the keyboard: the skip link first, then straight into the page.
  await page.reload();
  await expect(card(page, "Orders")).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("searchbox", { name: "Filter data marts by title" })).toBeFocused();
  await page.keyboard.type("broken");
  await expect(card(page, "Orders")).toHaveCount(0);
  await expect(card(page, "Broken orders")).toBeVisible();
});

test("an expired access token is refreshed, and a refused refresh signs out", async ({ page }) => {
  await page.goto(`${sluice.console}/sign-in`);
  await page.getByLabel("E-mail address").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/data-marts$/);
  const signedIn = await page.evaluate(() => JSON.parse(localStorage.getItem("sluice.session") ?? "null"));
  expect(signedIn.refreshToken).toBeTruthy();

  // The access token stops working; the refresh token still does.
  await page.evaluate((s) => localStorage.setItem("sluice.session", JSON.stringify({ ...s, accessToken: "expired" })), signedIn);
  await page.reload();
  await expect(card(page, "Orders")).toBeVisible();
  const refreshed = await page.evaluate(() => JSON.parse(localStorage.getItem("sluice.session") ?? "null"));
  expect(refreshed.accessToken).not.toBe("expired");
  expect(refreshed.refreshToken).not.toBe(signedIn.refreshToken);

  // A refresh token used already is refused (and ends its session): signed out.
  await page.evaluate(
    (s) => localStorage.setItem("sluice.session", JSON.stringify({ accessToken: "expired", refreshToken: s.refreshToken })),
    signedIn,
  );
  await page.reload();
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(await page.evaluate(() => localStorage.getItem("sluice.session"))).toBeNull();
});

test("a pasted token signs in, and a wrong one is refused", async ({ page }) => {
  await page.goto(`${sluice.console}/sign-in`);
  await page.getByRole("button", { name: "Use a token instead" }).click();
  await page.getByLabel("Token or API key").fill("not-a-token");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("not valid");
  await checkBothThemes(page, "sign-in-token");
  await page.getByLabel("Token or API key").fill(sluice.token);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/data-marts$/);
  await expect(card(page, "Orders")).toBeVisible();
  await expect(page.getByRole("banner")).toContainText("admin");
});

test("the console's port serves the API on its own origin, with no CORS, and the document the types come from", async () => {
  // What the types are generated from (`sluice openapi`) is what the server serves.
  const printed = JSON.parse(execFileSync(sluiceBinary(), ["openapi"], { encoding: "utf8", maxBuffer: 64 << 20 }));
  const served = await (await fetch(`${sluice.console}/openapi.json`)).json();
  expect(served).toEqual(printed);
  expect(await (await fetch(`${sluice.api}/openapi.json`)).json()).toEqual(printed);

  // The API's paths answer on the console's port as on the API's; no origin is let in.
  const me = await fetch(`${sluice.console}/v1/me`, {
    headers: { authorization: `Bearer ${sluice.token}`, origin: "https://elsewhere.example" },
  });
  expect(me.status).toBe(200);
  expect(me.headers.get("access-control-allow-origin")).toBeNull();
  expect((await fetch(`${sluice.console}/v1/me`)).status).toBe(401);

  // The app's own routes answer its page; a missing asset is a 404; the page runs only its own scripts.
  const page = await fetch(`${sluice.console}/data-marts`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="root">');
  expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  expect((await fetch(`${sluice.console}/assets/nothing-here.js`)).status).toBe(404);
});
