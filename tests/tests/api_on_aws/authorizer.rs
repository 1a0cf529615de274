//! The Lambda authorizer over DynamoDB and Secrets Manager on moto: each kind of
//! credential resolves to its principal, a bad one is refused, a store that
//! fails is an error (API Gateway's 500), never a refusal; and a route's
//! function serves the principal the authorizer put in the request context,
//! still checking the route's role itself.

use std::sync::Arc;

use chrono::Utc;
use serde_json::json;
use sluice_app::Deps;
use sluice_app::api::{Api, handle_route};
use sluice_app::auth::{Credential, Principal, TokenKeys};
use sluice_app::routes;
use sluice_app::services::{Ctx, api_keys, identity};
use sluice_domain::{Id, Kind, Role};
use sluice_lambda::authorizer::{self, AuthorizerRequest, PRINCIPAL_CONTEXT};
use sluice_tests::moto::Moto;

const KEY_SECRET: &str = "sluice/token-keys";

/// The table and secrets on moto, and the token keys read from their secret,
/// as the authorizer's cold start builds them.
async fn deps_on(moto: &Moto) -> (Deps, aws_sdk_dynamodb::Client, String) {
    let sdk = moto.sdk_config().await;
    let table = format!("sluice-authorizer-{}", Utc::now().timestamp_millis());
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    sluice_aws::create_table(&client, &table)
        .await
        .expect("create table");
    let secrets: Arc<dyn sluice_domain::ports::Secrets> =
        Arc::new(sluice_aws::SecretsManagerSecrets::from_sdk_config(&sdk));
    let set = sluice_app::auth::KeySet::generate(Utc::now()).expect("a key set");
    secrets
        .put(KEY_SECRET, &set.to_secret_value())
        .await
        .expect("the key secret");
    let keys = TokenKeys::load(secrets.clone(), KEY_SECRET, false)
        .await
        .expect("the keys read back");
    let deps = Deps::new(
        Arc::new(sluice_aws::DynamoStore::new(client.clone(), table.clone())),
        secrets,
        Arc::new(sluice_domain::ports::SystemClock),
        Arc::new(keys),
    );
    (deps, client, table)
}

/// The REQUEST event (payload 2.0) API Gateway sends before `GET /v1/me`.
fn event(authorization: Option<&str>) -> AuthorizerRequest {
    let mut headers = json!({"host": "api.example.com", "user-agent": "test"});
    if let Some(a) = authorization {
        headers["authorization"] = json!(a);
    }
    serde_json::from_value(json!({
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/v1/me",
        "identitySource": authorization.map(|a| vec![a]),
        "routeKey": "GET /v1/me",
        "rawPath": "/v1/me",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "http": {"method": "GET", "path": "/v1/me", "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.10", "userAgent": "test"},
            "requestId": "authorizer-test",
            "routeKey": "GET /v1/me",
            "stage": "$default",
            "time": "23/Nov/2026:10:00:00 +0000",
            "timeEpoch": 1795428000000i64
        }
    }))
    .expect("an authorizer event")
}

/// The authorizer's answer to `Authorization: authorization`, as API Gateway
/// reads it: the principal when authorized, `None` when refused.
async fn answer(deps: &Deps, authorization: Option<&str>) -> Option<Principal> {
    let answer = authorizer::authorize(deps, event(authorization))
        .await
        .expect("the authorizer answers");
    let wire = serde_json::to_value(&answer).expect("json");
    if wire["isAuthorized"] == json!(true) {
        let text = wire["context"][PRINCIPAL_CONTEXT]
            .as_str()
            .expect("the principal, as a string");
        Some(serde_json::from_str(text).expect("a principal"))
    } else {
        assert_eq!(wire["isAuthorized"], json!(false), "{wire}");
        assert!(wire["context"].get(PRINCIPAL_CONTEXT).is_none(), "{wire}");
        None
    }
}

/// A route's event as API Gateway passes it on once the authorizer let it
/// through: the principal in `requestContext.authorizer.lambda`, and no
/// `Authorization` header, so the function can only have it from there.
fn route_event(method: &str, path: &str, principal: &Principal) -> sluice_app::api::ApiRequest {
    let event = json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "api.example.com", "accept": "application/json"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "authorizer": {"lambda": {
                PRINCIPAL_CONTEXT: serde_json::to_string(principal).expect("json")
            }},
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.10", "userAgent": "test"},
            "requestId": "route-test",
            "routeKey": format!("{method} {path}"),
            "stage": "$default",
            "time": "23/Nov/2026:10:00:00 +0000",
            "timeEpoch": 1795428000000i64
        },
        "isBase64Encoded": false
    });
    let req = lambda_http::request::from_str(&event.to_string()).expect("an API Gateway event");
    sluice_lambda::from_lambda(req)
}

