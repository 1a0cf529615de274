//! Triggers: schedules, validated, with their next fire times.

use sluice_domain::Kind;
use sluice_domain::entities::{
    CreateTrigger, DataMart, Lineage, Meta, Report, TargetKind, Trigger, TriggerView,
    UpdateTrigger, dependency_edges, find_cycle, lineage,
};

use super::scheduler::project_triggers;
use super::{
    Ctx, created, list_page, load, map_list, no_content, ok, require_ref, save, soft_delete,
};
use crate::api::{ApiRequest, ApiResponse, parse_body};
use crate::error::{ApiError, ApiResult};

const SHOWN_FIRES: usize = 5;

fn view(t: &Trigger, now: chrono::DateTime<chrono::Utc>) -> TriggerView {
    TriggerView {
        trigger: t.clone(),
        next_fire_times: t.upcoming(now, SHOWN_FIRES),
    }
}

pub async fn create(ctx: &Ctx<'_>, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let body: CreateTrigger = parse_body(req)?;
    let t = body.into_trigger(Meta::new(
        Kind::Trigger,
        ctx.project(),
        &ctx.principal.subject,
        ctx.now,
    ))?;
    match t.target_kind {
        TargetKind::DataMart => {
            drop(require_ref::<DataMart>(ctx, "target_id", &t.target_id).await?)
        }
        TargetKind::Report => drop(require_ref::<Report>(ctx, "target_id", &t.target_id).await?),
    }
    check_upstream(ctx, &t).await?;
    super::insert(ctx, &t).await?;
    created(&view(&t, ctx.now), format!("/v1/triggers/{}", t.meta.id))
}

pub async fn list(ctx: &Ctx<'_>, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let target = crate::api::query_params(req)
        .into_iter()
        .find(|(k, _)| k == "target_id")
        .map(|(_, v)| v);
    // The parent index holds either kind of target; the id's prefix says which.
    let kind = match target.as_deref().and_then(sluice_domain::Id::kind_of) {
        Some(Kind::Report) => Kind::Report,
        Some(Kind::DataMart) | None => Kind::DataMart,
        Some(_) => {
            return Err(ApiError::invalid(
                "target_id",
                "must be a data mart or report id",
            ));
        }
    };
    let page = list_page::<Trigger>(ctx, req, Some(("target_id", kind))).await?;
    ok(200, &map_list(page, |t| view(t, ctx.now)))
}

pub async fn get(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    ok(200, &view(&load::<Trigger>(ctx, id).await?, ctx.now))
}

pub async fn update(ctx: &Ctx<'_>, id: &str, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let body: UpdateTrigger = parse_body(req)?;
    let mut t: Trigger = load(ctx, id).await?;
    let version = body.version;
    body.apply(&mut t, ctx.now)?;
    check_upstream(ctx, &t).await?;
    save(ctx, &mut t, version).await?;
    ok(200, &view(&t, ctx.now))
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let mut t: Trigger = load(ctx, id).await?;
    soft_delete(ctx, &mut t).await?;
    no_content()
}

/// Upstream data marts must be live data marts of this project, and the new edges
/// must not close a cycle: 422 naming the field, and the cycle.
async fn check_upstream(ctx: &Ctx<'_>, t: &Trigger) -> ApiResult<()> {
    let Some(up) = &t.upstream else { return Ok(()) };
    for (i, id) in up.data_mart_ids.iter().enumerate() {
        require_ref::<DataMart>(ctx, &format!("upstream.data_mart_ids[{i}]"), id).await?;
    }
    let others: Vec<Trigger> = project_triggers(ctx.deps, ctx.project())
        .await?
        .into_iter()
        .filter(|o| o.meta.id != t.meta.id)
        .collect();
    let edges = dependency_edges(&others);
    let new = dependency_edges([t]);
    if let Some(cycle) = find_cycle(&edges, &new) {
        let path: Vec<&str> = cycle.iter().map(|i| i.as_str()).collect();
        return Err(ApiError::invalid(
            "upstream.data_mart_ids",
            format!("would form a cycle: {}", path.join(" → ")),
        ));
    }
    Ok(())
}

/// `GET /v1/data-marts/{id}/lineage`
pub async fn lineage_of(ctx: &Ctx<'_>, mart_id: &str) -> ApiResult<ApiResponse> {
    let mart = load::<DataMart>(ctx, mart_id).await?;
    let triggers = project_triggers(ctx.deps, ctx.project()).await?;
    let edges = dependency_edges(&triggers);
    ok(
        200,
        &Lineage {
            upstream: lineage(&edges, &mart.meta.id, true),
            downstream: lineage(&edges, &mart.meta.id, false),
            data_mart_id: mart.meta.id,
        },
    )
}
