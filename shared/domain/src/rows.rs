//! Rows of a result written out as a file or a response body: CSV, NDJSON, a
//! JSON array, or a JSON document with its schema. One encoder serves the
//! exports and the data endpoint, so a report reads the same wherever it goes:
//! columns in the result's order, nulls as empty CSV fields or JSON `null`.

use std::io::{self, Write};

use serde_json::Value;

use crate::ports::ColumnInfo;

/// How rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    /// A header line, then one line per row (RFC 4180, CRLF).
    Csv,
    /// One JSON object per line.
    Ndjson,
    /// One JSON array of objects.
    Json,
    /// `{"schema": [{"name", "type"}], "rows": [objects]}`: what a reader that
    /// declares its fields first (a Looker Studio connector) takes.
    JsonWithSchema,
    /// PostgreSQL's `COPY … FROM STDIN` text format: no header, fields apart
    /// by tabs, `\N` for NULL, backslash escapes; what a `database` delivery
    /// sends.
    PostgresText,
}

impl RowFormat {
    pub fn extension(self) -> &'static str {
        match self {
            RowFormat::Csv => "csv",
            RowFormat::Ndjson => "ndjson",
            RowFormat::Json | RowFormat::JsonWithSchema => "json",
            RowFormat::PostgresText => "txt",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            RowFormat::Csv => "text/csv; charset=utf-8",
            RowFormat::Ndjson => "application/x-ndjson",
            RowFormat::Json | RowFormat::JsonWithSchema => "application/json",
            RowFormat::PostgresText => "text/plain; charset=utf-8",
        }
    }
}

/// Writes rows of known columns in one format: `start`, `row` for each, `finish`.
pub struct RowEncoder {
    format: RowFormat,
    columns: Vec<ColumnInfo>,
    /// `"name":` of each column, escaped once.
    keys: Vec<Vec<u8>>,
    rows: u64,
}

impl RowEncoder {
    pub fn new(format: RowFormat, columns: &[ColumnInfo]) -> RowEncoder {
        let keys = columns
            .iter()
            .map(|c| {
                let mut k = serde_json::to_vec(&c.name).unwrap_or_default();
                k.push(b':');
                k
            })
            .collect();
        RowEncoder {
            format,
            columns: columns.to_vec(),
            keys,
            rows: 0,
        }
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn format(&self) -> RowFormat {
        self.format
    }

    /// Appends `rows` rows another writer encoded: CSV lines (CRLF) for a CSV
    /// encoder; for the JSON formats, one JSON object per line, each ended by
    /// `\n`, with the columns as keys in their order and nulls written. They
    /// are framed as [`RowEncoder::row`] frames its rows.
    pub fn append_encoded(&mut self, out: &mut Vec<u8>, encoded: &[u8], rows: u64) {
        match self.format {
            RowFormat::Csv | RowFormat::Ndjson | RowFormat::PostgresText => {
                out.extend_from_slice(encoded);
                self.rows += rows;
            }
            RowFormat::Json | RowFormat::JsonWithSchema => {
                for line in encoded.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                    if self.rows > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(line);
                    self.rows += 1;
                }
            }
        }
    }

    /// What comes before the first row: CSV's header, JSON's opening.
    pub fn start(&mut self, out: &mut impl Write) -> io::Result<()> {
        match self.format {
            RowFormat::Csv => {
                let names: Vec<Value> = self
                    .columns
                    .iter()
                    .map(|c| Value::String(c.name.clone()))
                    .collect();
                csv_line(out, names.iter())
            }
            RowFormat::Ndjson | RowFormat::PostgresText => Ok(()),
            RowFormat::Json => out.write_all(b"["),
            RowFormat::JsonWithSchema => {
                let schema: Vec<Value> = self
                    .columns
                    .iter()
                    .map(|c| serde_json::json!({"name": c.name, "type": c.kind}))
                    .collect();
                out.write_all(b"{\"schema\":")?;
                serde_json::to_writer(&mut *out, &schema)?;
                out.write_all(b",\"rows\":[")
            }
        }
    }

    /// One row, its values in the columns' order.
    pub fn row(&mut self, out: &mut impl Write, row: &[Value]) -> io::Result<()> {
        match self.format {
            RowFormat::Csv => csv_line(out, row.iter())?,
            RowFormat::Ndjson => {
                self.object(out, row)?;
                out.write_all(b"\n")?;
            }
            RowFormat::Json | RowFormat::JsonWithSchema => {
                if self.rows > 0 {
                    out.write_all(b",")?;
                }
                self.object(out, row)?;
            }
            RowFormat::PostgresText => postgres_text_line(out, row)?,
        }
        self.rows += 1;
        Ok(())
    }

    /// What comes after the last row.
    pub fn finish(&mut self, out: &mut impl Write) -> io::Result<()> {
        match self.format {
            RowFormat::Csv | RowFormat::Ndjson | RowFormat::PostgresText => Ok(()),
            RowFormat::Json => out.write_all(b"]"),
            RowFormat::JsonWithSchema => out.write_all(b"]}"),
        }
    }

    /// The row as a JSON object, keys in the columns' order.
    fn object(&self, out: &mut impl Write, row: &[Value]) -> io::Result<()> {
        out.write_all(b"{")?;
        for (i, (key, v)) in self.keys.iter().zip(row).enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(key)?;
            serde_json::to_writer(&mut *out, v)?;
        }
        out.write_all(b"}")
    }
}

