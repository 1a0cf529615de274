//! Sources and destinations: records whose config is checked against a spec and
//! whose secret fields live in Secrets, never in the record, a response or a log.
//!
//! Writes are ordered so that nothing is half-written: the secret is stored before
//! the record that references it, and removed again if the record cannot be written.

use serde::Serialize;
use serde_json::{Map, Value};
use sluice_domain::connectors::{self, FieldSpec};
use sluice_domain::discovery::{DiscoveredField, DiscoveredStream, SourceTest};
use sluice_domain::entities::{
    CastType, ConfigMap, CreateDestination, CreateSource, DataMart, Destination, DestinationView,
    Entity, Meta, Settings, Source, SourceView, UpdateDestination, UpdateSource, ValidatedSettings,
    check_destination_values, destination_fields, merge_settings, parse_ref_of, validate_title,
};
use sluice_domain::files::{Location, PathRefused, parse_location};
use sluice_domain::ports::{ConnectionCheck, ObjectStore, Record, SecretValue};
use sluice_domain::suggest::{SuggestMapping, Suggestion, TargetColumn, suggest_into, suggest_new};
use sluice_domain::{Id, IdOf, Kind};

use super::{
    Ctx, List, Page, check_version, list_page, load, map_list, require_ref, save, soft_delete,
    to_record,
};
use crate::Testing;
use crate::error::{ServiceError, ServiceResult};
use crate::ports::Previewer;
use crate::records::from_record;

fn secret_name(project: &Id, id: &Id) -> String {
    format!("sluice/{project}/{id}")
}

fn secret_value(map: &Map<String, Value>) -> SecretValue {
    SecretValue::new(Value::Object(map.clone()).to_string())
}

/// Stores the secret part of a new record's config; returns the settings to keep.
async fn store_new(ctx: &Ctx<'_>, id: &Id, v: ValidatedSettings) -> ServiceResult<Settings> {
    let mut settings = Settings {
        config: v.config,
        secret_fields: v.secret.keys().cloned().collect(),
        secret_ref: None,
    };
    if !v.secret.is_empty() {
        let name = secret_name(ctx.project(), id);
        ctx.deps
            .secrets
            .put(&name, &secret_value(&v.secret))
            .await?;
        settings.secret_ref = Some(name);
    }
    Ok(settings)
}

/// Inserts a record whose secret was stored first; removes the secret if the insert fails.
async fn insert_or_forget_secret<T: sluice_domain::entities::Entity>(
    ctx: &Ctx<'_>,
    e: &T,
    settings: &Settings,
) -> ServiceResult<()> {
    if let Err(err) = super::insert(ctx, e).await {
        if let Some(name) = &settings.secret_ref
            && let Err(cleanup) = ctx.deps.secrets.delete(name).await
        {
            tracing::warn!(secret = %name, error = %cleanup, "Could not remove the secret of a record that was not written.");
        }
        return Err(err);
    }
    Ok(())
}

/// Applies a merged config PATCH: the new public config into `settings`, secret
/// changes (`null` removes one) to Secrets. Returns the previous secret, to restore
/// if the record write then fails.
async fn apply_patch(
    deps: &crate::Deps,
    project: &Id,
    id: &Id,
    settings: &mut Settings,
    (config, secret_changes): (ConfigMap, ConfigMap),
) -> ServiceResult<Option<Option<SecretValue>>> {
    settings.config = config;
    if secret_changes.is_empty() {
        return Ok(None);
    }
    let name = settings
        .secret_ref
        .clone()
        .unwrap_or_else(|| secret_name(project, id));
    let previous = deps.secrets.get(&name).await?;
    let mut current: Map<String, Value> = match &previous {
        Some(v) => serde_json::from_str(v.expose()).map_err(|_| {
            ServiceError::Internal(format!("secret {name} does not hold a JSON object"))
        })?,
        None => Map::new(),
    };
    for (k, v) in secret_changes {
        if v.is_null() {
            current.remove(&k);
        } else {
            current.insert(k, v);
        }
    }
    deps.secrets.put(&name, &secret_value(&current)).await?;
    settings.secret_fields = current.keys().cloned().collect();
    settings.secret_ref = Some(name);
    Ok(Some(previous))
}

