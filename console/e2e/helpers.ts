// What the browser suites share: signing in with the operator's token,
// axe on a page, and light and dark screenshots of it.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { call, type Sluice } from "./sluice";

export const SHOTS = "test-results/screenshots";

export async function signInWithToken(page: Page, sluice: Sluice) {
  await page.goto(`${sluice.console}/sign-in`);
  await page.getByRole("button", { name: "Use a token instead" }).click();
  await page.getByLabel("Token or API key").fill(sluice.token);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/data-marts$/);
}

/** No serious or critical accessibility violation on the page as it is. */
export async function expectAccessible(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(bad, `${what}: axe violations`).toEqual([]);
}

/** Both themes of the page: axe on each, and a screenshot of each. */
export async function checkBothThemes(page: Page, name: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator("html")).toHaveAttribute("data-theme", scheme);
    await expectAccessible(page, `${name} (${scheme})`);
    await page.screenshot({ path: `${SHOTS}/${name}-${scheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/**
 * A published `files` data mart over one uploaded NDJSON file of `rows` in
 * `folder` of the project's landing area, mapped by `columns`; its id.
 */
export async function publishedFilesMart(
  sluice: Sluice,
  o: {
    title: string;
    folder: string;
    rows: readonly unknown[];
    columns: readonly object[];
    pipeline: object;
    sourceTitle?: string;
    description?: string;
    /** The stream's glob under the folder (`*.ndjson` unless given). */
    stream?: string;
  },
): Promise<string> {
  const { api, token } = sluice;
  const storage = await call(api, token, "POST", "/v1/storages", { title: `${o.title} lake`, kind: "local" });
  const put = await fetch(`${api}/v1/files/${o.folder}/orders.ndjson`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}` },
    body: o.rows.map((r) => JSON.stringify(r) + "\n").join(""),
  });
  expect(put.status, await put.text()).toBeLessThan(300);
  const source = await call(api, token, "POST", "/v1/sources", {
    title: o.sourceTitle ?? `${o.title} files`,
    connector: "files",
    config: { location: `store://${o.folder}/`, format: "ndjson" },
  });
  const mart = await call(api, token, "POST", "/v1/data-marts", {
    title: o.title,
    storage_id: storage.id,
    ...(o.description ? { description: o.description } : {}),
  });
  await call(api, token, "PUT", `/v1/data-marts/${mart.id}/definition`, {
    kind: "connector",
    source_id: source.id,
    streams: [{ name: o.stream ?? "*.ndjson", mapping: { columns: o.columns } }],
    pipeline: o.pipeline,
  });
  await call(api, token, "POST", `/v1/data-marts/${mart.id}/publish`);
  return mart.id;
}
