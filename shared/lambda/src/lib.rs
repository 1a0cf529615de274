//! The shared body of every API Lambda function: read the config once at cold start,
//! build the AWS adapters once, then hand each API Gateway event to the same handler
//! the local server runs.

use std::sync::Arc;

use lambda_http::{Body, Request, RequestExt as _, Response, service_fn};
use sluice_app::api::{self, ApiRequest, ApiResponse};
use sluice_app::auth::TokenKeys;
use sluice_app::{Deps, routes};
use sluice_aws::{DynamoStore, SecretsManagerSecrets};
use sluice_domain::ports::{Secrets as _, SystemClock};

pub use lambda_http::Error;

/// Configuration of an API function, read once from named environment variables.
pub struct Config {
    /// `SLUICE_TABLE`: the DynamoDB metadata table.
    pub table: String,
    /// `SLUICE_TOKEN_KEY_SECRET`: id of the Secrets Manager secret whose value (at
    /// least 32 bytes) signs bearer tokens.
    pub token_key_secret: String,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("set the environment variable {name}"))
        };
        Ok(Config {
            table: var("SLUICE_TABLE")?,
            token_key_secret: var("SLUICE_TOKEN_KEY_SECRET")?,
        })
    }
}

/// Builds the AWS-backed dependencies; fails fast, naming what is wrong.
pub async fn aws_deps(config: &Config) -> Result<Deps, lambda_http::Error> {
    let sdk = sluice_aws::sdk_config().await;
    let secrets = SecretsManagerSecrets::from_sdk_config(&sdk);
    let key = secrets
        .get(&config.token_key_secret)
        .await
        .map_err(|e| format!("reading the token signing key: {e}"))?
        .ok_or_else(|| {
            format!(
                "secret {} (SLUICE_TOKEN_KEY_SECRET) does not exist",
                config.token_key_secret
            )
        })?;
    let auth = TokenKeys::new(key.expose().trim().as_bytes())
        .map_err(|e| format!("secret {}: {e}", config.token_key_secret))?;
    Ok(Deps {
        store: Arc::new(DynamoStore::from_sdk_config(&sdk, &config.table)),
        secrets: Arc::new(secrets),
        clock: Arc::new(SystemClock),
        auth: Arc::new(auth),
    })
}

/// The whole `main` of an API function serving route `name`.
pub async fn run_api(name: &'static str) -> Result<(), lambda_http::Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_current_span(false)
        .init();
    let route = routes::by_name(name).ok_or_else(|| format!("no route named {name}"))?;
    let config = Config::from_env()?;
    let deps = aws_deps(&config).await?;
    lambda_http::run(service_fn(|req: Request| {
        let deps = &deps;
        async move {
            Ok::<_, lambda_http::Error>(to_lambda(
                api::handle_route(deps, route, from_lambda(req)).await,
            ))
        }
    }))
    .await
}

/// An API Gateway request as the shared handler takes it.
pub fn from_lambda(req: Request) -> ApiRequest {
    let query = {
        let q = req.query_string_parameters();
        let pairs: Vec<String> = q
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("&"))
    };
    let (parts, body) = req.into_parts();
    let body = match body {
        Body::Empty => Default::default(),
        Body::Text(t) => t.into_bytes().into(),
        Body::Binary(b) => b.into(),
        _ => Default::default(),
    };
    ApiRequest {
        method: parts.method,
        path: strip_stage(parts.uri.path()),
        query,
        headers: parts.headers,
        body,
    }
}

/// `cargo lambda watch` serves functions under `/lambda-url/{name}`; API Gateway
/// passes the route's own path. Either way the handler sees `/v1/…`.
fn strip_stage(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("/lambda-url/") {
        return rest
            .find('/')
            .map(|i| rest[i..].to_string())
            .unwrap_or_else(|| "/".into());
    }
    path.to_string()
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The shared handler's response as API Gateway takes it.
pub fn to_lambda(r: ApiResponse) -> Response<Body> {
    let mut builder = Response::builder().status(r.status);
    for (k, v) in &r.headers {
        builder = builder.header(*k, v);
    }
    let body = if r.body.is_empty() {
        Body::Empty
    } else {
        Body::Text(String::from_utf8_lossy(&r.body).into_owned())
    };
    builder.body(body).unwrap_or_else(|_| {
        Response::new(Body::Text(
            r#"{"error":{"code":"internal","message":"bad response header","details":{}}}"#.into(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_lambda_prefixes_are_removed() {
        assert_eq!(
            strip_stage("/lambda-url/api-get-data-mart/v1/data-marts/x"),
            "/v1/data-marts/x"
        );
        assert_eq!(strip_stage("/v1/data-marts/x"), "/v1/data-marts/x");
    }
}
