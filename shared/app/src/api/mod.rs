//! The HTTP edge shared by the local server and every Lambda function: route,
//! authenticate, authorize, then hand the request to its route's handler
//! ([`handlers`]), which parses it, calls the service and shapes the response.
//! Status codes and the error envelope live here and nowhere else.

mod error;
pub mod handlers;
pub mod openapi;
pub mod routes;

pub use error::{ApiError, ApiResult};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::clip;
use crate::services::audit;
use crate::{Deps, MissingPart};
use routes::{Matched, Params, RouteSpec};
use sluice_domain::Id;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request, whichever runtime received it.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// An upload's body, spooled to a file as it arrived (the local server does
    /// this for upload routes); `body` is then empty.
    pub spooled: Option<Arc<SpooledBody>>,
    /// Who the credential names, as the Lambda authorizer resolved it before
    /// the request reached the route's function (API Gateway's request
    /// context, which no client can set). `None` everywhere else: the local
    /// server and tests resolve the bearer credential themselves. Either way
    /// the route's own permission check ([`permit`]) still runs.
    pub authorized: Option<crate::auth::Principal>,
}

/// A request body written to a temporary file, removed when dropped.
#[derive(Debug)]
pub struct SpooledBody {
    pub path: std::path::PathBuf,
    pub len: u64,
}

impl Drop for SpooledBody {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A response, for whichever runtime sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
    /// A body sent as it is made (a report's data), instead of `body`.
    pub stream: Option<BodyStream>,
}

/// A streamed body, taken once by the runtime that sends it.
#[derive(Clone)]
pub struct BodyStream(Arc<std::sync::Mutex<Option<ByteStream>>>);

pub use crate::services::report_data::ByteStream;

impl BodyStream {
    pub fn new(stream: ByteStream) -> BodyStream {
        BodyStream(Arc::new(std::sync::Mutex::new(Some(stream))))
    }

    /// The stream; `None` once taken.
    pub fn take(&self) -> Option<ByteStream> {
        self.0.lock().ok().and_then(|mut s| s.take())
    }
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyStream")
    }
}

impl PartialEq for BodyStream {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl ApiResponse {
    pub fn json(status: u16, body: &Value) -> ApiResponse {
        ApiResponse {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
            stream: None,
        }
    }

    pub fn empty(status: u16) -> ApiResponse {
        ApiResponse {
            status,
            headers: vec![],
            body: Bytes::new(),
            stream: None,
        }
    }

    /// `status` with `content_type`, the body sent as `stream` makes it.
    pub fn streamed(status: u16, content_type: &str, stream: ByteStream) -> ApiResponse {
        ApiResponse {
            status,
            headers: vec![("content-type", content_type.to_string())],
            body: Bytes::new(),
            stream: Some(BodyStream::new(stream)),
        }
    }

    /// The response with a streamed body read into `body`, up to `limit`
    /// bytes (a runtime that cannot stream: a Lambda function's buffered
    /// response). Over it, a 422 saying how to ask for less.
    pub async fn collected(mut self, limit: usize) -> ApiResponse {
        let Some(stream) = self.stream.take().and_then(|s| s.take()) else {
            return self;
        };
        let mut body = Vec::new();
        let mut stream = stream;
        while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
            match chunk {
                Ok(c) if body.len() + c.len() <= limit => body.extend_from_slice(&c),
                Ok(_) => {
                    return ApiResponse::error(&ApiError::invalid(
                        "limit",
                        format!(
                            "the result is over the {limit} bytes this deployment can send at once; ask for fewer rows with `limit`, or CSV"
                        ),
                    ));
                }
                Err(e) => {
                    return ApiResponse::error(&ApiError::Internal(format!(
                        "a streamed body failed: {e}"
                    )));
                }
            }
        }
        self.body = Bytes::from(body);
        self
    }

    pub fn error(e: &ApiError) -> ApiResponse {
        let mut r = ApiResponse::json(e.status(), &e.body());
        if e.status() == 401 {
            r.headers.push(("www-authenticate", "Bearer".into()));
        }
        if let ApiError::TooManyRequests { retry_after, .. } = e {
            r.headers.push(("retry-after", retry_after.to_string()));
        }
        r
    }
}

/// The routes a process serves, each handler bound to the parts it is handed:
/// built when the process starts, so a missing part is found there.
pub struct Api {
    pub deps: Deps,
    bound: HashMap<&'static str, handlers::Bound>,
}

