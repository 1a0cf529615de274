// Sources and destinations: forms drawn from their specs, secret fields write-only
// (never shown back, kept unless typed), connection tests with their reasons.
import { expect, test } from "@playwright/test";
import { call, startSluice, type Sluice } from "./sluice";
import { checkBothThemes, signInWithToken } from "./helpers";

let sluice: Sluice;
const SECRET = "s3cret-value-never-shown";

test.beforeAll(async () => {
  sluice = await startSluice();
});

test.afterAll(async () => {
  await sluice?.stop();
});

test("a source from its spec keeps its secret write-only and tests with a reason", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await signInWithToken(page, sluice);
  await page.getByRole("link", { name: "Sources" }).click();
  await expect(page.getByRole("heading", { name: "No sources yet" })).toBeVisible();
  await checkBothThemes(page, "sources-empty");
  await page.getByRole("link", { name: "New source" }).click();
  await page.getByLabel("Connector").selectOption({ label: "HTTP JSON API" });
  await page.getByLabel("Title").fill("Closed port API");
  // A required field left empty is said beside it before anything is sent.
  await page.getByRole("button", { name: "Create source" }).click();
  await expect(page.getByLabel(/^Base url/)).toHaveAccessibleDescription(/is required/);
  await page.getByLabel(/^Base url/).fill("http://127.0.0.1:9/api");
  const secret = page.getByLabel(/^Auth value/);
  await expect(secret).toHaveAttribute("type", "password");
  await secret.fill(SECRET);
  await checkBothThemes(page, "source-new");
  await page.getByRole("button", { name: "Create source" }).click();
  await expect(page.getByRole("heading", { name: "Closed port API" })).toBeVisible();

  // Never shown back: not in the field, not in the page, masked by the API.
  await expect(page.getByLabel(/^Auth value/)).toHaveValue("");
  await expect(page.getByLabel(/^Auth value/)).toHaveAttribute("placeholder", "Stored; type to replace");
  expect(await page.content()).not.toContain(SECRET);
  const sources = await call(sluice.api, sluice.token, "GET", "/v1/sources");
  expect(JSON.stringify(sources)).not.toContain(SECRET);

  // The test says why it failed.
  await page.getByRole("button", { name: "Test connection" }).click();
  const result = page.getByTestId("test-result");
  await expect(result).toContainText("Connection failed.");
  await expect(result.locator("li").first()).toContainText(/reachable: .+/);
  await checkBothThemes(page, "source-detail");

  // A change without typing the secret keeps it; the source still carries one.
  await page.getByLabel("Title").fill("Closed port API v2");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { name: "Closed port API v2" })).toBeVisible();
  const stored = await call(sluice.api, sluice.token, "GET", `/v1/sources/${sources.items[0].id}`);
  expect(stored.config.auth_value).toBe("********");
});

test("a destination from its kind's spec: the API's refusal beside the field, and its test", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await signInWithToken(page, sluice);
  await page.getByRole("link", { name: "Destinations" }).click();
  await page.getByRole("link", { name: "New destination" }).click();
  await page.getByLabel("Kind").selectOption({ label: "Webhook" });
  await page.getByLabel("Title").fill("Hook");
  const url = page.getByLabel(/^Url/);
  await expect(url).toHaveAttribute("type", "password");
  await url.fill("ftp://example.com/hook");
  await page.getByRole("button", { name: "Create destination" }).click();
  await expect(url).toHaveAccessibleDescription(/must be an http\(s\) URL/);
  await checkBothThemes(page, "destination-new");

  // A file export: written and removed by its test.
  await page.getByLabel("Kind").selectOption({ label: "File export" });
  await page.getByLabel("Title").fill("Weekly files");
  await page.getByLabel(/^Folder/).fill("weekly");
  await page.getByRole("button", { name: "Create destination" }).click();
  await expect(page.getByRole("heading", { name: "Weekly files" })).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connection works.");
  await expect(page.getByTestId("test-result")).toContainText("writable");
  await checkBothThemes(page, "destination-detail");
  await page.getByRole("link", { name: "← Destinations" }).click();
  await expect(page.getByRole("link", { name: "Weekly files" })).toBeVisible();
  await checkBothThemes(page, "destinations");
});

test("connector marks: GitHub's dark one inverted in dark mode only, a coloured one never", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await signInWithToken(page, sluice);
  await page.getByRole("link", { name: "Sources" }).click();
  await page.getByRole("link", { name: "New source" }).click();
  const filterOf = (name: string) => page.locator(`svg.logo[data-logo="${name}"]`).evaluate((el) => getComputedStyle(el).filter);

  await page.getByLabel("Connector").selectOption({ label: "GitHub" });
  const github = page.locator('svg.logo[data-logo="github"]');
  await expect(github).toBeVisible();
  await expect(github).toHaveAttribute("aria-hidden", "true");
  expect(await filterOf("github")).toBe("none");
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await filterOf("github")).toBe("invert(1)");
  await checkBothThemes(page, "source-new-github");

  // A coloured mark stays as it is in both themes.
  await page.getByLabel("Connector").selectOption({ label: "HTTP JSON API" });
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator("html")).toHaveAttribute("data-theme", scheme);
    expect(await filterOf("http_json"), scheme).toBe("none");
  }

  // The list shows each source's mark beside its connector's name.
  await page.emulateMedia({ colorScheme: "light" });
  await call(sluice.api, sluice.token, "POST", "/v1/sources", {
    title: "Public holidays",
    connector: "openholidays",
    config: { countries: ["DE"], start_date: "2026-01-01" },
  });
  await page.getByRole("link", { name: "← Sources" }).click();
  const row = page.getByRole("row", { name: /Public holidays/ });
  await expect(row.locator('svg.logo[data-logo="openholidays"]')).toBeVisible();
  await checkBothThemes(page, "sources-with-logos");
});
