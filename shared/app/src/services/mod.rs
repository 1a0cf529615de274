//! Use cases behind the routes, and the generic record plumbing they share.

mod backfills;
mod catalog;
pub mod configured;
mod data_marts;
mod files;
mod project;
mod reports;
pub mod runs;
pub mod scheduler;
mod slots;
mod storages;
mod triggers;

use chrono::{DateTime, Utc};
use serde::Serialize;

use sluice_domain::entities::Entity;
use sluice_domain::ports::{ListQuery, Record};
use sluice_domain::{Id, Kind};

pub use data_marts::ValidationReport;
pub use files::FileView;

use crate::api::{ApiRequest, ApiResponse, query_params};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::routes::{Params, RouteSpec};
use crate::{Deps, openapi};

/// One request's context: who asks, for which project, at what time.
pub struct Ctx<'a> {
    pub deps: &'a Deps,
    pub principal: Principal,
    pub now: DateTime<Utc>,
}

impl Ctx<'_> {
    pub fn project(&self) -> &Id {
        &self.principal.project
    }
}

/// A page of a list, newest first.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct HealthView {
    pub status: String,
    pub version: String,
}

pub(crate) fn ok<T: Serialize>(status: u16, body: &T) -> ApiResult<ApiResponse> {
    let value = serde_json::to_value(body)
        .map_err(|e| ApiError::Internal(format!("serializing a response: {e}")))?;
    Ok(ApiResponse::json(status, &value))
}

/// Calls the service behind `route`.
pub async fn dispatch(
    deps: &Deps,
    route: &'static RouteSpec,
    principal: Option<Principal>,
    params: Params,
    req: ApiRequest,
) -> ApiResult<ApiResponse> {
    match route.name {
        "api-health" => {
            return ok(
                200,
                &HealthView {
                    status: "ok".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                },
            );
        }
        "api-openapi" => return Ok(ApiResponse::json(200, openapi::document())),
        _ => {}
    }
    let principal = principal.ok_or_else(|| {
        ApiError::Internal(format!(
            "route {} reached its service without a principal",
            route.name
        ))
    })?;
    let ctx = Ctx {
        deps,
        principal,
        now: deps.clock.now(),
    };
    let id = params.get("id");
    match route.name {
        "api-list-connectors" => catalog::list(),
        "api-get-connector" => catalog::get(params.get("name")),

        "api-create-storage" => storages::create(&ctx, &req).await,
        "api-list-storages" => storages::list(&ctx, &req).await,
        "api-get-storage" => storages::get(&ctx, id).await,
        "api-update-storage" => storages::update(&ctx, id, &req).await,
        "api-delete-storage" => storages::delete(&ctx, id).await,

        "api-create-source" => configured::create_source(&ctx, &req).await,
        "api-list-sources" => configured::list_sources(&ctx, &req).await,
        "api-get-source" => configured::get_source(&ctx, id).await,
        "api-update-source" => configured::update_source(&ctx, id, &req).await,
        "api-delete-source" => configured::delete_source(&ctx, id).await,

        "api-create-destination" => configured::create_destination(&ctx, &req).await,
        "api-list-destinations" => configured::list_destinations(&ctx, &req).await,
        "api-get-destination" => configured::get_destination(&ctx, id).await,
        "api-update-destination" => configured::update_destination(&ctx, id, &req).await,
        "api-delete-destination" => configured::delete_destination(&ctx, id).await,

        "api-create-data-mart" => data_marts::create(&ctx, &req).await,
        "api-list-data-marts" => data_marts::list(&ctx, &req).await,
        "api-get-data-mart" => data_marts::get(&ctx, id).await,
        "api-update-data-mart" => data_marts::update(&ctx, id, &req).await,
        "api-delete-data-mart" => data_marts::delete(&ctx, id).await,
        "api-set-data-mart-definition" => data_marts::set_definition(&ctx, id, &req).await,
        "api-validate-data-mart-definition" => {
            data_marts::validate_definition(&ctx, id, &req).await
        }
        "api-publish-data-mart" => data_marts::publish(&ctx, id).await,

        "api-create-report" => reports::create(&ctx, &req).await,
        "api-list-reports" => reports::list(&ctx, &req).await,
        "api-get-report" => reports::get(&ctx, id).await,
        "api-update-report" => reports::update(&ctx, id, &req).await,
        "api-delete-report" => reports::delete(&ctx, id).await,

        "api-create-trigger" => triggers::create(&ctx, &req).await,
        "api-list-triggers" => triggers::list(&ctx, &req).await,
        "api-get-trigger" => triggers::get(&ctx, id).await,
        "api-update-trigger" => triggers::update(&ctx, id, &req).await,
        "api-delete-trigger" => triggers::delete(&ctx, id).await,

        "api-list-runs" => runs::list(&ctx, &req).await,
        "api-list-data-mart-runs" => runs::list_of_data_mart(&ctx, id, &req).await,
        "api-get-run" => runs::get(&ctx, id).await,
        "api-start-run" => runs::start(&ctx, id, &req).await,
        "api-pause-run" => runs::pause(&ctx, id).await,
        "api-resume-run" => runs::resume(&ctx, id).await,
        "api-cancel-run" => runs::cancel(&ctx, id).await,
        "api-retry-run" => runs::retry(&ctx, id).await,
        "api-preview-data-mart" => runs::preview(&ctx, id, &req).await,
        "api-create-backfill" => backfills::create(&ctx, id, &req).await,
        "api-list-backfills" => backfills::list(&ctx, &req).await,
        "api-get-backfill" => backfills::get(&ctx, id).await,
        "api-cancel-backfill" => backfills::cancel(&ctx, id).await,
        "api-get-data-mart-lineage" => triggers::lineage_of(&ctx, id).await,
        "api-get-project" => project::get(&ctx).await,
        "api-update-project" => project::update(&ctx, &req).await,
        "api-query-data-mart" => runs::query(&ctx, id, &req).await,
        "api-upload-file" => files::upload(&ctx, params.get("path"), &req).await,
        "api-list-files" => files::list(&ctx, &req).await,
        "api-delete-file" => files::delete(&ctx, params.get("path")).await,
        other => Err(ApiError::Internal(format!("route {other} has no service"))),
    }
}

