//! The Athena warehouse adapter, with the real SDK: against moto (which runs no
//! SQL and answers with results queued through its API) for the protocol — the
//! table declared over the mart's prefix, the query started, polled, its result
//! read and typed — and against a scripted endpoint for what moto never does:
//! a query still running, a failed query with its reason, a result over pages.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use sluice_aws::{AthenaSettings, AthenaWarehouse};
use sluice_domain::ports::{ColumnInfo, TableRef, Warehouse, WarehouseError};
use sluice_domain::{Id, Kind};
use sluice_tests::moto::Moto;

const MART: &str = "dm_01jd0000000000000000000024";
const PROJECT: &str = "prj_01JD0000000000000000000001";

fn project() -> Id {
    Id::parse(Kind::Project, PROJECT).expect("a project id")
}

fn settings(bucket: &str) -> AthenaSettings {
    AthenaSettings {
        database: "sluice".into(),
        workgroup: "primary".into(),
        output_location: format!("s3://{bucket}/athena-results/"),
        bucket: bucket.into(),
        timeout: Duration::from_secs(10),
    }
}

fn orders() -> Vec<TableRef> {
    vec![TableRef {
        storage: None,
        name: MART.into(),
        location: format!("warehouse/{PROJECT}/{MART}/"),
        columns: vec![
            ColumnInfo {
                name: "id".into(),
                kind: "Int64".into(),
            },
            ColumnInfo {
                name: "amount".into(),
                kind: "Decimal128(38, 9)".into(),
            },
            ColumnInfo {
                name: "member".into(),
                kind: "Boolean".into(),
            },
        ],
    }]
}

