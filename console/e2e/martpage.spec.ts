// A data mart's page, its SQL editor and the reports in Chromium against a real
// `sluice serve`: a files-source mart made and run through the API; its page shows
// the definition, the schema (an alias and a description edited and saved), the run
// in the runs chart, the source in the lineage graph; the SQL editor runs a query,
// pages through it and downloads it as CSV (the file's contents checked); a report
// built in the report builder with a destination is run, and its history shows the
// run, whose file downloads. Axe checks every page in light and dark mode, each
// saved as a screenshot.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { checkBothThemes, expectAccessible, publishedFilesMart, SHOTS } from "./helpers";
import { call, startSluice, type Sluice } from "./sluice";

/** Rows in the mart's file: more than two pages of 25. */
const ROWS = 60;

let sluice: Sluice;
let martId: string;
let runId: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  sluice = await startSluice();
  martId = await createMart("Orders");
  runId = (await call(sluice.api, sluice.token, "POST", `/v1/data-marts/${martId}/runs`, {})).id;
  // Run to its end through the API, asked once a second.
  for (;;) {
    const run = await call(sluice.api, sluice.token, "GET", `/v1/runs/${runId}`);
    if (run.status === "succeeded") break;
    if (!["queued", "running"].includes(run.status)) throw new Error(`the run ended ${run.status}: ${run.error}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
});

test.afterAll(async () => {
  await sluice?.stop();
});

test.beforeEach(async ({ page }) => {
  // Signed in with the operator's token (an admin of the default project).
  await page.addInitScript((token) => {
    if (!localStorage.getItem("sluice.session")) {
      localStorage.setItem("sluice.session", JSON.stringify({ accessToken: token, refreshToken: null }));
    }
  }, sluice.token);
  await page.emulateMedia({ colorScheme: "light" });
});

/** A published `files` data mart over ROWS uploaded rows (`id` 1…ROWS, `qty` id × 2). */
async function createMart(title: string): Promise<string> {
  return publishedFilesMart(sluice, {
    title,
    folder: "orders",
    rows: Array.from({ length: ROWS }, (_, i) => ({ order_id: i + 1, qty: String((i + 1) * 2) })),
    columns: [
      { target: "id", source: "order_id", cast: "int" },
      { target: "qty", source: "qty", cast: "int" },
    ],
    pipeline: { error_policy: "fail_fast", write_mode: "append" },
    sourceTitle: "Order files",
    description: "Orders from the shop's nightly files.",
  });
}

test("a data mart's page shows its definition, saves field notes, charts its runs and draws its lineage", async ({ page }) => {
  // From the job card's title to the mart's page.
  await page.goto(`${sluice.console}/data-marts`);
  await page.getByRole("link", { name: "Orders", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/data-marts/${martId}$`));
  await expect(page.getByRole("heading", { level: 1, name: "Orders" })).toBeVisible();
  await expect(page.getByText("From the source Order files")).toBeVisible();
  await expect(page.getByRole("cell", { name: "order_id" })).toBeVisible();
  await expect(page.getByLabel("Description")).toHaveValue("Orders from the shop's nightly files.");
  await checkBothThemes(page, "mart-overview");

  // The schema: statuses shown, an alias and a description edited and saved.
  await page.getByRole("navigation", { name: "Data mart" }).getByRole("link", { name: "Schema" }).click();
  await expect(page).toHaveURL(/\/schema$/);
  const qty = page.getByRole("row", { name: /^qty/ });
  await expect(qty.getByRole("cell").first()).toHaveText("int");
  await expect(qty.locator(".status")).toHaveText(/New|Connected/);
  await page.getByLabel("Alias of qty").fill("Quantity");
  await page.getByLabel("Description of qty").fill("Units ordered");
  await page.getByRole("button", { name: "Save 1 field" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  const saved = await call(sluice.api, sluice.token, "GET", `/v1/data-marts/${martId}`);
  const field = saved.schema.find((f: { name: string }) => f.name === "qty");
  expect([field.alias, field.description]).toEqual(["Quantity", "Units ordered"]);
  // A taken alias is refused beside its field, and nothing is saved.
  await page.getByLabel("Alias of id").fill("qty");
  await page.getByRole("button", { name: "Save 1 field" }).click();
  await expect(page.getByRole("row", { name: /^id/ }).getByRole("alert")).toContainText("already names another field");
  await page.getByRole("button", { name: "Discard" }).click();
  await page.reload();
  await expect(page.getByLabel("Alias of qty")).toHaveValue("Quantity");
  await expect(page.getByLabel("Description of qty")).toHaveValue("Units ordered");
  await expect(page.getByLabel("Alias of id")).toHaveValue("");
  await checkBothThemes(page, "mart-schema");

  // The runs: the chart has the run's bar, the list links to its monitor.
  await page.getByRole("navigation", { name: "Data mart" }).getByRole("link", { name: "Runs" }).click();
  const chart = page.getByRole("img", { name: /Duration and rows written of the last 1 runs/ });
  await expect(chart).toBeVisible();
  await expect(chart.locator(`rect.bar.ok[data-run="${runId}"]`)).toHaveCount(1);
  await expect(chart.locator("desc")).toContainText(`Succeeded`);
  await expect(chart.locator("desc")).toContainText(`${ROWS} rows`);
  await expect(page.getByRole("link", { name: runId })).toHaveAttribute("href", `/runs/${runId}`);
  await checkBothThemes(page, "mart-runs");

  // Triggers: a schedule added; backfills: the form.
  await page.getByRole("navigation", { name: "Data mart" }).getByRole("link", { name: "Triggers" }).click();
  await page.getByLabel("Cron or preset").fill("30 6 * * *");
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByRole("button", { name: "Add schedule" }).click();
  await expect(page.getByRole("heading", { name: /30 6 \* \* \*/ })).toBeVisible();
  await checkBothThemes(page, "mart-triggers");
  await page.getByRole("navigation", { name: "Data mart" }).getByRole("link", { name: "Backfills" }).click();
  await expect(page.getByRole("button", { name: "Start backfill" })).toBeEnabled();
  await checkBothThemes(page, "mart-backfills");

  // The lineage: the source feeds the mart.
  await page.getByRole("navigation", { name: "Data mart" }).getByRole("link", { name: "Lineage" }).click();
  const graph = page.getByRole("group", { name: "Lineage of Orders" });
  await expect(graph.getByRole("img", { name: "Source: Order files" })).toBeVisible();
  await expect(graph.getByRole("img", { name: "This data mart: Orders" })).toBeVisible();
  await expect(graph.locator("path.edge")).toHaveCount(1);
  await expect(page.locator(".lineage-words")).toContainText("Source Order files → this data mart Orders");
  await checkBothThemes(page, "mart-lineage");
});

