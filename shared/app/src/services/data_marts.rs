//! Data marts: drafts, definitions, validation, publishing.

use serde::Serialize;
use sluice_domain::Kind;
use sluice_domain::connectors;
use sluice_domain::entities::{
    CreateDataMart, DataMart, DataMartStatus, Definition, Meta, Problem, Source, Storage,
    UpdateDataMart, validate_text, validate_title,
};

use super::{
    Ctx, created, list_page, load, load_any, no_content, ok, require_ref, save, soft_delete,
};
use crate::api::{ApiRequest, ApiResponse, parse_body};
use crate::error::{ApiError, ApiResult};

/// The outcome of validating a definition.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ValidationReport {
    pub valid: bool,
    pub problems: Vec<Problem>,
}

pub async fn create(ctx: &Ctx<'_>, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let body: CreateDataMart = parse_body(req)?;
    let (title, storage_id, description) = body.validate()?;
    require_ref::<Storage>(ctx, "storage_id", &storage_id).await?;
    let dm = DataMart {
        meta: Meta::new(
            Kind::DataMart,
            ctx.project(),
            &ctx.principal.subject,
            ctx.now,
        ),
        title,
        description,
        storage_id,
        status: DataMartStatus::Draft,
        definition: None,
        schema: vec![],
        published_at: None,
    };
    super::insert(ctx, &dm).await?;
    created(&dm, format!("/v1/data-marts/{}", dm.meta.id))
}

pub async fn list(ctx: &Ctx<'_>, req: &ApiRequest) -> ApiResult<ApiResponse> {
    ok(
        200,
        &list_page::<DataMart>(ctx, req, Some(("storage_id", Kind::Storage))).await?,
    )
}

pub async fn get(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    ok(200, &load::<DataMart>(ctx, id).await?)
}

/// A mart to change: deleted ones are a conflict, not a silent 404.
async fn load_for_change(ctx: &Ctx<'_>, id: &str) -> ApiResult<DataMart> {
    let dm: DataMart = load_any(ctx, id).await?;
    dm.ensure_live()?;
    Ok(dm)
}

pub async fn update(ctx: &Ctx<'_>, id: &str, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let body: UpdateDataMart = parse_body(req)?;
    let mut dm = load_for_change(ctx, id).await?;
    if let Some(t) = &body.title {
        dm.title = validate_title("title", t)?;
    }
    if let Some(d) = body.description {
        if let Some(text) = &d {
            validate_text("description", text, 10_000)?;
        }
        dm.description = d;
    }
    save(ctx, &mut dm, body.version).await?;
    ok(200, &dm)
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let mut dm: DataMart = load(ctx, id).await?;
    soft_delete(ctx, &mut dm).await?;
    no_content()
}

/// Every problem of `def`: its shape, then what its references reveal.
async fn problems(ctx: &Ctx<'_>, def: &Definition) -> ApiResult<Vec<Problem>> {
    let mut out = def.problems();
    if let Definition::Connector(c) = def {
        match require_ref::<Source>(ctx, "definition.source_id", &c.source_id).await {
            Ok(source) => match connectors::connector(&source.connector) {
                Some(spec) => out.extend(c.check_against_connector(&spec)),
                None => out.push(Problem {
                    field: "definition.source_id".into(),
                    reason: format!("source uses unknown connector `{}`", source.connector),
                }),
            },
            Err(ApiError::Validation { field, reason, .. }) => out.push(Problem { field, reason }),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn refuse(problems: Vec<Problem>) -> ApiError {
    let first = &problems[0];
    let (field, reason) = (first.field.clone(), first.reason.clone());
    ApiError::Validation {
        details: serde_json::json!({"field": field, "reason": reason, "problems": problems}),
        field,
        reason,
    }
}

pub async fn set_definition(ctx: &Ctx<'_>, id: &str, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let def = Definition::from_json(parse_body(req)?)?;
    let mut dm = load_for_change(ctx, id).await?;
    let found = problems(ctx, &def).await?;
    if !found.is_empty() {
        return Err(refuse(found));
    }
    dm.definition = Some(def);
    save(ctx, &mut dm, None).await?;
    ok(200, &dm)
}

pub async fn validate_definition(
    ctx: &Ctx<'_>,
    id: &str,
    req: &ApiRequest,
) -> ApiResult<ApiResponse> {
    let dm: DataMart = load(ctx, id).await?;
    let given = !req.body.iter().all(u8::is_ascii_whitespace);
    let def = if given {
        match Definition::from_json(parse_body(req)?) {
            Ok(d) => Some(d),
            Err(e) => {
                return ok(
                    200,
                    &ValidationReport {
                        valid: false,
                        problems: vec![Problem::from(e)],
                    },
                );
            }
        }
    } else {
        dm.definition
    };
    let report = match def {
        None => ValidationReport {
            valid: false,
            problems: vec![Problem {
                field: "definition".into(),
                reason: "the data mart has no definition yet".into(),
            }],
        },
        Some(d) => {
            let problems = problems(ctx, &d).await?;
            ValidationReport {
                valid: problems.is_empty(),
                problems,
            }
        }
    };
    ok(200, &report)
}

pub async fn publish(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let mut dm = load_for_change(ctx, id).await?;
    dm.ensure_publishable()?;
    if let Some(def) = &dm.definition {
        let found = problems(ctx, def).await?;
        if !found.is_empty() {
            return Err(refuse(found));
        }
    }
    dm.publish(ctx.now)?;
    save(ctx, &mut dm, None).await?;
    ok(200, &dm)
}
