//! The connector catalog.

use sluice_domain::connectors;

use super::{List, ok};
use crate::api::ApiResponse;
use crate::error::{ApiError, ApiResult, clip};

pub fn list() -> ApiResult<ApiResponse> {
    ok(
        200,
        &List {
            items: connectors::catalog(),
            next_cursor: None,
        },
    )
}

pub fn get(name: &str) -> ApiResult<ApiResponse> {
    let spec = connectors::connector(name)
        .ok_or_else(|| ApiError::NotFound(format!("connector `{}` not found", clip(name))))?;
    ok(200, &spec)
}
