//! The route table: the one list every part reads. The local server routes with it,
//! each Lambda function serves one entry of it (the entry's `name` is the function's
//! name everywhere: folder, binary, `events/` folder, template resource), and the
//! OpenAPI document is generated from it.

use http::Method;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use sluice_domain::{Kind, Role};

/// Generates the JSON Schema of a request or response body.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// One API route.
pub struct RouteSpec {
    /// The Lambda function serving it, e.g. `api-get-data-mart`.
    pub name: &'static str,
    pub method: Method,
    /// Path template, `{name}` for a parameter.
    pub path: &'static str,
    /// Least role allowed; `None` for public routes.
    pub role: Option<Role>,
    pub summary: &'static str,
    pub request: Option<SchemaFn>,
    pub response: Option<SchemaFn>,
    /// Status of a successful response.
    pub status: u16,
    /// Query parameters.
    pub query: &'static [QueryParam],
    /// The body is a file's raw bytes, up to the deployment's upload limit (the
    /// local server streams it to disk), not a JSON document.
    pub upload: bool,
    /// What serves it: reads the request into the service's input, calls the
    /// service, shapes the response. Its kind names the parts of the deployment
    /// it is handed beyond the store, secrets, clock and token keys every route
    /// has ([`RouteSpec::needs`]).
    pub handler: Handler,
}

/// Routes that take a body by `POST` but change nothing: they test, preview,
/// suggest or query. Every other route but a `GET` writes.
const READS_BY_POST: &[&str] = &[
    "api-test-source",
    "api-suggest-mapping",
    "api-test-destination",
    "api-preview-data-mart",
    "api-query-data-mart",
];

/// Routes every caller with a credential may call, whatever their role: they
/// are about the caller (who they are, their sign-in, their projects).
const SELF_SERVICE: &[&str] = &[
    "api-get-me",
    "api-sign-out",
    "api-sign-out-everywhere",
    "api-change-password",
    "api-list-projects",
    "api-create-project",
    "api-switch-project",
    "api-accept-invitation",
    "api-list-permissions",
];

/// Routes that decide who has access to the project: for its built-in admins
/// and owners, never granted by a custom role (which could otherwise grant
/// itself more).
const ACCESS: &[&str] = &[
    "api-create-api-key",
    "api-list-api-keys",
    "api-delete-api-key",
    "api-update-member",
    "api-delete-member",
    "api-create-role",
    "api-update-role",
    "api-delete-role",
    "api-create-invitation",
    "api-list-invitations",
    "api-delete-invitation",
];

/// Routes a role scoped to chosen data marts reaches: those of data marts and
/// of what hangs off them (runs, backfills, reports, their runs, triggers),
/// each record checked against the scope, and the catalog. Creating a data
/// mart is not among them: it would be outside the scope.
const SCOPABLE: &[&str] = &[
    "api-list-connectors",
    "api-get-connector",
    "api-get-project",
    "api-list-data-marts",
    "api-get-data-mart",
    "api-update-data-mart",
    "api-delete-data-mart",
    "api-set-data-mart-definition",
    "api-validate-data-mart-definition",
    "api-publish-data-mart",
    "api-preview-data-mart",
    "api-query-data-mart",
    "api-get-data-mart-lineage",
    "api-list-runs",
    "api-list-data-mart-runs",
    "api-get-run",
    "api-watch-run",
    "api-start-run",
    "api-pause-run",
    "api-resume-run",
    "api-cancel-run",
    "api-retry-run",
    "api-create-backfill",
    "api-list-backfills",
    "api-get-backfill",
    "api-cancel-backfill",
    "api-create-report",
    "api-list-reports",
    "api-get-report",
    "api-update-report",
    "api-delete-report",
    "api-start-report-run",
    "api-list-report-runs",
    "api-get-report-run",
    "api-download-report-run",
    "api-cancel-report-run",
    "api-retry-report-run",
    "api-create-trigger",
    "api-list-triggers",
    "api-get-trigger",
    "api-update-trigger",
    "api-delete-trigger",
];

impl RouteSpec {
    /// The permission it needs, `resource:action`, read from its name, the
    /// resource of a list in the singular: `api-start-run` needs `run:start`,
    /// `api-list-runs` `run:list`, `api-get-data-mart-lineage`
    /// `data-mart-lineage:get`.
    pub fn permission(&self) -> String {
        let rest = self.name.strip_prefix("api-").unwrap_or(self.name);
        let (action, resource) = rest.split_once('-').unwrap_or((rest, ""));
        let resource = match action {
            "list" => resource.strip_suffix('s').unwrap_or(resource),
            _ => resource,
        };
        format!("{resource}:{action}")
    }

    /// Whether any caller with a credential may call it (see [`SELF_SERVICE`]).
    pub fn self_service(&self) -> bool {
        SELF_SERVICE.contains(&self.name)
    }

    /// Whether a custom role may grant it: a route with a credential, neither
    /// about the caller nor about who has access.
    pub fn grantable(&self) -> bool {
        self.role.is_some() && !self.self_service() && !ACCESS.contains(&self.name)
    }

    /// Whether a role scoped to data marts reaches it (see [`SCOPABLE`]).
    pub fn scopable(&self) -> bool {
        self.self_service() || SCOPABLE.contains(&self.name)
    }

    /// Whether it changes something of a project (every route but a `GET` or
    /// a read by `POST`, once a credential is checked): each such request that
    /// succeeds leaves an audit entry.
    pub fn writes(&self) -> bool {
        self.method != Method::GET && self.role.is_some() && !READS_BY_POST.contains(&self.name)
    }

    /// The parts of the deployment its handler is handed: a function serving it
    /// takes them when it starts, so a missing one is an error at cold start,
    /// never at a request.
    pub fn needs(&self) -> &'static [Part] {
        self.handler.needs()
    }

    /// Whether a Lambda function serves it (its folder in `functions/`, its
    /// resource in the template). A route following runs live needs a
    /// long-lived process ([`Part::Events`]): the local server serves it, and
    /// on AWS the WebSocket API (`ws-connect`, `ws-push`) does its work.
    pub fn on_lambda(&self) -> bool {
        !self.needs().contains(&Part::Events)
    }

    /// Whether it answers as server-sent events (`text/event-stream`).
    pub fn streams_events(&self) -> bool {
        self.needs().contains(&Part::Events)
    }
}

/// The routes a Lambda function serves each (every route but those of the
/// local server only: [`RouteSpec::on_lambda`]).
pub fn on_lambda() -> impl Iterator<Item = &'static RouteSpec> {
    all().iter().copied().filter(|r| r.on_lambda())
}

/// A part of the deployment a route may need (see [`RouteSpec::needs`]).
pub use crate::deps::Part;

use sluice_domain::connectors::{ConnectorSpec, DestinationKindSpec};
use sluice_domain::entities as e;

use crate::api::handlers::{self as h, Handler};
use crate::services::{
    FileView, HealthView, List, ValidationReport, api_keys, configured, identity, members,
    report_data, report_runs, runs, source_marts,
};

/// A query parameter: its name, what it does, and the JSON Schema of the values the
/// server accepts (a value outside it answers 422 naming the parameter).
pub struct QueryParam {
    pub name: &'static str,
    pub description: &'static str,
    pub schema: fn() -> serde_json::Value,
}

/// The pattern of an id of `kind`, as `Id::parse` accepts it.
fn id_pattern(kinds: &[Kind]) -> String {
    let prefixes: Vec<&str> = kinds.iter().map(|k| k.id_prefix()).collect();
    format!("^({})_[0-7][0-9A-HJKMNP-TV-Z]{{25}}$", prefixes.join("|"))
}

fn id_of(kinds: &[Kind]) -> serde_json::Value {
    serde_json::json!({"type": "string", "pattern": id_pattern(kinds)})
}

fn limit(max: u32) -> serde_json::Value {
    serde_json::json!({"type": "integer", "minimum": 1, "maximum": max})
}

/// A path of the landing area: segments of 1-255 letters, digits and `_.=-`, none
/// starting with `.` (no `.`, `..` or hidden file), at most 900 bytes.
pub const FILE_PATH: &str =
    "^[A-Za-z0-9_=-][A-Za-z0-9_.=-]{0,254}(/[A-Za-z0-9_=-][A-Za-z0-9_.=-]{0,254})*$";

