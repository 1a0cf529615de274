//! The API's one error type and its mapping to HTTP: `{"error": {"code", "message",
//! "details"}}`. A 500 says nothing internal; the log says everything.

use serde_json::{Value, json};
use sluice_domain::DomainError;
use sluice_domain::ports::{ObjectError, QueueError, SecretsError, StoreError, WarehouseError};

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
            ApiError::Validation { .. } => 422,
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
            other => (other.to_string(), json!({})),
        };
        json!({"error": {"code": self.code(), "message": message, "details": details}})
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

    pub fn not_found(kind: sluice_domain::Kind, id: &str) -> ApiError {
        ApiError::NotFound(format!("{} {id} not found", kind.noun()))
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
            WarehouseError::BadPageToken(_) => {
                ApiError::invalid("page", "is not a page token this query returned")
            }
            other => ApiError::Internal(format!("{other:#}")),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
