//! Database sources against real servers: PostgreSQL and MariaDB from the
//! distribution, started on a free port by the test (as `nobody` when run as
//! root) and stopped by it. The extractor is driven step by step (chunks, continuations,
//! a repeated step, incremental windows, tables without a key), and a whole run
//! goes through the embedded stack into a data mart that is then queried.

use std::time::Duration;

use serde_json::{Map, Value, json};
use sluice_connectors::{Budget, StreamRequest, extractor};
use sluice_domain::files::FileAccess;
use sluice_domain::pipeline::ChunkFormat;
use sluice_engine::datafusion::arrow::array::{Array, AsArray};
use sluice_engine::datafusion::arrow::datatypes::{DataType, Decimal128Type, Int64Type, TimeUnit};
use sluice_tests::app::{loopback_allowed, spawn_app};
use sluice_tests::mysql::Mysql;
use sluice_tests::postgres::Postgres;
use sluice_tests::runs::{connector_mart, start_run, wait_final};

const ROWS: i64 = 2_500;

/// A table of every common type, `ROWS` rows, some of every column NULL.
async fn wide_table(pg: &Postgres) {
    pg.client()
        .await
        .expect("a client")
        .batch_execute(&format!(
            "CREATE TYPE mood AS ENUM ('calm', 'busy');
             CREATE TABLE public.events (
                 id bigint PRIMARY KEY,
                 small smallint, n integer, ratio real, score double precision,
                 amount numeric(12,2), exact numeric, label text, code varchar(8), flag boolean,
                 day date, at timestamp, at_tz timestamptz, opens time,
                 token uuid, doc jsonb, raw json, tags int[], bytes bytea, m mood,
                 updated_at timestamptz NOT NULL);
             INSERT INTO public.events
             SELECT i, (i % 100)::smallint, i * 3, i / 4.0, i / 8.0,
                    CASE WHEN i % 10 = 0 THEN NULL ELSE i * 1.25 END,
                    i::numeric / 3, CASE WHEN i % 7 = 0 THEN NULL ELSE 'row ' || i || ' ''quoted''' END,
                    'c' || (i % 9), i % 2 = 0,
                    date '2026-01-01' + (i % 300), timestamp '2026-01-01 00:00:00' + i * interval '1 minute',
                    timestamptz '2026-01-01 00:00:00+00' + i * interval '1 hour', time '08:30:00',
                    ('00000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid,
                    jsonb_build_object('i', i), '{{\"k\": 1}}'::json, ARRAY[i, i + 1], '\\xdeadbeef'::bytea,
                    CASE WHEN i % 2 = 0 THEN 'calm'::mood ELSE 'busy'::mood END,
                    timestamptz '2026-11-01 00:00:00+00' + i * interval '1 second'
             FROM generate_series(1, {ROWS}) i;"
        ))
        .await
        .expect("the fixture table");
}

fn config(pg: &Postgres, cursor: Option<&str>) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("url".into(), json!(pg.url()));
    if let Some(col) = cursor {
        c.insert("cursor_column".into(), json!(col));
    }
    c
}

fn request<'a>(
    stream: &'a str,
    config: &'a Map<String, Value>,
    cursor: Option<&'a Value>,
    lookback: Duration,
) -> StreamRequest<'a> {
    StreamRequest {
        credentials: None,
        stream,
        config,
        cursor,
        lookback,
        window: None,
        batch_size: 1_000,
        parallelism: 1,
        files: FileAccess::default(),
    }
}

/// Every step of `req` to the end: the chunks' batches and the last cursor.
async fn read_all(
    req: &StreamRequest<'_>,
) -> (
    Vec<sluice_engine::datafusion::arrow::record_batch::RecordBatch>,
    Option<Value>,
    usize,
) {
    read_all_of("postgres", req).await
}

/// As [`read_all`], with connector `name`'s extractor.
async fn read_all_of(
    name: &str,
    req: &StreamRequest<'_>,
) -> (
    Vec<sluice_engine::datafusion::arrow::record_batch::RecordBatch>,
    Option<Value>,
    usize,
) {
    let x = extractor(name, &loopback_allowed()).expect("the extractor");
    let mut position: Option<Value> = None;
    let mut batches = vec![];
    let mut steps = 0;
    loop {
        let out = x
            .step(
                req,
                position.as_ref(),
                Budget::new(2, Duration::from_secs(60)),
            )
            .await
            .expect("a step");
        steps += 1;
        for c in out.chunks {
            assert_eq!(c.format, ChunkFormat::ArrowIpc);
            assert!(
                c.bytes.is_empty(),
                "the columns are handed over, not encoded"
            );
            let batch = c.batch.expect("the columns as decoded");
            assert_eq!(batch.num_rows() as u64, c.rows);
            batches.push(batch);
        }
        match out.next {
            Some(next) => position = Some(next),
            None => return (batches, out.cursor, steps),
        }
    }
}

fn ids(batches: &[sluice_engine::datafusion::arrow::record_batch::RecordBatch]) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            let i = b.schema().index_of("id").expect("id");
            b.column(i).as_primitive::<Int64Type>().values().to_vec()
        })
        .collect()
}