/// `limit` and `cursor` of a list of `$kind`, then any filters.
macro_rules! page {
    ($kind:expr $(, ($name:literal, $desc:literal, $($filter:expr),+))?) => {{
        const PARAMS: &[QueryParam] = &[
            QueryParam {
                name: "limit",
                description: "Items per page, 1-200 (default 50).",
                schema: || limit(200),
            },
            QueryParam {
                name: "cursor",
                description: "`next_cursor` of the previous page.",
                schema: || id_of(&[$kind]),
            },
            $(QueryParam {
                name: $name,
                description: $desc,
                schema: || id_of(&[$($filter),+]),
            },)?
        ];
        PARAMS
    }};
}

const FILES_PAGE: &[QueryParam] = &[
    QueryParam {
        name: "prefix",
        description: "Only files whose path starts with this folder (`orders/`).",
        schema: || serde_json::json!({"type": "string", "maxLength": 900, "pattern": "^([A-Za-z0-9_=-][A-Za-z0-9_.=-]{0,254}(/[A-Za-z0-9_=-][A-Za-z0-9_.=-]{0,254})*/?)?$"}),
    },
    QueryParam {
        name: "limit",
        description: "Items per page, 1-1000 (default 100).",
        schema: || limit(1000),
    },
    QueryParam {
        name: "cursor",
        description: "`next_cursor` of the previous page.",
        schema: || serde_json::json!({"type": "string", "maxLength": 900, "pattern": FILE_PATH}),
    },
];

macro_rules! route {
    ($name:literal, $method:ident, $path:literal, $role:expr, $summary:literal, req = $req:expr, res = $res:expr, status = $status:literal, query = $q:expr, handler = $handler:expr) => {
        route!(
            $name,
            $method,
            $path,
            $role,
            $summary,
            req = $req,
            res = $res,
            status = $status,
            query = $q,
            handler = $handler,
            needs = Core
        )
    };
    ($name:literal, $method:ident, $path:literal, $role:expr, $summary:literal, req = $req:expr, res = $res:expr, status = $status:literal, query = $q:expr, handler = $handler:expr, needs = $needs:ident) => {
        RouteSpec {
            name: $name,
            method: Method::$method,
            path: $path,
            role: $role,
            summary: $summary,
            request: $req,
            response: $res,
            status: $status,
            query: $q,
            upload: false,
            handler: Handler::$needs($handler),
        }
    };
}

const V: Option<Role> = Some(Role::Viewer);
const ED: Option<Role> = Some(Role::Editor);
const AD: Option<Role> = Some(Role::Admin);

/// `api-health`.
pub static HEALTH: RouteSpec = route!(
    "api-health",
    GET,
    "/health",
    None,
    "Health: asks each part this process uses (store, secrets, and where it has them the queue, objects and warehouse) at once, each within 2 s; 503 names the part that failed. No token.",
    req = None,
    res = Some(schema::<HealthView>),
    status = 200,
    query = &[],
    handler = h::health
);

/// `api-openapi`.
pub static OPENAPI: RouteSpec = route!(
    "api-openapi",
    GET,
    "/openapi.json",
    None,
    "This API's OpenAPI 3.1 document.",
    req = None,
    res = None,
    status = 200,
    query = &[],
    handler = h::openapi
);

/// `api-list-connectors`.
pub static LIST_CONNECTORS: RouteSpec = route!(
    "api-list-connectors",
    GET,
    "/v1/connectors",
    V,
    "The connector catalog with each connector's spec.",
    req = None,
    res = Some(schema::<List<ConnectorSpec>>),
    status = 200,
    query = &[],
    handler = h::list_connectors
);

/// `api-get-connector`.
pub static GET_CONNECTOR: RouteSpec = route!(
    "api-get-connector",
    GET,
    "/v1/connectors/{name}",
    V,
    "One connector's spec.",
    req = None,
    res = Some(schema::<ConnectorSpec>),
    status = 200,
    query = &[],
    handler = h::get_connector
);

/// `api-list-destination-kinds`.
pub static LIST_DESTINATION_KINDS: RouteSpec = route!(
    "api-list-destination-kinds",
    GET,
    "/v1/destination-kinds",
    V,
    "The destination kinds a report can deliver to, each with its config fields (which are required, which secret, their defaults and allowed values).",
    req = None,
    res = Some(schema::<List<DestinationKindSpec>>),
    status = 200,
    query = &[],
    handler = h::list_destination_kinds
);

// storages
/// `api-create-storage`.
pub static CREATE_STORAGE: RouteSpec = route!(
    "api-create-storage",
    POST,
    "/v1/storages",
    AD,
    "Create a storage.",
    req = Some(schema::<e::CreateStorage>),
    res = Some(schema::<e::Storage>),
    status = 201,
    query = &[],
    handler = h::create_storage
);

/// `api-list-storages`.
pub static LIST_STORAGES: RouteSpec = route!(
    "api-list-storages",
    GET,
    "/v1/storages",
    V,
    "List storages, newest first.",
    req = None,
    res = Some(schema::<List<e::Storage>>),
    status = 200,
    query = page!(Kind::Storage),
    handler = h::list_storages
);

/// `api-get-storage`.
pub static GET_STORAGE: RouteSpec = route!(
    "api-get-storage",
    GET,
    "/v1/storages/{id}",
    V,
    "Get a storage.",
    req = None,
    res = Some(schema::<e::Storage>),
    status = 200,
    query = &[],
    handler = h::get_storage
);

/// `api-update-storage`.
pub static UPDATE_STORAGE: RouteSpec = route!(
    "api-update-storage",
    PATCH,
    "/v1/storages/{id}",
    AD,
    "Change a storage's title or config.",
    req = Some(schema::<e::UpdateStorage>),
    res = Some(schema::<e::Storage>),
    status = 200,
    query = &[],
    handler = h::update_storage
);

/// `api-delete-storage`.
pub static DELETE_STORAGE: RouteSpec = route!(
    "api-delete-storage",
    DELETE,
    "/v1/storages/{id}",
    AD,
    "Delete a storage no live data mart uses.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_storage
);

// sources
/// `api-create-source`.
pub static CREATE_SOURCE: RouteSpec = route!(
    "api-create-source",
    POST,
    "/v1/sources",
    ED,
    "Configure a connector as a source; secret fields are stored apart and masked.",
    req = Some(schema::<e::CreateSource>),
    res = Some(schema::<e::SourceView>),
    status = 201,
    query = &[],
    handler = h::create_source
);

/// `api-list-sources`.
pub static LIST_SOURCES: RouteSpec = route!(
    "api-list-sources",
    GET,
    "/v1/sources",
    V,
    "List sources, newest first.",
    req = None,
    res = Some(schema::<List<e::SourceView>>),
    status = 200,
    query = page!(Kind::Source),
    handler = h::list_sources
);

/// `api-get-source`.
pub static GET_SOURCE: RouteSpec = route!(
    "api-get-source",
    GET,
    "/v1/sources/{id}",
    V,
    "Get a source (secrets masked).",
    req = None,
    res = Some(schema::<e::SourceView>),
    status = 200,
    query = &[],
    handler = h::get_source
);

/// `api-update-source`.
pub static UPDATE_SOURCE: RouteSpec = route!(
    "api-update-source",
    PATCH,
    "/v1/sources/{id}",
    ED,
    "Change a source's title or config fields.",
    req = Some(schema::<e::UpdateSource>),
    res = Some(schema::<e::SourceView>),
    status = 200,
    query = &[],
    handler = h::update_source
);

/// `api-delete-source`.
pub static DELETE_SOURCE: RouteSpec = route!(
    "api-delete-source",
    DELETE,
    "/v1/sources/{id}",
    ED,
    "Delete a source and its secret.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_source
);

/// `api-test-source`.
pub static TEST_SOURCE: RouteSpec = route!(
    "api-test-source",
    POST,
    "/v1/sources/{id}/test",
    ED,
    "Test the source as a run reaches it: reachable, authorized, readable, with a reason when not. A database gets a login and a look at what its user may read; files a listing of their location; an HTTP API one request to its base URL with its credential. Nothing is written.",
    req = None,
    res = Some(schema::<sluice_domain::discovery::SourceTest>),
    status = 200,
    query = &[],
    handler = h::test_source,
    needs = Engine
);