#[tokio::test]
async fn each_credential_resolves_to_its_principal_and_a_bad_one_is_refused() {
    let moto = Moto::start().expect("moto_server starts");
    let (deps, _, _) = deps_on(&moto).await;
    let now = Utc::now();

    // An operator token, its own proof.
    let project = Id::generate(Kind::Project, now.timestamp_millis() as u64);
    let operator = Principal::operator("ops", project.clone(), Role::Owner);
    let token = deps
        .auth
        .sign(&operator, now.timestamp(), 3600)
        .expect("a token");
    assert_eq!(
        answer(&deps, Some(&format!("Bearer {token}"))).await,
        Some(operator.clone())
    );

    // A user's session: the first sign-up owns the default project.
    let body = serde_json::from_value(json!({
        "email": "ann@example.com",
        "password": "a-password-long-enough"
    }))
    .expect("a sign-up");
    let tokens = identity::sign_up(&deps, now, body)
        .await
        .expect("signed up");
    let session_bearer = format!("Bearer {}", tokens.access_token);
    let session = answer(&deps, Some(&session_bearer))
        .await
        .expect("the session is authorized");
    assert_eq!(session.project, deps.identity.default_project);
    assert_eq!(session.role, Role::Owner);
    assert_eq!(session.subject, tokens.user.id.to_string());
    assert!(
        matches!(&session.credential, Credential::Session { user, .. } if *user == tokens.user.id),
        "{session:?}"
    );

    // An API key of the session's project, an editor.
    let ctx = Ctx {
        deps: &deps,
        principal: session.clone(),
        now,
    };
    let created = api_keys::create(
        &ctx,
        serde_json::from_value(json!({"name": "ci", "role": "editor"})).expect("a key request"),
    )
    .await
    .expect("a key");
    let key = answer(&deps, Some(&format!("Bearer {}", created.key)))
        .await
        .expect("the key is authorized");
    assert_eq!(key.role, Role::Editor);
    assert_eq!(key.project, session.project);
    assert_eq!(
        key.credential,
        Credential::ApiKey {
            key: created.api_key.id.clone()
        }
    );

    // Missing, malformed, unknown and foreign credentials are refused.
    let foreign = TokenKeys::sealed()
        .expect("another key")
        .sign(&operator, now.timestamp(), 3600)
        .expect("a token");
    // `slk_<prefix>_<secret>`: the secret may hold `_` itself.
    let rest = created.key.strip_prefix("slk_").expect("an API key");
    let (prefix, secret) = rest.split_once('_').expect("slk_<prefix>_<secret>");
    let wrong_secret = format!("Bearer slk_{prefix}_{}", "A".repeat(secret.len()));
    let unknown_prefix = format!("Bearer slk_{}{}_{secret}", &prefix[1..], &prefix[..1]);
    let foreign = format!("Bearer {foreign}");
    for refused in [
        None,
        Some("Basic YW5uOnB3"),
        Some("Bearer "),
        Some("Bearer not-a-token"),
        Some(wrong_secret.as_str()),
        Some(unknown_prefix.as_str()),
        Some(foreign.as_str()),
    ] {
        assert_eq!(answer(&deps, refused).await, None, "{refused:?}");
    }

    // Signed out: the session's token is refused from then on.
    identity::sign_out(&Ctx {
        deps: &deps,
        principal: session,
        now,
    })
    .await
    .expect("signed out");
    assert_eq!(answer(&deps, Some(&session_bearer)).await, None);
}

#[tokio::test]
async fn a_route_serves_the_authorizers_principal_and_still_checks_its_role() {
    let moto = Moto::start().expect("moto_server starts");
    let (deps, _, _) = deps_on(&moto).await;
    let now = Utc::now();
    let body = serde_json::from_value(json!({
        "email": "bob@example.com",
        "password": "a-password-long-enough"
    }))
    .expect("a sign-up");
    let tokens = identity::sign_up(&deps, now, body)
        .await
        .expect("signed up");
    let session = answer(&deps, Some(&format!("Bearer {}", tokens.access_token)))
        .await
        .expect("the session is authorized");

    // GET /v1/me with only the authorizer's context: the session's user.
    let me = Api::one(deps.clone(), &routes::GET_ME).expect("the route's parts");
    let response = handle_route(&me, &routes::GET_ME, route_event("GET", "/v1/me", &session)).await;
    let body: serde_json::Value = serde_json::from_slice(&response.body).expect("JSON");
    assert_eq!(response.status, 200, "{body}");
    assert_eq!(body["credential"], "session", "{body}");
    assert_eq!(body["user"]["id"], tokens.user.id.to_string(), "{body}");

    // The answer is cached across routes: a viewer reaches an admin's route
    // only to be refused there, by the function's own check.
    let viewer = Principal {
        role: Role::Viewer,
        ..session.clone()
    };
    let keys = Api::one(deps.clone(), &routes::LIST_API_KEYS).expect("the route's parts");
    let refused = handle_route(
        &keys,
        &routes::LIST_API_KEYS,
        route_event("GET", "/v1/api-keys", &viewer),
    )
    .await;
    assert_eq!(
        refused.status,
        403,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    let allowed = handle_route(
        &keys,
        &routes::LIST_API_KEYS,
        route_event("GET", "/v1/api-keys", &session),
    )
    .await;
    assert_eq!(
        allowed.status,
        200,
        "{}",
        String::from_utf8_lossy(&allowed.body)
    );
}

#[tokio::test]
async fn a_store_that_fails_is_an_error_not_a_refusal() {
    let moto = Moto::start().expect("moto_server starts");
    let (deps, client, table) = deps_on(&moto).await;
    let now = Utc::now();
    let body = serde_json::from_value(json!({
        "email": "cy@example.com",
        "password": "a-password-long-enough"
    }))
    .expect("a sign-up");
    let tokens = identity::sign_up(&deps, now, body)
        .await
        .expect("signed up");
    let session = answer(&deps, Some(&format!("Bearer {}", tokens.access_token)))
        .await
        .expect("the session is authorized");
    let created = api_keys::create(
        &Ctx {
            deps: &deps,
            principal: session,
            now,
        },
        serde_json::from_value(json!({"name": "ci", "role": "viewer"})).expect("a key request"),
    )
    .await
    .expect("a key");

    client
        .delete_table()
        .table_name(&table)
        .send()
        .await
        .expect("the table is deleted");
    for credential in [&tokens.access_token, &created.key] {
        let result =
            authorizer::authorize(&deps, event(Some(&format!("Bearer {credential}")))).await;
        let error = result.expect_err("an error, so API Gateway answers 500");
        let message = error.to_string();
        assert!(
            !message.contains(credential.as_str()),
            "the error names no credential: {message}"
        );
    }
}
