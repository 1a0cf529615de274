//! Backfills: one backfill run per window of a date range, no more at once than
//! the data mart's `max_active_runs`; the scheduler starts windows as slots free.

use std::sync::Arc;

use sluice_domain::entities::{Backfill, CreateBackfill, DataMart, Definition, Meta, Run};
use sluice_domain::ports::Queue;
use sluice_domain::{IdOf, Kind};

use super::scheduler::advance_backfill;
use super::{Ctx, List, Page, list_page, load};
use crate::error::{ServiceError, ServiceResult};
use crate::records;

/// `POST /v1/data-marts/{id}/backfills`
pub async fn create(
    ctx: &Ctx<'_>,
    queue: &Arc<dyn Queue>,
    mart_id: &IdOf<DataMart>,
    body: CreateBackfill,
) -> ServiceResult<Backfill> {
    body.windows()?;
    let mart = load::<DataMart>(ctx, mart_id).await?;
    mart.ensure_live()?;
    if !matches!(mart.definition, Some(Definition::Connector(_))) {
        return Err(ServiceError::Conflict(format!(
            "data mart {} has no connector definition; only connector data marts run",
            mart.meta.id
        )));
    }
    let b = Backfill::running(
        Meta::new(
            Kind::Backfill,
            ctx.project(),
            &ctx.principal.subject,
            ctx.now,
        ),
        IdOf::of_record(&mart),
        &body,
    )?;
    super::insert(ctx, &b).await?;
    // Start the first windows now; the scheduler starts the rest as runs finish.
    advance_backfill(ctx.deps, queue, ctx.project(), &b.meta.id, ctx.now).await?;
    load(ctx, &IdOf::of_record(&b)).await
}

/// `page.parent`: only the backfills of this data mart.
pub async fn list(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<Backfill>> {
    list_page::<Backfill>(ctx, page).await
}

pub async fn get(ctx: &Ctx<'_>, id: &IdOf<Backfill>) -> ServiceResult<Backfill> {
    load(ctx, id).await
}

/// `POST /v1/backfills/{id}/cancel`: no more windows start; the runs in flight are
/// cancelled.
pub async fn cancel(ctx: &Ctx<'_>, id: &IdOf<Backfill>) -> ServiceResult<Backfill> {
    let b = load::<Backfill>(ctx, id).await?;
    let store = ctx.deps.store.as_ref();
    let mut refused = None;
    let b = records::update::<Backfill>(store, ctx.project(), &b.meta.id, ctx.now, |b| {
        refused = b.cancel(ctx.now).err();
        refused.is_none()
    })
    .await?
    .ok_or_else(|| ServiceError::not_found(Kind::Backfill, id.as_str()))?;
    if let Some(e) = refused {
        return Err(e.into());
    }
    for run_id in b.windows.iter().filter_map(|w| w.run_id.as_ref()) {
        if let Some(run) = records::get::<Run>(store, ctx.project(), run_id).await?
            && run.holds_slot()
        {
            match super::runs::cancel_run(ctx.deps, &run, ctx.now).await {
                // It ended meanwhile: nothing to cancel.
                Ok(_) | Err(ServiceError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(b)
}
