// The API's TypeScript types, generated from the server's OpenAPI document.
//   --write  regenerates src/api/schema.gen.ts
//   --check  fails when the committed file differs from what the document generates
// The document comes from `sluice openapi` (no server, no data directory): the binary
// named by SLUICE_BIN, or `cargo run -p sluice -- openapi` from the repository.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const consoleDir = join(here, "..");
const repo = join(consoleDir, "..");
const target = join(consoleDir, "src/api/schema.gen.ts");
const mode = process.argv[2];
if (mode !== "--write" && mode !== "--check") {
  console.error("usage: api-types.mjs --write | --check");
  process.exit(2);
}

function openapiDocument() {
  const opts = { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "inherit"] };
  if (process.env.SLUICE_BIN) return execFileSync(process.env.SLUICE_BIN, ["openapi"], opts);
  return execFileSync("cargo", ["run", "--quiet", "-p", "sluice", "--", "openapi"], { ...opts, cwd: repo });
}

const doc = JSON.parse(openapiDocument());
// A field with a default may be left out of a request body.
const ast = await openapiTS(doc, { alphabetize: true, defaultNonNullable: false });
const header =
  "// Generated from the server's OpenAPI document by `npm run api:generate`; do not edit.\n" +
  "// `npm run api:check` (part of scripts/test.sh) fails when it drifts from the server.\n\n";
const generated = header + astToString(ast);

if (mode === "--write") {
  writeFileSync(target, generated);
  console.log(`wrote src/api/schema.gen.ts (${generated.length} bytes)`);
} else {
  let committed = "";
  try {
    committed = readFileSync(target, "utf8");
  } catch {
    // Missing counts as drift.
  }
  if (committed !== generated) {
    const a = committed.split("\n");
    const b = generated.split("\n");
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    console.error(`src/api/schema.gen.ts is out of date with the server's OpenAPI document (first difference at line ${i + 1}):`);
    console.error(`  committed: ${a[i] ?? "<end of file>"}`);
    console.error(`  generated: ${b[i] ?? "<end of file>"}`);
    console.error("Run `npm run api:generate` in console/ and commit the result.");
    process.exit(1);
  }
  console.log("src/api/schema.gen.ts matches the server's OpenAPI document");
}
