//! The shared body of every Lambda function: read the config once at cold start,
//! build the AWS adapters once, then hand each event to the same handler the local
//! server runs — an API Gateway request to the API handler ([`run_api`]), an SQS
//! batch of stage messages to the run machine ([`stage::run_stage`], feature
//! `stage`), an authorizer event to the credential check ([`run_authorizer`]).

pub mod authorizer;
#[cfg(feature = "engine")]
pub mod engine;
#[cfg(feature = "engine-client")]
mod remote_engine;
#[cfg(feature = "scheduler")]
pub mod scheduler;
#[cfg(feature = "stage")]
pub mod stage;
#[cfg(feature = "websocket")]
pub mod websocket;

use std::sync::Arc;

use lambda_http::{Body, Request, RequestExt as _, Response, service_fn};
use sluice_app::Deps;
use sluice_app::api::{self, ApiRequest, ApiResponse};
use sluice_app::auth::TokenKeys;
use sluice_app::routes::RouteSpec;
use sluice_aws::{
    AthenaSettings, AthenaWarehouse, DynamoStore, EventBridgeBus, S3Objects, SecretsManagerSecrets,
    SqsQueue,
};
use sluice_domain::pipeline::stage_queues;
use sluice_domain::ports::{QueryLimits, SystemClock};

pub use authorizer::run_authorizer;
pub use lambda_http::Error;
#[cfg(feature = "engine-client")]
pub use remote_engine::RemoteEngine;
/// The route table: a function's `main` names its entry (`routes::GET_PROJECT`).
pub use sluice_app::routes;

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
    /// `SLUICE_TOKEN_KEY_SECRET`: id of the Secrets Manager secret holding the
    /// key set that signs bearer tokens (`sluice_app::auth::keys`: a JSON key
    /// set, or a string of 32 bytes or more read as one key).
    pub token_key_secret: String,
}

impl Config {
    pub fn from_vars(vars: &Vars) -> Result<Config, InitError> {
        Ok(Config {
            table: vars.required("SLUICE_TABLE")?,
            token_key_secret: vars.required("SLUICE_TOKEN_KEY_SECRET")?,
        })
    }
}

/// Where a function reads its configuration: the process environment on Lambda
/// ([`Vars::process`]), a given list in a test ([`Vars::from_pairs`]). Every
/// variable a function reads goes through here, at cold start.
pub struct Vars(Box<Lookup>);

type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

impl Vars {
    /// The process environment.
    pub fn process() -> Vars {
        Vars(Box::new(|name| std::env::var(name).ok()))
    }

    /// Exactly these variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Vars {
        let map: std::collections::HashMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Vars(Box::new(move |name| map.get(name).cloned()))
    }

    /// The variable's value; unset and empty are the same.
    pub fn optional(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.is_empty())
    }

    /// The variable's value, or the init error naming it.
    pub fn required(&self, name: &'static str) -> Result<String, InitError> {
        self.optional(name).ok_or(InitError::Missing(name))
    }
}

/// A part a function adds to the table, secrets, clock and token keys every
/// function has: it reads its own variables and builds its client. A function's
/// `main` names the parts it calls, so its binary links only those SDK clients.
pub type Part = fn(&mut Deps, &aws_config::SdkConfig, &Vars) -> Result<(), InitError>;

/// A part as the functions that take every configured part (stages, the
/// scheduler) and the template's checks see it.
pub struct PartSpec {
    /// As a `main` names it: `parts::{name}`.
    pub name: &'static str,
    /// The variables it requires. A stage or scheduler function attaches it when
    /// the first is set.
    pub variables: &'static [&'static str],
    pub attach: Part,
}

/// The parts, each failing at cold start, naming the variable, when it is unset.
pub mod parts {
    use super::*;

    /// Every part, each with the variables it requires.
    pub const ALL: [PartSpec; 4] = [
        PartSpec {
            name: "queue",
            variables: &["SLUICE_QUEUE_URL_PREFIX"],
            attach: queue,
        },
        PartSpec {
            name: "bus",
            variables: &["SLUICE_EVENT_BUS"],
            attach: bus,
        },
        PartSpec {
            name: "objects",
            variables: &["SLUICE_BUCKET"],
            attach: objects,
        },
        PartSpec {
            name: "warehouse",
            variables: &[
                "SLUICE_ATHENA_DATABASE",
                "SLUICE_ATHENA_OUTPUT",
                "SLUICE_BUCKET",
            ],
            attach: warehouse,
        },
    ];