/// `api-list-source-streams`.
pub static LIST_SOURCE_STREAMS: RouteSpec = route!(
    "api-list-source-streams",
    GET,
    "/v1/sources/{id}/streams",
    V,
    "The streams the source offers now, each with its fields, their types and the cast a mapping gives them, its primary key and the columns an incremental run could resume from: a database's tables and views from its catalog, the files at a files source's location from their first rows. With `name`, that stream only (for an HTTP API, the path to read).",
    req = None,
    res = Some(schema::<configured::SourceStreams>),
    status = 200,
    query = &[QueryParam {
        name: "name",
        description: "Only this stream, as a data mart's definition names it (`public.orders`, `orders/2026.csv`, an HTTP API's path).",
        schema: || serde_json::json!({"type": "string", "minLength": 1, "maxLength": 1024}),
    }],
    handler = h::list_source_streams,
    needs = Engine
);

/// `api-suggest-mapping`.
pub static SUGGEST_MAPPING: RouteSpec = route!(
    "api-suggest-mapping",
    POST,
    "/v1/sources/{id}/suggest-mapping",
    ED,
    "Suggest the mapping of one of the source's streams, read as discovery reads it: into an existing data mart's columns (`data_mart_id`) or given `columns`, each matched to the field most alike in name (case, separators, a shared prefix, abbreviations) and type, with a score and the reason; or, with neither, every field under its name in snake case with the cast that lands its type. `mapping` is the matched columns, ready for a definition.",
    req = Some(schema::<sluice_domain::suggest::SuggestMapping>),
    res = Some(schema::<sluice_domain::suggest::Suggestion>),
    status = 200,
    query = &[],
    handler = h::suggest_mapping,
    needs = Engine
);

/// `api-create-source-data-marts`.
pub static CREATE_SOURCE_DATA_MARTS: RouteSpec = route!(
    "api-create-source-data-marts",
    POST,
    "/v1/sources/{id}/data-marts",
    ED,
    "Create data marts over streams of the source in one request, all or none: one per entry of `marts`, in the storage `storage_id`, each reading one stream (a stream may be read by several, under different titles). An entry without `mapping` gets the one `suggest-mapping` suggests without a target (every field under its name in snake case, with the cast that lands its type) and, when discovery finds the stream's primary key, a `unique_key` rule on it and `write_mode` `merge` unless its `pipeline` names one. Every entry is checked as a definition is (and, with `publish`, as publishing checks it) before any is written; a problem answers 422 naming `marts[i]`'s field. The source is discovered once per request. Answers the data marts created, in the request's order.",
    req = Some(schema::<e::CreateSourceDataMarts>),
    res = Some(schema::<source_marts::CreatedDataMarts>),
    status = 201,
    query = &[],
    handler = h::create_source_data_marts,
    needs = Engine
);

// data marts
/// `api-create-data-mart`.
pub static CREATE_DATA_MART: RouteSpec = route!(
    "api-create-data-mart",
    POST,
    "/v1/data-marts",
    ED,
    "Create a draft data mart.",
    req = Some(schema::<e::CreateDataMart>),
    res = Some(schema::<e::DataMart>),
    status = 201,
    query = &[],
    handler = h::create_data_mart
);

/// `api-list-data-marts`.
pub static LIST_DATA_MARTS: RouteSpec = route!(
    "api-list-data-marts",
    GET,
    "/v1/data-marts",
    V,
    "List data marts, newest first.",
    req = None,
    res = Some(schema::<List<e::DataMart>>),
    status = 200,
    query = page!(
        Kind::DataMart,
        (
            "storage_id",
            "Only data marts in this storage.",
            Kind::Storage
        )
    ),
    handler = h::list_data_marts
);

/// `api-get-data-mart`.
pub static GET_DATA_MART: RouteSpec = route!(
    "api-get-data-mart",
    GET,
    "/v1/data-marts/{id}",
    V,
    "Get a data mart.",
    req = None,
    res = Some(schema::<e::DataMart>),
    status = 200,
    query = &[],
    handler = h::get_data_mart
);

/// `api-update-data-mart`.
pub static UPDATE_DATA_MART: RouteSpec = route!(
    "api-update-data-mart",
    PATCH,
    "/v1/data-marts/{id}",
    ED,
    "Change a data mart's title or description, or the aliases and descriptions of its schema's fields (`fields`, each by `name`).",
    req = Some(schema::<e::UpdateDataMart>),
    res = Some(schema::<e::DataMart>),
    status = 200,
    query = &[],
    handler = h::update_data_mart
);

/// `api-delete-data-mart`.
pub static DELETE_DATA_MART: RouteSpec = route!(
    "api-delete-data-mart",
    DELETE,
    "/v1/data-marts/{id}",
    ED,
    "Delete a data mart (soft).",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_data_mart
);

/// `api-set-data-mart-definition`.
pub static SET_DATA_MART_DEFINITION: RouteSpec = route!(
    "api-set-data-mart-definition",
    PUT,
    "/v1/data-marts/{id}/definition",
    ED,
    "Set the definition (sql, table, view, table_pattern or connector).",
    req = Some(schema::<e::Definition>),
    res = Some(schema::<e::DataMart>),
    status = 200,
    query = &[],
    handler = h::set_data_mart_definition,
    needs = Plan
);

/// `api-validate-data-mart-definition`.
pub static VALIDATE_DATA_MART_DEFINITION: RouteSpec = route!(
    "api-validate-data-mart-definition",
    POST,
    "/v1/data-marts/{id}/definition/validate",
    V,
    "Validate the stored definition, or the one in the body, without saving; a sql, table, table_pattern or view definition is planned in the warehouse (a dry run) and its columns returned.",
    req = Some(schema::<e::Definition>),
    res = Some(schema::<ValidationReport>),
    status = 200,
    query = &[],
    handler = h::validate_data_mart_definition,
    needs = Plan
);

/// `api-publish-data-mart`.
pub static PUBLISH_DATA_MART: RouteSpec = route!(
    "api-publish-data-mart",
    POST,
    "/v1/data-marts/{id}/publish",
    ED,
    "Publish a draft with a valid definition.",
    req = None,
    res = Some(schema::<e::DataMart>),
    status = 200,
    query = &[],
    handler = h::publish_data_mart,
    needs = Plan
);

// destinations
/// `api-create-destination`.
pub static CREATE_DESTINATION: RouteSpec = route!(
    "api-create-destination",
    POST,
    "/v1/destinations",
    AD,
    "Create a destination; secret fields are stored apart and masked.",
    req = Some(schema::<e::CreateDestination>),
    res = Some(schema::<e::DestinationView>),
    status = 201,
    query = &[],
    handler = h::create_destination
);

/// `api-list-destinations`.
pub static LIST_DESTINATIONS: RouteSpec = route!(
    "api-list-destinations",
    GET,
    "/v1/destinations",
    V,
    "List destinations, newest first.",
    req = None,
    res = Some(schema::<List<e::DestinationView>>),
    status = 200,
    query = page!(Kind::Destination),
    handler = h::list_destinations
);

/// `api-get-destination`.
pub static GET_DESTINATION: RouteSpec = route!(
    "api-get-destination",
    GET,
    "/v1/destinations/{id}",
    V,
    "Get a destination (secrets masked).",
    req = None,
    res = Some(schema::<e::DestinationView>),
    status = 200,
    query = &[],
    handler = h::get_destination
);

/// `api-update-destination`.
pub static UPDATE_DESTINATION: RouteSpec = route!(
    "api-update-destination",
    PATCH,
    "/v1/destinations/{id}",
    AD,
    "Change a destination's title or config fields.",
    req = Some(schema::<e::UpdateDestination>),
    res = Some(schema::<e::DestinationView>),
    status = 200,
    query = &[],
    handler = h::update_destination
);

/// `api-delete-destination`.
pub static DELETE_DESTINATION: RouteSpec = route!(
    "api-delete-destination",
    DELETE,
    "/v1/destinations/{id}",
    AD,
    "Delete a destination and its secret.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_destination
);

/// `api-test-destination`.
pub static TEST_DESTINATION: RouteSpec = route!(
    "api-test-destination",
    POST,
    "/v1/destinations/{id}/test",
    ED,
    "Test the destination as its delivery would reach it: reachable, authorized, writable, with a reason when not. A webhook gets a signed request with no rows (`Sluice-Test: true`); a database a login and a look at its privileges; a Google Sheet a token and an edit that changes nothing; mail a session without a message; an export folder a file written and removed.",
    req = None,
    res = Some(schema::<configured::DestinationTest>),
    status = 200,
    query = &[],
    handler = h::test_destination,
    needs = Connections
);

