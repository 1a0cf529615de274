//! The database sources' decoders on one core, a chunk at a time: 100,000
//! rows shaped like bench/mysql.sh's and bench/postgres.sh's table (ten
//! columns: integers, a decimal(12,2), a double, two texts, two timestamps,
//! a boolean; NULLs in four), already read off the wire, decoded into a
//! batch, and its buffers handed back for the next chunk as a run does.
//! Prints one JSON line per decoder: the median milliseconds per chunk (a
//! million values, so also nanoseconds per value), and the range.
//!
//! One thread decoding one chunk after another gets its freed memory back
//! from the allocator as it is; what keeping buffers saves a run (sixteen
//! chunks at once on several threads, whose memory goes back to the kernel)
//! shows in bench/mysql.sh's page faults and CPU, not here.
//!
//!     cargo bench -p sluice-connectors --features mysql_source,postgres_source --bench decode -- [CHUNKS]
//!
//! The end-to-end figure a user sees, with the network, the mapping and the
//! Parquet written, is bench/mysql.sh's and bench/postgres.sh's.

use std::time::Instant;

use arrow_array::RecordBatch;
use sluice_connectors::buffers;
use sluice_connectors::mysql::decode as my;
use sluice_connectors::postgres::copy as pg;

const ROWS: usize = 100_000;
const COLUMNS: usize = 10;

/// Row `i`'s values, as the benchmark table makes them: `None` for NULL.
struct Row {
    id: i64,
    account: i32,
    /// Cents.
    amount: Option<i64>,
    price: f64,
    quantity: Option<i32>,
    status: &'static str,
    email: Option<String>,
    /// Seconds after 2026-01-01.
    created: i64,
    updated: Option<i64>,
    active: bool,
}

fn row(i: usize) -> Row {
    let s = i as i64 + 1;
    Row {
        id: s,
        account: ((s * 7919) % 100_000) as i32,
        amount: (s % 10 != 0).then_some((s * 37) % 1_000_000),
        price: (s % 1000) as f64 * 1.37 + (s % 7) as f64 * 0.001,
        quantity: (s % 13 != 0).then_some((s % 50) as i32),
        status: ["new", "paid", "shipped", "cancelled"][(s % 4) as usize],
        email: (s % 9 != 0).then(|| format!("user{}@example.com", s % 500_000)),
        created: s,
        updated: (s % 11 != 0).then_some(2 * s),
        active: s % 3 == 0,
    }
}

/// MySQL's binary row of `r`: its header, NULL bitmap and values.
fn mysql_row(r: &Row) -> Vec<u8> {
    let mut bitmap = [0u8; (COLUMNS + 9) / 8];
    let mut values = vec![];
    let null = |i: usize, bitmap: &mut [u8]| bitmap[(i + 2) / 8] |= 1 << ((i + 2) % 8);
    let datetime = |values: &mut Vec<u8>, seconds: i64| {
        let (day, rest) = (seconds / 86_400, seconds % 86_400);
        let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
        // January 2026 and on, day by day: the benchmark's rows span 116 days.
        let (month, day) = month_day(day as u32);
        values.extend_from_slice(&[7, 0xEA, 0x07, month, day, h as u8, m as u8, s as u8]);
    };
    values.extend_from_slice(&r.id.to_le_bytes());
    values.extend_from_slice(&r.account.to_le_bytes());
    match r.amount {
        Some(cents) => {
            let text = format!("{}.{:02}", cents / 100, cents % 100);
            values.push(text.len() as u8);
            values.extend_from_slice(text.as_bytes());
        }
        None => null(2, &mut bitmap),
    }
    values.extend_from_slice(&r.price.to_le_bytes());
    match r.quantity {
        Some(q) => values.extend_from_slice(&q.to_le_bytes()),
        None => null(4, &mut bitmap),
    }
    values.push(r.status.len() as u8);
    values.extend_from_slice(r.status.as_bytes());
    match &r.email {
        Some(e) => {
            values.push(e.len() as u8);
            values.extend_from_slice(e.as_bytes());
        }
        None => null(6, &mut bitmap),
    }
    datetime(&mut values, r.created);
    match r.updated {
        Some(t) => datetime(&mut values, t),
        None => null(8, &mut bitmap),
    }
    values.push(u8::from(r.active));
    [&[0x00][..], &bitmap, &values].concat()
}

