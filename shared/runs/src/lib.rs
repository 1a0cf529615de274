//! The run machinery (ARCHITECTURE.md §4): the three stage handlers a queue
//! message drives — extract one step, transform one chunk, finalize (commit) a
//! run — plus previews, and the local workers that poll the queues in `sluice`.
//!
//! Every handler is idempotent. Step and chunk ids are derived from the run and
//! their position; objects are written under keys made of those ids; state changes
//! are compare-and-swap writes that check where the record stands first. A message
//! delivered twice, or a process killed between any two writes, costs time, never
//! a lost or duplicated row.

mod credentials;
mod deliver;
mod extract;
mod finalize;
mod leases;
mod materialize;
mod preview;
mod transform;
pub mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};
use sluice_app::records;
use sluice_app::{Deps, Part};
use sluice_domain::Id;
use sluice_domain::entities::{
    ConnectorDefinition, DataMart, Definition, MAX_ERROR_LOG, RowError, Run, RunCounters,
    RunStatus, Source,
};
use sluice_domain::pipeline::Message;
use sluice_domain::ports::{ObjectStore, Queue, QueueMessage, RunEventKind, StoreError};
use sluice_engine::transform::CompiledMapping;

pub use preview::EnginePreviewer;

type Handled<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Fault>> + Send + 'a>>;

/// A stage a queue feeds. Static dispatch: whatever a stage does not call is not
/// linked into a function that serves only that stage.
pub trait Stage: Send + Sync + 'static {
    /// The parts beyond the queues and object store every stage has: a
    /// function serving the stage checks them when it starts.
    const NEEDS: &'static [Part];
    #[doc(hidden)]
    fn dispatch<'a>(m: &'a Machine, message: &'a Message, last_try: bool) -> Handled<'a>;
}

/// Extraction (the `extract-*` queues).
pub struct Extract;
/// Transform (the transform queue): links the mapping engine.
pub struct Transform;
/// Load and finalize (the finalize queue).
pub struct Finalize;
/// Report delivery (the `deliver-*` queues): links the destination writers.
pub struct Deliver;
/// Runs of data marts no connector feeds (the materialize queue): links the
/// warehouse's write path.
pub struct Materialize;
/// Every stage: the local workers, which poll every queue.
pub struct AnyStage;

fn misrouted<'a>(message: &Message, stage: &str) -> Handled<'a> {
    let reason = format!(
        "a {} message reached the {stage} queue; stage queues carry their own messages only",
        match message {
            Message::Extract { .. } => "extract",
            Message::Transform { .. } => "transform",
            Message::Finalize { .. } => "finalize",
            Message::Materialize { .. } => "materialize",
            Message::Deliver { .. } => "deliver",
        }
    );
    Box::pin(async move { Err(Fault::Permanent(reason)) })
}

impl Stage for Extract {
    const NEEDS: &'static [Part] = &[];
    fn dispatch<'a>(m: &'a Machine, message: &'a Message, _: bool) -> Handled<'a> {
        match message {
            Message::Extract { .. } => Box::pin(extract::handle(m, message)),
            other => misrouted(other, "extract"),
        }
    }
}

impl Stage for Transform {
    const NEEDS: &'static [Part] = &[];
    fn dispatch<'a>(m: &'a Machine, message: &'a Message, last_try: bool) -> Handled<'a> {
        match message {
            Message::Transform {
                project,
                run,
                chunk,
            } => Box::pin(transform::handle(m, project, run, chunk, last_try)),
            other => misrouted(other, "transform"),
        }
    }
}

impl Stage for Finalize {
    const NEEDS: &'static [Part] = &[Part::Warehouse];
    fn dispatch<'a>(m: &'a Machine, message: &'a Message, _: bool) -> Handled<'a> {
        match message {
            Message::Finalize { project, run } => Box::pin(finalize::handle(m, project, run)),
            other => misrouted(other, "finalize"),
        }
    }
}