impl Api {
    /// Every route (the local server): the first route whose part `deps`
    /// lacks, with that part, when one does.
    pub fn all(deps: Deps) -> Result<Api, (&'static str, MissingPart)> {
        Self::of(deps, routes::all().iter().copied())
    }

    /// One route (a Lambda function).
    pub fn one(deps: Deps, route: &'static RouteSpec) -> Result<Api, (&'static str, MissingPart)> {
        Self::of(deps, std::iter::once(route))
    }

    /// The routes whose parts `deps` has (a test or a benchmark over some
    /// parts); the others answer 404.
    pub fn available(deps: Deps) -> Api {
        let mut bound = HashMap::new();
        for route in routes::all() {
            if let Ok(handler) = route.handler.bind(&deps) {
                bound.insert(route.name, handler);
            }
        }
        Api { deps, bound }
    }

    fn of(
        deps: Deps,
        routes: impl IntoIterator<Item = &'static RouteSpec>,
    ) -> Result<Api, (&'static str, MissingPart)> {
        let mut bound = HashMap::new();
        for route in routes {
            let handler = route.handler.bind(&deps).map_err(|m| (route.name, m))?;
            bound.insert(route.name, handler);
        }
        Ok(Api { deps, bound })
    }
}

/// Handles a request on any route (the local server).
pub async fn handle(api: &Api, req: ApiRequest) -> ApiResponse {
    match routes::find(&req.method, &req.path) {
        Matched::Route(route, params) => serve(api, route, params, req).await,
        Matched::WrongMethod(allowed) => {
            let list: Vec<&str> = allowed.iter().map(Method::as_str).collect();
            let mut r = ApiResponse::error(&ApiError::MethodNotAllowed(format!(
                "{} is not allowed on {}; use {}",
                clip(req.method.as_str()),
                clip(&req.path),
                list.join(", ")
            )));
            r.headers.push(("allow", list.join(", ")));
            r
        }
        Matched::None => ApiResponse::error(&ApiError::NotFound(format!(
            "no route {} {}",
            clip(req.method.as_str()),
            clip(&req.path)
        ))),
    }
}

/// Handles a request meant for one route (a Lambda function serving `route`).
pub async fn handle_route(api: &Api, route: &'static RouteSpec, req: ApiRequest) -> ApiResponse {
    match route.match_path(&req.path) {
        Some(params) if route.method == req.method => serve(api, route, params, req).await,
        Some(_) => ApiResponse::error(&ApiError::MethodNotAllowed(format!(
            "{} is not allowed here; use {}",
            clip(req.method.as_str()),
            route.method
        ))),
        None => ApiResponse::error(&ApiError::NotFound(format!(
            "no route {} {} in function {}",
            clip(req.method.as_str()),
            clip(&req.path),
            route.name
        ))),
    }
}

async fn serve(
    api: &Api,
    route: &'static RouteSpec,
    params: Params,
    req: ApiRequest,
) -> ApiResponse {
    let started = Instant::now();
    let deps = &api.deps;
    // Every line logged while the request is served carries these.
    let span = tracing::info_span!(
        "request",
        route = route.name,
        project = tracing::field::Empty,
        subject = tracing::field::Empty,
    );
    let authorized = match authorize(deps, route, &req).await {
        Ok(Some(p)) => {
            let per_minute = deps.identity.requests_per_minute;
            match crate::budget::spend(deps.counter.as_ref(), per_minute, &p, deps.clock.now())
                .await
            {
                Some(retry_after) => Err(ApiError::TooManyRequests {
                    per_minute,
                    retry_after,
                }),
                None => Ok(Some(p)),
            }
        }
        other => other,
    };
    let result = match authorized {
        Ok(principal) => {
            if let Some(p) = &principal {
                span.record("project", tracing::field::display(&p.project));
                span.record("subject", p.subject.as_str());
            }
            let audit = match &principal {
                Some(p) if route.writes() => {
                    Some(AuditStart::before(deps, route, &params, &req, p).await)
                }
                _ => None,
            };
            let call = handlers::Call {
                deps,
                route,
                principal,
                params,
                req,
            };
            let result = match api.bound.get(route.name) {
                Some(handler) => tracing::Instrument::instrument(handler(call), span.clone()).await,
                None => Err(ApiError::NotFound(format!(
                    "route {} is not served by this process",
                    route.name
                ))),
            };
            if let (Some(audit), Ok(response)) = (audit, &result) {
                tracing::Instrument::instrument(audit.after(deps, response), span.clone()).await;
            }
            result
        }
        Err(e) => Err(e),
    };
    let _in_span = span.enter();
    let response = match result {
        Ok(r) => r,
        Err(e) => {
            if let ApiError::Internal(detail) = &e {
                tracing::error!(route = route.name, error = %detail, "Request failed.");
            }
            ApiResponse::error(&e)
        }
    };
    tracing::debug!(
        route = route.name,
        status = response.status,
        micros = started.elapsed().as_micros() as u64,
        "Request served."
    );
    response
}

