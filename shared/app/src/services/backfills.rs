//! Backfills: one backfill run per window of a date range, no more at once than
//! the data mart's `max_active_runs`; the scheduler starts windows as slots free.

use sluice_domain::Kind;
use sluice_domain::entities::{
    Backfill, BackfillStatus, CreateBackfill, DataMart, Definition, Meta, RunStatus,
};

use super::scheduler::advance_backfill;
use super::{Ctx, List, created, list_page, load, ok};
use crate::api::{ApiRequest, ApiResponse, parse_body};
use crate::error::{ApiError, ApiResult};
use crate::records;

/// `POST /v1/data-marts/{id}/backfills`
pub async fn create(ctx: &Ctx<'_>, mart_id: &str, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let body: CreateBackfill = parse_body(req)?;
    let windows = body.windows()?;
    let mart = load::<DataMart>(ctx, mart_id).await?;
    mart.ensure_live()?;
    if !matches!(mart.definition, Some(Definition::Connector(_))) {
        return Err(ApiError::Conflict(format!(
            "data mart {} has no connector definition; only connector data marts run",
            mart.meta.id
        )));
    }
    ctx.deps.queue()?;
    let b = Backfill {
        meta: Meta::new(
            Kind::Backfill,
            ctx.project(),
            &ctx.principal.subject,
            ctx.now,
        ),
        data_mart_id: mart.meta.id.clone(),
        from: body.from,
        to: body.to,
        window: body.window,
        status: BackfillStatus::Running,
        windows,
        finished_at: None,
        wake_at: None,
    };
    super::insert(ctx, &b).await?;
    // Start the first windows now; the scheduler starts the rest as runs finish.
    advance_backfill(ctx.deps, ctx.project(), &b.meta.id, ctx.now).await?;
    let b = load::<Backfill>(ctx, b.meta.id.as_str()).await?;
    created(&b, format!("/v1/backfills/{}", b.meta.id))
}

pub async fn list(ctx: &Ctx<'_>, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let page: List<Backfill> =
        list_page::<Backfill>(ctx, req, Some(("data_mart_id", Kind::DataMart))).await?;
    ok(200, &page)
}

pub async fn get(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    ok(200, &load::<Backfill>(ctx, id).await?)
}

/// `POST /v1/backfills/{id}/cancel`: no more windows start; the runs in flight are
/// cancelled.
pub async fn cancel(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let b = load::<Backfill>(ctx, id).await?;
    let store = ctx.deps.store.as_ref();
    let mut refused = None;
    let b = records::update::<Backfill>(store, ctx.project(), &b.meta.id, ctx.now, |b| {
        if b.status != BackfillStatus::Running {
            refused = Some(b.status);
            return false;
        }
        refused = None;
        b.status = BackfillStatus::Cancelled;
        b.finished_at = Some(ctx.now);
        true
    })
    .await?
    .ok_or_else(|| ApiError::not_found(Kind::Backfill, id))?;
    if let Some(status) = refused {
        return Err(ApiError::Conflict(format!(
            "backfill {id} is {}; it cannot be cancelled",
            serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        )));
    }
    for run_id in b.windows.iter().filter_map(|w| w.run_id.as_ref()) {
        let cancelled = records::update::<sluice_domain::entities::Run>(
            store,
            ctx.project(),
            run_id,
            ctx.now,
            |r| {
                if r.status.is_final() {
                    return false;
                }
                r.status = RunStatus::Cancelled;
                r.finished_at = Some(ctx.now);
                true
            },
        )
        .await?;
        if cancelled.is_some_and(|r| r.status == RunStatus::Cancelled) {
            super::runs::drop_run_objects(ctx.deps, ctx.project(), run_id).await;
        }
    }
    ok(200, &b)
}
