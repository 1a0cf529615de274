//! Triggers: schedules, validated, with their next fire times.

use sluice_domain::entities::{
    CreateTrigger, DataMart, Lineage, LineageLink, Meta, Report, TargetKind, Trigger, TriggerView,
    UpdateTrigger, dependency_edges, find_cycle, lineage, lineage_edges,
};
use sluice_domain::{IdOf, Kind};

use super::scheduler::project_triggers;
use super::{Ctx, List, Page, list_page, load, map_list, require_ref, save, soft_delete};
use crate::error::{ServiceError, ServiceResult};

const SHOWN_FIRES: usize = 5;

fn view(t: &Trigger, now: chrono::DateTime<chrono::Utc>) -> TriggerView {
    TriggerView {
        trigger: t.clone(),
        next_fire_times: t.upcoming(now, SHOWN_FIRES),
    }
}

pub async fn create(ctx: &Ctx<'_>, body: CreateTrigger) -> ServiceResult<TriggerView> {
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
    Ok(view(&t, ctx.now))
}

/// `page.parent`: the data mart or report whose triggers to list.
pub async fn list(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<TriggerView>> {
    let page = list_page::<Trigger>(ctx, page).await?;
    Ok(map_list(page, |t| view(t, ctx.now)))
}

pub async fn get(ctx: &Ctx<'_>, id: &IdOf<Trigger>) -> ServiceResult<TriggerView> {
    Ok(view(&load::<Trigger>(ctx, id).await?, ctx.now))
}

pub async fn update(
    ctx: &Ctx<'_>,
    id: &IdOf<Trigger>,
    body: UpdateTrigger,
) -> ServiceResult<TriggerView> {
    let mut t: Trigger = load(ctx, id).await?;
    let version = body.version;
    body.apply(&mut t, ctx.now)?;
    check_upstream(ctx, &t).await?;
    save(ctx, &mut t, version).await?;
    Ok(view(&t, ctx.now))
}

pub async fn delete(ctx: &Ctx<'_>, id: &IdOf<Trigger>) -> ServiceResult<()> {
    let mut t: Trigger = load(ctx, id).await?;
    soft_delete(ctx, &mut t).await
}

/// Upstream data marts must be live data marts of this project, and the new edges
/// must not close a cycle: 422 naming the field, and the cycle.
async fn check_upstream(ctx: &Ctx<'_>, t: &Trigger) -> ServiceResult<()> {
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
        return Err(ServiceError::invalid(
            "upstream.data_mart_ids",
            format!("would form a cycle: {}", path.join(" → ")),
        ));
    }
    Ok(())
}

/// `GET /v1/data-marts/{id}/lineage`
pub async fn lineage_of(ctx: &Ctx<'_>, mart_id: &IdOf<DataMart>) -> ServiceResult<Lineage> {
    let mart = load::<DataMart>(ctx, mart_id).await?;
    let triggers = project_triggers(ctx.deps, ctx.project()).await?;
    let edges = dependency_edges(&triggers);
    let upstream = lineage(&edges, &mart.meta.id, true);
    let downstream = lineage(&edges, &mart.meta.id, false);
    let links: Vec<&LineageLink> = upstream.iter().chain(&downstream).collect();
    let among = lineage_edges(&edges, &mart.meta.id, &links);
    Ok(Lineage {
        upstream,
        downstream,
        edges: among,
        data_mart_id: mart.meta.id,
    })
}