test("the SQL editor runs a query, pages through its rows and downloads them as CSV", async ({ page }) => {
  await page.goto(`${sluice.console}/data-marts/${martId}`);
  await page.getByRole("link", { name: "SQL editor" }).click();
  await expect(page).toHaveURL(new RegExp(`/data-marts/${martId}/sql$`));
  const editor = page.getByLabel("Query", { exact: true });
  await editor.fill("");
  // Typed from the keyboard: Enter keeps the indentation, Tab indents.
  await editor.pressSequentially("SELECT id,");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await editor.pressSequentially("qty");
  await page.keyboard.press("Enter");
  await editor.pressSequentially("FROM ${DATA_MART_TABLE} ORDER BY id");
  await expect(editor).toHaveValue("SELECT id,\n  qty\n  FROM ${DATA_MART_TABLE} ORDER BY id");
  await page.getByLabel("Rows per page").selectOption("25");
  // Ctrl+Enter runs it.
  await editor.focus();
  await page.keyboard.press("Control+Enter");
  const grid = page.getByRole("region", { name: "Result rows" });
  await expect(page.getByText("Rows 1–25 · page 1")).toBeVisible();
  await expect(grid.getByRole("row")).toHaveCount(26);
  await expect(grid.getByRole("row").nth(1)).toContainText("12");
  await checkBothThemes(page, "sql-editor");

  await page.getByRole("button", { name: "Next page" }).click();
  await expect(page.getByText("Rows 26–50 · page 2")).toBeVisible();
  await expect(grid.getByRole("row").nth(1).getByRole("cell").nth(1)).toHaveText("26");
  await page.getByRole("button", { name: "Next page" }).click();
  await expect(page.getByText(`Rows 51–${ROWS} of ${ROWS} · page 3`)).toBeVisible();
  await expect(page.getByRole("button", { name: "Next page" })).toBeDisabled();
  await page.getByRole("button", { name: "Previous page" }).click();
  await expect(page.getByText("Rows 26–50 · page 2")).toBeVisible();

  // The whole result, not the page shown.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^orders-.*\.csv$/);
  const csv = readFileSync(await download.path(), "utf8");
  const lines = csv.split("\r\n");
  expect(lines[0]).toBe("id,qty");
  expect(lines.slice(1, -1)).toEqual(Array.from({ length: ROWS }, (_, i) => `${i + 1},${(i + 1) * 2}`));
  expect(lines.at(-1)).toBe("");
  await expect(page.getByText(`Downloaded ${ROWS} rows as CSV.`)).toBeVisible();

  // A query the engine refuses says why.
  await editor.fill("DELETE FROM ${DATA_MART_TABLE}");
  await page.getByRole("button", { name: "Run query" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
});

test("a report built in the builder is run, its history shows the run, and its file downloads", async ({ page }) => {
  const dest = await call(sluice.api, sluice.token, "POST", "/v1/destinations", {
    title: "Exports",
    kind: "object_export",
    config: { folder: "weekly", format: "csv", file_name: "big-orders-{run}" },
  });
  await page.goto(`${sluice.console}/reports`);
  await expect(page.getByRole("heading", { name: "No reports yet" })).toBeVisible();
  await checkBothThemes(page, "reports-empty");

  // From the mart's reports section to the builder, the mart chosen.
  await page.goto(`${sluice.console}/data-marts/${martId}/reports`);
  await page.getByRole("link", { name: "New report" }).click();
  await expect(page).toHaveURL(/\/reports\/new\?data_mart_id=/);
  await expect(page.getByLabel("Data mart")).toHaveValue(martId);
  await expect(page.getByLabel("Deliver qty")).toBeChecked();
  // Saving without a title or destination names them.
  await page.getByRole("button", { name: "Create report" }).click();
  await expect(page.getByText("needs a title", { exact: true })).toBeVisible();
  await expect(page.getByText("choose a destination", { exact: true })).toBeVisible();
  await page.getByLabel("Title").fill("Big orders");
  await page.getByLabel("Destination").selectOption(dest.id);
  // The schema's alias is offered; id delivered as "order".
  await expect(page.getByLabel("Alias of qty in the report")).toHaveValue("Quantity");
  await page.getByLabel("Alias of id in the report").fill("order");
  await page.getByRole("button", { name: "Add filter" }).click();
  await page.getByLabel("Column of filter 1").selectOption("qty");
  await page.getByLabel("Condition of filter 1").selectOption("gte");
  await page.getByLabel("Value of filter 1").fill("100");
  await page.getByRole("button", { name: "Add sort" }).click();
  await page.getByLabel("Sort 1 by").selectOption("order");
  await page.getByLabel("Direction of sort 1").selectOption("desc");
  await page.getByLabel("At most (rows)").fill("5");
  await checkBothThemes(page, "report-builder");
  await page.getByRole("button", { name: "Create report" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Big orders" })).toBeVisible();
  const reportId = page.url().split("/").pop() ?? "";
  const saved = await call(sluice.api, sluice.token, "GET", `/v1/reports/${reportId}`);
  expect(saved.output).toMatchObject({
    columns: [
      { column: "id", alias: "order" },
      { column: "qty", alias: "Quantity" },
    ],
    filters: [{ column: "qty", op: "gte", value: 100 }],
    sort: [{ column: "order", descending: true }],
    limit: 5,
  });

  // Run now: the history shows the run, succeeded, with its rows.
  await page.getByRole("button", { name: "Run now" }).click();
  const history = page.getByTestId("report-runs");
  await expect(history.getByRole("row")).toHaveCount(2);
  await expect(history.getByRole("row").nth(1)).toContainText("Succeeded", { timeout: 120_000 });
  await expect(history.getByRole("row").nth(1)).toContainText("5");
  await expect(history.getByRole("row").nth(1)).toContainText(/weekly\/big-orders-.*\.csv/);
  await checkBothThemes(page, "report-page");

  // Its file: the five largest orders of qty ≥ 100, under the report's names.
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    history.getByRole("button", { name: "Download" }).click(),
  ]);
  const text = readFileSync(await file.path(), "utf8").trim().split(/\r?\n/);
  expect(text[0]).toBe("order,Quantity");
  expect(text.slice(1)).toEqual(["60,120", "59,118", "58,116", "57,114", "56,112"]);

  // The report is listed, in the mart's lineage too.
  await page.goto(`${sluice.console}/reports`);
  await expect(page.getByRole("link", { name: "Big orders" })).toBeVisible();
  await checkBothThemes(page, "reports");
  await page.goto(`${sluice.console}/data-marts/${martId}/lineage`);
  const graph = page.getByRole("group", { name: "Lineage of Orders" });
  await expect(graph.getByRole("link", { name: "Report: Big orders" })).toBeVisible();
  await expect(graph.getByRole("img", { name: "Destination: Exports" })).toBeVisible();
  // The report's node is reached from the keyboard and opens it.
  await graph.getByRole("link", { name: "Report: Big orders" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/reports/${reportId}$`));
});

test("the pages fit a phone's width", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [
    [`/data-marts/${martId}/schema`, "mart-schema-narrow"],
    [`/data-marts/${martId}/sql`, "sql-editor-narrow"],
    ["/reports/new", "report-builder-narrow"],
  ] as const) {
    await page.goto(`${sluice.console}${path}`);
    await expect(page.locator("main h1")).toBeVisible();
    // Nothing but the tables' own scrollers is wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
    await expectAccessible(page, name);
    await page.screenshot({ path: `${SHOTS}/${name}-light.png`, fullPage: true });
  }
});