/// Saves a patched record, putting the previous secret back if the save fails.
async fn save_or_restore_secret<T: sluice_domain::entities::Entity>(
    ctx: &Ctx<'_>,
    e: &mut T,
    version: Option<u64>,
    secret_ref: Option<&str>,
    previous: Option<Option<SecretValue>>,
) -> ServiceResult<()> {
    let result = save(ctx, e, version).await;
    if let (Err(_), Some(previous), Some(name)) = (&result, previous, secret_ref) {
        let restored = match previous {
            Some(v) => ctx.deps.secrets.put(name, &v).await,
            None => ctx.deps.secrets.delete(name).await,
        };
        if let Err(e) = restored {
            tracing::warn!(secret = %name, error = %e, "Could not restore a secret after a failed update.");
        }
    }
    result
}

async fn forget_secret(ctx: &Ctx<'_>, settings: &Settings) {
    if let Some(name) = &settings.secret_ref
        && let Err(e) = ctx.deps.secrets.delete(name).await
    {
        tracing::warn!(secret = %name, error = %e, "Could not delete the secret of a deleted record; it is orphaned.");
    }
}

// ---- sources ----

fn connector_fields(name: &str) -> ServiceResult<Vec<FieldSpec>> {
    connectors::connector(name)
        .map(|c| c.config)
        .ok_or_else(|| {
            ServiceError::Internal(format!("stored source uses unknown connector {name}"))
        })
}

pub async fn create_source(ctx: &Ctx<'_>, body: CreateSource) -> ServiceResult<SourceView> {
    let (title, validated) = body.validate()?;
    check_source_values(ctx, &body.connector, &validated.config)?;
    let meta = Meta::new(Kind::Source, ctx.project(), &ctx.principal.subject, ctx.now);
    let settings = store_new(ctx, &meta.id, validated).await?;
    let source = Source {
        meta,
        title,
        connector: body.connector,
        settings,
    };
    insert_or_forget_secret(ctx, &source, &source.settings).await?;
    Ok(SourceView::from(&source))
}

