//! The NDJSON fast path: flat objects (string, number, boolean and null values)
//! scanned straight into string columns, one pass over the bytes, no per-row
//! allocation. Anything else — a nested value, an empty or broken line, invalid
//! UTF-8 — answers `None`, and the caller takes the general decoder, which names
//! each bad line.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringBuilder};
use datafusion::arrow::datatypes::SchemaRef;

/// One string column per name of `schema` (all `Utf8`), from `bytes` of
/// newline-separated flat JSON objects; numbers and booleans keep their text.
pub fn decode(bytes: &[u8], schema: &SchemaRef) -> Option<RecordBatch> {
    std::str::from_utf8(bytes).ok()?;
    let names: Vec<&[u8]> = schema
        .fields()
        .iter()
        .map(|f| f.name().as_bytes())
        .collect();
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut builders: Vec<StringBuilder> = names
        .iter()
        .map(|_| StringBuilder::with_capacity(lines, bytes.len() / names.len().max(1)))
        .collect();
    // Which columns the current row has set; unset ones become null.
    let mut set = vec![false; names.len()];
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if body.is_empty() {
        return None;
    }
    let mut scratch: String;
    let mut rows = 0usize;
    for line in body.split(|&b| b == b'\n') {
        set.iter_mut().for_each(|s| *s = false);
        let mut p = Parser { b: line, i: 0 };
        p.ws();
        p.expect(b'{')?;
        p.ws();
        if p.peek()? == b'}' {
            p.i += 1;
        } else {
            loop {
                p.ws();
                let key = p.string_raw()?;
                if key.contains(&b'\\') {
                    return None;
                }
                p.ws();
                p.expect(b':')?;
                p.ws();
                let column = names.iter().position(|n| *n == key);
                match p.peek()? {
                    b'"' => {
                        let raw = p.string_raw()?;
                        if let Some(c) = column {
                            let value = if raw.contains(&b'\\') {
                                // Escapes: let serde_json read the quoted text.
                                let quoted = &line[p.i - raw.len() - 2..p.i];
                                scratch = serde_json::from_slice::<String>(quoted).ok()?;
                                scratch.as_str()
                            } else {
                                std::str::from_utf8(raw).ok()?
                            };
                            put(&mut builders, &mut set, c, Some(value));
                        }
                    }
                    b'{' | b'[' => return None,
                    _ => {
                        let raw = p.scalar()?;
                        if let Some(c) = column {
                            let value = if raw == b"null" {
                                None
                            } else {
                                Some(std::str::from_utf8(raw).ok()?)
                            };
                            put(&mut builders, &mut set, c, value);
                        }
                    }
                }
                p.ws();
                match p.next()? {
                    b',' => continue,
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        p.ws();
        if p.i != line.len() {
            return None;
        }
        for (c, was) in set.iter().enumerate() {
            if !was {
                builders[c].append_null();
            }
        }
        rows += 1;
    }
    let arrays: Vec<ArrayRef> = builders
        .into_iter()
        .map(|mut b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    if arrays.is_empty() {
        return RecordBatch::try_new_with_options(
            schema.clone(),
            arrays,
            &datafusion::arrow::array::RecordBatchOptions::new().with_row_count(Some(rows)),
        )
        .ok();
    }
    RecordBatch::try_new(schema.clone(), arrays).ok()
}

/// Sets column `c` of the current row; a key seen twice keeps its first value.
fn put(builders: &mut [StringBuilder], set: &mut [bool], c: usize, v: Option<&str>) {
    if set[c] {
        return;
    }
    set[c] = true;
    match v {
        Some(v) => builders[c].append_value(v),
        None => builders[c].append_null(),
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\r') {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }
    /// The bytes between the quotes of a string (escapes left as they are).
    fn string_raw(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.i;
        loop {
            let at = self.i + memchr::memchr2(b'"', b'\\', self.b.get(self.i..)?)?;
            if self.b[at] == b'\\' {
                self.i = at + 2;
                continue;
            }
            let s = &self.b[start..at];
            self.i = at + 1;
            // Raw control characters are not JSON: the general path names the line.
            return (!s.iter().any(|c| *c < 0x20)).then_some(s);
        }
    }
    /// A number, `true`, `false` or `null`, checked for its shape.
    fn scalar(&mut self) -> Option<&'a [u8]> {
        let start = self.i;
        while self.i < self.b.len() && !matches!(self.b[self.i], b',' | b'}' | b' ' | b'\t' | b'\r')
        {
            self.i += 1;
        }
        let s = &self.b[start..self.i];
        let ok = match s {
            b"true" | b"false" | b"null" => true,
            _ => is_number(s),
        };
        ok.then_some(s)
    }
}

fn is_number(s: &[u8]) -> bool {
    let s = s.strip_prefix(b"-").unwrap_or(s);
    let (int, rest) = s.split_at(
        s.iter()
            .position(|c| !c.is_ascii_digit())
            .unwrap_or(s.len()),
    );
    if int.is_empty() || (int.len() > 1 && int[0] == b'0') {
        return false;
    }
    let rest = match rest.strip_prefix(b".") {
        Some(r) => {
            let n = r.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            &r[n..]
        }
        None => rest,
    };
    match rest {
        [] => true,
        [b'e' | b'E', exp @ ..] => {
            let exp = exp
                .strip_prefix(b"+")
                .or_else(|| exp.strip_prefix(b"-"))
                .unwrap_or(exp);
            !exp.is_empty() && exp.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    fn schema(cols: &[&str]) -> SchemaRef {
        Arc::new(Schema::new(
            cols.iter()
                .map(|c| Field::new(*c, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        ))
    }

    #[test]
    fn flat_objects_become_string_columns() {
        let data = b"{\"a\": \"x\", \"b\": 1.5e3, \"c\": true, \"skip\": -2}\n{\"b\": null, \"a\": \"q\\\"\\u00e9\"}\n{}\n";
        let batch = decode(data, &schema(&["a", "b", "c"])).expect("flat");
        assert_eq!(batch.num_rows(), 3);
        let a = batch.column(0).as_string::<i32>();
        let b = batch.column(1).as_string::<i32>();
        assert_eq!((a.value(0), a.value(1), a.is_null(2)), ("x", "q\"é", true));
        assert_eq!((b.value(0), b.is_null(1)), ("1.5e3", true));
        assert_eq!(batch.column(2).as_string::<i32>().value(0), "true");
    }

    #[test]
    fn anything_else_takes_the_general_path() {
        let s = schema(&["a"]);
        for bad in [
            &b"{\"a\": {\"n\": 1}}\n"[..],
            b"{\"a\": [1]}\n",
            b"{\"a\": 1}\n\n{\"a\": 2}\n",
            b"{\"a\": tru}\n",
            b"{\"a\": 01}\n",
            b"{\"a\": \"x\"} trailing\n",
            b"{\"a\" \"x\"}\n",
            b"not json\n",
            b"{\"a\": \"\xff\"}\n",
        ] {
            assert!(
                decode(bad, &s).is_none(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