/// A table read whole in key order, a chunk per 1,000 rows and two chunks a
/// step: every row once, every type decoded from its binary form, and a step
/// repeated from its position reads the same rows again.
#[tokio::test]
async fn a_postgres_table_is_read_in_key_order_with_every_type_decoded() {
    let pg = Postgres::start().await.expect("postgres starts");
    wide_table(&pg).await;
    let cfg = config(&pg, None);
    let req = request("public.events", &cfg, None, Duration::ZERO);
    let (batches, cursor, steps) = read_all(&req).await;
    assert_eq!(cursor, None, "no cursor column, no cursor");
    assert_eq!(batches.len(), 3, "1,000 + 1,000 + 500 rows");
    assert_eq!(steps, 2, "two chunks a step");
    assert_eq!(ids(&batches), (1..=ROWS).collect::<Vec<_>>());

    let b = &batches[0];
    let schema = b.schema();
    let kind = |c: &str| schema.field_with_name(c).expect(c).data_type().clone();
    assert_eq!(kind("small"), DataType::Int16);
    assert_eq!(kind("n"), DataType::Int32);
    assert_eq!(kind("ratio"), DataType::Float32);
    assert_eq!(kind("score"), DataType::Float64);
    assert_eq!(kind("amount"), DataType::Decimal128(12, 2));
    assert_eq!(
        kind("exact"),
        DataType::Utf8,
        "numeric of no precision as text"
    );
    assert_eq!(kind("flag"), DataType::Boolean);
    assert_eq!(kind("day"), DataType::Date32);
    assert_eq!(kind("at"), DataType::Timestamp(TimeUnit::Microsecond, None));
    assert_eq!(
        kind("at_tz"),
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert_eq!(kind("bytes"), DataType::Binary);
    for text in ["label", "code", "opens", "token", "doc", "raw", "tags", "m"] {
        assert_eq!(kind(text), DataType::Utf8, "{text}");
    }
    assert!(
        schema.fields().iter().all(|f| !f.name().starts_with("__")),
        "the key read to resume from is not a column"
    );
    // Row 7 (index 6) and row 10 (index 9), by value.
    let col = |c: &str| b.column(schema.index_of(c).expect(c)).clone();
    let text = |c: &str, i: usize| col(c).as_string::<i32>().value(i).to_string();
    assert_eq!(col("amount").as_primitive::<Decimal128Type>().value(6), 875);
    assert!(col("amount").is_null(9));
    assert!(col("label").is_null(6));
    assert_eq!(text("label", 7), "row 8 'quoted'");
    assert_eq!(text("exact", 6), "2.3333333333333333");
    assert_eq!(text("token", 6), "00000000-0000-0000-0000-000000000007");
    assert_eq!(text("doc", 6), r#"{"i": 7}"#);
    assert_eq!(text("raw", 6), r#"{"k": 1}"#);
    assert_eq!(text("tags", 6), "[7,8]");
    assert_eq!(text("opens", 6), "08:30:00");
    assert_eq!(text("m", 6), "busy");
    assert_eq!(
        col("bytes").as_binary::<i32>().value(6),
        [0xde, 0xad, 0xbe, 0xef]
    );
    let day = col("day");
    let day = day.as_primitive::<sluice_engine::datafusion::arrow::datatypes::Date32Type>();
    // 2026-01-01 + 7 days = 2026-01-08: days since 1970-01-01.
    assert_eq!(day.value(6), 20_454 + 7);
    let at = col("at_tz");
    let at =
        at.as_primitive::<sluice_engine::datafusion::arrow::datatypes::TimestampMicrosecondType>();
    assert_eq!(at.value(6), (1_767_225_600 + 7 * 3_600) * 1_000_000);

    // The same step again, from the same position: the same rows.
    let x = extractor("postgres", &loopback_allowed()).expect("extractor");
    let first = x
        .step(&req, None, Budget::new(1, Duration::from_secs(60)))
        .await
        .expect("a step");
    let next = first.next.clone().expect("more to read");
    let again = x
        .step(&req, Some(&next), Budget::new(1, Duration::from_secs(60)))
        .await
        .expect("the second step");
    let repeated = x
        .step(&req, Some(&next), Budget::new(1, Duration::from_secs(60)))
        .await
        .expect("the second step, repeated");
    assert_eq!(again.chunks[0].rows, 1_000);
    assert!(again.chunks[0].batch.is_some(), "the columns as decoded");
    assert_eq!(again.chunks[0].batch, repeated.chunks[0].batch);
    assert_eq!(again.next, repeated.next);
}

/// Incremental runs: the first reads everything up to the column's largest
/// value and saves it; the next reads only what came after (and what the
/// look-back takes in again); a table without a key is read in `ctid` order.
#[tokio::test]
async fn incremental_runs_read_above_the_saved_cursor_and_keyless_tables_by_ctid() {
    let pg = Postgres::start().await.expect("postgres starts");
    wide_table(&pg).await;
    let cfg = config(&pg, Some("updated_at"));
    let (batches, cursor, _) = read_all(&request("events", &cfg, None, Duration::ZERO)).await;
    assert_eq!(ids(&batches).len(), ROWS as usize);
    let saved = cursor.expect("a cursor");
    assert_eq!(
        saved,
        json!("2026-11-01 00:41:40+00"),
        "the largest updated_at"
    );

    let client = pg.client().await.expect("client");
    client
        .batch_execute(
            "UPDATE public.events SET updated_at = timestamptz '2026-11-02 00:00:00+00' WHERE id = 5;
             INSERT INTO public.events (id, updated_at) VALUES (9001, timestamptz '2026-11-02 00:00:01+00');",
        )
        .await
        .expect("changes");
    let (batches, cursor, _) =
        read_all(&request("events", &cfg, Some(&saved), Duration::ZERO)).await;
    assert_eq!(
        ids(&batches),
        vec![5, 9001],
        "only the changed and the new rows"
    );
    assert_eq!(cursor, Some(json!("2026-11-02 00:00:01+00")));
    // A day of look-back takes in the rows of the day before the saved value.
    let (batches, _, _) = read_all(&request(
        "events",
        &cfg,
        Some(&saved),
        Duration::from_secs(3_600),
    ))
    .await;
    let back = ids(&batches);
    assert!(
        back.len() > 2 && back.contains(&5) && back.contains(&9001),
        "{}",
        back.len()
    );

    // Nothing new: nothing read, the cursor kept.
    let latest = json!("2026-11-02 00:00:01+00");
    let (batches, cursor, _) =
        read_all(&request("events", &cfg, Some(&latest), Duration::ZERO)).await;
    assert!(ids(&batches).is_empty());
    assert_eq!(cursor, Some(latest));

    // No primary key: read in ctid order, every row once.
    client
        .batch_execute(
            "CREATE TABLE public.log (line text);
             INSERT INTO public.log SELECT 'line ' || i FROM generate_series(1, 2345) i;",
        )
        .await
        .expect("a keyless table");
    let plain = config(&pg, None);
    let (batches, _, _) = read_all(&request("public.log", &plain, None, Duration::ZERO)).await;
    let lines: Vec<String> = batches
        .iter()
        .flat_map(|b| {
            b.column(0)
                .as_string::<i32>()
                .iter()
                .map(|v| v.expect("a line").to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(lines.len(), 2345);
    let unique: std::collections::BTreeSet<&String> = lines.iter().collect();
    assert_eq!(unique.len(), 2345);
}

/// Rows of a table of 10,000 read with a parallelism of 4: the first step
/// reads a chunk of each of four key ranges at once (and says so in its
/// continuation), a step repeated from a continuation reads the same chunks,
/// and the whole read has every value of `column` once.
async fn reads_in_four_ranges(
    connector: &str,
    cfg: &Map<String, Value>,
    table: &str,
    column: &str,
) {
    let mut req = request(table, cfg, None, Duration::ZERO);
    req.parallelism = 4;
    let x = extractor(connector, &loopback_allowed()).expect("the extractor");
    let first = x
        .step(&req, None, Budget::new(4, Duration::from_secs(60)))
        .await
        .expect("the first step");
    let next = first.next.clone().expect("more to read");
    assert_eq!(
        next["ranges"].as_array().map(Vec::len),
        Some(4),
        "{table}: {next}"
    );
    assert_eq!(first.chunks.len(), 4, "{table}: a chunk of each range");
    assert!(first.chunks.iter().all(|c| c.rows == 1_000), "{table}");
    let again = x
        .step(&req, Some(&next), Budget::new(4, Duration::from_secs(60)))
        .await
        .expect("the second step");
    let repeated = x
        .step(&req, Some(&next), Budget::new(4, Duration::from_secs(60)))
        .await
        .expect("the second step, repeated");
    assert_eq!(again.chunks, repeated.chunks, "{table}");
    assert_eq!(again.next, repeated.next, "{table}");

    let (batches, _, steps) = read_all_of(connector, &req).await;
    let mut values: Vec<i64> = batches
        .iter()
        .flat_map(|b| {
            let i = b.schema().index_of(column).expect(column);
            b.column(i).as_primitive::<Int64Type>().values().to_vec()
        })
        .collect();
    values.sort_unstable();
    assert_eq!(
        values,
        (1..=10_000).collect::<Vec<_>>(),
        "{table}: every row once"
    );
    assert!(
        steps <= 6,
        "{table}: four ranges a step, two chunks each: {steps} steps"
    );
}

/// A large table is read in key ranges at once: an integer key cut by its
/// span, a text key by a sample of its values, a table without a key by its
/// pages; every row once.
#[tokio::test]
async fn a_large_postgres_table_is_read_in_key_ranges_at_once() {
    let pg = Postgres::start().await.expect("postgres starts");
    pg.client()
        .await
        .expect("a client")
        .batch_execute(
            "CREATE TABLE public.big (id bigint PRIMARY KEY, note text);
             INSERT INTO public.big SELECT i, 'note ' || i FROM generate_series(1, 10000) i;
             CREATE TABLE public.named (code text PRIMARY KEY, n bigint NOT NULL);
             INSERT INTO public.named SELECT md5(i::text), i FROM generate_series(1, 10000) i;
             CREATE TABLE public.heap (n bigint, note text);
             INSERT INTO public.heap SELECT i, repeat('x', 40) FROM generate_series(1, 10000) i;
             ANALYZE;",
        )
        .await
        .expect("the tables");
    let cfg = config(&pg, None);
    for (table, column) in [
        ("public.big", "id"),
        ("public.named", "n"),
        ("public.heap", "n"),
    ] {
        reads_in_four_ranges("postgres", &cfg, table, column).await;
    }
    // Dozens of steps read four ranges each, over sessions each step left
    // idle for the next: a few are still open (the next step's), never more
    // than the four read at once and the one that planned the run, where a
    // login per range per step would leave none open and a leak far more.
    let client = pg.client().await.expect("a client");
    let open = other_sessions(&client).await;
    assert!((1..=5).contains(&open), "{open} sessions open");
}

/// A source's readers start TLS themselves, then log in over it: against a
/// server that takes logins over TLS only (its certificate self-signed), each
/// sslmode does what libpq's does, for the step that plans the run and for
/// the readers of a later step alike. Sessions the server ended while idle
/// are not taken by the next step.
#[tokio::test]
async fn a_postgres_source_reads_over_tls_as_its_sslmode_says_and_takes_no_ended_session() {
    let pg = Postgres::start_tls_only().await.expect("postgres starts");
    let client = pg.client().await.expect("a client");
    client
        .batch_execute(
            "CREATE TABLE public.t (id bigint PRIMARY KEY, v text);
             INSERT INTO public.t SELECT i, 'row ' || i FROM generate_series(1, 3000) i;
             ANALYZE;",
        )
        .await
        .expect("the table");
    let x = extractor("postgres", &loopback_allowed()).expect("the extractor");
    let budget = || Budget::new(1, Duration::from_secs(60));
    let with = |sslmode: &str| {
        let mut c = Map::new();
        c.insert("url".into(), json!(format!("{}{sslmode}", pg.url())));
        c
    };
    let tls = with("");
    let req = StreamRequest {
        parallelism: 2,
        ..request("public.t", &tls, None, Duration::ZERO)
    };
    // A first step over TLS (the default, `prefer`): its position, for the
    // later steps below.
    let planned = x.step(&req, None, budget()).await.expect("a step");
    let position = planned.next.clone().expect("more to read");
    let mut ids = sorted_ids(&planned.chunks);
    let refused = [
        ("?sslmode=disable", "no encryption"),
        ("?sslmode=verify-full", "invalid peer certificate"),
    ];
    refused_as_the_mode_says(&*x, &with, "public.t", &position, &refused, pg.password()).await;
    // The server ends every session but this client's; the next steps log in
    // again (over `require`) and read the rest, every row once.
    let ended: i64 = client
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .expect("the sessions ended")
        .get(0);
    assert!(ended >= 2, "{ended} sessions ended");
    let gone = std::time::Instant::now();
    loop {
        let open = other_sessions(&client).await;
        if open == 0 {
            break;
        }
        assert!(
            gone.elapsed() < Duration::from_secs(60),
            "{open} sessions still open"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cfg = with("?sslmode=require");
    read_the_rest(&*x, &cfg, "public.t", position, &mut ids).await;
    assert_eq!(ids, (1..=3000).collect::<Vec<i64>>());
}

/// Steps over the URL of each `(suffix, reason)` of `refused` fail, the
/// first (which plans the run) and a later one at `position` (whose readers
/// log in), saying `reason`, not retryable and never with the password.
async fn refused_as_the_mode_says(
    x: &dyn sluice_connectors::Extractor,
    with: &dyn Fn(&str) -> Map<String, Value>,
    stream: &str,
    position: &Value,
    refused: &[(&str, &str)],
    password: &str,
) {
    for (mode, reason) in refused {
        let cfg = with(mode);
        let req = StreamRequest {
            parallelism: 2,
            ..request(stream, &cfg, None, Duration::ZERO)
        };
        for at in [None, Some(position)] {
            let Err(e) = x
                .step(&req, at, Budget::new(1, Duration::from_secs(60)))
                .await
            else {
                panic!("{mode}: read");
            };
            let text = e.to_string();
            assert!(text.contains(reason), "{mode}: {text}");
            assert!(!e.retryable(), "{mode}: {text}");
            assert!(!text.contains(password), "{text}");
        }
    }
}

/// The steps of `stream` over `cfg` from `position` to the end, their ids
/// added to `ids`, which end sorted.
async fn read_the_rest(
    x: &dyn sluice_connectors::Extractor,
    cfg: &Map<String, Value>,
    stream: &str,
    position: Value,
    ids: &mut Vec<i64>,
) {
    let req = StreamRequest {
        parallelism: 2,
        ..request(stream, cfg, None, Duration::ZERO)
    };
    let mut at = Some(position);
    while let Some(p) = at {
        let out = x
            .step(&req, Some(&p), Budget::new(1, Duration::from_secs(60)))
            .await
            .expect("a step");
        ids.extend(sorted_ids(&out.chunks));
        at = out.next;
    }
    ids.sort_unstable();
}

/// The client sessions open on the server, `client`'s aside.
async fn other_sessions(client: &tokio_postgres::Client) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .expect("the sessions")
        .get(0)
}

/// The `id` column of `chunks`' batches, sorted.
fn sorted_ids(chunks: &[sluice_connectors::RawChunk]) -> Vec<i64> {
    let batches: Vec<_> = chunks
        .iter()
        .map(|c| c.batch.clone().expect("the columns as decoded"))
        .collect();
    let mut out = ids(&batches);
    out.sort_unstable();
    out
}

/// What cannot be read says why, naming the field, and never the password.
#[tokio::test]
async fn a_missing_table_or_a_closed_port_is_a_clear_error_without_the_password() {
    let pg = Postgres::start().await.expect("postgres starts");
    let cfg = config(&pg, None);
    let x = extractor("postgres", &loopback_allowed()).expect("extractor");
    let budget = || Budget::new(1, Duration::from_secs(30));
    for (stream, field) in [
        ("public.nope", "streams.name"),
        ("a.b.c", "streams.name"),
        ("", "streams.name"),
    ] {
        let e = x
            .step(&request(stream, &cfg, None, Duration::ZERO), None, budget())
            .await
            .expect_err(stream);
        assert!(!e.retryable(), "{e}");
        assert!(e.to_string().starts_with(field), "{stream}: {e}");
    }
    let mut closed = Map::new();
    let url = pg.url().replace(&format!(":{}/", pg.port()), ":9/");
    closed.insert("url".into(), json!(url));
    let e = x
        .step(
            &request("events", &closed, None, Duration::ZERO),
            None,
            budget(),
        )
        .await
        .expect_err("nothing listens on port 9");
    assert!(!e.to_string().contains(pg.password()), "{e}");
    // Another project's egress policy (public addresses only) never dials it.
    let e = extractor("postgres", &sluice_domain::net::Egress::public_only())
        .expect("extractor")
        .step(
            &request("events", &cfg, None, Duration::ZERO),
            None,
            budget(),
        )
        .await
        .expect_err("loopback is out of reach");
    assert!(e.to_string().contains("out of reach"), "{e}");
}

/// Discovery reads the catalog: each readable table and view of the user's
/// schemas with its columns in order, their types and casts, nullability, the
/// primary key in key order and the cursor candidates; system schemas,
/// partitions and tables the user may not read are not offered. The test says
/// which check failed and why, never with the password.
#[tokio::test]
async fn a_postgres_source_is_discovered_from_its_catalog_and_tested_check_by_check() {
    let pg = Postgres::start().await.expect("postgres starts");
    pg.client()
        .await
        .expect("a client")
        .batch_execute(
            "CREATE SCHEMA sales;
             CREATE TABLE sales.order_lines (
                 line int NOT NULL, order_id bigint NOT NULL, sku varchar(20),
                 qty smallint, price numeric(12,2), placed_on date, updated_at timestamptz,
                 attrs jsonb, tags text[], note text,
                 PRIMARY KEY (order_id, line));
             CREATE VIEW sales.big_orders AS SELECT order_id, sum(price) AS total FROM sales.order_lines GROUP BY order_id;
             CREATE TABLE public.measures (at timestamp NOT NULL, value double precision) PARTITION BY RANGE (at);
             CREATE TABLE public.measures_2026 PARTITION OF public.measures FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
             CREATE TABLE public.secret (id int);
             CREATE ROLE reader LOGIN PASSWORD 'reader-pw-1';
             GRANT USAGE ON SCHEMA sales TO reader;
             GRANT SELECT ON sales.order_lines, sales.big_orders, public.measures TO reader;
             CREATE ROLE nobody_reads LOGIN PASSWORD 'nothing-pw-1';",
        )
        .await
        .expect("the fixture schema");
    let as_user = |user: &str, password: &str| {
        let mut c = Map::new();
        let url = pg.url().replacen(
            &format!("{}:{}@", sluice_tests::postgres::USER, pg.password()),
            &format!("{user}:{password}@"),
            1,
        );
        c.insert("url".into(), json!(url));
        c
    };
    let x = extractor("postgres", &loopback_allowed()).expect("extractor");
    let reader = as_user("reader", "reader-pw-1");
    fn probe(config: &Map<String, Value>) -> sluice_connectors::Probe<'_> {
        sluice_connectors::Probe {
            credentials: None,
            config,
            files: FileAccess::default(),
        }
    }
    let streams = x
        .streams(&probe(&reader))
        .await
        .expect("the catalog reads")
        .expect("a database offers its tables");
    let names: Vec<&str> = streams.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["public.measures", "sales.big_orders", "sales.order_lines"],
        "partitions, unreadable tables and system schemas are not offered"
    );
    let lines = &streams[2];
    let fields: Vec<(&str, &str, String, bool)> = lines
        .fields
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.source_type.as_str(),
                f.cast.to_string(),
                f.nullable,
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("line", "integer", "int".into(), false),
            ("order_id", "bigint", "int".into(), false),
            ("sku", "character varying(20)", "string".into(), true),
            ("qty", "smallint", "int".into(), true),
            ("price", "numeric(12,2)", "decimal(12,2)".into(), true),
            ("placed_on", "date", "date".into(), true),
            (
                "updated_at",
                "timestamp with time zone",
                "timestamp".into(),
                true
            ),
            ("attrs", "jsonb", "json".into(), true),
            ("tags", "text[]", "json".into(), true),
            ("note", "text", "string".into(), true),
        ]
    );
    assert_eq!(lines.primary_key, ["order_id", "line"], "in key order");
    assert_eq!(
        lines.cursor_candidates,
        ["line", "order_id", "qty", "placed_on", "updated_at"]
    );
    assert!(streams[1].primary_key.is_empty(), "a view has no key");
    assert_eq!(
        serde_json::to_value(lines.found_by).expect("json"),
        json!("catalog")
    );

    // Check by check.
    let checks = |t: &sluice_domain::discovery::SourceTest| -> Vec<(String, bool)> {
        t.checks.iter().map(|c| (c.check.clone(), c.ok)).collect()
    };
    let ok = x.test(&probe(&reader)).await;
    assert!(ok.ok, "{ok:?}");
    assert_eq!(
        ok.checks[2].reason.as_deref(),
        Some("3 tables and views may be read"),
        "{ok:?}"
    );
    let refused = x.test(&probe(&as_user("reader", "wrong-pw-9"))).await;
    assert_eq!(
        checks(&refused),
        [
            ("reachable".into(), true),
            ("authorized".into(), false),
            ("readable".into(), false)
        ],
        "{refused:?}"
    );
    let none = x
        .test(&probe(&as_user("nobody_reads", "nothing-pw-1")))
        .await;
    assert_eq!(
        checks(&none),
        [
            ("reachable".into(), true),
            ("authorized".into(), true),
            ("readable".into(), false)
        ],
        "{none:?}"
    );
    let mut closed = Map::new();
    closed.insert(
        "url".into(),
        json!(pg.url().replace(&format!(":{}/", pg.port()), ":9/")),
    );
    let unreachable = x.test(&probe(&closed)).await;
    assert_eq!(checks(&unreachable)[0], ("reachable".into(), false));
    for t in [&refused, &none, &unreachable] {
        let text = serde_json::to_string(t).expect("json");
        for secret in [pg.password(), "wrong-pw-9", "nothing-pw-1"] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}

/// A whole run through the embedded stack: source, mapping with casts, run
/// (chunks of 100 rows, so the table is read in four key ranges at once), and
/// the data mart's table queried: every row once. The URL is never shown back.
#[tokio::test]
async fn a_postgres_table_lands_in_a_data_mart() {
    let pg = Postgres::start().await.expect("postgres starts");
    wide_table(&pg).await;
    let app = spawn_app().await;
    let mart = connector_mart(
        &app,
        "postgres",
        json!({"url": pg.url(), "cursor_column": "updated_at"}),
        "public.events",
        json!({"columns": [
            {"target": "id", "source": "id"},
            {"target": "amount", "source": "amount"},
            {"target": "label", "source": "label"},
            {"target": "day", "source": "day"},
            {"target": "at_tz", "source": "at_tz"},
            {"target": "n_text", "source": "n", "cast": "string"}
        ], "rules": [{"rule": "unique_key", "columns": ["id"]}]}),
        json!({"batch_size": 100, "parallelism": 4}),
    )
    .await;
    let sources = app.owner("GET", "/v1/sources", None, 200).await;
    assert!(!sources.to_string().contains(pg.password()), "{sources}");
    // What cannot be read is refused where it is saved, naming the field.
    let source = sources["items"][0]["id"]
        .as_str()
        .expect("a source")
        .to_string();
    app.refused(
        "PATCH",
        &format!("/v1/sources/{source}"),
        &json!({"config": {"url": "mysql://u:p@db.example.com/app"}}),
        "config.url",
    )
    .await;
    let other = app
        .owner(
            "POST",
            "/v1/data-marts",
            Some(&json!({"title": "x", "storage_id": app.owner("GET", "/v1/storages", None, 200).await["items"][0]["id"]})),
            201,
        )
        .await;
    app.refused(
        "PUT",
        &format!(
            "/v1/data-marts/{}/definition",
            other["id"].as_str().expect("id")
        ),
        &json!({"kind": "connector", "source_id": source, "streams": [{"name": "a.b.c"}]}),
        "definition.streams[0].name",
    )
    .await;
    let run = start_run(&app, &mart, json!({})).await;
    let done = wait_final(&app, &run, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["counters"]["rows_written"], ROWS, "{done}");
    let r = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT count(*), count(DISTINCT id), sum(amount), max(day), min(n_text) FROM ${DATA_MART_TABLE}"})),
            200,
        )
        .await;
    let row = &r["rows"][0];
    assert_eq!(row[0], ROWS);
    assert_eq!(row[1], ROWS);
    // 1.25 × (1 + … + 2500) less the rows whose amount is NULL (every tenth).
    let all: f64 = (1..=ROWS).map(|i| i as f64 * 1.25).sum();
    let tenths: f64 = (1..=ROWS)
        .filter(|i| i % 10 == 0)
        .map(|i| i as f64 * 1.25)
        .sum();
    let total = row[2]
        .as_f64()
        .or_else(|| row[2].as_str().and_then(|s| s.parse().ok()))
        .expect("a total");
    assert!((total - (all - tenths)).abs() < 1e-6, "{row}");
    assert_eq!(row[3], "2026-10-27", "{row}");
    assert_eq!(row[4], "1002", "the int cast to text: {row}");
    app.stop().await;
}

#[tokio::test]
async fn a_postgres_run_delivered_twice_maps_each_chunk_where_it_is_read_once() {
    use sluice_domain::pipeline::{Chunk, ChunkStatus};
    let pg = Postgres::start().await.expect("postgres starts");
    wide_table(&pg).await;
    let app = sluice_tests::app::spawn_app_without_workers().await;
    let mart = connector_mart(
        &app,
        "postgres",
        json!({"url": pg.url()}),
        "public.events",
        json!({"columns": [
            {"target": "id", "source": "id"},
            {"target": "amount", "source": "amount"},
            {"target": "n_text", "source": "n", "cast": "string"}
        ], "rules": [{"rule": "unique_key", "columns": ["id"]}]}),
        json!({"batch_size": 100, "parallelism": 4}),
    )
    .await;
    let run = start_run(&app, &mart, json!({})).await;
    // Every message handled, "crashed" before its delete, and handled again;
    // the large chunks (all of them) copied into the table by the store.
    let limits = sluice_runs::Limits {
        step_chunks: 2,
        link_bytes: 1,
        ..sluice_runs::Limits::default()
    };
    sluice_tests::runs::deliver_twice(&app, limits).await;
    let done = app
        .owner("GET", &format!("/v1/runs/{run}"), None, 200)
        .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["counters"]["rows_written"], ROWS, "{done}");
    let r = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT count(*), count(DISTINCT id), min(n_text) FROM ${DATA_MART_TABLE}"})),
            200,
        )
        .await;
    assert_eq!(r["rows"][0][0], ROWS, "{r}");
    assert_eq!(r["rows"][0][1], ROWS, "{r}");
    // The chunks were mapped by the steps that read them: none was written raw.
    let run_id = sluice_domain::Id::parse(sluice_domain::Kind::Run, &run).expect("run id");
    let chunks: Vec<Chunk> =
        sluice_app::records::list_all(app.deps.store.as_ref(), &app.project, &run_id)
            .await
            .expect("chunks");
    assert_eq!(
        chunks.len() as u64,
        done["progress"]["chunks_total"].as_u64().expect("total")
    );
    assert!(chunks.len() >= ROWS as usize / 100, "{}", chunks.len());
    for c in &chunks {
        assert!(c.raw_key.is_empty() && c.raw_bytes == 0, "{c:?}");
        assert_eq!(c.status, ChunkStatus::Transformed, "{c:?}");
    }
    let parts = sluice_tests::runs::table_files(&app, &mart).await;
    assert_eq!(
        parts.len(),
        chunks.len(),
        "a table file per chunk: {parts:?}"
    );
    app.stop().await;
}

/// GitHub's issues API on a free port, as documented: issues of each
/// repository in pages joined by `Link` headers, `since` filtering by update
/// time, a bearer token; the second page of `octo/one` is throttled once
/// (429 with `Retry-After`). Returns its URL, the requests it saw, and its task.
async fn github_api() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    tokio::task::JoinHandle<()>,
) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let log = seen.clone();
    let task = tokio::spawn(async move {
        let mut throttled = false;
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let n = s.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let target = head.split(' ').nth(1).unwrap_or("/").to_string();
            log.lock().expect("lock").push(target.clone());
            let authorized = head
                .lines()
                .any(|l| l.eq_ignore_ascii_case("authorization: Bearer ghp_e2e_SECRET"));
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            let since = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("since="))
                .map(|s| s.replace("%3A", ":"));
            let issue = |id: u64, repo: &str, updated: &str| {
                json!({"id": id, "number": id, "title": format!("{repo} #{id}"), "state": "open",
                       "user": {"login": "octocat"}, "labels": [{"name": "bug"}],
                       "created_at": "2026-01-01T00:00:00Z", "updated_at": updated})
            };
            let all: Vec<Value> = match path {
                "/repos/octo/one/issues" => vec![
                    issue(11, "one", "2026-03-01T10:00:00Z"),
                    issue(12, "one", "2026-03-02T10:00:00Z"),
                    issue(13, "one", "2026-03-03T10:00:00Z"),
                ],
                "/repos/octo/two/issues" => vec![issue(21, "two", "2026-03-05T10:00:00Z")],
                _ => vec![],
            };
            let kept: Vec<Value> = all
                .into_iter()
                .filter(|i| {
                    since
                        .as_deref()
                        .is_none_or(|s| i["updated_at"].as_str().unwrap_or_default() >= s)
                })
                .collect();
            let page2 = query.contains("page=2");
            let (status, extra, body) = if !authorized {
                (
                    "401 Unauthorized",
                    String::new(),
                    r#"{"message":"Bad credentials"}"#.to_string(),
                )
            } else if page2 && !throttled {
                throttled = true;
                (
                    "429 Too Many Requests",
                    "retry-after: 1\r\n".to_string(),
                    "{}".to_string(),
                )
            } else if path == "/repos/octo/one/issues" && !page2 && kept.len() > 2 {
                (
                    "200 OK",
                    format!("link: <http://{addr}{path}?state=all&page=2>; rel=\"next\"\r\n"),
                    Value::Array(kept[..2].to_vec()).to_string(),
                )
            } else if page2 {
                (
                    "200 OK",
                    String::new(),
                    Value::Array(kept[2..].to_vec()).to_string(),
                )
            } else {
                ("200 OK", String::new(), Value::Array(kept).to_string())
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes()).await;
        }
    });
    (format!("http://{addr}"), seen, task)
}

