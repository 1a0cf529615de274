//! Each route's handler, the one place HTTP meets a use case: it reads the path,
//! query and body into the service's typed input (ids of their kind, a parsed
//! body, a page), calls the service, and answers with the route's status. The
//! route table ([`crate::routes`]) carries each route's handler, so a route
//! without one does not compile and nothing dispatches by name.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sluice_domain::entities::{
    Alarm, ApiKey, AuditEntry, Backfill, CustomRole, DataMart, Destination, Entity, Invitation,
    Member, Report, ReportRun, Run, Source, Storage, Trigger, ValueMap,
};
use sluice_domain::ports::{ObjectStore, Queue};
use sluice_domain::{Id, IdOf, Kind};

use super::{ApiError, ApiRequest, ApiResponse, ApiResult, parse_body, query_params};
use crate::auth::Principal;
use crate::ports::{Previewer, RunFeed};
use crate::routes::{Params, RouteSpec};
use crate::services::files::{FilesPage, Upload};
use crate::services::{
    Ctx, HealthView, Page, alarms, api_keys, audit, backfills, catalog, configured, data_marts,
    files, health, identity, live, members, project, report_data, report_runs, reports, runs,
    source_marts, storages, triggers, value_maps,
};
use crate::{Deps, MissingPart, Part, Planning, Querying, Testing};

/// A request on its way to its route's service.
pub struct Call<'a> {
    pub deps: &'a Deps,
    pub route: &'static RouteSpec,
    /// Who asks; `None` on the public routes only.
    pub principal: Option<Principal>,
    pub params: Params,
    pub req: ApiRequest,
}

/// What a handler answers, in time.
pub type Reply<'a> = Pin<Box<dyn Future<Output = ApiResult<ApiResponse>> + Send + 'a>>;

/// A route's handler, by the parts of the deployment its service calls beyond
/// the store, secrets, clock and token keys every route has. Each part comes
/// as an argument, present by its type: a function serving the route takes it
/// from its parts once, when it starts ([`Handler::bind`]), so a missing part
/// stops the function there with its reason, never at a request.
#[derive(Clone, Copy)]
pub enum Handler {
    /// Calls nothing beyond the store.
    Core(for<'a> fn(Call<'a>) -> Reply<'a>),
    /// Starts or moves runs: the stage queues.
    Queue(for<'a> fn(Call<'a>, Arc<dyn Queue>) -> Reply<'a>),
    /// Reads or writes the landing area or run files: the object store.
    Objects(for<'a> fn(Call<'a>, Arc<dyn ObjectStore>) -> Reply<'a>),
    /// Reads data marts: the object store and the warehouse.
    Query(for<'a> fn(Call<'a>, Querying) -> Reply<'a>),
    /// Previews a mapping: the transform engine.
    Engine(for<'a> fn(Call<'a>, Arc<dyn Previewer>) -> Reply<'a>),
    /// Checks a definition: the engine, and the warehouse for a dry run.
    Plan(for<'a> fn(Call<'a>, Planning) -> Reply<'a>),
    /// Tests destinations: the connection tester, and the object store.
    Connections(for<'a> fn(Call<'a>, Testing) -> Reply<'a>),
    /// Follows runs live: the process's run events (the local server only).
    Events(for<'a> fn(Call<'a>, Arc<dyn RunFeed>) -> Reply<'a>),
}

/// A handler with its parts: what a request is handed to.
pub type Bound = Box<dyn for<'a> Fn(Call<'a>) -> Reply<'a> + Send + Sync>;

fn bound<F>(f: F) -> Bound
where
    F: for<'a> Fn(Call<'a>) -> Reply<'a> + Send + Sync + 'static,
{
    Box::new(f)
}

