//! The audit log: one entry per write through the API (every route but a
//! `GET` or a test, preview, suggestion or query; once a credential is
//! checked, and when the write succeeded). An entry says who (the credential's
//! subject, its kind and id), what (the route, the record's kind and id), the
//! record's version before and after, the answer's status, and when. It holds
//! no body of a request or a response, so no value a request sent (a secret
//! among them) reaches the log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Meta, entity};
use crate::ids::Id;

/// Who wrote: the credential's subject and kind, and which credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditActor {
    /// A user's id, an API key's id, or an operator token's subject.
    pub subject: String,
    /// `session`, `api_key` or `operator`.
    pub credential: String,
    /// The session or the API key the request came with (none for an operator
    /// token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
}

/// The record a write was on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditResource {
    /// `data_mart`, `source`, `api_key`…
    pub kind: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEntry {
    #[serde(flatten)]
    pub meta: Meta,
    /// The route: `api-update-source`, `api-start-run`…
    pub action: String,
    pub method: String,
    /// The path as requested (ids, no query).
    pub path: String,
    pub actor: AuditActor,
    /// The record the path names, or the one the write created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<AuditResource>,
    /// Another record the write made (a run a data mart started), by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_id: Option<String>,
    /// The record's version before the write; none where it did not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_before: Option<u64>,
    /// Its version after; none where there is no record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_after: Option<u64>,
    /// The answer's status.
    pub status: u16,
}

entity!(
    AuditEntry,
    crate::ids::Kind::AuditEntry,
    parent = |e| e
        .resource
        .as_ref()
        .and_then(|r| Id::kind_of(&r.id).and_then(|k| Id::parse(k, &r.id)))
);

/// An entry as `GET /v1/audit` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AuditEntryView {
    pub id: Id,
    /// When the write was answered.
    pub at: DateTime<Utc>,
    pub action: String,
    pub method: String,
    pub path: String,
    pub actor: AuditActor,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<AuditResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_before: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_after: Option<u64>,
    pub status: u16,
}

impl AuditEntry {
    pub fn view(&self) -> AuditEntryView {
        AuditEntryView {
            id: self.meta.id.clone(),
            at: self.meta.created_at,
            action: self.action.clone(),
            method: self.method.clone(),
            path: self.path.clone(),
            actor: self.actor.clone(),
            resource: self.resource.clone(),
            created_id: self.created_id.clone(),
            version_before: self.version_before,
            version_after: self.version_after,
            status: self.status,
        }
    }
}
