//! The Athena warehouse adapter, with the real SDK: against moto (which runs no
//! SQL and answers with results queued through its API) for the protocol — the
//! project's database created, the table declared over the mart's prefix, the
//! query started, polled, its result read and typed, each project in its own
//! database and result prefix — and against a scripted endpoint for what moto
//! never does: a query still running, a failed query with its reason, a result
//! over pages, a query stopped at the time limit, and the credentials a project's
//! queries run on (the session policy of the assumed query role).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use sluice_aws::{AthenaSettings, AthenaWarehouse, project_database};
use sluice_domain::ports::{ColumnInfo, QueryLimit, TableRef, Warehouse, WarehouseError};
use sluice_domain::{Id, Kind};
use sluice_tests::moto::Moto;

const MART: &str = "dm_01jd0000000000000000000024";
const PROJECT: &str = "prj_01JD0000000000000000000001";
const OTHER_PROJECT: &str = "prj_01JD0000000000000000000002";
const QUERY_ROLE: &str = "arn:aws:iam::123456789012:role/sluice-warehouse-query";

fn project() -> Id {
    Id::parse(Kind::Project, PROJECT).expect("a project id")
}

fn other_project() -> Id {
    Id::parse(Kind::Project, OTHER_PROJECT).expect("a project id")
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
    orders_of(&project())
}

