//! The embedded adapters pass the port contracts.

use std::sync::Arc;

use sluice_local::{FileSecrets, SqliteStore};

#[tokio::test]
async fn sqlite_store_passes_the_metadata_contract() {
    let dir = tempdir();
    let store = SqliteStore::open(&dir.join("meta.db"), 4).expect("open");
    sluice_tests::contract::metadata_store(Arc::new(store)).await;
}

#[tokio::test]
async fn file_secrets_pass_the_secrets_contract_and_stay_encrypted() {
    let dir = tempdir();
    let secrets =
        FileSecrets::open(&dir.join("secrets.json"), &dir.join("secrets.key")).expect("open");
    sluice_tests::contract::secrets(Arc::new(secrets)).await;
    let s = FileSecrets::open(&dir.join("secrets.json"), &dir.join("secrets.key")).expect("reopen");
    use sluice_domain::ports::{SecretValue, Secrets as _};
    s.put("visible?", &SecretValue::new("hunter2-plaintext".into()))
        .await
        .expect("put");
    let raw = std::fs::read_to_string(dir.join("secrets.json")).expect("read file");
    assert!(!raw.contains("hunter2"), "the file holds no plain text");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("secrets.key"))
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }
    // A different key cannot read it.
    let wrong = FileSecrets::open(&dir.join("secrets.json"), &dir.join("other.key"))
        .expect("open with another key");
    assert!(
        wrong.get("visible?").await.is_err(),
        "a wrong key is an error, not garbage"
    );
}

/// A directory of the test's own, removed when the test ends.
fn tempdir() -> sluice_tests::app::TempDir {
    sluice_tests::app::temp_dir("test")
}

#[tokio::test]
async fn sqlite_queue_passes_the_queue_contract() {
    let dir = tempdir();
    let queue =
        sluice_local::SqliteQueue::open(&dir.join("meta.db"), &[("transform", 3)]).expect("open");
    sluice_tests::contract::queue(
        Arc::new(queue),
        "transform",
        sluice_tests::contract::Delivery::Once,
    )
    .await;
}

#[tokio::test]
async fn a_directory_passes_the_object_store_contract() {
    let dir = tempdir();
    let store = sluice_local::DirObjectStore::open(&dir.join("objects")).expect("open");
    sluice_tests::contract::object_store(Arc::new(store)).await;
    let entries: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        entries,
        vec!["objects".to_string()],
        "nothing was written outside the root"
    );
}

/// Parquet bytes of `ids` and `names`, written with Arrow's Parquet writer.
fn parquet(ids: &[i64], names: &[&str]) -> Vec<u8> {
    use sluice_engine::datafusion::arrow::array::{Int64Array, StringArray};
    use sluice_engine::datafusion::arrow::datatypes::{DataType, Field, Schema};
    use sluice_engine::datafusion::arrow::record_batch::RecordBatch;
    use sluice_engine::datafusion::parquet::arrow::ArrowWriter;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(ids.to_vec())),
            Arc::new(StringArray::from(names.to_vec())),
        ],
    )
    .expect("batch");
    let mut out = vec![];
    let mut writer = ArrowWriter::try_new(&mut out, schema, None).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
    out
}

