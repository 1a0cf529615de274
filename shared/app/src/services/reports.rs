//! Reports.

use sluice_domain::entities::{
    CreateReport, DataMart, Destination, MIN_CACHE_TTL_SECONDS, Meta, Report, UpdateReport,
    parse_ref_of, validate_report_fields, validate_title,
};
use sluice_domain::output::ParameterValues;
use sluice_domain::{Field, IdOf, Kind};

use super::{Ctx, List, Page, list_page, load, require_ref, save, soft_delete};
use crate::error::{ServiceError, ServiceResult};

/// The query a report reads `mart` with (`${DATA_MART_TABLE}` naming the
/// mart): its own, the one its output controls compile to with `given`
/// parameter values (defaults filling the rest), or every row.
pub fn report_sql(
    report: &Report,
    mart: &DataMart,
    given: &ParameterValues,
) -> ServiceResult<String> {
    Ok(match (&report.query, &report.output) {
        (Some(q), _) => q.clone(),
        (None, Some(o)) => {
            let values = o.parameter_values(given)?;
            o.to_sql(super::runs::TABLE_MACRO, &mart.schema, &values)?
        }
        (None, None) => format!("SELECT * FROM {}", super::runs::TABLE_MACRO),
    })
}

pub async fn create(ctx: &Ctx<'_>, body: CreateReport) -> ServiceResult<Report> {
    let (title, data_mart_id, destination_id) = body.validate()?;
    let mart = require_ref::<DataMart>(ctx, "data_mart_id", &data_mart_id).await?;
    require_ref::<Destination>(ctx, "destination_id", &destination_id).await?;
    if let Some(o) = &body.output {
        o.check(&Field::new("output"), &mart.schema)?;
    }
    let r = Report {
        meta: Meta::new(Kind::Report, ctx.project(), &ctx.principal.subject, ctx.now),
        title,
        data_mart_id,
        destination_id,
        query: body.query,
        output: body.output,
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
    if body.query.is_some() && body.output.is_some() {
        return Err(ServiceError::invalid(
            "output",
            "a report takes either a `query` or `output` controls, not both",
        ));
    }
    if let Some(d) = &body.destination_id {
        let dst = parse_ref_of::<Destination>("destination_id", d)?;
        require_ref::<Destination>(ctx, "destination_id", &dst).await?;
        r.destination_id = dst;
    }
    // One replaces the other.
    if let Some(q) = body.query {
        r.query = Some(q);
        r.output = None;
    }
    if let Some(o) = body.output {
        let mart = require_ref::<DataMart>(ctx, "data_mart_id", &r.data_mart_id).await?;
        o.check(&Field::new("output"), &mart.schema)?;
        r.output = Some(o);
        r.query = None;
    }
    if let Some(ttl) = body.cache_ttl_seconds {
        r.cache_ttl_seconds = ttl;
    } else if r.cache_ttl_seconds < MIN_CACHE_TTL_SECONDS {
        // Written before the data endpoint cached: its least.
        r.cache_ttl_seconds = MIN_CACHE_TTL_SECONDS;
    }
    validate_report_fields(r.query.as_deref(), r.output.as_ref(), r.cache_ttl_seconds)?;
    save(ctx, &mut r, body.version).await?;
    Ok(r)
}

pub async fn delete(ctx: &Ctx<'_>, id: &IdOf<Report>) -> ServiceResult<()> {
    let mut r: Report = load(ctx, id).await?;
    soft_delete(ctx, &mut r).await
}
