//! Chunk leases: a run transforms at most `parallelism` chunks at once, counted
//! across every process that serves its queue (Lambda instances, two local
//! servers over one database), not only within one. A transform takes a lease
//! with a version-checked write on one record per run; when they are all taken,
//! its message is put back on the queue for a little later, which costs no
//! receive (a message that waits must never reach the dead-letter queue for it).
//!
//! A lease is the chunk's, not the process's: a redelivered chunk whose first
//! holder died finds its own lease and goes on. Leases of chunks no longer
//! waiting for their transform are taken back when the leases are full, and any
//! lease expires after `ChunkLeases::EXPIRES_SECONDS`.

use std::time::Duration;

use sluice_app::records;
use sluice_domain::entities::Meta;
use sluice_domain::pipeline::{Chunk, ChunkLease, ChunkLeases, ChunkStatus};
use sluice_domain::ports::StoreError;
use sluice_domain::{Id, Kind};

use crate::{Fault, Machine};

/// Takes a lease for `chunk` of `run`: `true` when it holds one now (or held one
/// already), `false` when `parallelism` other chunks hold them.
pub(crate) async fn take(
    m: &Machine,
    project: &Id,
    run: &Id,
    chunk: &Id,
    parallelism: u32,
) -> Result<bool, Fault> {
    let store = m.deps.store.as_ref();
    let id = ChunkLeases::id_for(run);
    let max = parallelism.clamp(1, 16) as usize;
    for _ in 0..100 {
        let now = m.now();
        let existing = records::get::<ChunkLeases>(store, project, &id).await?;
        let mut leases = existing.clone().unwrap_or_else(|| {
            let mut meta = Meta::new(Kind::Leases, project, "sluice", now);
            meta.id = id.clone();
            ChunkLeases {
                meta,
                run_id: run.clone(),
                held: vec![],
            }
        });
        if leases.held.iter().any(|l| &l.chunk_id == chunk) {
            return Ok(true);
        }
        let expiry = chrono::Duration::seconds(ChunkLeases::EXPIRES_SECONDS);
        leases.held.retain(|l| now - l.since < expiry);
        if leases.held.len() >= max {
            let mut keep = Vec::with_capacity(leases.held.len());
            for l in leases.held.drain(..) {
                let waiting = records::get::<Chunk>(store, project, &l.chunk_id)
                    .await?
                    .is_some_and(|c| c.status == ChunkStatus::Extracted);
                if waiting {
                    keep.push(l);
                }
            }
            leases.held = keep;
        }
        if leases.held.len() >= max {
            return Ok(false);
        }
        leases.held.push(ChunkLease {
            chunk_id: chunk.clone(),
            since: now,
        });
        match records::write(store, &mut leases, existing.is_some(), now).await {
            Ok(()) => return Ok(true),
            Err(StoreError::VersionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Fault::Transient(format!(
        "the chunk leases of run {run} are contended; the chunk will be tried again"
    )))
}

/// Gives `chunk`'s lease back. A lease left behind (this write failed, the
/// process died) is taken back once the chunk is no longer waiting.
pub(crate) async fn release(m: &Machine, project: &Id, run: &Id, chunk: &Id) {
    let id = ChunkLeases::id_for(run);
    let released =
        records::update::<ChunkLeases>(m.deps.store.as_ref(), project, &id, m.now(), |l| {
            let before = l.held.len();
            l.held.retain(|h| &h.chunk_id != chunk);
            l.held.len() != before
        })
        .await;
    if let Err(e) = released {
        tracing::warn!(run_id = %run, chunk_id = %chunk, error = %e, "Could not give a chunk lease back; it is taken back later.");
    }
}

/// How long a chunk waits for a lease before it asks again: 1–2 s, spread by
/// the chunk so that the waiting chunks do not all come back at once.
pub(crate) fn wait_for(chunk: &Id) -> Duration {
    let spread = chunk
        .as_str()
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    Duration::from_millis(1_000 + spread % 1_000)
}
