//! Data marts: drafts, definitions, validation, publishing.

use serde::Serialize;
use serde_json::Value;
use sluice_domain::connectors;
use sluice_domain::entities::{
    CreateDataMart, DataMart, DataMartStatus, Definition, Meta, Problem, Source, Storage,
    UpdateDataMart, validate_text, validate_title,
};
use sluice_domain::ports::{ColumnInfo, WarehouseError};
use sluice_domain::{IdOf, Kind};

use super::{Ctx, List, Page, list_page, load, load_any, require_ref, save, soft_delete};
use crate::error::{ServiceError, ServiceResult};
use crate::ports::Previewer;
use crate::{Planning, Querying};

/// The outcome of validating a definition.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ValidationReport {
    pub valid: bool,
    pub problems: Vec<Problem>,
    /// What the data mart reads as, found by planning it: for `sql`, `table`,
    /// `table_pattern` and `view` definitions without problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<ColumnInfo>>,
}

pub async fn create(ctx: &Ctx<'_>, body: CreateDataMart) -> ServiceResult<DataMart> {
    let (title, storage_id, description) = body.validate()?;
    require_ref::<Storage>(ctx, "storage_id", &storage_id).await?;
    let dm = draft(ctx, title, storage_id, description);
    super::insert(ctx, &dm).await?;
    Ok(dm)
}

/// A new draft of checked parts, not yet written.
pub(crate) fn draft(
    ctx: &Ctx<'_>,
    title: String,
    storage_id: IdOf<Storage>,
    description: Option<String>,
) -> DataMart {
    DataMart {
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
    }
}

/// `page.parent`: only the data marts of this storage.
pub async fn list(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<DataMart>> {
    list_page::<DataMart>(ctx, page).await
}

pub async fn get(ctx: &Ctx<'_>, id: &IdOf<DataMart>) -> ServiceResult<DataMart> {
    load(ctx, id).await
}

/// A mart to change: deleted ones are a conflict, not a silent 404.
async fn load_for_change(ctx: &Ctx<'_>, id: &IdOf<DataMart>) -> ServiceResult<DataMart> {
    let dm: DataMart = load_any(ctx, id).await?;
    dm.ensure_live()?;
    Ok(dm)
}

pub async fn update(
    ctx: &Ctx<'_>,
    id: &IdOf<DataMart>,
    body: UpdateDataMart,
) -> ServiceResult<DataMart> {
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
    dm.annotate_fields(&body.fields)?;
    save(ctx, &mut dm, body.version).await?;
    Ok(dm)
}

pub async fn delete(ctx: &Ctx<'_>, id: &IdOf<DataMart>) -> ServiceResult<()> {
    let mut dm: DataMart = load(ctx, id).await?;
    soft_delete(ctx, &mut dm).await
}

/// What checks a definition: the whole of [`Planning`], or the engine alone,
/// which is all a `connector` definition needs (it has no dry run).
#[derive(Clone, Copy)]
pub(crate) enum Checker<'a> {
    Plan(&'a Planning),
    Engine(&'a dyn Previewer),
}

impl Checker<'_> {
    fn engine(&self) -> &dyn Previewer {
        match self {
            Checker::Plan(p) => p.engine.as_ref(),
            Checker::Engine(e) => *e,
        }
    }
}

/// Every problem of `def` as the definition of `dm`: its shape, what the
/// engine that runs it says of its mappings, then what its references reveal.
async fn problems(
    ctx: &Ctx<'_>,
    check: Checker<'_>,
    dm: &DataMart,
    def: &Definition,
) -> ServiceResult<Vec<Problem>> {
    Ok(checked(ctx, check, dm, def).await?.0)
}

/// The field of a definition that names what it reads.
fn read_field(def: &Definition) -> &'static str {
    match def {
        Definition::Table { .. } => "definition.table",
        Definition::TablePattern { .. } => "definition.pattern",
        _ => "definition.query",
    }
}

/// A dry run of a definition that reads by query: planned in the warehouse
/// as the data mart would read, its columns, or the problem that stops it.
async fn dry_run(
    ctx: &Ctx<'_>,
    querying: &Querying,
    dm: &DataMart,
    def: &Definition,
) -> ServiceResult<Result<Vec<ColumnInfo>, Problem>> {
    let mut mart = dm.clone();
    mart.definition = Some(def.clone());
    let problem = |reason: String| Problem {
        field: read_field(def).into(),
        reason,
    };
    let read = match def {
        // A `sql` mart's query is read as written; the others as the mart.
        Definition::Sql { query } => {
            let storage = super::relations::storage_of(ctx.deps, &mart).await?;
            super::relations::resolve(ctx.deps, &querying.objects, ctx.project(), storage, query)
                .await
        }
        _ => super::relations::whole(ctx.deps, &querying.objects, &mart).await,
    };
    let read = match read {
        Ok(r) => r,
        Err(ServiceError::Conflict(reason)) => return Ok(Err(problem(reason))),
        Err(e) => return Err(e),
    };
    match querying
        .warehouse
        .describe(ctx.project(), &read.tables, &read.sql)
        .await
    {
        Ok(columns) => Ok(Ok(columns)),
        Err(WarehouseError::Query(reason)) => {
            let text = match def {
                Definition::Sql { query } | Definition::View { query } => query.as_str(),
                _ => "",
            };
            Ok(Err(problem(locate(&reason, text))))
        }
        Err(e) => Err(e.into()),
    }
}

