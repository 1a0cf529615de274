//! Reports.

use sluice_domain::entities::{
    CreateReport, DataMart, Destination, MIN_CACHE_TTL_SECONDS, Meta, Report, UpdateReport,
    parse_ref, validate_report_fields, validate_title,
};
use sluice_domain::{IdOf, Kind};

use super::{Ctx, List, Page, list_page, load, require_ref, save, soft_delete};
use crate::error::ServiceResult;

pub async fn create(ctx: &Ctx<'_>, body: CreateReport) -> ServiceResult<Report> {
    let (title, data_mart_id, destination_id) = body.validate()?;
    require_ref::<DataMart>(ctx, "data_mart_id", &data_mart_id).await?;
    require_ref::<Destination>(ctx, "destination_id", &destination_id).await?;
    let r = Report {
        meta: Meta::new(Kind::Report, ctx.project(), &ctx.principal.subject, ctx.now),
        title,
        data_mart_id,
        destination_id,
        query: body.query,
        cache_ttl_seconds: body.cache_ttl_seconds,
    };
    super::insert(ctx, &r).await?;
    Ok(r)
}

pub async fn list(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<Report>> {
    list_page::<Report>(ctx, page).await
}

pub async fn get(ctx: &Ctx<'_>, id: &IdOf<Report>) -> ServiceResult<Report> {
    load(ctx, id).await
}

pub async fn update(ctx: &Ctx<'_>, id: &IdOf<Report>, body: UpdateReport) -> ServiceResult<Report> {
    let mut r: Report = load(ctx, id).await?;
    if let Some(t) = &body.title {
        r.title = validate_title("title", t)?;
    }
    if let Some(d) = &body.destination_id {
        let dst = parse_ref("destination_id", Kind::Destination, d)?;
        require_ref::<Destination>(ctx, "destination_id", &dst).await?;
        r.destination_id = dst;
    }
    if let Some(q) = body.query {
        r.query = Some(q);
    }
    if let Some(ttl) = body.cache_ttl_seconds {
        r.cache_ttl_seconds = ttl;
    } else if r.cache_ttl_seconds < MIN_CACHE_TTL_SECONDS {
        // Written before the data endpoint cached: its least.
        r.cache_ttl_seconds = MIN_CACHE_TTL_SECONDS;
    }
    validate_report_fields(r.query.as_deref(), r.cache_ttl_seconds)?;
    save(ctx, &mut r, body.version).await?;
    Ok(r)
}

pub async fn delete(ctx: &Ctx<'_>, id: &IdOf<Report>) -> ServiceResult<()> {
    let mut r: Report = load(ctx, id).await?;
    soft_delete(ctx, &mut r).await
}
