//! Rows of MySQL's binary protocol (a prepared statement's result) decoded
//! straight into Arrow builders, column by column by the column's declared
//! type: each value is read where it lies in the row's packet, and no row is
//! ever text, JSON or a list of values on the way.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use mysql_common::Value;
use mysql_common::constants::{ColumnFlags, ColumnType};
use serde::{Deserialize, Serialize};

use crate::columns::{Builder, null_buffer, set_null};

/// How a column is read, from its `information_schema` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `tinyint(1)`, and `bit(1)`.
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    /// `bigint unsigned`: Decimal128(20, 0), which holds every value.
    U64,
    /// `bit(n)`, 1 < n ≤ 64, its bits as an unsigned number (Int64, or
    /// Decimal128(20, 0) for `bit(64)`).
    Bit(u8),
    F32,
    F64,
    /// `decimal(p, s)` with p ≤ 38; wider ones are [`Kind::Text`].
    Decimal {
        precision: u8,
        scale: i8,
    },
    /// Text, enums, sets, json, wide decimals, and types not known here.
    Text,
    /// `time`, which may be negative or past 24 hours: as text, `-838:59:59.000000`.
    Time,
    Date,
    /// `datetime` and `timestamp`, read with the session in UTC.
    Timestamp,
    /// `binary`, `varbinary`, blobs and geometries.
    Binary,
}

impl Kind {
    /// The reading of a column of `data_type` (`DATA_TYPE`) and `column_type`
    /// (`COLUMN_TYPE`, with its width and `unsigned`).
    pub fn of(data_type: &str, column_type: &str) -> Kind {
        let column_type = column_type.to_ascii_lowercase();
        let unsigned = column_type.contains("unsigned");
        let args: Vec<u32> = column_type
            .split_once('(')
            .and_then(|(_, a)| a.split_once(')'))
            .map(|(a, _)| a.split(',').filter_map(|p| p.trim().parse().ok()).collect())
            .unwrap_or_default();
        match data_type.to_ascii_lowercase().as_str() {
            "tinyint" if args == [1] && !unsigned => Kind::Bool,
            "tinyint" if unsigned => Kind::U8,
            "tinyint" => Kind::I8,
            "smallint" if unsigned => Kind::U16,
            "smallint" | "year" => Kind::I16,
            "mediumint" | "int" | "integer" if unsigned => Kind::U32,
            "mediumint" | "int" | "integer" => Kind::I32,
            "bigint" if unsigned => Kind::U64,
            "bigint" => Kind::I64,
            "bit" => match args.first().copied().unwrap_or(1) {
                0 | 1 => Kind::Bool,
                n => Kind::Bit(n.min(64) as u8),
            },
            "float" => Kind::F32,
            "double" | "real" | "double precision" => Kind::F64,
            "decimal" | "numeric" => {
                let p = args.first().copied().unwrap_or(10);
                let s = args.get(1).copied().unwrap_or(0);
                if (1..=38).contains(&p) && s <= p {
                    Kind::Decimal {
                        precision: p as u8,
                        scale: s as i8,
                    }
                } else {
                    Kind::Text
                }
            }
            "date" => Kind::Date,
            "datetime" | "timestamp" => Kind::Timestamp,
            "time" => Kind::Time,
            "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob"
            | "geometry" | "point" | "linestring" | "polygon" | "multipoint"
            | "multilinestring" | "multipolygon" | "geometrycollection" => Kind::Binary,
            _ => Kind::Text,
        }
    }

    /// Whether a cursor column of this kind moves back by the look-back.
    pub fn is_temporal(self) -> bool {
        matches!(self, Kind::Date | Kind::Timestamp)
    }

    /// The Arrow type its column is built as.
    pub fn data_type(self) -> DataType {
        match self {
            Kind::Bool => DataType::Boolean,
            Kind::I8 => DataType::Int8,
            Kind::I16 => DataType::Int16,
            Kind::I32 => DataType::Int32,
            Kind::I64 | Kind::Bit(2..=63) => DataType::Int64,
            Kind::U8 => DataType::UInt8,
            Kind::U16 => DataType::UInt16,
            Kind::U32 => DataType::UInt32,
            Kind::U64 | Kind::Bit(_) => DataType::Decimal128(20, 0),
            Kind::F32 => DataType::Float32,
            Kind::F64 => DataType::Float64,
            Kind::Decimal { precision, scale } => DataType::Decimal128(precision, scale),
            Kind::Text | Kind::Time => DataType::Utf8,
            Kind::Date => DataType::Date32,
            Kind::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            Kind::Binary => DataType::Binary,
        }
    }
}

/// How a result's column is laid out in a binary row, by the type the
/// server sends it as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
    /// `date`, `datetime` and `timestamp`: a length, then the parts.
    Date,
    /// `time`: a length, then the sign, days and parts.
    Time,
    /// Anything else: bytes after their length (text, decimals, bits, blobs).
    Bytes,
    /// A column always NULL: nothing in the row.
    Null,
}

