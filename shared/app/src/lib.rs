//! Services and HTTP handlers shared by every Lambda function and the local server.
//!
//! A request enters through [`api::handle`] (the local server, which routes) or
//! [`api::handle_route`] (a Lambda function, which serves one route); both check
//! the credential, parse the body, call a service and map its error to one JSON
//! envelope.

pub mod api;
pub mod auth;
pub mod error;
pub mod openapi;
pub mod routes;
pub mod services;

use std::sync::Arc;

use sluice_domain::ports::{Clock, MetadataStore, Secrets};

/// Everything a handler needs, built once per process (per Lambda cold start).
#[derive(Clone)]
pub struct Deps {
    pub store: Arc<dyn MetadataStore>,
    pub secrets: Arc<dyn Secrets>,
    pub clock: Arc<dyn Clock>,
    pub auth: Arc<auth::TokenKeys>,
}