/// `api-rotate-destination-key`.
pub static ROTATE_DESTINATION_KEY: RouteSpec = route!(
    "api-rotate-destination-key",
    POST,
    "/v1/destinations/{id}/rotate-key",
    ED,
    "Issue a new data key for a `looker_studio` destination, shown this once; the previous key keeps working for the destination's `key_grace_seconds`, then stops.",
    req = None,
    res = Some(schema::<report_data::IssuedKey>),
    status = 200,
    query = &[],
    handler = h::rotate_destination_key
);

// reports
/// `api-create-report`.
pub static CREATE_REPORT: RouteSpec = route!(
    "api-create-report",
    POST,
    "/v1/reports",
    ED,
    "Create a report: a data mart query delivered to a destination.",
    req = Some(schema::<e::CreateReport>),
    res = Some(schema::<e::Report>),
    status = 201,
    query = &[],
    handler = h::create_report
);

/// `api-list-reports`.
pub static LIST_REPORTS: RouteSpec = route!(
    "api-list-reports",
    GET,
    "/v1/reports",
    V,
    "List reports, newest first.",
    req = None,
    res = Some(schema::<List<e::Report>>),
    status = 200,
    query = page!(
        Kind::Report,
        (
            "data_mart_id",
            "Only those of this data mart.",
            Kind::DataMart
        )
    ),
    handler = h::list_reports
);

/// `api-get-report`.
pub static GET_REPORT: RouteSpec = route!(
    "api-get-report",
    GET,
    "/v1/reports/{id}",
    V,
    "Get a report.",
    req = None,
    res = Some(schema::<e::Report>),
    status = 200,
    query = &[],
    handler = h::get_report
);

/// `api-get-report-data`.
pub static GET_REPORT_DATA: RouteSpec = route!(
    "api-get-report-data",
    GET,
    "/v1/reports/{id}/data",
    None,
    "The report's rows, streamed: NDJSON (default), CSV, or JSON with its schema (what a Looker Studio community connector reads). Authenticated by the data key of the report's `looker_studio` destination (`Authorization: Bearer <key>`), not a user token. Served from a cache for the report's `cache_ttl_seconds`, until its data mart's data changes; `x-sluice-cache` says `hit` or `miss`.",
    req = None,
    res = None,
    status = 200,
    query = &[
        QueryParam {
            name: "format",
            description: "`ndjson` (one object per line, the default), `csv` (a header line, then rows), or `json` (`{\"schema\": [{\"name\", \"type\"}], \"rows\": [objects]}`).",
            schema: || serde_json::json!({"type": "string", "enum": ["ndjson", "csv", "json"]}),
        },
        QueryParam {
            name: "limit",
            description: "At most this many rows (1-1000000000); all of them by default.",
            schema: || limit(1_000_000_000),
        },
        QueryParam {
            name: "param",
            description: "Values of the report's parameters (its `output.parameters`), `param[name]=value`: at most 8, names of at most 64 characters, values of at most 400; defaults fill the rest. A name the report does not declare, or a value not of its type, is a 422 naming `param[name]`.",
            schema: || serde_json::json!({"type": "object", "maxProperties": 8,
                "propertyNames": {"minLength": 1, "maxLength": 64},
                "additionalProperties": {"type": "string", "maxLength": 400}}),
        },
    ],
    handler = h::get_report_data,
    needs = Query
);

/// `api-update-report`.
pub static UPDATE_REPORT: RouteSpec = route!(
    "api-update-report",
    PATCH,
    "/v1/reports/{id}",
    ED,
    "Change a report.",
    req = Some(schema::<e::UpdateReport>),
    res = Some(schema::<e::Report>),
    status = 200,
    query = &[],
    handler = h::update_report
);

/// `api-delete-report`.
pub static DELETE_REPORT: RouteSpec = route!(
    "api-delete-report",
    DELETE,
    "/v1/reports/{id}",
    ED,
    "Delete a report.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_report
);

// report runs
/// `api-start-report-run`.
pub static START_REPORT_RUN: RouteSpec = route!(
    "api-start-report-run",
    POST,
    "/v1/reports/{id}/runs",
    ED,
    "Deliver the report now: a report run is queued to its destination kind's delivery. The body (optional) gives values to the report's parameters.",
    req = Some(schema::<report_runs::StartReportRun>),
    res = Some(schema::<e::ReportRun>),
    status = 202,
    query = &[],
    handler = h::start_report_run,
    needs = Queue
);

/// `api-download-report-run`.
pub static DOWNLOAD_REPORT_RUN: RouteSpec = route!(
    "api-download-report-run",
    GET,
    "/v1/report-runs/{id}/download",
    V,
    "The file an `object_export` report run delivered: a redirect (307) to a link valid for 15 minutes where the object store signs links (S3), else the file itself.",
    req = None,
    res = None,
    status = 200,
    query = &[],
    handler = h::download_report_run,
    needs = Objects
);

/// `api-list-report-runs`.
pub static LIST_REPORT_RUNS: RouteSpec = route!(
    "api-list-report-runs",
    GET,
    "/v1/reports/{id}/runs",
    V,
    "List the report's runs, newest first: status, rows, bytes, duration, errors.",
    req = None,
    res = Some(schema::<List<e::ReportRun>>),
    status = 200,
    query = page!(Kind::ReportRun),
    handler = h::list_report_runs
);

/// `api-get-report-run`.
pub static GET_REPORT_RUN: RouteSpec = route!(
    "api-get-report-run",
    GET,
    "/v1/report-runs/{id}",
    V,
    "Get a report run: status, what was delivered where, and its log.",
    req = None,
    res = Some(schema::<e::ReportRun>),
    status = 200,
    query = &[],
    handler = h::get_report_run
);

/// `api-cancel-report-run`.
pub static CANCEL_REPORT_RUN: RouteSpec = route!(
    "api-cancel-report-run",
    POST,
    "/v1/report-runs/{id}/cancel",
    ED,
    "Cancel a queued or running report run: it is not delivered, or not recorded as delivered.",
    req = None,
    res = Some(schema::<e::ReportRun>),
    status = 200,
    query = &[],
    handler = h::cancel_report_run
);

/// `api-retry-report-run`.
pub static RETRY_REPORT_RUN: RouteSpec = route!(
    "api-retry-report-run",
    POST,
    "/v1/report-runs/{id}/retry",
    ED,
    "Retry a failed or cancelled report run as its next attempt.",
    req = None,
    res = Some(schema::<e::ReportRun>),
    status = 200,
    query = &[],
    handler = h::retry_report_run,
    needs = Queue
);

// triggers
/// `api-create-trigger`.
pub static CREATE_TRIGGER: RouteSpec = route!(
    "api-create-trigger",
    POST,
    "/v1/triggers",
    ED,
    "Schedule a data mart or a report: cron + IANA time zone.",
    req = Some(schema::<e::CreateTrigger>),
    res = Some(schema::<e::TriggerView>),
    status = 201,
    query = &[],
    handler = h::create_trigger
);

/// `api-list-triggers`.
pub static LIST_TRIGGERS: RouteSpec = route!(
    "api-list-triggers",
    GET,
    "/v1/triggers",
    V,
    "List triggers, newest first.",
    req = None,
    res = Some(schema::<List<e::TriggerView>>),
    status = 200,
    query = page!(
        Kind::Trigger,
        (
            "target_id",
            "Only triggers of this data mart or report.",
            Kind::DataMart,
            Kind::Report
        )
    ),
    handler = h::list_triggers
);

/// `api-get-trigger`.
pub static GET_TRIGGER: RouteSpec = route!(
    "api-get-trigger",
    GET,
    "/v1/triggers/{id}",
    V,
    "Get a trigger with its next fire times.",
    req = None,
    res = Some(schema::<e::TriggerView>),
    status = 200,
    query = &[],
    handler = h::get_trigger
);

/// `api-update-trigger`.
pub static UPDATE_TRIGGER: RouteSpec = route!(
    "api-update-trigger",
    PATCH,
    "/v1/triggers/{id}",
    ED,
    "Change, enable or disable a trigger.",
    req = Some(schema::<e::UpdateTrigger>),
    res = Some(schema::<e::TriggerView>),
    status = 200,
    query = &[],
    handler = h::update_trigger
);