impl Wire {
    /// The layout of a column the server sends as `t`, `unsigned` or not.
    pub fn of(t: ColumnType, flags: ColumnFlags) -> Wire {
        use ColumnType::*;
        let unsigned = flags.contains(ColumnFlags::UNSIGNED_FLAG);
        match t {
            MYSQL_TYPE_TINY if unsigned => Wire::U8,
            MYSQL_TYPE_TINY => Wire::I8,
            MYSQL_TYPE_SHORT | MYSQL_TYPE_YEAR if unsigned => Wire::U16,
            MYSQL_TYPE_SHORT | MYSQL_TYPE_YEAR => Wire::I16,
            MYSQL_TYPE_LONG | MYSQL_TYPE_INT24 if unsigned => Wire::U32,
            MYSQL_TYPE_LONG | MYSQL_TYPE_INT24 => Wire::I32,
            MYSQL_TYPE_LONGLONG if unsigned => Wire::U64,
            MYSQL_TYPE_LONGLONG => Wire::I64,
            MYSQL_TYPE_FLOAT => Wire::F32,
            MYSQL_TYPE_DOUBLE => Wire::F64,
            MYSQL_TYPE_DATE
            | MYSQL_TYPE_DATETIME
            | MYSQL_TYPE_DATETIME2
            | MYSQL_TYPE_TIMESTAMP
            | MYSQL_TYPE_TIMESTAMP2
            | MYSQL_TYPE_NEWDATE => Wire::Date,
            MYSQL_TYPE_TIME | MYSQL_TYPE_TIME2 => Wire::Time,
            MYSQL_TYPE_NULL => Wire::Null,
            _ => Wire::Bytes,
        }
    }
}

/// One value of a row, read where it lies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Int(i64),
    UInt(u64),
    Float(f32),
    Double(f64),
    Bytes(&'a [u8]),
    /// Year, month, day, hour, minute, second, microsecond.
    Date(u16, u8, u8, u8, u8, u8, u32),
    /// Negative, days, hours, minutes, seconds, microseconds.
    Time(bool, u32, u8, u8, u8, u32),
}

impl<'a> Cell<'a> {
    /// A value mysql_async read (a planning query's), or `None` for NULL.
    pub fn of(v: &'a Value) -> Option<Cell<'a>> {
        Some(match v {
            Value::NULL => return None,
            Value::Int(i) => Cell::Int(*i),
            Value::UInt(u) => Cell::UInt(*u),
            Value::Float(f) => Cell::Float(*f),
            Value::Double(d) => Cell::Double(*d),
            Value::Bytes(b) => Cell::Bytes(b),
            Value::Date(y, mo, d, h, mi, s, us) => Cell::Date(*y, *mo, *d, *h, *mi, *s, *us),
            Value::Time(n, d, h, m, s, us) => Cell::Time(*n, *d, *h, *m, *s, *us),
        })
    }

    /// The value as a signed integer: integers, and a bit field's bytes.
    fn as_i128(self) -> Option<i128> {
        match self {
            Cell::Int(i) => Some(i128::from(i)),
            Cell::UInt(u) => Some(i128::from(u)),
            // A bit field: its bytes, most significant first.
            Cell::Bytes(b) if b.len() <= 8 => Some(
                b.iter()
                    .fold(0i128, |acc, byte| (acc << 8) | i128::from(*byte)),
            ),
            Cell::Bytes(b) => std::str::from_utf8(b).ok()?.trim().parse().ok(),
            _ => None,
        }
    }
}

/// `n` bytes off the front of `row`.
#[inline(always)]
fn eat<'a>(row: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = row.split_at_checked(n)?;
    *row = rest;
    Some(head)
}

#[inline(always)]
fn eat_array<const N: usize>(row: &mut &[u8]) -> Option<[u8; N]> {
    eat(row, N)?.try_into().ok()
}

/// A length-encoded integer off the front of `row`.
#[inline(always)]
fn lenenc(row: &mut &[u8]) -> Option<u64> {
    let first = *eat(row, 1)?.first()?;
    Some(match first {
        0xFC => u64::from(u16::from_le_bytes(eat_array(row)?)),
        0xFD => {
            let [a, b, c] = eat_array(row)?;
            u64::from_le_bytes([a, b, c, 0, 0, 0, 0, 0])
        }
        0xFE => u64::from_le_bytes(eat_array(row)?),
        n => u64::from(n),
    })
}

/// A length-encoded count (of columns, of bytes) off the front of `buf`.
pub fn count(buf: &mut &[u8]) -> Option<usize> {
    usize::try_from(lenenc(buf)?).ok()
}

/// A date's or a time's parts off the front of `row`: their length, then
/// as many bytes (the parts that are zero left off the end).
#[inline(always)]
fn parts<'a>(row: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = usize::from(*eat(row, 1)?.first()?);
    eat(row, len)
}

/// The `N` bytes of `parts` from `at`, zeros when they were left off.
#[inline(always)]
fn field<const N: usize>(parts: &[u8], at: usize) -> [u8; N] {
    parts
        .get(at..at + N)
        .and_then(|b| b.try_into().ok())
        .unwrap_or([0; N])
}

