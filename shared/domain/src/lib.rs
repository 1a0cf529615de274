//! Sluice's domain: the vocabulary of ARCHITECTURE.md as types that cannot hold an
//! invalid value, the rules that validate them, and the ports (traits) that adapters
//! implement. Nothing here performs I/O or knows an SDK.

pub mod connectors;
pub mod cron;
pub mod discovery;
pub mod entities;
pub mod error;
pub mod files;
pub mod ids;
pub mod net;
pub mod output;
pub mod pipeline;
pub mod ports;
pub mod relations;
pub mod role;
pub mod rows;
pub mod suggest;

pub use error::{DomainError, Field};
pub use ids::{Id, IdOf, Kind};
pub use role::Role;
