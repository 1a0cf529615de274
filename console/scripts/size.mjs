// Prints what the console's first page loads, gzipped (level 9), from a build in
// dist/ (`npm run size` builds first): the entry script and every module it
// preloads, then the stylesheets; the screens loaded on demand are listed apart.
// Fails when the initial JavaScript passes the budget.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 250;
const dist = process.argv[2] ?? "dist";
const html = readFileSync(join(dist, "index.html"), "utf8");
const refs = (re) => [...html.matchAll(re)].map((m) => m[1].replace(/^\//, ""));
const initialJs = [
  ...refs(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
  ...refs(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
];
const css = refs(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g);
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n) => (n / 1024).toFixed(1) + " KB";

let js = 0;
console.log("initial JavaScript (gzipped):");
for (const f of initialJs) {
  const n = gz(f);
  js += n;
  console.log(`  ${f.padEnd(40)} ${kb(n)}`);
}
console.log(`  total${" ".repeat(36)}${kb(js)} (budget ${BUDGET_KB} KB)`);
console.log("stylesheets (gzipped):");
for (const f of css) console.log(`  ${f.padEnd(40)} ${kb(gz(f))}`);
const lazy = readdirSync(join(dist, "assets"))
  .map((f) => `assets/${f}`)
  .filter((f) => f.endsWith(".js") && !initialJs.includes(f));
console.log("loaded on demand (gzipped):");
for (const f of lazy) console.log(`  ${f.padEnd(40)} ${kb(gz(f))}`);
if (js > BUDGET_KB * 1024) {
  console.error(`initial JavaScript is ${kb(js)}, over the budget of ${BUDGET_KB} KB`);
  process.exit(1);
}
