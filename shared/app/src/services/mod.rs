//! Use cases behind the routes, and the generic record plumbing they share.

pub mod alarms;
pub mod api_keys;
pub mod audit;
pub mod backfills;
pub mod catalog;
pub mod configured;
pub mod data_marts;
pub mod files;
pub mod health;
pub mod identity;
pub mod live;
pub mod members;
pub mod notifications;
pub mod project;
pub mod relations;
pub mod report_data;
pub mod report_runs;
pub mod reports;
pub mod runs;
pub mod scheduler;
mod slots;
pub mod source_marts;
pub mod storages;
pub mod triggers;
pub mod value_maps;

use chrono::{DateTime, Utc};
use serde::Serialize;

use sluice_domain::entities::Entity;
use sluice_domain::ports::{ListQuery, Record};
use sluice_domain::{Id, IdOf, Kind};

pub use data_marts::ValidationReport;
pub use files::FileView;

use crate::Deps;
use crate::auth::Principal;
use crate::error::{ServiceError, ServiceResult};

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

pub use health::HealthView;

// ---- record plumbing shared by the services ----

pub(crate) fn to_record<T: Entity>(e: &T) -> ServiceResult<Record> {
    crate::records::to_record(e)
        .map_err(|err| ServiceError::Internal(format!("serializing a {}: {err}", T::KIND.noun())))
}

/// The data mart (or report, whose data mart decides) a record hangs off,
/// for a role scoped to data marts: a data mart is its own; runs, backfills,
/// reports and triggers name theirs as their parent; a report's run names
/// its data mart. `None` for a record of the whole project.
fn scope_key<T: Entity>(e: &T) -> Option<Id> {
    match T::KIND {
        Kind::DataMart => Some(e.meta().id.clone()),
        Kind::Run | Kind::Backfill | Kind::Report | Kind::Trigger => e.parent(),
        Kind::ReportRun => serde_json::to_value(e)
            .ok()
            .and_then(|v| v.get("data_mart_id")?.as_str().map(str::to_string))
            .and_then(|s| Id::parse(Kind::DataMart, &s)),
        _ => None,
    }
}

/// Whether the caller's scope reaches `e` (always, for a role of the whole
/// project or a record that hangs off no data mart).
pub(crate) async fn in_scope<T: Entity>(ctx: &Ctx<'_>, e: &T) -> ServiceResult<bool> {
    let Some(scope) = &ctx.principal.data_marts else {
        return Ok(true);
    };
    let Some(mut key) = scope_key(e) else {
        return Ok(true);
    };
    if Id::kind_of(key.as_str()) == Some(Kind::Report) {
        // A trigger of a report: the report's data mart decides.
        let report = crate::records::get::<sluice_domain::entities::Report>(
            ctx.deps.store.as_ref(),
            ctx.project(),
            &key,
        )
        .await?;
        match report {
            Some(r) => key = r.data_mart_id.as_id().clone(),
            None => return Ok(false),
        }
    }
    Ok(scope.contains(&key))
}

/// The record `id` names in this project, deleted or not; one outside the
/// caller's scope is not found.
pub(crate) async fn load_any<T: Entity>(ctx: &Ctx<'_>, id: &IdOf<T>) -> ServiceResult<T> {
    let e: T = load_unscoped(ctx, id).await?;
    if !in_scope(ctx, &e).await? {
        return Err(ServiceError::not_found(T::KIND, id.as_str()));
    }
    Ok(e)
}

async fn load_unscoped<T: Entity>(ctx: &Ctx<'_>, id: &IdOf<T>) -> ServiceResult<T> {
    let record = ctx
        .deps
        .store
        .get(ctx.project(), T::KIND, id)
        .await?
        .ok_or_else(|| ServiceError::not_found(T::KIND, id.as_str()))?;
    let mut entity: T = serde_json::from_str(&record.body).map_err(|e| {
        ServiceError::Internal(format!(
            "stored {} {id} does not parse: {e}",
            T::KIND.noun()
        ))
    })?;
    entity.meta_mut().version = record.version;
    Ok(entity)
}

/// The live record `id` names in this project; a deleted one is not found.
pub(crate) async fn load<T: Entity>(ctx: &Ctx<'_>, id: &IdOf<T>) -> ServiceResult<T> {
    let e: T = load_any(ctx, id).await?;
    if e.meta().deleted_at.is_some() {
        return Err(ServiceError::not_found(T::KIND, id.as_str()));
    }
    Ok(e)
}

/// A live record a request refers to in `field`; 422 naming the field if there is none.
pub(crate) async fn require_ref<T: Entity>(
    ctx: &Ctx<'_>,
    field: &str,
    id: &Id,
) -> ServiceResult<T> {
    let typed = IdOf::<T>::of(id.clone()).ok_or_else(|| {
        ServiceError::invalid(field, format!("`{id}` is not a {} id", T::KIND.noun()))
    })?;
    load::<T>(ctx, &typed).await.map_err(|e| match e {
        ServiceError::NotFound(_) => ServiceError::invalid(
            field,
            format!("{} {id} not found in this project", T::KIND.noun()),
        ),
        other => other,
    })
}

pub(crate) async fn insert<T: Entity>(ctx: &Ctx<'_>, e: &T) -> ServiceResult<()> {
    ctx.deps.store.insert(&to_record(e)?).await?;
    Ok(())
}

/// A conflict when the client sent a `version` other than the one stored.
pub(crate) fn check_version<T: Entity>(e: &T, client_version: Option<u64>) -> ServiceResult<()> {
    match client_version {
        Some(v) if v != e.meta().version => Err(ServiceError::Conflict(format!(
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
) -> ServiceResult<()> {
    check_version(e, client_version)?;
    let m = e.meta_mut();
    m.version += 1;
    m.updated_at = ctx.now;
    ctx.deps.store.replace(&to_record(e)?).await?;
    Ok(())
}

pub(crate) async fn soft_delete<T: Entity>(ctx: &Ctx<'_>, e: &mut T) -> ServiceResult<()> {
    e.meta_mut().deleted_at = Some(ctx.now);
    save(ctx, e, None).await
}

/// Which page of a list a caller asks for.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Items per page.
    pub limit: u32,
    /// The last item of the previous page.
    pub after: Option<Id>,
    /// Only the children of this record (a data mart's runs, a storage's marts).
    pub parent: Option<Id>,
}

/// A page of live `T`s.
pub(crate) async fn list_page<T: Entity>(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<T>> {
    let found = ctx
        .deps
        .store
        .list(&ListQuery {
            project: ctx.project().clone(),
            kind: T::KIND,
            parent: page.parent.clone(),
            after: page.after.clone(),
            limit: page.limit,
        })
        .await?;
    let mut items = Vec::with_capacity(found.records.len());
    for r in found.records {
        let mut e: T = serde_json::from_str(&r.body).map_err(|e| {
            ServiceError::Internal(format!(
                "stored {} {} does not parse: {e}",
                T::KIND.noun(),
                r.id
            ))
        })?;
        e.meta_mut().version = r.version;
        if in_scope(ctx, &e).await? {
            items.push(e);
        }
    }
    Ok(List {
        items,
        next_cursor: found.next.map(|n| n.to_string()),
    })
}

pub(crate) fn map_list<T, V: Serialize>(list: List<T>, f: impl Fn(&T) -> V) -> List<V> {
    List {
        items: list.items.iter().map(f).collect(),
        next_cursor: list.next_cursor,
    }
}
