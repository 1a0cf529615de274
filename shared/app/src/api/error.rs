//! The HTTP form of every error: a status and the JSON envelope
//! `{"error": {"code", "message", "details"}}`. A 500 says nothing internal; the
//! log says everything. Services fail with a [`ServiceError`], mapped here; the
//! edge's own failures (a credential, a malformed body, a method) are here only.

use serde_json::{Value, json};
use sluice_domain::ports::{QueryLimit, WarehouseError};

use crate::error::{ServiceError, bounded, bounded_strings};

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
    /// The caller's request budget for this minute is spent; wait this many
    /// seconds.
    #[error(
        "too many requests: this credential's budget of {per_minute} a minute is spent; try again in {retry_after} s"
    )]
    TooManyRequests { per_minute: u32, retry_after: u64 },
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
            ApiError::TooManyRequests { .. } => 429,
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
            ApiError::TooManyRequests { .. } => "too_many_requests",
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
            ApiError::TooManyRequests {
                per_minute,
                retry_after,
            } => (
                self.to_string(),
                json!({"requests_per_minute": per_minute, "retry_after_seconds": retry_after}),
            ),
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

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Validation {
                field,
                reason,
                details,
            } => ApiError::Validation {
                field,
                reason,
                details,
            },
            ServiceError::NotFound(m) => ApiError::NotFound(m),
            ServiceError::QueryLimit(l) => ApiError::QueryLimit(l),
            ServiceError::Conflict(m) => ApiError::Conflict(m),
            ServiceError::TooLarge(n) => ApiError::PayloadTooLarge(n as usize),
            ServiceError::Unauthorized(m) => ApiError::Unauthorized(m),
            ServiceError::Forbidden(m) => ApiError::Forbidden(m),
            ServiceError::Unavailable(m) => ApiError::Unavailable(m),
            ServiceError::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl From<crate::auth::Unauthorized> for ApiError {
    fn from(e: crate::auth::Unauthorized) -> Self {
        ApiError::Unauthorized(e.0)
    }
}

impl From<sluice_domain::DomainError> for ApiError {
    fn from(e: sluice_domain::DomainError) -> Self {
        ServiceError::from(e).into()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{MESSAGE_MAX_CHARS, QUOTE_MAX_CHARS};
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
        let e = ApiError::from(ServiceError::from(WarehouseError::LimitExceeded(
            QueryLimit::Time { seconds: 30 },
        )));
        assert_eq!((e.status(), e.code()), (422, "query_limit_exceeded"));
        let body = e.body();
        assert_eq!(body["error"]["details"]["field"], "sql");
        assert_eq!(body["error"]["details"]["limit"], "time");
        assert_eq!(body["error"]["details"]["seconds"], 30);
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("time limit of 30 s"), "{message}");
        let e = ApiError::from(ServiceError::from(WarehouseError::LimitExceeded(
            QueryLimit::Memory { megabytes: 64 },
        )));
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