// ---- record plumbing shared by the services ----

pub(crate) fn to_record<T: Entity>(e: &T) -> ApiResult<Record> {
    crate::records::to_record(e)
        .map_err(|err| ApiError::Internal(format!("serializing a {}: {err}", T::KIND.noun())))
}

/// The record `raw_id` names in this project, deleted or not.
pub(crate) async fn load_any<T: Entity>(ctx: &Ctx<'_>, raw_id: &str) -> ApiResult<T> {
    // An id of the wrong shape names nothing: a 404 that does not echo it.
    let id = Id::parse(T::KIND, raw_id).ok_or_else(|| ApiError::not_found(T::KIND, raw_id))?;
    let record = ctx
        .deps
        .store
        .get(ctx.project(), T::KIND, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(T::KIND, id.as_str()))?;
    let mut entity: T = serde_json::from_str(&record.body).map_err(|e| {
        ApiError::Internal(format!(
            "stored {} {id} does not parse: {e}",
            T::KIND.noun()
        ))
    })?;
    entity.meta_mut().version = record.version;
    Ok(entity)
}

/// The live record `raw_id` names in this project; a deleted one is not found.
pub(crate) async fn load<T: Entity>(ctx: &Ctx<'_>, raw_id: &str) -> ApiResult<T> {
    let e: T = load_any(ctx, raw_id).await?;
    if e.meta().deleted_at.is_some() {
        return Err(ApiError::not_found(T::KIND, raw_id));
    }
    Ok(e)
}

/// A live record a request refers to in `field`; 422 naming the field if there is none.
pub(crate) async fn require_ref<T: Entity>(ctx: &Ctx<'_>, field: &str, id: &Id) -> ApiResult<T> {
    load::<T>(ctx, id.as_str()).await.map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::invalid(
            field,
            format!("{} {id} not found in this project", T::KIND.noun()),
        ),
        other => other,
    })
}

pub(crate) async fn insert<T: Entity>(ctx: &Ctx<'_>, e: &T) -> ApiResult<()> {
    ctx.deps.store.insert(&to_record(e)?).await?;
    Ok(())
}

