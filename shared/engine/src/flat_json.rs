//! The NDJSON fast path: flat objects (string, number, boolean and null values)
//! scanned straight into columns, one pass over the bytes, no per-row
//! allocation. A column read as text keeps each value's text; a column the
//! mapping casts is parsed into that type as it is scanned, by the parse Arrow's
//! cast kernel uses, so the cast after it has nothing to do. When a value does
//! not parse, the chunk is scanned again with that column as text, and the cast
//! names the bad rows as it always did. Anything that is not a flat object per
//! line — a nested value, an empty or broken line, invalid UTF-8 — answers
//! `None`, and the caller takes the general decoder, which names each bad line.

use std::sync::Arc;

use datafusion::arrow::array::timezone::Tz;
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder, Int64Builder,
    RecordBatch, RecordBatchOptions, StringBuilder, TimestampMicrosecondBuilder, new_null_array,
};
use datafusion::arrow::compute::kernels::cast::{
    cast_single_string_to_boolean_default, parse_string_to_decimal_native,
};
use datafusion::arrow::compute::kernels::cast_utils::{Parser as _, string_to_datetime};
use datafusion::arrow::datatypes::{
    ArrowTimestampType, DataType, Date32Type, Decimal128Type, DecimalType, Field, Float64Type,
    Int64Type, Schema, TimestampMicrosecondType,
};
use sluice_domain::entities::CastType;

use crate::mapping::{SourceRead, arrow_type};

/// One column per `(name, read)` from `bytes` of newline-separated flat JSON
/// objects: text columns are `Utf8` (numbers and booleans keep their text), typed
/// ones have their cast's type, unused ones are all null.
pub fn decode(bytes: &[u8], columns: &[(&str, SourceRead)]) -> Option<RecordBatch> {
    let text = std::str::from_utf8(bytes).ok()?;
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let mut reads: Vec<SourceRead> = columns.iter().map(|c| c.1).collect();
    match scan(text, &names, &reads)? {
        Scan::Done(batch) => Some(batch),
        Scan::Unparsed(failed) => {
            for c in failed {
                reads[c] = SourceRead::Text;
            }
            match scan(text, &names, &reads)? {
                Scan::Done(batch) => Some(batch),
                Scan::Unparsed(_) => None,
            }
        }
    }
}

enum Scan {
    Done(RecordBatch),
    /// Typed columns with a value that did not parse.
    Unparsed(Vec<usize>),
}

