//! The one bounded-holders primitive: takes a place in a [`HolderSet`] (a data
//! mart's run slots, a run's chunk leases) with a version-checked write on its
//! one record, so two takers at once, in two processes, can never both pass the
//! bound. When the set is full, the holds whose holders are done are taken back
//! first (so no release step can be missed), and holds may expire.

use chrono::{DateTime, Duration, Utc};
use sluice_domain::Id;
use sluice_domain::entities::Meta;
use sluice_domain::pipeline::{Full, Hold, HolderSet};
use sluice_domain::ports::{MetadataStore, StoreError};

use crate::records;

/// Writes a taker retries against others' writes before it gives up.
const TRIES: usize = 200;

/// The bound of one set.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    /// Holders at once.
    pub max: usize,
    /// A hold older than this is dropped whatever its holder says.
    pub expires: Option<Duration>,
}

#[derive(Debug, thiserror::Error)]
pub enum HoldError {
    /// All places are held: the first holder.
    #[error("all places are held (first by {})", (.0).0)]
    Full(Full),
    /// Others wrote the set every time this taker tried: try again later.
    #[error("the set is being taken by many at once")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Takes a place for `holder` in `owner`'s set `S` (nothing to do when it holds
/// one). When the set is full, each hold is kept only if `still_holds` says its
/// holder still needs it.
pub async fn take<S: HolderSet, F>(
    store: &dyn MetadataStore,
    project: &Id,
    owner: &Id,
    holder: &Id,
    bound: Bound,
    now: DateTime<Utc>,
    still_holds: impl Fn(Hold) -> F,
) -> Result<(), HoldError>
where
    F: Future<Output = Result<bool, StoreError>>,
{
    let id = S::id_for(owner);
    for _ in 0..TRIES {
        let existing = records::get::<S>(store, project, &id).await?;
        let mut set = existing.clone().unwrap_or_else(|| {
            let mut meta = Meta::new(S::KIND, project, "sluice", now);
            meta.id = id.clone();
            S::empty(meta, owner)
        });
        if set.holds().holds(holder) {
            return Ok(());
        }
        let holds = set.holds_mut();
        if let Some(ttl) = bound.expires {
            holds.expire(ttl, now);
        }
        if holds.len() >= bound.max {
            let mut keep = Vec::with_capacity(holds.len());
            for h in holds.iter() {
                keep.push(still_holds(h.clone()).await?);
            }
            holds.keep(&keep);
        }
        holds
            .take(holder, bound.max, now)
            .map_err(HoldError::Full)?;
        match records::write(store, &mut set, existing.is_some(), now).await {
            Ok(()) => return Ok(()),
            Err(StoreError::VersionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(HoldError::Contended)
}

/// Gives `holder`'s place in `owner`'s set back; `false` when it held none.
pub async fn release<S: HolderSet>(
    store: &dyn MetadataStore,
    project: &Id,
    owner: &Id,
    holder: &Id,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut released = false;
    records::update::<S>(store, project, &S::id_for(owner), now, |s| {
        released = s.holds_mut().release(holder);
        released
    })
    .await?;
    Ok(released)
}
