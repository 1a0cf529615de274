//! PostgreSQL's binary `COPY … TO STDOUT (FORMAT binary)` decoded straight into
//! Arrow columns: each field's bytes go into its column's builder, no row is
//! ever text or JSON on the way. The format: a signature, flags and a header
//! extension; then per tuple a field count and, per field, a length (-1 for
//! NULL) and the type's binary send form; then a count of -1.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, TimeUnit};

use crate::columns::{Builder, null_buffer, set_null};

/// How a column's bytes are read: the types decoded natively from their
/// binary form. Anything else is selected as text (`::text`, arrays as JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    Bool,
    Int16,
    Int32,
    Int64,
    /// `oid`: an unsigned 32-bit integer, read as Int64.
    Oid,
    Float32,
    Float64,
    /// `numeric(p, s)` with p ≤ 38: Decimal128(p, s).
    Decimal {
        precision: u8,
        scale: i8,
    },
    /// `numeric` of no declared precision (or over 38 digits): its digits as text.
    NumericText,
    /// text, varchar, char, name, enums, and every column selected `::text`.
    Text,
    /// `json` (its text) and `jsonb` (a version byte, then its text).
    Json,
    Jsonb,
    Uuid,
    Date,
    Timestamp,
    TimestampTz,
    Bytea,
}

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const PG_EPOCH_DAYS: i32 = 10_957;
/// Microseconds from 1970-01-01 to 2000-01-01.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

impl Wire {
    /// The native reading of type `oid` (with `typmod`), if there is one.
    pub fn of(oid: u32, typmod: i32) -> Option<Wire> {
        Some(match oid {
            16 => Wire::Bool,
            21 => Wire::Int16,
            23 => Wire::Int32,
            20 => Wire::Int64,
            26 => Wire::Oid,
            700 => Wire::Float32,
            701 => Wire::Float64,
            1700 => {
                // typmod = ((precision << 16) | scale) + 4; -1 when unconstrained.
                if typmod < 4 {
                    Wire::NumericText
                } else {
                    let precision = ((typmod - 4) >> 16) & 0xffff;
                    let scale = (typmod - 4) & 0xffff;
                    if (1..=38).contains(&precision) && scale <= precision {
                        Wire::Decimal {
                            precision: precision as u8,
                            scale: scale as i8,
                        }
                    } else {
                        Wire::NumericText
                    }
                }
            }
            25 | 1043 | 1042 | 19 => Wire::Text,
            114 => Wire::Json,
            3802 => Wire::Jsonb,
            2950 => Wire::Uuid,
            1082 => Wire::Date,
            1114 => Wire::Timestamp,
            1184 => Wire::TimestampTz,
            17 => Wire::Bytea,
            _ => return None,
        })
    }

    /// The Arrow type its column is built as.
    pub fn data_type(self) -> DataType {
        match self {
            Wire::Bool => DataType::Boolean,
            Wire::Int16 => DataType::Int16,
            Wire::Int32 => DataType::Int32,
            Wire::Int64 | Wire::Oid => DataType::Int64,
            Wire::Float32 => DataType::Float32,
            Wire::Float64 => DataType::Float64,
            Wire::Decimal { precision, scale } => DataType::Decimal128(precision, scale),
            Wire::NumericText | Wire::Text | Wire::Json | Wire::Jsonb | Wire::Uuid => {
                DataType::Utf8
            }
            Wire::Date => DataType::Date32,
            Wire::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
            Wire::TimestampTz => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            Wire::Bytea => DataType::Binary,
        }
    }
}

/// A column being decoded: its name, its reading, and whether it is kept in
/// the batch (a key column selected only to resume from is not).
pub struct Column {
    pub name: String,
    pub wire: Wire,
    pub kept: bool,
}

/// Decodes a binary COPY stream fed in pieces of any size into a batch.
pub struct Decoder {
    columns: Vec<Column>,
    builders: Vec<Builder>,
    /// Each column's values so far, as [`set_null`] marks its NULLs.
    valid: Vec<Vec<u64>>,
    rows_hint: usize,
    /// Bytes not yet decoded (a tuple cut between two pieces).
    pending: Vec<u8>,
    header_read: bool,
    ended: bool,
    rows: usize,
    /// The bytes of each unkept (key) column in the last tuple.
    last_keys: Vec<Option<Vec<u8>>>,
}

