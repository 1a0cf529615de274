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

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "sluice-test-{}",
        sluice_domain::Id::generate(
            sluice_domain::Kind::Run,
            chrono::Utc::now().timestamp_millis() as u64
        )
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[tokio::test]
async fn sqlite_queue_passes_the_queue_contract() {
    let dir = tempdir();
    let queue =
        sluice_local::SqliteQueue::open(&dir.join("meta.db"), &[("transform", 3)]).expect("open");
    sluice_tests::contract::queue(Arc::new(queue), "transform").await;
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
