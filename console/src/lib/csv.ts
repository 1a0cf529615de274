// Query results as CSV (RFC 4180): a header line of column names, then one line per
// row; a field holding a comma, a quote or a line break is quoted, its quotes
// doubled. Lines end with CRLF, as the RFC and spreadsheets expect.

/** One cell as CSV text: null and undefined are empty; objects and arrays are JSON. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(",") + "\r\n";
}

/** A whole CSV document of `columns` and `rows`. */
export function toCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return csvLine(columns) + rows.map(csvLine).join("");
}

/** A file name for a download: letters, digits, `-` and `_` from `title`, then `.csv`. */
export function csvFileName(title: string, now: Date): string {
  const base = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return `${base || "query"}-${stamp}.csv`;
}
