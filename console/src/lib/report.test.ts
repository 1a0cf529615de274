import { describe, expect, it } from "vitest";
import type { Report } from "../api/endpoints";
import { builderOf, columnsFor, emptyBuilder, literal, outputNames, reportBody } from "./report";

const schema = [
  { name: "id", type: "Int64" },
  { name: "qty", type: "Int64", alias: "Quantity" },
];

function filled() {
  const b = emptyBuilder("dm_1");
  b.title = "Big orders";
  b.destinationId = "dst_1";
  b.columns = columnsFor(schema, []);
  return b;
}

describe("the report builder", () => {
  it("offers every field, all chosen, under its schema alias", () => {
    expect(columnsFor(schema, [])).toEqual([
      { column: "id", include: true, alias: "" },
      { column: "qty", include: true, alias: "Quantity" },
    ]);
  });

  it("saves output controls: chosen columns with aliases, typed filters, sort and limit", () => {
    const b = filled();
    b.columns = b.columns.map((c, i) => (i === 0 ? { ...c, include: false } : c));
    b.filters = [
      { column: "qty", op: "gte", value: "2" },
      { column: "id", op: "in", value: "1, 3" },
      { column: "id", op: "is_not_null", value: "" },
    ];
    b.sort = [{ column: "Quantity", descending: true }];
    b.limit = "10";
    const r = reportBody(b);
    expect(r).toEqual({
      body: {
        title: "Big orders",
        data_mart_id: "dm_1",
        destination_id: "dst_1",
        cache_ttl_seconds: 300,
        output: {
          columns: [{ column: "qty", alias: "Quantity" }],
          filters: [
            { column: "qty", op: "gte", value: 2 },
            { column: "id", op: "in", value: [1, 3] },
            { column: "id", op: "is_not_null" },
          ],
          sort: [{ column: "Quantity", descending: true }],
          limit: 10,
        },
      },
    });
    expect(outputNames(b)).toEqual(["Quantity"]);
  });

  it("names what is missing as the API would", () => {
    const b = emptyBuilder();
    b.cacheTtl = "5";
    b.columns = columnsFor(schema, []).map((c) => ({ ...c, include: false }));
    b.filters = [{ column: "id", op: "between", value: "1" }];
    b.limit = "0";
    const r = reportBody(b);
    expect("problems" in r && r.problems.map((p) => p.field)).toEqual([
      "title",
      "data_mart_id",
      "destination_id",
      "cache_ttl_seconds",
      "output.columns",
      "output.filters[0].value",
      "output.limit",
    ]);
  });

  it("saves a query instead in SQL mode", () => {
    const b = filled();
    b.mode = "sql";
    b.query = "SELECT id FROM ${DATA_MART_TABLE}";
    expect(reportBody(b)).toEqual({
      body: {
        title: "Big orders",
        data_mart_id: "dm_1",
        destination_id: "dst_1",
        cache_ttl_seconds: 300,
        query: "SELECT id FROM ${DATA_MART_TABLE}",
      },
    });
  });

  it("reads a saved report back into the form", () => {
    const r = {
      title: "T",
      data_mart_id: "dm_1",
      destination_id: "dst_1",
      cache_ttl_seconds: 600,
      output: { columns: [{ column: "qty", alias: "Q" }], filters: [{ column: "id", op: "in", value: [1, 2] }], limit: 5 },
    } as unknown as Report;
    const b = builderOf(r, schema);
    expect(b.columns).toEqual([
      { column: "qty", include: true, alias: "Q" },
      { column: "id", include: false, alias: "" },
    ]);
    expect(b.filters).toEqual([{ column: "id", op: "in", value: "1, 2" }]);
    expect([b.limit, b.cacheTtl, b.mode]).toEqual(["5", "600", "controls"]);
  });

  it("types values that read as numbers or booleans", () => {
    expect(literal(" 42 ")).toBe(42);
    expect(literal("-1.5")).toBe(-1.5);
    expect(literal("true")).toBe(true);
    expect(literal("0042a")).toBe("0042a");
  });
});