/// A GitHub source through a whole run on the embedded stack: issues of two
/// repositories land in a merged data mart; the throttled page is waited for
/// and the wait is in the run's log; the next run asks each repository only
/// for what changed since its own cursor; the token is never shown.
#[tokio::test]
async fn a_github_source_runs_through_throttling_and_resumes_per_repository() {
    let app = spawn_app().await;
    let (base, seen, server) = github_api().await;
    let mart = connector_mart(
        &app,
        "github",
        json!({"base_url": base, "token": "ghp_e2e_SECRET",
               "repositories": ["octo/one", "octo/two"], "requests_per_minute": 6000}),
        "issues",
        json!({"columns": [
            {"target": "id", "source": "id", "cast": "int"},
            {"target": "repository", "source": "repository", "cast": "string"},
            {"target": "title", "source": "title", "cast": "string"},
            {"target": "labels", "source": "labels", "cast": "json"},
            {"target": "updated_at", "source": "updated_at", "cast": "timestamp"}
        ], "rules": [{"rule": "unique_key", "columns": ["id"]}]}),
        json!({"batch_size": 100, "write_mode": "merge"}),
    )
    .await;
    let run = start_run(&app, &mart, json!({})).await;
    let done = wait_final(&app, &run, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(!done.to_string().contains("ghp_e2e_SECRET"), "{done}");
    let log: Vec<&str> = done["log"]
        .as_array()
        .expect("the run's log")
        .iter()
        .filter_map(|l| l["message"].as_str())
        .collect();
    assert!(
        log.iter()
            .any(|l| l.contains("429 Too Many Requests; waited 1.0 s before retry 1")),
        "{log:?}"
    );
    let q = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT repository, count(*), max(updated_at) FROM ${DATA_MART_TABLE} GROUP BY repository ORDER BY repository"})),
            200,
        )
        .await;
    assert_eq!(q["rows"][0][0], "octo/one", "{q}");
    assert_eq!(q["rows"][0][1], 3, "{q}");
    assert_eq!(q["rows"][1][1], 1, "{q}");

    // The next run: `since` is each repository's own latest update.
    seen.lock().expect("lock").clear();
    let again = start_run(&app, &mart, json!({})).await;
    let again = wait_final(&app, &again, Duration::from_secs(120)).await;
    assert_eq!(again["status"], "succeeded", "{again}");
    let asked = seen.lock().expect("lock").clone();
    let since = |repo: &str| {
        asked
            .iter()
            .find(|t| t.starts_with(&format!("/repos/{repo}/issues")))
            .and_then(|t| {
                t.split('&')
                    .find_map(|kv| kv.strip_prefix("since=").map(str::to_string))
            })
    };
    assert_eq!(
        since("octo/one").as_deref(),
        Some("2026-03-03T10%3A00%3A00Z"),
        "{asked:?}"
    );
    assert_eq!(
        since("octo/two").as_deref(),
        Some("2026-03-05T10%3A00%3A00Z"),
        "{asked:?}"
    );
    let q = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT count(*) FROM ${DATA_MART_TABLE}"})),
            200,
        )
        .await;
    assert_eq!(q["rows"][0][0], 4, "merged by id: {q}");
    server.abort();
    app.stop().await;
}

