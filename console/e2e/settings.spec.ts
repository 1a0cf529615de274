// Settings and projects in Chromium against a real `sluice serve`: the owner signs
// up, makes a custom role and invites a second address as editor; the invitee
// signs up from the accept link in a browser of their own and lands in the
// project; the owner gives them the custom role over one data mart, is refused
// demoting the last owner, makes an API key (shown once), sets and removes a
// webhook, and creates a second project, switches to it and back. Axe checks each
// settings section and the accept page in light and dark mode, with screenshots.
import { expect, test, type Page } from "@playwright/test";
import { checkBothThemes } from "./helpers";
import { call, startSluice, type Sluice } from "./sluice";

const OWNER = "owner@example.com";
const INVITEE = "invitee@example.com";
const PASSWORD = "correct horse battery";

let sluice: Sluice;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  sluice = await startSluice();
});

test.afterAll(async () => {
  await sluice?.stop();
});

function session(page: Page): Promise<{ accessToken: string; refreshToken: string | null }> {
  return page.evaluate(() => JSON.parse(localStorage.getItem("sluice.session") ?? "null"));
}

function switcher(page: Page) {
  return page.getByRole("banner").getByRole("button", { name: /^Project:/ });
}

function row(page: Page, name: string) {
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", { name, exact: false }) });
}

test("the owner invites a member, manages their access and keys, and switches projects", async ({ page, browser }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(`${sluice.console}/sign-in`);
  await page.getByRole("button", { name: "First time here? Create the first account" }).click();
  await page.getByLabel("E-mail address").fill(OWNER);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/data-marts$/);

  // A data mart in the first project (a draft is enough to tell projects apart).
  const storage = await call(sluice.api, sluice.token, "POST", "/v1/storages", { title: "Lake", kind: "local" });
  await call(sluice.api, sluice.token, "POST", "/v1/data-marts", { title: "Orders", storage_id: storage.id });
  await page.reload();
  await expect(page.getByRole("article", { name: "Orders", exact: true })).toBeVisible();
  const firstProject = (await switcher(page).textContent())?.replace(/^Project:\s*/, "").replace(/\s*▾$/, "") ?? "";
  expect(firstProject).not.toBe("");

  // Settings opens on the members: the owner alone.
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings\/members$/);
  await expect(row(page, OWNER)).toContainText("owner");
  await checkBothThemes(page, "settings-members");

  // A custom role: every data-mart action.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Roles" }).click();
  await page.getByRole("button", { name: "New role" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Analyst");
  await page.getByLabel("Description (optional)").fill("Works on data marts");
  await page.getByRole("group", { name: "data-mart", exact: true }).getByRole("checkbox", { name: /^All actions/ }).check();
  await expect(page.getByText("1 picked.")).toBeVisible();
  await checkBothThemes(page, "settings-role-editor");
  await page.getByRole("button", { name: "Create role" }).click();
  await expect(row(page, "Analyst")).toContainText("data-mart:*");

  // An invitation as editor: its link is shown once.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Invitations" }).click();
  await page.getByLabel("E-mail address").fill(INVITEE);
  await page.getByLabel("Role").selectOption("editor");
  await page.getByRole("button", { name: "Invite" }).click();
  const link = await page.getByLabel("Accept link").inputValue();
  expect(link).toMatch(new RegExp(`^${sluice.console}/accept\\?token=`));
  await expect(row(page, INVITEE)).toContainText("pending");
  await checkBothThemes(page, "settings-invitations");

  // The invitee, in a browser of their own, signs up from the link.
  const theirs = await browser.newContext();
  const invitee = await theirs.newPage();
  await invitee.emulateMedia({ colorScheme: "light" });
  await invitee.goto(link);
  await expect(invitee.getByRole("heading", { name: "Join with your invitation" })).toBeVisible();
  await checkBothThemes(invitee, "accept");
  await invitee.getByLabel("E-mail address").fill(INVITEE);
  await invitee.getByLabel("Password").fill(PASSWORD);
  await invitee.getByRole("button", { name: "Create account and join" }).click();
  await expect(invitee).toHaveURL(/\/data-marts$/);
  await expect(invitee.getByRole("banner")).toContainText(INVITEE);
  await expect(invitee.getByRole("banner")).toContainText("editor");
  await expect(switcher(invitee)).toContainText(firstProject);
  await expect(invitee.getByRole("article", { name: "Orders", exact: true })).toBeVisible();
  // An editor sees the members, not the rest.
  await invitee.getByRole("link", { name: "Settings" }).click();
  await expect(row(invitee, OWNER)).toBeVisible();
  await expect(invitee.getByRole("link", { name: "API keys" })).toHaveCount(0);
  await expect(invitee.getByRole("button", { name: /^Edit/ })).toHaveCount(0);

  await page.reload();
  await expect(row(page, INVITEE)).toContainText("accepted");

  // The owner gives the invitee the custom role over the one data mart.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Members" }).click();
  await expect(row(page, INVITEE)).toContainText("editor");
  await row(page, INVITEE).getByRole("button", { name: /^Edit/ }).click();
  const access = page.getByRole("form", { name: `Access of ${INVITEE}` });
  await access.getByLabel("Role").selectOption({ label: "Analyst" });
  await access.getByRole("radio", { name: "Chosen data marts only" }).check();
  await access.getByRole("checkbox", { name: "Orders" }).check();
  await access.getByRole("button", { name: "Save" }).click();
  await expect(row(page, INVITEE)).toContainText("Analyst");
  await expect(row(page, INVITEE)).toContainText("Orders");
  await invitee.reload();
  await expect(invitee.getByRole("banner")).toContainText("Analyst");

  // The last owner cannot step down: the API's refusal shows by the form.
  await row(page, OWNER).getByRole("button", { name: /^Edit/ }).click();
  const mine = page.getByRole("form", { name: `Access of ${OWNER}` });
  await mine.getByLabel("Role").selectOption("admin");
  await mine.getByRole("button", { name: "Save" }).click();
  await expect(mine.getByRole("alert")).toBeVisible();
  await expect(mine.getByRole("alert")).toContainText(/owner/i);
  await mine.getByRole("button", { name: "Cancel" }).click();
  await expect(row(page, OWNER)).toContainText("owner");

  // An API key, shown once; it works, and the list keeps only its prefix.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("Name").fill("ci");
  await page.getByLabel("Role").selectOption("viewer");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByLabel("API key", { exact: true }).inputValue();
  expect(key).toMatch(/^slk_/);
  await expect(row(page, "ci")).toContainText("viewer");
  await expect(row(page, "ci")).toContainText("Never");
  await checkBothThemes(page, "settings-api-keys");
  const asKey = await call(sluice.api, key, "GET", "/v1/me");
  expect(asKey.credential).toBe("api_key");
  await page.reload();
  await expect(row(page, "ci")).toBeVisible();
  await expect(page.getByLabel("API key", { exact: true })).toHaveCount(0);
  await expect(page.getByText(key)).toHaveCount(0);

  // The project: a webhook URL is write-only; its origin shows, and it is removed.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Project" }).click();
  const webhook = page.getByRole("form", { name: "Webhook" });
  await webhook.getByLabel("Webhook URL").fill("https://hooks.example.com/T0/secret-part");
  await webhook.getByRole("button", { name: "Save the Webhook URL" }).click();
  await expect(page.getByTestId("webhook-origin")).toHaveText("Sends to https://hooks.example.com");
  await expect(page.getByText("secret-part")).toHaveCount(0);
  await page.getByLabel("E-mail them to").fill("ops@example.com");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await checkBothThemes(page, "settings-project");
  await webhook.getByRole("button", { name: "Remove the Webhook URL" }).click();
  await expect(page.getByTestId("webhook-origin")).toHaveText("Not set.");
  const stored = await call(sluice.api, sluice.token, "GET", "/v1/project");
  expect(stored.webhook ?? null).toBeNull();
  expect(stored.notifications.emails).toEqual(["ops@example.com"]);

  // A second project: created from the switcher, entered, empty; then back.
  const before = await session(page);
  await switcher(page).click();
  await checkBothThemes(page, "project-switcher");
  await page.getByLabel("New project").fill("Second project");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(switcher(page)).toContainText("Second project");
  const after = await session(page);
  expect(after.accessToken).not.toBe(before.accessToken);
  expect(after.refreshToken).toBe(before.refreshToken);
  await page.getByRole("link", { name: "Data marts" }).click();
  await expect(page.getByRole("heading", { name: "No data marts yet" })).toBeVisible();
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(row(page, OWNER)).toBeVisible();
  await expect(row(page, INVITEE)).toHaveCount(0);

  await switcher(page).click();
  await page.getByRole("button", { name: new RegExp(`^${firstProject.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`) }).click();
  await expect(switcher(page)).toContainText(firstProject);
  await expect(row(page, INVITEE)).toBeVisible();
  await page.getByRole("link", { name: "Data marts" }).click();
  await expect(page.getByRole("article", { name: "Orders", exact: true })).toBeVisible();
  // A reload keeps the project (the stored token is the new one).
  await page.reload();
  await expect(switcher(page)).toContainText(firstProject);

  await theirs.close();
});

