// The data mart wizard against a real `sluice serve`: a files source over an
// uploaded CSV, made from its spec's form; the six steps; a bad cron answered by the
// API beside the field; the run's progress reaching 100%; the query's rows; the
// trigger made in step 4 on the data mart's job card. Axe and light and dark
// screenshots on every step.
import { expect, test } from "@playwright/test";
import { call, startSluice, type Sluice } from "./sluice";
import { checkBothThemes, signInWithToken } from "./helpers";

let sluice: Sluice;

test.beforeAll(async () => {
  sluice = await startSluice();
});

test.afterAll(async () => {
  await sluice?.stop();
});

test("the wizard makes a data mart from a files source, runs it and schedules it", async ({ page }) => {
  test.setTimeout(300_000);
  const csv = "order_id,customer,amount\n1,ann,10.5\n2,bob,20\n3,cy,7.25\n";
  const put = await fetch(`${sluice.api}/v1/files/wizard/orders.csv`, {
    method: "PUT",
    headers: { authorization: `Bearer ${sluice.token}` },
    body: csv,
  });
  expect(put.status, await put.text()).toBeLessThan(300);

  await page.emulateMedia({ colorScheme: "light" });
  await signInWithToken(page, sluice);

  // The source, from the files connector's spec.
  await page.getByRole("link", { name: "Sources" }).click();
  await page.getByRole("link", { name: "New source" }).click();
  await page.getByLabel("Connector").selectOption({ label: "Files (CSV, NDJSON, Parquet)" });
  await page.getByLabel("Title").fill("Orders files");
  await page.getByLabel("Location").fill("store://wizard/");
  await page.getByLabel("Format").selectOption("csv");
  await page.getByRole("button", { name: "Create source" }).click();
  await expect(page.getByRole("heading", { name: "Orders files" })).toBeVisible();

  // Step 1: the source, a storage, the stream.
  await page.getByRole("link", { name: "Data marts" }).click();
  await page.getByRole("link", { name: "New data mart" }).click();
  await expect(page.getByRole("heading", { name: "New data mart" })).toBeVisible();
  await page.getByLabel("Source", { exact: true }).selectOption({ label: "Orders files (files)" });
  await page.getByRole("button", { name: "Create a local storage" }).click();
  await expect(page.getByLabel("Storage")).toHaveValue(/.+/);
  await page.getByRole("checkbox", { name: /orders\.csv/ }).check();
  await page.getByLabel("Title of the data mart from orders.csv").fill("Wizard orders");
  await checkBothThemes(page, "wizard-1-source");
  await page.getByRole("button", { name: "Next" }).click();

  // Step 2: the suggested mapping, and one more column by clicking a source then a target.
  await expect(page.getByRole("heading", { name: "Column mapping", level: 2 })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Target order_id/ })).toBeVisible();
  await page.getByLabel("New target column").fill("buyer");
  await page.getByRole("button", { name: "Add column" }).click();
  await page.getByRole("button", { name: /^customer/ }).click();
  await page.getByRole("button", { name: "Target buyer: connect customer to it" }).click();
  await expect(page.getByRole("button", { name: /^Target buyer/ })).toContainText("← customer");
  await page.getByLabel("Operation").selectOption("upper");
  await page.getByRole("button", { name: "Add operation" }).click();
  await expect(page.locator(".ops")).toContainText("upper");
  await checkBothThemes(page, "wizard-2-mapping");
  await page.getByRole("button", { name: "Next" }).click();

  // Step 3: pipeline settings.
  await expect(page.getByRole("heading", { name: "Pipeline settings", level: 2 })).toBeVisible();
  await page.getByLabel("Error policy").selectOption("skip_and_log");
  await checkBothThemes(page, "wizard-3-pipeline");
  await page.getByRole("button", { name: "Next" }).click();

  // Step 4: a bad cron is the API's message beside the field; then a good one.
  await expect(page.getByRole("heading", { name: "Schedule", level: 2 })).toBeVisible();
  await page.getByLabel("On a schedule").check();
  await page.getByLabel("Cron", { exact: true }).fill("61 * * * *");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByLabel("Cron", { exact: true })).toHaveAccessibleDescription(/61 is out of range 0-59/);
  await expect(page.getByRole("heading", { name: "Schedule", level: 2 })).toBeVisible();
  const at = new Date(Date.now() + 40 * 60_000);
  const cron = `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
  await page.getByLabel("Time zone").selectOption("UTC");
  await page.getByLabel("Cron", { exact: true }).fill(cron);
  await expect(page.getByTestId("cron-description")).toHaveText(`At ${String(at.getUTCHours()).padStart(2, "0")}:${String(at.getUTCMinutes()).padStart(2, "0")}`);
  await expect(page.getByTestId("next-fires").locator("li")).toHaveCount(5);
  await checkBothThemes(page, "wizard-4-schedule");
  await page.getByRole("button", { name: "Next" }).click();

  // Step 5: rows before and after, side by side, and the graph of the stages.
  await expect(page.getByRole("heading", { name: "Preview", level: 2 })).toBeVisible();
  await expect(page.getByRole("img", { name: "Stages of a run of Wizard orders" })).toBeVisible();
  const after = page.getByRole("table", { name: "After: the data mart's rows" });
  await expect(after).toContainText("ANN");
  await expect(page.getByRole("table", { name: "Before: source rows" })).toContainText("ann");
  await checkBothThemes(page, "wizard-5-preview");
  await page.getByRole("button", { name: "Continue to publish" }).click();

  // Step 6: publish and run; the progress reaches 100% and the rows are queried.
  // The run monitor follows the run on the push channel: no poll of the run is made.
  const polls: string[] = [];
  page.on("request", (r) => {
    if (/^\/v1\/runs\/[^/]+$/.test(new URL(r.url()).pathname)) polls.push(r.url());
  });
  await page.getByRole("button", { name: "Publish and run" }).click();
  const progress = page.getByRole("progressbar", { name: "Run progress" });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("aria-valuenow", "100", { timeout: 120_000 });
  await expect(page.getByTestId("run-status")).toHaveText("Succeeded");
  expect(polls).toEqual([]);
  const rows = page.getByRole("table", { name: "Wizard orders: the first rows landed" });
  await expect(rows).toContainText("BOB");
  await expect(rows.locator("tbody tr")).toHaveCount(3);
  await checkBothThemes(page, "wizard-6-run");

  // The trigger of step 4, on the job card.
  await page.getByRole("link", { name: "Go to the data marts" }).click();
  const card = page.getByRole("article", { name: "Wizard orders", exact: true });
  await expect(card).toContainText("Published");
  await expect(card.getByTestId("next-run")).toContainText(cron);
  const marts = await call(sluice.api, sluice.token, "GET", "/v1/data-marts");
  const mart = marts.items.find((m: { title: string }) => m.title === "Wizard orders");
  const triggers = await call(sluice.api, sluice.token, "GET", `/v1/triggers?target_id=${mart.id}`);
  expect(triggers.items.map((t: { cron: string; timezone: string }) => [t.cron, t.timezone])).toEqual([[cron, "UTC"]]);
});
