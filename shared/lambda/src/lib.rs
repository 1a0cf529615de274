//! The shared body of every Lambda function: read the config once at cold start,
//! build the AWS adapters once, then hand each event to the same handler the local
//! server runs — an API Gateway request to the API handler ([`run_api`]), an SQS
//! batch of stage messages to the run machine ([`stage::run_stage`], feature
//! `stage`).

#[cfg(feature = "scheduler")]
pub mod scheduler;
#[cfg(feature = "stage")]
pub mod stage;

use std::sync::Arc;

use lambda_http::{Body, Request, RequestExt as _, Response, service_fn};
use sluice_app::api::{self, ApiRequest, ApiResponse};
use sluice_app::auth::TokenKeys;
use sluice_app::{Deps, routes};
use sluice_aws::{
    AthenaSettings, AthenaWarehouse, DynamoStore, EventBridgeBus, S3Objects, SecretsManagerSecrets,
    SqsQueue,
};
use sluice_domain::pipeline::stage_queues;
use sluice_domain::ports::{QueryLimits, Secrets as _, SystemClock};

pub use lambda_http::Error;

/// Why a function could not start: reported to the Lambda Runtime API as its
/// init error, so the invocation fails with the reason instead of timing out.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("set the environment variable {0}")]
    Missing(&'static str),
    #[error("{0}")]
    Invalid(String),
    /// A part the function's work calls is not configured.
    #[error(transparent)]
    Part(#[from] sluice_app::MissingPart),
}

/// Configuration of an API function, read once from named environment variables.
pub struct Config {
    /// `SLUICE_TABLE`: the DynamoDB metadata table.
    pub table: String,
    /// `SLUICE_TOKEN_KEY_SECRET`: id of the Secrets Manager secret whose value (at
    /// least 32 bytes) signs bearer tokens.
    pub token_key_secret: String,
}

impl Config {
    pub fn from_env() -> Result<Config, InitError> {
        Ok(Config {
            table: required("SLUICE_TABLE")?,
            token_key_secret: required("SLUICE_TOKEN_KEY_SECRET")?,
        })
    }
}

fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn required(name: &'static str) -> Result<String, InitError> {
    optional(name).ok_or(InitError::Missing(name))
}

/// The run machinery's parts, each there when its variable is set (a function
/// gets only the variables of what it uses):
/// - `SLUICE_BUCKET`: the S3 bucket of run objects and warehouse files;
/// - `SLUICE_QUEUE_URL_PREFIX`: stage queue `name` is at `{prefix}{name}`
///   (for example `https://sqs.eu-west-1.amazonaws.com/123456789012/prod-`);
/// - `SLUICE_EVENT_BUS`: the EventBridge bus run events go to;
/// - `SLUICE_ATHENA_DATABASE` and `SLUICE_ATHENA_OUTPUT` (with the bucket; and
///   `SLUICE_ATHENA_WORKGROUP`, default `primary`): the warehouse, and where it
///   queries for a data mart whose storage is not an Athena one (an Athena
///   storage's region, database, workgroup and output location win); a
///   project's tables are in the database `{database}_{project}`, its results
///   under `{output}{project}/`;
/// - `SLUICE_WAREHOUSE_QUERY_ROLE_ARN`: the role queries run as, narrowed per
///   project by a session policy (unset: the function's own credentials);
/// - `SLUICE_QUERY_TIMEOUT_SECONDS`: when a query is stopped (default 30).
pub fn attach_run_parts(deps: &mut Deps, sdk: &aws_config::SdkConfig) -> Result<(), InitError> {
    if let Some(bucket) = optional("SLUICE_BUCKET") {
        deps.objects = Some(Arc::new(S3Objects::from_sdk_config(sdk, &bucket)));
        if let (Some(database), Some(output_location)) = (
            optional("SLUICE_ATHENA_DATABASE"),
            optional("SLUICE_ATHENA_OUTPUT"),
        ) {
            let limits = QueryLimits::from_variables(optional)
                .map_err(|e| InitError::Invalid(e.to_string()))?;
            let settings = AthenaSettings {
                database,
                workgroup: optional("SLUICE_ATHENA_WORKGROUP").unwrap_or_else(|| "primary".into()),
                output_location,
                bucket,
                timeout: limits.timeout,
            };
            let mut warehouse = AthenaWarehouse::from_sdk_config(sdk, settings);
            if let Some(role) = optional("SLUICE_WAREHOUSE_QUERY_ROLE_ARN") {
                warehouse = warehouse.with_query_role_from(sdk, role);
            }
            deps.warehouse = Some(Arc::new(warehouse));
        }
    }
    if let Some(prefix) = optional("SLUICE_QUEUE_URL_PREFIX") {
        let queues = stage_queues().into_iter().map(|q| {
            let url = format!("{prefix}{q}");
            (q, url)
        });
        deps.queue = Some(Arc::new(SqsQueue::from_sdk_config(sdk, queues)));
    }
    if let Some(bus) = optional("SLUICE_EVENT_BUS") {
        deps.bus = Some(Arc::new(EventBridgeBus::from_sdk_config(sdk, bus)));
    }
    Ok(())
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
    let mut deps = Deps::new(
        Arc::new(DynamoStore::from_sdk_config(&sdk, &config.table)),
        Arc::new(secrets),
        Arc::new(SystemClock),
        Arc::new(auth),
    );
    attach_run_parts(&mut deps, &sdk)?;
    Ok(deps)
}

/// The dependencies of a function no request reaches (a stage, the scheduler):
/// the table (`SLUICE_TABLE`), secrets, the run parts of [`attach_run_parts`], and
/// a sealed token key.
#[cfg(any(feature = "stage", feature = "scheduler"))]
pub(crate) async fn worker_deps() -> Result<Deps, InitError> {
    let table = required("SLUICE_TABLE")?;
    let sdk = sluice_aws::sdk_config().await;
    let mut deps = Deps::new(
        Arc::new(DynamoStore::from_sdk_config(&sdk, &table)),
        Arc::new(SecretsManagerSecrets::from_sdk_config(&sdk)),
        Arc::new(SystemClock),
        Arc::new(sealed_token_keys()),
    );
    attach_run_parts(&mut deps, &sdk)?;
    Ok(deps)
}

/// Stage and scheduler functions verify no tokens; their key is random and never leaves the
/// process, so nothing they could be handed verifies against it.
#[cfg(any(feature = "stage", feature = "scheduler"))]
pub(crate) fn sealed_token_keys() -> TokenKeys {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut key = Vec::with_capacity(32);
    for i in 0..4u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        key.extend_from_slice(&h.finish().to_le_bytes());
    }
    TokenKeys::new(&key).unwrap_or_else(|_| unreachable!("the key is 32 bytes"))
}

