import { describe, expect, it } from "vitest";
import type { Mapping } from "../api/sources";
import {
  addFromSource,
  addTarget,
  applySuggestions,
  connect,
  forDefinition,
  move,
  opText,
  parseDefault,
  remove,
  setUniqueKey,
  snake,
  uniqueKey,
  unmapped,
} from "./mapping";

const start: Mapping = {
  columns: [
    { target: "order_id", source: "OrderID", cast: "int" },
    { target: "amount" },
  ],
  rules: [{ rule: "unique_key", columns: ["order_id"] }],
};

describe("the mapping model", () => {
  it("names a column after its field in snake case", () => {
    expect(snake("Order ID")).toBe("order_id");
    expect(snake("customerEmail")).toBe("customer_email");
    expect(snake("--x--")).toBe("x");
  });

  it("clicking a source then a target connects them, dropping an expression", () => {
    const m = connect(
      { columns: [{ target: "amount", expression: "qty * price" }] },
      "Total",
      "amount",
    );
    expect(m.columns).toEqual([{ target: "amount", source: "Total", expression: null }]);
    expect(unmapped(m, ["Total", "Note"])).toEqual(["Note"]);
  });

  it("a field added as a column gets a free snake-case name", () => {
    let m = addFromSource(start, "Order ID", "int");
    expect(m.columns?.[2]).toEqual({ target: "order_id_2", source: "Order ID", cast: "int" });
    m = addTarget(m, "amount");
    expect(m.columns?.map((c) => c.target)).toEqual(["order_id", "amount", "order_id_2", "amount_2"]);
  });

  it("removing a column drops the rules that name it; columns move within bounds", () => {
    const m = remove(start, "order_id");
    expect(m.columns?.map((c) => c.target)).toEqual(["amount"]);
    expect(m.rules).toEqual([]);
    expect(move(start, "amount", -1).columns?.map((c) => c.target)).toEqual(["amount", "order_id"]);
    expect(move(start, "amount", 1)).toBe(start);
  });

  it("suggestions fill only the columns that read nothing", () => {
    const m = applySuggestions(start, [
      { target: "order_id", source: "Id", cast: "string" },
      { target: "amount", source: "Total", cast: "float" },
    ]);
    expect(m.columns).toEqual([
      { target: "order_id", source: "OrderID", cast: "int" },
      { target: "amount", source: "Total", cast: "float" },
    ]);
  });

  it("a default takes the type of the column's cast", () => {
    expect(parseDefault("7", "int")).toBe(7);
    expect(parseDefault("2.5", "decimal(10,2)")).toBe(2.5);
    expect(parseDefault("TRUE", "bool")).toBe(true);
    expect(parseDefault("7", "string")).toBe("7");
    expect(parseDefault("  ", "int")).toBeNull();
  });

  it("the definition's mapping leaves empty parts out and names columns that read nothing", () => {
    const { mapping, incomplete } = forDefinition({
      columns: [
        { target: "a", source: "A", cast: null, default: null, ops: [], exclude: false, expression: "" },
        { target: "b", default: 0 },
        { target: "c" },
      ],
    });
    expect(mapping.columns).toEqual([{ target: "a", source: "A" }, { target: "b", default: 0 }, { target: "c" }]);
    expect(incomplete).toEqual(["c"]);
  });

  it("the unique key is a rule set and dropped as a whole", () => {
    expect(uniqueKey(start)).toEqual(["order_id"]);
    const m = setUniqueKey(start, ["order_id", "amount"]);
    expect(uniqueKey(m)).toEqual(["order_id", "amount"]);
    expect(setUniqueKey(m, []).rules).toEqual([]);
  });

  it("string ops read as a line each", () => {
    expect(opText({ op: "replace", from: "-", to: "_" })).toBe('replace "-" with "_"');
    expect(opText({ op: "substring", start: 0, length: 3 })).toBe("substring from 0, 3 long");
    expect(opText({ op: "map", map: "countries" })).toBe("map with countries");
  });
});
