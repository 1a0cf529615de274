// Keyboard editing in the SQL editor's plain textarea: Tab indents, Shift+Tab
// outdents (the line, or every line of a selection), Enter keeps the line's
// indentation. Pure: each takes the text and the selection and says what they become.

export interface Edit {
  value: string;
  start: number;
  end: number;
}

export const INDENT = "  ";

function lineStart(value: string, at: number): number {
  return value.lastIndexOf("\n", at - 1) + 1;
}

/** Tab: two spaces at the caret; with a selection over lines, each line indented. */
export function indent(value: string, start: number, end: number): Edit {
  if (start === end || !value.slice(start, end).includes("\n")) {
    const next = value.slice(0, start) + INDENT + value.slice(end);
    return { value: next, start: start + INDENT.length, end: start + INDENT.length };
  }
  const from = lineStart(value, start);
  const block = value.slice(from, end);
  const lines = block.split("\n");
  const out = lines.map((l) => INDENT + l).join("\n");
  return {
    value: value.slice(0, from) + out + value.slice(end),
    start: start + INDENT.length,
    end: end + INDENT.length * lines.length,
  };
}

/** Shift+Tab: up to two leading spaces off each line the selection touches. */
export function outdent(value: string, start: number, end: number): Edit {
  const from = lineStart(value, start);
  const lines = value.slice(from, end).split("\n");
  let removedFirst = 0;
  let removed = 0;
  const out = lines.map((l, i) => {
    const n = l.startsWith(INDENT) ? INDENT.length : l.startsWith(" ") ? 1 : 0;
    if (i === 0) removedFirst = n;
    removed += n;
    return l.slice(n);
  });
  return {
    value: value.slice(0, from) + out.join("\n") + value.slice(end),
    start: Math.max(from, start - removedFirst),
    end: Math.max(from, end - removed),
  };
}

/** Enter: a new line with the current line's leading spaces. */
export function newline(value: string, start: number, end: number): Edit {
  const from = lineStart(value, start);
  const lead = /^[ \t]*/.exec(value.slice(from, start))?.[0] ?? "";
  const insert = "\n" + lead;
  return {
    value: value.slice(0, start) + insert + value.slice(end),
    start: start + insert.length,
    end: start + insert.length,
  };
}
