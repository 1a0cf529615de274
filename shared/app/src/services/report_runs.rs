//! Report runs: start one now, list a report's, read, cancel and retry one. The
//! delivery itself is done by the delivery function of the destination's kind,
//! fed by that kind's queue (`sluice_runs::deliver`).

use std::sync::Arc;

use sluice_domain::connectors::{deliveries, delivery};
use sluice_domain::entities::{DataMart, Destination, Meta, Report, ReportRun};
use sluice_domain::output::ParameterValues;
use sluice_domain::pipeline::Message;
use sluice_domain::ports::{ObjectStore, Queue, QueueError};
use sluice_domain::{Id, IdOf, Kind};

use super::{Ctx, List, Page, list_page, load, load_any};
use crate::Deps;
use crate::error::{ServiceError, ServiceResult};
use crate::records;

/// `POST /v1/reports/{id}/runs`
#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartReportRun {
    /// Values of the report's parameters (its `output.parameters`); defaults
    /// fill the rest.
    #[serde(default)]
    pub parameters: ParameterValues,
}

/// `POST /v1/reports/{id}/runs`: queues a delivery of the report now.
pub async fn start(
    ctx: &Ctx<'_>,
    queue: &Arc<dyn Queue>,
    report_id: &IdOf<Report>,
    body: Option<StartReportRun>,
) -> ServiceResult<ReportRun> {
    let report = load::<Report>(ctx, report_id).await?;
    let parameters = body.unwrap_or_default().parameters;
    match &report.output {
        Some(o) => {
            o.parameter_values(&parameters)?;
        }
        None if !parameters.is_empty() => {
            return Err(ServiceError::invalid(
                "parameters",
                "the report declares no parameters (they are declared in its `output`)",
            ));
        }
        None => {}
    }
    let run_id = Id::generate(Kind::ReportRun, ctx.now.timestamp_millis().max(0) as u64);
    let spec = ReportLaunch {
        run_id,
        created_by: ctx.principal.subject.clone(),
        trigger_id: None,
        parameters,
    };
    match launch(
        ctx.deps,
        queue,
        ctx.project(),
        report_id.as_id(),
        spec,
        ctx.now,
    )
    .await?
    {
        Launched::Started(run) => Ok(*run),
        Launched::Exists(id) => Err(ServiceError::Conflict(format!(
            "report run {id} exists already"
        ))),
    }
}

/// What starts a report run: the API, or a trigger's fire.
pub struct ReportLaunch {
    /// Derived from the fire for a trigger's runs, so a second start of the
    /// same fire finds the first.
    pub run_id: Id,
    pub created_by: String,
    pub trigger_id: Option<Id>,
    /// Values given to the report's parameters (a trigger gives none: the
    /// defaults).
    pub parameters: ParameterValues,
}

#[derive(Debug)]
pub enum Launched {
    Started(Box<ReportRun>),
    /// A run with this id was started before (by another tick).
    Exists(Id),
}

