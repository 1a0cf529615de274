//! The bounded-holders primitive, once, on a real store: run slots and chunk
//! leases are both this.

use std::sync::Arc;

use chrono::{Duration, Utc};
use sluice_app::holders::{self, Bound, HoldError};
use sluice_domain::pipeline::{ChunkLeases, HolderSet as _, RunSlots};
use sluice_domain::ports::MetadataStore;
use sluice_domain::{Id, Kind};
use sluice_local::SqliteStore;

fn store() -> (Arc<dyn MetadataStore>, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "sluice-holders-{}",
        Id::generate(Kind::Run, Utc::now().timestamp_millis() as u64)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = SqliteStore::open(&dir.join("meta.db"), 4).expect("open the store");
    (Arc::new(store), dir)
}

/// Many takers at once, in many tasks: exactly `max` hold; the others hear
/// who holds; a holder taking again still holds; once holders are done, their
/// places are taken back for new takers; giving one back frees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_more_than_max_hold_at_once_and_done_holders_are_taken_back() {
    let (store, dir) = store();
    let project = Id::derived(Kind::Project, &["p"]);
    let owner = Id::derived(Kind::DataMart, &["m"]);
    let now = Utc::now();
    let bound = Bound {
        max: 3,
        expires: None,
    };
    let takers: Vec<Id> = (0..24)
        .map(|i| Id::derived(Kind::Run, &[&i.to_string()]))
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for t in &takers {
        let (store, project, owner, t) = (store.clone(), project.clone(), owner.clone(), t.clone());
        tasks.spawn(async move {
            let taken = holders::take::<RunSlots, _>(
                store.as_ref(),
                &project,
                &owner,
                &t,
                bound,
                now,
                |_| async { Ok(true) },
            )
            .await;
            (t, taken)
        });
    }
    let mut holding = vec![];
    while let Some(done) = tasks.join_next().await {
        let (t, taken) = done.expect("task");
        match taken {
            Ok(()) => holding.push(t),
            Err(HoldError::Full(first)) => assert!(takers.contains(&first.0)),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(holding.len(), 3, "exactly max hold: {holding:?}");
    let set =
        sluice_app::records::get::<RunSlots>(store.as_ref(), &project, &RunSlots::id_for(&owner))
            .await
            .expect("read")
            .expect("the set exists");
    assert_eq!(set.held.len(), 3);
    for h in &holding {
        assert!(set.held.holds(h));
    }
    // A holder taking again still holds (a redelivered message).
    holders::take::<RunSlots, _>(
        store.as_ref(),
        &project,
        &owner,
        &holding[0],
        bound,
        now,
        |_| async { Ok(true) },
    )
    .await
    .expect("holds already");
    // Holders that are done are taken back when the set is full.
    let newcomer = Id::derived(Kind::Run, &["new"]);
    let done = holding[1].clone();
    holders::take::<RunSlots, _>(
        store.as_ref(),
        &project,
        &owner,
        &newcomer,
        bound,
        now,
        move |h| {
            let done = done.clone();
            async move { Ok(h.holder != done) }
        },
    )
    .await
    .expect("the done holder's place is taken back");
    // Giving one back frees it.
    assert!(
        holders::release::<RunSlots>(store.as_ref(), &project, &owner, &newcomer, now)
            .await
            .expect("release")
    );
    assert!(
        !holders::release::<RunSlots>(store.as_ref(), &project, &owner, &newcomer, now)
            .await
            .expect("release twice")
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Holds older than the bound's expiry are dropped, whatever their holders say.
#[tokio::test]
async fn expired_holds_are_dropped() {
    let (store, dir) = store();
    let project = Id::derived(Kind::Project, &["p"]);
    let run = Id::derived(Kind::Run, &["r"]);
    let bound = Bound {
        max: 1,
        expires: Some(Duration::seconds(ChunkLeases::EXPIRES_SECONDS)),
    };
    let (a, b) = (
        Id::derived(Kind::Chunk, &["a"]),
        Id::derived(Kind::Chunk, &["b"]),
    );
    let then = Utc::now();
    holders::take::<ChunkLeases, _>(store.as_ref(), &project, &run, &a, bound, then, |_| async {
        Ok(true)
    })
    .await
    .expect("the first lease");
    let full = holders::take::<ChunkLeases, _>(
        store.as_ref(),
        &project,
        &run,
        &b,
        bound,
        then,
        |_| async { Ok(true) },
    )
    .await;
    assert!(matches!(full, Err(HoldError::Full(_))), "{full:?}");
    let later = then + Duration::seconds(ChunkLeases::EXPIRES_SECONDS);
    holders::take::<ChunkLeases, _>(
        store.as_ref(),
        &project,
        &run,
        &b,
        bound,
        later,
        |_| async { Ok(true) },
    )
    .await
    .expect("the expired lease is dropped");
    let _ = std::fs::remove_dir_all(dir);
}