impl Stage for Deliver {
    const NEEDS: &'static [Part] = &[Part::Warehouse];
    fn dispatch<'a>(m: &'a Machine, message: &'a Message, _: bool) -> Handled<'a> {
        match message {
            Message::Deliver {
                project,
                report_run,
            } => Box::pin(deliver::handle(m, project, report_run)),
            other => misrouted(other, "deliver"),
        }
    }
}

impl Stage for Materialize {
    const NEEDS: &'static [Part] = &[Part::Warehouse];
    fn dispatch<'a>(m: &'a Machine, message: &'a Message, _: bool) -> Handled<'a> {
        match message {
            Message::Materialize { project, run } => Box::pin(materialize::handle(m, project, run)),
            other => misrouted(other, "materialize"),
        }
    }
}

impl Stage for AnyStage {
    const NEEDS: &'static [Part] = &[Part::Warehouse];
    fn dispatch<'a>(m: &'a Machine, message: &'a Message, last_try: bool) -> Handled<'a> {
        match message {
            Message::Extract { .. } => Extract::dispatch(m, message, last_try),
            Message::Transform { .. } => Transform::dispatch(m, message, last_try),
            Message::Finalize { .. } => Finalize::dispatch(m, message, last_try),
            Message::Materialize { .. } => Materialize::dispatch(m, message, last_try),
            Message::Deliver { .. } => Deliver::dispatch(m, message, last_try),
        }
    }
}

/// What became of a message.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Handled (or nothing left to do): delete the message.
    Done,
    /// A failure that may pass: leave the message for redelivery. On its last
    /// receive the handler has already recorded the failure on the run.
    Retry(String),
    /// Not now (the run's chunk leases are all taken): put the message back to
    /// come again after this long, without counting a receive ([`Machine::put_back`]).
    Later(Duration),
}

/// A failure inside a handler.
#[derive(Debug)]
pub enum Fault {
    /// May pass on a later try (an outage, a throttled API, a missing object).
    Transient(String),
    /// Will not pass by retrying (bad config, bad data under fail-fast).
    Permanent(String),
    /// Nothing went wrong, but the work must wait this long (no lease free).
    Later(Duration),
}

impl From<StoreError> for Fault {
    fn from(e: StoreError) -> Self {
        Fault::Transient(format!("metadata store: {e}"))
    }
}
impl From<sluice_domain::ports::ObjectError> for Fault {
    fn from(e: sluice_domain::ports::ObjectError) -> Self {
        Fault::Transient(format!("object store: {e}"))
    }
}
impl From<sluice_domain::ports::QueueError> for Fault {
    fn from(e: sluice_domain::ports::QueueError) -> Self {
        Fault::Transient(format!("queue: {e}"))
    }
}

/// A use case's failure inside a stage: what the caller could fix (a conflict,
/// bad input) will not pass by retrying; an outage may.
impl From<sluice_app::error::ServiceError> for Fault {
    fn from(e: sluice_app::error::ServiceError) -> Self {
        use sluice_app::error::ServiceError as E;
        match e {
            E::Internal(_) | E::Unavailable(_) | E::QueryLimit(_) => {
                Fault::Transient(e.to_string())
            }
            other => Fault::Permanent(other.to_string()),
        }
    }
}

/// How big an extraction step may grow before it hands over to the next one.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub step_chunks: usize,
    pub step_time: Duration,
    /// How long the finalize waits before looking at the chunks again.
    pub finalize_poll: Duration,
    pub max_receives: u32,
    /// The largest table file the commit joins a run's chunks into (Athena reads
    /// files of tens of megabytes far faster than many small ones).
    pub part_bytes: usize,
    /// The smallest staged chunk the commit lands as a table file of its own,
    /// copied by the store (no byte read or written by the function) rather
    /// than joined. A chunk of 100,000 rows of ten columns is about a megabyte:
    /// a file the warehouse reads well (the join copies row groups as they are,
    /// so it saves only opening files); a chunk of the default 5,000 rows is
    /// joined.
    pub link_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            step_chunks: 8,
            step_time: Duration::from_secs(60),
            finalize_poll: Duration::from_millis(500),
            max_receives: sluice_domain::pipeline::MAX_RECEIVES,
            part_bytes: 64 << 20,
            link_bytes: 512 << 10,
        }
    }
}