/// Writes a report run of `report_id` and queues it to its destination kind's
/// delivery. A conflict says why the report cannot deliver (its destination or
/// data mart deleted, a kind that does not deliver).
pub async fn launch(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    project: &Id,
    report_id: &Id,
    spec: ReportLaunch,
    now: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<Launched> {
    let store = deps.store.as_ref();
    let report = records::get::<Report>(store, project, report_id)
        .await?
        .filter(|r| r.meta.deleted_at.is_none())
        .ok_or_else(|| ServiceError::Conflict(format!("report {report_id} is deleted")))?;
    let destination = records::get::<Destination>(store, project, &report.destination_id)
        .await?
        .filter(|d| d.meta.deleted_at.is_none())
        .ok_or_else(|| {
            ServiceError::Conflict(format!(
                "destination {} of this report was deleted; point the report at another",
                report.destination_id
            ))
        })?;
    records::get::<DataMart>(store, project, &report.data_mart_id)
        .await?
        .filter(|m| m.meta.deleted_at.is_none())
        .ok_or_else(|| {
            ServiceError::Conflict(format!(
                "data mart {} of this report was deleted",
                report.data_mart_id
            ))
        })?;
    if destination.kind == super::report_data::DATA_ENDPOINT_KIND {
        return Err(ServiceError::Conflict(format!(
            "reports into a `{}` destination are pulled, not delivered: read them at GET /v1/reports/{report_id}/data with the destination's key",
            destination.kind
        )));
    }
    let Some(kind) = delivery(&destination.kind) else {
        return Err(ServiceError::Conflict(format!(
            "destinations of kind `{}` do not deliver in this version; use a destination of kind {}",
            destination.kind,
            deliveries()
                .iter()
                .map(|d| format!("`{}`", d.kind))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let mut meta = Meta::new(Kind::ReportRun, project, &spec.created_by, now);
    meta.id = spec.run_id;
    let mut run = ReportRun::queued(meta, &report, &destination);
    run.trigger_id = spec.trigger_id;
    run.parameters = spec.parameters;
    if !records::insert_once(store, &run).await? {
        return Ok(Launched::Exists(run.meta.id));
    }
    enqueue(deps, queue, &run, &kind.queue(), now).await?;
    Ok(Launched::Started(Box::new(run)))
}

/// Sends the run's delivery message; when the send fails, the run ends failed
/// (nothing would ever move it) and the caller hears why.
async fn enqueue(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    run: &ReportRun,
    queue_name: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<()> {
    let message = Message::Deliver {
        project: run.meta.project_id.clone(),
        report_run: run.meta.id.clone(),
    };
    let Err(e) = queue
        .send(queue_name, &message.to_json(), std::time::Duration::ZERO)
        .await
    else {
        return Ok(());
    };
    let (reason, err) = match e {
        QueueError::NoSuchQueue(_) => {
            let reason = format!(
                "destinations of kind `{}` have no delivery in this deployment",
                run.destination_kind
            );
            (reason.clone(), ServiceError::Conflict(reason))
        }
        other => (
            "the report run could not be queued; start it again".to_string(),
            ServiceError::from(other),
        ),
    };
    records::update::<ReportRun>(
        deps.store.as_ref(),
        &run.meta.project_id,
        &run.meta.id,
        now,
        |r| r.fail(now, reason.clone()).is_ok(),
    )
    .await?;
    Err(err)
}

/// `GET /v1/reports/{id}/runs`: the report's runs, newest first.
pub async fn list_of_report(
    ctx: &Ctx<'_>,
    report_id: &IdOf<Report>,
    page: Page,
) -> ServiceResult<List<ReportRun>> {
    let report = load_any::<Report>(ctx, report_id).await?;
    let page = Page {
        parent: Some(report.meta.id),
        ..page
    };
    list_page::<ReportRun>(ctx, &page).await
}

pub async fn get(ctx: &Ctx<'_>, id: &IdOf<ReportRun>) -> ServiceResult<ReportRun> {
    load::<ReportRun>(ctx, id).await
}

/// Applies one transition to the stored run; a 409 saying why when its status
/// refuses it.
async fn transition(
    ctx: &Ctx<'_>,
    id: &IdOf<ReportRun>,
    apply: impl Fn(&mut ReportRun) -> Result<(), sluice_domain::DomainError>,
) -> ServiceResult<ReportRun> {
    load::<ReportRun>(ctx, id).await?;
    super::runs::transition_of(ctx.deps, ctx.project(), id.as_id(), ctx.now, apply).await
}

/// `POST /v1/report-runs/{id}/cancel`: a queued run never delivers; a running
/// one is not recorded as delivered.
pub async fn cancel(ctx: &Ctx<'_>, id: &IdOf<ReportRun>) -> ServiceResult<ReportRun> {
    let now = ctx.now;
    transition(ctx, id, |r| r.cancel(now)).await
}

/// `POST /v1/report-runs/{id}/retry`: a failed or cancelled run is queued again
/// as its next attempt.
pub async fn retry(
    ctx: &Ctx<'_>,
    queue: &Arc<dyn Queue>,
    id: &IdOf<ReportRun>,
) -> ServiceResult<ReportRun> {
    let now = ctx.now;
    let run = transition(ctx, id, |r| r.retry(now)).await?;
    let queue_name = delivery(&run.destination_kind)
        .map(|d| d.queue())
        .ok_or_else(|| {
            ServiceError::Conflict(format!(
                "destinations of kind `{}` do not deliver in this version",
                run.destination_kind
            ))
        })?;
    enqueue(ctx.deps, queue, &run, &queue_name, now).await?;
    Ok(run)
}

/// Announces a report run's end on the run-event bus (its notifications
/// follow); a bus outage never fails the run.
pub async fn announce(deps: &Deps, kind: sluice_domain::ports::RunEventKind, run: &ReportRun) {
    if let Some(bus) = &deps.bus {
        let event = sluice_domain::ports::RunEvent {
            kind,
            project_id: run.meta.project_id.clone(),
            run_id: run.meta.id.clone(),
            data_mart_id: run.data_mart_id.as_id().clone(),
            at: deps.clock.now(),
        };
        if let Err(e) = bus.publish(&event).await {
            tracing::warn!(report_run_id = %run.meta.id, error = %e, "Report run event not published.");
        }
    }
}

/// How long a download link stays valid.
pub const DOWNLOAD_LINK_SECONDS: u64 = 900;
/// Bytes read from the store per piece of a streamed download.
const DOWNLOAD_PIECE: u64 = 1 << 20;

/// How a delivered export is fetched.
pub enum Download {
    /// A URL the file can be fetched from for [`DOWNLOAD_LINK_SECONDS`] (S3's
    /// presigned URL): the caller is redirected there.
    Redirect(String),
    /// The file itself, a piece at a time (the local object store).
    File {
        file_name: String,
        content_type: &'static str,
        size: u64,
        body: super::report_data::ByteStream,
    },
}

/// The content type of an export file, by its name.
fn content_type_of(name: &str) -> &'static str {
    if name.ends_with(".gz") {
        return "application/gzip";
    }
    match name.rsplit('.').next() {
        Some("csv") => "text/csv",
        Some("ndjson") => "application/x-ndjson",
        Some("json") => "application/json",
        Some("parquet") => "application/vnd.apache.parquet",
        _ => "application/octet-stream",
    }
}

/// `GET /v1/report-runs/{id}/download`: the file an `object_export` run
/// delivered, while it is the one the run wrote (a later run of the report
/// writing the same name replaces it).
pub async fn download(
    ctx: &Ctx<'_>,
    objects: &Arc<dyn ObjectStore>,
    id: &IdOf<ReportRun>,
) -> ServiceResult<Download> {
    use sluice_domain::entities::ReportRunStatus;
    let run = load::<ReportRun>(ctx, id).await?;
    if run.destination_kind != "object_export" {
        return Err(ServiceError::Conflict(format!(
            "only runs into `object_export` destinations write a file; report run {id} delivered to `{}`",
            run.destination_kind
        )));
    }
    let delivered = match (&run.delivered, run.status()) {
        (Some(d), ReportRunStatus::Succeeded) => d,
        (_, status) => {
            return Err(ServiceError::Conflict(format!(
                "report run {id} has no file: it is {}",
                serde_json::to_value(status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            )));
        }
    };
    // The target is the run's own record, written by the delivery; the key is
    // checked again before it is used.
    let key = format!(
        "{}{}",
        sluice_domain::pipeline::objects::exports_of(ctx.project()),
        delivered.target
    );
    sluice_domain::ports::check_object_key(&key)
        .map_err(|e| ServiceError::Internal(format!("the run's file is not a key: {e}")))?;
    let objects = Arc::clone(objects);
    let found = objects.list(&key).await?.into_iter().find(|o| o.key == key);
    let size = match found {
        Some(o) if o.size == run.bytes => o.size,
        Some(_) => {
            return Err(ServiceError::Conflict(format!(
                "the file of report run {id} was replaced by a later delivery to `{}`",
                delivered.target
            )));
        }
        None => {
            return Err(ServiceError::Conflict(format!(
                "the file of report run {id} is gone from `{}`",
                delivered.target
            )));
        }
    };
    let expires = std::time::Duration::from_secs(DOWNLOAD_LINK_SECONDS);
    if let Some(url) = objects.download_url(&key, expires).await? {
        return Ok(Download::Redirect(url));
    }
    let file_name = delivered
        .target
        .rsplit('/')
        .next()
        .unwrap_or(&delivered.target)
        .to_string();
    let pieces = futures_util::stream::unfold(0u64, move |at| {
        let (objects, key) = (objects.clone(), key.clone());
        async move {
            if at >= size {
                return None;
            }
            match objects.get_range(&key, at, DOWNLOAD_PIECE).await {
                Ok(Some(bytes)) if !bytes.is_empty() => {
                    let next = at + bytes.len() as u64;
                    Some((Ok(bytes::Bytes::from(bytes)), next))
                }
                Ok(_) => Some((Err(std::io::Error::other("the file ended early")), size)),
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), size)),
            }
        }
    });
    Ok(Download::File {
        content_type: content_type_of(&file_name),
        file_name,
        size,
        body: Box::pin(pieces),
    })
}