/// `api-delete-trigger`.
pub static DELETE_TRIGGER: RouteSpec = route!(
    "api-delete-trigger",
    DELETE,
    "/v1/triggers/{id}",
    ED,
    "Delete a trigger.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_trigger
);

// value maps
/// `api-create-value-map`.
pub static CREATE_VALUE_MAP: RouteSpec = route!(
    "api-create-value-map",
    POST,
    "/v1/value-maps",
    ED,
    "Create a value map: a lookup table a mapping's `map` op applies.",
    req = Some(schema::<e::CreateValueMap>),
    res = Some(schema::<e::ValueMap>),
    status = 201,
    query = &[],
    handler = h::create_value_map
);

/// `api-list-value-maps`.
pub static LIST_VALUE_MAPS: RouteSpec = route!(
    "api-list-value-maps",
    GET,
    "/v1/value-maps",
    V,
    "List value maps, by id (ids derive from names, not from the time).",
    req = None,
    res = Some(schema::<List<e::ValueMap>>),
    status = 200,
    query = page!(Kind::ValueMap),
    handler = h::list_value_maps
);

/// `api-get-value-map`.
pub static GET_VALUE_MAP: RouteSpec = route!(
    "api-get-value-map",
    GET,
    "/v1/value-maps/{id}",
    V,
    "Get a value map with its entries.",
    req = None,
    res = Some(schema::<e::ValueMap>),
    status = 200,
    query = &[],
    handler = h::get_value_map
);

/// `api-update-value-map`.
pub static UPDATE_VALUE_MAP: RouteSpec = route!(
    "api-update-value-map",
    PATCH,
    "/v1/value-maps/{id}",
    ED,
    "Change a value map's title, description, case matching or entries (not its name).",
    req = Some(schema::<e::UpdateValueMap>),
    res = Some(schema::<e::ValueMap>),
    status = 200,
    query = &[],
    handler = h::update_value_map
);

/// `api-delete-value-map`.
pub static DELETE_VALUE_MAP: RouteSpec = route!(
    "api-delete-value-map",
    DELETE,
    "/v1/value-maps/{id}",
    ED,
    "Delete a value map no live data mart's definition applies.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_value_map
);

// runs
/// `api-list-runs`.
pub static LIST_RUNS: RouteSpec = route!(
    "api-list-runs",
    GET,
    "/v1/runs",
    V,
    "List runs, newest first.",
    req = None,
    res = Some(schema::<List<e::Run>>),
    status = 200,
    query = page!(
        Kind::Run,
        (
            "data_mart_id",
            "Only those of this data mart.",
            Kind::DataMart
        )
    ),
    handler = h::list_runs
);

/// `api-list-data-mart-runs`.
pub static LIST_DATA_MART_RUNS: RouteSpec = route!(
    "api-list-data-mart-runs",
    GET,
    "/v1/data-marts/{id}/runs",
    V,
    "List a data mart's runs, newest first (a deleted mart's too).",
    req = None,
    res = Some(schema::<List<e::Run>>),
    status = 200,
    query = page!(Kind::Run),
    handler = h::list_data_mart_runs
);

/// `api-get-run`.
pub static GET_RUN: RouteSpec = route!(
    "api-get-run",
    GET,
    "/v1/runs/{id}",
    V,
    "Get a run: status, stages, counters, progress, throughput and its error log.",
    req = None,
    res = Some(schema::<e::Run>),
    status = 200,
    query = &[],
    handler = h::get_run
);

/// `api-watch-run`: served by the local server only (see [`RouteSpec::on_lambda`]).
pub static WATCH_RUN: RouteSpec = route!(
    "api-watch-run",
    GET,
    "/v1/runs/{id}/events",
    V,
    "Follow a run live, as server-sent events: an `event: run` whose data is the run's whole state (a `RunUpdate`: `event` `snapshot` first, then the kind of each run event, or `resync` after the stream fell behind), a `: heartbeat` comment every 15 s while it is quiet; the stream ends after the state in which the run is over, or after an access token's lifetime (connect again). Send the credential in the `Authorization` header (read it with fetch: the browser's EventSource sends no header). Served by `sluice serve` only: on AWS the WebSocket API pushes the same updates.",
    req = None,
    res = Some(schema::<crate::services::live::RunUpdate>),
    status = 200,
    query = &[],
    handler = h::watch_run,
    needs = Events
);

/// `api-start-run`.
pub static START_RUN: RouteSpec = route!(
    "api-start-run",
    POST,
    "/v1/data-marts/{id}/runs",
    ED,
    "Start a run of a published connector data mart: incremental, or a backfill of a date window.",
    req = Some(schema::<e::StartRun>),
    res = Some(schema::<e::Run>),
    status = 201,
    query = &[],
    handler = h::start_run,
    needs = Queue
);

/// `api-pause-run`.
pub static PAUSE_RUN: RouteSpec = route!(
    "api-pause-run",
    POST,
    "/v1/runs/{id}/pause",
    ED,
    "Pause a run: workers stop taking its chunks until it is resumed.",
    req = None,
    res = Some(schema::<e::Run>),
    status = 200,
    query = &[],
    handler = h::pause_run
);

/// `api-resume-run`.
pub static RESUME_RUN: RouteSpec = route!(
    "api-resume-run",
    POST,
    "/v1/runs/{id}/resume",
    ED,
    "Resume a paused or interrupted run where it stopped.",
    req = None,
    res = Some(schema::<e::Run>),
    status = 200,
    query = &[],
    handler = h::resume_run,
    needs = Queue
);

/// `api-cancel-run`.
pub static CANCEL_RUN: RouteSpec = route!(
    "api-cancel-run",
    POST,
    "/v1/runs/{id}/cancel",
    ED,
    "Cancel a run; nothing more of it is committed.",
    req = None,
    res = Some(schema::<e::Run>),
    status = 200,
    query = &[],
    handler = h::cancel_run
);

/// `api-retry-run`.
pub static RETRY_RUN: RouteSpec = route!(
    "api-retry-run",
    POST,
    "/v1/runs/{id}/retry",
    ED,
    "Retry a failed run from its failed chunks, keeping what succeeded.",
    req = None,
    res = Some(schema::<e::Run>),
    status = 200,
    query = &[],
    handler = h::retry_run,
    needs = Queue
);

/// `api-preview-data-mart`.
pub static PREVIEW_DATA_MART: RouteSpec = route!(
    "api-preview-data-mart",
    POST,
    "/v1/data-marts/{id}/preview",
    ED,
    "Sample source rows before and after the mapping, with the warnings they raise.",
    req = Some(schema::<crate::ports::PreviewRequest>),
    res = Some(schema::<crate::ports::Preview>),
    status = 200,
    query = &[],
    handler = h::preview_data_mart,
    needs = Engine
);

/// `api-query-data-mart`.
pub static QUERY_DATA_MART: RouteSpec = route!(
    "api-query-data-mart",
    POST,
    "/v1/data-marts/{id}/query",
    V,
    "Query the data mart with read-only SQL: ${DATA_MART_TABLE} names it, other data marts of the project are named by table name (dm_…), storage tables by schema.table.",
    req = Some(schema::<runs::QueryRequest>),
    res = Some(schema::<crate::ports::QueryResult>),
    status = 200,
    query = &[],
    handler = h::query_data_mart,
    needs = Query
);

// scheduling
/// `api-create-backfill`.
pub static CREATE_BACKFILL: RouteSpec = route!(
    "api-create-backfill",
    POST,
    "/v1/data-marts/{id}/backfills",
    ED,
    "Backfill a date range: one backfill run per window (day, week or month), at most the data mart's max active runs at once.",
    req = Some(schema::<e::CreateBackfill>),
    res = Some(schema::<e::Backfill>),
    status = 201,
    query = &[],
    handler = h::create_backfill,
    needs = Queue
);

/// `api-list-backfills`.
pub static LIST_BACKFILLS: RouteSpec = route!(
    "api-list-backfills",
    GET,
    "/v1/backfills",
    V,
    "List backfills, newest first.",
    req = None,
    res = Some(schema::<List<e::Backfill>>),
    status = 200,
    query = page!(
        Kind::Backfill,
        (
            "data_mart_id",
            "Only those of this data mart.",
            Kind::DataMart
        )
    ),
    handler = h::list_backfills
);

/// `api-get-backfill`.
pub static GET_BACKFILL: RouteSpec = route!(
    "api-get-backfill",
    GET,
    "/v1/backfills/{id}",
    V,
    "Get a backfill: its windows, each with its run and status.",
    req = None,
    res = Some(schema::<e::Backfill>),
    status = 200,
    query = &[],
    handler = h::get_backfill
);

