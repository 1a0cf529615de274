//! The AWS adapters pass the port contracts against moto's server, and write the item
//! layout their module docs promise. Each test starts its own server and uses its own
//! resource names. Needs `scripts/test-deps.sh` (or `SLUICE_MOTO_SERVER`).

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use sluice_aws::{DynamoStore, SecretsManagerSecrets, create_table};
use sluice_domain::ports::{
    ListQuery, Record, RecordGet as _, RecordList as _, RecordPut as _, SecretValue, Secrets as _,
};
use sluice_domain::{Id, Kind};
use sluice_tests::contract;
use sluice_tests::moto::Moto;

fn now_ms() -> u64 {
    chrono::Utc::now().timestamp_millis() as u64
}

fn unique_table() -> String {
    format!("sluice-test-{}", Id::generate(Kind::Run, now_ms()))
}

/// moto, a DynamoDB client on it and a fresh table; keep the `Moto` alive.
async fn dynamo() -> (Moto, aws_sdk_dynamodb::Client, String) {
    let moto = Moto::start().expect("moto_server starts");
    let client = aws_sdk_dynamodb::Client::new(&moto.sdk_config().await);
    let table = unique_table();
    create_table(&client, &table).await.expect("create table");
    (moto, client, table)
}

fn record(project: &Id, kind: Kind, parent: Option<&Id>, due_at: Option<i64>) -> Record {
    Record {
        due_at,
        ..sluice_tests::contract::record(project, kind, parent, r#"{"title":"t"}"#)
    }
}

async fn raw_item(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    r: &Record,
) -> HashMap<String, AttributeValue> {
    let out = client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S(format!("P#{}", r.project)))
        .key(
            "sk",
            AttributeValue::S(format!("{}#{}", r.kind.key_prefix(), r.id)),
        )
        .consistent_read(true)
        .send()
        .await
        .expect("raw get");
    out.item
        .expect("the item is stored under the documented pk and sk")
}

fn s(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name)
        .map(|v| v.as_s().expect("a string attribute").clone())
}

fn n(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name)
        .map(|v| v.as_n().expect("a number attribute").clone())
}

#[tokio::test]
async fn dynamo_store_passes_the_metadata_contract() {
    let (_moto, client, table) = dynamo().await;
    contract::metadata_store(Arc::new(DynamoStore::new(client, table))).await;
}

#[tokio::test]
async fn secrets_manager_secrets_pass_the_secrets_contract() {
    let moto = Moto::start().expect("moto_server starts");
    let config = moto.sdk_config().await;
    let secrets = SecretsManagerSecrets::from_sdk_config(&config).with_prefix("sluice/test/");
    contract::secrets(Arc::new(secrets)).await;
    // And without a prefix.
    contract::secrets(Arc::new(SecretsManagerSecrets::from_sdk_config(&config))).await;
}

#[tokio::test]
async fn creating_the_table_twice_is_reported_clearly() {
    let (_moto, client, table) = dynamo().await;
    let err = create_table(&client, &table)
        .await
        .expect_err("a second create is refused");
    assert!(
        matches!(&err, sluice_aws::Error::TableExists { table: t } if *t == table),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains(&table) && message.contains("already exists"),
        "{message}"
    );
}