/// The 11-byte signature every binary COPY starts with.
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

fn bad(why: impl Into<String>) -> String {
    format!("the database's binary COPY stream {}", why.into())
}

impl Decoder {
    pub fn new(columns: Vec<Column>, rows_hint: usize) -> Decoder {
        let builders = columns
            .iter()
            .map(|c| Builder::new(c.wire.data_type(), rows_hint, 0))
            .collect();
        let keys = columns.iter().filter(|c| !c.kept).count();
        Decoder {
            valid: columns.iter().map(|_| vec![]).collect(),
            columns,
            builders,
            rows_hint,
            pending: Vec::new(),
            header_read: false,
            ended: false,
            rows: 0,
            last_keys: vec![None; keys],
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The text of the unkept columns of the last tuple, in their order.
    pub fn last_keys(&self) -> Vec<Option<String>> {
        self.last_keys
            .iter()
            .map(|k| {
                k.as_deref()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
            })
            .collect()
    }

    /// Decodes what `piece` completes; a tuple cut at its end waits for the next.
    pub fn feed(&mut self, piece: &[u8]) -> Result<(), String> {
        if self.pending.is_empty() {
            let used = self.decode(piece)?;
            self.pending.extend_from_slice(&piece[used..]);
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(piece);
            let used = self.decode(&joined)?;
            joined.drain(..used);
            self.pending = joined;
        }
        Ok(())
    }

    /// Decodes whole tuples from `buf`; returns how many bytes were used.
    fn decode(&mut self, buf: &[u8]) -> Result<usize, String> {
        let mut at = 0;
        if !self.header_read {
            if buf.len() < SIGNATURE.len() + 8 {
                return Ok(0);
            }
            if &buf[..SIGNATURE.len()] != SIGNATURE {
                return Err(bad("does not start with its signature"));
            }
            at = SIGNATURE.len() + 4;
            let ext = i32::from_be_bytes(buf[at..at + 4].try_into().expect("4 bytes")) as usize;
            at += 4;
            if buf.len() < at + ext {
                return Ok(0);
            }
            at += ext;
            self.header_read = true;
        }
        while !self.ended {
            let Some(count) = buf.get(at..at + 2) else {
                break;
            };
            let count = i16::from_be_bytes([count[0], count[1]]);
            if count == -1 {
                self.ended = true;
                at += 2;
                break;
            }
            if count as usize != self.columns.len() {
                return Err(bad(format!(
                    "has a tuple of {count} fields, not {}",
                    self.columns.len()
                )));
            }
            // The whole tuple must be here before any of it is appended.
            let mut end = at + 2;
            for _ in 0..count {
                let Some(len) = buf.get(end..end + 4) else {
                    return Ok(at);
                };
                let len = i32::from_be_bytes(len.try_into().expect("4 bytes"));
                end += 4 + usize::try_from(len).unwrap_or(0);
                if end > buf.len() {
                    return Ok(at);
                }
            }
            let mut p = at + 2;
            let mut key = 0;
            for c in 0..self.columns.len() {
                let len = i32::from_be_bytes(buf[p..p + 4].try_into().expect("4 bytes"));
                p += 4;
                if len < 0 {
                    if self.columns[c].kept {
                        self.builders[c].pad();
                        set_null(&mut self.valid[c], self.rows, self.rows_hint);
                    } else {
                        self.last_keys[key] = None;
                        key += 1;
                    }
                    continue;
                }
                let field = &buf[p..p + len as usize];
                p += len as usize;
                if !self.columns[c].kept {
                    // Kept as bytes, in the same vector tuple after tuple:
                    // only the last one's is ever read.
                    let last = self.last_keys[key].get_or_insert_with(Vec::new);
                    last.clear();
                    last.extend_from_slice(field);
                    key += 1;
                    continue;
                }
                let wire = self.columns[c].wire;
                let null = append(&mut self.builders[c], wire, field).map_err(|why| {
                    bad(format!(
                        "has a bad value in `{}`: {why}",
                        self.columns[c].name
                    ))
                })?;
                if null {
                    set_null(&mut self.valid[c], self.rows, self.rows_hint);
                }
            }
            at = end;
            self.rows += 1;
        }
        Ok(at)
    }

    /// The batch of the kept columns, once the stream has ended.
    pub fn finish(mut self) -> Result<RecordBatch, String> {
        if !self.ended || !self.pending.is_empty() {
            return Err(bad("ended before its trailer"));
        }
        let mut fields = vec![];
        let mut arrays = vec![];
        let valid = std::mem::take(&mut self.valid);
        for ((c, b), valid) in self.columns.iter().zip(self.builders.iter_mut()).zip(valid) {
            if c.kept {
                fields.push(Field::new(&c.name, c.wire.data_type(), true));
                arrays.push(b.finish(null_buffer(valid, self.rows))?);
            }
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| e.to_string())
    }
}

fn be<const N: usize>(field: &[u8]) -> Result<[u8; N], String> {
    field
        .try_into()
        .map_err(|_| format!("{} bytes where {N} were expected", field.len()))
}

/// Appends `field`, a value of `wire`, to `b`; `Ok(true)` when it is read
/// as NULL (a NaN decimal, an infinite date or time), its place padded.
fn append(b: &mut Builder, wire: Wire, field: &[u8]) -> Result<bool, String> {
    match (b, wire) {
        (Builder::Bool(b), _) => b.append(be::<1>(field)?[0] != 0),
        (Builder::I16(b), _) => b.append_value(i16::from_be_bytes(be(field)?)),
        (Builder::I32(b), _) => b.append_value(i32::from_be_bytes(be(field)?)),
        (Builder::I64(b), Wire::Oid) => b.append_value(i64::from(u32::from_be_bytes(be(field)?))),
        (Builder::I64(b), _) => b.append_value(i64::from_be_bytes(be(field)?)),
        (Builder::F32(b), _) => b.append_value(f32::from_be_bytes(be(field)?)),
        (Builder::F64(b), _) => b.append_value(f64::from_be_bytes(be(field)?)),
        (Builder::Dec(b), Wire::Decimal { scale, .. }) => match numeric(field)? {
            Numeric::Finite(n) => match n.scaled(scale) {
                Some(v) => b.append_value(v),
                None => return Err("a numeric beyond its column's precision".into()),
            },
            // NaN and the infinities have no decimal: NULL.
            Numeric::Special(_) => {
                b.pad();
                return Ok(true);
            }
        },
        (Builder::Str(b), Wire::NumericText) => match numeric(field)? {
            Numeric::Finite(n) => b.append_value(n.to_string().as_bytes()),
            Numeric::Special(s) => b.append_value(s.as_bytes()),
        },
        (Builder::Str(b), Wire::Jsonb) => match field.split_first() {
            Some((1, rest)) => b.append_value(rest),
            _ => return Err("a jsonb of an unknown version".into()),
        },
        (Builder::Str(b), Wire::Uuid) => b.append_value(&uuid(be::<16>(field)?)),
        // Its UTF-8 is checked once for the chunk, when it is finished.
        (Builder::Str(b), _) => b.append_value(field),
        (Builder::Date(b), _) => {
            let days = i32::from_be_bytes(be(field)?);
            // ±infinity are i32::MAX and MIN: no date.
            if days == i32::MAX || days == i32::MIN {
                b.pad();
                return Ok(true);
            }
            b.append_value(days.saturating_add(PG_EPOCH_DAYS));
        }
        (Builder::Ts(b), _) => {
            let micros = i64::from_be_bytes(be(field)?);
            if micros == i64::MAX || micros == i64::MIN {
                b.pad();
                return Ok(true);
            }
            b.append_value(micros.saturating_add(PG_EPOCH_MICROS));
        }
        (Builder::Bin(b), _) => b.append_value(field),
        // A type `Wire::data_type` never makes for the reading.
        _ => return Err(format!("a {wire:?} value in a column built otherwise")),
    }
    Ok(false)
}

/// A uuid's sixteen bytes as its text: `8-4-4-4-12` lowercase hex digits.
fn uuid(bytes: [u8; 16]) -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'-'; 36];
    let mut at = 0;
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        text[at] = HEX[usize::from(byte >> 4)];
        text[at + 1] = HEX[usize::from(byte & 0xF)];
        at += 2;
    }
    text
}