/// Makes the extractor of a connector by its name, where requests go only
/// where the egress policy allows: every connector of the build
/// ([`sluice_connectors::extractor`]), or an extraction function's own
/// (one of [`extractors`]), so its binary links that connector alone.
pub type MakeExtractor =
    fn(&str, &sluice_domain::net::Egress) -> Option<Box<dyn sluice_connectors::Extractor>>;

pub use deliver::{MakeWriter, Writer, writers};
pub use sluice_connectors::extractors;

/// The connectors' extractors and the destinations' writers a machine runs:
/// all of the build's ([`Links::ALL`], `sluice serve`), or a stage function's
/// own, so its binary links only those.
#[derive(Clone, Copy)]
pub struct Links {
    pub extractors: MakeExtractor,
    pub writers: MakeWriter,
}

impl Links {
    /// Every connector and destination kind of the build.
    pub const ALL: Links = Links {
        extractors: sluice_connectors::extractor,
        writers: writers::all,
    };

    /// None: a stage that neither extracts nor delivers.
    pub const NONE: Links = Links {
        extractors: |_, _| None,
        writers: writers::none,
    };

    /// An extraction function's: `extractors` only.
    pub fn extracting(extractors: MakeExtractor) -> Links {
        Links {
            extractors,
            ..Links::NONE
        }
    }

    /// A delivery function's: `writers` only.
    pub fn delivering(writers: MakeWriter) -> Links {
        Links {
            writers,
            ..Links::NONE
        }
    }
}

/// The stage handlers over one set of ports.
pub struct Machine {
    pub deps: Deps,
    pub limits: Limits,
    /// The extractors its extraction steps run.
    extractors: MakeExtractor,
    /// The writers its deliveries run.
    writers: MakeWriter,
    /// The stage queues and the object store, which every stage uses: taken out
    /// of `deps` when the machine is built, so a machine without them cannot exist.
    queue: Arc<dyn Queue>,
    objects: Arc<dyn ObjectStore>,
    mappings: Mutex<HashMap<(Id, u32), Arc<CompiledMapping>>>,
    /// Per run, the transforms it may have in flight in this process (the data
    /// mart's `parallelism`).
    slots: Mutex<HashMap<Id, Arc<tokio::sync::Semaphore>>>,
    /// When this process last wrote each run's heartbeat.
    beats: Mutex<HashMap<Id, std::time::Instant>>,
}

impl Machine {
    /// `deps` must carry a queue and an object store. It runs every connector
    /// and destination kind of the build.
    pub fn new(deps: Deps, limits: Limits) -> Result<Machine, sluice_app::MissingPart> {
        Machine::linking(deps, limits, Links::ALL)
    }

    /// [`Machine::new`], running `links` only.
    pub fn linking(
        deps: Deps,
        limits: Limits,
        links: Links,
    ) -> Result<Machine, sluice_app::MissingPart> {
        use sluice_app::routes::Part;
        let queue = deps
            .queue
            .clone()
            .ok_or(sluice_app::MissingPart(Part::Queue))?;
        let objects = deps
            .objects
            .clone()
            .ok_or(sluice_app::MissingPart(Part::Objects))?;
        Ok(Machine {
            deps,
            limits,
            extractors: links.extractors,
            writers: links.writers,
            queue,
            objects,
            mappings: Mutex::new(HashMap::new()),
            slots: Mutex::new(HashMap::new()),
            beats: Mutex::new(HashMap::new()),
        })
    }

