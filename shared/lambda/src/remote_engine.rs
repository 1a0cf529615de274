//! The transform engine reached over Lambda Invoke: the [`Previewer`] of the
//! routes that plan or preview mappings (`parts::engine`). Their binaries link
//! this client instead of the engine; the engine function (`functions/engine`)
//! answers each call with [`sluice_app::engine::answer`].

use async_trait::async_trait;
use aws_sdk_lambda::primitives::Blob;
use sluice_app::Deps;
use sluice_app::engine::{EngineCall, EngineReply};
use sluice_app::error::{ServiceError, ServiceResult};
use sluice_app::ports::{Preview, PreviewRequest, Previewer};
use sluice_domain::discovery::{DiscoveredStream, SourceTest};
use sluice_domain::entities::{DataMart, Definition, Problem, Source, ValueMaps};

/// The engine function `function`, called synchronously.
pub struct RemoteEngine {
    client: aws_sdk_lambda::Client,
    function: String,
}

impl RemoteEngine {
    pub fn new(client: aws_sdk_lambda::Client, function: impl Into<String>) -> RemoteEngine {
        RemoteEngine {
            client,
            function: function.into(),
        }
    }

    pub fn from_sdk_config(sdk: &aws_config::SdkConfig, function: impl Into<String>) -> Self {
        RemoteEngine::new(aws_sdk_lambda::Client::new(sdk), function)
    }

    async fn call(&self, call: &EngineCall) -> ServiceResult<EngineReply> {
        let payload = serde_json::to_vec(call)
            .map_err(|e| ServiceError::Internal(format!("an engine call as JSON: {e}")))?;
        let out = self
            .client
            .invoke()
            .function_name(&self.function)
            .payload(Blob::new(payload))
            .send()
            .await
            .map_err(|e| {
                let busy = e.as_service_error().is_some_and(|s| {
                    s.is_too_many_requests_exception() || s.is_ec2_throttled_exception()
                });
                tracing::error!(
                    function = %self.function,
                    error = %aws_sdk_lambda::error::DisplayErrorContext(&e),
                    "Invoking the engine function failed."
                );
                if busy {
                    ServiceError::Unavailable(
                        "the transform engine is busy; try again shortly".into(),
                    )
                } else {
                    ServiceError::Unavailable(
                        "the transform engine could not be reached; try again shortly".into(),
                    )
                }
            })?;
        let body = out.payload().map(|b| b.as_ref()).unwrap_or_default();
        if let Some(kind) = out.function_error() {
            let text = String::from_utf8_lossy(body);
            // Lambda returns at most 6 MB: a preview of many wide rows can be more.
            if text.contains("payload size") {
                return Err(ServiceError::invalid(
                    "limit",
                    "the preview is larger than the engine can return; ask for fewer rows",
                ));
            }
            return Err(ServiceError::Internal(format!(
                "the engine function failed ({kind}): {}",
                sluice_app::error::bounded(&text)
            )));
        }
        serde_json::from_slice(body).map_err(|e| {
            ServiceError::Internal(format!("the engine function's answer is not a reply: {e}"))
        })
    }
}

#[async_trait]
impl Previewer for RemoteEngine {
    async fn plan(&self, definition: &Definition, maps: &ValueMaps) -> ServiceResult<Vec<Problem>> {
        self.call(&EngineCall::Plan {
            definition: definition.clone(),
            maps: maps.clone(),
        })
        .await?
        .into_problems()
    }

    async fn preview(
        &self,
        _deps: &Deps,
        mart: &DataMart,
        definition: Definition,
        req: &PreviewRequest,
    ) -> ServiceResult<Preview> {
        self.call(&EngineCall::Preview {
            mart: Box::new(mart.clone()),
            definition,
            request: req.clone(),
        })
        .await?
        .into_preview()
    }

    async fn test_source(&self, _deps: &Deps, source: &Source) -> ServiceResult<SourceTest> {
        self.call(&EngineCall::TestSource {
            source: Box::new(source.clone()),
        })
        .await?
        .into_source_test()
    }

    async fn streams(
        &self,
        _deps: &Deps,
        source: &Source,
        name: Option<&str>,
    ) -> ServiceResult<Vec<DiscoveredStream>> {
        self.call(&EngineCall::Streams {
            source: Box::new(source.clone()),
            name: name.map(str::to_string),
        })
        .await?
        .into_streams()
    }
}