/// One CSV field: quoted when it holds a separator, a quote or a line break;
/// nothing for a null.
fn csv_field(out: &mut impl Write, v: &Value) -> io::Result<()> {
    let text = match v {
        Value::Null => return Ok(()),
        Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
        other => std::borrow::Cow::Owned(other.to_string()),
    };
    if text.contains([',', '"', '\n', '\r']) {
        out.write_all(b"\"")?;
        out.write_all(text.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(text.as_bytes())
    }
}

/// `text` escaped for PostgreSQL's COPY text format.
pub fn postgres_text_field(out: &mut impl Write, text: &str) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut from = 0;
    for (i, b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => continue,
        };
        out.write_all(&bytes[from..i])?;
        out.write_all(escaped)?;
        from = i + 1;
    }
    out.write_all(&bytes[from..])
}

/// One line of PostgreSQL's COPY text format: values apart by tabs, `\N` for
/// NULL, nested values as their JSON text.
fn postgres_text_line(out: &mut impl Write, row: &[Value]) -> io::Result<()> {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.write_all(b"\t")?;
        }
        match v {
            Value::Null => out.write_all(b"\\N")?,
            Value::Bool(b) => out.write_all(if *b { b"true" } else { b"false" })?,
            Value::Number(n) => out.write_all(n.to_string().as_bytes())?,
            Value::String(s) => postgres_text_field(out, s)?,
            other => postgres_text_field(out, &other.to_string())?,
        }
    }
    out.write_all(b"\n")
}

/// One CSV line of `values`, ended by CRLF.
pub fn csv_line<'v>(
    out: &mut impl Write,
    values: impl Iterator<Item = &'v Value>,
) -> io::Result<()> {
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        csv_field(out, v)?;
    }
    out.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn columns() -> Vec<ColumnInfo> {
        ["zeta", "alpha", "say \"x\""]
            .iter()
            .map(|n| ColumnInfo {
                name: n.to_string(),
                kind: "Utf8".into(),
            })
            .collect()
    }

    fn encode(format: RowFormat, rows: &[Vec<Value>]) -> String {
        let mut out = vec![];
        let mut e = RowEncoder::new(format, &columns());
        e.start(&mut out).expect("start");
        for r in rows {
            e.row(&mut out, r).expect("row");
        }
        e.finish(&mut out).expect("finish");
        assert_eq!(e.rows(), rows.len() as u64);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn the_postgres_text_format_escapes_and_marks_nulls() {
        let out = encode(
            RowFormat::PostgresText,
            &[vec![json!("a\tb\\c\nd"), Value::Null, json!({"k": [1]})]],
        );
        assert_eq!(out, "a\\tb\\\\c\\nd\t\\N\t{\"k\":[1]}\n");
    }

    #[test]
    fn rows_encoded_elsewhere_are_framed_as_the_encoders_own() {
        let mut out = vec![];
        let mut e = RowEncoder::new(RowFormat::Json, &columns());
        e.start(&mut out).expect("start");
        e.append_encoded(&mut out, b"{\"a\":1}\n{\"a\":2}\n", 2);
        e.append_encoded(&mut out, b"{\"a\":3}\n", 1);
        e.finish(&mut out).expect("finish");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            r#"[{"a":1},{"a":2},{"a":3}]"#
        );
        assert_eq!(e.rows(), 3);
    }

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        let mut out = vec![];
        let row = [
            Value::Null,
            Value::from("plain"),
            Value::from("a,b"),
            Value::from("say \"hi\""),
            Value::from("two\nlines"),
            Value::from(1.5),
            Value::from(true),
        ];
        csv_line(&mut out, row.iter()).expect("written");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            ",plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",1.5,true\r\n"
        );
    }

    #[test]
    fn every_format_keeps_the_columns_order_and_nulls() {
        let rows = vec![
            vec![json!(1), json!(null), json!("a")],
            vec![json!(2.5), json!("b"), json!(null)],
        ];
        assert_eq!(
            encode(RowFormat::Csv, &rows),
            "zeta,alpha,\"say \"\"x\"\"\"\r\n1,,a\r\n2.5,b,\r\n"
        );
        assert_eq!(
            encode(RowFormat::Ndjson, &rows),
            "{\"zeta\":1,\"alpha\":null,\"say \\\"x\\\"\":\"a\"}\n{\"zeta\":2.5,\"alpha\":\"b\",\"say \\\"x\\\"\":null}\n"
        );
        let array: Value = serde_json::from_str(&encode(RowFormat::Json, &rows)).expect("json");
        assert_eq!(array[1]["alpha"], json!("b"));
        let doc = encode(RowFormat::JsonWithSchema, &rows);
        assert!(doc.starts_with("{\"schema\":[{\"name\":\"zeta\",\"type\":\"Utf8\"}"));
        let parsed: Value = serde_json::from_str(&doc).expect("json");
        assert_eq!(parsed["rows"][0]["zeta"], json!(1));
        assert_eq!(parsed["rows"].as_array().map(Vec::len), Some(2));
        assert_eq!(encode(RowFormat::Json, &[]), "[]");
        assert_eq!(
            encode(RowFormat::JsonWithSchema, &[]),
            "{\"schema\":[{\"name\":\"zeta\",\"type\":\"Utf8\"},{\"name\":\"alpha\",\"type\":\"Utf8\"},{\"name\":\"say \\\"x\\\"\",\"type\":\"Utf8\"}],\"rows\":[]}"
        );
    }
}