/// A source of the REST kit is checked where it is saved: the credential its
/// auth kind needs, the values its fields take, and the auth kinds the
/// connector has; what it shows never carries the token.
#[tokio::test]
async fn a_declared_sources_config_is_checked_where_it_is_saved() {
    let app = spawn_app().await;
    for (config, field) in [
        (json!({"repositories": ["octo/one"]}), "config.token"),
        (
            json!({"token": "t", "repositories": ["octo"]}),
            "config.repositories[0]",
        ),
        (
            json!({"token": "t", "repositories": []}),
            "config.repositories",
        ),
        (
            json!({"token": "t", "repositories": ["a/b"], "auth": "basic"}),
            "config.auth",
        ),
        (
            json!({"token": "t", "repositories": ["a/b"], "base_url": "ftp://x"}),
            "config.base_url",
        ),
        (
            json!({"token": "t", "repositories": ["a/b"], "requests_per_minute": 0}),
            "config.requests_per_minute",
        ),
    ] {
        let r = app
            .send(
                "POST",
                "/v1/sources",
                app.token(sluice_domain::Role::Owner),
                Some(&json!({"title": "GitHub", "connector": "github", "config": config})),
            )
            .await;
        assert_eq!(r.status, 422, "{config}: {}", r.text);
        assert_eq!(r.field(), field, "{config}: {}", r.text);
    }
    for (connector, config, field) in [
        (
            "bank_of_canada",
            json!({"series": ["FXUSDCAD"], "start_date": "2026-13-01"}),
            "config.start_date",
        ),
        (
            "openholidays",
            json!({"countries": ["Germany"], "start_date": "2026-01-01"}),
            "config.countries[0]",
        ),
        (
            "openexchangerates",
            json!({"start_date": "2026-01-01"}),
            "config.api_key",
        ),
        (
            "openexchangerates",
            json!({"api_key": "k", "start_date": "2026-01-01", "symbols": "EUR;GBP"}),
            "config.symbols",
        ),
    ] {
        let r = app
            .send(
                "POST",
                "/v1/sources",
                app.token(sluice_domain::Role::Owner),
                Some(&json!({"title": connector, "connector": connector, "config": config})),
            )
            .await;
        assert_eq!(r.status, 422, "{connector}: {}", r.text);
        assert_eq!(r.field(), field, "{connector}: {}", r.text);
    }
    let made = app
        .owner(
            "POST",
            "/v1/sources",
            Some(&json!({"title": "GitHub", "connector": "github",
                         "config": {"token": "ghp_SHOWN_NEVER", "repositories": ["octo/one"]}})),
            201,
        )
        .await;
    assert!(!made.to_string().contains("ghp_SHOWN_NEVER"), "{made}");
    assert_eq!(
        made["config"]["base_url"], "https://api.github.com",
        "{made}"
    );
    assert_eq!(made["config"]["auth"], "bearer", "{made}");
    let catalog = app.owner("GET", "/v1/connectors/github", None, 200).await;
    let streams: Vec<&str> = catalog["streams"]
        .as_array()
        .expect("streams")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(
        streams,
        [
            "repositories",
            "issues",
            "pull_requests",
            "commits",
            "releases",
            "workflow_runs"
        ]
    );
    let token = catalog["config"]
        .as_array()
        .expect("config")
        .iter()
        .find(|f| f["name"] == "token")
        .expect("a token field");
    assert_eq!(token["secret"], true);
    app.stop().await;
}

