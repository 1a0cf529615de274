//! The engine: Arrow and DataFusion at two jobs, in two modules.
//!
//! - [`transform`]: the transform path. Decodes a raw chunk (NDJSON, CSV,
//!   Parquet), applies the data mart's mapping, and writes the Parquet the load
//!   commits. The mapping language (casts, expressions, string operations,
//!   rules) is [`mapping`].
//! - [`warehouse`]: the embedded warehouse. SQL over the Parquet tables, each
//!   query inside its project's wall and the deployment's limits.

mod flat_json;
pub mod mapping;
pub mod transform;
pub mod value_maps;
pub mod warehouse;

/// DataFusion itself, for callers that build Arrow data (tests, the transform path).
pub use datafusion;
pub use warehouse::{DataFusionWarehouse, column_infos, to_rows};