/// `api-cancel-backfill`.
pub static CANCEL_BACKFILL: RouteSpec = route!(
    "api-cancel-backfill",
    POST,
    "/v1/backfills/{id}/cancel",
    ED,
    "Cancel a backfill: no more windows start, its runs in flight are cancelled.",
    req = None,
    res = Some(schema::<e::Backfill>),
    status = 200,
    query = &[],
    handler = h::cancel_backfill
);

/// `api-get-data-mart-lineage`.
pub static GET_DATA_MART_LINEAGE: RouteSpec = route!(
    "api-get-data-mart-lineage",
    GET,
    "/v1/data-marts/{id}/lineage",
    V,
    "The data marts this one runs after, and those that run after it (upstream triggers, transitively).",
    req = None,
    res = Some(schema::<e::Lineage>),
    status = 200,
    query = &[],
    handler = h::get_data_mart_lineage
);

/// `api-get-project`.
pub static GET_PROJECT: RouteSpec = route!(
    "api-get-project",
    GET,
    "/v1/project",
    V,
    "The project of the credential: its name and where notifications go.",
    req = None,
    res = Some(schema::<e::Project>),
    status = 200,
    query = &[],
    handler = h::get_project
);

/// `api-update-project`.
pub static UPDATE_PROJECT: RouteSpec = route!(
    "api-update-project",
    PATCH,
    "/v1/project",
    AD,
    "Rename the project, or set the webhook URL SLA misses are POSTed to (write-only: only its origin is shown).",
    req = Some(schema::<e::UpdateProject>),
    res = Some(schema::<e::Project>),
    status = 200,
    query = &[],
    handler = h::update_project
);

// a project's landing area: uploaded files, read as `store://…`
/// `api-upload-file`.
pub static UPLOAD_FILE: RouteSpec = RouteSpec {
    upload: true,
    ..route!(
        "api-upload-file",
        PUT,
        "/v1/files/{path+}",
        ED,
        "Upload a file into the project's landing area (the raw body; `curl -T`). `files` sources read it with `store://`; the same path replaces it.",
        req = None,
        res = Some(schema::<FileView>),
        status = 201,
        query = &[],
        handler = h::upload_file,
        needs = Objects
    )
};

/// `api-list-files`.
pub static LIST_FILES: RouteSpec = route!(
    "api-list-files",
    GET,
    "/v1/files",
    V,
    "The files in the project's landing area, in path order.",
    req = None,
    res = Some(schema::<List<FileView>>),
    status = 200,
    query = FILES_PAGE,
    handler = h::list_files,
    needs = Objects
);

/// `api-delete-file`.
pub static DELETE_FILE: RouteSpec = route!(
    "api-delete-file",
    DELETE,
    "/v1/files/{path+}",
    ED,
    "Delete a file from the project's landing area.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_file,
    needs = Objects
);

// identity: users, sessions, API keys
/// `api-get-jwks`.
pub static GET_JWKS: RouteSpec = route!(
    "api-get-jwks",
    GET,
    "/.well-known/jwks.json",
    None,
    "The public keys bearer tokens are signed with (Ed25519, JWS `EdDSA`), as a JWK Set: a token's `kid` names its key. Verifies tokens without calling this API; keys are rotated in before they sign and kept after.",
    req = None,
    res = Some(schema::<crate::auth::keys::Jwks>),
    status = 200,
    query = &[],
    handler = h::get_jwks
);

/// `api-sign-up`.
pub static SIGN_UP: RouteSpec = route!(
    "api-sign-up",
    POST,
    "/v1/auth/sign-up",
    None,
    "Create a user and sign in. On a fresh deployment the first user becomes the owner of the default project; after that sign-up is refused (403) unless the operator opened it, each new user then owning a project of their own. Answers the session's tokens.",
    req = Some(schema::<identity::SignUp>),
    res = Some(schema::<identity::SessionTokens>),
    status = 201,
    query = &[],
    handler = h::sign_up
);

/// `api-sign-in`.
pub static SIGN_IN: RouteSpec = route!(
    "api-sign-in",
    POST,
    "/v1/auth/sign-in",
    None,
    "Sign in with an e-mail address and a password: a 15-minute access token and a refresh token. A wrong password, an unknown address, and an account slowed or locked after failed attempts get the same 401.",
    req = Some(schema::<identity::SignIn>),
    res = Some(schema::<identity::SessionTokens>),
    status = 200,
    query = &[],
    handler = h::sign_in
);

/// `api-refresh-session`.
pub static REFRESH_SESSION: RouteSpec = route!(
    "api-refresh-session",
    POST,
    "/v1/auth/refresh",
    None,
    "Trade a refresh token for a new access token and a new refresh token. Each refresh token is good once: one presented again ends its whole session.",
    req = Some(schema::<identity::Refresh>),
    res = Some(schema::<identity::SessionTokens>),
    status = 200,
    query = &[],
    handler = h::refresh_session
);

/// `api-sign-out`.
pub static SIGN_OUT: RouteSpec = route!(
    "api-sign-out",
    POST,
    "/v1/auth/sign-out",
    V,
    "End the session of this access token: its access and refresh tokens stop working at once. Only a session's access token may (403 for an API key or an operator token).",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::sign_out
);

/// `api-sign-out-everywhere`.
pub static SIGN_OUT_EVERYWHERE: RouteSpec = route!(
    "api-sign-out-everywhere",
    POST,
    "/v1/auth/sign-out-everywhere",
    V,
    "End every session of the signed-in user, this one included.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::sign_out_everywhere
);

/// `api-change-password`.
pub static CHANGE_PASSWORD: RouteSpec = route!(
    "api-change-password",
    POST,
    "/v1/auth/password",
    V,
    "Change the signed-in user's password, given the current one (a wrong one counts as a failed sign-in). Every other session of the user ends; this one goes on.",
    req = Some(schema::<identity::ChangePassword>),
    res = None,
    status = 204,
    query = &[],
    handler = h::change_password
);

/// `api-get-me`.
pub static GET_ME: RouteSpec = route!(
    "api-get-me",
    GET,
    "/v1/me",
    V,
    "Who the credential names: its kind (`session`, `api_key`, `operator`), project and role, and the user or key.",
    req = None,
    res = Some(schema::<identity::Me>),
    status = 200,
    query = &[],
    handler = h::get_me
);

/// `api-create-api-key`.
pub static CREATE_API_KEY: RouteSpec = route!(
    "api-create-api-key",
    POST,
    "/v1/api-keys",
    AD,
    "Create an API key of the project, with a role no higher than the caller's and an optional expiry. The key (`slk_<prefix>_<secret>`) is in this answer only; it is kept as a digest.",
    req = Some(schema::<sluice_domain::entities::CreateApiKey>),
    res = Some(schema::<api_keys::CreatedApiKey>),
    status = 201,
    query = &[],
    handler = h::create_api_key
);

/// `api-list-api-keys`.
pub static LIST_API_KEYS: RouteSpec = route!(
    "api-list-api-keys",
    GET,
    "/v1/api-keys",
    AD,
    "The project's API keys, without their secrets: prefix, role, creator, expiry, last use (to the minute). In the order of their ids, which derive from their prefixes.",
    req = None,
    res = Some(schema::<List<sluice_domain::entities::ApiKeyView>>),
    status = 200,
    query = page!(Kind::ApiKey),
    handler = h::list_api_keys
);

/// `api-delete-api-key`.
pub static DELETE_API_KEY: RouteSpec = route!(
    "api-delete-api-key",
    DELETE,
    "/v1/api-keys/{id}",
    AD,
    "Revoke an API key: from now on it is refused like a missing one.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_api_key
);

/// `api-list-projects`.
pub static LIST_PROJECTS: RouteSpec = route!(
    "api-list-projects",
    GET,
    "/v1/projects",
    V,
    "The projects the caller's user is a member of, each with their role there and whether the credential is for it (an API key or an operator token: its one project). Switch with `POST /v1/auth/switch-project`.",
    req = None,
    res = Some(schema::<List<members::ProjectMembership>>),
    status = 200,
    query = &[],
    handler = h::list_projects
);