    pub fn queue(&self) -> &Arc<dyn Queue> {
        &self.queue
    }
    /// What reading data marts calls: there wherever a stage that reads them
    /// runs, as the stage's function checks when it starts ([`Stage::NEEDS`]).
    pub(crate) fn querying(&self) -> Result<sluice_app::Querying, Fault> {
        let warehouse = self.deps.warehouse.clone().ok_or_else(|| {
            Fault::Permanent(
                "no warehouse is configured here (a stage without Stage::NEEDS)".into(),
            )
        })?;
        Ok(sluice_app::Querying {
            objects: self.objects.clone(),
            warehouse,
        })
    }
    pub(crate) fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.objects
    }
    /// The semaphore that holds run `run` to `parallelism` transforms at once here.
    pub(crate) fn slots(&self, run: &Id, parallelism: u32) -> Arc<tokio::sync::Semaphore> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if slots.len() > 1_000 {
            // Finished runs' semaphores: nobody waits on one that is free.
            slots.retain(|_, s| Arc::strong_count(s) > 1);
        }
        slots
            .entry(run.clone())
            .or_insert_with(|| {
                Arc::new(tokio::sync::Semaphore::new(
                    parallelism.clamp(1, 16) as usize
                ))
            })
            .clone()
    }

    /// Puts a message that must wait ([`Outcome::Later`]) back on `queue` as a
    /// new message, visible after `wait`: `true`, and the caller deletes the
    /// delivered one. A new message starts its receive count again, where
    /// leaving the old one hidden would count each wait towards the dead-letter
    /// queue; only when the send fails is the delivered one hidden for `wait`
    /// instead (`false`: keep it).
    pub async fn put_back(&self, queue: &str, msg: &QueueMessage, wait: Duration) -> bool {
        match self.queue().send(queue, &msg.body, wait).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(queue = %queue, message_id = %msg.id, error = %e, "Could not put a waiting message back; it comes again.");
                let _ = self.queue().set_visibility(queue, &msg.receipt, wait).await;
                false
            }
        }
    }

    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.deps.clock.now()
    }

    /// Handles one message of any stage queue (the local workers).
    pub async fn handle(&self, msg: &QueueMessage) -> Outcome {
        self.handle_in::<AnyStage>(msg).await
    }

    /// Handles one message of stage `S`'s queue. A stage function calls it with
    /// its own stage only, so its binary links that stage's code alone: the
    /// extraction functions carry no transform engine.
    pub async fn handle_in<S: Stage>(&self, msg: &QueueMessage) -> Outcome {
        let message: Message = match serde_json::from_str(&msg.body) {
            Ok(m) => m,
            Err(e) => {
                // Not ours or corrupt: nothing can ever handle it.
                tracing::error!(message_id = %msg.id, error = %e, "Unreadable message dropped.");
                return Outcome::Done;
            }
        };
        // Every line logged while the message is handled carries these.
        let span = tracing::info_span!(
            "message",
            message_id = %msg.id,
            project = %message.project(),
            run_id = %message.run(),
            receive = msg.receive_count,
        );
        tracing::Instrument::instrument(self.handle_message::<S>(msg, message), span).await
    }

    async fn handle_message<S: Stage>(&self, msg: &QueueMessage, message: Message) -> Outcome {
        let last_try = msg.receive_count >= self.limits.max_receives;
        if !matches!(message, Message::Deliver { .. }) {
            self.heartbeat(message.project(), message.run()).await;
        }
        let result = S::dispatch(self, &message, last_try).await;
        match result {
            Ok(()) => Outcome::Done,
            Err(Fault::Later(wait)) => Outcome::Later(wait),
            Err(Fault::Permanent(reason)) => {
                self.fail_message(&message, &reason).await;
                Outcome::Done
            }
            Err(Fault::Transient(reason)) => {
                tracing::warn!(run_id = %message.run(), receive = msg.receive_count, reason = %reason, "Stage failed; it will be retried.");
                if last_try {
                    let reason = format!(
                        "{reason} (gave up after {} tries; the message is in the dead-letter queue)",
                        msg.receive_count
                    );
                    self.fail_message(&message, &reason).await;
                }
                Outcome::Retry(reason)
            }
        }
    }

    /// Refreshes a live run's heartbeat when it is older than
    /// `HEARTBEAT_EVERY_SECONDS` (checked in memory first, so most messages cost
    /// nothing): a run whose heartbeat stops is found stuck by the scheduler.
    async fn heartbeat(&self, project: &Id, run: &Id) {
        let every =
            std::time::Duration::from_secs(sluice_domain::entities::HEARTBEAT_EVERY_SECONDS as u64);
        {
            let mut beats = self.beats.lock().unwrap_or_else(|p| p.into_inner());
            if beats.len() > 10_000 {
                beats.clear();
            }
            match beats.get(run) {
                Some(at) if at.elapsed() < every => return,
                _ => {
                    beats.insert(run.clone(), std::time::Instant::now());
                }
            }
        }
        let now = self.now();
        let fresh = chrono::Duration::seconds(sluice_domain::entities::HEARTBEAT_EVERY_SECONDS);
        let res = records::update::<Run>(self.deps.store.as_ref(), project, run, now, |r| {
            if !r.is_live() || r.heartbeat_at.is_some_and(|h| now - h < fresh) {
                return false;
            }
            r.heartbeat_at = Some(now);
            r.stalls = 0;
            true
        })
        .await;
        if let Err(e) = res {
            tracing::warn!(run_id = %run, error = %e, "Heartbeat not written.");
        }
    }

    /// Marks the run `message` moves failed with `reason`: a data mart run, or a
    /// report run.
    async fn fail_message(&self, message: &Message, reason: &str) {
        match message {
            Message::Deliver {
                project,
                report_run,
            } => deliver::fail(self, project, report_run, reason).await,
            other => {
                self.fail_run(other.project(), other.run(), reason, None)
                    .await
            }
        }
    }

    /// Marks a run failed with `reason` (once; a final run stays as it is).
    pub(crate) async fn fail_run(
        &self,
        project: &Id,
        run: &Id,
        reason: &str,
        log: Option<Vec<RowError>>,
    ) {
        self.fail_run_counted(project, run, reason, log, None).await
    }

    /// As [`Machine::fail_run`], recording the counters the run reached (rows
    /// read, failed, skipped; nothing was written).
    pub(crate) async fn fail_run_counted(
        &self,
        project: &Id,
        run: &Id,
        reason: &str,
        log: Option<Vec<RowError>>,
        counters: Option<RunCounters>,
    ) {
        let now = self.now();
        let res = records::update::<Run>(self.deps.store.as_ref(), project, run, now, |r| {
            if r.fail(reason, now).is_err() {
                return false;
            }
            // A trigger's retry policy may give it another attempt: not final yet.
            r.schedule_retry(now);
            if let Some(log) = &log {
                r.error_log = log.iter().take(MAX_ERROR_LOG).cloned().collect();
            }
            if let Some(c) = counters {
                r.counters = RunCounters {
                    rows_written: 0,
                    ..c
                };
            }
            true
        })
        .await;
        match res {
            Ok(Some(r))
                if r.status() == RunStatus::Failed && r.error.as_deref() == Some(reason) =>
            {
                match r.next_retry_at {
                    Some(at) => {
                        tracing::warn!(run_id = %run, reason = %reason, attempt = r.attempt, retry_at = %at, "Run attempt failed; it will be retried.");
                    }
                    None => {
                        tracing::warn!(run_id = %run, reason = %reason, "Run failed.");
                        sluice_app::services::runs::publish(
                            &self.deps,
                            RunEventKind::RunFailed,
                            &r,
                        )
                        .await;
                    }
                }
            }
            Ok(_) => {}
            Err(e) => tracing::error!(run_id = %run, error = %e, "Could not mark the run failed."),
        }
    }

    /// The run, its data mart's connector definition and its source.
    pub(crate) async fn context(
        &self,
        project: &Id,
        run: &Id,
    ) -> Result<Option<RunContext>, Fault> {
        let store = self.deps.store.as_ref();
        let Some(run) = records::get::<Run>(store, project, run).await? else {
            return Ok(None);
        };
        let mart = records::get::<DataMart>(store, project, &run.data_mart_id)
            .await?
            .ok_or_else(|| {
                Fault::Permanent(format!("data mart {} was deleted", run.data_mart_id))
            })?;
        let Some(Definition::Connector(def)) = mart.definition.clone() else {
            return Err(Fault::Permanent(format!(
                "data mart {} no longer has a connector definition",
                mart.meta.id
            )));
        };
        let source = records::get::<Source>(store, project, &def.source_id)
            .await?
            .filter(|s| s.meta.deleted_at.is_none())
            .ok_or_else(|| Fault::Permanent(format!("source {} was deleted", def.source_id)))?;
        Ok(Some(RunContext {
            run,
            mart,
            def,
            source,
        }))
    }

    pub(crate) async fn source_config(&self, source: &Source) -> Result<Map<String, Value>, Fault> {
        source_config(&self.deps, source).await
    }

    /// The compiled mapping of a run's stream (compiled once per run and process),
    /// with the value maps of `project` it names, read from the store then. A
    /// map deleted since the definition was saved fails the run, naming the op.
    pub(crate) async fn mapping(
        &self,
        project: &Id,
        run: &Id,
        stream: u32,
        def: &ConnectorDefinition,
    ) -> Result<Arc<CompiledMapping>, Fault> {
        if let Some(m) = self
            .mappings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(run.clone(), stream))
        {
            return Ok(m.clone());
        }
        let selection = def.streams.get(stream as usize).ok_or_else(|| {
            Fault::Permanent(format!("the definition no longer has stream {stream}"))
        })?;
        let base = sluice_domain::Field::new("definition.streams")
            .index(stream as usize)
            .join("mapping");
        let maps = sluice_app::services::value_maps::load_named(
            self.deps.store.as_ref(),
            project,
            selection.mapping.value_maps(),
        )
        .await?;
        let compiled = Arc::new(
            CompiledMapping::compile_with_maps(&selection.mapping, &base, &maps)
                .map_err(|e| Fault::Permanent(e.to_string()))?,
        );
        let mut cache = self.mappings.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = cache.get(&(run.clone(), stream)) {
            // Another chunk of the run compiled it meanwhile: one plan per run.
            return Ok(m.clone());
        }
        if cache.len() > 64 {
            cache.clear();
        }
        cache.insert((run.clone(), stream), compiled.clone());
        Ok(compiled)
    }
}

