//! The transform engine over the wire. On AWS the routes that plan or preview
//! mappings (validate, set definition, publish, preview) do not link the engine:
//! they send an [`EngineCall`] to the engine function (one Lambda Invoke) and read
//! its [`EngineReply`]. The engine function answers with [`answer`], over the same
//! [`Previewer`] the local server calls in-process; so both stacks run one code
//! path, and only the transport differs.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sluice_domain::discovery::{DiscoveredStream, SourceTest};
use sluice_domain::entities::{DataMart, Definition, Problem, Source, ValueMaps};

use crate::Deps;
use crate::error::{ServiceError, ServiceResult};
use crate::ports::{Preview, PreviewRequest, Previewer};

/// What a route asks of the engine.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum EngineCall {
    /// Compile every mapping of `definition` as a run would ([`Previewer::plan`]),
    /// with the project's value maps it names.
    Plan {
        definition: Definition,
        #[serde(default)]
        maps: ValueMaps,
    },
    /// Sample a stream of `mart` before and after its mapping
    /// ([`Previewer::preview`]); the mart names the project.
    Preview {
        mart: Box<DataMart>,
        definition: Definition,
        request: PreviewRequest,
    },
    /// Try `source` as a run reaches it ([`Previewer::test_source`]).
    TestSource { source: Box<Source> },
    /// The streams `source` offers ([`Previewer::streams`]).
    Streams {
        source: Box<Source>,
        name: Option<String>,
    },
}

/// The engine's answer to one [`EngineCall`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineReply {
    Problems(Vec<Problem>),
    Preview(Box<Preview>),
    SourceTest(SourceTest),
    Streams(Vec<DiscoveredStream>),
    Error(WireError),
}

/// A [`ServiceError`] as it crosses the wire. What a user may see (a field and
/// its reason, a conflict, a part that is busy) keeps its kind; the rest arrives
/// as an internal error, logged by the route and never shown.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireError {
    Validation {
        field: String,
        reason: String,
        details: Value,
    },
    NotFound {
        reason: String,
    },
    Conflict {
        reason: String,
    },
    Unavailable {
        reason: String,
    },
    Internal {
        reason: String,
    },
}

impl From<ServiceError> for WireError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Validation {
                field,
                reason,
                details,
            } => WireError::Validation {
                field,
                reason,
                details,
            },
            ServiceError::NotFound(reason) => WireError::NotFound { reason },
            ServiceError::Conflict(reason) => WireError::Conflict { reason },
            ServiceError::Unavailable(reason) => WireError::Unavailable { reason },
            ServiceError::Internal(reason) => WireError::Internal { reason },
            other => WireError::Internal {
                reason: other.to_string(),
            },
        }
    }
}

impl From<WireError> for ServiceError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::Validation {
                field,
                reason,
                details,
            } => ServiceError::Validation {
                field,
                reason,
                details,
            },
            WireError::NotFound { reason } => ServiceError::NotFound(reason),
            WireError::Conflict { reason } => ServiceError::Conflict(reason),
            WireError::Unavailable { reason } => ServiceError::Unavailable(reason),
            WireError::Internal { reason } => {
                ServiceError::Internal(format!("the engine function: {reason}"))
            }
        }
    }
}

impl EngineReply {
    fn of<T>(result: ServiceResult<T>, ok: impl FnOnce(T) -> EngineReply) -> EngineReply {
        match result {
            Ok(v) => ok(v),
            Err(e) => EngineReply::Error(e.into()),
        }
    }

    /// The problems of a [`EngineCall::Plan`].
    pub fn into_problems(self) -> ServiceResult<Vec<Problem>> {
        match self {
            EngineReply::Problems(p) => Ok(p),
            EngineReply::Error(e) => Err(e.into()),
            _ => Err(unexpected("problems")),
        }
    }

    /// The preview of a [`EngineCall::Preview`].
    pub fn into_preview(self) -> ServiceResult<Preview> {
        match self {
            EngineReply::Preview(p) => Ok(*p),
            EngineReply::Error(e) => Err(e.into()),
            _ => Err(unexpected("a preview")),
        }
    }

    /// The test of a [`EngineCall::TestSource`].
    pub fn into_source_test(self) -> ServiceResult<SourceTest> {
        match self {
            EngineReply::SourceTest(t) => Ok(t),
            EngineReply::Error(e) => Err(e.into()),
            _ => Err(unexpected("a source test")),
        }
    }

    /// The streams of a [`EngineCall::Streams`].
    pub fn into_streams(self) -> ServiceResult<Vec<DiscoveredStream>> {
        match self {
            EngineReply::Streams(s) => Ok(s),
            EngineReply::Error(e) => Err(e.into()),
            _ => Err(unexpected("streams")),
        }
    }
}

fn unexpected(wanted: &str) -> ServiceError {
    ServiceError::Internal(format!("the engine function answered without {wanted}"))
}

/// The engine function's whole work: `call`, answered by `engine` with `deps`
/// (the store, secrets and object store a preview reads the source with).
pub async fn answer(deps: &Deps, engine: &dyn Previewer, call: EngineCall) -> EngineReply {
    match call {
        EngineCall::Plan { definition, maps } => {
            EngineReply::of(engine.plan(&definition, &maps).await, EngineReply::Problems)
        }
        EngineCall::Preview {
            mart,
            definition,
            request,
        } => EngineReply::of(
            engine.preview(deps, &mart, definition, &request).await,
            |p| EngineReply::Preview(Box::new(p)),
        ),
        EngineCall::TestSource { source } => EngineReply::of(
            engine.test_source(deps, &source).await,
            EngineReply::SourceTest,
        ),
        EngineCall::Streams { source, name } => EngineReply::of(
            engine.streams(deps, &source, name.as_deref()).await,
            EngineReply::Streams,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_what_a_user_may_see_across_the_wire() {
        let there_and_back = |e: ServiceError| -> ServiceError {
            let wire = serde_json::to_string(&EngineReply::Error(e.into())).expect("json");
            let reply: EngineReply = serde_json::from_str(&wire).expect("a reply");
            reply.into_problems().expect_err("an error")
        };
        match there_and_back(ServiceError::invalid(
            "definition.streams[0].mapping",
            "bad",
        )) {
            ServiceError::Validation { field, reason, .. } => {
                assert_eq!(field, "definition.streams[0].mapping");
                assert_eq!(reason, "bad");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            there_and_back(ServiceError::Conflict("source deleted".into())),
            ServiceError::Conflict(m) if m == "source deleted"
        ));
        assert!(matches!(
            there_and_back(ServiceError::TooLarge(10)),
            ServiceError::Internal(m) if m.contains("larger than 10 bytes")
        ));
        // A reply of the other shape is the engine's fault, not the caller's.
        let reply = EngineReply::Problems(vec![]);
        assert!(matches!(
            reply.into_preview(),
            Err(ServiceError::Internal(_))
        ));
    }
}