impl Handler {
    /// The parts it is handed, as the template and the checks name them.
    pub fn needs(&self) -> &'static [Part] {
        match self {
            Handler::Core(_) => &[],
            Handler::Queue(_) => &[Part::Queue],
            Handler::Objects(_) => &[Part::Objects],
            Handler::Query(_) => &[Part::Objects, Part::Warehouse],
            Handler::Engine(_) => &[Part::Engine],
            Handler::Plan(_) => &[Part::Engine, Part::Objects, Part::Warehouse],
            Handler::Connections(_) => &[Part::Connections, Part::Objects],
            Handler::Events(_) => &[Part::Events],
        }
    }

    /// The handler with the parts it is handed, taken from `deps`; the first
    /// one `deps` lacks, when it lacks one.
    pub fn bind(&self, deps: &Deps) -> Result<Bound, MissingPart> {
        Ok(match *self {
            Handler::Core(f) => bound(f),
            Handler::Queue(f) => {
                let queue = deps.take_queue()?;
                bound(move |c| f(c, queue.clone()))
            }
            Handler::Objects(f) => {
                let objects = deps.take_objects()?;
                bound(move |c| f(c, objects.clone()))
            }
            Handler::Query(f) => {
                let querying = deps.querying()?;
                bound(move |c| f(c, querying.clone()))
            }
            Handler::Engine(f) => {
                let engine = deps.take_engine()?;
                bound(move |c| f(c, engine.clone()))
            }
            Handler::Plan(f) => {
                let planning = deps.planning()?;
                bound(move |c| f(c, planning.clone()))
            }
            Handler::Connections(f) => {
                let testing = deps.testing()?;
                bound(move |c| f(c, testing.clone()))
            }
            Handler::Events(f) => {
                let feed = deps.take_feed()?;
                bound(move |c| f(c, feed.clone()))
            }
        })
    }
}

/// Most items a list page holds.
const MAX_PAGE: u32 = 200;
const DEFAULT_PAGE: u32 = 50;

