//! The transform path on one core, as a run takes it: the `files` connector cuts
//! an NDJSON file into chunks, each chunk is decoded, mapped (10 columns: casts,
//! one expression, string operations, a default, an exclusion) and written as
//! Parquet. Prints one JSON line: rows, seconds, rows/s, CPU seconds, peak RSS.
//!
//!     cargo bench -p sluice-runs --bench transform -- FILE [--batch-size N] [--out DIR]
//!
//! `bench/transform.sh` generates the input and runs dlt on the same file beside it.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use sluice_connectors::{Budget, Extractor as _, StreamRequest, files::Files};
use sluice_domain::Field;
use sluice_domain::entities::{ErrorPolicy, Mapping};
use sluice_engine::transform::{CompiledMapping, transform_chunk};

/// The mapping dlt's peer script applies too (bench/dlt_peer.py); bench/run.sh
/// runs it through the queues.
fn mapping() -> Mapping {
    serde_json::from_str(include_str!("../../../bench/orders-mapping.json"))
        .expect("the bench mapping is valid")
}

/// (user + system CPU seconds, peak RSS in MiB) of this process, from /proc.
fn usage() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat (utime, stime), counted after the command name.
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    (cpu, hwm_kb / 1024.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut input = None;
    let mut batch_size = 10_000usize;
    let mut out_dir = None;
    let mut phases = false;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--batch-size" => {
                batch_size = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--batch-size N")
            }
            "--out" => out_dir = it.next(),
            // Time decode, map and Parquet encoding apart (the same work, split up).
            "--phases" => phases = true,
            _ => input = Some(a),
        }
    }
    let Some(input) = input else {
        eprintln!(
            "usage: cargo bench -p sluice-runs --bench transform -- FILE [--batch-size N] [--out DIR]"
        );
        std::process::exit(2);
    };
    let input = std::fs::canonicalize(&input).expect("the input file exists");
    let parent = input.parent().expect("the file's directory").to_path_buf();
    let dir = parent.display().to_string();
    let name = input
        .file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    let out_dir = out_dir.map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("sluice-bench-out-{}", std::process::id()))
    });
    std::fs::create_dir_all(&out_dir).expect("output directory");

    let mut config = Map::new();
    config.insert("location".into(), Value::String(dir));
    config.insert("format".into(), Value::String("ndjson".into()));
    let compiled = CompiledMapping::compile(&mapping(), &Field::new("mapping")).expect("compiles");
    let req = StreamRequest {
        credentials: None,
        stream: &name,
        config: &config,
        cursor: None,
        lookback: Duration::ZERO,
        window: None,
        batch_size,
        parallelism: 1,
        files: sluice_domain::files::FileAccess {
            landing: None,
            roots: std::sync::Arc::new(
                sluice_domain::files::ImportRoots::new(&[parent], &[]).expect("an import root"),
            ),
        },
    };
    let started = Instant::now();
    let (mut rows, mut written, mut failed, mut chunks, mut bytes_out) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut extract_s, mut transform_s, mut write_s) = (0.0, 0.0, 0.0);
    let (mut decode_s, mut map_s, mut encode_s) = (0.0, 0.0, 0.0);
    let mut position: Option<Value> = None;
    loop {
        let t = Instant::now();
        let step = Files
            .step(
                &req,
                position.as_ref(),
                Budget::new(4, Duration::from_secs(60)),
            )
            .await
            .expect("extraction");
        extract_s += t.elapsed().as_secs_f64();
        for chunk in step.chunks {
            let errors: Vec<(u64, String)> = chunk
                .errors
                .iter()
                .map(|e| (e.row, e.reason.clone()))
                .collect();
            if phases {
                let t = Instant::now();
                let decoded = compiled.decode(chunk.format, &chunk.bytes).expect("decode");
                decode_s += t.elapsed().as_secs_f64();
                let t = Instant::now();
                let bound = compiled.bind(decoded.batch.schema_ref()).expect("bind");
                let applied = bound.apply(&decoded.batch).expect("apply");
                map_s += t.elapsed().as_secs_f64();
                let t = Instant::now();
                let p = sluice_engine::transform::write_parquet(&applied.batch).expect("parquet");
                encode_s += t.elapsed().as_secs_f64();
                rows += decoded.batch.num_rows() as u64;
                written += applied.batch.num_rows() as u64;
                bytes_out += p.len() as u64;
                chunks += 1;
                continue;
            }
            let t = Instant::now();
            let out = transform_chunk(
                &compiled,
                chunk.format,
                &chunk.bytes,
                &errors,
                ErrorPolicy::SkipAndLog,
            )
            .expect("transform");
            transform_s += t.elapsed().as_secs_f64();
            rows += out.rows_in;
            written += out.rows_written;
            failed += out.rows_failed + out.rows_skipped;
            let t = Instant::now();
            if let Some(p) = out.parquet {
                bytes_out += p.len() as u64;
                std::fs::write(out_dir.join(format!("chunk-{chunks:06}.parquet")), p)
                    .expect("write");
            }
            write_s += t.elapsed().as_secs_f64();
            chunks += 1;
        }
        position = step.next;
        if position.is_none() {
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let (cpu, peak) = usage();
    let _ = std::fs::remove_dir_all(&out_dir);
    println!(
        "{}",
        json!({
            "tool": "sluice",
            "rows": rows,
            "rows_written": written,
            "rows_rejected": failed,
            "chunks": chunks,
            "batch_size": batch_size,
            "seconds": (seconds * 1000.0).round() / 1000.0,
            "rows_per_second": (rows as f64 / seconds).round(),
            "cpu_seconds": cpu,
            "rows_per_cpu_second": (rows as f64 / cpu.max(0.01)).round(),
            "peak_rss_mb": (peak * 10.0).round() / 10.0,
            "parquet_mb": (bytes_out as f64 / 1048576.0 * 10.0).round() / 10.0,
            "stages_seconds": {"extract": extract_s, "transform": transform_s, "write": write_s},
            "phases_seconds": {"decode": decode_s, "map": map_s, "encode": encode_s}
        })
    );
}