#[tokio::test]
async fn the_embedded_warehouse_queries_parquet_tables_a_page_at_a_time() {
    use sluice_domain::ports::{ObjectStore as _, TableRef, Warehouse as _, WarehouseError};
    use sluice_engine::DataFusionWarehouse;

    let dir = tempdir();
    let project = sluice_domain::Id::generate(sluice_domain::Kind::Project, 1);
    let mart = sluice_domain::Id::generate(sluice_domain::Kind::DataMart, 1);
    let location = sluice_domain::pipeline::objects::table(&project, &mart);
    let objects = sluice_local::DirObjectStore::open(&dir.join("objects")).expect("objects");
    objects
        .put(
            &format!("{location}part-0.parquet"),
            parquet(&[1, 2, 3], &["a", "b", "c"]),
        )
        .await
        .expect("put");
    objects
        .put(
            &format!("{location}part-1.parquet"),
            parquet(&[4, 5], &["d", "e"]),
        )
        .await
        .expect("put");
    let w = DataFusionWarehouse::new(&dir.join("objects"));
    let orders = [TableRef {
        storage: None,
        name: "orders".into(),
        location: location.clone(),
        columns: vec![],
    }];

    let all = w
        .query(
            &project,
            &orders,
            "select count(*) as n, sum(id) as total from orders",
            10,
            None,
        )
        .await
        .expect("query");
    assert_eq!(
        all.rows,
        vec![vec![serde_json::json!(5), serde_json::json!(15)]]
    );
    assert_eq!(
        all.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        vec!["n", "total"]
    );

    let mut seen = vec![];
    let mut page = None;
    let mut pages = 0;
    loop {
        let p = w
            .query(
                &project,
                &orders,
                "select id, name from orders order by id",
                2,
                page.as_deref(),
            )
            .await
            .expect("page");
        seen.extend(p.rows.iter().map(|r| r[0].as_i64().expect("id")));
        pages += 1;
        match p.next_page {
            Some(next) => page = Some(next),
            None => break,
        }
    }
    assert_eq!((seen, pages), (vec![1, 2, 3, 4, 5], 3));

    // New files are seen by the next query.
    objects
        .put(&format!("{location}part-2.parquet"), parquet(&[6], &["f"]))
        .await
        .expect("put");
    let n = w
        .query(&project, &orders, "select count(*) from orders", 1, None)
        .await
        .expect("query");
    assert_eq!(n.rows[0][0], serde_json::json!(6));

    // What a caller gets wrong is a query error naming it; nothing is written.
    for bad in [
        "select nope from orders",
        "select * from missing",
        "selec 1",
        "create table t as select 1",
        "drop table orders",
        "insert into orders values (9, 'x')",
    ] {
        assert!(
            matches!(
                w.query(&project, &orders, bad, 10, None).await,
                Err(WarehouseError::Query(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        w.query(&project, &orders, "select 1", 10, Some("x")).await,
        Err(WarehouseError::BadPageToken)
    ));
    let bad_name = [TableRef {
        storage: None,
        name: "bad name".into(),
        location: location.clone(),
        columns: vec![],
    }];
    assert!(matches!(
        w.query(&project, &bad_name, "select 1", 1, None).await,
        Err(WarehouseError::Query(_))
    ));
    let escape = [TableRef {
        storage: None,
        name: "t".into(),
        location: format!("{location}../../../etc"),
        columns: vec![],
    }];
    assert!(matches!(
        w.query(&project, &escape, "select 1", 1, None).await,
        Err(WarehouseError::Query(_))
    ));
    // A query sees only the tables it was given.
    assert!(matches!(
        w.query(&project, &[], "select count(*) from orders", 1, None)
            .await,
        Err(WarehouseError::Query(_))
    ));
    let n = w
        .query(&project, &orders, "select count(*) from orders", 1, None)
        .await
        .expect("query");
    assert_eq!(
        n.rows[0][0],
        serde_json::json!(6),
        "the refused statements changed nothing"
    );
}

/// The health check's calls on the embedded parts: the queue file, the object
/// directory and the engine answer while they are there; the object store and
/// the warehouse fail once the directory is gone.
#[tokio::test]
async fn each_embedded_part_answers_its_health_check_and_fails_once_gone() {
    use sluice_domain::ports::{ObjectStore as _, Queue as _, Warehouse as _};
    let dir = tempdir();
    let queue = sluice_local::SqliteQueue::open(&dir.join("meta.db"), &[("transform", 3)])
        .expect("open the queue");
    queue.check().await.expect("the queue answers");
    let root = dir.join("objects");
    let objects = sluice_local::DirObjectStore::open(&root).expect("open the objects");
    objects.check().await.expect("the directory answers");
    let warehouse = sluice_engine::warehouse::DataFusionWarehouse::new(&root);
    warehouse.check().await.expect("the engine answers");

    std::fs::remove_dir_all(&root).expect("remove the objects");
    let e = objects.check().await.expect_err("no directory");
    assert!(e.to_string().contains("No such file"), "{e}");
    warehouse.check().await.expect_err("no directory");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_process_counter_passes_the_request_counter_contract() {
    sluice_tests::contract::request_counter(
        Arc::new(sluice_app::budget::ProcessCounter::default()),
    )
    .await;
}