impl<'a> Call<'a> {
    /// The use case's context: who asks, for which project, at what time.
    fn ctx(&self) -> ApiResult<Ctx<'a>> {
        let principal = self.principal.clone().ok_or_else(|| {
            ApiError::Internal(format!(
                "route {} reached its service without a principal",
                self.route.name
            ))
        })?;
        Ok(Ctx {
            deps: self.deps,
            principal,
            now: self.deps.clock.now(),
        })
    }

    /// The path's `{id}`, an id of `E`: one of another kind or shape names
    /// nothing here (a 404 that does not echo it).
    fn id<E: Entity>(&self) -> ApiResult<IdOf<E>> {
        let raw = self.params.get("id");
        IdOf::parse(raw).ok_or_else(|| ApiError::not_found(E::KIND, raw))
    }

    fn body<T: DeserializeOwned>(&self) -> ApiResult<T> {
        parse_body(&self.req)
    }

    /// The body's JSON object, or `None` when the body is empty.
    fn optional_body(&self) -> ApiResult<Option<Value>> {
        if self.req.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        self.body().map(Some)
    }

    /// The page a list asks for: `limit`, `cursor`, and `parent`, a query
    /// parameter naming the record (of one of `kinds`) whose children to list.
    fn page<E: Entity>(&self, parent: Option<(&str, &[Kind])>) -> ApiResult<Page> {
        self.page_and::<E>(parent, &[])
    }

    /// As [`Call::page`], leaving the query parameters named in `others` to
    /// the caller.
    fn page_and<E: Entity>(
        &self,
        parent: Option<(&str, &[Kind])>,
        others: &[&str],
    ) -> ApiResult<Page> {
        let mut page = Page {
            limit: DEFAULT_PAGE,
            ..Page::default()
        };
        for (k, v) in query_params(&self.req) {
            match (k.as_str(), parent) {
                (name, _) if others.contains(&name) => {}
                ("limit", _) => {
                    page.limit = v
                        .parse()
                        .ok()
                        .filter(|l| (1..=MAX_PAGE).contains(l))
                        .ok_or_else(|| {
                            ApiError::invalid("limit", "must be a number from 1 to 200")
                        })?;
                }
                ("cursor", _) => {
                    page.after = Some(Id::parse(E::KIND, &v).ok_or_else(|| {
                        ApiError::invalid("cursor", "is not a cursor this list returned")
                    })?);
                }
                (name, Some((p, kinds))) if name == p => {
                    let kind = Id::kind_of(&v).filter(|k| kinds.contains(k));
                    page.parent = Some(kind.and_then(|k| Id::parse(k, &v)).ok_or_else(|| {
                        let nouns: Vec<&str> = kinds.iter().map(|k| k.noun()).collect();
                        ApiError::invalid(
                            p,
                            format!(
                                "`{}` is not a {} id",
                                crate::error::clip(&v),
                                nouns.join(" or ")
                            ),
                        )
                    })?);
                }
                (other, _) => {
                    let known: Vec<&str> = ["limit", "cursor"]
                        .into_iter()
                        .chain(parent.map(|(p, _)| p))
                        .chain(others.iter().copied())
                        .collect();
                    return Err(ApiError::invalid(
                        other,
                        format!(
                            "unknown query parameter; expected one of: {}",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(page)
    }

    /// The page of the landing area's files a list asks for.
    fn files_page(&self) -> ApiResult<FilesPage> {
        let mut page = FilesPage {
            prefix: String::new(),
            limit: 100,
            after: None,
        };
        for (k, v) in query_params(&self.req) {
            match k.as_str() {
                "prefix" => page.prefix = v,
                "limit" => {
                    page.limit = v
                        .parse()
                        .ok()
                        .filter(|l| (1..=1000).contains(l))
                        .ok_or_else(|| {
                            ApiError::invalid("limit", "must be a number from 1 to 1000")
                        })?;
                }
                "cursor" => page.after = Some(v),
                other => {
                    return Err(ApiError::invalid(
                        other,
                        "unknown query parameter; expected one of: prefix, limit, cursor",
                    ));
                }
            }
        }
        Ok(page)
    }

    /// `body` with the route's status.
    fn reply<T: Serialize>(&self, body: &T) -> ApiResult<ApiResponse> {
        let value = serde_json::to_value(body)
            .map_err(|e| ApiError::Internal(format!("serializing a response: {e}")))?;
        Ok(ApiResponse::json(self.route.status, &value))
    }

    /// `body` with the route's status and `location`, where it can be read.
    fn created<T: Serialize>(&self, body: &T, location: String) -> ApiResult<ApiResponse> {
        let mut r = self.reply(body)?;
        r.headers.push(("location", location));
        Ok(r)
    }

    /// The route's status, no body.
    fn done(&self, (): ()) -> ApiResult<ApiResponse> {
        Ok(ApiResponse::empty(self.route.status))
    }
}

/// Where a new record is read: `/v1/{collection}/{id}`.
fn at(collection: &str, id: &Id) -> String {
    format!("/v1/{collection}/{id}")
}

/// Handlers: `name(call) { body }` becomes `fn name(call) -> Reply`, and
/// `name(call, part: Type) { body }` one handed that part.
macro_rules! handlers {
    ($($(#[$m:meta])* $name:ident($c:ident $(, $p:ident: $t:ty)?) $body:block)*) => {
        $($(#[$m])* pub fn $name($c: Call<'_> $(, $p: $t)?) -> Reply<'_> {
            Box::pin(async move $body)
        })*
    };
}

const STORAGE: &[Kind] = &[Kind::Storage];
/// What an audit entry may be on: any record a write names.
const AUDITED: &[Kind] = &Kind::ALL;
const DATA_MART: &[Kind] = &[Kind::DataMart];
const TARGET: &[Kind] = &[Kind::DataMart, Kind::Report];

handlers! {
    health(c) {
        let view: HealthView = health::check(c.deps).await;
        let status = if view.is_ok() { c.route.status } else { 503 };
        let value = serde_json::to_value(&view)
            .map_err(|e| ApiError::Internal(format!("serializing a response: {e}")))?;
        let mut r = ApiResponse::json(status, &value);
        r.headers.push(("cache-control", "no-store".into()));
        Ok(r)
    }
    openapi(c) {
        Ok(ApiResponse::json(c.route.status, crate::openapi::document()))
    }

    get_jwks(c) { c.reply(&c.deps.auth.jwks()) }
    sign_up(c) {
        c.reply(&identity::sign_up(c.deps, c.deps.clock.now(), c.body()?).await?)
    }
    sign_in(c) {
        c.reply(&identity::sign_in(c.deps, c.deps.clock.now(), c.body()?).await?)
    }
    refresh_session(c) {
        c.reply(&identity::refresh(c.deps, c.deps.clock.now(), c.body()?).await?)
    }
    sign_out(c) { c.done(identity::sign_out(&c.ctx()?).await?) }
    sign_out_everywhere(c) { c.done(identity::sign_out_everywhere(&c.ctx()?).await?) }
    change_password(c) { c.done(identity::change_password(&c.ctx()?, c.body()?).await?) }
    get_me(c) { c.reply(&identity::me(&c.ctx()?).await?) }
    create_api_key(c) { c.reply(&api_keys::create(&c.ctx()?, c.body()?).await?) }
    list_api_keys(c) {
        c.reply(&api_keys::list(&c.ctx()?, &c.page::<ApiKey>(None)?).await?)
    }
    delete_api_key(c) { c.done(api_keys::revoke(&c.ctx()?, &c.id()?).await?) }

    list_projects(c) { c.reply(&members::list_projects(&c.ctx()?).await?) }
    create_project(c) { c.reply(&members::create(&c.ctx()?, c.body()?).await?) }
    switch_project(c) { c.reply(&identity::switch_project(&c.ctx()?, c.body()?).await?) }
    list_members(c) {
        c.reply(&members::list_members(&c.ctx()?, &c.page::<Member>(None)?).await?)
    }
    update_member(c) {
        let id = c.id::<Member>()?;
        c.reply(&members::update_member(&c.ctx()?, id.as_id(), c.body()?).await?)
    }
    delete_member(c) {
        let id = c.id::<Member>()?;
        c.done(members::delete_member(&c.ctx()?, id.as_id()).await?)
    }
    list_permissions(c) { c.reply(&members::permissions()) }
    create_role(c) { c.reply(&members::create_role(&c.ctx()?, c.body()?).await?) }
    list_roles(c) {
        c.reply(&members::list_roles(&c.ctx()?, &c.page::<CustomRole>(None)?).await?)
    }
    get_role(c) {
        let id = c.id::<CustomRole>()?;
        c.reply(&members::get_role(&c.ctx()?, id.as_id()).await?)
    }
    update_role(c) {
        let id = c.id::<CustomRole>()?;
        c.reply(&members::update_role(&c.ctx()?, id.as_id(), c.body()?).await?)
    }
    delete_role(c) {
        let id = c.id::<CustomRole>()?;
        c.done(members::delete_role(&c.ctx()?, id.as_id()).await?)
    }
    create_invitation(c) {
        c.reply(&members::create_invitation(&c.ctx()?, c.body()?).await?)
    }
    list_invitations(c) {
        c.reply(&members::list_invitations(&c.ctx()?, &c.page::<Invitation>(None)?).await?)
    }
    delete_invitation(c) {
        let id = c.id::<Invitation>()?;
        c.done(members::delete_invitation(&c.ctx()?, id.as_id()).await?)
    }
    accept_invitation(c) {
        c.reply(&members::accept_invitation(&c.ctx()?, c.body()?).await?)
    }

    list_alarms(c) {
        let page = c.page_and::<Alarm>(None, &["state"])?;
        let mut state = None;
        for (k, v) in query_params(&c.req) {
            if k == "state" {
                state = Some(match v.as_str() {
                    "open" => alarms::StateFilter::Open,
                    "acknowledged" => alarms::StateFilter::Acknowledged,
                    _ => return Err(ApiError::invalid("state", "must be `open` or `acknowledged`")),
                });
            }
        }
        c.reply(&alarms::list(&c.ctx()?, &page, state).await?)
    }
    acknowledge_alarm(c) { c.reply(&alarms::acknowledge(&c.ctx()?, &c.id()?).await?) }

    list_audit(c) {
        let page = c.page_and::<AuditEntry>(Some(("resource_id", AUDITED)), &["action", "subject"])?;
        let mut filter = audit::AuditFilter::default();
        for (k, v) in query_params(&c.req) {
            match k.as_str() {
                "action" => {
                    if !crate::routes::by_name(&v).is_some_and(|r| r.writes()) {
                        return Err(ApiError::invalid("action", "is not the name of a route that writes (`api-update-source`)"));
                    }
                    filter.action = Some(v);
                }
                "subject" => {
                    if v.is_empty() || v.len() > 200 {
                        return Err(ApiError::invalid("subject", "must be 1 to 200 characters"));
                    }
                    filter.subject = Some(v);
                }
                _ => {}
            }
        }
        c.reply(&audit::list(&c.ctx()?, &page, &filter).await?)
    }

    list_connectors(c) { c.reply(&catalog::list()) }
    get_connector(c) { c.reply(&catalog::get(c.params.get("name"))?) }
    list_destination_kinds(c) { c.reply(&catalog::destination_kinds()) }

    create_storage(c) {
        let s = storages::create(&c.ctx()?, c.body()?).await?;
        c.created(&s, at("storages", &s.meta.id))
    }
    list_storages(c) { c.reply(&storages::list(&c.ctx()?, &c.page::<Storage>(None)?).await?) }
    get_storage(c) { c.reply(&storages::get(&c.ctx()?, &c.id()?).await?) }
    update_storage(c) { c.reply(&storages::update(&c.ctx()?, &c.id()?, c.body()?).await?) }
    delete_storage(c) { c.done(storages::delete(&c.ctx()?, &c.id()?).await?) }

    create_value_map(c) {
        let m = value_maps::create(&c.ctx()?, c.body()?).await?;
        c.created(&m, at("value-maps", &m.meta.id))
    }
    list_value_maps(c) {
        c.reply(&value_maps::list(&c.ctx()?, &c.page::<ValueMap>(None)?).await?)
    }
    get_value_map(c) { c.reply(&value_maps::get(&c.ctx()?, &c.id()?).await?) }
    update_value_map(c) { c.reply(&value_maps::update(&c.ctx()?, &c.id()?, c.body()?).await?) }
    delete_value_map(c) { c.done(value_maps::delete(&c.ctx()?, &c.id()?).await?) }

    create_source(c) {
        let s = configured::create_source(&c.ctx()?, c.body()?).await?;
        c.created(&s, at("sources", &s.meta.id))
    }
    list_sources(c) {
        c.reply(&configured::list_sources(&c.ctx()?, &c.page::<Source>(None)?).await?)
    }
    get_source(c) { c.reply(&configured::get_source(&c.ctx()?, &c.id()?).await?) }
    update_source(c) {
        c.reply(&configured::update_source(&c.ctx()?, &c.id()?, c.body()?).await?)
    }
    delete_source(c) { c.done(configured::delete_source(&c.ctx()?, &c.id()?).await?) }
    test_source(c, engine: Arc<dyn Previewer>) {
        c.reply(&configured::test_source(&c.ctx()?, engine.as_ref(), &c.id()?).await?)
    }
    suggest_mapping(c, engine: Arc<dyn Previewer>) {
        let (ctx, id) = (c.ctx()?, c.id()?);
        c.reply(&configured::suggest_mapping(&ctx, engine.as_ref(), &id, c.body()?).await?)
    }
    create_source_data_marts(c, engine: Arc<dyn Previewer>) {
        let (ctx, id) = (c.ctx()?, c.id()?);
        c.reply(&source_marts::create(&ctx, engine.as_ref(), &id, c.body()?).await?)
    }
    list_source_streams(c, engine: Arc<dyn Previewer>) {
        let mut name = None;
        for (k, v) in query_params(&c.req) {
            match k.as_str() {
                "name" => name = Some(v),
                other => {
                    return Err(ApiError::invalid(
                        other,
                        "unknown query parameter; expected: name",
                    ));
                }
            }
        }
        let (ctx, id) = (c.ctx()?, c.id()?);
        c.reply(&configured::source_streams(&ctx, engine.as_ref(), &id, name).await?)
    }

    create_destination(c) {
        let d = configured::create_destination(&c.ctx()?, c.body()?).await?;
        c.created(&d, at("destinations", &d.meta.id))
    }
    list_destinations(c) {
        c.reply(&configured::list_destinations(&c.ctx()?, &c.page::<Destination>(None)?).await?)
    }
    get_destination(c) { c.reply(&configured::get_destination(&c.ctx()?, &c.id()?).await?) }
    update_destination(c) {
        c.reply(&configured::update_destination(&c.ctx()?, &c.id()?, c.body()?).await?)
    }
    delete_destination(c) {
        c.done(configured::delete_destination(&c.ctx()?, &c.id()?).await?)
    }
    test_destination(c, testing: Testing) {
        c.reply(&configured::test_destination(&c.ctx()?, &testing, &c.id()?).await?)
    }
    rotate_destination_key(c) {
        c.reply(&report_data::rotate_key(&c.ctx()?, &c.id()?).await?)
    }

    create_data_mart(c) {
        let dm = data_marts::create(&c.ctx()?, c.body()?).await?;
        c.created(&dm, at("data-marts", &dm.meta.id))
    }
    list_data_marts(c) {
        let page = c.page::<DataMart>(Some(("storage_id", STORAGE)))?;
        c.reply(&data_marts::list(&c.ctx()?, &page).await?)
    }
    get_data_mart(c) { c.reply(&data_marts::get(&c.ctx()?, &c.id()?).await?) }
    update_data_mart(c) { c.reply(&data_marts::update(&c.ctx()?, &c.id()?, c.body()?).await?) }
    delete_data_mart(c) { c.done(data_marts::delete(&c.ctx()?, &c.id()?).await?) }
    set_data_mart_definition(c, plan: Planning) {
        c.reply(&data_marts::set_definition(&c.ctx()?, &plan, &c.id()?, c.body()?).await?)
    }
    validate_data_mart_definition(c, plan: Planning) {
        let given = c.optional_body()?;
        c.reply(&data_marts::validate_definition(&c.ctx()?, &plan, &c.id()?, given).await?)
    }
    publish_data_mart(c, plan: Planning) {
        c.reply(&data_marts::publish(&c.ctx()?, &plan, &c.id()?).await?)
    }
    get_data_mart_lineage(c) { c.reply(&triggers::lineage_of(&c.ctx()?, &c.id()?).await?) }
    query_data_mart(c, querying: Querying) {
        c.reply(&runs::query(&c.ctx()?, &querying, &c.id()?, c.body()?).await?)
    }
    preview_data_mart(c, engine: Arc<dyn Previewer>) {
        c.reply(&runs::preview(&c.ctx()?, engine.as_ref(), &c.id()?, c.body()?).await?)
    }

    create_report(c) {
        let r = reports::create(&c.ctx()?, c.body()?).await?;
        c.created(&r, at("reports", &r.meta.id))
    }
    list_reports(c) {
        let page = c.page::<Report>(Some(("data_mart_id", DATA_MART)))?;
        c.reply(&reports::list(&c.ctx()?, &page).await?)
    }
    get_report(c) { c.reply(&reports::get(&c.ctx()?, &c.id()?).await?) }
    get_report_data(c, querying: Querying) {
        let request = report_data::DataRequest::parse(&query_params(&c.req))?;
        let key = super::bearer_token(&c.req)?;
        let data = report_data::open(c.deps, &querying, &c.id()?, key, &request).await?;
        let cache = match data.cache {
            report_data::CacheStatus::Hit => "hit",
            report_data::CacheStatus::Miss => "miss",
        };
        let mut r = match data.body {
            report_data::ReportBody::Cached(bytes) => ApiResponse {
                status: c.route.status,
                headers: vec![("content-type", data.content_type.into())],
                body: bytes.into(),
                stream: None,
            },
            report_data::ReportBody::Streamed(stream) => {
                ApiResponse::streamed(c.route.status, data.content_type, stream)
            }
        };
        r.headers.push(("x-sluice-cache", cache.into()));
        Ok(r)
    }
    update_report(c) { c.reply(&reports::update(&c.ctx()?, &c.id()?, c.body()?).await?) }
    delete_report(c) { c.done(reports::delete(&c.ctx()?, &c.id()?).await?) }

    start_report_run(c, queue: Arc<dyn Queue>) {
        let body = match c.optional_body()? {
            Some(_) => Some(c.body()?),
            None => None,
        };
        let run = report_runs::start(&c.ctx()?, &queue, &c.id()?, body).await?;
        c.created(&run, at("report-runs", &run.meta.id))
    }
    list_report_runs(c) {
        let page = c.page::<ReportRun>(None)?;
        c.reply(&report_runs::list_of_report(&c.ctx()?, &c.id()?, page).await?)
    }
    get_report_run(c) { c.reply(&report_runs::get(&c.ctx()?, &c.id()?).await?) }
    download_report_run(c, objects: Arc<dyn ObjectStore>) {
        Ok(match report_runs::download(&c.ctx()?, &objects, &c.id()?).await? {
            report_runs::Download::Redirect(url) => ApiResponse {
                status: 307,
                headers: vec![("location", url), ("cache-control", "no-store".into())],
                body: Default::default(),
                stream: None,
            },
            report_runs::Download::File { file_name, content_type, size, body } => {
                let mut r = ApiResponse::streamed(c.route.status, content_type, body);
                r.headers.push(("content-length", size.to_string()));
                r.headers.push((
                    "content-disposition",
                    format!("attachment; filename=\"{}\"", file_name.replace(['"', '\\'], "_")),
                ));
                r
            }
        })
    }
    cancel_report_run(c) { c.reply(&report_runs::cancel(&c.ctx()?, &c.id()?).await?) }
    retry_report_run(c, queue: Arc<dyn Queue>) {
        c.reply(&report_runs::retry(&c.ctx()?, &queue, &c.id()?).await?)
    }

    create_trigger(c) {
        let t = triggers::create(&c.ctx()?, c.body()?).await?;
        c.created(&t, at("triggers", &t.trigger.meta.id))
    }
    list_triggers(c) {
        let page = c.page::<Trigger>(Some(("target_id", TARGET)))?;
        c.reply(&triggers::list(&c.ctx()?, &page).await?)
    }
    get_trigger(c) { c.reply(&triggers::get(&c.ctx()?, &c.id()?).await?) }
    update_trigger(c) { c.reply(&triggers::update(&c.ctx()?, &c.id()?, c.body()?).await?) }
    delete_trigger(c) { c.done(triggers::delete(&c.ctx()?, &c.id()?).await?) }

    start_run(c, queue: Arc<dyn Queue>) {
        let run = runs::start(&c.ctx()?, &queue, &c.id()?, c.body()?).await?;
        c.created(&run, at("runs", &run.meta.id))
    }
    list_runs(c) {
        let page = c.page::<Run>(Some(("data_mart_id", DATA_MART)))?;
        c.reply(&runs::list(&c.ctx()?, &page).await?)
    }
    list_data_mart_runs(c) {
        let page = c.page::<Run>(None)?;
        c.reply(&runs::list_of_data_mart(&c.ctx()?, &c.id()?, page).await?)
    }
    get_run(c) { c.reply(&runs::get(&c.ctx()?, &c.id()?).await?) }
    watch_run(c, feed: Arc<dyn RunFeed>) {
        // As long as an access token lives: the client connects again with a
        // fresh one, so a revoked credential stops following within it.
        let max_age = std::time::Duration::from_secs(c.deps.identity.access_ttl_seconds.max(60) as u64);
        let stream = live::watch(&c.ctx()?, &feed, &c.id()?, max_age).await?;
        let mut r = ApiResponse::streamed(c.route.status, "text/event-stream", stream);
        r.headers.push(("cache-control", "no-store".into()));
        // Proxies (nginx) pass each event on as it comes.
        r.headers.push(("x-accel-buffering", "no".into()));
        Ok(r)
    }
    pause_run(c) { c.reply(&runs::pause(&c.ctx()?, &c.id()?).await?) }
    resume_run(c, queue: Arc<dyn Queue>) {
        c.reply(&runs::resume(&c.ctx()?, &queue, &c.id()?).await?)
    }
    cancel_run(c) { c.reply(&runs::cancel(&c.ctx()?, &c.id()?).await?) }
    retry_run(c, queue: Arc<dyn Queue>) {
        c.reply(&runs::retry(&c.ctx()?, &queue, &c.id()?).await?)
    }

    create_backfill(c, queue: Arc<dyn Queue>) {
        let b = backfills::create(&c.ctx()?, &queue, &c.id()?, c.body()?).await?;
        c.created(&b, at("backfills", &b.meta.id))
    }
    list_backfills(c) {
        let page = c.page::<Backfill>(Some(("data_mart_id", DATA_MART)))?;
        c.reply(&backfills::list(&c.ctx()?, &page).await?)
    }
    get_backfill(c) { c.reply(&backfills::get(&c.ctx()?, &c.id()?).await?) }
    cancel_backfill(c) { c.reply(&backfills::cancel(&c.ctx()?, &c.id()?).await?) }

    get_project(c) { c.reply(&project::get(&c.ctx()?).await?) }
    update_project(c) { c.reply(&project::update(&c.ctx()?, c.body()?).await?) }

    upload_file(c, objects: Arc<dyn ObjectStore>) {
        let path = c.params.get("path");
        let body = match &c.req.spooled {
            Some(file) => Upload::File(&file.path),
            None => Upload::Bytes(&c.req.body),
        };
        let f = files::upload(&c.ctx()?, &objects, path, body).await?;
        c.created(&f, format!("/v1/files/{path}"))
    }
    list_files(c, objects: Arc<dyn ObjectStore>) {
        c.reply(&files::list(&c.ctx()?, &objects, &c.files_page()?).await?)
    }
    delete_file(c, objects: Arc<dyn ObjectStore>) {
        c.done(files::delete(&c.ctx()?, &objects, c.params.get("path")).await?)
    }
}