/// JSON log lines, as CloudWatch Logs Insights reads them, each with its span's
/// fields (`route`, `project`, `run_id`, `message_id`).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        // Each line carries the fields of the span it was logged in: the route
        // and project of a request, the run and message of a stage message.
        .with_current_span(true)
        .with_span_list(false)
        .init();
}

/// The whole `main` of an API function serving route `name`.
pub async fn run_api(name: &'static str) -> Result<(), lambda_http::Error> {
    run_api_with(name, |deps| deps).await
}

/// As [`run_api`], with `extend` adding what this route needs beyond the common
/// parts (the preview route adds the transform engine's previewer).
pub async fn run_api_with(
    name: &'static str,
    extend: impl FnOnce(Deps) -> Deps,
) -> Result<(), lambda_http::Error> {
    init_tracing();
    let deps = match init(name).await {
        Ok((route, deps)) => {
            let deps = extend(deps);
            // The parts the route's service calls: missing ones stop the function
            // here, with their reason, never a request.
            if let Err(missing) = deps.check(route.needs) {
                let e = format!("{name}: {missing}");
                report_init_error(&e);
                return Err(e.into());
            }
            (route, deps)
        }
        Err(e) => {
            report_init_error(&e.to_string());
            return Err(e);
        }
    };
    let (route, deps) = (deps.0, &deps.1);
    lambda_http::run(service_fn(|req: Request| async move {
        Ok::<_, lambda_http::Error>(to_lambda(
            api::handle_route(deps, route, from_lambda(req)).await,
        ))
    }))
    .await
}

async fn init(name: &str) -> Result<(&'static routes::RouteSpec, Deps), lambda_http::Error> {
    let route = routes::by_name(name).ok_or_else(|| format!("no route named {name}"))?;
    let config = Config::from_env()?;
    Ok((route, aws_deps(&config).await?))
}

/// Tells the Lambda Runtime API why the function could not start, so the pending
/// invocation fails with that message instead of waiting for a timeout (Lambda
/// reports it as `Runtime.InitError`; `cargo lambda watch` otherwise hangs).
pub fn report_init_error(message: &str) {
    use std::io::Write as _;
    tracing::error!(error = %message, "Function could not start.");
    let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        return;
    };
    let body =
        serde_json::json!({"errorType": "Runtime.InitError", "errorMessage": message}).to_string();
    let request = format!(
        "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: {api}\r\nLambda-Runtime-Function-Error-Type: Runtime.InitError\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if let Ok(mut stream) = std::net::TcpStream::connect(&api) {
        let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
        let _ = stream.write_all(request.as_bytes());
        let _ = std::io::Read::read(&mut stream, &mut [0u8; 256]);
    }
}

/// An API Gateway request as the shared handler takes it.
pub fn from_lambda(req: Request) -> ApiRequest {
    // The raw path, without the stage prefix lambda_http adds for named stages.
    let path = req.raw_http_path().to_string();
    let path = if path.is_empty() {
        req.uri().path().to_string()
    } else {
        path
    };
    let (parts, body) = req.into_parts();
    let query = parts
        .uri
        .query()
        .filter(|q| !q.is_empty())
        .map(str::to_string);
    let body = match body {
        Body::Empty => Default::default(),
        Body::Text(t) => t.into_bytes().into(),
        Body::Binary(b) => b.into(),
        _ => Default::default(),
    };
    ApiRequest {
        method: parts.method,
        path,
        query,
        headers: parts.headers,
        body,
        spooled: None,
    }
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
