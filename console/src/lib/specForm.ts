// A form drawn from a connector's or destination kind's spec: one control per
// config field, typed as the field is, its default shown, its allowed values a
// list. Secret fields are write-only: never filled from what the server answers
// (it masks them), sent only when something is typed, and left out to keep them.

import type { FieldSpec } from "../api/sources";

/** What is typed in each control, by field name: text for most, a flag for booleans. */
export type Values = Record<string, string | boolean>;

export type Control = "text" | "secret" | "number" | "checkbox" | "select" | "lines" | "json";

export function controlOf(f: FieldSpec): Control {
  if (f.type === "boolean") return "checkbox";
  if (f.one_of.length > 0) return "select";
  if (f.secret && f.type === "string") return "secret";
  if (f.type === "integer" || f.type === "number") return "number";
  if (f.type === "string_list") return "lines";
  if (f.type === "string_map" || f.type === "object") return "json";
  return "text";
}

function text(f: FieldSpec, v: unknown): string | boolean {
  if (f.type === "boolean") return v === true;
  if (v === undefined || v === null) return "";
  if (f.type === "string_list" && Array.isArray(v)) return v.join("\n");
  if (typeof v === "object") return JSON.stringify(v, null, 2);
  return String(v);
}

/**
 * The controls' first values: a stored config's (`current`), else the fields'
 * defaults. A secret field starts empty whatever the server shows for it.
 */
export function initialValues(spec: readonly FieldSpec[], current?: Record<string, unknown>): Values {
  const out: Values = {};
  for (const f of spec) {
    if (f.secret) out[f.name] = f.type === "boolean" ? false : "";
    else if (current && f.name in current) out[f.name] = text(f, current[f.name]);
    else out[f.name] = text(f, f.default);
  }
  return out;
}

export interface Built {
  config: Record<string, unknown>;
  /** Problems found before asking the server, by field name. */
  errors: Record<string, string>;
}

/**
 * The config to send. For a new record every non-empty field; for a change
 * (`editing`) the same, but a secret left empty is left out (kept as stored).
 */
export function buildConfig(spec: readonly FieldSpec[], values: Values, editing = false): Built {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of spec) {
    const v = values[f.name];
    if (f.type === "boolean") {
      if (typeof v === "boolean") config[f.name] = v;
      continue;
    }
    const s = typeof v === "string" ? v : "";
    if (s.trim() === "") {
      if (f.secret && editing) continue;
      if (f.required && !(f.secret && editing)) errors[f.name] = "is required";
      continue;
    }
    switch (f.type) {
      case "integer": {
        const n = Number(s);
        if (!Number.isInteger(n)) errors[f.name] = "must be a whole number";
        else config[f.name] = n;
        break;
      }
      case "number": {
        const n = Number(s);
        if (!Number.isFinite(n)) errors[f.name] = "must be a number";
        else config[f.name] = n;
        break;
      }
      case "string_list":
        config[f.name] = s
          .split(/[\n,]/)
          .map((x) => x.trim())
          .filter(Boolean);
        break;
      case "string_map":
      case "object": {
        try {
          const parsed: unknown = JSON.parse(s);
          if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) errors[f.name] = "must be a JSON object";
          else config[f.name] = parsed;
        } catch {
          errors[f.name] = "must be a JSON object";
        }
        break;
      }
      default:
        config[f.name] = s;
    }
  }
  return { config, errors };
}

/** For a change: only the fields whose value differs from the stored config (secrets typed always count). */
export function changedConfig(spec: readonly FieldSpec[], built: Record<string, unknown>, stored: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of spec) {
    if (!(f.name in built)) continue;
    if (f.secret || JSON.stringify(built[f.name]) !== JSON.stringify(stored[f.name])) out[f.name] = built[f.name];
  }
  return out;
}

/** The spec field an API error's `details.field` names (`config.location` → `location`). */
export function specField(apiField: string | undefined): string | null {
  if (!apiField) return null;
  const m = /^config\.([A-Za-z0-9_]+)/.exec(apiField);
  return m ? m[1]! : null;
}

/** A field's name as a label: `csv_delimiter` → `Csv delimiter`. */
export function labelOf(name: string): string {
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
