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

use sluice_app::holders::{self, Bound, HoldError};
use sluice_app::records;
use sluice_domain::Id;
use sluice_domain::pipeline::{Chunk, ChunkLeases, ChunkStatus};

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
    let bound = Bound {
        max: parallelism.clamp(1, 16) as usize,
        expires: Some(chrono::Duration::seconds(ChunkLeases::EXPIRES_SECONDS)),
    };
    let taken = holders::take::<ChunkLeases, _>(
        store,
        project,
        run,
        chunk,
        bound,
        m.now(),
        move |h| async move {
            // A chunk no longer waiting for its transform is done with its lease.
            Ok(records::get::<Chunk>(store, project, &h.holder)
                .await?
                .is_some_and(|c| c.status == ChunkStatus::Extracted))
        },
    )
    .await;
    match taken {
        Ok(()) => Ok(true),
        Err(HoldError::Full(_)) => Ok(false),
        Err(HoldError::Contended) => Err(Fault::Transient(format!(
            "the chunk leases of run {run} are contended; the chunk will be tried again"
        ))),
        Err(HoldError::Store(e)) => Err(e.into()),
    }
}

/// Gives `chunk`'s lease back. A lease left behind (this write failed, the
/// process died) is taken back once the chunk is no longer waiting.
pub(crate) async fn release(m: &Machine, project: &Id, run: &Id, chunk: &Id) {
    let released =
        holders::release::<ChunkLeases>(m.deps.store.as_ref(), project, run, chunk, m.now()).await;
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
