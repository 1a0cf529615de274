import { describe, expect, it } from "vitest";
import { indent, newline, outdent } from "./editing";

describe("editing SQL in a textarea", () => {
  it("Tab puts two spaces at the caret", () => {
    expect(indent("SELECT", 0, 0)).toEqual({ value: "  SELECT", start: 2, end: 2 });
  });

  it("Tab over lines indents each", () => {
    const text = "SELECT a,\nb\nFROM t";
    const e = indent(text, 3, 11);
    expect(e.value).toBe("  SELECT a,\n  b\nFROM t");
    expect([e.start, e.end]).toEqual([5, 15]);
  });

  it("Shift+Tab takes leading spaces off each line touched", () => {
    const e = outdent("  SELECT\n  a\n b", 4, 15);
    expect(e.value).toBe("SELECT\na\nb");
    expect([e.start, e.end]).toEqual([2, 10]);
    expect(outdent("x", 1, 1)).toEqual({ value: "x", start: 1, end: 1 });
  });

  it("Enter keeps the line's indentation", () => {
    expect(newline("SELECT\n    a,", 13, 13)).toEqual({ value: "SELECT\n    a,\n    ", start: 18, end: 18 });
  });
});