/// A date's parts: year, month, day, hour, minute, second, microsecond.
#[inline(always)]
fn datetime(p: &[u8]) -> (u16, u8, u8, u8, u8, u8, u32) {
    let at = |i: usize| field::<1>(p, i)[0];
    (
        u16::from_le_bytes(field(p, 0)),
        at(2),
        at(3),
        at(4),
        at(5),
        at(6),
        u32::from_le_bytes(field(p, 7)),
    )
}

/// The value of a column laid out as `wire` off the front of `row`; `None`
/// when the row is cut short.
#[inline(always)]
fn cell<'a>(wire: Wire, row: &mut &'a [u8]) -> Option<Cell<'a>> {
    Some(match wire {
        Wire::I8 => Cell::Int(i64::from(i8::from_le_bytes(eat_array(row)?))),
        Wire::U8 => Cell::UInt(u64::from(u8::from_le_bytes(eat_array(row)?))),
        Wire::I16 => Cell::Int(i64::from(i16::from_le_bytes(eat_array(row)?))),
        Wire::U16 => Cell::UInt(u64::from(u16::from_le_bytes(eat_array(row)?))),
        Wire::I32 => Cell::Int(i64::from(i32::from_le_bytes(eat_array(row)?))),
        Wire::U32 => Cell::UInt(u64::from(u32::from_le_bytes(eat_array(row)?))),
        Wire::I64 => Cell::Int(i64::from_le_bytes(eat_array(row)?)),
        Wire::U64 => Cell::UInt(u64::from_le_bytes(eat_array(row)?)),
        Wire::F32 => Cell::Float(f32::from_le_bytes(eat_array(row)?)),
        Wire::F64 => Cell::Double(f64::from_le_bytes(eat_array(row)?)),
        Wire::Date => {
            let (y, mo, d, h, mi, s, us) = datetime(parts(row)?);
            Cell::Date(y, mo, d, h, mi, s, us)
        }
        Wire::Time => {
            let p = parts(row)?;
            let at = |i: usize| field::<1>(p, i)[0];
            Cell::Time(
                at(0) == 1,
                u32::from_le_bytes(field(p, 1)),
                at(5),
                at(6),
                at(7),
                u32::from_le_bytes(field(p, 8)),
            )
        }
        Wire::Bytes => {
            let len = usize::try_from(lenenc(row)?).ok()?;
            Cell::Bytes(eat(row, len)?)
        }
        // Never read: its bit in the row's NULL bitmap is always set.
        Wire::Null => return None,
    })
}

/// Calls `each` with every column's place and value (`None` for NULL) of
/// the binary row `row` (its 0x00 header, its NULL bitmap, its values),
/// laid out as `wires` say; an error when the row is not.
pub fn walk<'a>(
    wires: &[Wire],
    row: &'a [u8],
    mut each: impl FnMut(usize, Option<Cell<'a>>) -> Result<(), String>,
) -> Result<(), String> {
    let (bitmap, mut values) = split_row(wires.len(), row)?;
    for (i, wire) in wires.iter().enumerate() {
        if is_null(bitmap, i) {
            each(i, None)?;
        } else {
            each(
                i,
                Some(cell(*wire, &mut values).ok_or_else(|| cut_short(row))?),
            )?;
        }
    }
    Ok(())
}

/// What [`direct`] did with a value.
enum Took {
    Value,
    /// A zero date: its place is padded, and it is NULL.
    Null,
    /// Nothing: the value is left for [`append`].
    Left,
}

/// Appends the value off the front of `values` to `builder` straight from
/// its bytes, for the layouts a column's builder takes as they are (a
/// bigint to Int64, a double to Float64, text to UTF-8, a datetime to
/// microseconds, a `kind`'s decimal to its scaled integer, …); `None` when
/// the row is cut short.
#[inline(always)]
fn direct(wire: Wire, kind: Kind, builder: &mut Builder, values: &mut &[u8]) -> Option<Took> {
    match (wire, builder) {
        (Wire::I64, Builder::I64(b)) => b.append_value(i64::from_le_bytes(eat_array(values)?)),
        (Wire::I32, Builder::I32(b)) => b.append_value(i32::from_le_bytes(eat_array(values)?)),
        (Wire::I16, Builder::I16(b)) => b.append_value(i16::from_le_bytes(eat_array(values)?)),
        (Wire::F64, Builder::F64(b)) => b.append_value(f64::from_le_bytes(eat_array(values)?)),
        (Wire::F32, Builder::F32(b)) => b.append_value(f32::from_le_bytes(eat_array(values)?)),
        (Wire::I8, Builder::Bool(b)) => b.append(eat_array::<1>(values)?[0] != 0),
        (Wire::Bytes, Builder::Str(b)) => {
            let len = usize::try_from(lenenc(values)?).ok()?;
            b.append_value(eat(values, len)?);
        }
        (Wire::Date, Builder::Ts(b)) => {
            let (y, mo, d, h, mi, s, us) = datetime(parts(values)?);
            match micros(y, mo, d, h, mi, s, us) {
                Some(t) => b.append_value(t),
                // A zero date ('0000-00-00 00:00:00') is no time.
                None => {
                    b.pad();
                    return Some(Took::Null);
                }
            }
        }
        (Wire::Bytes, Builder::Dec(b)) => {
            let Kind::Decimal { scale, .. } = kind else {
                return Some(Took::Left);
            };
            // Read from a copy: text that is no decimal is left for
            // [`append`] to name.
            let mut at = *values;
            let len = usize::try_from(lenenc(&mut at)?).ok()?;
            match parse_decimal(eat(&mut at, len)?, scale) {
                Some(n) => b.append_value(n),
                None => return Some(Took::Left),
            }
            *values = at;
        }
        _ => return Some(Took::Left),
    }
    Some(Took::Value)
}

