import { describe, expect, it } from "vitest";
import { csvCell, csvFileName, toCsv } from "./csv";

describe("CSV", () => {
  it("quotes only what needs it and doubles quotes", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
  });

  it("writes null as empty, numbers and booleans as text, objects as JSON", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(2.5)).toBe("2.5");
    expect(csvCell(false)).toBe("false");
    expect(csvCell({ a: [1, 2] })).toBe('"{""a"":[1,2]}"');
  });

  it("is a header line then one CRLF line per row", () => {
    expect(toCsv(["id", "name"], [[1, "x"], [2, null]])).toBe("id,name\r\n1,x\r\n2,\r\n");
    expect(toCsv(["id"], [])).toBe("id\r\n");
  });

  it("names the file after the title and the time", () => {
    expect(csvFileName("Orders (EU) 2026!", new Date("2026-03-04T05:06:07Z"))).toBe(
      "orders-eu-2026-2026-03-04-05-06-07.csv",
    );
    expect(csvFileName("???", new Date("2026-03-04T05:06:07Z"))).toBe("query-2026-03-04-05-06-07.csv");
  });
});