/// Atlassian's token endpoint and Jira's issue search on a free port: the
/// endpoint rotates the refresh token on every grant (as Atlassian does) and
/// refuses one it rotated away; the search takes only the latest access token.
async fn jira_with_rotating_tokens() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    tokio::task::JoinHandle<()>,
) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let log = seen.clone();
    let task = tokio::spawn(async move {
        let mut grants = 0u32;
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = vec![0u8; 16384];
            let mut n = 0;
            // The head and, for the token request, its form body.
            loop {
                match s.read(&mut buf[n..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(k) => n += k,
                }
                let text = String::from_utf8_lossy(&buf[..n]).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break;
                    }
                }
            }
            let text = String::from_utf8_lossy(&buf[..n]).to_string();
            let target = text.split(' ').nth(1).unwrap_or("/").to_string();
            log.lock().expect("lock").push(target.clone());
            let (status, body) = if target == "/oauth/token" {
                let want = format!("refresh_token=refresh-{grants}");
                if text.contains(&want) {
                    grants += 1;
                    ("200 OK", json!({"access_token": format!("access-{grants}"), "expires_in": 3600,
                                      "refresh_token": format!("refresh-{grants}"), "token_type": "Bearer"}).to_string())
                } else {
                    ("403 Forbidden", json!({"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}).to_string())
                }
            } else if text.contains(&format!("Bearer access-{grants}")) && grants > 0 {
                ("200 OK", json!({"issues": [{"id": "10001", "key": "OPS-1", "fields": {
                    "summary": "Deploy", "updated": "2026-11-02T09:00:00.000+0000",
                    "status": {"name": "Done", "statusCategory": {"key": "done"}}}}], "isLast": true}).to_string())
            } else {
                (
                    "401 Unauthorized",
                    json!({"code": 401, "message": "Unauthorized"}).to_string(),
                )
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes()).await;
        }
    });
    (format!("http://{addr}"), seen, task)
}

/// A Jira source on OAuth 2.0 through whole runs: the first run renews the
/// access token, and the refresh token the provider rotated is written to the
/// source's secret (the old one would be refused next time); the next run uses
/// the stored access token without a grant; no token is ever shown.
#[tokio::test]
async fn an_oauth_source_keeps_the_refresh_token_its_provider_rotates() {
    let app = spawn_app().await;
    let (base, seen, server) = jira_with_rotating_tokens().await;
    let mart = connector_mart(
        &app,
        "jira",
        json!({"base_url": base, "auth": "oauth_refresh_token", "token_url": format!("{base}/oauth/token"),
               "client_id": "client-1", "client_secret": "client-SECRET", "refresh_token": "refresh-0"}),
        "issues",
        json!({"columns": [
            {"target": "key", "source": "key", "cast": "string"},
            {"target": "status_category", "source": "status_category", "cast": "string"},
            {"target": "updated", "source": "updated", "cast": "timestamp"}
        ], "rules": [{"rule": "unique_key", "columns": ["key"]}]}),
        json!({"batch_size": 100, "write_mode": "merge"}),
    )
    .await;
    let def = app
        .owner("GET", &format!("/v1/data-marts/{mart}"), None, 200)
        .await;
    let source_id = def["definition"]["source_id"]
        .as_str()
        .expect("source")
        .to_string();
    for round in 1..=2 {
        let run = start_run(&app, &mart, json!({})).await;
        let done = wait_final(&app, &run, Duration::from_secs(60)).await;
        assert_eq!(done["status"], "succeeded", "run {round}: {done}");
        assert!(
            !done.to_string().contains("access-") && !done.to_string().contains("refresh-"),
            "{done}"
        );
    }
    let grants = seen
        .lock()
        .expect("lock")
        .iter()
        .filter(|t| *t == "/oauth/token")
        .count();
    assert_eq!(
        grants,
        1,
        "the second run used the stored token: {:?}",
        seen.lock().expect("lock")
    );
    let source = app
        .owner("GET", &format!("/v1/sources/{source_id}"), None, 200)
        .await;
    assert!(!source.to_string().contains("refresh-1"), "{source}");
    let stored = app
        .deps
        .secrets
        .get(&format!("sluice/{}/{source_id}", app.project))
        .await
        .expect("read")
        .expect("the source's secret");
    let stored: Value = serde_json::from_str(stored.expose()).expect("json");
    assert_eq!(
        stored["refresh_token"], "refresh-1",
        "the rotated token is kept"
    );
    assert_eq!(stored["access_token"], "access-1");
    assert_eq!(stored["client_secret"], "client-SECRET");
    server.abort();
    app.stop().await;
}

/// Two tables of a shop: `orders` keyed on two columns, `visits` with no key,
/// both with camelCase and spaced column names. Returns the source's and a
/// storage's ids.
async fn shop(app: &sluice_tests::app::TestApp, pg: &Postgres) -> (String, String) {
    pg.client()
        .await
        .expect("a client")
        .batch_execute(
            r#"CREATE TABLE public.orders (
                 "orderId" bigint NOT NULL, "Line No" int NOT NULL, "unitPrice" numeric(10,2),
                 "Placed At" timestamptz, note text,
                 PRIMARY KEY ("orderId", "Line No"));
             INSERT INTO public.orders
             SELECT i / 2, i % 2, i * 1.5, timestamptz '2026-03-01 00:00:00+00' + i * interval '1 day',
                    'order ' || i
             FROM generate_series(2, 11) i;
             CREATE TABLE public.visits ("visitorId" text, "Page Path" text, seen date);
             INSERT INTO public.visits VALUES ('v1', '/Home', '2026-03-01'), ('v2', '/Cart', '2026-03-02');"#,
        )
        .await
        .expect("the fixture tables");
    let storage = app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "Lake", "kind": "local"})),
            201,
        )
        .await;
    let source = app
        .owner(
            "POST",
            "/v1/sources",
            Some(&json!({"title": "Shop", "connector": "postgres", "config": {"url": pg.url()}})),
            201,
        )
        .await;
    let id = |v: &Value| v["id"].as_str().expect("an id").to_string();
    (id(&source), id(&storage))
}

/// The wizard's last step: three data marts over two tables in one request,
/// two over the same table; suggested mappings keyed on the primary key, a
/// given one kept as given; all published, and one run lands its rows.
#[tokio::test]
async fn data_marts_over_a_postgres_sources_tables_are_created_and_published_in_one_request() {
    let pg = Postgres::start().await.expect("postgres starts");
    let app = spawn_app().await;
    let (source, storage) = shop(&app, &pg).await;
    let visits_mapping = json!({"columns": [
        {"target": "visitor", "source": "visitorId"},
        {"target": "path", "source": "Page Path", "ops": [{"op": "lower"}]}
    ], "rules": []});
    let created = app
        .owner(
            "POST",
            &format!("/v1/sources/{source}/data-marts"),
            Some(&json!({
                "storage_id": storage,
                "publish": true,
                "marts": [
                    {"stream": "public.orders"},
                    {"stream": "public.orders", "title": "Orders, replaced", "description": "Whole each run.",
                     "pipeline": {"write_mode": "replace", "batch_size": 1000}},
                    {"stream": "public.visits", "title": "Visits", "mapping": visits_mapping}
                ]
            })),
            201,
        )
        .await;
    let items = created["items"].as_array().expect("items");
    let titles: Vec<&str> = items
        .iter()
        .map(|m| m["title"].as_str().expect("a title"))
        .collect();
    assert_eq!(
        titles,
        ["public.orders", "Orders, replaced", "Visits"],
        "in request order"
    );
    for m in items {
        assert_eq!(m["status"], "published", "{m}");
        assert_eq!(m["storage_id"], storage.as_str());
        assert_eq!(m["definition"]["kind"], "connector");
        assert_eq!(m["definition"]["source_id"], source.as_str());
    }
    let suggested = json!([
        {"target": "order_id", "source": "orderId", "cast": "int"},
        {"target": "line_no", "source": "Line No", "cast": "int"},
        {"target": "unit_price", "source": "unitPrice", "cast": "decimal(10,2)"},
        {"target": "placed_at", "source": "Placed At", "cast": "timestamp"},
        {"target": "note", "source": "note", "cast": "string"}
    ]);
    let stream = |i: usize| &items[i]["definition"]["streams"][0];
    let columns = |i: usize| -> Value {
        let cols = stream(i)["mapping"]["columns"].as_array().expect("columns");
        Value::Array(
            cols.iter()
                .map(|c| json!({"target": c["target"], "source": c["source"], "cast": c["cast"]}))
                .collect(),
        )
    };
    for i in [0, 1] {
        assert_eq!(stream(i)["name"], "public.orders");
        assert_eq!(columns(i), suggested, "{}", items[i]);
        assert_eq!(
            stream(i)["mapping"]["rules"],
            json!([{"rule": "unique_key", "columns": ["order_id", "line_no"]}]),
            "the primary key, under the mapping's names"
        );
    }
    assert_eq!(items[0]["definition"]["pipeline"]["write_mode"], "merge");
    assert_eq!(
        items[1]["definition"]["pipeline"]["write_mode"], "replace",
        "as given"
    );
    assert_eq!(items[1]["definition"]["pipeline"]["batch_size"], 1000);
    assert_eq!(items[1]["description"], "Whole each run.");
    assert_eq!(stream(2)["name"], "public.visits");
    assert_eq!(stream(2)["mapping"]["columns"][1]["source"], "Page Path");
    assert_eq!(
        stream(2)["mapping"]["columns"][1]["ops"],
        json!([{"op": "lower"}])
    );
    assert_eq!(stream(2)["mapping"]["rules"], json!([]));
    assert_eq!(items[2]["definition"]["pipeline"]["write_mode"], "append");
    // What was answered is what was stored.
    for m in items {
        let id = m["id"].as_str().expect("id");
        let stored = app
            .owner("GET", &format!("/v1/data-marts/{id}"), None, 200)
            .await;
        assert_eq!(stored["definition"], m["definition"]);
        assert_eq!(stored["status"], "published");
    }
    let listed = app.owner("GET", "/v1/data-marts", None, 200).await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(3),
        "{listed}"
    );

    let mart = items[0]["id"].as_str().expect("id");
    let run = start_run(&app, mart, json!({})).await;
    let done = wait_final(&app, &run, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["counters"]["rows_written"], 10, "{done}");
    let r = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT order_id, line_no, unit_price, placed_at, note FROM ${DATA_MART_TABLE} ORDER BY order_id, line_no LIMIT 2"})),
            200,
        )
        .await;
    assert_eq!(r["rows"][0][0], 1, "{r}");
    assert_eq!(r["rows"][0][1], 0, "{r}");
    let price = &r["rows"][0][2];
    let price = price
        .as_f64()
        .or_else(|| price.as_str().and_then(|s| s.parse().ok()))
        .expect("a price");
    assert!((price - 3.0).abs() < 1e-9, "{r}");
    assert!(
        r["rows"][0][3]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-03-03")),
        "{r}"
    );
    assert_eq!(r["rows"][1][4], "order 3", "{r}");
    app.stop().await;
}