pub async fn list_sources(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<SourceView>> {
    Ok(map_list(list_page::<Source>(ctx, page).await?, |s| {
        SourceView::from(s)
    }))
}

pub async fn get_source(ctx: &Ctx<'_>, id: &IdOf<Source>) -> ServiceResult<SourceView> {
    Ok(SourceView::from(&load::<Source>(ctx, id).await?))
}

pub async fn update_source(
    ctx: &Ctx<'_>,
    id: &IdOf<Source>,
    body: UpdateSource,
) -> ServiceResult<SourceView> {
    let mut s: Source = load(ctx, id).await?;
    let spec = connector_fields(&s.connector)?;
    let connector = s.connector.clone();
    if let Some(patch) = &body.config {
        sluice_domain::entities::check_values(&connector, patch, false)?;
    }
    update_configured(
        ctx,
        &mut s,
        body.title,
        body.config,
        body.version,
        &spec,
        |merged| check_source_values(ctx, &connector, merged),
    )
    .await?;
    Ok(SourceView::from(&s))
}

/// Checks what a source's field types cannot: a `files` location must be the
/// project's landing area or a directory under an import root of this server
/// (checked again when each file is opened).
fn check_source_values(ctx: &Ctx<'_>, connector: &str, config: &ConfigMap) -> ServiceResult<()> {
    if connector != "files" {
        return Ok(());
    }
    let Some(location) = config.get("location").and_then(Value::as_str) else {
        return Ok(());
    };
    let refused = |e: PathRefused| ServiceError::invalid("config.location", e.0);
    if let Location::Local(dir) = parse_location(location).map_err(refused)? {
        ctx.deps.import_roots.resolve_dir(&dir).map_err(refused)?;
    }
    Ok(())
}

/// A record whose config is checked against a spec, with secrets kept apart.
trait Configured: Entity {
    fn parts(&mut self) -> (&mut String, &mut Settings);
    /// The config fields of its connector or destination kind.
    fn spec(&self) -> Vec<FieldSpec>;
}

impl Configured for Source {
    fn parts(&mut self) -> (&mut String, &mut Settings) {
        (&mut self.title, &mut self.settings)
    }
    fn spec(&self) -> Vec<FieldSpec> {
        connectors::connector(&self.connector).map_or(vec![], |c| c.config)
    }
}

impl Configured for Destination {
    fn parts(&mut self) -> (&mut String, &mut Settings) {
        (&mut self.title, &mut self.settings)
    }
    fn spec(&self) -> Vec<FieldSpec> {
        destination_fields(&self.kind).unwrap_or_default()
    }
}

/// Moves the config fields its spec marks secret out of a stored source's or
/// destination's plain config into Secrets (records written before the field was
/// marked: `http_json` headers, a webhook's URL). Returns whether it moved any.
/// The secret is stored before the record drops the plain value, so a crash
/// between the two leaves the value in both places and the next start finishes.
pub async fn migrate_plain_secrets(deps: &crate::Deps, record: &Record) -> ServiceResult<bool> {
    match record.kind {
        Kind::Source => migrate::<Source>(deps, record).await,
        Kind::Destination => migrate::<Destination>(deps, record).await,
        _ => Ok(false),
    }
}

async fn migrate<T: Configured>(deps: &crate::Deps, record: &Record) -> ServiceResult<bool> {
    let mut e: T = from_record(record)?;
    let spec = e.spec();
    let id = e.meta().id.clone();
    let project = e.meta().project_id.clone();
    let (_, settings) = e.parts();
    let plain = settings.plain_secrets(&spec);
    if plain.is_empty() {
        return Ok(false);
    }
    let mut config = settings.config.clone();
    for k in plain.keys() {
        config.remove(k);
    }
    apply_patch(deps, &project, &id, settings, (config, plain)).await?;
    e.meta_mut().version += 1;
    deps.store.replace(&to_record(&e)?).await?;
    Ok(true)
}

/// The PATCH of a source or destination: title, config fields (secrets to Secrets,
/// restored if the record write fails), optimistic `version`.
async fn update_configured<T: Configured>(
    ctx: &Ctx<'_>,
    e: &mut T,
    title: Option<String>,
    config: Option<ConfigMap>,
    version: Option<u64>,
    spec: &[FieldSpec],
    check: impl Fn(&ConfigMap) -> ServiceResult<()>,
) -> ServiceResult<()> {
    // Checked before any secret changes, not only at the final conditional write.
    check_version(e, version)?;
    let id = e.meta().id.clone();
    let (t, settings) = e.parts();
    if let Some(title) = &title {
        *t = validate_title("title", title)?;
    }
    let mut previous = None;
    // Values a spec now marks secret but the record still holds in plain config
    // (written by an earlier version) move to Secrets with any config change.
    let plain = settings.plain_secrets(spec);
    let config = match (config, plain.is_empty()) {
        (Some(patch), false) => {
            let mut moved = plain;
            for k in moved.keys() {
                settings.config.remove(k);
            }
            moved.extend(patch);
            Some(moved)
        }
        (config, _) => config,
    };
    if let Some(patch) = &config {
        let merged = merge_settings(spec, settings, patch)?;
        // The changed secret values are checked too (a webhook's URL).
        let mut given = merged.0.clone();
        given.extend(
            merged
                .1
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        check(&given)?;
        previous = apply_patch(ctx.deps, ctx.project(), &id, settings, merged).await?;
    }
    let secret_ref = settings.secret_ref.clone();
    save_or_restore_secret(ctx, e, version, secret_ref.as_deref(), previous).await
}

pub async fn delete_source(ctx: &Ctx<'_>, id: &IdOf<Source>) -> ServiceResult<()> {
    let mut s: Source = load(ctx, id).await?;
    soft_delete(ctx, &mut s).await?;
    forget_secret(ctx, &s.settings).await;
    Ok(())
}

// ---- destinations ----

pub async fn create_destination(
    ctx: &Ctx<'_>,
    body: CreateDestination,
) -> ServiceResult<DestinationView> {
    let (title, validated) = body.validate()?;
    let meta = Meta::new(
        Kind::Destination,
        ctx.project(),
        &ctx.principal.subject,
        ctx.now,
    );
    let settings = store_new(ctx, &meta.id, validated).await?;
    let d = Destination {
        meta,
        title,
        kind: body.kind,
        settings,
    };
    insert_or_forget_secret(ctx, &d, &d.settings).await?;
    Ok(DestinationView::from(&d))
}

pub async fn list_destinations(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<DestinationView>> {
    Ok(map_list(list_page::<Destination>(ctx, page).await?, |d| {
        DestinationView::from(d)
    }))
}

pub async fn get_destination(
    ctx: &Ctx<'_>,
    id: &IdOf<Destination>,
) -> ServiceResult<DestinationView> {
    Ok(DestinationView::from(&load::<Destination>(ctx, id).await?))
}

pub async fn update_destination(
    ctx: &Ctx<'_>,
    id: &IdOf<Destination>,
    body: UpdateDestination,
) -> ServiceResult<DestinationView> {
    let mut d: Destination = load(ctx, id).await?;
    let spec = destination_fields(&d.kind)?;
    let kind = d.kind.clone();
    update_configured(
        ctx,
        &mut d,
        body.title,
        body.config,
        body.version,
        &spec,
        |merged| check_destination_values(&kind, merged).map_err(Into::into),
    )
    .await?;
    Ok(DestinationView::from(&d))
}

pub async fn delete_destination(ctx: &Ctx<'_>, id: &IdOf<Destination>) -> ServiceResult<()> {
    let mut d: Destination = load(ctx, id).await?;
    soft_delete(ctx, &mut d).await?;
    forget_secret(ctx, &d.settings).await;
    if d.kind == super::report_data::DATA_ENDPOINT_KIND
        && let Err(e) = super::report_data::forget_keys(ctx.deps, ctx.project(), &d.meta.id).await
    {
        tracing::warn!(destination_id = %d.meta.id, error = %e, "Could not remove a deleted destination's data keys.");
    }
    Ok(())
}

/// `POST /v1/destinations/{id}/test`: whether a report could be delivered now.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct DestinationTest {
    /// Every check passed.
    pub ok: bool,
    /// `reachable`, `authorized`, `writable`, in order; a check after a
    /// failed one is not tried.
    pub checks: Vec<ConnectionCheck>,
}

/// `POST /v1/sources/{id}/test`: the source tried as a run reaches it, by the
/// engine (which links the connectors).
pub async fn test_source(
    ctx: &Ctx<'_>,
    engine: &dyn Previewer,
    id: &IdOf<Source>,
) -> ServiceResult<SourceTest> {
    let s: Source = load(ctx, id).await?;
    let test = engine.test_source(ctx.deps, &s).await?;
    tracing::info!(source_id = %s.meta.id, connector = %s.connector, ok = test.ok, "Source tested.");
    Ok(test)
}

/// What `GET /v1/sources/{id}/streams` answers.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SourceStreams {
    pub streams: Vec<DiscoveredStream>,
}

/// Longest stream name asked for.
const MAX_STREAM_NAME: usize = 1024;

/// `GET /v1/sources/{id}/streams`: what the source offers now, or the stream
/// `name` only.
pub async fn source_streams(
    ctx: &Ctx<'_>,
    engine: &dyn Previewer,
    id: &IdOf<Source>,
    name: Option<String>,
) -> ServiceResult<SourceStreams> {
    if let Some(n) = &name
        && (n.trim().is_empty() || n.len() > MAX_STREAM_NAME)
    {
        return Err(ServiceError::invalid(
            "name",
            format!("must be 1 to {MAX_STREAM_NAME} characters"),
        ));
    }
    let s: Source = load(ctx, id).await?;
    let streams = engine.streams(ctx.deps, &s, name.as_deref()).await?;
    Ok(SourceStreams { streams })
}

/// `POST /v1/sources/{id}/suggest-mapping`: the stream's fields, as discovery
/// finds them, matched into the target the body names (an existing data
/// mart's columns, given columns, or a new data mart's).
pub async fn suggest_mapping(
    ctx: &Ctx<'_>,
    engine: &dyn Previewer,
    id: &IdOf<Source>,
    body: SuggestMapping,
) -> ServiceResult<Suggestion> {
    body.validate()?;
    let target: Option<Vec<TargetColumn>> = match (&body.data_mart_id, body.columns) {
        (Some(raw), _) => {
            let mart_id = parse_ref_of::<DataMart>("data_mart_id", raw)?;
            let mart: DataMart = require_ref(ctx, "data_mart_id", mart_id.as_id()).await?;
            if mart.schema.is_empty() {
                return Err(ServiceError::invalid(
                    "data_mart_id",
                    "the data mart has no columns yet (a run lands them); give `columns` instead",
                ));
            }
            Some(
                mart.schema
                    .iter()
                    .map(|f| TargetColumn {
                        name: f.name.clone(),
                        cast: CastType::parse(&f.kind).unwrap_or(CastType::String),
                    })
                    .collect(),
            )
        }
        (None, columns) => columns,
    };
    let s: Source = load(ctx, id).await?;
    let streams = engine.streams(ctx.deps, &s, Some(&body.stream)).await?;
    let fields = fields_to_map("stream", &body.stream, streams.first())?;
    Ok(match target {
        None => suggest_new(&body.stream, fields),
        Some(t) => suggest_into(&body.stream, fields, &t),
    })
}

/// The fields of `name`, a stream discovery found (`found`), to suggest a
/// mapping from; a 422 naming `field` when it has none yet.
pub(crate) fn fields_to_map<'a>(
    field: &str,
    name: &str,
    found: Option<&'a DiscoveredStream>,
) -> ServiceResult<&'a [DiscoveredField]> {
    found
        .map(|d| d.fields.as_slice())
        .filter(|f| !f.is_empty())
        .ok_or_else(|| {
            ServiceError::invalid(field, format!("`{name}` has no rows or fields to read yet"))
        })
}