/// A conflict when the client sent a `version` other than the one stored.
pub(crate) fn check_version<T: Entity>(e: &T, client_version: Option<u64>) -> ApiResult<()> {
    match client_version {
        Some(v) if v != e.meta().version => Err(ApiError::Conflict(format!(
            "{} {} is at version {}, not {v}; read it again",
            T::KIND.noun(),
            e.meta().id,
            e.meta().version
        ))),
        _ => Ok(()),
    }
}

/// Writes a changed entity if nobody changed it since it was read (and, when the
/// client sent `version`, if that is the version it read).
pub(crate) async fn save<T: Entity>(
    ctx: &Ctx<'_>,
    e: &mut T,
    client_version: Option<u64>,
) -> ApiResult<()> {
    check_version(e, client_version)?;
    let m = e.meta_mut();
    m.version += 1;
    m.updated_at = ctx.now;
    ctx.deps.store.replace(&to_record(e)?).await?;
    Ok(())
}

pub(crate) async fn soft_delete<T: Entity>(ctx: &Ctx<'_>, e: &mut T) -> ApiResult<()> {
    e.meta_mut().deleted_at = Some(ctx.now);
    save(ctx, e, None).await
}

/// A page of live `T`s, optionally under the parent named by the query parameter
/// `parent` (of kind `parent_kind`).
pub(crate) async fn list_page<T: Entity>(
    ctx: &Ctx<'_>,
    req: &ApiRequest,
    parent: Option<(&str, Kind)>,
) -> ApiResult<List<T>> {
    list_page_under(ctx, req, parent, None).await
}

/// [`list_page`], of the children of `fixed` when given (a parent the path names).
pub(crate) async fn list_page_under<T: Entity>(
    ctx: &Ctx<'_>,
    req: &ApiRequest,
    parent: Option<(&str, Kind)>,
    fixed: Option<Id>,
) -> ApiResult<List<T>> {
    let mut limit = 50u32;
    let mut after = None;
    let mut parent_id = fixed;
    for (k, v) in query_params(req) {
        match (k.as_str(), parent) {
            ("limit", _) => {
                limit = v
                    .parse()
                    .ok()
                    .filter(|l| (1..=200).contains(l))
                    .ok_or_else(|| ApiError::invalid("limit", "must be a number from 1 to 200"))?;
            }
            ("cursor", _) => {
                after = Some(Id::parse(T::KIND, &v).ok_or_else(|| {
                    ApiError::invalid("cursor", "is not a cursor this list returned")
                })?);
            }
            (name, Some((p, kind))) if name == p => {
                parent_id = Some(Id::parse(kind, &v).ok_or_else(|| {
                    ApiError::invalid(p, format!("`{v}` is not a {} id", kind.noun()))
                })?);
            }
            (other, _) => {
                let known: Vec<&str> = ["limit", "cursor"]
                    .into_iter()
                    .chain(parent.map(|(p, _)| p))
                    .collect();
                return Err(ApiError::invalid(
                    other,
                    format!(
                        "unknown query parameter; expected one of: {}",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    let page = ctx
        .deps
        .store
        .list(&ListQuery {
            project: ctx.project().clone(),
            kind: T::KIND,
            parent: parent_id,
            after,
            limit,
        })
        .await?;
    let mut items = Vec::with_capacity(page.records.len());
    for r in page.records {
        let mut e: T = serde_json::from_str(&r.body).map_err(|e| {
            ApiError::Internal(format!(
                "stored {} {} does not parse: {e}",
                T::KIND.noun(),
                r.id
            ))
        })?;
        e.meta_mut().version = r.version;
        items.push(e);
    }
    Ok(List {
        items,
        next_cursor: page.next.map(|n| n.to_string()),
    })
}

pub(crate) fn map_list<T, V: Serialize>(list: List<T>, f: impl Fn(&T) -> V) -> List<V> {
    List {
        items: list.items.iter().map(f).collect(),
        next_cursor: list.next_cursor,
    }
}

pub(crate) fn created<T: Serialize>(body: &T, location: String) -> ApiResult<ApiResponse> {
    let mut r = ok(201, body)?;
    r.headers.push(("location", location));
    Ok(r)
}

pub(crate) fn no_content() -> ApiResult<ApiResponse> {
    Ok(ApiResponse::empty(204))
}
