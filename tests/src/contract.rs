//! Contract suites: one per port, run against every adapter.

use std::sync::Arc;

use sluice_domain::ports::{
    DueCursor, DueQuery, ListQuery, MetadataStore, Record, SecretValue, Secrets, StoreError,
};
use sluice_domain::{Id, Kind};

fn now_ms() -> u64 {
    chrono::Utc::now().timestamp_millis() as u64
}

/// A new record (version 1, live) with a fresh id, for store tests.
pub fn record(project: &Id, kind: Kind, parent: Option<&Id>, body: &str) -> Record {
    Record {
        project: project.clone(),
        kind,
        id: Id::generate(kind, now_ms()),
        parent: parent.cloned(),
        version: 1,
        deleted: false,
        due_at: None,
        body: body.to_string(),
    }
}

/// Every behaviour the services rely on, for one store. Each call uses fresh
/// projects, so suites can share a store.
pub async fn metadata_store(store: Arc<dyn MetadataStore>) {
    let p = Id::generate(Kind::Project, now_ms());
    let other = Id::generate(Kind::Project, now_ms());

    // Round trip, and isolation between projects and kinds.
    let a = record(&p, Kind::DataMart, None, r#"{"title":"a"}"#);
    store.insert(&a).await.expect("insert");
    assert_eq!(
        store.get(&p, Kind::DataMart, &a.id).await.expect("get"),
        Some(a.clone())
    );
    assert_eq!(
        store
            .get(&other, Kind::DataMart, &a.id)
            .await
            .expect("get other project"),
        None,
        "a record is invisible from another project"
    );
    assert_eq!(
        store
            .get(&p, Kind::DataMart, &Id::generate(Kind::DataMart, now_ms()))
            .await
            .expect("get missing"),
        None
    );

    // Conditional insert.
    assert!(
        matches!(store.insert(&a).await, Err(StoreError::AlreadyExists)),
        "inserting an existing key is refused"
    );

    // Optimistic concurrency.
    let mut b = a.clone();
    b.version = 2;
    b.body = r#"{"title":"b"}"#.into();
    store
        .replace(&b)
        .await
        .expect("replace at the read version");
    let mut stale = a.clone();
    stale.version = 2;
    stale.body = r#"{"title":"stale"}"#.into();
    assert!(
        matches!(
            store.replace(&stale).await,
            Err(StoreError::VersionConflict)
        ),
        "a stale write is refused"
    );
    assert_eq!(
        store
            .get(&p, Kind::DataMart, &a.id)
            .await
            .expect("get")
            .map(|r| r.body),
        Some(b.body.clone()),
        "a refused write changes nothing"
    );
    let mut ghost = record(&p, Kind::DataMart, None, "{}");
    ghost.version = 2;
    assert!(
        matches!(
            store.replace(&ghost).await,
            Err(StoreError::VersionConflict)
        ),
        "replacing a missing record is refused"
    );
    assert_eq!(
        store.get(&p, Kind::DataMart, &ghost.id).await.expect("get"),
        None,
        "and does not create it"
    );

    // Concurrent writers from the same version: exactly one wins.
    let base = store
        .get(&p, Kind::DataMart, &a.id)
        .await
        .expect("get")
        .expect("exists");
    let mut tasks = vec![];
    for i in 0..8 {
        let store = store.clone();
        let mut r = base.clone();
        r.version += 1;
        r.body = format!(r#"{{"title":"writer {i}"}}"#);
        tasks.push(tokio::spawn(async move { store.replace(&r).await }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(()) => wins += 1,
            Err(StoreError::VersionConflict) => {}
            Err(e) => panic!("unexpected store error: {e}"),
        }
    }
    assert_eq!(wins, 1, "exactly one concurrent writer wins");

    // Listing: newest first, paginated, live records of one kind and project only.
    let storage = Id::generate(Kind::Storage, now_ms());
    let mut made = vec![a.id.clone()];
    for i in 0..11 {
        let r = record(
            &p,
            Kind::DataMart,
            (i % 2 == 0).then_some(&storage),
            &format!(r#"{{"n":{i}}}"#),
        );
        store.insert(&r).await.expect("insert");
        made.push(r.id.clone());
    }
    store
        .insert(&record(&p, Kind::Source, None, "{}"))
        .await
        .expect("insert another kind");
    store
        .insert(&record(&other, Kind::DataMart, None, "{}"))
        .await
        .expect("insert another project");
    // Soft-delete one.
    let victim = made.remove(3);
    let mut del = store
        .get(&p, Kind::DataMart, &victim)
        .await
        .expect("get")
        .expect("exists");
    del.version += 1;
    del.deleted = true;
    store.replace(&del).await.expect("soft delete");

    let mut seen = vec![];
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = store
            .list(&ListQuery {
                project: p.clone(),
                kind: Kind::DataMart,
                parent: None,
                after: after.clone(),
                limit: 4,
            })
            .await
            .expect("list");
        assert!(page.records.len() <= 4);
        pages += 1;
        seen.extend(page.records.iter().map(|r| r.id.clone()));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
        assert!(pages < 10, "pagination terminates");
    }
    made.reverse();
    assert_eq!(
        seen, made,
        "every live record once, newest first, the deleted one left out"
    );
    assert_eq!(pages, 3, "11 live records in pages of 4");

    let children = store
        .list(&ListQuery {
            project: p.clone(),
            kind: Kind::DataMart,
            parent: Some(storage.clone()),
            after: None,
            limit: 100,
        })
        .await
        .expect("list by parent");
    assert!(children.next.is_none());
    assert!(
        children
            .records
            .iter()
            .all(|r| r.parent.as_ref() == Some(&storage))
    );
    let expected = made
        .iter()
        .filter(|id| children.records.iter().any(|r| &r.id == *id))
        .count();
    assert_eq!(children.records.len(), expected);
    assert_eq!(
        children.records.len(),
        5,
        "six children, one of them deleted"
    );
    let empty = store
        .list(&ListQuery {
            project: other.clone(),
            kind: Kind::Trigger,
            parent: None,
            after: None,
            limit: 10,
        })
        .await
        .expect("list empty");
    assert!(empty.records.is_empty() && empty.next.is_none());

    due_index(store.as_ref(), &p, &other).await;
}

/// The due index: every project and kind, earliest first, paged by a cursor,
/// following writes that move or clear `due_at`.
async fn due_index(store: &dyn MetadataStore, p: &Id, other: &Id) {
    // Instants no other suite uses (1970), offset per call so calls sharing a
    // store stay apart.
    let base = (now_ms() % 1_000_000) as i64 * 1_000;
    let mut made = vec![];
    for (project, kind, due) in [
        (p, Kind::Trigger, Some(30)),
        (other, Kind::Run, Some(10)),
        (p, Kind::Backfill, Some(20)),
        (p, Kind::Trigger, Some(10)),
        (other, Kind::Trigger, Some(40)),
        (p, Kind::Trigger, None),
    ] {
        let mut r = record(project, kind, None, "{}");
        r.due_at = due.map(|d| base + d);
        store.insert(&r).await.expect("insert a due record");
        made.push(r);
    }
    // Just before our earliest record (due times are `base + n`, n ≥ 10).
    let before_ours = || {
        Some(DueCursor {
            due_at: base,
            project: p.clone(),
            kind: Kind::Trigger,
            id: made[0].id.clone(),
        })
    };
    let ours = |rs: Vec<Record>| -> Vec<Record> {
        rs.into_iter()
            .filter(|r| made.iter().any(|m| m.id == r.id))
            .collect()
    };
    // Ours that are due by `base + 30`, in one page.
    let due_ours = || async {
        ours(
            store
                .due(&DueQuery {
                    until: base + 30,
                    after: before_ours(),
                    limit: 1000,
                })
                .await
                .expect("due"),
        )
    };
    let all = due_ours().await;
    let dues: Vec<i64> = all.iter().map(|r| r.due_at.expect("due") - base).collect();
    assert_eq!(
        dues,
        vec![10, 10, 20, 30],
        "earliest first, none later than `until`"
    );
    for r in &all {
        let m = made.iter().find(|m| m.id == r.id).expect("one of ours");
        assert_eq!((&r.project, r.kind, &r.body), (&m.project, m.kind, &m.body));
    }
    // Page by page (a page of one), each page continuing after the last record.
    let mut paged = vec![];
    let mut after = before_ours();
    loop {
        let page = store
            .due(&DueQuery {
                until: base + 30,
                after: after.clone(),
                limit: 1,
            })
            .await
            .expect("due page");
        let Some(last) = page.last() else { break };
        after = DueCursor::of(last);
        paged.extend(ours(page));
    }
    assert_eq!(
        paged.iter().map(|r| &r.id).collect::<Vec<_>>(),
        all.iter().map(|r| &r.id).collect::<Vec<_>>()
    );
    // Moving a record's due time later, or clearing it, takes it out.
    let mut moved = made[3].clone();
    moved.version = 2;
    moved.due_at = Some(base + 1_000);
    store.replace(&moved).await.expect("move");
    let mut cleared = made[1].clone();
    cleared.version = 2;
    cleared.due_at = None;
    store.replace(&cleared).await.expect("clear");
    let after_writes = due_ours().await;
    let dues: Vec<i64> = after_writes
        .iter()
        .map(|r| r.due_at.expect("due") - base)
        .collect();
    assert_eq!(dues, vec![20, 30]);
}

/// Every behaviour the services rely on, for one secret store.
pub async fn secrets(secrets: Arc<dyn Secrets>) {
    let name = format!("sluice/test/{}", Id::generate(Kind::Source, now_ms()));
    assert_eq!(secrets.get(&name).await.expect("get missing"), None);
    secrets
        .put(&name, &SecretValue::new(r#"{"token":"one"}"#.into()))
        .await
        .expect("put");
    assert_eq!(
        secrets
            .get(&name)
            .await
            .expect("get")
            .map(|v| v.expose().to_string()),
        Some(r#"{"token":"one"}"#.into())
    );
    secrets
        .put(&name, &SecretValue::new(r#"{"token":"two"}"#.into()))
        .await
        .expect("put a new version");
    assert_eq!(
        secrets
            .get(&name)
            .await
            .expect("get")
            .map(|v| v.expose().to_string()),
        Some(r#"{"token":"two"}"#.into())
    );
    let other = format!("{name}-other");
    secrets
        .put(&other, &SecretValue::new("{}".into()))
        .await
        .expect("put another");
    secrets.delete(&name).await.expect("delete");
    assert_eq!(secrets.get(&name).await.expect("get deleted"), None);
    assert!(
        secrets.get(&other).await.expect("get other").is_some(),
        "deleting one secret keeps the others"
    );
    secrets
        .delete(&name)
        .await
        .expect("deleting a missing secret is not an error");
    assert_eq!(
        format!("{:?}", SecretValue::new("hunter2".into())),
        "SecretValue(********)"
    );
}

/// How often a queue may hand one message out while it is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Once per visibility timeout (the embedded queue).
    Once,
    /// At least once: an SQS standard queue may give a message to two
    /// concurrent receivers now and then (and moto's emulation does). The run
    /// machine is idempotent for this reason; the contract then asks only that
    /// nothing is lost.
    AtLeastOnce,
}

/// Every behaviour the run machinery relies on, for one queue adapter. `queue` must
/// allow 3 receives before its `{queue}-dlq` takes a message, and be empty.
pub async fn queue(q: Arc<dyn sluice_domain::ports::Queue>, queue: &str, delivery: Delivery) {
    use std::collections::HashSet;
    use std::time::Duration;

    use sluice_domain::ports::QueueError;

    let secs = Duration::from_secs;
    let dlq = format!("{queue}-dlq");
    assert!(
        matches!(
            q.send("no-such-queue", "x", secs(0)).await,
            Err(QueueError::NoSuchQueue(_))
        ),
        "an unknown queue is named, not created"
    );

    // Delivery, visibility and ack.
    for body in ["a", "b", "c"] {
        q.send(queue, body, secs(0)).await.expect("send");
    }
    let got = q.receive(queue, 10, secs(3)).await.expect("receive");
    let bodies: HashSet<&str> = got.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, HashSet::from(["a", "b", "c"]));
    assert!(got.iter().all(|m| m.receive_count == 1));
    assert!(
        q.receive(queue, 10, secs(3))
            .await
            .expect("receive")
            .is_empty(),
        "received messages are hidden"
    );
    let by = |b: &str| got.iter().find(|m| m.body == b).cloned().expect("message");
    q.ack(queue, &by("a").receipt).await.expect("ack");
    q.set_visibility(queue, &by("b").receipt, secs(0))
        .await
        .expect("give back");
    let again = q.receive(queue, 10, secs(30)).await.expect("receive");
    assert_eq!(again.len(), 1, "only the given-back message: {again:?}");
    assert_eq!((again[0].body.as_str(), again[0].receive_count), ("b", 2));
    assert_eq!(again[0].id, by("b").id, "a redelivery keeps the message id");
    q.ack(queue, &again[0].receipt).await.expect("ack");
    // `c` reappears once its visibility timeout passes.
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    let late = q.receive(queue, 10, secs(30)).await.expect("receive");
    assert_eq!(
        late.iter()
            .map(|m| (m.body.as_str(), m.receive_count))
            .collect::<Vec<_>>(),
        vec![("c", 2)]
    );
    q.ack(queue, &late[0].receipt).await.expect("ack");

    // A poison message goes to the DLQ after its allowed receives.
    q.send(queue, "poison", secs(0)).await.expect("send");
    for attempt in 1..=3 {
        let m = q.receive(queue, 1, secs(30)).await.expect("receive");
        assert_eq!(m.len(), 1, "attempt {attempt}");
        q.set_visibility(queue, &m[0].receipt, secs(0))
            .await
            .expect("give back");
    }
    assert!(
        q.receive(queue, 10, secs(30))
            .await
            .expect("receive")
            .is_empty(),
        "moved out of the queue"
    );
    let dead = q.receive(&dlq, 10, secs(30)).await.expect("receive dlq");
    assert_eq!(
        dead.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        vec!["poison"]
    );
    q.ack(&dlq, &dead[0].receipt).await.expect("ack dlq");

    // Delayed messages wait.
    q.send(queue, "later", secs(2)).await.expect("send delayed");
    assert!(
        q.receive(queue, 10, secs(30))
            .await
            .expect("receive")
            .is_empty(),
        "not before its delay"
    );
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let m = q.receive(queue, 10, secs(30)).await.expect("receive");
    assert_eq!(
        m.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        vec!["later"]
    );
    q.ack(queue, &m[0].receipt).await.expect("ack");

    // Zero visibility gives the message straight back, but one receive delivers it once.
    q.send(queue, "peek", secs(0)).await.expect("send");
    let peeked = q.receive(queue, 10, secs(0)).await.expect("receive");
    assert_eq!(
        peeked
            .iter()
            .map(|m| (m.body.as_str(), m.receive_count))
            .collect::<Vec<_>>(),
        vec![("peek", 1)]
    );
    let m = q.receive(queue, 10, secs(30)).await.expect("receive");
    assert_eq!(
        m.iter()
            .map(|m| (m.body.as_str(), m.receive_count))
            .collect::<Vec<_>>(),
        vec![("peek", 2)]
    );
    q.ack(queue, &m[0].receipt).await.expect("ack");

    // Concurrent consumers share the work without a message going to two of them.
    for i in 0..20 {
        q.send(queue, &format!("job {i}"), secs(0))
            .await
            .expect("send");
    }
    let mut workers = vec![];
    for _ in 0..4 {
        let q = q.clone();
        let queue = queue.to_string();
        workers.push(tokio::spawn(async move {
            let mut mine = vec![];
            for _ in 0..20 {
                let batch = q
                    .receive(&queue, 3, Duration::from_secs(60))
                    .await
                    .expect("receive");
                if batch.is_empty() {
                    break;
                }
                for m in batch {
                    q.ack(&queue, &m.receipt).await.expect("ack");
                    mine.push(m.body);
                }
            }
            mine
        }));
    }
    let mut all = vec![];
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), 20, "every job: {all:?}");
    if delivery == Delivery::Once {
        assert_eq!(all.len(), 20, "each job exactly once: {all:?}");
    }
}

/// Every behaviour the run machinery relies on, for one object store. Uses keys under
/// a fresh prefix, so suites can share a store.
pub async fn object_store(s: Arc<dyn sluice_domain::ports::ObjectStore>) {
    use sluice_domain::ports::ObjectError;

    let p = format!("contract/{}", Id::generate(Kind::Run, now_ms()));
    let key = |k: &str| format!("{p}/{k}");
    assert_eq!(s.get(&key("missing")).await.expect("get missing"), None);
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    s.put(&key("raw/chunk-000001.ndjson.zst"), bytes.clone())
        .await
        .expect("put");
    assert_eq!(
        s.get(&key("raw/chunk-000001.ndjson.zst"))
            .await
            .expect("get"),
        Some(bytes.clone()),
        "binary round trip"
    );
    // Ranges: inside, across the end, past the end; a missing key.
    let k = key("raw/chunk-000001.ndjson.zst");
    assert_eq!(
        s.get_range(&k, 1000, 300).await.expect("range"),
        Some(bytes[1000..1300].to_vec())
    );
    assert_eq!(
        s.get_range(&k, 69_990, 100)
            .await
            .expect("range at the end"),
        Some(bytes[69_990..].to_vec())
    );
    assert_eq!(
        s.get_range(&k, 70_000, 10)
            .await
            .expect("range past the end"),
        Some(vec![])
    );
    assert_eq!(
        s.get_range(&key("missing"), 0, 10)
            .await
            .expect("range of nothing"),
        None
    );
    // A prefix cannot reach outside the store.
    for outside in ["../", "../../etc/", "contract/../../"] {
        match s.list(outside).await {
            Ok(found) => assert!(
                found.iter().all(|o| !o.key.contains("..")),
                "{outside}: {found:?}"
            ),
            Err(ObjectError::BadKey(_)) => {}
            Err(e) => panic!("{outside}: {e}"),
        }
    }
    let info = s.list(&k).await.expect("list one");
    let since_2020 = 1_577_836_800_000;
    assert!(
        info.len() == 1 && info[0].modified_ms > since_2020,
        "listing says when an object changed: {info:?}"
    );
    s.put(&key("raw/chunk-000001.ndjson.zst"), b"again".to_vec())
        .await
        .expect("overwrite");
    assert_eq!(
        s.get(&key("raw/chunk-000001.ndjson.zst"))
            .await
            .expect("get"),
        Some(b"again".to_vec())
    );
    s.put(&key("raw/chunk-000000.ndjson.zst"), b"zero".to_vec())
        .await
        .expect("put");
    s.put(&key("parquet/part-0.parquet"), b"pq".to_vec())
        .await
        .expect("put");
    let listed: Vec<(String, u64)> = s
        .list(&key("raw/"))
        .await
        .expect("list")
        .into_iter()
        .map(|o| (o.key, o.size))
        .collect();
    assert_eq!(
        listed,
        vec![
            (key("raw/chunk-000000.ndjson.zst"), 4),
            (key("raw/chunk-000001.ndjson.zst"), 5)
        ],
        "by prefix, in key order"
    );
    assert_eq!(s.list(&p).await.expect("list").len(), 3);
    s.delete(&key("raw/chunk-000000.ndjson.zst"))
        .await
        .expect("delete");
    s.delete(&key("raw/chunk-000000.ndjson.zst"))
        .await
        .expect("deleting a missing key is not an error");
    assert_eq!(s.list(&key("raw/")).await.expect("list").len(), 1);
    // Copies: the bytes under a second key, replacing what was there. The copy
    // keeps its bytes when its source is written again or deleted; a missing
    // source is `false` and writes nothing.
    let (from, to) = (
        key("staged/chunk-a.parquet"),
        key("tables/part-00000.parquet"),
    );
    s.put(&from, bytes.clone()).await.expect("put");
    s.put(&to, b"old".to_vec()).await.expect("put");
    assert!(s.copy(&from, &to).await.expect("copy"));
    assert_eq!(s.get(&to).await.expect("get"), Some(bytes.clone()));
    assert!(
        s.copy(&from, &to).await.expect("copy again"),
        "copying again makes the same copy"
    );
    s.put(&from, b"new".to_vec()).await.expect("put");
    assert_eq!(
        s.get(&to).await.expect("get"),
        Some(bytes.clone()),
        "writing the source again leaves the copy"
    );
    s.delete(&from).await.expect("delete");
    assert_eq!(
        s.get(&to).await.expect("get"),
        Some(bytes.clone()),
        "the copy outlives its source"
    );
    let nothing = key("tables/part-00001.parquet");
    assert!(!s.copy(&from, &nothing).await.expect("copy of nothing"));
    assert_eq!(s.get(&nothing).await.expect("get"), None);
    let tables: Vec<String> = s
        .list(&key("tables/"))
        .await
        .expect("list")
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(tables, std::slice::from_ref(&to), "nothing else is listed");
    for bad in [
        "",
        "/etc/passwd",
        "a/../../b",
        "a//b",
        "a/./b",
        "sp ace",
        "trailing/",
    ] {
        assert!(
            matches!(s.put(bad, vec![1]).await, Err(ObjectError::BadKey(_))),
            "{bad:?} is refused"
        );
        assert!(
            matches!(s.get(bad).await, Err(ObjectError::BadKey(_))),
            "{bad:?} is refused"
        );
        for (a, b) in [(bad, to.as_str()), (to.as_str(), bad)] {
            assert!(
                matches!(s.copy(a, b).await, Err(ObjectError::BadKey(_))),
                "a copy {a:?} → {b:?} is refused"
            );
        }
    }
}

/// The request counter's contract: each caller counted on its own, in its own
/// window, and every hit counted once when many land at once.
pub async fn request_counter(c: Arc<dyn sluice_domain::ports::RequestCounter>) {
    let caller = format!("key:{}", Id::generate(Kind::ApiKey, 1_700_000_000_000));
    let other = format!("user:{}", Id::generate(Kind::User, 1_700_000_000_000));
    assert_eq!(c.hit(&caller, 600, 60).await.expect("hit"), 1);
    assert_eq!(c.hit(&caller, 600, 60).await.expect("hit"), 2);
    assert_eq!(
        c.hit(&other, 600, 60).await.expect("hit"),
        1,
        "another caller's own count"
    );
    assert_eq!(
        c.hit(&caller, 660, 60).await.expect("hit"),
        1,
        "a new window starts at 1"
    );
    // Twenty at once: each gets its own number, none lost, none twice.
    let mut hits = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (c, caller) = (c.clone(), caller.clone());
        hits.spawn(async move { c.hit(&caller, 720, 60).await.expect("hit") });
    }
    let mut counts: Vec<u64> = vec![];
    while let Some(n) = hits.join_next().await {
        counts.push(n.expect("a hit's task"));
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<u64>>());
}
