//! The audit log: an entry written after every write through the API that
//! succeeded (`RouteSpec::writes`), and `GET /v1/audit`.
//! See `sluice_domain::entities::AuditEntry` for what an entry holds; no
//! request or response body is kept, so no value sent (a secret) reaches it.

use chrono::{DateTime, Utc};
use sluice_domain::entities::{
    AuditActor, AuditEntry, AuditEntryView, AuditResource, Meta, identity_partition,
};
use sluice_domain::ports::ListQuery;
use sluice_domain::{Id, Kind};

use super::{Ctx, List, Page};
use crate::Deps;
use crate::auth::{Credential, Principal};
use crate::error::ServiceResult;
use crate::records;

/// Store pages a filtered list reads at most for one page of its own.
const MAX_SCANNED_PAGES: usize = 10;
/// Entries a filtered list reads from the store at a time.
const FILTERED_PAGE: u32 = 200;

/// Where records of `kind` of `project` are kept: the identity partition for
/// the deployment's records ([`Kind::is_identity`]); the project's own for the rest.
fn partition_of(kind: Kind, project: &Id) -> Id {
    if kind.is_identity() {
        identity_partition()
    } else {
        project.clone()
    }
}

/// The kind's name as the API spells it (`data_mart`).
fn kind_name(kind: Kind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| kind.noun().to_string())
}

/// The stored version of the record `id` of the caller's project, if there
/// is one. A read that fails is logged and leaves the version unknown: the
/// write itself goes on.
pub async fn version_of(deps: &Deps, project: &Id, id: &Id) -> Option<u64> {
    let kind = Id::kind_of(id.as_str())?;
    match deps.store.get(&partition_of(kind, project), kind, id).await {
        Ok(found) => found.map(|r| r.version),
        Err(e) => {
            tracing::warn!(error = %e, "Audit: a record's version could not be read.");
            None
        }
    }
}

/// A write as the API layer saw it.
pub struct Write<'a> {
    /// The route's name.
    pub action: &'static str,
    pub method: &'a str,
    pub path: &'a str,
    /// The record the path names (its `{id}`), or its `{path+}` file.
    pub named: Option<Named>,
    /// The `id` of the record the answer holds (one the write created).
    pub answered_id: Option<Id>,
    pub version_before: Option<u64>,
    pub status: u16,
}

/// What a path names.
pub enum Named {
    Record(Id),
    /// A file of the landing area, by its path.
    File(String),
}

/// Writes the entry of a write that was answered. A store that fails is
/// logged (the write is done and answered either way).
pub async fn record(deps: &Deps, principal: &Principal, now: DateTime<Utc>, w: Write<'_>) {
    let (resource, created_id, version_after) = match (&w.named, &w.answered_id) {
        (Some(Named::Record(id)), answered) => {
            let created = answered
                .as_ref()
                .filter(|a| *a != id)
                .map(|a| a.to_string());
            (
                Some(resource_of(id)),
                created,
                version_of(deps, &principal.project, id).await,
            )
        }
        (Some(Named::File(path)), _) => (
            Some(AuditResource {
                kind: "file".into(),
                id: path.clone(),
            }),
            None,
            None,
        ),
        (None, Some(created)) => (
            Some(resource_of(created)),
            None,
            version_of(deps, &principal.project, created).await,
        ),
        (None, None) => (None, None, None),
    };
    let (credential_id, credential) = match &principal.credential {
        Credential::Operator => (None, "operator"),
        Credential::Session { session, .. } => (Some(session.to_string()), "session"),
        Credential::ApiKey { key } => (Some(key.to_string()), "api_key"),
    };
    let entry = AuditEntry {
        meta: Meta::new(
            Kind::AuditEntry,
            &principal.project,
            &principal.subject,
            now,
        ),
        action: w.action.to_string(),
        method: w.method.to_string(),
        path: w.path.to_string(),
        actor: AuditActor {
            subject: principal.subject.clone(),
            credential: credential.to_string(),
            credential_id,
        },
        resource,
        created_id,
        version_before: w.version_before,
        version_after,
        status: w.status,
    };
    let written = match records::to_record(&entry) {
        Ok(r) => deps.store.insert(&r).await,
        Err(e) => Err(e),
    };
    if let Err(e) = written {
        tracing::error!(error = %e, action = w.action, "Audit entry not written.");
    }
}

fn resource_of(id: &Id) -> AuditResource {
    AuditResource {
        kind: Id::kind_of(id.as_str()).map_or_else(|| "record".into(), kind_name),
        id: id.to_string(),
    }
}

/// The filters of `GET /v1/audit` beyond its page.
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Only entries of this route (`api-update-source`).
    pub action: Option<String>,
    /// Only entries of this subject (a user's id, an API key's id…).
    pub subject: Option<String>,
}

/// `GET /v1/audit`: the project's entries, newest first; by the record they
/// are on (`resource_id`, through the parent index), the route, the subject.
/// A filter by route or subject reads up to ten store pages of 200 for one
/// page of its own, which may then hold fewer than `limit` entries: follow
/// `next_cursor` until it is `null`.
pub async fn list(
    ctx: &Ctx<'_>,
    page: &Page,
    filter: &AuditFilter,
) -> ServiceResult<List<AuditEntryView>> {
    let filtered = filter.action.is_some() || filter.subject.is_some();
    let keep = |e: &AuditEntry| {
        filter.action.as_deref().is_none_or(|a| e.action == a)
            && filter
                .subject
                .as_deref()
                .is_none_or(|s| e.actor.subject == s)
    };
    let mut items = vec![];
    let mut after = page.after.clone();
    for _ in 0..MAX_SCANNED_PAGES {
        let found = ctx
            .deps
            .store
            .list(&ListQuery {
                project: ctx.project().clone(),
                kind: Kind::AuditEntry,
                parent: page.parent.clone(),
                after: after.clone(),
                limit: if filtered { FILTERED_PAGE } else { page.limit },
            })
            .await?;
        for r in &found.records {
            let e = records::from_record::<AuditEntry>(r)?;
            if keep(&e) {
                items.push(e.view());
                if filtered && items.len() as u32 >= page.limit {
                    // Everything up to this entry is read: the next page
                    // starts after it.
                    return Ok(List {
                        items,
                        next_cursor: Some(e.meta.id.to_string()),
                    });
                }
            }
        }
        after = found.next;
        if after.is_none() || !filtered {
            break;
        }
    }
    Ok(List {
        items,
        next_cursor: after.map(|n| n.to_string()),
    })
}