/// A `numeric` in its binary form: base-10000 digits with a weight.
#[derive(Debug, PartialEq)]
enum Numeric<'a> {
    Finite(Digits<'a>),
    Special(&'static str),
}

#[derive(Debug, PartialEq)]
struct Digits<'a> {
    negative: bool,
    /// Base-10000 digits, two bytes each, big-endian, where they lie in the
    /// field; the first is worth 10000^weight.
    digits: &'a [u8],
    weight: i16,
    /// Digits after the point the value is shown with.
    dscale: u16,
}

fn numeric(field: &[u8]) -> Result<Numeric<'_>, String> {
    if field.len() < 8 {
        return Err("a numeric shorter than its header".into());
    }
    let word = |i: usize| u16::from_be_bytes([field[i], field[i + 1]]);
    let ndigits = word(0) as usize;
    let weight = word(2) as i16;
    let sign = word(4);
    let dscale = word(6);
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Ok(Numeric::Special("NaN")),
        0xD000 => return Ok(Numeric::Special("Infinity")),
        0xF000 => return Ok(Numeric::Special("-Infinity")),
        _ => return Err("a numeric of an unknown sign".into()),
    }
    if field.len() != 8 + 2 * ndigits {
        return Err("a numeric whose digits do not match its length".into());
    }
    Ok(Numeric::Finite(Digits {
        negative: sign == 0x4000,
        digits: &field[8..],
        weight,
        dscale,
    }))
}