pub(crate) struct RunContext {
    pub run: Run,
    pub mart: DataMart,
    pub def: ConnectorDefinition,
    pub source: Source,
}

/// The source's config with its secret fields filled in (kept in memory only).
pub(crate) async fn source_config(
    deps: &Deps,
    source: &Source,
) -> Result<Map<String, Value>, Fault> {
    config_with_secrets(deps, &source.settings, "source", &source.meta.id).await
}

/// `settings`' config with its secret fields filled in from the secret store
/// (kept in memory only); `noun` and `id` name the record in errors.
pub(crate) async fn config_with_secrets(
    deps: &Deps,
    settings: &sluice_domain::entities::Settings,
    noun: &str,
    id: &Id,
) -> Result<Map<String, Value>, Fault> {
    let mut config = settings.config.clone();
    if let Some(name) = &settings.secret_ref {
        let secret = deps
            .secrets
            .get(name)
            .await
            .map_err(|e| Fault::Transient(format!("secrets: {e}")))?
            .ok_or_else(|| {
                Fault::Permanent(format!(
                    "the secret fields of {noun} {id} are missing; set them again"
                ))
            })?;
        let fields: Map<String, Value> = serde_json::from_str(secret.expose()).map_err(|_| {
            Fault::Permanent(format!("the secret fields of {noun} {id} do not parse"))
        })?;
        config.extend(fields);
    }
    Ok(config)
}

pub(crate) use finalize::type_name as finalize_type_name;