/// The month and day of the `day`th day (from 0) of 2026.
fn month_day(mut day: u32) -> (u8, u8) {
    for (month, days) in [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        .iter()
        .enumerate()
    {
        if day < *days {
            return (month as u8 + 1, day as u8 + 1);
        }
        day -= days;
    }
    (12, 31)
}

fn mysql_columns() -> (Vec<my::Column>, Vec<my::Wire>) {
    use my::{Kind, Wire};
    let columns = [
        ("id", Kind::I64, Wire::I64),
        ("account_id", Kind::I32, Wire::I32),
        (
            "amount",
            Kind::Decimal {
                precision: 12,
                scale: 2,
            },
            Wire::Bytes,
        ),
        ("price", Kind::F64, Wire::F64),
        ("quantity", Kind::I32, Wire::I32),
        ("status", Kind::Text, Wire::Bytes),
        ("email", Kind::Text, Wire::Bytes),
        ("created_at", Kind::Timestamp, Wire::Date),
        ("updated_at", Kind::Timestamp, Wire::Date),
        ("active", Kind::Bool, Wire::I8),
    ];
    columns
        .into_iter()
        .map(|(name, kind, wire)| {
            (
                my::Column {
                    name: name.into(),
                    kind,
                },
                wire,
            )
        })
        .unzip()
}

/// PostgreSQL's binary COPY of `rows`: its header, each tuple, its trailer.
fn copy_stream(rows: &[Row]) -> Vec<u8> {
    let mut s = b"PGCOPY\n\xff\r\n\0".to_vec();
    s.extend(0i32.to_be_bytes());
    s.extend(0i32.to_be_bytes());
    let field = |s: &mut Vec<u8>, bytes: Option<&[u8]>| match bytes {
        Some(b) => {
            s.extend((b.len() as i32).to_be_bytes());
            s.extend_from_slice(b);
        }
        None => s.extend((-1i32).to_be_bytes()),
    };
    // Microseconds from 2000-01-01 to 2026-01-01.
    let epoch = 820_454_400_000_000i64;
    for r in rows {
        s.extend((COLUMNS as i16).to_be_bytes());
        field(&mut s, Some(&r.id.to_be_bytes()));
        field(&mut s, Some(&r.account.to_be_bytes()));
        let amount = r.amount.map(|cents| {
            // Base-10000 digits of cents / 100, weight and scale 2.
            let (whole, frac) = (cents / 100, (cents % 100) * 100);
            let mut digits: Vec<i16> = vec![];
            let mut weight = -1i16;
            if whole >= 10_000 {
                digits.extend([(whole / 10_000) as i16, (whole % 10_000) as i16]);
                weight = 1;
            } else if whole > 0 {
                digits.push(whole as i16);
                weight = 0;
            }
            digits.push(frac as i16);
            let mut b = vec![];
            b.extend((digits.len() as u16).to_be_bytes());
            b.extend(weight.to_be_bytes());
            b.extend(0u16.to_be_bytes());
            b.extend(2u16.to_be_bytes());
            for d in digits {
                b.extend(d.to_be_bytes());
            }
            b
        });
        field(&mut s, amount.as_deref());
        field(&mut s, Some(&r.price.to_be_bytes()));
        field(
            &mut s,
            r.quantity.map(i32::to_be_bytes).as_ref().map(|b| &b[..]),
        );
        field(&mut s, Some(r.status.as_bytes()));
        field(&mut s, r.email.as_deref().map(str::as_bytes));
        let micros = |seconds: i64| (epoch + seconds * 1_000_000).to_be_bytes();
        field(&mut s, Some(&micros(r.created)));
        field(&mut s, r.updated.map(micros).as_ref().map(|b| &b[..]));
        field(&mut s, Some(&[u8::from(r.active)]));
    }
    s.extend((-1i16).to_be_bytes());
    s
}

fn pg_columns() -> Vec<pg::Column> {
    use pg::Wire;
    [
        ("id", Wire::Int64),
        ("account_id", Wire::Int32),
        (
            "amount",
            Wire::of(1700, ((12 << 16) | 2) + 4).expect("numeric(12,2)"),
        ),
        ("price", Wire::Float64),
        ("quantity", Wire::Int32),
        ("status", Wire::Text),
        ("email", Wire::Text),
        ("created_at", Wire::TimestampTz),
        ("updated_at", Wire::TimestampTz),
        ("active", Wire::Bool),
    ]
    .into_iter()
    .map(|(name, wire)| pg::Column {
        name: name.into(),
        wire,
        kept: true,
    })
    .collect()
}

/// Decodes `chunks` chunks with `decode`, handing each batch back for the
/// next one; prints the case's line.
fn measure(case: &str, chunks: usize, decode: impl Fn() -> RecordBatch) {
    buffers::release();
    let mut times = vec![];
    for _ in 0..chunks {
        let start = Instant::now();
        let batch = decode();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(batch.num_rows(), ROWS);
        buffers::give_back(batch);
    }
    // The first chunk fills fresh memory either way.
    let mut steady = times[1..].to_vec();
    steady.sort_by(f64::total_cmp);
    let median = steady[steady.len() / 2];
    println!(
        "{{\"case\":\"{case}\",\"chunks\":{chunks},\"rows\":{ROWS},\"ms_per_chunk\":{median:.2},\"ns_per_value\":{:.2},\"min_ms\":{:.2},\"max_ms\":{:.2}}}",
        median * 1e6 / (ROWS * COLUMNS) as f64,
        steady[0],
        steady[steady.len() - 1],
    );
}

fn main() {
    let chunks: usize = std::env::args()
        .skip(1)
        .find(|a| a != "--bench")
        .and_then(|a| a.parse().ok())
        .unwrap_or(30)
        .max(3);
    let rows: Vec<Row> = (0..ROWS).map(row).collect();
    let packets: Vec<Vec<u8>> = rows.iter().map(mysql_row).collect();
    let (_, wires) = mysql_columns();
    let mysql = || {
        let mut d = my::Decoder::new(mysql_columns().0, ROWS);
        for p in &packets {
            d.push(&wires, p).expect("a row");
        }
        d.finish().expect("a batch")
    };
    // The stream in the pieces a connection reads it in.
    let stream = copy_stream(&rows);
    let postgres = || {
        let mut d = pg::Decoder::new(pg_columns(), ROWS);
        for piece in stream.chunks(64 << 10) {
            d.feed(piece).expect("a piece");
        }
        d.finish().expect("a batch")
    };
    measure("mysql", chunks, mysql);
    measure("postgres", chunks, postgres);
}
