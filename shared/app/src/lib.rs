//! The use cases of Sluice and their HTTP edge, shared by every Lambda function
//! and the local server. Layers, each importing only those below it:
//!
//! - [`api`]: the HTTP edge. A request enters through [`api::handle`] (the local
//!   server, which routes) or [`api::handle_route`] (a Lambda function, which
//!   serves one route); both check the credential, then the route's handler
//!   (in [`routes`]) reads the request into typed input, calls a service and
//!   shapes the response. Statuses and the error envelope live here only.
//! - [`services`]: the use cases. Typed input (ids of their kind, parsed bodies,
//!   pages) in, domain values or a [`error::ServiceError`] out; no HTTP.
//! - [`Deps`] and [`ports`]: the parts a use case is given ([`engine`]: the
//!   transform engine's wire form, for functions that reach it remotely); [`auth`]: tokens
//!   and principals; [`budget`]: request budgets; [`holders`], [`records`]: record plumbing; [`error`].

pub mod api;
pub mod auth;
pub mod budget;
mod deps;
pub mod engine;
pub mod error;
pub mod holders;
pub mod ports;
pub mod records;
pub mod services;

pub use deps::{
    ACCESS_TTL_SECONDS, DEFAULT_MAX_UPLOAD_BYTES, Deps, IdentitySettings, MissingPart, Part,
    Planning, Querying, SESSION_TTL_SECONDS, Testing,
};
pub use ports::{Preview, PreviewRequest, Previewer, RunFeed};

/// The route table and the OpenAPI document, where every part reads them.
pub use api::{openapi, routes};
