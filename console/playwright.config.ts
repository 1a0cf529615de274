import { defineConfig } from "@playwright/test";

// The browser tests drive the distribution's Chromium (Playwright's own browser
// download is not used): CHROMIUM names another binary. Each spec starts a real
// `sluice serve` (e2e/sluice.ts), the binary SLUICE_BIN names.
const root = typeof process.getuid === "function" && process.getuid() === 0;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/output",
  // A loaded machine builds runs slowly; each step still waits on what it needs.
  timeout: 180_000,
  expect: { timeout: 20_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      // Chromium's sandbox refuses to start as root.
      args: root ? ["--no-sandbox"] : [],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