    /// The stage queues and their dead-letter queues: queue `name` is at
    /// `{SLUICE_QUEUE_URL_PREFIX}{name}` (for example
    /// `https://sqs.eu-west-1.amazonaws.com/123456789012/prod-`).
    pub fn queue(
        deps: &mut Deps,
        sdk: &aws_config::SdkConfig,
        vars: &Vars,
    ) -> Result<(), InitError> {
        let prefix = vars.required("SLUICE_QUEUE_URL_PREFIX")?;
        // Each stage queue and its dead-letter queue (the scheduler reads it).
        let queues = stage_queues().into_iter().flat_map(|q| {
            let dlq = sluice_domain::pipeline::dead_letter_queue(&q);
            [
                (q.clone(), format!("{prefix}{q}")),
                (dlq.clone(), format!("{prefix}{dlq}")),
            ]
        });
        deps.queue = Some(Arc::new(SqsQueue::from_sdk_config(sdk, queues)));
        Ok(())
    }

    /// The EventBridge bus run events go to (`SLUICE_EVENT_BUS`).
    pub fn bus(deps: &mut Deps, sdk: &aws_config::SdkConfig, vars: &Vars) -> Result<(), InitError> {
        let bus = vars.required("SLUICE_EVENT_BUS")?;
        deps.bus = Some(Arc::new(EventBridgeBus::from_sdk_config(sdk, bus)));
        Ok(())
    }

    /// The S3 bucket of run objects, landing files and warehouse files
    /// (`SLUICE_BUCKET`).
    pub fn objects(
        deps: &mut Deps,
        sdk: &aws_config::SdkConfig,
        vars: &Vars,
    ) -> Result<(), InitError> {
        let bucket = vars.required("SLUICE_BUCKET")?;
        deps.objects = Some(Arc::new(S3Objects::from_sdk_config(sdk, &bucket)));
        Ok(())
    }

    /// The warehouse: Athena over the bucket's tables.
    /// - `SLUICE_BUCKET`, `SLUICE_ATHENA_DATABASE` and `SLUICE_ATHENA_OUTPUT` (and
    ///   `SLUICE_ATHENA_WORKGROUP`, default `primary`): where it queries for a data
    ///   mart whose storage is not an Athena one (an Athena storage's region,
    ///   database, workgroup and output location win); a project's tables are in
    ///   the database `{database}_{project}`, its results under `{output}{project}/`;
    /// - `SLUICE_WAREHOUSE_QUERY_ROLE_ARN`: the role queries run as, narrowed per
    ///   project by a session policy (unset: the function's own credentials);
    /// - `SLUICE_QUERY_TIMEOUT_SECONDS`: when a query is stopped (default 30).
    pub fn warehouse(
        deps: &mut Deps,
        sdk: &aws_config::SdkConfig,
        vars: &Vars,
    ) -> Result<(), InitError> {
        let limits = QueryLimits::from_variables(|n| vars.optional(n))
            .map_err(|e| InitError::Invalid(e.to_string()))?;
        let settings = AthenaSettings {
            database: vars.required("SLUICE_ATHENA_DATABASE")?,
            workgroup: vars
                .optional("SLUICE_ATHENA_WORKGROUP")
                .unwrap_or_else(|| "primary".into()),
            output_location: vars.required("SLUICE_ATHENA_OUTPUT")?,
            bucket: vars.required("SLUICE_BUCKET")?,
            timeout: limits.timeout,
        };
        let mut warehouse = AthenaWarehouse::from_sdk_config(sdk, settings);
        if let Some(role) = vars.optional("SLUICE_WAREHOUSE_QUERY_ROLE_ARN") {
            warehouse = warehouse.with_query_role_from(sdk, role);
        }
        deps.warehouse = Some(Arc::new(warehouse));
        Ok(())
    }

    /// The transform engine, reached over Lambda Invoke (feature `engine-client`):
    /// the routes that plan or preview mappings, without linking it.
    #[cfg(feature = "engine-client")]
    pub const ENGINE: PartSpec = PartSpec {
        name: "engine",
        variables: &["SLUICE_ENGINE_FUNCTION"],
        attach: engine,
    };

    /// The connection tester of destinations (`api-test-destination`), under
    /// the function's egress policy and the deployment's Google endpoints
    /// (`SLUICE_GOOGLE_TOKEN_URL`, `SLUICE_GOOGLE_SHEETS_URL`); with SES as the
    /// mail transport to check when `SLUICE_MAIL_FROM` is set.
    #[cfg(feature = "connections")]
    pub fn connections(
        deps: &mut Deps,
        sdk: &aws_config::SdkConfig,
        vars: &Vars,
    ) -> Result<(), InitError> {
        deps.google = google_apis(vars)?;
        if let Some(from) = vars.optional("SLUICE_MAIL_FROM") {
            deps.mailer = Some(Arc::new(sluice_aws::SesMailer::from_sdk_config(sdk, from)));
        }
        deps.tester = Some(Arc::new(sluice_connectors::tester::Tester::new(
            &deps.egress,
            &deps.google,
        )));
        Ok(())
    }

