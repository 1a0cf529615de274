//! What a use case fails with: a [`ServiceError`] names what went wrong in the
//! domain's words (a field that is invalid, a record not found, a state that
//! refuses a change), never an HTTP status; the HTTP edge (the `api` module) maps
//! it to a status and the JSON error envelope. Messages quote what the caller
//! sent only up to a bounded length, so 10 KB in is never 10 KB out.

use std::borrow::Cow;

use serde_json::{Value, json};
use sluice_domain::DomainError;
use sluice_domain::ports::{
    ObjectError, QueryLimit, QueueError, SecretsError, StoreError, WarehouseError,
};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input breaks a rule; `field` names where.
    #[error("{field}: {reason}")]
    Validation {
        field: String,
        reason: String,
        details: Value,
    },
    #[error("{0}")]
    NotFound(String),
    /// A query went over a limit of the deployment (time, memory, data scanned):
    /// the request was well formed, and a narrower one may pass.
    #[error("sql: {0}")]
    QueryLimit(QueryLimit),
    /// The record's state does not allow the change.
    #[error("{0}")]
    Conflict(String),
    /// More bytes than the deployment takes.
    #[error("the body is larger than {0} bytes")]
    TooLarge(u64),
    /// The credential does not open what was asked (a data key that is wrong,
    /// expired, or for another report): one answer for all, so it tells nothing.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is known, and may not do this (sign-up closed, a key above
    /// its creator's role, a credential that is not a session).
    #[error("{0}")]
    Forbidden(String),
    /// A part this deployment does not have, or one busy for now.
    #[error("{0}")]
    Unavailable(String),
    /// Something failed that the caller cannot fix; logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ServiceError {
        let (field, reason) = (field.into(), reason.into());
        let details = json!({"field": field, "reason": reason});
        ServiceError::Validation {
            field,
            reason,
            details,
        }
    }

    /// The `kind` record `id` names was not found. An id of the wrong shape is not
    /// echoed: it names nothing, and may be anything the caller sent.
    pub fn not_found(kind: sluice_domain::Kind, id: &str) -> ServiceError {
        match sluice_domain::Id::parse(kind, id) {
            Some(id) => ServiceError::NotFound(format!("{} {id} not found", kind.noun())),
            None => ServiceError::NotFound(format!(
                "{} not found: that is not a {} id",
                kind.noun(),
                kind.noun()
            )),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

pub use sluice_domain::error::QUOTE_MAX_CHARS;
/// Most characters of an error message (or a string of its details).
pub const MESSAGE_MAX_CHARS: usize = 1024;

/// `s`, cut to [`QUOTE_MAX_CHARS`] characters and `…` when it is longer: how an
/// error message quotes something the caller sent.
pub fn clip(s: &str) -> Cow<'_, str> {
    sluice_domain::error::clip(s, QUOTE_MAX_CHARS)
}

/// A message as a response carries it, whoever wrote it (a service, the domain,
/// an engine quoting a table name): each `quoted` span and each run of
/// characters without a space cut to [`QUOTE_MAX_CHARS`], the whole to
/// [`MESSAGE_MAX_CHARS`].
pub fn bounded(message: &str) -> String {
    let mut quoted = String::with_capacity(message.len().min(4 * MESSAGE_MAX_CHARS));
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            quoted.push('`');
        }
        // Odd parts are inside backticks.
        quoted.push_str(
            if i % 2 == 1 {
                clip(part)
            } else {
                Cow::Borrowed(part)
            }
            .as_ref(),
        );
    }
    let mut out = String::with_capacity(quoted.len());
    let mut run = 0usize;
    for c in quoted.chars() {
        if c.is_whitespace() {
            run = 0;
            out.push(c);
            continue;
        }
        // Quotes stay, so a cut name is still quoted.
        if c == '`' {
            out.push(c);
            continue;
        }
        run += 1;
        if run <= QUOTE_MAX_CHARS {
            out.push(c);
        } else if run == QUOTE_MAX_CHARS + 1 {
            out.push('…');
        }
    }
    sluice_domain::error::clip(&out, MESSAGE_MAX_CHARS).into_owned()
}

/// `details` with every string in it [`bounded`].
pub(crate) fn bounded_strings(details: Value) -> Value {
    match details {
        Value::String(s) => Value::String(bounded(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(bounded_strings).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (clip(&k).into_owned(), bounded_strings(v)))
                .collect(),
        ),
        other => other,
    }
}

impl From<DomainError> for ServiceError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation { field, reason } => ServiceError::invalid(field.0, reason),
            DomainError::Conflict(m) => ServiceError::Conflict(m),
            DomainError::NotFound { what } => ServiceError::NotFound(format!("{what} not found")),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::AlreadyExists => {
                ServiceError::Conflict("a record with this id already exists".into())
            }
            StoreError::VersionConflict => ServiceError::Conflict(
                "the record was changed by someone else; read it again and retry".into(),
            ),
            StoreError::Backend(_) => ServiceError::Internal(format!("{e:#}")),
        }
    }
}

impl From<SecretsError> for ServiceError {
    fn from(e: SecretsError) -> Self {
        ServiceError::Internal(format!("{e:#}"))
    }
}

impl From<QueueError> for ServiceError {
    fn from(e: QueueError) -> Self {
        ServiceError::Internal(format!("{e:#}"))
    }
}

impl From<ObjectError> for ServiceError {
    fn from(e: ObjectError) -> Self {
        ServiceError::Internal(format!("{e:#}"))
    }
}

impl From<WarehouseError> for ServiceError {
    fn from(e: WarehouseError) -> Self {
        match e {
            WarehouseError::Query(m) => ServiceError::invalid("sql", m),
            WarehouseError::BadPageToken => {
                ServiceError::invalid("page", "is not a page token this query returned")
            }
            WarehouseError::LimitExceeded(limit) => ServiceError::QueryLimit(limit),
            other => ServiceError::Internal(format!("{other:#}")),
        }
    }
}