/// One bad entry refuses the whole request, naming it, and writes nothing.
#[tokio::test]
async fn one_bad_entry_creates_none_of_the_data_marts() {
    let pg = Postgres::start().await.expect("postgres starts");
    let app = spawn_app().await;
    let (source, storage) = shop(&app, &pg).await;
    let path = format!("/v1/sources/{source}/data-marts");
    let good = json!({"stream": "public.orders"});
    let r = app
        .refused(
            "POST",
            &path,
            &json!({"storage_id": storage, "marts": [good, {"stream": "public.nowhere"}]}),
            "marts[1].stream",
        )
        .await;
    assert!(
        r.text.contains("public.orders"),
        "it names what there is: {}",
        r.text
    );
    app.refused(
        "POST",
        &path,
        &json!({"storage_id": storage, "publish": true, "marts": [good, good, {"stream": "public.visits",
            "mapping": {"columns": [{"target": "v", "expression": "no_such_function(\"visitorId\")"}]}}]}),
        "marts[1].title",
    )
    .await;
    app.refused(
        "POST",
        &path,
        &json!({"storage_id": storage, "publish": true, "marts": [good, {"stream": "public.visits",
            "mapping": {"columns": [{"target": "v", "expression": "no_such_function(\"visitorId\")"}]}}]}),
        "marts[1].mapping.columns[0].expression",
    )
    .await;
    app.refused(
        "POST",
        &path,
        &json!({"storage_id": storage, "marts": [good, {"stream": "public.visits",
            "pipeline": {"write_mode": "merge"}}]}),
        "marts[1].pipeline.write_mode",
    )
    .await;
    let listed = app.owner("GET", "/v1/data-marts", None, 200).await;
    assert_eq!(listed["items"], json!([]), "nothing was written: {listed}");
    app.stop().await;
}

// The `mysql` source, against MariaDB.

/// A MariaDB table of every type the `mysql` source reads, `ROWS` rows, some
/// of every nullable column NULL.
async fn my_wide_table(my: &Mysql) {
    my.exec(&format!(
        "SET time_zone = '+00:00';
         SET SESSION max_recursive_iterations = 100000;
         CREATE TABLE events (
             id bigint PRIMARY KEY,
             tiny tinyint, flag tinyint(1), small smallint, medium mediumint, n int, big bigint,
             utiny tinyint unsigned, usmall smallint unsigned, un int unsigned, ubig bigint unsigned,
             ratio float, score double, amount decimal(12,2), wide decimal(50,10),
             label varchar(40), code char(4), body text, mood enum('calm','busy'), tags set('a','b','c'),
             day date, at datetime(6), stamp timestamp(6) NULL, opens time, yr year,
             doc json, raw varbinary(8), blobby blob, bits bit(12), bit1 bit(1),
             updated_at datetime NOT NULL);
         INSERT INTO events
         WITH RECURSIVE seq AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM seq WHERE i < {ROWS})
         SELECT i, i % 100 - 50, i % 2, i % 1000, i * 3,
                CASE WHEN i % 10 = 0 THEN NULL ELSE i * 3 END, -i * 1000000000000,
                255, 65535, 4294967295, 18446744073709551615 - i,
                i / 4, i / 8, CASE WHEN i % 10 = 0 THEN NULL ELSE i * 1.25 END, i + 0.5,
                CASE WHEN i % 7 = 0 THEN NULL ELSE CONCAT('row ', i, ' ''quoted''') END,
                CONCAT('c', i % 9), REPEAT('x', 3), IF(i % 2 = 0, 'calm', 'busy'), 'a,c',
                DATE '2026-01-01' + INTERVAL (i % 300) DAY,
                TIMESTAMP '2026-01-01 00:00:00' + INTERVAL i MINUTE + INTERVAL 250000 MICROSECOND,
                CASE WHEN i % 10 = 0 THEN NULL ELSE TIMESTAMP '2026-01-01 00:00:00' + INTERVAL i HOUR END,
                IF(i % 2 = 0, '08:30:00', '-26:03:04'), 2026,
                JSON_OBJECT('i', i), UNHEX('DEADBEEF'), UNHEX('00FF'), b'101010101010', i % 2,
                TIMESTAMP '2026-11-01 00:00:00' + INTERVAL i SECOND
         FROM seq;"
    ))
    .await
    .expect("the fixture table");
}

fn my_config(my: &Mysql, cursor: Option<&str>) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("url".into(), json!(my.url()));
    if let Some(col) = cursor {
        c.insert("cursor_column".into(), json!(col));
    }
    c
}