/// Tries a destination the way its delivery would reach it.
pub async fn test_destination(
    ctx: &Ctx<'_>,
    testing: &Testing,
    id: &IdOf<Destination>,
) -> ServiceResult<DestinationTest> {
    let d: Destination = load(ctx, id).await?;
    let config = with_secrets(ctx, &d.settings).await?;
    let checks = match d.kind.as_str() {
        "object_export" => test_export(ctx, testing.objects.as_ref(), &d, &config).await,
        "email" => match &ctx.deps.mailer {
            None => ConnectionCheck::untried(
                "reachable",
                "this deployment sends no mail: start sluice with --smtp-url and --mail-from (SLUICE_MAIL_FROM on AWS)",
            ),
            Some(mailer) => match mailer.check().await {
                Ok(()) => vec![
                    ConnectionCheck::passed("reachable", None),
                    ConnectionCheck::passed(
                        "authorized",
                        Some(format!("mail goes out as {}", mailer.from())),
                    ),
                    ConnectionCheck::passed(
                        "writable",
                        Some("recipients are not mailed by a test".into()),
                    ),
                ],
                Err(sluice_domain::ports::MailError::Refused(why)) => {
                    let mut c = vec![ConnectionCheck::passed("reachable", None)];
                    c.extend(ConnectionCheck::untried("authorized", &why));
                    c
                }
                Err(e) => ConnectionCheck::untried("reachable", &e.to_string()),
            },
        },
        super::report_data::DATA_ENDPOINT_KIND => {
            let issued = super::report_data::has_key(ctx.deps, ctx.project(), &d.meta.id).await?;
            vec![
                ConnectionCheck::passed(
                    "reachable",
                    Some("reports are read at GET /v1/reports/{id}/data".into()),
                ),
                if issued {
                    ConnectionCheck::passed("authorized", Some("a data key is issued".into()))
                } else {
                    ConnectionCheck::failed(
                        "authorized",
                        "no data key yet: POST /v1/destinations/{id}/rotate-key issues one",
                    )
                },
                ConnectionCheck::passed("writable", None),
            ]
        }
        kind => testing
            .tester
            .test(kind, &config, &d.meta.id, ctx.now)
            .await
            .ok_or_else(|| {
                ServiceError::Internal(format!(
                    "no connection test for destinations of kind `{kind}`"
                ))
            })?,
    };
    tracing::info!(destination_id = %d.meta.id, kind = %d.kind, ok = checks.iter().all(|c| c.ok), "Destination tested.");
    Ok(DestinationTest {
        ok: checks.iter().all(|c| c.ok),
        checks,
    })
}