/// Microseconds from 1970-01-01 00:00 UTC of a datetime's parts, `None` for
/// a zero date and any day its month does not have.
#[inline(always)]
fn micros(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8, us: u32) -> Option<i64> {
    let day = days(y, mo, d)?;
    Some(
        i64::from(day) * 86_400_000_000
            + (i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s)) * 1_000_000
            + i64::from(us),
    )
}

/// A binary row of `columns` columns as its NULL bitmap and its values.
#[inline(always)]
fn split_row(columns: usize, row: &[u8]) -> Result<(&[u8], &[u8]), String> {
    row.get(1..)
        .and_then(|r| r.split_at_checked(bitmap_len(columns)))
        .ok_or_else(|| cut_short(row))
}

/// Whether column `i` is NULL by the row's `bitmap`.
#[inline(always)]
fn is_null(bitmap: &[u8], i: usize) -> bool {
    let bit = i + 2;
    bitmap[bit / 8] & (1 << (bit % 8)) != 0
}

#[cold]
fn cut_short(row: &[u8]) -> String {
    format!("a row of {} bytes is cut short", row.len())
}

/// Decimal text (`-12.5`, `3`, `1e3` never: MySQL writes plain digits) as an
/// integer scaled by `scale` digits; `None` past the precision of i128 or
/// with more fractional digits than `scale` keeps (never, for a column's own).
/// Read byte by byte, as one value a row is.
pub fn parse_decimal(text: &[u8], scale: i8) -> Option<i128> {
    let text = text.trim_ascii();
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let scale = usize::try_from(scale).ok()?;
    if digits.len() <= 18
        && let Some(n) = short_decimal(digits, scale)
    {
        let n = i128::from(n);
        return Some(if negative { -n } else { n });
    }
    let (mut n, mut fraction, mut point, mut any) = (0i128, 0usize, false, false);
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                any = true;
                if point {
                    if fraction == scale {
                        // Finer than the scale: zeros only.
                        if b != b'0' {
                            return None;
                        }
                        continue;
                    }
                    fraction += 1;
                }
                n = n.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if !any {
        return None;
    }
    for _ in fraction..scale {
        n = n.checked_mul(10)?;
    }
    Some(if negative { -n } else { n })
}