/// A MariaDB that takes TCP logins over TLS only, with a self-signed
/// certificate: the run is planned and its ranges read over TLS as the URL's
/// `ssl-mode` says, refused with the reason (and never the password) when
/// the mode cannot log in, and sessions the server ended are not taken again.
#[tokio::test]
async fn a_mysql_source_reads_over_tls_as_its_ssl_mode_says_and_takes_no_ended_session() {
    use mysql_async::prelude::Queryable as _;
    let my = Mysql::start_tls_only().await.expect("mariadb starts");
    my_table_t(&my, "").await;
    let x = extractor("mysql", &loopback_allowed()).expect("the extractor");
    let budget = || Budget::new(1, Duration::from_secs(60));
    let with = |mode: &str| {
        let mut c = Map::new();
        c.insert("url".into(), json!(format!("{}{mode}", my.url())));
        c
    };
    let tls = with("");
    let req = StreamRequest {
        parallelism: 2,
        ..request("t", &tls, None, Duration::ZERO)
    };
    // A first step over TLS (the default, `preferred`): its position, for
    // the later steps below.
    let planned = x.step(&req, None, budget()).await.expect("a step");
    let position = planned.next.clone().expect("more to read");
    let mut ids = sorted_ids(&planned.chunks);
    let refused = [
        // MariaDB refuses a login without TLS as it refuses a wrong password.
        ("?ssl-mode=disabled", "Access denied"),
        ("?ssl-mode=verify_identity", "invalid peer certificate"),
    ];
    refused_as_the_mode_says(&*x, &with, "t", &position, &refused, my.password()).await;
    // The server ends every session of the reader; the next steps log in
    // again (over `required`) and read the rest, every row once.
    let mut root = my.root().await.expect("a session");
    let sessions: Vec<u64> = root
        .query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'reader'")
        .await
        .expect("the sessions");
    assert!(sessions.len() >= 2, "{} sessions", sessions.len());
    for id in &sessions {
        root.query_drop(format!("KILL CONNECTION {id}"))
            .await
            .expect("ended");
    }
    let gone = std::time::Instant::now();
    loop {
        let open: Option<i64> = root
            .query_first(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'reader'",
            )
            .await
            .expect("the sessions");
        if open == Some(0) {
            break;
        }
        assert!(
            gone.elapsed() < Duration::from_secs(60),
            "{open:?} sessions still open"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cfg = with("?ssl-mode=required");
    read_the_rest(&*x, &cfg, "t", position, &mut ids).await;
    assert_eq!(ids, (1..=3000).collect::<Vec<i64>>());
}

/// Table `t` of 3,000 rows (`id`, `v`), then `more` SQL as root.
async fn my_table_t(my: &Mysql, more: &str) {
    my.exec(&format!(
        "SET SESSION max_recursive_iterations = 100000;
         CREATE TABLE t (id bigint PRIMARY KEY, v varchar(20)) STATS_SAMPLE_PAGES = 1000;
         INSERT INTO t
         WITH RECURSIVE seq AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM seq WHERE i < 3000)
         SELECT i, CONCAT('row ', i) FROM seq;
         ANALYZE TABLE t;
         {more}"
    ))
    .await
    .expect("the table");
}

/// A MariaDB user who logs in by MariaDB's `ed25519` plugin (the client signs
/// the server's nonce; the password never crosses): a run planned and read
/// by both kinds of session, and a wrong password refused for either, not
/// retryable and never shown.
#[tokio::test]
async fn a_mysql_source_logs_in_by_mariadbs_ed25519_plugin() {
    let my = Mysql::start().await.expect("mariadb starts");
    my_table_t(
        &my,
        "INSTALL SONAME 'auth_ed25519';
         CREATE USER 'signer'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('ed-s3cr3t-pw');
         GRANT SELECT ON sluice_test.* TO 'signer'@'%';",
    )
    .await;
    let x = extractor("mysql", &loopback_allowed()).expect("the extractor");
    let with = |password: &str| {
        let mut c = Map::new();
        c.insert(
            "url".into(),
            json!(format!(
                "mysql://signer:{password}@127.0.0.1:{}/sluice_test",
                my.port()
            )),
        );
        c
    };
    let cfg = with("ed-s3cr3t-pw");
    let req = StreamRequest {
        parallelism: 2,
        ..request("t", &cfg, None, Duration::ZERO)
    };
    let planned = x
        .step(&req, None, Budget::new(1, Duration::from_secs(60)))
        .await
        .expect("a step");
    let position = planned.next.clone().expect("more to read");
    let mut ids = sorted_ids(&planned.chunks);
    read_the_rest(&*x, &cfg, "t", position.clone(), &mut ids).await;
    assert_eq!(ids, (1..=3000).collect::<Vec<i64>>());
    let wrong = "not-the-pw";
    refused_as_the_mode_says(
        &*x,
        &with,
        "t",
        &position,
        &[(wrong, "Access denied")],
        wrong,
    )
    .await;
}

/// A MariaDB table read whole in key order, a chunk per 1,000 rows and two
/// chunks a step: every row once, every type decoded from the binary protocol
/// (unsigned bigints, decimals, datetimes in UTC, json, binary, bits), and a
/// step repeated from its position reads the same rows again.
#[tokio::test]
async fn a_mysql_table_is_read_in_key_order_with_every_type_decoded() {
    use sluice_engine::datafusion::arrow::datatypes::{
        Date32Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
        TimestampMicrosecondType, UInt8Type, UInt16Type, UInt32Type,
    };
    let my = Mysql::start().await.expect("mariadb starts");
    my_wide_table(&my).await;
    let cfg = my_config(&my, None);
    let req = request("events", &cfg, None, Duration::ZERO);
    let (batches, cursor, steps) = read_all_of("mysql", &req).await;
    assert_eq!(cursor, None, "no cursor column, no cursor");
    assert_eq!(batches.len(), 3, "1,000 + 1,000 + 500 rows");
    assert_eq!(steps, 2, "two chunks a step");
    assert_eq!(ids(&batches), (1..=ROWS).collect::<Vec<_>>());

    let b = &batches[0];
    let schema = b.schema();
    let kind = |c: &str| schema.field_with_name(c).expect(c).data_type().clone();
    let utc = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    for (column, want) in [
        ("tiny", DataType::Int8),
        ("flag", DataType::Boolean),
        ("small", DataType::Int16),
        ("medium", DataType::Int32),
        ("n", DataType::Int32),
        ("big", DataType::Int64),
        ("utiny", DataType::UInt8),
        ("usmall", DataType::UInt16),
        ("un", DataType::UInt32),
        ("ubig", DataType::Decimal128(20, 0)),
        ("ratio", DataType::Float32),
        ("score", DataType::Float64),
        ("amount", DataType::Decimal128(12, 2)),
        ("wide", DataType::Utf8),
        ("day", DataType::Date32),
        ("at", utc.clone()),
        ("stamp", utc.clone()),
        ("updated_at", utc),
        ("yr", DataType::Int16),
        ("raw", DataType::Binary),
        ("blobby", DataType::Binary),
        ("bits", DataType::Int64),
        ("bit1", DataType::Boolean),
    ] {
        assert_eq!(kind(column), want, "{column}");
    }
    for text in ["label", "code", "body", "mood", "tags", "opens", "doc"] {
        assert_eq!(kind(text), DataType::Utf8, "{text}");
    }
    // Row 7 (index 6), row 8 (index 7) and row 10 (index 9), by value.
    let col = |c: &str| b.column(schema.index_of(c).expect(c)).clone();
    let text = |c: &str, i: usize| col(c).as_string::<i32>().value(i).to_string();
    assert_eq!(col("tiny").as_primitive::<Int8Type>().value(6), -43);
    assert!(col("flag").as_boolean().value(6));
    assert!(!col("flag").as_boolean().value(7));
    assert_eq!(col("small").as_primitive::<Int16Type>().value(6), 7);
    assert_eq!(col("medium").as_primitive::<Int32Type>().value(6), 21);
    assert!(col("n").is_null(9));
    assert_eq!(
        col("big").as_primitive::<Int64Type>().value(6),
        -7_000_000_000_000
    );
    assert_eq!(col("utiny").as_primitive::<UInt8Type>().value(6), 255);
    assert_eq!(col("usmall").as_primitive::<UInt16Type>().value(6), 65_535);
    assert_eq!(
        col("un").as_primitive::<UInt32Type>().value(6),
        4_294_967_295
    );
    assert_eq!(
        col("ubig").as_primitive::<Decimal128Type>().value(6),
        i128::from(u64::MAX) - 7,
        "an unsigned bigint past i64 whole"
    );
    assert_eq!(col("ratio").as_primitive::<Float32Type>().value(6), 1.75);
    assert_eq!(col("score").as_primitive::<Float64Type>().value(6), 0.875);
    assert_eq!(col("amount").as_primitive::<Decimal128Type>().value(6), 875);
    assert!(col("amount").is_null(9));
    assert_eq!(text("wide", 6), "7.5000000000");
    assert!(col("label").is_null(6));
    assert_eq!(text("label", 7), "row 8 'quoted'");
    assert_eq!(text("code", 6), "c7");
    assert_eq!(text("body", 6), "xxx");
    assert_eq!(text("mood", 6), "busy");
    assert_eq!(text("tags", 6), "a,c");
    assert_eq!(text("opens", 6), "-26:03:04");
    assert_eq!(text("opens", 7), "08:30:00");
    assert_eq!(text("doc", 6), r#"{"i": 7}"#);
    assert_eq!(
        col("raw").as_binary::<i32>().value(6),
        [0xde, 0xad, 0xbe, 0xef]
    );
    assert_eq!(col("blobby").as_binary::<i32>().value(6), [0x00, 0xff]);
    assert_eq!(col("bits").as_primitive::<Int64Type>().value(6), 2730);
    assert!(col("bit1").as_boolean().value(6));
    assert_eq!(col("yr").as_primitive::<Int16Type>().value(6), 2026);
    // 2026-01-01 + 7 days = 2026-01-08: days since 1970-01-01.
    assert_eq!(col("day").as_primitive::<Date32Type>().value(6), 20_454 + 7);
    assert_eq!(
        col("at")
            .as_primitive::<TimestampMicrosecondType>()
            .value(6),
        (1_767_225_600 + 7 * 60) * 1_000_000 + 250_000
    );
    assert_eq!(
        col("stamp")
            .as_primitive::<TimestampMicrosecondType>()
            .value(6),
        (1_767_225_600 + 7 * 3_600) * 1_000_000,
        "a timestamp in UTC"
    );
    assert!(col("stamp").is_null(9));

    // The same step again, from the same position: the same rows.
    let x = extractor("mysql", &loopback_allowed()).expect("extractor");
    let first = x
        .step(&req, None, Budget::new(1, Duration::from_secs(60)))
        .await
        .expect("a step");
    let next = first.next.clone().expect("more to read");
    let again = x
        .step(&req, Some(&next), Budget::new(1, Duration::from_secs(60)))
        .await
        .expect("the second step");
    let repeated = x
        .step(&req, Some(&next), Budget::new(1, Duration::from_secs(60)))
        .await
        .expect("the second step, repeated");
    assert_eq!(again.chunks[0].rows, 1_000);
    assert!(again.chunks[0].batch.is_some(), "the columns as decoded");
    assert_eq!(again.chunks[0].batch, repeated.chunks[0].batch);
    assert_eq!(again.next, repeated.next);
    assert!(
        !serde_json::to_string(&next)
            .expect("json")
            .contains(my.password()),
        "the continuation carries no secret"
    );
}

/// Incremental runs over MariaDB: the first reads everything up to the
/// column's largest value and saves it; the next reads only what came after
/// (and what the look-back takes in again); a table without a key is read in
/// pages over all its columns, every row once.
/// A large MariaDB table with an integer key is read in ranges of its key at
/// once, every row once.
#[tokio::test]
async fn large_mysql_tables_are_read_in_key_ranges_at_once() {
    let my = Mysql::start().await.expect("mariadb starts");
    my.exec(
        "SET SESSION max_recursive_iterations = 100000;
         CREATE TABLE big (id bigint PRIMARY KEY, note varchar(20)) STATS_SAMPLE_PAGES = 1000;
         INSERT INTO big
         WITH RECURSIVE seq AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM seq WHERE i < 10000)
         SELECT i, CONCAT('note ', i) FROM seq;
         CREATE TABLE named (code char(32) PRIMARY KEY, n bigint NOT NULL) STATS_SAMPLE_PAGES = 1000;
         INSERT INTO named
         WITH RECURSIVE seq AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM seq WHERE i < 10000)
         SELECT MD5(i), i FROM seq;
         CREATE TABLE pairs (a int, b varchar(12), n bigint NOT NULL, PRIMARY KEY (a, b)) STATS_SAMPLE_PAGES = 1000;
         INSERT INTO pairs
         WITH RECURSIVE seq AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM seq WHERE i < 10000)
         SELECT i % 7, CONCAT('k', i), i FROM seq;
         ANALYZE TABLE big, named, pairs;",
    )
    .await
    .expect("the tables");
    // The split asks for ranges by InnoDB's estimate of the rows, which
    // samples pages: every page sampled, it is the count, and the ranges four.
    use mysql_async::prelude::Queryable as _;
    let mut root = my.root().await.expect("a session");
    for table in ["big", "named", "pairs"] {
        let estimate: Option<u64> = root
            .exec_first(
                "SELECT TABLE_ROWS FROM information_schema.TABLES
                 WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                (sluice_tests::mysql::DATABASE, table),
            )
            .await
            .expect("the estimate");
        assert_eq!(estimate, Some(10_000), "{table}");
    }
    // An integer key cut by its span; a text key and a key of two columns at
    // the quantiles of a sample of their values.
    for (table, column) in [("big", "id"), ("named", "n"), ("pairs", "n")] {
        reads_in_four_ranges("mysql", &my_config(&my, None), table, column).await;
    }

    let open: Option<i64> = root
        .query_first(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST
             WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN ('Daemon', 'Binlog Dump')
               AND USER <> 'system user'",
        )
        .await
        .expect("the sessions");
    let open = open.unwrap_or_default();
    assert!((1..=5).contains(&open), "{open} sessions open");
}

