import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../api/sources";
import { buildConfig, changedConfig, controlOf, initialValues, labelOf, specField } from "./specForm";

const f = (name: string, type: FieldSpec["type"], more: Partial<FieldSpec> = {}): FieldSpec => ({
  name,
  type,
  description: "",
  required: false,
  secret: false,
  one_of: [],
  ...more,
});

const spec: FieldSpec[] = [
  f("base_url", "string", { required: true }),
  f("token", "string", { secret: true, required: true }),
  f("format", "string", { one_of: ["csv", "ndjson"], default: "csv" }),
  f("page_size", "integer", { default: 100 }),
  f("header", "boolean", { default: true }),
  f("to", "string_list"),
  f("headers", "string_map", { secret: true }),
];

describe("a form from a spec", () => {
  it("picks a control by the field's type", () => {
    expect(spec.map(controlOf)).toEqual(["text", "secret", "select", "number", "checkbox", "lines", "json"]);
  });

  it("starts from the defaults, or the stored config, never from a secret's mask", () => {
    expect(initialValues(spec)).toEqual({ base_url: "", token: "", format: "csv", page_size: "100", header: true, to: "", headers: "" });
    const stored = initialValues(spec, { base_url: "https://x", token: "********", to: ["a@x", "b@x"], header: false });
    expect(stored.token).toBe("");
    expect(stored.to).toBe("a@x\nb@x");
    expect(stored.header).toBe(false);
  });

  it("builds typed config and says what is missing or malformed", () => {
    const { config, errors } = buildConfig(spec, {
      ...initialValues(spec),
      page_size: "2.5",
      to: "a@x, b@x\nc@x",
      headers: "[1]",
    });
    expect(errors).toEqual({ base_url: "is required", token: "is required", page_size: "must be a whole number", headers: "must be a JSON object" });
    expect(config).toEqual({ format: "csv", header: true, to: ["a@x", "b@x", "c@x"] });
  });

  it("a change keeps an untyped secret as stored and sends only what changed", () => {
    const stored = { base_url: "https://x", token: "********", format: "csv", page_size: 100, header: true };
    const values = { ...initialValues(spec, stored), page_size: "200" };
    const built = buildConfig(spec, values, true);
    expect(built.errors).toEqual({});
    expect(built.config).not.toHaveProperty("token");
    expect(changedConfig(spec, built.config, stored)).toEqual({ page_size: 200 });
    const typed = buildConfig(spec, { ...values, token: "s3cret" }, true);
    expect(changedConfig(spec, typed.config, stored)).toEqual({ page_size: 200, token: "s3cret" });
  });

  it("maps an API error's field to the spec's, and names fields as labels", () => {
    expect(specField("config.location")).toBe("location");
    expect(specField("title")).toBeNull();
    expect(labelOf("csv_delimiter")).toBe("Csv delimiter");
  });
});
