// What the browser suites share: signing in with the operator's token,
// axe on a page, and light and dark screenshots of it.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import type { Sluice } from "./sluice";

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