#[tokio::test]
async fn items_carry_the_documented_key_attributes() {
    let (_moto, client, table) = dynamo().await;
    let store = DynamoStore::new(client.clone(), &table);
    let project = Id::generate(Kind::Project, now_ms());
    let mart = Id::generate(Kind::DataMart, now_ms());

    let plain = record(&project, Kind::Storage, None, None);
    store.insert(&plain).await.expect("insert");
    let item = raw_item(&client, &table, &plain).await;
    assert_eq!(s(&item, "pk"), Some(format!("P#{project}")));
    assert_eq!(s(&item, "sk"), Some(format!("STO#{}", plain.id)));
    assert_eq!(n(&item, "version").as_deref(), Some("1"));
    assert_eq!(
        item.get("deleted").map(|v| v.as_bool().ok().copied()),
        Some(Some(false))
    );
    assert_eq!(s(&item, "body").as_deref(), Some(r#"{"title":"t"}"#));
    for absent in ["gsi1pk", "gsi1sk", "gsi2pk", "due_at"] {
        assert!(
            !item.contains_key(absent),
            "no `{absent}` without parent or due_at: {item:?}"
        );
    }

    let trigger = record(
        &project,
        Kind::Trigger,
        Some(&mart),
        Some(1_700_000_000_000),
    );
    store.insert(&trigger).await.expect("insert");
    let item = raw_item(&client, &table, &trigger).await;
    let sk = format!("TRG#{}", trigger.id);
    assert_eq!(s(&item, "sk"), Some(sk.clone()));
    assert_eq!(s(&item, "gsi1pk"), Some(format!("P#{project}#TRG#{mart}")));
    assert_eq!(s(&item, "gsi1sk"), Some(sk));
    assert_eq!(s(&item, "gsi2pk").as_deref(), Some("DUE"));
    assert_eq!(n(&item, "due_at").as_deref(), Some("1700000000000"));
    assert_eq!(
        store
            .get(&project, Kind::Trigger, &trigger.id)
            .await
            .expect("get"),
        Some(trigger.clone())
    );

    // Dropping the parent and the due time removes the index attributes with them.
    let mut disabled = trigger.clone();
    disabled.version = 2;
    disabled.parent = None;
    disabled.due_at = None;
    store.replace(&disabled).await.expect("replace");
    let item = raw_item(&client, &table, &disabled).await;
    for absent in ["gsi1pk", "gsi1sk", "gsi2pk", "due_at"] {
        assert!(
            !item.contains_key(absent),
            "`{absent}` is gone after the replace: {item:?}"
        );
    }
    assert_eq!(n(&item, "version").as_deref(), Some("2"));
    assert_eq!(
        store
            .get(&project, Kind::Trigger, &trigger.id)
            .await
            .expect("get"),
        Some(disabled)
    );
    let children = ListQuery {
        project: project.clone(),
        kind: Kind::Trigger,
        parent: Some(mart),
        after: None,
        limit: 10,
    };
    assert!(
        store
            .list(&children)
            .await
            .expect("list")
            .records
            .is_empty(),
        "no longer listed under its old parent"
    );
}

#[tokio::test]
async fn pages_end_exactly_where_the_live_records_do_past_runs_of_deleted_ones() {
    let (_moto, client, table) = dynamo().await;
    let store = DynamoStore::new(client, &table);
    let project = Id::generate(Kind::Project, now_ms());
    let storage = Id::generate(Kind::Storage, now_ms());
    // Oldest to newest: one live, ten deleted, two live; all under one parent.
    let mut live = vec![];
    for i in 0..13 {
        let mut r = record(&project, Kind::DataMart, Some(&storage), None);
        r.deleted = (1..=10).contains(&i);
        store.insert(&r).await.expect("insert");
        if !r.deleted {
            live.push(r.id.clone());
        }
    }
    live.reverse();
    for parent in [None, Some(storage.clone())] {
        let query = |after: Option<Id>, limit| ListQuery {
            project: project.clone(),
            kind: Kind::DataMart,
            parent: parent.clone(),
            after,
            limit,
        };
        let ids = |page: &sluice_domain::ports::Page| {
            page.records
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
        };

        let first = store.list(&query(None, 2)).await.expect("list");
        assert_eq!(ids(&first), live[..2], "parent {parent:?}");
        assert_eq!(
            first.next.as_ref(),
            Some(&live[1]),
            "a live record is left: parent {parent:?}"
        );
        let second = store.list(&query(first.next, 2)).await.expect("list");
        assert_eq!(ids(&second), live[2..], "parent {parent:?}");
        assert_eq!(
            second.next, None,
            "only deleted records are left: parent {parent:?}"
        );

        let whole = store.list(&query(None, 3)).await.expect("list");
        assert_eq!(ids(&whole), live, "parent {parent:?}");
        assert_eq!(
            whole.next, None,
            "exactly a page of live records: parent {parent:?}"
        );
    }
}

#[tokio::test]
async fn a_secret_scheduled_for_deletion_reads_as_missing_and_can_be_deleted_and_put_again() {
    let moto = Moto::start().expect("moto_server starts");
    let config = moto.sdk_config().await;
    let secrets = SecretsManagerSecrets::from_sdk_config(&config).with_prefix("sluice/test/");
    let name = format!("scheduled-{}", Id::generate(Kind::Source, now_ms()));
    secrets
        .put(&name, &SecretValue::new(r#"{"token":"one"}"#.into()))
        .await
        .expect("put");

    // Deleted elsewhere (the console, another tool) with the default recovery window.
    let raw = aws_sdk_secretsmanager::Client::new(&config);
    raw.delete_secret()
        .secret_id(format!("sluice/test/{name}"))
        .send()
        .await
        .expect("schedule the deletion");
    assert_eq!(
        secrets.get(&name).await.expect("get"),
        None,
        "a secret scheduled for deletion is gone"
    );

    // (moto accepts PutSecretValue on such a secret where AWS refuses it, so the put's
    // restore path cannot be exercised here; a forced delete then a put can.)
    secrets
        .delete(&name)
        .await
        .expect("deleting a scheduled secret");
    secrets
        .put(&name, &SecretValue::new(r#"{"token":"two"}"#.into()))
        .await
        .expect("put again");
    let value = secrets
        .get(&name)
        .await
        .expect("get")
        .map(|v| v.expose().to_string());
    assert_eq!(value.as_deref(), Some(r#"{"token":"two"}"#));
}

#[tokio::test]
async fn sqs_queue_passes_the_queue_contract() {
    let moto = Moto::start().expect("moto_server starts");
    let client = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
    let name = format!("transform-{}", Id::generate(Kind::Run, now_ms()));
    let (url, dlq_url) = sluice_aws::create_queue_with_dlq(&client, &name, 3)
        .await
        .expect("create the queue and its DLQ");
    let q = sluice_aws::SqsQueue::new(client, [("transform", url), ("transform-dlq", dlq_url)]);
    contract::queue(Arc::new(q), "transform", contract::Delivery::AtLeastOnce).await;
}

// S3 objects and EventBridge events.

use aws_sdk_sqs::types::QueueAttributeName;
use sluice_domain::ports::{EventBus as _, ObjectStore as _, RunEvent, RunEventKind};

/// A bucket name of its own: lowercase, no `_`, at most 63 characters.
fn unique_bucket() -> String {
    format!(
        "sluice-test-{}",
        Id::generate(Kind::Run, now_ms())
            .to_string()
            .to_lowercase()
            .replace('_', "-")
    )
}

/// moto, a path-style S3 client on it and a fresh bucket; keep the `Moto` alive.
async fn s3() -> (Moto, aws_sdk_s3::Client, String) {
    let moto = Moto::start().expect("moto_server starts");
    let config = sluice_aws::s3_config_from(&moto.sdk_config().await);
    let client = aws_sdk_s3::Client::from_conf(config);
    let bucket = unique_bucket();
    sluice_aws::create_bucket(&client, &bucket)
        .await
        .expect("create the bucket");
    (moto, client, bucket)
}

/// Every key in the bucket, as S3 stores it.
async fn raw_keys(client: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    let out = client
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .expect("raw list");
    out.contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn s3_objects_pass_the_object_store_contract_with_and_without_a_prefix() {
    let (_moto, client, bucket) = s3().await;
    let bare = sluice_aws::S3Objects::new(client.clone(), &bucket);
    contract::object_store(Arc::new(bare.clone())).await;
    let bare_keys = raw_keys(&client, &bucket).await;
    assert!(
        !bare_keys.is_empty() && bare_keys.iter().all(|k| k.starts_with("contract/")),
        "stored under the port's keys: {bare_keys:?}"
    );

    let prefixed = sluice_aws::S3Objects::new(client.clone(), &bucket).with_prefix("p/");
    contract::object_store(Arc::new(prefixed.clone())).await;
    let keys = raw_keys(&client, &bucket).await;
    let under_p: Vec<&String> = keys.iter().filter(|k| k.starts_with("p/")).collect();
    assert_eq!(
        under_p.len(),
        keys.len() - bare_keys.len(),
        "the prefixed store writes only under `p/`: {keys:?}"
    );
    assert!(
        under_p
            .iter()
            .all(|k| k.starts_with("p/contract/") && !k.starts_with("p/p/")),
        "{keys:?}"
    );
    // Each store sees its own objects only, with the port's keys.
    let listed: Vec<String> = prefixed
        .list("")
        .await
        .expect("list")
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(listed.len(), under_p.len());
    assert!(
        listed.iter().all(|k| k.starts_with("contract/")),
        "{listed:?}"
    );
    assert_eq!(
        bare.list("p/").await.expect("list").len(),
        under_p.len(),
        "the bare store sees the prefixed objects under their S3 keys"
    );
}

#[tokio::test]
async fn s3_listing_reads_every_page_in_key_order() {
    let (_moto, client, bucket) = s3().await;
    let store = Arc::new(sluice_aws::S3Objects::new(client, &bucket).with_prefix("t/"));
    // More than one ListObjectsV2 page (1,000 keys), put in reverse order.
    let mut puts = tokio::task::JoinSet::new();
    let expected: Vec<String> = (0..1_003).map(|i| format!("many/{i:05}")).collect();
    for (i, key) in expected.iter().enumerate().rev() {
        let (store, key) = (store.clone(), key.clone());
        puts.spawn(async move { store.put(&key, vec![0; i % 7]).await });
        while puts.len() >= 16 {
            puts.join_next()
                .await
                .expect("a put")
                .expect("joined")
                .expect("put");
        }
    }
    while let Some(put) = puts.join_next().await {
        put.expect("joined").expect("put");
    }
    store.put("other/x", b"x".to_vec()).await.expect("put");

    let listed = store.list("many/").await.expect("list");
    let keys: Vec<&str> = listed.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, expected, "every key once, in key order");
    assert!(
        listed
            .iter()
            .enumerate()
            .all(|(i, o)| o.size == (i % 7) as u64),
        "sizes"
    );
}

#[tokio::test]
async fn creating_a_bucket_again_keeps_it_and_its_objects() {
    let (_moto, client, bucket) = s3().await;
    let store = sluice_aws::S3Objects::new(client.clone(), &bucket);
    store.put("kept", b"k".to_vec()).await.expect("put");
    sluice_aws::create_bucket(&client, &bucket)
        .await
        .expect("an owned bucket is fine");
    assert_eq!(store.get("kept").await.expect("get"), Some(b"k".to_vec()));
}

fn run_event(kind: RunEventKind, project: &Id) -> RunEvent {
    RunEvent {
        kind,
        project_id: project.clone(),
        run_id: Id::generate(Kind::Run, now_ms()),
        data_mart_id: Id::generate(Kind::DataMart, now_ms()),
        at: chrono::Utc::now(),
    }
}

/// Messages from `url` until one arrives (or 10 s pass), then whatever else comes
/// within another second; each is deleted.
async fn drain(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut bodies = vec![];
    loop {
        let out = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        let got = out.messages.unwrap_or_default();
        let empty = got.is_empty();
        for m in got {
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle.expect("receipt"))
                .send()
                .await
                .expect("delete");
            bodies.push(m.body.expect("body"));
        }
        if (empty && !bodies.is_empty()) || std::time::Instant::now() > deadline {
            return bodies;
        }
    }
}

#[tokio::test]
async fn run_events_reach_a_rule_target_on_the_custom_bus() {
    let moto = Moto::start().expect("moto_server starts");
    let config = moto.sdk_config().await;
    let events = aws_sdk_eventbridge::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let suffix = Id::generate(Kind::Run, now_ms()).to_string();
    let bus = format!("sluice-test-{suffix}");
    let rule = format!("succeeded-{suffix}");

    events
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .expect("create the bus");
    let url = sqs
        .create_queue()
        .queue_name(format!("succeeded-{suffix}"))
        .send()
        .await
        .expect("create the queue")
        .queue_url
        .expect("queue URL");
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes")
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .expect("QueueArn");
    let rule_arn = events
        .put_rule()
        .name(&rule)
        .event_bus_name(&bus)
        .event_pattern(r#"{"source":["sluice"],"detail-type":["RunSucceeded"]}"#)
        .send()
        .await
        .expect("put the rule")
        .rule_arn
        .expect("rule ARN");
    // What AWS needs before EventBridge may send to the queue (moto does not check it).
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "events-to-queue",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
        }],
    });
    sqs.set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::Policy, policy.to_string())
        .send()
        .await
        .expect("queue policy");
    let target = aws_sdk_eventbridge::types::Target::builder()
        .id("queue")
        .arn(&queue_arn)
        .build()
        .expect("target");
    let put = events
        .put_targets()
        .rule(&rule)
        .event_bus_name(&bus)
        .targets(target)
        .send()
        .await
        .expect("put the target");
    assert_eq!(put.failed_entry_count, 0, "{put:?}");

    let publisher = sluice_aws::EventBridgeBus::new(events.clone(), &bus);
    let project = Id::generate(Kind::Project, now_ms());
    let succeeded = run_event(RunEventKind::RunSucceeded, &project);
    let failed = run_event(RunEventKind::RunFailed, &project);
    publisher.publish(&succeeded).await.expect("publish");
    publisher.publish(&failed).await.expect("publish");

    let bodies = drain(&sqs, &url).await;
    assert_eq!(bodies.len(), 1, "only the RunSucceeded matches: {bodies:?}");
    let delivered: serde_json::Value = serde_json::from_str(&bodies[0]).expect("a JSON event");
    assert_eq!(delivered["source"], "sluice", "{delivered}");
    assert_eq!(delivered["detail-type"], "RunSucceeded", "{delivered}");
    assert_eq!(
        delivered["detail"]["project_id"],
        project.to_string(),
        "{delivered}"
    );
    let detail: RunEvent =
        serde_json::from_value(delivered["detail"].clone()).expect("the detail is a RunEvent");
    assert_eq!(detail, succeeded);
}

#[tokio::test]
async fn publishing_to_a_missing_bus_is_an_error_naming_it() {
    let moto = Moto::start().expect("moto_server starts");
    let config = moto.sdk_config().await;
    let bus = format!("missing-{}", Id::generate(Kind::Run, now_ms()));
    let publisher = sluice_aws::EventBridgeBus::from_sdk_config(&config, &bus);
    let project = Id::generate(Kind::Project, now_ms());
    let err = publisher
        .publish(&run_event(RunEventKind::RunQueued, &project))
        .await
        .expect_err("no such bus");
    assert!(err.to_string().contains(&bus), "{err}");
}

/// A one-answer HTTP endpoint on a free loopback port: every request gets `body` as
/// an EventBridge (`x-amz-json-1.1`) 200 answer. moto only refuses entries that this
/// adapter never sends (no source, no detail type, malformed detail), so the refusal
/// path is checked against a canned answer instead.
async fn canned_eventbridge(body: &'static str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = vec![];
            let mut buf = [0u8; 4096];
            // Read the head, then as many body bytes as it announces.
            let complete = |r: &[u8]| {
                let text = String::from_utf8_lossy(r);
                let Some(end) = text.find("\r\n\r\n") else {
                    return false;
                };
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                r.len() >= end + 4 + length
            };
            while !complete(&request) {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_refused_entry_is_rejected_with_its_code_and_message() {
    use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
    let endpoint = canned_eventbridge(
        r#"{"FailedEntryCount":1,"Entries":[{"ErrorCode":"InternalFailure","ErrorMessage":"try later"}]}"#,
    )
    .await;
    let config = aws_sdk_eventbridge::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "canned"))
        .build();
    let bus = sluice_aws::EventBridgeBus::new(
        aws_sdk_eventbridge::Client::from_conf(config),
        "sluice-events",
    );
    let event = run_event(
        RunEventKind::RunFailed,
        &Id::generate(Kind::Project, now_ms()),
    );
    let err = bus.publish(&event).await.expect_err("refused");
    let sluice_domain::ports::EventBusError::Rejected(message) = &err else {
        panic!("a refusal, not an outage: {err:?}");
    };
    for part in [
        "sluice-events",
        "RunFailed",
        event.run_id.as_str(),
        "InternalFailure",
        "try later",
    ] {
        assert!(message.contains(part), "`{part}` in {message}");
    }
}

/// SES on moto: a message from the verified sender is sent (SES counts it); from
/// an unverified one it is refused for good, naming why.
#[tokio::test]
async fn ses_mailer_sends_from_a_verified_sender_and_refuses_an_unverified_one() {
    use sluice_domain::ports::{MailError, Mailer as _};
    let moto = Moto::start().expect("moto_server starts");
    let sdk = moto.sdk_config().await;
    let ses = aws_sdk_ses::Client::new(&sdk);
    ses.verify_email_identity()
        .email_address("reports@sluice.test")
        .send()
        .await
        .expect("verify the sender");
    let message = b"From: reports@sluice.test\r\nTo: ops@example.com\r\nSubject: Orders\r\nMessage-ID: <rr_1.1@sluice>\r\nContent-Type: text/plain\r\n\r\n3 rows.\r\n";
    let mailer = sluice_aws::SesMailer::from_sdk_config(&sdk, "reports@sluice.test");
    mailer
        .send(&["ops@example.com".to_string()], message)
        .await
        .expect("sent");
    // SES counts what it sent (moto counts each recipient, header and envelope).
    let sent = ses
        .get_send_quota()
        .send()
        .await
        .expect("quota")
        .sent_last24_hours();
    assert!(sent > 0.0, "SES counted the message");

    let stranger = sluice_aws::SesMailer::from_sdk_config(&sdk, "someone@elsewhere.test");
    match stranger
        .send(&["ops@example.com".to_string()], message)
        .await
    {
        Err(MailError::Refused(why)) => assert!(why.contains("SES"), "{why}"),
        other => panic!("{other:?}"),
    }
    let quota = ses.get_send_quota().send().await.expect("quota");
    assert_eq!(quota.sent_last24_hours(), sent, "nothing more was sent");
    // A destination test asks SES about the sender, sending nothing.
    mailer.check().await.expect("a verified sender");
    match stranger.check().await {
        Err(MailError::Refused(why)) => {
            assert!(
                why.contains("has not verified the sender someone@elsewhere.test"),
                "{why}"
            )
        }
        other => panic!("{other:?}"),
    }
    let quota = ses.get_send_quota().send().await.expect("quota");
    assert_eq!(quota.sent_last24_hours(), sent, "a check sends nothing");
}

/// A download link to an S3 object is a presigned GetObject URL (SigV4 query
/// parameters, the expiry asked for): fetched with no credential of its own,
/// it gives the object's bytes. (moto checks no signature; S3 does.)
#[tokio::test]
async fn an_s3_download_link_is_a_presigned_url_to_the_object() {
    let (_moto, client, bucket) = s3().await;
    let store = sluice_aws::S3Objects::new(client, &bucket).with_prefix("t/");
    let bytes = b"id,amount\r\n1,12.5\r\n".to_vec();
    store
        .put("projects/p/exports/weekly/orders.csv", bytes.clone())
        .await
        .expect("put");
    let url = store
        .download_url(
            "projects/p/exports/weekly/orders.csv",
            std::time::Duration::from_secs(900),
        )
        .await
        .expect("a link")
        .expect("S3 signs links");
    assert!(
        url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires=900"),
        "{url}"
    );
    assert!(
        url.contains("/t/projects/p/exports/weekly/orders.csv"),
        "{url}"
    );
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let got = http.get(&url).send().await.expect("fetched");
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.bytes().await.expect("body").to_vec(), bytes);
}

/// The health check's calls on AWS: each part answers while its resource is
/// there and fails once it is gone (a deleted table, queue or bucket), with
/// the service's reason in the error (the server's log), on the real SDK.
#[tokio::test]
async fn each_aws_part_fails_its_health_check_once_its_resource_is_gone() {
    use sluice_domain::ports::Queue as _;
    let (moto, dynamo_client, table) = dynamo().await;
    let sdk = moto.sdk_config().await;
    let store = DynamoStore::new(dynamo_client.clone(), table.clone());
    let health = sluice_domain::entities::health_partition();
    assert!(
        store
            .get(&health, Kind::Project, &health)
            .await
            .expect("the table answers")
            .is_none()
    );

    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let name = format!("transform-{}", Id::generate(Kind::Run, now_ms()));
    let (url, dlq_url) = sluice_aws::create_queue_with_dlq(&sqs, &name, 3)
        .await
        .expect("create the queue and its DLQ");
    let queue = sluice_aws::SqsQueue::new(
        sqs.clone(),
        [("transform", url.clone()), ("transform-dlq", dlq_url)],
    );
    queue.check().await.expect("the queues answer");

    let s3 = aws_sdk_s3::Client::from_conf(sluice_aws::s3_config_from(&sdk));
    let bucket = unique_bucket();
    sluice_aws::create_bucket(&s3, &bucket)
        .await
        .expect("create the bucket");
    let objects = sluice_aws::S3Objects::new(s3.clone(), &bucket).with_prefix("sluice/");
    objects.check().await.expect("the bucket answers");

    dynamo_client
        .delete_table()
        .table_name(&table)
        .send()
        .await
        .expect("delete the table");
    sqs.delete_queue()
        .queue_url(&url)
        .send()
        .await
        .expect("delete the queue");
    s3.delete_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("delete the bucket");

    let e = store
        .get(&health, Kind::Project, &health)
        .await
        .expect_err("no table");
    assert!(e.to_string().contains("ResourceNotFound"), "{e}");
    let e = queue.check().await.expect_err("no queue");
    assert!(e.to_string().contains("GetQueueAttributes"), "{e}");
    let e = objects.check().await.expect_err("no bucket");
    assert!(e.to_string().contains("NoSuchBucket"), "{e}");
}

/// Request budgets count in the table with UpdateItem `ADD`: atomic across
/// every function that serves the API.
#[tokio::test]
async fn dynamo_store_passes_the_request_counter_contract() {
    let (_moto, client, table) = dynamo().await;
    contract::request_counter(Arc::new(DynamoStore::new(client, table))).await;
}