/// A write on its way: what the audit entry needs from before the handler ran.
struct AuditStart {
    route: &'static RouteSpec,
    principal: crate::auth::Principal,
    method: String,
    path: String,
    named: Option<audit::Named>,
    version_before: Option<u64>,
}

impl AuditStart {
    async fn before(
        deps: &Deps,
        route: &'static RouteSpec,
        params: &Params,
        req: &ApiRequest,
        principal: &crate::auth::Principal,
    ) -> AuditStart {
        let named = if route.path.contains("{path+}") {
            Some(audit::Named::File(params.get("path").to_string()))
        } else {
            let raw = params.get("id");
            Id::kind_of(raw)
                .and_then(|k| Id::parse(k, raw))
                .map(audit::Named::Record)
        };
        let version_before = match &named {
            Some(audit::Named::Record(id)) => audit::version_of(deps, &principal.project, id).await,
            _ => None,
        };
        AuditStart {
            route,
            principal: principal.clone(),
            method: req.method.to_string(),
            path: clip(&req.path).to_string(),
            named,
            version_before,
        }
    }

    /// Writes the entry when the write was done (a 2xx or 3xx answer).
    async fn after(self, deps: &Deps, response: &ApiResponse) {
        if response.status >= 400 {
            return;
        }
        let answered_id = if response.stream.is_none() && !response.body.is_empty() {
            serde_json::from_slice::<serde_json::Value>(&response.body)
                .ok()
                .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
                .and_then(|raw| Id::kind_of(&raw).and_then(|k| Id::parse(k, &raw)))
        } else {
            None
        };
        let write = audit::Write {
            action: self.route.name,
            method: &self.method,
            path: &self.path,
            named: self.named,
            answered_id,
            version_before: self.version_before,
            status: response.status,
        };
        audit::record(deps, &self.principal, deps.clock.now(), write).await;
    }
}

/// What is checked of an upload before its body is read: the credential and role,
/// and a declared length over the deployment's limit.
pub async fn precheck_upload(deps: &Deps, route: &RouteSpec, req: &ApiRequest) -> ApiResult<()> {
    authorize(deps, route, req).await?;
    let declared = req
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > deps.max_upload_bytes => {
            Err(ApiError::PayloadTooLarge(deps.max_upload_bytes as usize))
        }
        _ => Ok(()),
    }
}

/// The principal of the request's credential, checked against what the route
/// needs (`None` on a public route). On AWS the Lambda authorizer has resolved
/// the credential already (`req.authorized`); its answer is cached per
/// credential across routes, so the route's check is made here, every time.
async fn authorize(
    deps: &Deps,
    route: &RouteSpec,
    req: &ApiRequest,
) -> ApiResult<Option<crate::auth::Principal>> {
    if route.role.is_none() {
        return Ok(None);
    }
    let principal = match &req.authorized {
        Some(principal) => principal.clone(),
        None => resolve_credential(deps, req).await?,
    };
    permit(route, &principal)?;
    Ok(Some(principal))
}

/// Who the request's bearer credential names, whatever the route: a session's
/// access token and an API key are looked up in the store (with the member's
/// role and scope, and a custom role's permissions); an operator token is its
/// own proof. This is what the Lambda authorizer answers for every route.
pub async fn resolve_credential(
    deps: &Deps,
    req: &ApiRequest,
) -> ApiResult<crate::auth::Principal> {
    let credential = bearer_token(req)?;
    let now = deps.clock.now();
    if crate::auth::secret::api_key_prefix(credential).is_some() {
        return Ok(crate::services::api_keys::resolve(deps, credential, now).await?);
    }
    let token = deps.auth.verify(credential, now.timestamp()).await?;
    Ok(match &token.session {
        Some(session) => {
            crate::services::identity::resolve_session(deps, &token, session, now).await?
        }
        None => crate::auth::Principal::operator(token.subject, token.project, token.role),
    })
}