/// [`parse_decimal`]'s digits when they are 18 at most (a `decimal(12,2)`'s
/// always are): the integer they make fits 64 bits, so no step is checked
/// but the last scaling. `None` for anything else (a second point, finer
/// than the scale, no digit), which the general reading decides.
#[inline(always)]
fn short_decimal(digits: &[u8], scale: usize) -> Option<u64> {
    const POW10: [u64; 19] = {
        let mut p = [1u64; 19];
        let mut i = 1;
        while i < 19 {
            p[i] = p[i - 1] * 10;
            i += 1;
        }
        p
    };
    let (whole, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(at) => (&digits[..at], &digits[at + 1..]),
        None => (digits, &digits[digits.len()..]),
    };
    if fraction.len() > scale || whole.len() + fraction.len() == 0 {
        return None;
    }
    let mut n = 0u64;
    for &b in whole {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    for &b in fraction {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    n.checked_mul(*POW10.get(scale - fraction.len())?)
}

/// Days from 1970-01-01 of a date, `None` for MySQL's zero dates and any
/// day its month does not have: integer arithmetic on the proleptic
/// Gregorian calendar (days from the civil date, by eras of 400 years), as
/// two of them per row are read.
#[inline(always)]
fn days(y: u16, m: u8, d: u8) -> Option<i32> {
    let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d == 0 || d > month_days {
        return None;
    }
    let (m, d) = (i32::from(m), i32::from(d));
    // Years start in March, so a leap day ends its year.
    let y = i32::from(y) - i32::from(m <= 2);
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719,468 days from 0000-03-01 to 1970-01-01.
    Some(era * 146_097 + day_of_era - 719_468)
}

/// `time` as MySQL writes it: `[-]HH:MM:SS`, the hours past 24 when the days
/// say so, and `.ffffff` when there is a fraction.
pub fn time_text(negative: bool, d: u32, h: u8, m: u8, s: u8, us: u32) -> String {
    let hours = u64::from(d) * 24 + u64::from(h);
    let sign = if negative { "-" } else { "" };
    if us == 0 {
        format!("{sign}{hours:02}:{m:02}:{s:02}")
    } else {
        format!("{sign}{hours:02}:{m:02}:{s:02}.{us:06}")
    }
}

/// A column being decoded: its name, its reading, and whether it is kept in
/// the batch.
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// Decodes rows into a batch, one builder per column.
pub struct Decoder {
    columns: Vec<Column>,
    builders: Vec<Builder>,
    /// Each column's values so far, a bit set where there is one, sixty-four
    /// rows to a word: made at the column's first NULL (a column without one
    /// has none), and written to only at a NULL, never value by value.
    valid: Vec<Vec<u64>>,
    rows_hint: usize,
    rows: usize,
}

impl Decoder {
    pub fn new(columns: Vec<Column>, rows_hint: usize) -> Decoder {
        Decoder::sized(columns, rows_hint, &[])
    }

    /// [`Decoder::new`], with room for `bytes[i]` bytes of text or bytes
    /// column `i` (what [`Decoder::bytes`] of an earlier chunk of the same
    /// statement says): the buffers are not regrown and copied as they fill.
    pub fn sized(columns: Vec<Column>, rows_hint: usize, bytes: &[usize]) -> Decoder {
        let builders = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let bytes = bytes.get(i).copied().unwrap_or(0);
                Builder::new(c.kind.data_type(), rows_hint, bytes)
            })
            .collect();
        Decoder {
            valid: columns.iter().map(|_| vec![]).collect(),
            columns,
            builders,
            rows_hint,
            rows: 0,
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The bytes each column would take for `rows` rows, at its values'
    /// size so far and an eighth more: text and bytes columns (0 for the
    /// others, and for all before any row).
    pub fn bytes(&self, rows: usize) -> Vec<usize> {
        self.builders
            .iter()
            .map(|b| {
                let so_far = match b {
                    Builder::Str(b) => b.values.len(),
                    Builder::Bin(b) => b.values.len(),
                    _ => 0,
                };
                (so_far * rows / self.rows.max(1)) * 9 / 8
            })
            .collect()
    }

    /// Appends the binary row `row`, whose columns are laid out as `wires`
    /// say and are the decoder's in order. The loop is [`walk`]'s, written
    /// out: each value goes from the row to its builder in registers.
    pub fn push(&mut self, wires: &[Wire], row: &[u8]) -> Result<(), String> {
        if wires.len() != self.columns.len() {
            return Err(format!(
                "the statement returned {} columns for the table's {}",
                wires.len(),
                self.columns.len()
            ));
        }
        let (bitmap, mut values) = split_row(wires.len(), row)?;
        let (row_at, hint) = (self.rows, self.rows_hint);
        let columns = wires.iter().zip(&self.columns).zip(&mut self.builders);
        for (i, (((wire, column), builder), valid)) in columns.zip(&mut self.valid).enumerate() {
            let null = if is_null(bitmap, i) {
                builder.pad();
                true
            } else {
                match direct(*wire, column.kind, builder, &mut values)
                    .ok_or_else(|| cut_short(row))?
                {
                    Took::Value => false,
                    Took::Null => true,
                    Took::Left => {
                        let value = cell(*wire, &mut values).ok_or_else(|| cut_short(row))?;
                        append(column.kind, builder, value).map_err(|why| {
                            format!("column {} of row {}: {why}", column.name, row_at + 1)
                        })?
                    }
                }
            };
            if null {
                set_null(valid, row_at, hint);
            }
        }
        self.rows += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<RecordBatch, String> {
        let fields: Vec<Field> = self
            .columns
            .iter()
            .map(|c| Field::new(&c.name, c.kind.data_type(), true))
            .collect();
        let rows = self.rows;
        let arrays = self
            .builders
            .iter_mut()
            .zip(std::mem::take(&mut self.valid))
            .map(|(b, valid)| b.finish(null_buffer(valid, rows)))
            .collect::<Result<Vec<ArrayRef>, String>>()?;
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
            .map_err(|e| format!("the chunk's columns do not fit together: {e}"))
    }
}

/// The bytes of a binary row's NULL bitmap, for `columns` columns.
fn bitmap_len(columns: usize) -> usize {
    (columns + 7 + 2) / 8
}

#[inline(always)]
/// Appends `value` to a column of `kind` by way of its kind of value (an
/// int to text, a float to a double, …); `Ok(true)` when it is read as NULL
/// (a zero date), its place padded.
fn append(kind: Kind, builder: &mut Builder, value: Cell<'_>) -> Result<bool, String> {
    let unexpected = || format!("a {kind:?} column sent {value:?}");
    let int = || value.as_i128().ok_or_else(unexpected);
    let range = |_| format!("{value:?} is out of range of a {kind:?} column");
    match builder {
        Builder::Bool(b) => b.append(int()? != 0),
        Builder::I8(b) => b.append_value(i8::try_from(int()?).map_err(range)?),
        Builder::I16(b) => b.append_value(i16::try_from(int()?).map_err(range)?),
        Builder::I32(b) => b.append_value(i32::try_from(int()?).map_err(range)?),
        Builder::I64(b) => b.append_value(i64::try_from(int()?).map_err(range)?),
        Builder::U8(b) => b.append_value(u8::try_from(int()?).map_err(range)?),
        Builder::U16(b) => b.append_value(u16::try_from(int()?).map_err(range)?),
        Builder::U32(b) => b.append_value(u32::try_from(int()?).map_err(range)?),
        Builder::F32(b) => b.append_value(match value {
            Cell::Float(f) => f,
            Cell::Double(d) => d as f32,
            _ => return Err(unexpected()),
        }),
        Builder::F64(b) => b.append_value(match value {
            Cell::Double(d) => d,
            Cell::Float(f) => f64::from(f),
            _ => return Err(unexpected()),
        }),
        Builder::Dec(b) => match (kind, value) {
            (Kind::Decimal { scale, .. }, Cell::Bytes(text)) => {
                b.append_value(parse_decimal(text, scale).ok_or_else(unexpected)?)
            }
            _ => b.append_value(int()?),
        },
        Builder::Str(b) => match value {
            Cell::Bytes(bytes) => b.append_value(bytes),
            Cell::Time(neg, d, h, m, s, us) => {
                b.append_value(time_text(neg, d, h, m, s, us).as_bytes())
            }
            Cell::Int(i) => b.append_value(i.to_string().as_bytes()),
            Cell::UInt(u) => b.append_value(u.to_string().as_bytes()),
            Cell::Float(f) => b.append_value(f.to_string().as_bytes()),
            Cell::Double(d) => b.append_value(d.to_string().as_bytes()),
            Cell::Date(y, mo, d, h, mi, s, us) => b.append_value(
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}").as_bytes(),
            ),
        },
        Builder::Date(b) => match value {
            Cell::Date(y, m, d, ..) => match days(y, m, d) {
                Some(n) => b.append_value(n),
                // A zero date ('0000-00-00') is no day.
                None => {
                    b.pad();
                    return Ok(true);
                }
            },
            _ => return Err(unexpected()),
        },
        Builder::Ts(b) => match value {
            Cell::Date(y, mo, d, h, mi, s, us) => match micros(y, mo, d, h, mi, s, us) {
                Some(t) => b.append_value(t),
                None => {
                    b.pad();
                    return Ok(true);
                }
            },
            _ => return Err(unexpected()),
        },
        Builder::Bin(b) => match value {
            Cell::Bytes(bytes) => b.append_value(bytes),
            _ => return Err(unexpected()),
        },
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_is_scaled_exactly() {
        assert_eq!(parse_decimal(b"-12.50", 2), Some(-1250));
        assert_eq!(parse_decimal(b"3", 2), Some(300));
        assert_eq!(parse_decimal(b"0.001", 3), Some(1));
        assert_eq!(
            parse_decimal(b"99999999999999999999999999999999999999", 0),
            Some(99_999_999_999_999_999_999_999_999_999_999_999_999)
        );
        assert_eq!(parse_decimal(b"1.25", 1), None);
        assert_eq!(parse_decimal(b"abc", 0), None);
        assert_eq!(parse_decimal(b"1.", 2), Some(100));
        assert_eq!(parse_decimal(b" -0.50 ", 2), Some(-50));
        assert_eq!(parse_decimal(b"1.2500", 2), Some(125));
        assert_eq!(parse_decimal(b".", 2), None);
        assert_eq!(parse_decimal(b"1.2.3", 2), None);
        // Eighteen digits scaled past 64 bits, and scales past 18.
        assert_eq!(
            parse_decimal(b"999999999999999999", 2),
            Some(99_999_999_999_999_999_900)
        );
        assert_eq!(
            parse_decimal(b"-1.5", 30),
            Some(-1_500_000_000_000_000_000_000_000_000_000)
        );
        for bad in [&b""[..], b"-", b"+", b"1-2", b"1 2", b"1e3", b"0x10"] {
            assert_eq!(parse_decimal(bad, 2), None, "{bad:?}");
        }
        // Every short value reads as the general reading does.
        for n in (-100_000i64..100_000).step_by(7) {
            for scale in 0..4i8 {
                let text = format!("{}.{:02}", n / 100, (n % 100).abs());
                let text = if n < 0 && n > -100 {
                    format!("-{}", &text)
                } else {
                    text
                };
                let expected = (scale >= 2).then(|| i128::from(n) * 10i128.pow(scale as u32 - 2));
                let expected = match scale {
                    0 | 1 if n % 100 == 0 => Some(i128::from(n / 100) * 10i128.pow(scale as u32)),
                    1 if n % 10 == 0 => Some(i128::from(n / 10)),
                    _ => expected,
                };
                assert_eq!(
                    parse_decimal(text.as_bytes(), scale),
                    expected,
                    "{text} at {scale}"
                );
            }
        }
    }

    #[test]
    fn columns_read_by_their_declared_type() {
        assert_eq!(Kind::of("tinyint", "tinyint(1)"), Kind::Bool);
        assert_eq!(Kind::of("tinyint", "tinyint(3) unsigned"), Kind::U8);
        assert_eq!(Kind::of("bigint", "bigint(20) unsigned"), Kind::U64);
        assert_eq!(Kind::of("bit", "bit(12)"), Kind::Bit(12));
        assert_eq!(
            Kind::of("decimal", "decimal(12,2)"),
            Kind::Decimal {
                precision: 12,
                scale: 2
            }
        );
        assert_eq!(Kind::of("decimal", "decimal(65,30)"), Kind::Text);
        assert_eq!(Kind::of("json", "json"), Kind::Text);
        assert_eq!(Kind::of("varbinary", "varbinary(8)"), Kind::Binary);
    }

    #[test]
    fn dates_count_days_from_the_epoch_and_zero_dates_are_none() {
        assert_eq!(days(1970, 1, 1), Some(0));
        assert_eq!(days(2026, 12, 5), Some(20_792));
        assert_eq!(days(1969, 12, 31), Some(-1));
        assert_eq!(days(2024, 2, 29), Some(19_782));
        assert_eq!(days(0, 0, 0), None);
        assert_eq!(days(2023, 2, 29), None);
        assert_eq!(days(2024, 4, 31), None);
        assert_eq!(days(2024, 13, 1), None);
        // Every day of four centuries, leap years and their exceptions
        // included, as the calendar library counts them.
        use chrono::Datelike as _;
        let mut day = chrono::NaiveDate::from_ymd_opt(1800, 1, 1).expect("a day");
        while day.year() < 2200 {
            let (y, m, d) = (day.year() as u16, day.month() as u8, day.day() as u8);
            assert_eq!(
                days(y, m, d),
                Some(day.num_days_from_ce() - 719_163),
                "{day}"
            );
            day = day.succ_opt().expect("a next day");
        }
        assert_eq!(days(0, 1, 1), Some(-719_528));
    }

    /// A row of an int and a text column: its header, NULL bitmap and values.
    fn row(n: Option<i32>, text: &str) -> Vec<u8> {
        let mut row = vec![0x00, if n.is_none() { 0b100 } else { 0 }];
        if let Some(n) = n {
            row.extend_from_slice(&n.to_le_bytes());
        }
        row.push(text.len() as u8);
        row.extend_from_slice(text.as_bytes());
        row
    }

    /// Values and NULLs land where they were in the rows, and a chunk's text
    /// sizes the next chunk's buffer.
    /// A chunk's text is checked as UTF-8 once; a chunk with a bad byte, or a
    /// character split across two values, keeps every value, NULLs in place,
    /// with only the bad bytes replaced.
    #[test]
    fn text_is_checked_once_a_chunk_and_bad_bytes_are_replaced_in_place() {
        use arrow_array::cast::AsArray as _;
        let columns = || {
            vec![Column {
                name: "t".into(),
                kind: Kind::Text,
            }]
        };
        let wires = [Wire::Bytes];
        let text = |bytes: Option<&[u8]>| match bytes {
            None => vec![0x00, 0b100],
            Some(b) => {
                let mut row = vec![0x00, 0, b.len() as u8];
                row.extend_from_slice(b);
                row
            }
        };
        let decoded = |rows: &[Option<&[u8]>]| {
            let mut d = Decoder::new(columns(), rows.len());
            for r in rows {
                d.push(&wires, &text(*r)).expect("a row");
            }
            let batch = d.finish().expect("a batch");
            let t = batch.column(0).as_string::<i32>();
            t.iter().map(|v| v.map(str::to_string)).collect::<Vec<_>>()
        };
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            decoded(&[
                Some("Zoë".as_bytes()),
                None,
                Some(b""),
                Some("日本".as_bytes())
            ]),
            [s("Zoë"), None, s(""), s("日本")]
        );
        assert_eq!(
            decoded(&[Some(b"ok"), Some(b"bad \xff byte"), None]),
            [s("ok"), s("bad \u{fffd} byte"), None]
        );
        // "é" is 0xC3 0xA9: its halves in two values read as one string, but
        // neither value is text on its own.
        assert_eq!(
            decoded(&[Some(b"caf\xc3"), Some(b"\xa9!")]),
            [s("caf\u{fffd}"), s("\u{fffd}!")]
        );
    }

    #[test]
    fn values_and_nulls_land_in_place_and_text_sizes_the_next_chunk() {
        use arrow_array::Array as _;
        use arrow_array::cast::AsArray as _;
        let columns = || {
            vec![
                Column {
                    name: "n".into(),
                    kind: Kind::I32,
                },
                Column {
                    name: "t".into(),
                    kind: Kind::Text,
                },
            ]
        };
        let wires = [Wire::I32, Wire::Bytes];
        let mut d = Decoder::new(columns(), 4);
        for (n, t) in [(Some(7), "seven"), (None, "none"), (Some(-1), "")] {
            d.push(&wires, &row(n, t)).expect("a row");
        }
        // Nine bytes in three rows: 30 for ten, and an eighth more.
        assert_eq!(d.bytes(10), vec![0, 33]);
        let batch = d.finish().expect("a batch");
        let n = batch
            .column(0)
            .as_primitive::<arrow_array::types::Int32Type>();
        assert_eq!(n.iter().collect::<Vec<_>>(), [Some(7), None, Some(-1)]);
        let t = batch.column(1).as_string::<i32>();
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            [Some("seven"), Some("none"), Some("")]
        );
        let sized = Decoder::sized(columns(), 10, &[0, 33]);
        assert_eq!(sized.bytes(10), vec![0, 0], "no row yet");
        assert!(n.is_valid(0) && n.is_null(1));
    }

    /// A binary row of `cells` (each value's bytes as the wire lays them out,
    /// or `None` for NULL): its header, NULL bitmap and values.
    fn binary_row(cells: &[Option<Vec<u8>>]) -> Vec<u8> {
        let mut bitmap = vec![0u8; bitmap_len(cells.len())];
        let mut values = vec![];
        for (i, cell) in cells.iter().enumerate() {
            match cell {
                None => bitmap[(i + 2) / 8] |= 1 << ((i + 2) % 8),
                Some(bytes) => values.extend_from_slice(bytes),
            }
        }
        [vec![0x00], bitmap, values].concat()
    }

    /// NULLs are read off the rows' bitmaps when a chunk is finished: in
    /// place past 64 rows and past 62 columns (a bitmap wider than a word),
    /// a zero date read as NULL, booleans and bytes among them, and a column
    /// with none has no NULL buffer at all.
    #[test]
    fn nulls_land_in_place_across_words_of_rows_and_of_columns() {
        use arrow_array::Array as _;
        use arrow_array::cast::AsArray as _;
        use arrow_array::types::{Int32Type, TimestampMicrosecondType};
        const WIDE: usize = 70;
        let mut columns: Vec<Column> = (0..WIDE)
            .map(|i| Column {
                name: format!("n{i}"),
                kind: Kind::I32,
            })
            .collect();
        let mut wires = vec![Wire::I32; WIDE];
        for (name, kind, wire) in [
            ("at", Kind::Timestamp, Wire::Date),
            ("flag", Kind::Bool, Wire::I8),
            ("blob", Kind::Binary, Wire::Bytes),
        ] {
            columns.push(Column {
                name: name.into(),
                kind,
            });
            wires.push(wire);
        }
        let null_at = |i: usize, r: usize| i > 0 && (r + i).is_multiple_of(i % 7 + 2);
        let rows = 130;
        let mut d = Decoder::new(columns, 8);
        for r in 0..rows {
            let mut cells: Vec<Option<Vec<u8>>> = (0..WIDE)
                .map(|i| (!null_at(i, r)).then(|| ((r * 1000 + i) as i32).to_le_bytes().to_vec()))
                .collect();
            // 2026-01-02 03:04:05, or every fifth row the zero date.
            let date = if r % 5 == 0 {
                vec![4, 0, 0, 0, 0]
            } else {
                vec![7, 0xEA, 0x07, 1, 2, 3, 4, 5]
            };
            cells.push(Some(date));
            cells.push((r % 3 != 0).then(|| vec![u8::from(r % 2 == 0)]));
            cells.push((r % 4 != 0).then(|| vec![2, r as u8, 0xFF]));
            d.push(&wires, &binary_row(&cells)).expect("a row");
        }
        let batch = d.finish().expect("a batch");
        assert_eq!(batch.num_rows(), rows);
        assert!(batch.column(0).nulls().is_none(), "a column without NULLs");
        for i in 1..WIDE {
            let n = batch.column(i).as_primitive::<Int32Type>();
            for r in 0..rows {
                let expected = (!null_at(i, r)).then_some((r * 1000 + i) as i32);
                let got = n.is_valid(r).then(|| n.value(r));
                assert_eq!(got, expected, "column {i}, row {r}");
            }
        }
        let at = batch
            .column(WIDE)
            .as_primitive::<TimestampMicrosecondType>();
        let flag = batch.column(WIDE + 1).as_boolean();
        let blob = batch.column(WIDE + 2).as_binary::<i32>();
        for r in 0..rows {
            let expected = (r % 5 != 0).then_some(1_767_323_045_000_000);
            assert_eq!(at.is_valid(r).then(|| at.value(r)), expected, "row {r}");
            let expected = (r % 3 != 0).then_some(r % 2 == 0);
            assert_eq!(flag.is_valid(r).then(|| flag.value(r)), expected);
            let expected = (r % 4 != 0).then(|| vec![r as u8, 0xFF]);
            assert_eq!(blob.is_valid(r).then(|| blob.value(r).to_vec()), expected);
        }
    }

    #[test]
    fn times_keep_their_sign_and_hours_past_a_day() {
        assert_eq!(time_text(true, 1, 2, 3, 4, 0), "-26:03:04");
        assert_eq!(time_text(false, 0, 9, 0, 0, 500), "09:00:00.000500");
    }
}