    /// The engine function to invoke (`SLUICE_ENGINE_FUNCTION`: its name or ARN).
    #[cfg(feature = "engine-client")]
    pub fn engine(
        deps: &mut Deps,
        sdk: &aws_config::SdkConfig,
        vars: &Vars,
    ) -> Result<(), InitError> {
        let function = vars.required("SLUICE_ENGINE_FUNCTION")?;
        deps.previewer = Some(Arc::new(crate::RemoteEngine::from_sdk_config(
            sdk, function,
        )));
        Ok(())
    }
}

/// The SDK configuration of a function. On Lambda the execution role's
/// credentials and the region are in the environment: they are read there, not
/// through the default chain (profiles, SSO, web identity, container and instance
/// metadata), and the HTTP client trusts Mozilla's roots compiled into the binary
/// instead of reading the system's certificate files. Both cost most of a cold
/// start otherwise (`AWS_ENDPOINT_URL`, when set, is where every client goes).
/// Elsewhere (a developer's shell), the standard sources.
pub async fn sdk_config(vars: &Vars) -> aws_config::SdkConfig {
    use aws_smithy_http_client::tls;

    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let (Some(_), Some(key), Some(secret), Some(region)) = (
        vars.optional("AWS_LAMBDA_FUNCTION_NAME"),
        vars.optional("AWS_ACCESS_KEY_ID"),
        vars.optional("AWS_SECRET_ACCESS_KEY"),
        vars.optional("AWS_REGION"),
    ) else {
        return loader.load().await;
    };
    let mut roots = tls::TrustStore::empty().with_native_roots(false);
    for cert in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        roots.add_pem_certificate(pem(cert));
    }
    let loader = match tls::TlsContext::builder().with_trust_store(roots).build() {
        Ok(context) => loader.http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::AwsLc,
                ))
                .tls_context(context)
                .build_https(),
        ),
        // Not expected; the default client still works, reading the system's roots.
        Err(_) => loader,
    };
    let loader = match vars.optional("AWS_ENDPOINT_URL") {
        Some(url) => loader.endpoint_url(url),
        None => loader,
    };
    loader
        .credentials_provider(aws_credential_types::Credentials::new(
            key,
            secret,
            vars.optional("AWS_SESSION_TOKEN"),
            None,
            "lambda-environment",
        ))
        .region(aws_config::Region::new(region))
        .load()
        .await
}

/// A DER certificate as the PEM block the SDK's trust store takes.
fn pem(der: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = Vec::with_capacity(body.len() + body.len() / 64 + 64);
    out.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(b"-----END CERTIFICATE-----\n");
    out
}

/// The table, secrets, clock and token keys (from [`Config`]), then `parts`: what
/// an API function has, built at its cold start.
pub async fn aws_deps(vars: &Vars, parts: &[Part]) -> Result<Deps, InitError> {
    let config = Config::from_vars(vars)?;
    let identity = sluice_app::IdentitySettings::from_variables(|n| vars.optional(n))
        .map_err(|e| InitError::Invalid(e.to_string()))?;
    let sdk = sdk_config(vars).await;
    let secrets: Arc<dyn sluice_domain::ports::Secrets> =
        Arc::new(SecretsManagerSecrets::from_sdk_config(&sdk));
    // The table's client is built while Secrets Manager answers: the request is
    // sent when the first branch first waits.
    let (auth, store) = tokio::join!(
        TokenKeys::load(secrets.clone(), &config.token_key_secret, false),
        async { DynamoStore::from_sdk_config(&sdk, &config.table) }
    );
    let auth = auth.map_err(|e| {
        InitError::Invalid(format!(
            "the token key set (SLUICE_TOKEN_KEY_SECRET {}): {e}",
            config.token_key_secret
        ))
    })?;
    let store = Arc::new(store);
    let mut deps = Deps::new(
        store.clone(),
        secrets,
        Arc::new(SystemClock),
        Arc::new(auth),
    );
    deps.identity = identity;
    // Many instances of many functions serve the API: the request budget
    // counts in the table, atomically.
    deps.counter = store;
    for part in parts {
        part(&mut deps, &sdk, vars)?;
    }
    Ok(deps)
}

/// The dependencies of a function no request reaches (a stage, the scheduler):
/// the table (`SLUICE_TABLE`), secrets, a sealed token key, and each of the
/// Google's endpoints (`SLUICE_GOOGLE_TOKEN_URL`, `SLUICE_GOOGLE_SHEETS_URL`),
/// moved only by the operator (a proxy, a test server); Google's by default.
#[cfg(any(
    feature = "stage",
    feature = "scheduler",
    feature = "engine",
    feature = "connections"
))]
fn google_apis(vars: &Vars) -> Result<sluice_domain::net::GoogleApis, InitError> {
    sluice_domain::net::GoogleApis::new(
        vars.optional("SLUICE_GOOGLE_TOKEN_URL").as_deref(),
        vars.optional("SLUICE_GOOGLE_SHEETS_URL").as_deref(),
    )
    .map_err(|e| {
        InitError::Invalid(format!(
            "SLUICE_GOOGLE_TOKEN_URL/SLUICE_GOOGLE_SHEETS_URL: {e}"
        ))
    })
}

