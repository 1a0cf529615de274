//! The API's one error type and its mapping to HTTP: `{"error": {"code", "message",
//! "details"}}`. A 500 says nothing internal; the log says everything. A response
//! quotes what the caller sent only up to a bounded length, so 10 KB in is never
//! 10 KB out.

use std::borrow::Cow;

use serde_json::{Value, json};
use sluice_domain::DomainError;
use sluice_domain::ports::{
    ObjectError, QueryLimit, QueueError, SecretsError, StoreError, WarehouseError,
};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { message: String, details: Value },
    #[error("{field}: {reason}")]
    Validation {
        field: String,
        reason: String,
        details: Value,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    /// A query went over a limit of the deployment (time, memory, data scanned):
    /// the request was well formed, and a narrower one may pass.
    #[error("sql: {0}")]
    QueryLimit(QueryLimit),
    #[error("{0}")]
    Conflict(String),
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A part this deployment does not have (a function without a queue, …).
    #[error("{0}")]
    Unavailable(String),
    /// Something failed that the caller cannot fix; logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest { .. } => 400,
            ApiError::Unauthorized(_) => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed(_) => 405,
            ApiError::Conflict(_) => 409,
            ApiError::PayloadTooLarge(_) => 413,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::Validation { .. } | ApiError::QueryLimit(_) => 422,
            ApiError::Internal(_) => 500,
            ApiError::Unavailable(_) => 503,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Validation { .. } => "validation_failed",
            ApiError::QueryLimit(_) => "query_limit_exceeded",
            ApiError::Internal(_) => "internal",
            ApiError::Unavailable(_) => "unavailable",
        }
    }

    /// The JSON body of the response.
    pub fn body(&self) -> Value {
        let (message, details) = match self {
            ApiError::Internal(_) => (
                "internal error; the server log has the details".to_string(),
                json!({}),
            ),
            ApiError::BadRequest { message, details } => (message.clone(), details.clone()),
            ApiError::Validation { details, .. } => (self.to_string(), details.clone()),
            ApiError::QueryLimit(limit) => {
                let reason = WarehouseError::LimitExceeded(*limit).to_string();
                let mut details = json!({"field": "sql", "reason": reason, "limit": limit.name()});
                match limit {
                    QueryLimit::Time { seconds } => details["seconds"] = json!(seconds),
                    QueryLimit::Memory { megabytes } => details["megabytes"] = json!(megabytes),
                    QueryLimit::Scan => {}
                }
                (format!("sql: {reason}"), details)
            }
            other => (other.to_string(), json!({})),
        };
        json!({"error": {
            "code": self.code(),
            "message": bounded(&message),
            "details": bounded_strings(details),
        }})
    }

    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ApiError {
        let (field, reason) = (field.into(), reason.into());
        let details = json!({"field": field, "reason": reason});
        ApiError::Validation {
            field,
            reason,
            details,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            message: message.into(),
            details: json!({}),
        }
    }

    /// A 404 for the `kind` record `id` names. An id of the wrong shape is not
    /// echoed: it names nothing, and may be anything the caller sent.
    pub fn not_found(kind: sluice_domain::Kind, id: &str) -> ApiError {
        match sluice_domain::Id::parse(kind, id) {
            Some(id) => ApiError::NotFound(format!("{} {id} not found", kind.noun())),
            None => ApiError::NotFound(format!(
                "{} not found: that is not a {} id",
                kind.noun(),
                kind.noun()
            )),
        }
    }
}

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
fn bounded_strings(details: Value) -> Value {
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

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation { field, reason } => ApiError::invalid(field.0, reason),
            DomainError::Conflict(m) => ApiError::Conflict(m),
            DomainError::NotFound { what } => ApiError::NotFound(format!("{what} not found")),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::AlreadyExists => {
                ApiError::Conflict("a record with this id already exists".into())
            }
            StoreError::VersionConflict => ApiError::Conflict(
                "the record was changed by someone else; read it again and retry".into(),
            ),
            StoreError::Backend(_) => ApiError::Internal(format!("{e:#}")),
        }
    }
}