/// The orders table of `project` (one mart id, its prefix in the project's part).
fn orders_of(project: &Id) -> Vec<TableRef> {
    vec![TableRef {
        storage: None,
        name: MART.into(),
        location: format!("warehouse/{project}/{MART}/"),
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
    // moto hands queued results out in the order queries start: the project's
    // database and the table's declaration come first, and answer nothing.
    let canned = json!({"results": [{"rows": [], "column_info": []}, {"rows": [], "column_info": []}, {
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

    // What ran: the project's database, the table's declaration over the mart's
    // prefix in it, then the query on it.
    let sql = executed_sql(&athena).await;
    let ddl = sql
        .iter()
        .find(|q| q.starts_with("CREATE EXTERNAL TABLE"))
        .expect("a declaration");
    let database = project_database("sluice", &project());
    assert!(
        sql.contains(&format!("CREATE DATABASE IF NOT EXISTS `{database}`")),
        "{sql:?}"
    );
    assert!(
        ddl.starts_with(&format!(
            "CREATE EXTERNAL TABLE IF NOT EXISTS `{database}`.`{MART}_"
        )),
        "{ddl}"
    );
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
        "select * from information_schema.tables",
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
    // Another project's table is never declared for this project.
    assert!(matches!(
        w.query(
            &project(),
            &orders_of(&other_project()),
            "SELECT 1",
            10,
            None
        )
        .await,
        Err(WarehouseError::Backend(_))
    ));
}

/// Two projects on one moto, the queries on the query role: each project's
/// database, declarations, query and results stay in its own database and
/// result prefix, and a page token of one project's query reads nothing for
/// the other.
#[tokio::test]
async fn each_projects_queries_run_in_its_own_database_and_result_prefix_on_moto() {
    let moto = Moto::start().expect("moto_server starts");
    let sdk = moto.sdk_config().await;
    let athena = aws_sdk_athena::Client::new(&sdk);
    let w = AthenaWarehouse::new(athena.clone(), settings("lake"))
        .with_query_role_from(&sdk, QUERY_ROLE);
    let mut ran: Vec<(Id, String)> = vec![];
    for p in [project(), other_project()] {
        let page = w
            .query(
                &p,
                &orders_of(&p),
                &format!("SELECT count(*) FROM {MART}"),
                10,
                None,
            )
            .await
            .expect("query");
        assert_eq!(page.next_page, None);
        let ids = athena
            .list_query_executions()
            .send()
            .await
            .expect("list")
            .query_execution_ids
            .unwrap_or_default();
        for id in ids {
            if !ran.iter().any(|(_, seen)| *seen == id) {
                ran.push((p.clone(), id));
            }
        }
    }
    assert_eq!(
        ran.len(),
        6,
        "a database, a declaration and a query each: {ran:?}"
    );
    for (p, id) in &ran {
        let q = athena
            .get_query_execution()
            .query_execution_id(id)
            .send()
            .await
            .expect("get")
            .query_execution
            .expect("an execution");
        let sql = q.query().unwrap_or_default().to_string();
        let own = project_database("sluice", p);
        let output = q
            .result_configuration()
            .and_then(|r| r.output_location())
            .unwrap_or_default();
        // Athena names the result file under the location it was given.
        assert!(
            output.starts_with(&format!("s3://lake/athena-results/{p}/")),
            "{output} for {sql}"
        );
        match q.query_execution_context().and_then(|c| c.database()) {
            Some(db) => assert_eq!(db, own, "{sql}"),
            None => assert!(sql.starts_with("CREATE DATABASE"), "{sql}"),
        }
        let others = [project(), other_project()];
        for other in others.iter().filter(|o| *o != p) {
            let theirs = project_database("sluice", other);
            assert!(!sql.contains(&theirs), "{p} ran {sql}");
            assert!(!sql.contains(other.as_str()), "{p} ran {sql}");
        }
    }
    // The other project's query, as a page token: refused, nothing read.
    let (_, theirs) = ran
        .iter()
        .rev()
        .find(|(p, _)| *p == other_project())
        .expect("the other project's query");
    assert!(matches!(
        w.query(
            &project(),
            &orders(),
            "next page",
            10,
            Some(&format!("{theirs}:token"))
        )
        .await,
        Err(WarehouseError::BadPageToken)
    ));
}

type Script = dyn Fn(&str, &Value, usize) -> String + Send + Sync;

/// An AWS endpoint on a free loopback port that answers each request with
/// `script(operation, body, nth call of that operation)`: Athena's JSON calls
/// (the operation from `x-amz-target`) and STS's form-encoded ones (from
/// `Action`, answered in XML). The body a script sees carries the region the
/// request was signed for (`_signed_region`) and the access key it was signed
/// with (`_signed_key`).
async fn scripted_aws(script: Arc<Script>) -> String {
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
                    let header = |name: &str| {
                        head.lines().find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                        })
                    };
                    let raw = &request[head_end + 4..head_end + 4 + length];
                    let form =
                        header("content-type").is_some_and(|c| c.contains("x-www-form-urlencoded"));
                    let mut body: Value = if form {
                        Value::Object(
                            String::from_utf8_lossy(raw)
                                .split('&')
                                .filter_map(|pair| pair.split_once('='))
                                .map(|(k, v)| (form_decode(k), Value::String(form_decode(v))))
                                .collect(),
                        )
                    } else {
                        serde_json::from_slice(raw).unwrap_or(Value::Null)
                    };
                    let op = match header("x-amz-target") {
                        Some(t) => t.rsplit('.').next().unwrap_or_default().to_string(),
                        None => body["Action"].as_str().unwrap_or_default().to_string(),
                    };
                    // The credential scope: `Credential=key/date/region/service/aws4_request`.
                    let credential = head
                        .split("Credential=")
                        .nth(1)
                        .unwrap_or_default()
                        .split('/')
                        .map(str::to_string)
                        .collect::<Vec<_>>();
                    if let Some(o) = body.as_object_mut() {
                        let part = |i: usize| {
                            Value::String(credential.get(i).cloned().unwrap_or_default())
                        };
                        o.insert("_signed_key".into(), part(0));
                        o.insert("_signed_region".into(), part(2));
                    }
                    let n = {
                        let mut c = calls.lock().expect("calls");
                        let e = c.entry(op.clone()).or_insert(0);
                        *e += 1;
                        *e
                    };
                    let answer = script(&op, &body, n);
                    let kind = if answer.starts_with('<') {
                        "text/xml"
                    } else {
                        "application/x-amz-json-1.1"
                    };
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n\r\n{answer}",
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

/// A form-encoded value, decoded (`+` is a space, `%XX` a byte).
fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

fn sts(endpoint: String) -> aws_sdk_sts::Client {
    use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
    aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new("test", "test", None, None, "scripted"))
            .build(),
    )
}

/// An execution in `state`, as it ran in the default place of [`project`].
fn state(s: &str, reason: Option<&str>) -> String {
    state_in(
        s,
        reason,
        &project_database("sluice", &project()),
        &format!("s3://lake/athena-results/{PROJECT}/"),
    )
}

/// An execution in `state` that ran in `database`, its results at `output`.
fn state_in(s: &str, reason: Option<&str>, database: &str, output: &str) -> String {
    let mut status = json!({"State": s});
    if let Some(r) = reason {
        status["StateChangeReason"] = json!(r);
    }
    json!({"QueryExecution": {
        "QueryExecutionId": "q",
        "Status": status,
        "QueryExecutionContext": {"Database": database},
        "ResultConfiguration": {"OutputLocation": output},
    }})
    .to_string()
}

#[tokio::test]
async fn a_running_query_is_polled_and_its_result_read_page_by_page() {
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = polls.clone();
    let endpoint = scripted_aws(Arc::new(move |op: &str, body: &Value, n| match op {
        "StartQueryExecution" => json!({"QueryExecutionId": format!("q{n}")}).to_string(),
        "GetQueryExecution" => {
            seen.fetch_add(1, Ordering::SeqCst);
            // The database and the declaration finish at once; the query runs
            // for two polls.
            if body["QueryExecutionId"] == "q3" && n < 5 { state("RUNNING", None) } else { state("SUCCEEDED", None) }
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
    assert_eq!(first.next_page.as_deref(), Some("q3:page-2"));
    assert!(
        polls.load(Ordering::SeqCst) >= 5,
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
    // The same token, for another project: its query ran elsewhere.
    assert!(matches!(
        w.query(
            &other_project(),
            &orders_of(&other_project()),
            "ignored",
            2,
            first.next_page.as_deref()
        )
        .await,
        Err(WarehouseError::BadPageToken)
    ));
}

#[tokio::test]
async fn a_failed_query_is_a_query_error_with_athenas_reason() {
    let endpoint = scripted_aws(Arc::new(|op: &str, body: &Value, n| match op {
        "StartQueryExecution" => json!({"QueryExecutionId": format!("q{n}")}).to_string(),
        "GetQueryExecution" if body["QueryExecutionId"] == "q3" => state(
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

/// The deployment's limits: a query still running at the time limit is
/// stopped, one over the workgroup's scan cutoff fails; each is a limit error
/// naming which.
#[tokio::test]
async fn a_query_over_the_time_limit_or_the_scan_cutoff_is_a_limit_error() {
    let stopped: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    let seen_stops = stopped.clone();
    let endpoint = scripted_aws(Arc::new(move |op: &str, body: &Value, n| match op {
        "StartQueryExecution" => json!({"QueryExecutionId": format!("q{n}")}).to_string(),
        // The first query never ends; the second is cut off by the workgroup.
        "GetQueryExecution" if body["QueryExecutionId"] == "q3" => state("RUNNING", None),
        "GetQueryExecution" if body["QueryExecutionId"] == "q5" => state(
            "FAILED",
            Some("Query cancelled! : Bytes scanned limit was exceeded"),
        ),
        "GetQueryExecution" => state("SUCCEEDED", None),
        "StopQueryExecution" => {
            seen_stops
                .lock()
                .expect("stops")
                .push(body["QueryExecutionId"].clone());
            "{}".into()
        }
        other => panic!("unexpected {other}"),
    }))
    .await;
    let w = AthenaWarehouse::new(
        client(endpoint),
        AthenaSettings {
            timeout: Duration::from_secs(1),
            ..settings("lake")
        },
    );
    let sql = format!("SELECT * FROM {MART} a CROSS JOIN {MART} b");
    let late = w.query(&project(), &orders(), &sql, 10, None).await;
    assert!(
        matches!(
            late,
            Err(WarehouseError::LimitExceeded(QueryLimit::Time {
                seconds: 1
            }))
        ),
        "{late:?}"
    );
    assert_eq!(*stopped.lock().expect("stops"), vec![json!("q3")]);
    let big = w.query(&project(), &orders(), &sql, 10, None).await;
    assert!(
        matches!(big, Err(WarehouseError::LimitExceeded(QueryLimit::Scan))),
        "{big:?}"
    );
}

/// With a query role, every call for a project runs on credentials of that
/// role assumed for the project alone: the session policy names the project's
/// database, tables, files and result prefix and nothing of another project's;
/// the credentials are reused until near their expiry.
#[tokio::test]
async fn each_project_queries_on_credentials_narrowed_to_its_own_part() {
    let assumed: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    let athena_calls: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    let (seen_assumed, seen_calls) = (assumed.clone(), athena_calls.clone());
    let endpoint = scripted_aws(Arc::new(move |op: &str, body: &Value, n| {
        if op == "AssumeRole" {
            seen_assumed.lock().expect("assumed").push(body.clone());
            // Keys that say whose they are.
            let session = body["RoleSessionName"].as_str().unwrap_or_default();
            let key = format!("ASIA-{}", session.trim_start_matches("sluice-"));
            return format!(
                "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
                 <Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>\
                 <SessionToken>token-{n}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>\
                 <AssumedRoleUser><AssumedRoleId>AROA:{session}</AssumedRoleId><Arn>{QUERY_ROLE}/{session}</Arn></AssumedRoleUser>\
                 </AssumeRoleResult><ResponseMetadata><RequestId>r{n}</RequestId></ResponseMetadata></AssumeRoleResponse>"
            );
        }
        let mut call = body.clone();
        call["_op"] = json!(op);
        seen_calls.lock().expect("calls").push(call);
        match op {
            "StartQueryExecution" => json!({"QueryExecutionId": format!("q{n}")}).to_string(),
            "GetQueryExecution" => state("SUCCEEDED", None),
            "GetQueryResults" => json!({"ResultSet": {"ResultSetMetadata": {"ColumnInfo": []}, "Rows": []}}).to_string(),
            other => panic!("unexpected {other}"),
        }
    }))
    .await;
    let w = AthenaWarehouse::new(client(endpoint.clone()), settings("lake"))
        .with_query_role(sts(endpoint), QUERY_ROLE);
    let sql = format!("SELECT count(*) FROM {MART}");
    for p in [project(), project(), other_project()] {
        w.query(&p, &orders_of(&p), &sql, 10, None)
            .await
            .expect("query");
    }
    let assumed = assumed.lock().expect("assumed").clone();
    assert_eq!(
        assumed.len(),
        2,
        "once per project, then reused: {assumed:?}"
    );
    for (call, p) in assumed.iter().zip([project(), other_project()]) {
        assert_eq!(call["RoleArn"], QUERY_ROLE);
        assert_eq!(call["RoleSessionName"], format!("sluice-{p}"));
        assert_eq!(call["DurationSeconds"], "3600");
        let text = call["Policy"].as_str().expect("a session policy");
        assert!(text.len() <= sluice_aws::SESSION_POLICY_MAX_CHARS, "{text}");
        let policy: Value = serde_json::from_str(text).expect("policy JSON");
        let own = project_database("sluice", &p);
        let (theirs, their_id) = if p == project() {
            (project_database("sluice", &other_project()), OTHER_PROJECT)
        } else {
            (project_database("sluice", &project()), PROJECT)
        };
        let statements = policy["Statement"].as_array().expect("statements");
        let resources: Vec<String> = statements
            .iter()
            .flat_map(|s| match &s["Resource"] {
                Value::Array(a) => a.clone(),
                one => vec![one.clone()],
            })
            .map(|r| r.as_str().unwrap_or_default().to_string())
            .collect();
        for expected in [
            "arn:aws:athena:us-east-1:*:workgroup/primary".to_string(),
            "arn:aws:glue:us-east-1:*:catalog".to_string(),
            format!("arn:aws:glue:us-east-1:*:database/{own}"),
            format!("arn:aws:glue:us-east-1:*:table/{own}/*"),
            format!("arn:aws:s3:::lake/warehouse/{p}/*"),
            format!("arn:aws:s3:::lake/projects/{p}/landing/*"),
            format!("arn:aws:s3:::lake/athena-results/{p}/*"),
            "arn:aws:s3:::lake".to_string(),
        ] {
            assert!(resources.contains(&expected), "{expected} in {resources:?}");
        }
        for r in &resources {
            assert!(!r.contains(&theirs) && !r.contains(their_id), "{r}");
            // Nothing wider than the project: no bare wildcard, no whole bucket
            // of objects, no database pattern.
            assert!(
                !r.ends_with(":::lake/*") && !r.contains("database/*") && r != "*",
                "{r}"
            );
        }
        let listing = statements
            .iter()
            .find(|s| s["Action"] == "s3:ListBucket")
            .expect("a listing statement");
        assert_eq!(
            listing["Condition"]["StringLike"]["s3:prefix"],
            json!([
                format!("warehouse/{p}/*"),
                format!("projects/{p}/landing/*"),
                format!("athena-results/{p}/*")
            ])
        );
        assert!(statements.iter().all(|s| s["Effect"] == "Allow"));
    }
    // Every Athena call ran on the assumed keys of the project it was for, in
    // that project's database and result prefix.
    let calls = athena_calls.lock().expect("calls").clone();
    assert!(!calls.is_empty());
    let starts: Vec<&Value> = calls
        .iter()
        .filter(|c| c["_op"] == "StartQueryExecution")
        .collect();
    // The first project: its database once, a declaration and a query twice;
    // the second: the same once.
    assert_eq!(starts.len(), 8, "{starts:?}");
    for c in &calls {
        let key = c["_signed_key"].as_str().unwrap_or_default();
        assert!(key.starts_with("ASIA-prj_"), "signed with {key}: {c}");
    }
    for s in starts {
        let p = s["_signed_key"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("ASIA-")
            .to_string();
        assert_eq!(
            s["ResultConfiguration"]["OutputLocation"],
            format!("s3://lake/athena-results/{p}/"),
            "{s}"
        );
        let db = project_database("sluice", &Id::parse(Kind::Project, &p).expect("id"));
        let sql = s["QueryString"].as_str().unwrap_or_default();
        if sql.starts_with("CREATE DATABASE") {
            assert_eq!(sql, format!("CREATE DATABASE IF NOT EXISTS `{db}`"));
            assert!(s.get("QueryExecutionContext").is_none(), "{s}");
        } else {
            assert_eq!(s["QueryExecutionContext"]["Database"], db, "{s}");
        }
    }
}

/// A data mart's storage decides where its queries run: the storage's region
/// (the request is signed for it), workgroup, and the bases of its database and
/// result location (the project's own database and prefix under them), for the
/// database, the table's declaration and the query alike, and for its later
/// pages.
#[tokio::test]
async fn queries_run_in_the_place_the_marts_storage_names() {
    use sluice_domain::entities::{AthenaConfig, StorageConfig};
    let starts: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    let pages: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let (seen_starts, seen_pages) = (starts.clone(), pages.clone());
    let team_db = project_database("marketing_marts", &project());
    let team_results = format!("s3://team-results/athena/{PROJECT}/");
    let (db, out) = (team_db.clone(), team_results.clone());
    let endpoint = scripted_aws(Arc::new(move |op: &str, body: &Value, n| match op {
        "StartQueryExecution" => {
            seen_starts.lock().expect("starts").push(body.clone());
            json!({"QueryExecutionId": format!("q{n}")}).to_string()
        }
        "GetQueryExecution" => state_in("SUCCEEDED", None, &db, &out),
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
        3,
        "the database, the declaration, then the query: {starts:?}"
    );
    for s in &starts {
        assert_eq!(s["WorkGroup"], "analysts", "{s}");
        if !s["QueryString"]
            .as_str()
            .unwrap_or_default()
            .starts_with("CREATE DATABASE")
        {
            assert_eq!(s["QueryExecutionContext"]["Database"], team_db, "{s}");
        }
        assert_eq!(
            s["ResultConfiguration"]["OutputLocation"], team_results,
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
    let last: Vec<Value> = w_starts.lock().expect("starts")[3..].to_vec();
    assert_eq!(last.len(), 3, "{last:?}");
    for s in &last {
        assert_eq!(s["WorkGroup"], "primary", "{s}");
        assert_eq!(
            s["ResultConfiguration"]["OutputLocation"],
            format!("s3://lake/athena-results/{PROJECT}/"),
            "{s}"
        );
        assert_eq!(s["_signed_region"], "us-east-1", "{s}");
    }
    assert_eq!(
        last[2]["QueryExecutionContext"]["Database"],
        project_database("sluice", &project())
    );
}

/// The SQL of every query execution moto recorded, in its order.
async fn executed_sql(athena: &aws_sdk_athena::Client) -> Vec<String> {
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
    sql
}

/// A Parquet file of no rows with `schema` (a message type), as its bytes.
fn parquet_of(schema: &str) -> Vec<u8> {
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    let schema = Arc::new(parquet::schema::parser::parse_message_type(schema).expect("a schema"));
    let mut out = vec![];
    let writer = SerializedFileWriter::new(&mut out, schema, Arc::new(WriterProperties::default()))
        .expect("a writer");
    writer.close().expect("a footer");
    out
}

/// A table a project uploaded into its landing area has no known columns: the
/// warehouse declares it from the footer of its newest Parquet file, read on the
/// project's own narrowed credentials, and a folder with no Parquet is refused.
#[tokio::test]
async fn a_storage_table_of_unknown_columns_is_declared_from_its_parquet_footer_on_moto() {
    let moto = Moto::start().expect("moto_server starts");
    let sdk = moto.sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(sluice_aws::s3_config_from(&sdk));
    sluice_aws::create_bucket(&s3, "lake")
        .await
        .expect("bucket");
    let folder = sluice_domain::relations::storage_table_location(&project(), "logs.events");
    for (name, body) in [
        ("part-0000.parquet", parquet_of("message a { REQUIRED INT64 id; }")),
        ("notes.txt", b"not a table".to_vec()),
        (
            "part-0001.parquet",
            parquet_of(
                "message b { REQUIRED INT64 id; OPTIONAL BYTE_ARRAY name (STRING);
                 OPTIONAL INT32 day (DATE); OPTIONAL INT64 at (TIMESTAMP(MICROS,true));
                 OPTIONAL group tags (LIST) { repeated group list { optional binary element (STRING); } } }",
            ),
        ),
    ] {
        s3.put_object()
            .bucket("lake")
            .key(format!("{folder}{name}"))
            .body(body.into())
            .send()
            .await
            .expect("put");
        // The newest file is the one whose schema counts.
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    let athena = aws_sdk_athena::Client::new(&sdk);
    let w = AthenaWarehouse::from_sdk_config(&sdk, settings("lake"))
        .with_query_role_from(&sdk, QUERY_ROLE);
    let events = TableRef {
        storage: None,
        name: "t_logs__events".into(),
        location: folder.clone(),
        columns: vec![],
    };
    w.query(
        &project(),
        std::slice::from_ref(&events),
        "SELECT id, name FROM t_logs__events",
        10,
        None,
    )
    .await
    .expect("query");
    let ddl: Vec<String> = executed_sql(&athena)
        .await
        .into_iter()
        .filter(|q| q.starts_with("CREATE EXTERNAL TABLE"))
        .collect();
    assert_eq!(ddl.len(), 1, "{ddl:?}");
    assert!(
        ddl[0].contains("(`id` bigint, `name` string, `day` date, `at` timestamp)"),
        "the newest file's flat columns: {}",
        ddl[0]
    );
    assert!(
        ddl[0].contains(&format!("LOCATION 's3://lake/{}'", folder)),
        "{}",
        ddl[0]
    );

    // A folder holding no Parquet: a query error naming the table.
    let empty = TableRef {
        location: sluice_domain::relations::storage_table_location(&project(), "logs.none"),
        name: "t_logs__none".into(),
        ..events
    };
    match w
        .query(
            &project(),
            std::slice::from_ref(&empty),
            "SELECT * FROM t_logs__none",
            10,
            None,
        )
        .await
    {
        Err(WarehouseError::Query(why)) => assert!(why.contains("t_logs__none"), "{why}"),
        other => panic!("expected a query error, got {other:?}"),
    }
}
