//! The connector catalog and the destination kinds.

use sluice_domain::connectors::{self, ConnectorSpec, DestinationKindSpec};

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

/// Every destination kind with the config fields a destination of it takes.
pub fn destination_kinds() -> List<DestinationKindSpec> {
    List {
        items: connectors::destination_kinds(),
        next_cursor: None,
    }
}
