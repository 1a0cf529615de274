//! The Lambda authorizer of the HTTP API: API Gateway calls it before every
//! route that takes a credential (a REQUEST authorizer, payload format 2.0,
//! simple responses), and caches its answer per `Authorization` header. It
//! says who the bearer credential names ([`api::resolve_credential`]), and
//! hands that principal, as JSON, to the route's function in the request
//! context (`requestContext.authorizer.lambda.principal`, read by
//! [`crate::from_lambda`]). Whether the principal may call the route is decided
//! by the route's function: one cached answer serves every route.

use std::collections::HashMap;

use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayV2CustomAuthorizerSimpleResponse, ApiGatewayV2CustomAuthorizerV2Request,
};
use lambda_http::http::{self, HeaderMap};
use lambda_http::{LambdaEvent, service_fn};
use sluice_app::Deps;
use sluice_app::api::{self, ApiError, ApiRequest};
use sluice_app::auth::Principal;

use crate::{Vars, aws_deps, init_tracing, report_init_error};

/// The key of the principal in the authorizer's context.
pub const PRINCIPAL_CONTEXT: &str = "principal";

/// The event API Gateway sends the authorizer.
pub type AuthorizerRequest = ApiGatewayV2CustomAuthorizerV2Request;

/// The authorizer's answer: whether the request goes on, and the principal as
/// a JSON string under [`PRINCIPAL_CONTEXT`] when it does.
pub type AuthorizerResponse = ApiGatewayV2CustomAuthorizerSimpleResponse<HashMap<String, String>>;

/// Why the authorizer could not answer: the credential could not be checked
/// (the table or the key set did not answer). API Gateway then answers 500,
/// so an outage is never reported to the caller as a bad credential.
#[derive(Debug, thiserror::Error)]
#[error("the credential could not be checked: {0}")]
pub struct AuthorizerError(String);

/// The whole `main` of the `authorizer` function.
pub async fn run_authorizer() -> Result<(), lambda_http::Error> {
    init_tracing();
    let deps = match aws_deps(&Vars::process(), &[]).await {
        Ok(deps) => deps,
        Err(e) => {
            let e = format!("authorizer: {e}");
            report_init_error(&e);
            return Err(e.into());
        }
    };
    let deps = &deps;
    lambda_http::lambda_runtime::run(service_fn(
        |event: LambdaEvent<AuthorizerRequest>| async move {
            authorize(deps, event.payload)
                .await
                .map_err(lambda_http::Error::from)
        },
    ))
    .await
}

/// Answers one authorizer event: authorized with the principal, refused for a
/// missing or refused credential, an error when it could not be checked.
pub async fn authorize(
    deps: &Deps,
    event: AuthorizerRequest,
) -> Result<AuthorizerResponse, AuthorizerError> {
    // Only the credential is read; the rest of the request is the route's.
    let mut headers = HeaderMap::new();
    if let Some(value) = event.headers.get(http::header::AUTHORIZATION) {
        headers.insert(http::header::AUTHORIZATION, value.clone());
    }
    let req = ApiRequest {
        method: event.request_context.http.method.clone(),
        path: event.raw_path.clone().unwrap_or_default(),
        query: None,
        headers,
        body: Default::default(),
        spooled: None,
        authorized: None,
    };
    let mut answer = AuthorizerResponse::default();
    match api::resolve_credential(deps, &req).await {
        Ok(principal) => {
            let json = serde_json::to_string(&principal)
                .map_err(|e| AuthorizerError(format!("the principal as JSON: {e}")))?;
            tracing::debug!(
                project = %principal.project,
                subject = %principal.subject,
                credential = principal.credential.as_str(),
                "Credential accepted."
            );
            answer.is_authorized = true;
            answer.context.insert(PRINCIPAL_CONTEXT.to_string(), json);
        }
        // The reason says what to do, never what the credential was.
        Err(ApiError::Unauthorized(reason)) => {
            tracing::debug!(%reason, "Credential refused.");
            answer.is_authorized = false;
        }
        Err(e) => {
            tracing::error!(error = %e, "The credential could not be checked.");
            return Err(AuthorizerError(e.to_string()));
        }
    }
    Ok(answer)
}

/// The principal an authorizer put in the request context of `req`, if any.
/// One that does not read (an authorizer of another version) is ignored: the
/// function then resolves the credential itself.
pub fn principal_of(req: &lambda_http::Request) -> Option<Principal> {
    use lambda_http::RequestExt as _;
    use lambda_http::request::RequestContext;
    // One variant with the features this workspace builds lambda_http with.
    #[allow(irrefutable_let_patterns)]
    let RequestContext::ApiGatewayV2(context) = req.request_context_ref()? else {
        return None;
    };
    let value = context.authorizer.as_ref()?.fields.get(PRINCIPAL_CONTEXT)?;
    let text = value.as_str()?;
    match serde_json::from_str(text) {
        Ok(principal) => Some(principal),
        Err(e) => {
            tracing::warn!(error = %e, "The authorizer's principal does not read; resolving the credential here.");
            None
        }
    }
}