/// [`parts::ALL`] whose first variable is set; what the stage then checks it has.
#[cfg(any(feature = "stage", feature = "scheduler", feature = "engine"))]
pub(crate) async fn worker_deps() -> Result<Deps, InitError> {
    let vars = &Vars::process();
    let table = vars.required("SLUICE_TABLE")?;
    let sdk = sdk_config(vars).await;
    let mut deps = Deps::new(
        Arc::new(DynamoStore::from_sdk_config(&sdk, &table)),
        Arc::new(SecretsManagerSecrets::from_sdk_config(&sdk)),
        Arc::new(SystemClock),
        Arc::new(sealed_token_keys()?),
    );
    for part in &parts::ALL {
        if vars.optional(part.variables[0]).is_some() {
            (part.attach)(&mut deps, &sdk, vars)?;
        }
    }
    deps.google = google_apis(vars)?;
    // Links in notifications (`scheduler-react`) point at the API.
    deps.public_url = vars.optional("SLUICE_PUBLIC_URL");
    // The delivery of `email` destinations (and the notifications of
    // `scheduler-react`) send through SES, as the deployment's verified sender.
    #[cfg(feature = "mail")]
    {
        let from = vars.required("SLUICE_MAIL_FROM")?;
        deps.mailer = Some(Arc::new(sluice_aws::SesMailer::from_sdk_config(&sdk, from)));
    }
    Ok(deps)
}

/// Stage and scheduler functions verify no tokens; their key is random and never leaves the
/// process, so nothing they could be handed verifies against it.
#[cfg(any(feature = "stage", feature = "scheduler", feature = "engine"))]
pub(crate) fn sealed_token_keys() -> Result<TokenKeys, InitError> {
    TokenKeys::sealed().map_err(|e| InitError::Invalid(e.to_string()))
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

/// The most a buffered Lambda response carries (its 6 MB payload, less the
/// envelope): a streamed body past it is refused with how to ask for less.
pub const MAX_RESPONSE_BYTES: usize = 5_500_000;

/// The whole `main` of an API function serving `route`, with the `parts` its
/// service calls (see [`parts`]): `run_api(&routes::START_RUN, &[parts::queue,
/// parts::bus])`.
pub async fn run_api(route: &'static RouteSpec, parts: &[Part]) -> Result<(), lambda_http::Error> {
    init_tracing();
    let deps = match init(parts).await {
        Ok(deps) => deps,
        Err(e) => {
            let e = format!("{}: {e}", route.name);
            report_init_error(&e);
            return Err(e.into());
        }
    };
    // The route's handler takes the parts its service calls: a missing one
    // stops the function here, with its reason, never a request.
    let api = match api::Api::one(deps, route) {
        Ok(api) => api,
        Err((_, missing)) => {
            let e = format!("{}: {missing}", route.name);
            report_init_error(&e);
            return Err(e.into());
        }
    };
    let api = &api;
    lambda_http::run(service_fn(|req: Request| async move {
        let response = api::handle_route(api, route, from_lambda(req))
            .await
            .collected(MAX_RESPONSE_BYTES)
            .await;
        Ok::<_, lambda_http::Error>(to_lambda(response))
    }))
    .await
}

async fn init(parts: &[Part]) -> Result<Deps, InitError> {
    aws_deps(&Vars::process(), parts).await
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

/// An API Gateway request as the shared handler takes it, with the principal
/// the authorizer resolved when API Gateway ran it (every route with a
/// credential on AWS); without one, the handler resolves the credential itself.
pub fn from_lambda(req: Request) -> ApiRequest {
    let authorized = authorizer::principal_of(&req);
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
        authorized,
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

#[cfg(test)]
mod tests {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject as _;

    /// The SDK's client parses each root with `expect`: every block must read
    /// back as exactly the certificate it was made from.
    #[test]
    fn every_compiled_in_root_reads_back_from_its_pem_block() {
        let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS;
        assert!(roots.len() > 100, "{} roots", roots.len());
        for der in roots {
            let read: Vec<CertificateDer<'static>> =
                CertificateDer::pem_slice_iter(&super::pem(der))
                    .collect::<Result<_, _>>()
                    .expect("a PEM block");
            assert_eq!(read.len(), 1);
            assert_eq!(read[0].as_ref(), der.as_ref());
        }
    }
}
