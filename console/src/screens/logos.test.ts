import { readFileSync } from "node:fs";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Logo, LOGOS, logoOf } from "./logos";

// The catalogs as the server registers them: every connector of `GET /v1/connectors`
// (the registry's `name: "…"` lines) and every kind of `GET /v1/destination-kinds`.
const source = (path: string) => readFileSync(new URL(`../../../shared/domain/src/connectors/${path}`, import.meta.url), "utf8");
const registry = source("mod.rs").match(/pub fn registry\(\)[\s\S]*?\n {4}REGISTRY\n/)?.[0] ?? "";
const CONNECTORS = [...registry.matchAll(/name: "([a-z0-9_]+)"/g)].map((m) => m[1] ?? "");
const kinds = source("destinations.rs").match(/DESTINATION_KINDS: \[&str; \d+\] = \[([^\]]*)\]/)?.[1] ?? "";
const DESTINATION_KINDS = [...kinds.matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1] ?? "");

describe("logos", () => {
  it("reads both catalogs from the server's registry", () => {
    expect(CONNECTORS).toEqual(expect.arrayContaining(["files", "http_json", "postgres", "mysql", "github", "jira", "bank_of_canada"]));
    expect(CONNECTORS.length).toBeGreaterThanOrEqual(9);
    expect(DESTINATION_KINDS).toEqual(expect.arrayContaining(["object_export", "webhook", "email", "google_sheets", "database"]));
  });

  it("has a mark for every connector and destination kind, and none for a name no catalog has", () => {
    for (const name of [...CONNECTORS, ...DESTINATION_KINDS]) expect(logoOf(name).known, name).toBe(true);
    expect(Object.keys(LOGOS).sort()).toEqual([...CONNECTORS, ...DESTINATION_KINDS].sort());
  });

  it("inverts only the dark monochrome marks", () => {
    const inverted = Object.entries(LOGOS)
      .filter(([, l]) => l.invert)
      .map(([n]) => n)
      .sort();
    expect(inverted).toEqual(["database", "github"]);
  });

  it("draws a mark hidden from assistive technology, flagged for inversion when it is dark", () => {
    const github = renderToStaticMarkup(createElement(Logo, { name: "github" }));
    expect(github).toMatch(/^<svg [^>]*aria-hidden="true"/);
    expect(github).toContain('data-logo="github"');
    expect(github).toContain('data-invert=""');
    const postgres = renderToStaticMarkup(createElement(Logo, { name: "postgres", size: 16 }));
    expect(postgres).not.toContain("data-invert");
    expect(postgres).toContain('width="16"');
  });

  it("falls back to a generic mark in the text's colour for an unknown name", () => {
    const unknown = logoOf("salesforce_someday");
    expect(unknown.known).toBe(false);
    expect(unknown.invert).toBe(false);
    const html = renderToStaticMarkup(createElement(Logo, { name: "salesforce_someday" }));
    expect(html).toContain('data-logo="generic"');
    expect(html).toContain('stroke="currentColor"');
    // A name that is a property of every object is not a logo either.
    expect(logoOf("constructor").known).toBe(false);
  });
});
