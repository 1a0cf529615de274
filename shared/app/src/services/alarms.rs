//! Alarms: raised by the scheduler where a run fails for good, misses its
//! SLA or is found stuck, and where a report's delivery fails; listed by
//! `GET /v1/alarms` and acknowledged by `POST /v1/alarms/{id}/acknowledge`.
//! See `sluice_domain::entities::Alarm` for how one counts and reopens.

use serde::Deserialize;
use sluice_domain::entities::{Alarm, AlarmState};
use sluice_domain::ports::{ListQuery, StoreError};
use sluice_domain::{IdOf, Kind};

use super::{Ctx, List, Page};
use crate::Deps;
use crate::error::{ServiceError, ServiceResult};
use crate::records;

/// Raises `raised` (an [`Alarm::raised`]): creates it, or counts the stored
/// alarm of its kind and record again. An alarm that opens (new, or raised
/// again after an acknowledgement) is announced on the project's channels
/// ([`super::notifications::alarm_opened`]). Best effort: a store that fails
/// is logged, the caller goes on (an alarm must not stop the scheduler).
pub async fn raise(deps: &Deps, raised: Alarm) {
    match try_raise(deps, &raised).await {
        Ok(Some(opened)) => super::notifications::alarm_opened(deps, &opened).await,
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = %e, alarm = raised.kind.as_str(), subject = %raised.subject_id, "Alarm not raised.");
        }
    }
}

/// The alarm, when raising it opened it.
async fn try_raise(deps: &Deps, raised: &Alarm) -> Result<Option<Alarm>, StoreError> {
    let store = deps.store.as_ref();
    let (kind, subject) = (raised.kind.as_str(), &raised.subject_id);
    let run = raised.last_run_id.as_ref();
    for _ in 0..5 {
        let mut reopened = false;
        let updated = records::update::<Alarm>(
            store,
            &raised.meta.project_id,
            &raised.meta.id,
            raised.last_raised_at,
            |a| {
                reopened = a.state == AlarmState::Acknowledged;
                a.raise_again(run, &raised.message, raised.last_raised_at)
            },
        )
        .await?;
        if let Some(alarm) = updated {
            tracing::warn!(alarm = kind, subject = %subject, "Alarm raised again.");
            // Counted again while open: announced when it opened.
            let opened = reopened && alarm.state == AlarmState::Open;
            return Ok(opened.then_some(alarm));
        }
        if records::insert_once(store, raised).await? {
            tracing::warn!(alarm = kind, subject = %subject, "Alarm raised.");
            return Ok(Some(raised.clone()));
        }
        // Raised by another process in between: count on it.
    }
    Err(StoreError::VersionConflict)
}

/// `state` of `GET /v1/alarms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateFilter {
    Open,
    Acknowledged,
}

/// `GET /v1/alarms`: the project's alarms, by their ids; only the open (or
/// the acknowledged) ones with `state`. A filtered page may hold fewer than
/// `limit`: follow `next_cursor` until it is `null`.
pub async fn list(
    ctx: &Ctx<'_>,
    page: &Page,
    state: Option<StateFilter>,
) -> ServiceResult<List<Alarm>> {
    let found = ctx
        .deps
        .store
        .list(&ListQuery {
            project: ctx.project().clone(),
            kind: Kind::Alarm,
            parent: None,
            after: page.after.clone(),
            limit: page.limit,
        })
        .await?;
    let mut items = vec![];
    for r in &found.records {
        let a = records::from_record::<Alarm>(r)?;
        let keep = match state {
            None => true,
            Some(StateFilter::Open) => a.state == AlarmState::Open,
            Some(StateFilter::Acknowledged) => a.state == AlarmState::Acknowledged,
        };
        if keep {
            items.push(a);
        }
    }
    Ok(List {
        items,
        next_cursor: found.next.map(|n| n.to_string()),
    })
}

/// `POST /v1/alarms/{id}/acknowledge`: acknowledged by the caller (again is
/// a no-op); it opens again when raised again.
pub async fn acknowledge(ctx: &Ctx<'_>, id: &IdOf<Alarm>) -> ServiceResult<Alarm> {
    let who = ctx.principal.subject.clone();
    let now = ctx.now;
    records::update::<Alarm>(
        ctx.deps.store.as_ref(),
        ctx.project(),
        id.as_id(),
        now,
        |a| a.acknowledge(&who, now),
    )
    .await?
    .ok_or_else(|| ServiceError::not_found(Kind::Alarm, id.as_str()))
}
