//! The engine function's body (`functions/engine`): answers the [`EngineCall`]s
//! of the routes that plan or preview mappings, with the engine and connectors
//! linked here only. Its event is the call itself (a direct Lambda Invoke from
//! those routes, never a public route), its response the [`EngineReply`].

use lambda_http::{LambdaEvent, service_fn};
use sluice_app::engine::{EngineCall, EngineReply, answer};
use tracing::Instrument as _;

/// The whole `main` of the engine function.
pub async fn run_engine() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let deps = match crate::worker_deps().await {
        Ok(deps) => deps,
        Err(e) => {
            crate::report_init_error(&format!("engine: {e}"));
            return Err(e.into());
        }
    };
    let deps = &deps;
    lambda_http::lambda_runtime::run(service_fn(|event: LambdaEvent<EngineCall>| async move {
        let call = event.payload;
        let span = match &call {
            EngineCall::Plan { .. } => tracing::info_span!("engine", call = "plan"),
            EngineCall::Preview { mart, .. } => tracing::info_span!(
                "engine",
                call = "preview",
                project = %mart.meta.project_id,
                data_mart_id = %mart.meta.id
            ),
            EngineCall::TestSource { source } | EngineCall::Streams { source, .. } => {
                tracing::info_span!(
                    "engine",
                    call = if matches!(call, EngineCall::TestSource { .. }) {
                        "test_source"
                    } else {
                        "streams"
                    },
                    project = %source.meta.project_id,
                    source_id = %source.meta.id
                )
            }
        };
        let reply: EngineReply = answer(deps, &sluice_runs::EnginePreviewer, call)
            .instrument(span)
            .await;
        Ok::<_, lambda_http::Error>(reply)
    }))
    .await
}