#[tokio::test]
async fn mysql_incremental_runs_read_above_the_saved_cursor_and_keyless_tables_by_pages() {
    let my = Mysql::start().await.expect("mariadb starts");
    my_wide_table(&my).await;
    let cfg = my_config(&my, Some("updated_at"));
    let (batches, cursor, _) =
        read_all_of("mysql", &request("events", &cfg, None, Duration::ZERO)).await;
    assert_eq!(ids(&batches).len(), ROWS as usize);
    let saved = cursor.expect("a cursor");
    assert_eq!(
        saved,
        json!("2026-11-01 00:41:40"),
        "the largest updated_at"
    );

    my.exec(
        "UPDATE events SET updated_at = '2026-11-02 00:00:00' WHERE id = 5;
         INSERT INTO events (id, updated_at) VALUES (9001, '2026-11-02 00:00:01');",
    )
    .await
    .expect("changes");
    let (batches, cursor, _) = read_all_of(
        "mysql",
        &request("sluice_test.events", &cfg, Some(&saved), Duration::ZERO),
    )
    .await;
    assert_eq!(
        ids(&batches),
        vec![5, 9001],
        "only the changed and the new rows"
    );
    assert_eq!(cursor, Some(json!("2026-11-02 00:00:01")));
    // An hour of look-back takes in the rows of the hour before the saved value.
    let (batches, _, _) = read_all_of(
        "mysql",
        &request("events", &cfg, Some(&saved), Duration::from_secs(3_600)),
    )
    .await;
    let back = ids(&batches);
    assert!(
        back.len() > 2 && back.contains(&5) && back.contains(&9001),
        "{}",
        back.len()
    );

    // Nothing new: nothing read, the cursor kept.
    let latest = json!("2026-11-02 00:00:01");
    let (batches, cursor, _) = read_all_of(
        "mysql",
        &request("events", &cfg, Some(&latest), Duration::ZERO),
    )
    .await;
    assert!(ids(&batches).is_empty());
    assert_eq!(cursor, Some(latest));

    // A backfill of 2026-11-02 reads that day's rows of the cursor column
    // only, and saves no cursor.
    let mut backfill = request("events", &cfg, None, Duration::ZERO);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("a day");
    backfill.window = Some(sluice_domain::entities::RunWindow { from: day, to: day });
    let (batches, cursor, _) = read_all_of("mysql", &backfill).await;
    assert_eq!(ids(&batches), vec![5, 9001], "the day's rows");
    assert_eq!(cursor, None, "a backfill saves no cursor");

    // No key: read in pages over every column sorted, every row once.
    my.exec(
        "SET SESSION max_recursive_iterations = 100000;
         CREATE TABLE log (line text, n int);
         INSERT INTO log
         WITH RECURSIVE seq AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM seq WHERE i < 2345)
         SELECT CONCAT('line ', i), i % 3 FROM seq;",
    )
    .await
    .expect("a keyless table");
    let plain = my_config(&my, None);
    let (batches, _, steps) =
        read_all_of("mysql", &request("log", &plain, None, Duration::ZERO)).await;
    assert_eq!(steps, 2);
    let lines: Vec<String> = batches
        .iter()
        .flat_map(|b| {
            b.column(0)
                .as_string::<i32>()
                .iter()
                .map(|v| v.expect("a line").to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(lines.len(), 2345);
    let unique: std::collections::BTreeSet<&String> = lines.iter().collect();
    assert_eq!(unique.len(), 2345);
}

/// Discovery reads `information_schema`: each table and view the user may
/// read, its columns in order with their types, casts and nullability, and
/// the primary key in key order. The test says which check failed and why,
/// never with the password.
#[tokio::test]
async fn a_mysql_source_is_discovered_and_tested_check_by_check() {
    let my = Mysql::start().await.expect("mariadb starts");
    my.exec(
        "CREATE TABLE order_lines (
             line int NOT NULL, order_id bigint unsigned NOT NULL, sku varchar(20),
             qty smallint, price decimal(12,2), placed_on date, updated_at datetime(3),
             attrs json, active tinyint(1), note text,
             PRIMARY KEY (order_id, line));
         CREATE VIEW big_orders AS SELECT order_id, sum(price) AS total FROM order_lines GROUP BY order_id;
         CREATE DATABASE private;
         CREATE TABLE private.secret (id int);
         CREATE USER 'nobody_reads'@'%' IDENTIFIED BY 'nothing-pw-1';",
    )
    .await
    .expect("the fixture schema");
    let with_url = |url: String| {
        let mut c = Map::new();
        c.insert("url".into(), json!(url));
        c
    };
    let as_user = |user: &str, password: &str| {
        with_url(my.url().replacen(
            &format!("{}:{}@", sluice_tests::mysql::READER, my.password()),
            &format!("{user}:{password}@"),
            1,
        ))
    };
    fn probe(config: &Map<String, Value>) -> sluice_connectors::Probe<'_> {
        sluice_connectors::Probe {
            credentials: None,
            config,
            files: FileAccess::default(),
        }
    }
    let x = extractor("mysql", &loopback_allowed()).expect("extractor");
    let reader = my_config(&my, None);
    let streams = x
        .streams(&probe(&reader))
        .await
        .expect("the catalog reads")
        .expect("a database offers its tables");
    let names: Vec<&str> = streams.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["sluice_test.big_orders", "sluice_test.order_lines"],
        "unreadable tables and system schemas are not offered"
    );
    let lines = &streams[1];
    let fields: Vec<(&str, &str, String, bool)> = lines
        .fields
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.source_type.as_str(),
                f.cast.to_string(),
                f.nullable,
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("line", "int(11)", "int".into(), false),
            (
                "order_id",
                "bigint(20) unsigned",
                "decimal(20,0)".into(),
                false
            ),
            ("sku", "varchar(20)", "string".into(), true),
            ("qty", "smallint(6)", "int".into(), true),
            ("price", "decimal(12,2)", "decimal(12,2)".into(), true),
            ("placed_on", "date", "date".into(), true),
            ("updated_at", "datetime(3)", "timestamp".into(), true),
            // MariaDB's json is longtext with a check: text.
            ("attrs", "longtext", "string".into(), true),
            ("active", "tinyint(1)", "bool".into(), true),
            ("note", "text", "string".into(), true),
        ]
    );
    assert_eq!(lines.primary_key, ["order_id", "line"], "in key order");
    assert!(streams[0].primary_key.is_empty(), "a view has no key");
    assert_eq!(
        serde_json::to_value(lines.found_by).expect("json"),
        json!("catalog")
    );
    // A view reads like a table.
    let (batches, _, _) = read_all_of(
        "mysql",
        &request("big_orders", &reader, None, Duration::ZERO),
    )
    .await;
    assert!(batches.is_empty(), "an empty view: no chunk");

    // Check by check.
    let checks = |t: &sluice_domain::discovery::SourceTest| -> Vec<(String, bool)> {
        t.checks.iter().map(|c| (c.check.clone(), c.ok)).collect()
    };
    let ok = x.test(&probe(&reader)).await;
    assert!(ok.ok, "{ok:?}");
    assert_eq!(
        ok.checks[2].reason.as_deref(),
        Some("2 tables and views may be read"),
        "{ok:?}"
    );
    let refused = x.test(&probe(&as_user("reader", "wrong-pw-9"))).await;
    assert_eq!(
        checks(&refused),
        [
            ("reachable".into(), true),
            ("authorized".into(), false),
            ("readable".into(), false)
        ],
        "{refused:?}"
    );
    let none = x
        .test(&probe(&with_url(format!(
            "mysql://nobody_reads:nothing-pw-1@127.0.0.1:{}/",
            my.port()
        ))))
        .await;
    assert_eq!(
        checks(&none),
        [
            ("reachable".into(), true),
            ("authorized".into(), true),
            ("readable".into(), false)
        ],
        "{none:?}"
    );
    let closed = with_url(my.url().replace(&format!(":{}/", my.port()), ":9/"));
    let unreachable = x.test(&probe(&closed)).await;
    assert_eq!(checks(&unreachable)[0], ("reachable".into(), false));
    // Nor is a step's error ever the password's.
    let missing = x
        .step(
            &request("nowhere", &reader, None, Duration::ZERO),
            None,
            Budget::new(1, Duration::from_secs(60)),
        )
        .await
        .expect_err("no such table");
    assert!(
        missing.to_string().contains("no table sluice_test.nowhere"),
        "{missing}"
    );
    for text in [
        serde_json::to_string(&refused).expect("json"),
        serde_json::to_string(&none).expect("json"),
        serde_json::to_string(&unreachable).expect("json"),
        missing.to_string(),
    ] {
        for secret in [my.password(), "wrong-pw-9", "nothing-pw-1"] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}

/// A whole run from MariaDB through the embedded stack: source, mapping with
/// casts, run, and the data mart's table queried; the URL is never shown back.
#[tokio::test]
async fn a_mysql_table_lands_in_a_data_mart() {
    let my = Mysql::start().await.expect("mariadb starts");
    my_wide_table(&my).await;
    let app = spawn_app().await;
    let mart = connector_mart(
        &app,
        "mysql",
        json!({"url": my.url(), "cursor_column": "updated_at"}),
        "sluice_test.events",
        json!({"columns": [
            {"target": "id", "source": "id"},
            {"target": "amount", "source": "amount"},
            {"target": "label", "source": "label"},
            {"target": "day", "source": "day"},
            {"target": "at", "source": "at"},
            {"target": "ubig", "source": "ubig", "cast": "decimal(20,0)"},
            {"target": "n_text", "source": "n", "cast": "string"}
        ], "rules": [{"rule": "unique_key", "columns": ["id"]}]}),
        json!({"batch_size": 1000}),
    )
    .await;
    let sources = app.owner("GET", "/v1/sources", None, 200).await;
    assert!(!sources.to_string().contains(my.password()), "{sources}");
    let run = start_run(&app, &mart, json!({})).await;
    let done = wait_final(&app, &run, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["counters"]["rows_written"], ROWS, "{done}");
    assert!(!done.to_string().contains(my.password()), "{done}");
    let r = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT count(*), count(DISTINCT id), sum(amount), max(day), min(n_text), CAST(max(ubig) AS VARCHAR), CAST(min(at) AS VARCHAR) FROM ${DATA_MART_TABLE}"})),
            200,
        )
        .await;
    let row = &r["rows"][0];
    assert_eq!(row[0], ROWS);
    assert_eq!(row[1], ROWS);
    let all: f64 = (1..=ROWS).map(|i| i as f64 * 1.25).sum();
    let tenths: f64 = (1..=ROWS)
        .filter(|i| i % 10 == 0)
        .map(|i| i as f64 * 1.25)
        .sum();
    let total = row[2]
        .as_f64()
        .or_else(|| row[2].as_str().and_then(|s| s.parse().ok()))
        .expect("a total");
    assert!((total - (all - tenths)).abs() < 1e-6, "{row}");
    assert_eq!(row[3], "2026-10-27", "{row}");
    assert_eq!(row[4], "1002", "the int cast to text: {row}");
    assert_eq!(row[5], "18446744073709551614", "{row}");
    assert!(
        row[6]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-01-01") && t.contains("00:01:00.25")),
        "{row}"
    );
    app.stop().await;
}