impl From<SecretsError> for ApiError {
    fn from(e: SecretsError) -> Self {
        ApiError::Internal(format!("{e:#}"))
    }
}

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> Self {
        ApiError::Internal(format!("{e:#}"))
    }
}

impl From<ObjectError> for ApiError {
    fn from(e: ObjectError) -> Self {
        ApiError::Internal(format!("{e:#}"))
    }
}

impl From<WarehouseError> for ApiError {
    fn from(e: WarehouseError) -> Self {
        match e {
            WarehouseError::Query(m) => ApiError::invalid("sql", m),
            WarehouseError::BadPageToken => {
                ApiError::invalid("page", "is not a page token this query returned")
            }
            WarehouseError::LimitExceeded(limit) => ApiError::QueryLimit(limit),
            other => ApiError::Internal(format!("{other:#}")),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_domain::{Id, Kind};

    #[test]
    fn an_id_of_the_wrong_shape_is_not_found_without_being_echoed() {
        let sent = "x".repeat(10_000);
        let body = ApiError::not_found(Kind::DataMart, &sent)
            .body()
            .to_string();
        assert!(!body.contains("xxxx"), "{body}");
        assert!(body.len() < 200, "{body}");
        let id = Id::generate(Kind::DataMart, 1_700_000_000_000);
        let body = ApiError::not_found(Kind::DataMart, id.as_str()).body();
        assert_eq!(
            body["error"]["message"],
            format!("data mart {id} not found")
        );
    }

    #[test]
    fn quoted_names_and_long_words_are_cut_to_a_bounded_length() {
        let long = "n".repeat(5_000);
        let shown = bounded(&format!(
            "`{long}` is not a column name (letters, digits, `_`)"
        ));
        assert_eq!(
            shown,
            format!(
                "`{}…` is not a column name (letters, digits, `_`)",
                "n".repeat(QUOTE_MAX_CHARS)
            )
        );
        let shown = bounded(&format!("no route GET /v1/{long}"));
        assert!(shown.starts_with("no route GET /v1/nnn"), "{shown}");
        assert!(shown.chars().count() <= "no route GET ".len() + QUOTE_MAX_CHARS + 1);
        let spaced = "word ".repeat(2_000);
        assert_eq!(bounded(&spaced).chars().count(), MESSAGE_MAX_CHARS + 1);
        // Short messages are left as they are.
        let plain = "data mart dm_01JD3Z6Q8H4W9V2C5N7R0T1B3K not found";
        assert_eq!(bounded(plain), plain);
    }

    #[test]
    fn a_query_over_a_limit_is_a_422_on_sql_naming_the_limit_and_its_value() {
        let e = ApiError::from(WarehouseError::LimitExceeded(QueryLimit::Time {
            seconds: 30,
        }));
        assert_eq!((e.status(), e.code()), (422, "query_limit_exceeded"));
        let body = e.body();
        assert_eq!(body["error"]["details"]["field"], "sql");
        assert_eq!(body["error"]["details"]["limit"], "time");
        assert_eq!(body["error"]["details"]["seconds"], 30);
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("time limit of 30 s"), "{message}");
        let e = ApiError::from(WarehouseError::LimitExceeded(QueryLimit::Memory {
            megabytes: 64,
        }));
        assert_eq!(e.body()["error"]["details"]["megabytes"], 64);
    }

    #[test]
    fn every_string_of_the_details_is_bounded_too() {
        let long = "f".repeat(3_000);
        let body = ApiError::invalid(long.clone(), format!("`{long}` is unknown")).body();
        let text = body.to_string();
        assert!(text.len() < 600, "{text}");
        assert!(
            body["error"]["details"]["field"]
                .as_str()
                .is_some_and(|f| f.ends_with('…'))
        );
    }
}