#[tokio::test]
async fn a_query_declares_its_table_runs_and_reads_typed_rows_on_moto() {
    let moto = Moto::start().expect("moto_server starts");
    let sdk = moto.sdk_config().await;
    // moto hands queued results out in the order queries start: the table's
    // declaration comes first, and answers nothing.
    let canned = json!({"results": [{"rows": [], "column_info": []}, {
        "rows": [
            {"Data": [{"VarCharValue": "id"}, {"VarCharValue": "total"}, {"VarCharValue": "member"}]},
            {"Data": [{"VarCharValue": "1"}, {"VarCharValue": "2.5"}, {"VarCharValue": "true"}]},
            {"Data": [{"VarCharValue": "2"}, {}, {"VarCharValue": "false"}]}
        ],
        "column_info": [
            {"Name": "id", "Label": "id", "Type": "bigint", "Nullable": "UNKNOWN"},
            {"Name": "total", "Label": "total", "Type": "double", "Nullable": "UNKNOWN"},
            {"Name": "member", "Label": "member", "Type": "boolean", "Nullable": "UNKNOWN"}
        ]
    }]});
    let status = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .post(format!(
            "{}/moto-api/static/athena/query-results",
            moto.endpoint()
        ))
        .json(&canned)
        .send()
        .await
        .expect("moto api")
        .status();
    assert!(status.is_success());
    let athena = aws_sdk_athena::Client::new(&sdk);
    let w = AthenaWarehouse::new(athena.clone(), settings("lake"));
    let page = w
        .query(
            &project(),
            &orders(),
            &format!("SELECT id, amount AS total, member FROM {MART}"),
            100,
            None,
        )
        .await
        .expect("query");
    assert_eq!(
        page.columns
            .iter()
            .map(|c| (c.name.as_str(), c.kind.as_str()))
            .collect::<Vec<_>>(),
        [("id", "bigint"), ("total", "double"), ("member", "boolean")]
    );
    assert_eq!(
        page.rows,
        vec![
            vec![json!(1), json!(2.5), json!(true)],
            vec![json!(2), Value::Null, json!(false)]
        ]
    );
    assert_eq!(page.next_page, None);

    // What ran: the table's declaration over the mart's prefix, then the query on it.
    let ids = athena
        .list_query_executions()
        .send()
        .await
        .expect("list")
        .query_execution_ids
        .unwrap_or_default();
    let mut sql = vec![];
    for id in ids {
        let q = athena
            .get_query_execution()
            .query_execution_id(id)
            .send()
            .await
            .expect("get");
        sql.push(q.query_execution.and_then(|q| q.query).unwrap_or_default());
    }
    let ddl = sql
        .iter()
        .find(|q| q.starts_with("CREATE EXTERNAL TABLE"))
        .expect("a declaration");
    assert!(
        ddl.contains(&format!("LOCATION 's3://lake/warehouse/{PROJECT}/{MART}/'")),
        "{ddl}"
    );
    assert!(
        ddl.contains("`id` bigint, `amount` decimal(38,9), `member` boolean"),
        "{ddl}"
    );
    assert!(ddl.contains("STORED AS PARQUET"), "{ddl}");
    let select = sql
        .iter()
        .find(|q| q.starts_with("SELECT"))
        .expect("the query");
    assert!(
        select.contains(&format!("FROM {MART}_")),
        "the declared name: {select}"
    );

    // Read-only, and only its own tables.
    for bad in [
        "DROP TABLE x",
        "SELECT 1; DROP TABLE x",
        "select * from dm_01jd0000000000000000000099",
    ] {
        assert!(
            matches!(
                w.query(&project(), &orders(), bad, 10, None).await,
                Err(WarehouseError::Query(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        w.query(&project(), &orders(), "SELECT 1", 10, Some("no-colon"))
            .await,
        Err(WarehouseError::BadPageToken)
    ));
}

type Script = dyn Fn(&str, &Value, usize) -> String + Send + Sync;

/// An Athena endpoint on a free loopback port that answers each request with
/// `script(operation, body, nth call of that operation)`.
async fn scripted_athena(script: Arc<Script>) -> String {
    use std::collections::HashMap;
    use std::sync::Mutex;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (script, calls) = (script.clone(), calls.clone());
            tokio::spawn(async move {
                loop {
                    let mut request = vec![];
                    let mut buf = [0u8; 8192];
                    let (head_end, length) = loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                        let text = String::from_utf8_lossy(&request).to_string();
                        if let Some(end) = text.find("\r\n\r\n") {
                            let length = text[..end]
                                .lines()
                                .find_map(|l| {
                                    let (k, v) = l.split_once(':')?;
                                    k.eq_ignore_ascii_case("content-length")
                                        .then(|| v.trim().parse::<usize>().ok())?
                                })
                                .unwrap_or(0);
                            if request.len() >= end + 4 + length {
                                break (end, length);
                            }
                        }
                    };
                    let head = String::from_utf8_lossy(&request[..head_end]).to_string();
                    let target = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("x-amz-target")
                                .then(|| v.trim().to_string())
                        })
                        .unwrap_or_default();
                    let op = target.rsplit('.').next().unwrap_or_default().to_string();
                    let mut body: Value =
                        serde_json::from_slice(&request[head_end + 4..head_end + 4 + length])
                            .unwrap_or(Value::Null);
                    // The region the request was signed for, from the credential
                    // scope (`Credential=key/date/region/athena/aws4_request`).
                    let region = head
                        .split("Credential=")
                        .nth(1)
                        .and_then(|c| c.split('/').nth(2))
                        .unwrap_or_default()
                        .to_string();
                    if let Some(o) = body.as_object_mut() {
                        o.insert("_signed_region".into(), Value::String(region));
                    }
                    let n = {
                        let mut c = calls.lock().expect("calls");
                        let e = c.entry(op.clone()).or_insert(0);
                        *e += 1;
                        *e
                    };
                    let answer = script(&op, &body, n);
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{answer}",
                        answer.len()
                    );
                    if stream.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

fn client(endpoint: String) -> aws_sdk_athena::Client {
    use aws_sdk_athena::config::{BehaviorVersion, Credentials, Region};
    aws_sdk_athena::Client::from_conf(
        aws_sdk_athena::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new("test", "test", None, None, "scripted"))
            .build(),
    )
}

fn state(s: &str, reason: Option<&str>) -> String {
    let mut status = json!({"State": s});
    if let Some(r) = reason {
        status["StateChangeReason"] = json!(r);
    }
    json!({"QueryExecution": {"QueryExecutionId": "q", "Status": status}}).to_string()
}

#[tokio::test]
async fn a_running_query_is_polled_and_its_result_read_page_by_page() {
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = polls.clone();
    let endpoint = scripted_athena(Arc::new(move |op: &str, body: &Value, n| match op {
        "StartQueryExecution" => json!({"QueryExecutionId": format!("q{n}")}).to_string(),
        "GetQueryExecution" => {
            seen.fetch_add(1, Ordering::SeqCst);
            // The declaration finishes at once; the query runs for two polls.
            if body["QueryExecutionId"] == "q2" && n < 4 { state("RUNNING", None) } else { state("SUCCEEDED", None) }
        }
        "GetQueryResults" => {
            let meta = json!({"ColumnInfo": [{"Name": "id", "Type": "bigint"}]});
            if body.get("NextToken").is_none() {
                assert_eq!(body["MaxResults"], 3, "a page and its header row");
                json!({"ResultSet": {"ResultSetMetadata": meta, "Rows": [
                    {"Data": [{"VarCharValue": "id"}]}, {"Data": [{"VarCharValue": "1"}]}, {"Data": [{"VarCharValue": "2"}]}
                ]}, "NextToken": "page-2"}).to_string()
            } else {
                assert_eq!(body["NextToken"], "page-2");
                json!({"ResultSet": {"ResultSetMetadata": meta, "Rows": [{"Data": [{"VarCharValue": "3"}]}]}}).to_string()
            }
        }
        other => panic!("unexpected {other}"),
    }))
    .await;
    let w = AthenaWarehouse::new(client(endpoint), settings("lake"));
    let first = w
        .query(
            &project(),
            &orders(),
            &format!("SELECT id FROM {MART} ORDER BY id"),
            2,
            None,
        )
        .await
        .expect("page 1");
    assert_eq!(first.rows, vec![vec![json!(1)], vec![json!(2)]]);
    assert_eq!(first.next_page.as_deref(), Some("q2:page-2"));
    assert!(
        polls.load(Ordering::SeqCst) >= 4,
        "the running query was polled until it ended"
    );
    let second = w
        .query(
            &project(),
            &orders(),
            "ignored for a next page",
            2,
            first.next_page.as_deref(),
        )
        .await
        .expect("page 2");
    assert_eq!(second.rows, vec![vec![json!(3)]]);
    assert_eq!(second.next_page, None);
}

#[tokio::test]
async fn a_failed_query_is_a_query_error_with_athenas_reason() {
    let endpoint = scripted_athena(Arc::new(|op: &str, body: &Value, n| match op {
        "StartQueryExecution" => json!({"QueryExecutionId": format!("q{n}")}).to_string(),
        "GetQueryExecution" if body["QueryExecutionId"] == "q2" => state(
            "FAILED",
            Some("COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved"),
        ),
        "GetQueryExecution" => state("SUCCEEDED", None),
        other => panic!("unexpected {other}"),
    }))
    .await;
    let w = AthenaWarehouse::new(client(endpoint), settings("lake"));
    let err = w
        .query(
            &project(),
            &orders(),
            &format!("SELECT nope FROM {MART}"),
            10,
            None,
        )
        .await
        .expect_err("fails");
    let WarehouseError::Query(reason) = err else {
        panic!("a query error: {err:?}")
    };
    assert!(
        reason.contains("Column 'nope' cannot be resolved"),
        "{reason}"
    );
}

/// A data mart's storage decides where its queries run: the storage's region
/// (the request is signed for it), database, workgroup and result location,
/// for the table's declaration and the query alike, and for its later pages.
#[tokio::test]
async fn queries_run_in_the_place_the_marts_storage_names() {
    use sluice_domain::entities::{AthenaConfig, StorageConfig};
    let starts: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    let pages: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let (seen_starts, seen_pages) = (starts.clone(), pages.clone());
    let endpoint = scripted_athena(Arc::new(move |op: &str, body: &Value, n| match op {
        "StartQueryExecution" => {
            seen_starts.lock().expect("starts").push(body.clone());
            json!({"QueryExecutionId": format!("q{n}")}).to_string()
        }
        "GetQueryExecution" => state("SUCCEEDED", None),
        "GetQueryResults" => {
            seen_pages.lock().expect("pages").push(
                body["_signed_region"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
            let meta = json!({"ColumnInfo": [{"Name": "n", "Type": "bigint"}]});
            json!({"ResultSet": {"ResultSetMetadata": meta, "Rows": [
                {"Data": [{"VarCharValue": "n"}]}, {"Data": [{"VarCharValue": "7"}]}
            ]}, "NextToken": "more"})
            .to_string()
        }
        other => panic!("unexpected {other}"),
    }))
    .await;
    let w = AthenaWarehouse::new(client(endpoint), settings("lake"));
    let mut tables = orders();
    tables[0].storage = Some(StorageConfig::Athena(AthenaConfig {
        region: "eu-west-1".into(),
        database: "marketing_marts".into(),
        output_location: "s3://team-results/athena/".into(),
        workgroup: "analysts".into(),
    }));
    let page = w
        .query(
            &project(),
            &tables,
            &format!("SELECT count(*) AS n FROM {MART}"),
            10,
            None,
        )
        .await
        .expect("query");
    assert_eq!(page.rows, vec![vec![json!(7)]]);
    w.query(
        &project(),
        &tables,
        "next page",
        10,
        page.next_page.as_deref(),
    )
    .await
    .expect("next page");
    let w_starts = starts.clone();
    let starts = starts.lock().expect("starts").clone();
    assert_eq!(
        starts.len(),
        2,
        "the declaration, then the query: {starts:?}"
    );
    for s in &starts {
        assert_eq!(s["WorkGroup"], "analysts", "{s}");
        assert_eq!(
            s["QueryExecutionContext"]["Database"], "marketing_marts",
            "{s}"
        );
        assert_eq!(
            s["ResultConfiguration"]["OutputLocation"], "s3://team-results/athena/",
            "{s}"
        );
        assert_eq!(s["_signed_region"], "eu-west-1", "{s}");
    }
    assert_eq!(
        *pages.lock().expect("pages"),
        vec!["eu-west-1", "eu-west-1"]
    );
    // Without a storage of its own, a table queries in the adapter's settings.
    w.query(
        &project(),
        &orders(),
        &format!("SELECT count(*) AS n FROM {MART}"),
        10,
        None,
    )
    .await
    .expect("query");
    let last: Vec<Value> = w_starts.lock().expect("starts")[2..].to_vec();
    assert_eq!(last.len(), 2, "{last:?}");
    for s in &last {
        assert_eq!(s["WorkGroup"], "primary", "{s}");
        assert_eq!(s["QueryExecutionContext"]["Database"], "sluice", "{s}");
        assert_eq!(s["_signed_region"], "us-east-1", "{s}");
    }
}