/// The config with its secret fields filled in (only for the test; never
/// returned).
async fn with_secrets(ctx: &Ctx<'_>, settings: &Settings) -> ServiceResult<Map<String, Value>> {
    let mut config = settings.config.clone();
    if let Some(name) = &settings.secret_ref {
        let secret = ctx.deps.secrets.get(name).await?.ok_or_else(|| {
            ServiceError::Conflict(
                "the destination's secret fields are missing; set them again".into(),
            )
        })?;
        let fields: Map<String, Value> = serde_json::from_str(secret.expose()).map_err(|_| {
            ServiceError::Internal("the destination's secret fields do not parse".into())
        })?;
        config.extend(fields);
    }
    Ok(config)
}

/// An export's folder takes a file: one written and removed again.
async fn test_export(
    ctx: &Ctx<'_>,
    objects: &dyn ObjectStore,
    d: &Destination,
    config: &Map<String, Value>,
) -> Vec<ConnectionCheck> {
    let folder = config.get("folder").and_then(Value::as_str).unwrap_or("");
    let folder = match sluice_domain::entities::export_folder(folder) {
        Ok(f) => f,
        Err(e) => return ConnectionCheck::untried("reachable", &e.to_string()),
    };
    let key = format!(
        "{}{folder}sluice-connection-test-{}",
        sluice_domain::pipeline::objects::exports_of(ctx.project()),
        d.meta.id.as_str().to_ascii_lowercase()
    );
    let written = match objects
        .put(&key, b"sluice connection test\n".to_vec())
        .await
    {
        Ok(()) => objects.delete(&key).await,
        Err(e) => Err(e),
    };
    match written {
        Ok(()) => vec![
            ConnectionCheck::passed("reachable", None),
            ConnectionCheck::passed("authorized", None),
            ConnectionCheck::passed(
                "writable",
                Some(format!("a file was written to and removed from `{folder}`")),
            ),
        ],
        Err(e) => {
            tracing::warn!(error = %e, "The export test could not write.");
            vec![
                ConnectionCheck::passed("reachable", None),
                ConnectionCheck::passed("authorized", None),
                ConnectionCheck::failed(
                    "writable",
                    "the export folder took no file; see the server's log",
                ),
            ]
        }
    }
}