fn scan(text: &str, names: &[&str], reads: &[SourceRead]) -> Option<Scan> {
    let b = text.as_bytes();
    // Room for as many rows as lines as long as the first one fit.
    let first = memchr::memchr(b'\n', b).unwrap_or(b.len()) + 1;
    let lines = b.len() / first + b.len() / first / 8 + 1;
    let mut columns: Vec<Column> = reads.iter().map(|r| Column::new(*r, lines)).collect();
    // The row (from 1) each column was last set in; unset ones become null.
    let mut set_in = vec![0usize; names.len()];
    // The k-th key of the last row, from its opening quote to its colon, and its
    // column: rows mostly repeat their keys in order, so one comparison usually
    // reads the key and finds the column.
    let mut slots: Vec<(&[u8], Option<usize>)> = vec![];
    let mut scratch = String::new();
    let tz: Tz = "UTC".parse().ok()?;
    let mut p = Parser { s: text, b, i: 0 };
    let mut rows = 0usize;
    while p.i < b.len() || rows == 0 {
        rows += 1;
        p.ws();
        p.expect(b'{')?;
        p.ws();
        if p.peek()? == b'}' {
            p.i += 1;
        } else {
            let mut k = 0;
            loop {
                p.ws();
                let column = match slots.get(k) {
                    Some((known, c))
                        if b.get(p.i..p.i + known.len())
                            .is_some_and(|s| same(s, known)) =>
                    {
                        p.i += known.len();
                        *c
                    }
                    _ => {
                        let from = p.i;
                        let (start, end, escaped) = p.string_raw()?;
                        if escaped {
                            return None;
                        }
                        p.ws();
                        p.expect(b':')?;
                        let c = names.iter().position(|n| n.as_bytes() == &b[start..end]);
                        slots.truncate(k);
                        slots.push((&b[from..p.i], c));
                        c
                    }
                };
                p.ws();
                k += 1;
                match p.peek()? {
                    b'"' => {
                        let (start, end, escaped) = p.string_raw()?;
                        if let Some(c) = column {
                            let value = if escaped {
                                unescape(&text[start - 1..end + 1], &mut scratch)?;
                                scratch.as_str()
                            } else {
                                &text[start..end]
                            };
                            if set_in[c] != rows {
                                set_in[c] = rows;
                                columns[c].put(value, &tz);
                            }
                        }
                    }
                    b'{' | b'[' => return None,
                    _ => {
                        let (start, end) = p.scalar()?;
                        if let Some(c) = column
                            && set_in[c] != rows
                        {
                            set_in[c] = rows;
                            match &text[start..end] {
                                "null" => columns[c].null(),
                                value => columns[c].put(value, &tz),
                            }
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
        match p.next() {
            None => {}
            Some(b'\n') => {}
            Some(_) => return None,
        }
        for (c, row) in set_in.iter().enumerate() {
            if *row != rows {
                columns[c].null();
            }
        }
    }
    let failed: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter_map(|(c, col)| matches!(col, Column::Failed).then_some(c))
        .collect();
    if !failed.is_empty() {
        return Some(Scan::Unparsed(failed));
    }
    let fields: Vec<Field> = names
        .iter()
        .zip(reads)
        .map(|(n, r)| {
            let ty = match r {
                SourceRead::Typed(t) => arrow_type(*t),
                SourceRead::Text | SourceRead::Unused => DataType::Utf8,
            };
            Field::new(*n, ty, true)
        })
        .collect();
    let arrays: Vec<ArrayRef> = columns.into_iter().map(|c| c.finish(rows)).collect();
    let schema = Arc::new(Schema::new(fields));
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(schema, arrays, &options)
        .ok()
        .map(Scan::Done)
}

/// A column being built.
enum Column {
    Text(StringBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    /// With the type's precision and scale.
    Decimal(Decimal128Builder, u8, u8),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    Timestamp(TimestampMicrosecondBuilder),
    Unused,
    /// A typed column a value did not parse in.
    Failed,
}

impl Column {
    fn new(read: SourceRead, rows: usize) -> Column {
        match read {
            SourceRead::Text => Column::Text(StringBuilder::with_capacity(rows, rows * 16)),
            SourceRead::Unused => Column::Unused,
            SourceRead::Typed(t) => match t {
                CastType::Int => Column::Int(Int64Builder::with_capacity(rows)),
                CastType::Float => Column::Float(Float64Builder::with_capacity(rows)),
                CastType::Decimal { precision, scale } => Column::Decimal(
                    Decimal128Builder::with_capacity(rows).with_data_type(arrow_type(t)),
                    precision,
                    scale,
                ),
                CastType::Bool => Column::Bool(BooleanBuilder::with_capacity(rows)),
                CastType::Date => Column::Date(Date32Builder::with_capacity(rows)),
                CastType::Timestamp => Column::Timestamp(
                    TimestampMicrosecondBuilder::with_capacity(rows).with_data_type(arrow_type(t)),
                ),
                CastType::String | CastType::Json => {
                    Column::Text(StringBuilder::with_capacity(rows, rows * 16))
                }
            },
        }
    }

    fn null(&mut self) {
        match self {
            Column::Text(b) => b.append_null(),
            Column::Int(b) => b.append_null(),
            Column::Float(b) => b.append_null(),
            Column::Decimal(b, ..) => b.append_null(),
            Column::Bool(b) => b.append_null(),
            Column::Date(b) => b.append_null(),
            Column::Timestamp(b) => b.append_null(),
            Column::Unused | Column::Failed => {}
        }
    }

    /// Appends a value's text, parsed for a typed column; a value that does not
    /// parse fails the column.
    #[inline]
    fn put(&mut self, v: &str, tz: &Tz) {
        let parsed = match self {
            Column::Text(b) => {
                b.append_value(v);
                true
            }
            Column::Int(b) => Int64Type::parse(v).map(|x| b.append_value(x)).is_some(),
            Column::Float(b) => Float64Type::parse(v).map(|x| b.append_value(x)).is_some(),
            Column::Decimal(b, p, s) => decimal(v, *p, *s).map(|x| b.append_value(x)).is_some(),
            Column::Bool(b) => boolean(v).map(|x| b.append_value(x)).is_some(),
            Column::Date(b) => date(v).map(|x| b.append_value(x)).is_some(),
            Column::Timestamp(b) => timestamp(v, tz).map(|x| b.append_value(x)).is_some(),
            Column::Unused | Column::Failed => true,
        };
        if !parsed {
            *self = Column::Failed;
        }
    }

    fn finish(self, rows: usize) -> ArrayRef {
        match self {
            Column::Text(mut b) => Arc::new(b.finish()),
            Column::Int(mut b) => Arc::new(b.finish()),
            Column::Float(mut b) => Arc::new(b.finish()),
            Column::Decimal(mut b, ..) => Arc::new(b.finish()),
            Column::Bool(mut b) => Arc::new(b.finish()),
            Column::Date(mut b) => Arc::new(b.finish()),
            Column::Timestamp(mut b) => Arc::new(b.finish()),
            Column::Unused | Column::Failed => new_null_array(&DataType::Utf8, rows),
        }
    }
}

/// Arrow's cast to `Decimal128(precision, scale)`; plain `-12.34` shapes
/// without its string building.
fn decimal(v: &str, precision: u8, scale: u8) -> Option<i128> {
    let (precision, scale) = (usize::from(precision), usize::from(scale));
    let b = v.as_bytes();
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let (int, frac) = match digits.iter().position(|c| *c == b'.') {
        Some(dot) => (&digits[..dot], Some(&digits[dot + 1..])),
        None => (digits, None),
    };
    let frac_digits = frac.unwrap_or_default();
    // At most precision - scale integer digits: always within the precision.
    let plain = (1..=precision - scale).contains(&int.len())
        && frac.is_none_or(|f| (1..=scale).contains(&f.len()))
        && int.iter().chain(frac_digits).all(u8::is_ascii_digit);
    if plain {
        let n = int
            .iter()
            .chain(frac_digits)
            .fold(0i128, |n, c| n * 10 + i128::from(c - b'0'));
        let n = n * 10i128.pow((scale - frac_digits.len()) as u32);
        return Some(if negative { -n } else { n });
    }
    let n = parse_string_to_decimal_native::<Decimal128Type>(v, scale).ok()?;
    Decimal128Type::is_valid_decimal_precision(n, precision as u8).then_some(n)
}

/// Arrow's cast to boolean, without its lower-casing copy for the usual words.
fn boolean(v: &str) -> Option<bool> {
    match v {
        "true" => Some(true),
        "false" => Some(false),
        _ => cast_single_string_to_boolean_default(v),
    }
}

/// Arrow's cast to microseconds since the epoch in UTC; `2026-03-01T10:20:30Z`
/// and `2026-03-01 10:20:30.123` shapes (UTC, no leap second) computed directly.
fn timestamp(v: &str, tz: &Tz) -> Option<i64> {
    if let Some(micros) = plain_timestamp(v) {
        return Some(micros);
    }
    let naive = string_to_datetime(tz, v).ok()?.naive_utc();
    TimestampMicrosecondType::from_naive_datetime(naive, None)
}

fn plain_timestamp(v: &str) -> Option<i64> {
    let b = v.as_bytes();
    let shape = b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b' ')
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return None;
    }
    let nanos = match b[19..].strip_suffix(b"Z").unwrap_or(&b[19..]) {
        [] => 0,
        [b'.', f @ ..] if (1..=9).contains(&f.len()) && f.iter().all(u8::is_ascii_digit) => {
            let n = f.iter().fold(0i64, |n, c| n * 10 + i64::from(c - b'0'));
            n * 10i64.pow(9 - f.len() as u32)
        }
        _ => return None,
    };
    let two = |i: usize| -> Option<i64> {
        let (h, l) = (b[i], b[i + 1]);
        (h.is_ascii_digit() && l.is_ascii_digit()).then(|| i64::from((h - b'0') * 10 + (l - b'0')))
    };
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = i64::from(date(v.get(..10)?)?);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(seconds * 1_000_000 + nanos / 1_000)
}

/// Arrow's cast to days since the epoch; `YYYY-MM-DD` computed directly.
fn date(v: &str) -> Option<i32> {
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0i32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0'))
        })
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
        && (1..=12).contains(&m)
        && (1..=days_in_month(y, m)).contains(&d)
    {
        return Some(days_from_civil(y, m, d));
    }
    Date32Type::parse(v)
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The text of a quoted JSON string with escapes (`quoted` includes the quotes).
fn unescape(quoted: &str, out: &mut String) -> Option<()> {
    out.clear();
    let raw = &quoted[1..quoted.len() - 1];
    if raw.contains("\\u") {
        // Code points and surrogate pairs: let serde_json read them.
        *out = serde_json::from_str::<String>(quoted).ok()?;
        return Some(());
    }
    let b = raw.as_bytes();
    let mut from = 0;
    while let Some(at) = memchr::memchr(b'\\', &b[from..]).map(|at| from + at) {
        out.push_str(&raw[from..at]);
        out.push(match b.get(at + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            _ => return None,
        });
        from = at + 2;
    }
    out.push_str(&raw[from..]);
    Some(())
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\r') = self.b.get(self.i) {
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
    /// Where the text between the quotes of a string is (escapes left as they
    /// are), and whether it has escapes.
    #[inline]
    fn string_raw(&mut self) -> Option<(usize, usize, bool)> {
        self.expect(b'"')?;
        let start = self.i;
        let mut escaped = false;
        let mut i = start;
        loop {
            i = next_special(self.b, i)?;
            match self.b[i] {
                b'"' => {
                    self.i = i + 1;
                    return Some((start, i, escaped));
                }
                b'\\' if *self.b.get(i + 1)? >= 0x20 => {
                    escaped = true;
                    i += 2;
                }
                // Raw control characters (a line break among them) are not JSON:
                // the general path names the line.
                _ => return None,
            }
        }
    }
    /// Where a number, `true`, `false` or `null` is, checked for its shape.
    fn scalar(&mut self) -> Option<(usize, usize)> {
        let start = self.i;
        while self.i < self.b.len()
            && !matches!(self.b[self.i], b',' | b'}' | b' ' | b'\t' | b'\r' | b'\n')
        {
            self.i += 1;
        }
        let s = &self.b[start..self.i];
        let ok = match s {
            b"true" | b"false" | b"null" => true,
            _ => is_number(s),
        };
        // A scalar ends at an ASCII byte, so its end is a character boundary.
        (ok && self.s.is_char_boundary(self.i)).then_some((start, self.i))
    }
}

/// Equal byte strings, compared a word at a time (keys are short; a `memcmp`
/// call costs more than the comparison).
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a, mut b) = (a, b);
    while let (Some((x, rest_a)), Some((y, rest_b))) =
        (a.split_first_chunk::<8>(), b.split_first_chunk::<8>())
    {
        if u64::from_ne_bytes(*x) != u64::from_ne_bytes(*y) {
            return false;
        }
        (a, b) = (rest_a, rest_b);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The first quote, backslash or control byte of `b` from `i`, eight bytes at a
/// time.
fn next_special(b: &[u8], mut i: usize) -> Option<usize> {
    while let Some(chunk) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).ok()?);
        let m = special(w);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let tail = b.get(i..)?;
    tail.iter()
        .position(|c| matches!(c, b'"' | b'\\' | 0..0x20))
        .map(|j| i + j)
}

/// The high bit of each byte of `w` that is a quote, a backslash or below 0x20.
/// A borrow can also flag bytes above the first such byte, never below it, so
/// the lowest flag is exact.
fn special(w: u64) -> u64 {
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let quote = zero(w ^ (ONES * u64::from(b'"')));
    let backslash = zero(w ^ (ONES * u64::from(b'\\')));
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    quote | backslash | control
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
    use datafusion::arrow::array::{Array, AsArray, StringArray};
    use datafusion::arrow::compute::{CastOptions, cast_with_options};

    fn text(cols: &[&'static str]) -> Vec<(&'static str, SourceRead)> {
        cols.iter().map(|c| (*c, SourceRead::Text)).collect()
    }

    #[test]
    fn flat_objects_become_string_columns() {
        let data = b"{\"a\": \"x\", \"b\": 1.5e3, \"c\": true, \"skip\": -2}\n{\"b\": null, \"a\": \"q\\\"\\u00e9\\n\"}\n{}\n";
        let batch = decode(data, &text(&["a", "b", "c"])).expect("flat");
        assert_eq!(batch.num_rows(), 3);
        let a = batch.column(0).as_string::<i32>();
        let b = batch.column(1).as_string::<i32>();
        assert_eq!(
            (a.value(0), a.value(1), a.is_null(2)),
            ("x", "q\"é\n", true)
        );
        assert_eq!((b.value(0), b.is_null(1)), ("1.5e3", true));
        assert_eq!(batch.column(2).as_string::<i32>().value(0), "true");
    }

    #[test]
    fn anything_else_takes_the_general_path() {
        let s = text(&["a"]);
        for bad in [
            &b"{\"a\": {\"n\": 1}}\n"[..],
            b"{\"a\": [1]}\n",
            b"{\"a\": 1}\n\n{\"a\": 2}\n",
            b"{\"a\": 1}\n\n",
            b"\n",
            b"",
            b"{\"a\": tru}\n",
            b"{\"a\": 01}\n",
            b"{\"a\": \"x\"} trailing\n",
            b"{\"a\" \"x\"}\n",
            b"{\"a\": \"x\n\"}\n",
            b"{\"a\": \"\\x\"}\n",
            b"{\"a\": \"\\ud800\"}\n",
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

    /// Each value parsed in the scan equals Arrow's cast of its text, null where
    /// the cast fails.
    fn agrees_with_the_cast(kind: CastType, values: &[&str]) {
        let cast = cast_with_options(
            &StringArray::from(values.to_vec()),
            &arrow_type(kind),
            &CastOptions::default(),
        )
        .expect("castable");
        let tz: Tz = "UTC".parse().expect("a zone");
        for (i, v) in values.iter().enumerate() {
            let mut column = Column::new(SourceRead::Typed(kind), 1);
            column.put(v, &tz);
            let scanned = match column {
                Column::Failed => new_null_array(&arrow_type(kind), 1),
                c => c.finish(1),
            };
            assert_eq!(
                scanned.as_ref(),
                cast.slice(i, 1).as_ref(),
                "{kind:?} of `{v}`"
            );
        }
    }

    #[test]
    fn typed_values_parse_as_the_cast_does() {
        agrees_with_the_cast(
            CastType::Int,
            &[
                "0",
                "-7",
                "+7",
                " 12",
                "12 ",
                "1.5",
                "1e3",
                "",
                "9223372036854775808",
            ],
        );
        agrees_with_the_cast(
            CastType::Float,
            &[
                "0.243", "-1", "1e3", "1.5E-3", " 2.5", "NaN", "inf", "x", "",
            ],
        );
        let decimals: &[&str] = &[
            "442.75",
            "-0.5",
            "-0",
            "007",
            "12.123456789",
            "12.1234567891",
            "12.1234567895",
            "-12.1234567895",
            ".5",
            "5.",
            "+5",
            " 5 ",
            "1e3",
            "1.2.3",
            "-",
            "",
            "99999999999999999999999999999.999999999",
            "999999999999999999999999999999",
            "x",
        ];
        for kind in [
            CastType::DECIMAL,
            CastType::Decimal {
                precision: 12,
                scale: 2,
            },
            CastType::Decimal {
                precision: 5,
                scale: 0,
            },
        ] {
            agrees_with_the_cast(
                kind,
                &[
                    decimals,
                    &[
                        "9999999999.99",
                        "10000000000.00",
                        "-9999999999.995",
                        "99999",
                        "100000",
                    ],
                ]
                .concat(),
            );
        }
        agrees_with_the_cast(
            CastType::Bool,
            &["true", "false", "TRUE", " yes", "0", "1", "on", "nope", ""],
        );
        agrees_with_the_cast(
            CastType::Date,
            &[
                "2026-12-09",
                "2024-02-29",
                "2023-02-29",
                "2026-1-5",
                "20261209",
                "2026-12-09T10:00:00Z",
                "+12026-01-01",
                "x",
            ],
        );
        agrees_with_the_cast(
            CastType::Timestamp,
            &[
                "2026-12-09T14:58:42Z",
                "2026-12-09 14:58:42",
                "2026-12-09T14:58:42.5Z",
                "2026-12-09T14:58:42.123456789Z",
                "2026-12-09T14:58:42.1234567891Z",
                "2026-12-09T14:58:42+02:00",
                "2026-12-09t14:58:42z",
                "2026-12-09T24:00:00Z",
                "2026-12-09T23:59:60Z",
                "2024-02-29T00:00:00Z",
                "2023-02-29T00:00:00Z",
                "1969-12-31T23:59:59.999999Z",
                "0001-01-01T00:00:00Z",
                "2026-12-09",
                "2026-12-09T14:58Z",
                "-026-12-09T14:58:42Z",
                "x",
            ],
        );
    }

    #[test]
    fn the_word_scan_finds_the_first_quote_backslash_or_control_byte() {
        // Bytes that are not special: high bytes, 0x20, 0x7f, letters.
        let plain = [0x20u8, 0x7f, 0x80, 0xff, b'a', 0x21, 0x5d, 0xc3];
        for special in [b'"', b'\\', 0, 0x1f, b'\n'] {
            for len in 0..40 {
                for at in 0..=len {
                    let mut s: Vec<u8> = (0..len).map(|i| plain[i % plain.len()]).collect();
                    if at < len {
                        s[at] = special;
                        s.extend_from_slice(b"\"\x01");
                    }
                    for from in 0..=s.len() {
                        let expected = s[from..]
                            .iter()
                            .position(|c| matches!(c, b'"' | b'\\' | 0..0x20))
                            .map(|j| from + j);
                        assert_eq!(next_special(&s, from), expected, "{s:?} from {from}");
                    }
                }
            }
        }
    }

    #[test]
    fn dates_are_counted_as_arrow_counts_them() {
        for y in (0..=3).chain(1896..=2104).chain(9997..=9999) {
            for m in 0..=13 {
                for d in 0..=32 {
                    let v = format!("{y:04}-{m:02}-{d:02}");
                    assert_eq!(date(&v), Date32Type::parse(&v), "{v}");
                }
            }
        }
    }

    #[test]
    fn typed_columns_parse_and_a_value_that_does_not_makes_its_column_text() {
        let data =
            b"{\"n\": 1, \"d\": \"2026-01-02\", \"x\": \"a\"}\n{\"n\": \"2\", \"d\": null}\n";
        let reads = [
            ("n", SourceRead::Typed(CastType::Int)),
            ("d", SourceRead::Typed(CastType::Date)),
            ("x", SourceRead::Unused),
        ];
        let batch = decode(data, &reads).expect("flat");
        assert_eq!(
            batch.column(0).as_primitive::<Int64Type>().values(),
            &[1, 2]
        );
        assert_eq!(batch.column(1).data_type(), &DataType::Date32);
        assert!(batch.column(1).is_null(1));
        assert_eq!(batch.column(2).null_count(), 2);

        let data = b"{\"n\": 1, \"d\": \"2026-01-02\"}\n{\"n\": \"lots\", \"d\": \"2026-01-03\"}\n";
        let batch = decode(data, &reads[..2]).expect("flat");
        let n = batch.column(0).as_string::<i32>();
        assert_eq!((n.value(0), n.value(1)), ("1", "lots"));
        assert_eq!(batch.column(1).data_type(), &DataType::Date32);
    }
}
