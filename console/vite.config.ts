import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// `npm run dev` serves the console with hot reload and hands the API's paths to a
// `sluice serve` on its default port, so the console stays same-origin as it is
// when `sluice serve` serves it.
const api = process.env.SLUICE_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    target: "es2022",
    // The console is served from the binary; a map would double what it embeds.
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(
      ["/v1", "/openapi.json", "/health", "/.well-known"].map((p) => [p, api]),
    ),
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
