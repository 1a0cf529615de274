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
        project: project.clone(),
        kind,
        id: Id::generate(kind, now_ms()),
        parent: parent.cloned(),
        version: 1,
        deleted: false,
        due_at,
        body: r#"{"title":"t"}"#.into(),
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
    contract::queue(Arc::new(q), "transform").await;
}