/// `reason` with the line and column of what it names in `sql`, when it names
/// something there and says no place of its own.
fn locate(reason: &str, sql: &str) -> String {
    if sql.is_empty() || reason.contains("Line:") {
        return reason.to_string();
    }
    // Quoted names, and the word after "named" ("no column named x").
    let quoted = reason.split(['\'', '`', '"']).skip(1).step_by(2);
    let after_named = reason
        .split("named ")
        .skip(1)
        .filter_map(|rest| rest.split([' ', '.', ',']).next());
    let named = quoted
        .chain(after_named)
        .filter(|n| !n.is_empty())
        .map(|n| n.rsplit('.').next().unwrap_or(n).to_ascii_lowercase());
    let lower = sql.to_ascii_lowercase();
    for name in named {
        if let Some(at) = lower.find(&name) {
            let line = sql[..at].matches('\n').count() + 1;
            let column = at - sql[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
            return format!("{reason} (at line {line}, column {column})");
        }
    }
    reason.to_string()
}

/// The problems of `def` as `dm`'s definition and, for one that reads by
/// query, its columns.
async fn checked(
    ctx: &Ctx<'_>,
    check: Checker<'_>,
    dm: &DataMart,
    def: &Definition,
) -> ServiceResult<(Vec<Problem>, Option<Vec<ColumnInfo>>)> {
    let mut out = def.problems();
    if out.is_empty() && !matches!(def, Definition::Connector(_)) {
        let Checker::Plan(plan) = check else {
            return Err(ServiceError::Internal(
                "a definition read by query was checked without the warehouse".into(),
            ));
        };
        return Ok(match dry_run(ctx, &plan.querying, dm, def).await? {
            Ok(columns) => (out, Some(columns)),
            Err(p) => {
                out.push(p);
                (out, None)
            }
        });
    }
    if out.is_empty() {
        let maps =
            super::value_maps::load_named(ctx.deps.store.as_ref(), ctx.project(), def.value_maps())
                .await?;
        out.extend(check.engine().plan(def, &maps).await?);
    }
    if let Definition::Connector(c) = def {
        match require_ref::<Source>(ctx, "definition.source_id", &c.source_id).await {
            Ok(source) => match connectors::connector(&source.connector) {
                Some(spec) => out.extend(c.check_against_connector(&spec)),
                None => out.push(Problem {
                    field: "definition.source_id".into(),
                    reason: format!("source uses unknown connector `{}`", source.connector),
                }),
            },
            Err(ServiceError::Validation { field, reason, .. }) => {
                out.push(Problem { field, reason })
            }
            Err(e) => return Err(e),
        }
    }
    Ok((out, None))
}

fn refuse(problems: Vec<Problem>) -> ServiceError {
    let first = &problems[0];
    let (field, reason) = (first.field.clone(), first.reason.clone());
    ServiceError::Validation {
        details: serde_json::json!({"field": field, "reason": reason, "problems": problems}),
        field,
        reason,
    }
}

/// `PUT /v1/data-marts/{id}/definition`: `body` is the definition's JSON object.
pub async fn set_definition(
    ctx: &Ctx<'_>,
    plan: &Planning,
    id: &IdOf<DataMart>,
    body: Value,
) -> ServiceResult<DataMart> {
    let def = Definition::from_json(body)?;
    let mut dm = load_for_change(ctx, id).await?;
    define(ctx, Checker::Plan(plan), &mut dm, def).await?;
    save(ctx, &mut dm, None).await?;
    Ok(dm)
}

/// Gives `dm` the definition `def` if it has no problem (the caller writes it).
pub(crate) async fn define(
    ctx: &Ctx<'_>,
    check: Checker<'_>,
    dm: &mut DataMart,
    def: Definition,
) -> ServiceResult<()> {
    let found = problems(ctx, check, dm, &def).await?;
    if !found.is_empty() {
        return Err(refuse(found));
    }
    dm.definition = Some(def);
    Ok(())
}

/// `POST /v1/data-marts/{id}/definition/validate`: the definition `given` (its
/// JSON object), or the data mart's own when none is.
pub async fn validate_definition(
    ctx: &Ctx<'_>,
    plan: &Planning,
    id: &IdOf<DataMart>,
    given: Option<Value>,
) -> ServiceResult<ValidationReport> {
    let dm: DataMart = load(ctx, id).await?;
    let def = match given {
        Some(body) => match Definition::from_json(body) {
            Ok(d) => Some(d),
            Err(e) => {
                return Ok(ValidationReport {
                    valid: false,
                    problems: vec![Problem::from(e)],
                    columns: None,
                });
            }
        },
        None => dm.definition.clone(),
    };
    let report = match def {
        None => ValidationReport {
            valid: false,
            problems: vec![Problem {
                field: "definition".into(),
                reason: "the data mart has no definition yet".into(),
            }],
            columns: None,
        },
        Some(d) => {
            let (problems, columns) = checked(ctx, Checker::Plan(plan), &dm, &d).await?;
            ValidationReport {
                valid: problems.is_empty(),
                problems,
                columns,
            }
        }
    };
    Ok(report)
}

pub async fn publish(
    ctx: &Ctx<'_>,
    plan: &Planning,
    id: &IdOf<DataMart>,
) -> ServiceResult<DataMart> {
    let mut dm = load_for_change(ctx, id).await?;
    publish_checked(ctx, Checker::Plan(plan), &mut dm).await?;
    save(ctx, &mut dm, None).await?;
    Ok(dm)
}

/// Publishes `dm` if its definition has no problem (the caller writes it).
pub(crate) async fn publish_checked(
    ctx: &Ctx<'_>,
    check: Checker<'_>,
    dm: &mut DataMart,
) -> ServiceResult<()> {
    dm.ensure_publishable()?;
    if let Some(def) = &dm.definition {
        let found = problems(ctx, check, dm, def).await?;
        if !found.is_empty() {
            return Err(refuse(found));
        }
    }
    dm.publish(ctx.now)?;
    Ok(())
}
