//! Run slots: a data mart runs at most `max_active_runs` runs at once, whoever
//! starts them (the API, two ticks at once, a backfill). Taking a slot is a
//! conditional write on one record per data mart; slots of runs that are over
//! are taken back when the slots are full, so no release step can be missed.

use chrono::{DateTime, Duration, Utc};
use sluice_domain::entities::{DataMart, Meta, Run};
use sluice_domain::pipeline::{RunSlots, Slot};
use sluice_domain::ports::StoreError;
use sluice_domain::{Id, Kind};

use super::runs::max_active_runs;
use crate::Deps;
use crate::error::{ApiError, ApiResult};
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
) -> ApiResult<Option<Id>> {
    let store = deps.store.as_ref();
    let project = &mart.meta.project_id;
    let max = max_active_runs(mart) as usize;
    let id = RunSlots::id_for(&mart.meta.id);
    for _ in 0..200 {
        let existing = records::get::<RunSlots>(store, project, &id).await?;
        let mut slots = existing.clone().unwrap_or_else(|| {
            let mut meta = Meta::new(Kind::Slots, project, "sluice", now);
            meta.id = id.clone();
            RunSlots {
                meta,
                data_mart_id: mart.meta.id.clone(),
                held: vec![],
            }
        });
        if slots.held.iter().any(|s| &s.run_id == run) {
            return Ok(None);
        }
        if slots.held.len() >= max {
            let mut keep = Vec::with_capacity(slots.held.len());
            for s in slots.held.drain(..) {
                let live = match records::get::<Run>(store, project, &s.run_id).await? {
                    Some(r) => r.holds_slot(),
                    None => now - s.since < Duration::seconds(UNWRITTEN_GRACE_SECONDS),
                };
                if live {
                    keep.push(s);
                }
            }
            slots.held = keep;
        }
        if slots.held.len() >= max {
            return Ok(Some(slots.held[0].run_id.clone()));
        }
        slots.held.push(Slot {
            run_id: run.clone(),
            since: now,
        });
        match records::write(store, &mut slots, existing.is_some(), now).await {
            Ok(()) => return Ok(None),
            Err(StoreError::VersionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    // Not a conflict the caller must fix: a scheduled fire stays pending and the
    // next tick tries again.
    Err(ApiError::Unavailable(format!(
        "data mart {} is being started by many callers at once; try again",
        mart.meta.id
    )))
}
