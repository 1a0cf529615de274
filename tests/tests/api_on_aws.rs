//! The API suite (tests/src/api_suite.rs) over the AWS adapters: DynamoDB and Secrets
//! Manager on a moto server per test, through the local server over HTTP.

sluice_tests::api_suite_tests!(sluice_tests::app::spawn_app_on_moto);

// The isolation suite (tests/src/isolation.rs) on the same stack.
sluice_tests::isolation_tests!(sluice_tests::app::spawn_app_on_moto);

// The identity suite (tests/src/identity.rs) on the same stack.
sluice_tests::access_tests!(sluice_tests::app::spawn_app_on_moto);

sluice_tests::identity_tests!(sluice_tests::app::spawn_app_on_moto);

// Every catalog connector runs on this stack (tests/src/connectors.rs).
sluice_tests::connector_tests!(sluice_tests::app::spawn_app_on_moto);

// The Lambda authorizer on the same stack, and the route functions behind it.
#[path = "api_on_aws/authorizer.rs"]
mod authorizer;

// Live run views: the WebSocket API's functions.
#[path = "api_on_aws/websocket.rs"]
mod websocket;

/// The routes that plan or preview reach the engine function through the SDK's
/// Lambda Invoke, signed, and read its reply; a function that is not there, or
/// an engine that fails, is a clear error for the route, never a hang.
#[tokio::test]
async fn the_engine_is_reached_over_lambda_invoke() {
    use sluice_app::Previewer as _;
    use sluice_app::error::ServiceError;
    use sluice_domain::entities::Definition;
    use sluice_tests::lambda_invoke::{ENGINE_FUNCTION, InvokeEndpoint};

    let moto = sluice_tests::moto::Moto::start().expect("moto_server starts");
    let sdk = moto.sdk_config().await;
    let table = format!("sluice-engine-{}", chrono::Utc::now().timestamp_millis());
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    sluice_aws::create_table(&client, &table)
        .await
        .expect("create table");
    let deps = sluice_app::Deps::new(
        std::sync::Arc::new(sluice_aws::DynamoStore::new(client, table)),
        std::sync::Arc::new(sluice_aws::SecretsManagerSecrets::from_sdk_config(&sdk)),
        std::sync::Arc::new(sluice_domain::ports::SystemClock),
        std::sync::Arc::new(sluice_app::auth::TokenKeys::sealed().expect("key")),
    );
    let endpoint = InvokeEndpoint::start(deps).await;
    let engine = sluice_lambda::RemoteEngine::new(endpoint.client(&sdk), ENGINE_FUNCTION);
    let definition = |expression: &str| {
        Definition::from_json(serde_json::json!({
            "kind": "connector",
            "source_id": sluice_domain::Id::generate(sluice_domain::Kind::Source, 1),
            "streams": [{"name": "s", "mapping": {"columns": [
                {"target": "id", "source": "id"},
                {"target": "delay", "expression": expression}
            ]}}]
        }))
        .expect("a definition")
    };
    let clean = engine
        .plan(
            &definition("coalesce(dep_delay, 0) + coalesce(arr_delay, 0)"),
            &Default::default(),
        )
        .await
        .expect("planned");
    assert!(clean.is_empty(), "{clean:?}");
    let problems = engine
        .plan(&definition("amount * * 2"), &Default::default())
        .await
        .expect("planned");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].field,
        "definition.streams[0].mapping.columns[1].expression"
    );
    assert!(
        problems[0].reason.contains("does not parse"),
        "{problems:?}"
    );
    // The project's value maps a definition names travel with it.
    let mapped = Definition::from_json(serde_json::json!({
        "kind": "connector",
        "source_id": sluice_domain::Id::generate(sluice_domain::Kind::Source, 1),
        "streams": [{"name": "s", "mapping": {"columns": [
            {"target": "category", "source": "status", "ops": [{"op": "map", "map": "statuses"}]}
        ]}}]
    }))
    .expect("a definition");
    let lacking = engine
        .plan(&mapped, &Default::default())
        .await
        .expect("planned");
    assert_eq!(
        lacking[0].field,
        "definition.streams[0].mapping.columns[0].ops[0].map"
    );
    let maps: sluice_domain::entities::ValueMaps = [(
        "statuses".to_string(),
        serde_json::from_value(serde_json::json!({
            "id": "vm_01JD0000000000000000000001", "project_id": "prj_01JD0000000000000000000001",
            "version": 1, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "created_by": "t", "name": "statuses", "title": "Statuses",
            "entries": [{"key": "Done", "value": "done"}]
        }))
        .expect("a value map"),
    )]
    .into();
    let found = engine.plan(&mapped, &maps).await.expect("planned");
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(
        endpoint.calls.load(std::sync::atomic::Ordering::SeqCst),
        4,
        "each plan is one invocation"
    );

    // No such function: the route answers 503 with a reason, and the calls stop.
    let missing = sluice_lambda::RemoteEngine::new(endpoint.client(&sdk), "no-such-engine");
    match missing.plan(&definition("id"), &Default::default()).await {
        Err(ServiceError::Unavailable(reason)) => {
            assert!(reason.contains("could not be reached"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}
