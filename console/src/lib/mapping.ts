// The column mapping the wizard edits: target columns, each read from a source
// field (click a source, then a target) or computed by an expression, with its
// transforms (cast, default, string ops, value maps, exclude). Pure functions over
// the API's own `Mapping`, so what is edited is what is sent.

import type { ColumnMapping, Mapping, StringOp } from "../api/sources";

export const CASTS = ["string", "int", "float", "decimal", "bool", "date", "timestamp", "json"] as const;

/** `Order ID`, `orderId`, `order-id` → `order_id`: the name a target column gets from a field. */
export function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/** The source fields no target column reads. */
export function unmapped(mapping: Mapping, fields: readonly string[]): string[] {
  const used = new Set((mapping.columns ?? []).map((c) => c.source).filter(Boolean));
  return fields.filter((f) => !used.has(f));
}

function withColumns(mapping: Mapping, columns: ColumnMapping[]): Mapping {
  return { ...mapping, columns };
}

/** Connects `source` to the target column `target`: the column reads that field (its expression dropped). */
export function connect(mapping: Mapping, source: string, target: string): Mapping {
  return withColumns(
    mapping,
    (mapping.columns ?? []).map((c) => (c.target === target ? { ...c, source, expression: null } : c)),
  );
}

/** A new target column reading `source`, named after it (a free name if taken). */
export function addFromSource(mapping: Mapping, source: string, cast?: string | null): Mapping {
  const target = freeName(mapping, snake(source) || "column");
  return withColumns(mapping, [...(mapping.columns ?? []), { target, source, cast: cast ?? null }]);
}

/** A new, empty target column named `target`. */
export function addTarget(mapping: Mapping, target: string): Mapping {
  return withColumns(mapping, [...(mapping.columns ?? []), { target: freeName(mapping, target) }]);
}

function freeName(mapping: Mapping, base: string): string {
  const taken = new Set((mapping.columns ?? []).map((c) => c.target));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Changes the column `target` (its name included: `patch.target`). */
export function update(mapping: Mapping, target: string, patch: Partial<ColumnMapping>): Mapping {
  return withColumns(
    mapping,
    (mapping.columns ?? []).map((c) => (c.target === target ? { ...c, ...patch } : c)),
  );
}

/** Removes the column `target`, and the rules that name it. */
export function remove(mapping: Mapping, target: string): Mapping {
  const rules = (mapping.rules ?? []).filter((r) => ("column" in r ? r.column !== target : !r.columns.includes(target)));
  return { columns: (mapping.columns ?? []).filter((c) => c.target !== target), rules };
}

/** Moves the column `target` one place up (`-1`) or down (`1`). */
export function move(mapping: Mapping, target: string, by: -1 | 1): Mapping {
  const columns = [...(mapping.columns ?? [])];
  const i = columns.findIndex((c) => c.target === target);
  const j = i + by;
  if (i < 0 || j < 0 || j >= columns.length) return mapping;
  [columns[i], columns[j]] = [columns[j]!, columns[i]!];
  return withColumns(mapping, columns);
}

/**
 * Takes the suggested source of each target column that reads nothing yet;
 * a column already connected keeps its source.
 */
export function applySuggestions(mapping: Mapping, suggested: readonly { target: string; source?: string | null; cast: string }[]): Mapping {
  return withColumns(
    mapping,
    (mapping.columns ?? []).map((c) => {
      if (c.source || c.expression) return c;
      const s = suggested.find((x) => x.target === c.target && x.source);
      return s ? { ...c, source: s.source, cast: c.cast ?? s.cast } : c;
    }),
  );
}

/** A default typed in a text box as the value the column's cast takes: `7` a number for int, `true` a boolean for bool. */
export function parseDefault(text: string, cast: string | null | undefined): unknown {
  const t = text.trim();
  if (t === "") return null;
  if (cast === "int" || cast === "float" || cast?.startsWith("decimal")) {
    const n = Number(t);
    return Number.isFinite(n) ? n : t;
  }
  if (cast === "bool") {
    if (/^(true|false)$/i.test(t)) return t.toLowerCase() === "true";
    return t;
  }
  return text;
}

/** The text a default shows as in its box. */
export function defaultText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A string op as one readable line: `replace "-" with "_"`, `map with countries`. */
export function opText(op: StringOp): string {
  switch (op.op) {
    case "trim":
    case "lower":
    case "upper":
      return op.op;
    case "substring":
      return `substring from ${op.start}${op.length != null ? `, ${op.length} long` : ""}`;
    case "replace":
      return `replace "${op.from}" with "${op.to}"`;
    case "concat":
      return `concat ${op.with.join(", ")}${op.separator ? ` with "${op.separator}"` : ""}`;
    case "map":
      return `map with ${op.map}`;
  }
}

/** Whether the column's value comes from somewhere: a field, an expression or a default. */
export function isComplete(c: ColumnMapping): boolean {
  return Boolean(c.source || c.expression || (c.default !== null && c.default !== undefined));
}

/** The mapping as a definition takes it: empty parts left out, columns that read nothing reported. */
export function forDefinition(mapping: Mapping): { mapping: Mapping; incomplete: string[] } {
  const columns = (mapping.columns ?? []).map((c) => {
    const out: ColumnMapping = { target: c.target };
    if (c.source) out.source = c.source;
    if (c.expression) out.expression = c.expression;
    if (c.cast) out.cast = c.cast;
    if (c.default !== null && c.default !== undefined) out.default = c.default;
    if (c.ops && c.ops.length > 0) out.ops = c.ops;
    if (c.exclude) out.exclude = true;
    return out;
  });
  return {
    mapping: { columns, rules: mapping.rules ?? [] },
    incomplete: columns.filter((c) => !isComplete(c)).map((c) => c.target),
  };
}

/** The `unique_key` rule's columns, if the mapping has one. */
export function uniqueKey(mapping: Mapping): string[] {
  for (const r of mapping.rules ?? []) if (r.rule === "unique_key" && "columns" in r) return r.columns;
  return [];
}

/** Sets (or with no columns, drops) the `unique_key` rule. */
export function setUniqueKey(mapping: Mapping, columns: string[]): Mapping {
  const rules: NonNullable<Mapping["rules"]> = (mapping.rules ?? []).filter((r) => r.rule !== "unique_key");
  if (columns.length > 0) rules.push({ rule: "unique_key", columns });
  return { ...mapping, rules };
}