impl Digits<'_> {
    /// How many base-10000 digits there are.
    fn len(&self) -> usize {
        self.digits.len() / 2
    }

    /// Digit `i`, if there is one.
    fn get(&self, i: usize) -> Option<i16> {
        let d = self.digits.get(2 * i..2 * i + 2)?;
        Some(i16::from_be_bytes([d[0], d[1]]))
    }

    /// The value times 10^scale, rounded half away from zero; `None` past i128.
    fn scaled(&self, scale: i8) -> Option<i128> {
        // The integer of all digits, and the power of 10 it must be moved by.
        let mut v: i128 = 0;
        for d in self.digits.chunks_exact(2) {
            let d = i16::from_be_bytes([d[0], d[1]]);
            v = v.checked_mul(10_000)?.checked_add(i128::from(d))?;
        }
        // v is worth 10000^(weight - ndigits + 1).
        let exp = 4 * (i32::from(self.weight) - self.len() as i32 + 1) + i32::from(scale);
        let v = if exp >= 0 {
            v.checked_mul(10i128.checked_pow(exp as u32)?)?
        } else {
            let div = 10i128.checked_pow((-exp) as u32);
            match div {
                Some(div) => {
                    let (q, r) = (v / div, v % div);
                    if r * 2 >= div { q + 1 } else { q }
                }
                None => 0,
            }
        };
        Some(if self.negative { -v } else { v })
    }
}