/// `api-create-project`.
pub static CREATE_PROJECT: RouteSpec = route!(
    "api-create-project",
    POST,
    "/v1/projects",
    V,
    "Create a project owned by the caller's user (a session's access token only). Its id is in the answer; switch to it with `POST /v1/auth/switch-project`.",
    req = Some(schema::<members::CreateProject>),
    res = Some(schema::<members::ProjectMembership>),
    status = 201,
    query = &[],
    handler = h::create_project
);

/// `api-switch-project`.
pub static SWITCH_PROJECT: RouteSpec = route!(
    "api-switch-project",
    POST,
    "/v1/auth/switch-project",
    V,
    "An access token of the same session for another project the user is a member of; the session's refreshes go on in it (a session's access token only).",
    req = Some(schema::<identity::SwitchProject>),
    res = Some(schema::<identity::ProjectToken>),
    status = 200,
    query = &[],
    handler = h::switch_project
);

/// `api-list-members`.
pub static LIST_MEMBERS: RouteSpec = route!(
    "api-list-members",
    GET,
    "/v1/members",
    V,
    "The project's members: their address, role (built-in or custom) and the data marts it is scoped to, if any.",
    req = None,
    res = Some(schema::<List<sluice_domain::entities::MemberView>>),
    status = 200,
    query = page!(Kind::Member),
    handler = h::list_members
);

/// `api-update-member`.
pub static UPDATE_MEMBER: RouteSpec = route!(
    "api-update-member",
    PATCH,
    "/v1/members/{id}",
    AD,
    "Change a member's role or scope (`data_marts`, `null` for the whole project). Nobody gives more than their own role; only owners change owners; a project keeps an owner (409). Applies to the member's next request.",
    req = Some(schema::<sluice_domain::entities::UpdateMember>),
    res = Some(schema::<sluice_domain::entities::MemberView>),
    status = 200,
    query = &[],
    handler = h::update_member
);

/// `api-delete-member`.
pub static DELETE_MEMBER: RouteSpec = route!(
    "api-delete-member",
    DELETE,
    "/v1/members/{id}",
    AD,
    "Take a member out of the project: their next request to it is refused. Only owners remove owners; a project keeps an owner (409).",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_member
);

/// `api-list-permissions`.
pub static LIST_PERMISSIONS: RouteSpec = route!(
    "api-list-permissions",
    GET,
    "/v1/permissions",
    V,
    "What a custom role may grant: each route's permission (`resource:action`), with its method, path, the least built-in role that has it, and whether a role scoped to data marts reaches it. Who has access (keys, members, roles, invitations) is for built-in admins and owners only.",
    req = None,
    res = Some(schema::<List<members::PermissionView>>),
    status = 200,
    query = &[],
    handler = h::list_permissions
);

/// `api-create-role`.
pub static CREATE_ROLE: RouteSpec = route!(
    "api-create-role",
    POST,
    "/v1/roles",
    AD,
    "Create a custom role: a name and `resource:action` permission patterns (`*` for either side), each granting at least one route of `GET /v1/permissions`.",
    req = Some(schema::<sluice_domain::entities::CreateCustomRole>),
    res = Some(schema::<sluice_domain::entities::CustomRoleView>),
    status = 201,
    query = &[],
    handler = h::create_role
);

/// `api-list-roles`.
pub static LIST_ROLES: RouteSpec = route!(
    "api-list-roles",
    GET,
    "/v1/roles",
    V,
    "The project's custom roles.",
    req = None,
    res = Some(schema::<List<sluice_domain::entities::CustomRoleView>>),
    status = 200,
    query = page!(Kind::CustomRole),
    handler = h::list_roles
);

/// `api-get-role`.
pub static GET_ROLE: RouteSpec = route!(
    "api-get-role",
    GET,
    "/v1/roles/{id}",
    V,
    "A custom role of the project.",
    req = None,
    res = Some(schema::<sluice_domain::entities::CustomRoleView>),
    status = 200,
    query = &[],
    handler = h::get_role
);

/// `api-update-role`.
pub static UPDATE_ROLE: RouteSpec = route!(
    "api-update-role",
    PATCH,
    "/v1/roles/{id}",
    AD,
    "Change a custom role's name, description or permissions; applies to its members' next requests.",
    req = Some(schema::<sluice_domain::entities::UpdateCustomRole>),
    res = Some(schema::<sluice_domain::entities::CustomRoleView>),
    status = 200,
    query = &[],
    handler = h::update_role
);

/// `api-delete-role`.
pub static DELETE_ROLE: RouteSpec = route!(
    "api-delete-role",
    DELETE,
    "/v1/roles/{id}",
    AD,
    "Delete a custom role; refused (409) while a member or a pending invitation has it.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_role
);

/// `api-create-invitation`.
pub static CREATE_INVITATION: RouteSpec = route!(
    "api-create-invitation",
    POST,
    "/v1/invitations",
    AD,
    "Invite someone by e-mail address to the project with a role (at most the caller's; `owner` by owners only) and an optional scope of data marts. The answer holds the invitation's token, once: the invitee accepts with it (`POST /v1/auth/accept-invitation`, or `invitation` at sign-up, which it opens where sign-up is closed). Good once, for that address, for 7 days.",
    req = Some(schema::<sluice_domain::entities::CreateInvitation>),
    res = Some(schema::<sluice_domain::entities::InvitationView>),
    status = 201,
    query = &[],
    handler = h::create_invitation
);

/// `api-list-invitations`.
pub static LIST_INVITATIONS: RouteSpec = route!(
    "api-list-invitations",
    GET,
    "/v1/invitations",
    AD,
    "The project's invitations, each `pending`, `accepted`, `revoked` or `expired`, without their tokens.",
    req = None,
    res = Some(schema::<List<sluice_domain::entities::InvitationView>>),
    status = 200,
    query = page!(Kind::Invitation),
    handler = h::list_invitations
);

/// `api-delete-invitation`.
pub static DELETE_INVITATION: RouteSpec = route!(
    "api-delete-invitation",
    DELETE,
    "/v1/invitations/{id}",
    AD,
    "Revoke a pending invitation.",
    req = None,
    res = None,
    status = 204,
    query = &[],
    handler = h::delete_invitation
);

/// `api-accept-invitation`.
pub static ACCEPT_INVITATION: RouteSpec = route!(
    "api-accept-invitation",
    POST,
    "/v1/auth/accept-invitation",
    V,
    "Join the project of an invitation to the signed-in user's address (a session's access token only); switch to it with `POST /v1/auth/switch-project`.",
    req = Some(schema::<members::AcceptInvitation>),
    res = Some(schema::<members::ProjectMembership>),
    status = 200,
    query = &[],
    handler = h::accept_invitation
);

const AUDIT_PAGE: &[QueryParam] = &[
    QueryParam {
        name: "limit",
        description: "Items per page, 1-200 (default 50). A filtered page may hold fewer: follow `next_cursor` until it is `null`.",
        schema: || limit(200),
    },
    QueryParam {
        name: "cursor",
        description: "`next_cursor` of the previous page.",
        schema: || id_of(&[Kind::AuditEntry]),
    },
    QueryParam {
        name: "resource_id",
        description: "Only entries on this record (a data mart, a source, an API key…).",
        schema: || id_of(&Kind::ALL),
    },
    QueryParam {
        name: "action",
        description: "Only entries of this route (`api-update-source`).",
        schema: || {
            let writes: Vec<&str> = ALL.iter().filter(|r| r.writes()).map(|r| r.name).collect();
            serde_json::json!({"type": "string", "enum": writes})
        },
    },
    QueryParam {
        name: "subject",
        description: "Only entries of this subject: a user's id, an API key's id, an operator token's subject.",
        schema: || serde_json::json!({"type": "string", "minLength": 1, "maxLength": 200}),
    },
];

/// `api-list-audit`.
pub static LIST_AUDIT: RouteSpec = route!(
    "api-list-audit",
    GET,
    "/v1/audit",
    AD,
    "The project's audit log, newest first: every write through the API (each route but a GET or a test, preview, suggestion or query) with who made it (subject, credential kind and id), the route, the record and its version before and after, the status, and when. No request or response body is kept.",
    req = None,
    res = Some(schema::<List<sluice_domain::entities::AuditEntryView>>),
    status = 200,
    query = AUDIT_PAGE,
    handler = h::list_audit
);