test("an API key names its one project and cannot switch", async ({ page }) => {
  const key = await call(sluice.api, sluice.token, "POST", "/v1/api-keys", { name: "reader", role: "viewer" });
  await page.goto(`${sluice.console}/sign-in`);
  await page.getByRole("button", { name: "Use a token instead" }).click();
  await page.getByLabel("Token or API key").fill(key.key);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/data-marts$/);
  await expect(page.getByRole("banner")).toContainText("viewer");
  await expect(switcher(page)).toHaveCount(0);
  // A viewer's settings: the members and the project, nothing to change.
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(row(page, OWNER)).toBeVisible();
  await expect(page.getByRole("link", { name: "Invitations" })).toHaveCount(0);
  await page.getByRole("link", { name: "Project" }).click();
  await expect(page.getByRole("textbox", { name: "Name", exact: true })).toBeDisabled();
});

test("an invitation accepted by a signed-in user offers its project", async ({ page }) => {
  // Someone with an account already, invited to a second project of the owner's.
  const signIn = await fetch(`${sluice.api}/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: OWNER, password: PASSWORD }),
  });
  const tokens = await signIn.json();
  const made = await call(sluice.api, tokens.access_token, "POST", "/v1/projects", { name: "Third project" });
  const there = await call(sluice.api, tokens.access_token, "POST", "/v1/auth/switch-project", {
    project_id: made.project_id,
  });
  const invitation = await call(sluice.api, there.access_token, "POST", "/v1/invitations", {
    email: INVITEE,
    role: "viewer",
  });

  await page.goto(`${sluice.console}/accept?token=${encodeURIComponent(invitation.token)}`);
  await expect(page.getByRole("heading", { name: "Join with your invitation" })).toBeVisible();
  await page.getByRole("button", { name: "I have an account: sign in instead" }).click();
  await page.getByLabel("E-mail address").fill(INVITEE);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "You joined Third project" })).toBeVisible();
  await checkBothThemes(page, "accept-signed-in");
  await page.getByRole("button", { name: "Switch to Third project" }).click();
  await expect(page).toHaveURL(/\/data-marts$/);
  await expect(switcher(page)).toContainText("Third project");
  await expect(page.getByRole("banner")).toContainText("viewer");
});
