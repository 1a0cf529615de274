//! Alarms: raised by the scheduler where a run fails for good, misses its
//! SLA or is found stuck, and where a report's delivery fails; listed by
//! `GET /v1/alarms` and acknowledged by `POST /v1/alarms/{id}/acknowledge`.
//! See `sluice_domain::entities::Alarm` for how one counts and reopens.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sluice_domain::entities::{Alarm, AlarmKind, AlarmState};
use sluice_domain::ports::{ListQuery, StoreError};
use sluice_domain::{Id, IdOf, Kind};

use super::{Ctx, List, Page};
use crate::Deps;
use crate::error::{ServiceError, ServiceResult};
use crate::records;

/// Raises the alarm of `kind` about `subject` (creates it, or counts it
/// again). Best effort: a store that fails is logged, the caller goes on (an
/// alarm must not stop the scheduler).
pub async fn raise(
    deps: &Deps,
    project: &Id,
    kind: AlarmKind,
    subject: &Id,
    run: Option<&Id>,
    message: &str,
    now: DateTime<Utc>,
) {
    if let Err(e) = try_raise(deps, project, kind, subject, run, message, now).await {
        tracing::error!(error = %e, alarm = kind.as_str(), subject = %subject, "Alarm not raised.");
    }
}

async fn try_raise(
    deps: &Deps,
    project: &Id,
    kind: AlarmKind,
    subject: &Id,
    run: Option<&Id>,
    message: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let store = deps.store.as_ref();
    let id = Alarm::id_for(project, kind, subject);
    for _ in 0..5 {
        let updated = records::update::<Alarm>(store, project, &id, now, |a| {
            a.raise_again(run, message, now)
        })
        .await?;
        if updated.is_some() {
            tracing::warn!(alarm = kind.as_str(), subject = %subject, "Alarm raised again.");
            return Ok(());
        }
        let new = Alarm::raised(project, kind, subject, run, message, now);
        if records::insert_once(store, &new).await? {
            tracing::warn!(alarm = kind.as_str(), subject = %subject, "Alarm raised.");
            return Ok(());
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