const ALARMS_PAGE: &[QueryParam] = &[
    QueryParam {
        name: "limit",
        description: "Items per page, 1-200 (default 50). With `state`, a page may hold fewer: follow `next_cursor` until it is `null`.",
        schema: || limit(200),
    },
    QueryParam {
        name: "cursor",
        description: "`next_cursor` of the previous page.",
        schema: || id_of(&[Kind::Alarm]),
    },
    QueryParam {
        name: "state",
        description: "Only the `open` alarms, or only the `acknowledged` ones.",
        schema: || serde_json::json!({"type": "string", "enum": ["open", "acknowledged"]}),
    },
];

/// `api-list-alarms`.
pub static LIST_ALARMS: RouteSpec = route!(
    "api-list-alarms",
    GET,
    "/v1/alarms",
    V,
    "The project's alarms: a data mart's runs failing for good, missing their SLA or found stuck, a report's deliveries failing. One alarm per condition and record, counted each time it is raised, open until acknowledged (and open again when raised after that).",
    req = None,
    res = Some(schema::<List<sluice_domain::entities::Alarm>>),
    status = 200,
    query = ALARMS_PAGE,
    handler = h::list_alarms
);

/// `api-acknowledge-alarm`.
pub static ACKNOWLEDGE_ALARM: RouteSpec = route!(
    "api-acknowledge-alarm",
    POST,
    "/v1/alarms/{id}/acknowledge",
    ED,
    "Acknowledge an alarm: someone is on it. Acknowledging again changes nothing; raised again, it opens again.",
    req = None,
    res = Some(schema::<sluice_domain::entities::Alarm>),
    status = 200,
    query = &[],
    handler = h::acknowledge_alarm
);

/// Every route of the API, in the order the OpenAPI document lists them.
pub static ALL: &[&RouteSpec] = &[
    &HEALTH,
    &OPENAPI,
    &LIST_CONNECTORS,
    &GET_CONNECTOR,
    &LIST_DESTINATION_KINDS,
    &CREATE_STORAGE,
    &LIST_STORAGES,
    &GET_STORAGE,
    &UPDATE_STORAGE,
    &DELETE_STORAGE,
    &CREATE_SOURCE,
    &LIST_SOURCES,
    &GET_SOURCE,
    &UPDATE_SOURCE,
    &DELETE_SOURCE,
    &TEST_SOURCE,
    &LIST_SOURCE_STREAMS,
    &SUGGEST_MAPPING,
    &CREATE_SOURCE_DATA_MARTS,
    &CREATE_DATA_MART,
    &LIST_DATA_MARTS,
    &GET_DATA_MART,
    &UPDATE_DATA_MART,
    &DELETE_DATA_MART,
    &SET_DATA_MART_DEFINITION,
    &VALIDATE_DATA_MART_DEFINITION,
    &PUBLISH_DATA_MART,
    &CREATE_DESTINATION,
    &LIST_DESTINATIONS,
    &GET_DESTINATION,
    &UPDATE_DESTINATION,
    &DELETE_DESTINATION,
    &ROTATE_DESTINATION_KEY,
    &TEST_DESTINATION,
    &CREATE_REPORT,
    &LIST_REPORTS,
    &GET_REPORT,
    &GET_REPORT_DATA,
    &UPDATE_REPORT,
    &DELETE_REPORT,
    &START_REPORT_RUN,
    &LIST_REPORT_RUNS,
    &GET_REPORT_RUN,
    &DOWNLOAD_REPORT_RUN,
    &CANCEL_REPORT_RUN,
    &RETRY_REPORT_RUN,
    &CREATE_TRIGGER,
    &LIST_TRIGGERS,
    &GET_TRIGGER,
    &UPDATE_TRIGGER,
    &DELETE_TRIGGER,
    &CREATE_VALUE_MAP,
    &LIST_VALUE_MAPS,
    &GET_VALUE_MAP,
    &UPDATE_VALUE_MAP,
    &DELETE_VALUE_MAP,
    &LIST_RUNS,
    &LIST_DATA_MART_RUNS,
    &GET_RUN,
    &WATCH_RUN,
    &START_RUN,
    &PAUSE_RUN,
    &RESUME_RUN,
    &CANCEL_RUN,
    &RETRY_RUN,
    &PREVIEW_DATA_MART,
    &QUERY_DATA_MART,
    &CREATE_BACKFILL,
    &LIST_BACKFILLS,
    &GET_BACKFILL,
    &CANCEL_BACKFILL,
    &GET_DATA_MART_LINEAGE,
    &GET_PROJECT,
    &UPDATE_PROJECT,
    &UPLOAD_FILE,
    &LIST_FILES,
    &DELETE_FILE,
    &GET_JWKS,
    &SIGN_UP,
    &SIGN_IN,
    &REFRESH_SESSION,
    &SIGN_OUT,
    &SIGN_OUT_EVERYWHERE,
    &CHANGE_PASSWORD,
    &GET_ME,
    &CREATE_API_KEY,
    &LIST_API_KEYS,
    &DELETE_API_KEY,
    &LIST_AUDIT,
    &LIST_ALARMS,
    &ACKNOWLEDGE_ALARM,
    &LIST_PROJECTS,
    &CREATE_PROJECT,
    &SWITCH_PROJECT,
    &LIST_MEMBERS,
    &UPDATE_MEMBER,
    &DELETE_MEMBER,
    &LIST_PERMISSIONS,
    &CREATE_ROLE,
    &LIST_ROLES,
    &GET_ROLE,
    &UPDATE_ROLE,
    &DELETE_ROLE,
    &CREATE_INVITATION,
    &LIST_INVITATIONS,
    &DELETE_INVITATION,
    &ACCEPT_INVITATION,
];

/// Every route of the API.
pub fn all() -> &'static [&'static RouteSpec] {
    ALL
}

/// The route named `name`.
pub fn by_name(name: &str) -> Option<&'static RouteSpec> {
    all().iter().copied().find(|r| r.name == name)
}

/// Path parameters of a matched route, in template order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Params(pub Vec<(&'static str, String)>);

impl Params {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

impl RouteSpec {
    /// Parameters when `path` fits this route's template.
    pub fn match_path(&self, path: &str) -> Option<Params> {
        let mut params = Params::default();
        let mut given = path.trim_end_matches('/').split('/');
        for part in self.path.split('/') {
            let seg = given.next()?;
            // `{name+}` takes the rest of the path, `/`s included.
            if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix("+}")) {
                let rest: Vec<&str> = std::iter::once(seg).chain(given.by_ref()).collect();
                if rest.iter().any(|s| s.is_empty()) {
                    return None;
                }
                params.0.push((name, rest.join("/")));
                return Some(params);
            }
            if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                if seg.is_empty() {
                    return None;
                }
                params.0.push((name, seg.to_string()));
            } else if part != seg {
                return None;
            }
        }
        given.next().is_none().then_some(params)
    }
}

/// Outcome of routing a method and path.
pub enum Matched {
    Route(&'static RouteSpec, Params),
    /// The path exists, not with this method; the allowed methods.
    WrongMethod(Vec<Method>),
    None,
}

pub fn find(method: &Method, path: &str) -> Matched {
    let mut allowed = vec![];
    for &r in all() {
        if let Some(params) = r.match_path(path) {
            if r.method == *method {
                return Matched::Route(r, params);
            }
            allowed.push(r.method.clone());
        }
    }
    if allowed.is_empty() {
        Matched::None
    } else {
        Matched::WrongMethod(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_names_and_method_paths_are_unique_and_prefixed() {
        let mut names = std::collections::HashSet::new();
        let mut paths = std::collections::HashSet::new();
        for r in all() {
            assert!(r.name.starts_with("api-"), "{}", r.name);
            assert!(names.insert(r.name), "{} twice", r.name);
            assert!(
                paths.insert((r.method.clone(), r.path)),
                "{} {} twice",
                r.method,
                r.path
            );
        }
    }

    #[test]
    fn paths_match_their_templates_only() {
        let get = by_name("api-get-data-mart").expect("route");
        assert_eq!(
            get.match_path("/v1/data-marts/dm_1")
                .map(|p| p.get("id").to_string()),
            Some("dm_1".into())
        );
        assert!(get.match_path("/v1/data-marts").is_none());
        assert!(get.match_path("/v1/data-marts/dm_1/publish").is_none());
        assert!(matches!(
            find(&Method::DELETE, "/v1/connectors"),
            Matched::WrongMethod(_)
        ));
        assert!(matches!(find(&Method::GET, "/v2/nothing"), Matched::None));
    }
}
