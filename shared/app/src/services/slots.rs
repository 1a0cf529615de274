//! Run slots: a data mart runs at most `max_active_runs` runs at once, whoever
//! starts them (the API, two ticks at once, a backfill). A slot is a place in the
//! data mart's [`RunSlots`], taken with the [`holders`](crate::holders)
//! primitive; the slot of a run that is over is taken back when the slots are
//! full.

use chrono::{DateTime, Duration, Utc};
use sluice_domain::Id;
use sluice_domain::entities::{DataMart, Run};
use sluice_domain::pipeline::RunSlots;

use super::runs::max_active_runs;
use crate::Deps;
use crate::error::{ServiceError, ServiceResult};
use crate::holders::{self, Bound, HoldError};
use crate::records;

/// A slot whose run is not written yet stays taken this long (its starter is
/// between taking the slot and writing the run).
const UNWRITTEN_GRACE_SECONDS: i64 = 60;

/// Takes a slot of `mart` for `run`. `None` when it holds one now (or held one
/// already); `Some(holder)`, a run holding a slot, when all are taken.
pub async fn take(
    deps: &Deps,
    mart: &DataMart,
    run: &Id,
    now: DateTime<Utc>,
) -> ServiceResult<Option<Id>> {
    let store = deps.store.as_ref();
    let project = &mart.meta.project_id;
    let bound = Bound {
        max: max_active_runs(mart) as usize,
        expires: None,
    };
    let taken = holders::take::<RunSlots, _>(
        store,
        project,
        &mart.meta.id,
        run,
        bound,
        now,
        move |h| async move {
            Ok(
                match records::get::<Run>(store, project, &h.holder).await? {
                    Some(r) => r.holds_slot(),
                    None => now - h.since < Duration::seconds(UNWRITTEN_GRACE_SECONDS),
                },
            )
        },
    )
    .await;
    match taken {
        Ok(()) => Ok(None),
        Err(HoldError::Full(full)) => Ok(Some(full.0)),
        // Not a conflict the caller must fix: a scheduled fire stays pending and
        // the next tick tries again.
        Err(HoldError::Contended) => Err(ServiceError::Unavailable(format!(
            "data mart {} is being started by many callers at once; try again",
            mart.meta.id
        ))),
        Err(HoldError::Store(e)) => Err(e.into()),
    }
}