/// Whether `principal` may call `route`: every caller may call the routes
/// about themselves; a custom role needs a permission granting the route's;
/// a built-in role must be the route's least role or above; and a role scoped
/// to data marts reaches only the routes of data marts (its records are
/// checked against the scope when they are read).
pub fn permit(route: &RouteSpec, principal: &crate::auth::Principal) -> ApiResult<()> {
    let Some(required) = route.role else {
        return Ok(());
    };
    if route.self_service() {
        return Ok(());
    }
    match &principal.custom {
        Some(custom) => {
            let needed = route.permission();
            if !route.grantable() || !sluice_domain::entities::permits(&custom.permissions, &needed)
            {
                return Err(ApiError::Forbidden(format!(
                    "role `{}` does not grant `{needed}`{}",
                    clip(&custom.name),
                    if route.grantable() {
                        ""
                    } else {
                        " (who has access is managed by admins and owners only)"
                    }
                )));
            }
        }
        None if !principal.role.allows(required) => {
            return Err(ApiError::Forbidden(format!(
                "role `{}` may not do this; it needs `{}` or above",
                principal.role.as_str(),
                required.as_str()
            )));
        }
        None => {}
    }
    if principal.data_marts.is_some() && !route.scopable() {
        return Err(ApiError::Forbidden(
            "your role is scoped to chosen data marts: this route is outside them".into(),
        ));
    }
    Ok(())
}

/// The credential of `Authorization: Bearer <token>`.
pub(crate) fn bearer_token(req: &ApiRequest) -> ApiResult<&str> {
    let header = req
        .headers
        .get(http::header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "missing bearer token: send `Authorization: Bearer <token>`".into(),
            )
        })?;
    header
        .to_str()
        .ok()
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be `Bearer <token>`".into())
        })
}

/// Parses a JSON body into `T`, naming the offending field on failure.
pub fn parse_body<T: DeserializeOwned>(req: &ApiRequest) -> ApiResult<T> {
    if req.body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES));
    }
    if let Some(ct) = req
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        let mime = ct.split(';').next().unwrap_or_default().trim();
        // `curl -d` sends form-urlencoded by default; its body is still the JSON typed.
        let accepted = mime.is_empty()
            || [
                "application/json",
                "application/x-www-form-urlencoded",
                "text/plain",
            ]
            .iter()
            .any(|m| mime.eq_ignore_ascii_case(m))
            || mime.to_ascii_lowercase().ends_with("+json");
        if !accepted {
            return Err(ApiError::UnsupportedMediaType(format!(
                "send the body as application/json, not {mime}"
            )));
        }
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("a JSON request body is required"));
    }
    // Every body is a JSON object (serde would also read a struct from an array).
    if req.body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::invalid("body", "must be a JSON object"));
    }
    let malformed = |e: serde_json::Error| ApiError::BadRequest {
        message: format!("malformed JSON: {e}"),
        details: json!({"line": e.line(), "column": e.column()}),
    };
    let mut json: Value = serde_json::from_slice(&req.body).map_err(malformed)?;
    whole_floats_as_integers(&mut json);
    let value: T = serde_path_to_error::deserialize(json).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        // The path names the offending field, an unknown one included.
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        let reason = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        ApiError::invalid(field, reason)
    })?;
    Ok(value)
}

/// JSON has one number type: `2.0` is the integer 2 (as the OpenAPI document's
/// JSON Schema counts it), so an integer field takes it. Whole numbers written
/// with a fraction become integers; other numbers are left as they are.
fn whole_floats_as_integers(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Within ±2^53 a float holds every integer exactly.
            if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_floats_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_floats_as_integers),
        _ => {}
    }
}

/// Decoded query parameters.
pub fn query_params(req: &ApiRequest) -> Vec<(String, String)> {
    let Some(q) = &req.query else { return vec![] };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let decoded = (b == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (b, decoded) {
            (_, Some(d)) => {
                out.push(d);
                i += 2;
            }
            (b'+', None) => out.push(b' '),
            (b, None) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
