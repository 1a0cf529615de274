//! The application's own ports: parts it calls that live elsewhere (the engine),
//! and the values they exchange.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sluice_domain::discovery::{DiscoveredStream, SourceTest};
use sluice_domain::entities::{DataMart, Definition, Source, ValueMaps};
use sluice_domain::ports::ColumnInfo;

use crate::Deps;
use crate::error::ServiceResult;

/// Rows a query or a preview answers with.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QueryResult {
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<Vec<Value>>,
    pub next_page: Option<String>,
}

/// `POST /v1/data-marts/{id}/preview`
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// Index of the stream in the definition (default 0).
    #[serde(default)]
    pub stream: Option<u32>,
    /// Sample rows, 1-1,000 (default 20).
    #[serde(default)]
    pub limit: Option<u32>,
    /// A definition to try instead of the saved one (nothing is saved).
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub definition: Option<Value>,
}

/// A few source rows before and after the mapping, side by side, with the
/// warnings they raise.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Preview {
    pub stream: String,
    pub before: QueryResult,
    pub after: QueryResult,
    pub warnings: Vec<PreviewWarning>,
}

#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PreviewWarning {
    /// Sample row, from 1; absent for warnings about the whole table.
    pub row: Option<u64>,
    pub column: Option<String>,
    /// `type_mismatch`, `null_in_not_null`, `not_allowed`, `duplicate_key`,
    /// `bad_row`, `schema_mismatch`.
    pub kind: String,
    pub reason: String,
}

/// The transform engine as the API reaches it: previews, and the planning of a
/// definition's mappings by the engine that will run them. It lives with the
/// engine, so API functions without one link none: on AWS they reach it over
/// the wire ([`crate::engine`]).
#[async_trait]
pub trait Previewer: Send + Sync {
    /// Compiles every stream's mapping (expressions, casts, rules) as a run
    /// would: what the engine refuses comes back as problems naming the field,
    /// with the engine's reason. `maps` are the project's value maps the
    /// definition names (a `map` op naming another is a problem). Fails only
    /// when the engine cannot be reached.
    async fn plan(
        &self,
        definition: &Definition,
        maps: &ValueMaps,
    ) -> ServiceResult<Vec<sluice_domain::entities::Problem>>;

    async fn preview(
        &self,
        deps: &Deps,
        mart: &DataMart,
        definition: Definition,
        req: &PreviewRequest,
    ) -> ServiceResult<Preview>;

    /// `source` tried the way a run reaches it: reachable, authorized,
    /// readable, with the reason of the first check that fails.
    async fn test_source(&self, deps: &Deps, source: &Source) -> ServiceResult<SourceTest>;

    /// The streams `source` offers now, with their fields. With `name`, that
    /// stream only: as the source describes it, else read from its first rows.
    async fn streams(
        &self,
        deps: &Deps,
        source: &Source,
        name: Option<&str>,
    ) -> ServiceResult<Vec<DiscoveredStream>>;
}

/// The run events published in this process, as they are published: what a
/// live view of a run follows (`GET /v1/runs/{id}/events`). Only a long-lived
/// process has one (the local server's in-process bus); on AWS the run-event
/// bus feeds the WebSocket API's `ws-push` function instead.
pub trait RunFeed: Send + Sync {
    /// A receiver of every event published from now on. One that falls behind
    /// by more than the bus holds is told how many it missed
    /// (`RecvError::Lagged`), never silently skipped.
    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<sluice_domain::ports::RunEvent>;
}