impl std::fmt::Display for Digits<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Digits before the point: weight + 1 groups of four; after: dscale.
        let mut int = String::new();
        if self.weight >= 0 {
            for i in 0..=self.weight as usize {
                let d = self.get(i).unwrap_or(0);
                if int.is_empty() {
                    if d != 0 {
                        int = d.to_string();
                    }
                } else {
                    int.push_str(&format!("{d:04}"));
                }
            }
        }
        if int.is_empty() {
            int.push('0');
        }
        let mut frac = String::new();
        let first_frac = i32::from(self.weight) + 1;
        let mut i = first_frac;
        while (frac.len() as u16) < self.dscale {
            let d = if i < 0 {
                0
            } else {
                self.get(i as usize).unwrap_or(0)
            };
            frac.push_str(&format!("{d:04}"));
            i += 1;
        }
        frac.truncate(self.dscale as usize);
        let sign = if self.negative { "-" } else { "" };
        if frac.is_empty() {
            write!(f, "{sign}{int}")
        } else {
            write!(f, "{sign}{int}.{frac}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Decimal128Type, Int64Type};

    fn numeric_bytes(ndigits: &[i16], weight: i16, sign: u16, dscale: u16) -> Vec<u8> {
        let mut b = vec![];
        b.extend((ndigits.len() as u16).to_be_bytes());
        b.extend(weight.to_be_bytes());
        b.extend(sign.to_be_bytes());
        b.extend(dscale.to_be_bytes());
        for d in ndigits {
            b.extend(d.to_be_bytes());
        }
        b
    }

    #[test]
    fn numerics_read_as_text_and_as_scaled_decimals() {
        // 12345.678: digits 1 2345 6780, weight 1, dscale 3.
        let bytes = numeric_bytes(&[1, 2345, 6780], 1, 0, 3);
        let n = numeric(&bytes).expect("numeric");
        let Numeric::Finite(d) = n else { panic!() };
        assert_eq!(d.to_string(), "12345.678");
        assert_eq!(d.scaled(2), Some(1234568), "rounded half away from zero");
        assert_eq!(d.scaled(4), Some(123456780));
        // -0.0005: digit 5, weight -1, dscale 4.
        let bytes = numeric_bytes(&[5], -1, 0x4000, 4);
        let Numeric::Finite(d) = numeric(&bytes).expect("numeric") else {
            panic!()
        };
        assert_eq!(d.to_string(), "-0.0005");
        assert_eq!(d.scaled(4), Some(-5));
        // 0 with dscale 2; 100000000 (digit 1, weight 2).
        let bytes = numeric_bytes(&[], 0, 0, 2);
        let Numeric::Finite(d) = numeric(&bytes).expect("numeric") else {
            panic!()
        };
        assert_eq!(d.to_string(), "0.00");
        let bytes = numeric_bytes(&[1], 2, 0, 0);
        let Numeric::Finite(d) = numeric(&bytes).expect("numeric") else {
            panic!()
        };
        assert_eq!(d.to_string(), "100000000");
        assert_eq!(
            numeric(&numeric_bytes(&[], 0, 0xC000, 0)),
            Ok(Numeric::Special("NaN"))
        );
        assert!(numeric(&[0, 1]).is_err());
    }

    #[test]
    fn a_uuid_reads_as_its_hyphenated_lowercase_text() {
        let bytes = *b"\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66\x14\x17\x40\x00";
        assert_eq!(&uuid(bytes), b"123e4567-e89b-12d3-a456-426614174000");
        assert_eq!(&uuid([0xFF; 16]), b"ffffffff-ffff-ffff-ffff-ffffffffffff");
    }

    /// A stream cut at every byte decodes the same as one whole piece.
    #[test]
    fn a_stream_decodes_the_same_whatever_its_pieces() {
        let mut s = SIGNATURE.to_vec();
        s.extend(0i32.to_be_bytes());
        s.extend(0i32.to_be_bytes());
        let tuple = |s: &mut Vec<u8>, id: i64, amount: Option<&[u8]>, key: &str| {
            s.extend(3i16.to_be_bytes());
            s.extend(8i32.to_be_bytes());
            s.extend(id.to_be_bytes());
            match amount {
                Some(a) => {
                    s.extend((a.len() as i32).to_be_bytes());
                    s.extend(a);
                }
                None => s.extend((-1i32).to_be_bytes()),
            }
            s.extend((key.len() as i32).to_be_bytes());
            s.extend(key.as_bytes());
        };
        let amount = numeric_bytes(&[12, 5000], 0, 0, 2); // 12.50
        tuple(&mut s, 7, Some(&amount), "7");
        tuple(&mut s, -3, None, "-3");
        s.extend((-1i16).to_be_bytes());
        let columns = || {
            vec![
                Column {
                    name: "id".into(),
                    wire: Wire::Int64,
                    kept: true,
                },
                Column {
                    name: "amount".into(),
                    wire: Wire::of(1700, ((10 << 16) | 2) + 4).expect("numeric(10,2)"),
                    kept: true,
                },
                Column {
                    name: "__key".into(),
                    wire: Wire::Text,
                    kept: false,
                },
            ]
        };
        for cut in 1..s.len() {
            let mut d = Decoder::new(columns(), 2);
            d.feed(&s[..cut]).expect("first piece");
            d.feed(&s[cut..]).expect("second piece");
            assert_eq!(d.last_keys(), [Some("-3".to_string())]);
            let batch = d.finish().expect("a batch");
            assert_eq!(batch.num_columns(), 2, "the key column is not kept");
            let ids = batch.column(0).as_primitive::<Int64Type>();
            assert_eq!(ids.values().to_vec(), vec![7, -3]);
            let amounts = batch.column(1).as_primitive::<Decimal128Type>();
            assert_eq!(amounts.value(0), 1250);
            assert!(amounts.is_null(1));
        }
        let mut d = Decoder::new(columns(), 1);
        d.feed(&s[..s.len() - 2]).expect("no trailer yet");
        assert!(
            d.finish().is_err(),
            "a stream without its trailer is cut short"
        );
    }
}
