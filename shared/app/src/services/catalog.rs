//! The connector catalog.

use sluice_domain::connectors::{self, ConnectorSpec};

use super::List;
use crate::error::{ServiceError, ServiceResult, clip};

pub fn list() -> List<ConnectorSpec> {
    List {
        items: connectors::catalog(),
        next_cursor: None,
    }
}

pub fn get(name: &str) -> ServiceResult<ConnectorSpec> {
    connectors::connector(name)
        .ok_or_else(|| ServiceError::NotFound(format!("connector `{}` not found", clip(name))))
}
