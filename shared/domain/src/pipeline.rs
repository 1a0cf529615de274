//! The run machinery's own records and messages: extraction steps, chunks, the
//! connector state, and the claim checks the stages pass each other through queues.
//!
//! Ids of steps and chunks are derived from the run and their position, so a
//! redelivered message writes the same keys again instead of adding records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::entities::{Meta, RowError, entity};
use crate::ids::{Id, Kind};

/// Queue of one connector's extraction function (`sluice-extract-files`, …).
pub fn extract_queue(connector: &str) -> String {
    format!("sluice-extract-{}", connector.replace('_', "-"))
}
/// Queue of the transform function.
pub const TRANSFORM_QUEUE: &str = "sluice-transform";
/// Queue of the load/finalize function.
pub const FINALIZE_QUEUE: &str = "sluice-finalize";
/// Queue of the materialize function: runs of `sql`, `table`, `table_pattern`
/// and `view` data marts.
pub const MATERIALIZE_QUEUE: &str = "sluice-materialize";
/// Receives before a message goes to its queue's DLQ.
pub const MAX_RECEIVES: u32 = 5;
/// Every stage queue: one per registered connector, then transform, finalize and
/// materialize, then one per destination kind that delivers.
pub fn stage_queues() -> Vec<String> {
    let mut q: Vec<String> = crate::connectors::registry()
        .iter()
        .map(|c| c.queue())
        .collect();
    q.push(TRANSFORM_QUEUE.to_string());
    q.push(FINALIZE_QUEUE.to_string());
    q.push(MATERIALIZE_QUEUE.to_string());
    q.extend(crate::connectors::deliveries().iter().map(|d| d.queue()));
    q
}

/// The dead-letter queue of stage queue `queue`, as every queue adapter names
/// it: where a message goes once its stage gave up on it.
pub fn dead_letter_queue(queue: &str) -> String {
    format!("{queue}-dlq")
}

/// A claim check: what to do next, never the rows themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Message {
    /// Extract step `step` of stream number `stream`, from `position` (the
    /// connector's continuation; `null` at the start of a stream).
    Extract {
        project: Id,
        run: Id,
        stream: u32,
        step: u32,
        #[serde(default)]
        position: Option<Value>,
        /// Chunks the run's earlier steps produced.
        #[serde(default)]
        chunks_before: u64,
    },
    /// Transform one chunk (its raw rows are in the object store).
    Transform { project: Id, run: Id, chunk: Id },
    /// Commit the run once every chunk is accounted for.
    Finalize { project: Id, run: Id },
    /// Deliver report run `report_run` to its destination (the delivery queue
    /// of the destination's kind).
    Deliver { project: Id, report_run: Id },
    /// Run a data mart that no connector feeds: materialize a `sql` mart's
    /// query as its table; check and describe a `table`, `table_pattern` or
    /// `view` mart.
    Materialize { project: Id, run: Id },
}

impl Message {
    pub fn project(&self) -> &Id {
        match self {
            Message::Extract { project, .. }
            | Message::Transform { project, .. }
            | Message::Finalize { project, .. }
            | Message::Materialize { project, .. }
            | Message::Deliver { project, .. } => project,
        }
    }
    pub fn run(&self) -> &Id {
        match self {
            Message::Extract { run, .. }
            | Message::Transform { run, .. }
            | Message::Finalize { run, .. }
            | Message::Materialize { run, .. } => run,
            Message::Deliver { report_run, .. } => report_run,
        }
    }
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Format of a raw chunk in the object store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChunkFormat {
    /// One JSON object per line.
    Ndjson,
    /// A header line, then rows, fields separated by `delimiter`.
    Csv {
        delimiter: char,
    },
    Parquet,
    /// Arrow columns as a database source decoded them. The extract step maps
    /// them where they are, so no raw object is written; a chunk an earlier
    /// version recorded is an Arrow IPC stream (LZ4-compressed buffers).
    ArrowIpc,
}

impl ChunkFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ChunkFormat::Ndjson => "ndjson",
            ChunkFormat::Csv { .. } => "csv",
            ChunkFormat::Parquet => "parquet",
            ChunkFormat::ArrowIpc => "arrows",
        }
    }

    /// Whether chunks of this format are whole files that cannot be joined
    /// byte-wise (Parquet, Arrow IPC).
    pub fn is_columnar(self) -> bool {
        matches!(self, ChunkFormat::Parquet | ChunkFormat::ArrowIpc)
    }
}

/// One extraction step of a run: where it started, where the next one starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Step {
    #[serde(flatten)]
    pub meta: Meta,
    pub run_id: Id,
    pub stream: u32,
    pub step: u32,
    /// Continuation of the next step; `None` when the stream is exhausted.
    #[serde(default)]
    pub next: Option<Value>,
    /// The cursor after this step (saved to the connector state when the run
    /// succeeds).
    #[serde(default)]
    pub cursor: Option<Value>,
    pub chunks: Vec<Id>,
    pub rows: u64,
    pub elapsed_ms: u64,
    /// How long the next step waits (a rate limit resets later than a step
    /// may sleep).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_ms: Option<u64>,
    /// What the step waited for and renewed, as the run's log shows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<String>,
    /// The step mapped its chunks itself (a database source's typed columns):
    /// they are staged already, and no transform message follows them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mapped: bool,
}
entity!(Step, Kind::Step, parent = |s| Some(s.run_id.clone()));

impl Step {
    pub fn id_for(run: &Id, stream: u32, step: u32) -> Id {
        Id::derived(
            Kind::Step,
            &[run.as_str(), &stream.to_string(), &step.to_string()],
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChunkStatus {
    /// Raw rows are in the object store, waiting for the transform.
    Extracted,
    /// Transformed rows are staged as Parquet, waiting for the commit.
    Transformed,
    /// Failed for good (fail-fast policy, or a poison chunk after every retry).
    Failed,
}

/// A chunk of rows moving through a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Chunk {
    #[serde(flatten)]
    pub meta: Meta,
    pub run_id: Id,
    pub stream: u32,
    pub stream_name: String,
    pub step: u32,
    pub index: u32,
    pub format: ChunkFormat,
    /// Where the raw rows are; empty when the extract step mapped the chunk
    /// where it was read (nothing raw was written).
    pub raw_key: String,
    pub raw_bytes: u64,
    pub rows_in: u64,
    pub status: ChunkStatus,
    #[serde(default)]
    pub staged_key: Option<String>,
    #[serde(default)]
    pub rows_written: u64,
    #[serde(default)]
    pub rows_failed: u64,
    #[serde(default)]
    pub rows_skipped: u64,
    /// Rows that failed or were skipped, with reasons (the first 100).
    #[serde(default)]
    pub errors: Vec<RowError>,
    /// Why the chunk failed as a whole, if it did.
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub transform_ms: u64,
    #[serde(default)]
    pub transformed_at: Option<DateTime<Utc>>,
}
entity!(Chunk, Kind::Chunk, parent = |c| Some(c.run_id.clone()));

impl Chunk {
    pub fn id_for(run: &Id, stream: u32, step: u32, index: u32) -> Id {
        Id::derived(
            Kind::Chunk,
            &[
                run.as_str(),
                &stream.to_string(),
                &step.to_string(),
                &index.to_string(),
            ],
        )
    }
    /// `stream.step.index`, as the error log names chunks.
    pub fn label(&self) -> String {
        format!("{}.{}.{}", self.stream, self.step, self.index)
    }
}

/// Where incremental extraction resumes: a cursor per stream of a data mart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConnectorState {
    #[serde(flatten)]
    pub meta: Meta,
    pub data_mart_id: Id,
    pub cursors: Map<String, Value>,
    /// Run that saved it last.
    #[serde(default)]
    pub run_id: Option<Id>,
}
entity!(
    ConnectorState,
    Kind::State,
    parent = |s| Some(s.data_mart_id.clone())
);

impl ConnectorState {
    pub fn id_for(data_mart: &Id) -> Id {
        Id::derived(Kind::State, &[data_mart.as_str()])
    }
}

/// Bounded holders: at most `max` holders at once of one thing (a data mart's run
/// slots, a run's chunk leases), across every process. The set is one record
/// taken with a version-checked write; a holder that is done is taken back when
/// the set is full (so no release step can be missed), and a hold may expire.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Holds(Vec<Hold>);

/// One holder and since when it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Hold {
    /// The run holding a slot, the chunk holding a lease.
    #[serde(alias = "run_id", alias = "chunk_id")]
    pub holder: Id,
    pub since: chrono::DateTime<chrono::Utc>,
}

/// Why a holder could not take a place: all `max` are held; the first holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Full(pub Id);

impl Holds {
    pub fn iter(&self) -> impl Iterator<Item = &Hold> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn holds(&self, holder: &Id) -> bool {
        self.0.iter().any(|h| &h.holder == holder)
    }

    /// Drops the holds taken `ttl` or longer before `now`.
    pub fn expire(&mut self, ttl: chrono::Duration, now: chrono::DateTime<chrono::Utc>) {
        self.0.retain(|h| now - h.since < ttl);
    }

    /// Keeps only the holds `still_holds` says are in use (the others' holders
    /// are done).
    pub fn keep(&mut self, still_holds: &[bool]) {
        let mut flags = still_holds.iter();
        self.0.retain(|_| flags.next().copied().unwrap_or(true));
    }

    /// Takes a place for `holder` (nothing to do when it holds one); the first
    /// holder when all `max` are held.
    pub fn take(
        &mut self,
        holder: &Id,
        max: usize,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), Full> {
        if self.holds(holder) {
            return Ok(());
        }
        if self.0.len() >= max {
            return Err(Full(self.0[0].holder.clone()));
        }
        self.0.push(Hold {
            holder: holder.clone(),
            since: now,
        });
        Ok(())
    }

    /// Gives `holder`'s place back; `false` when it held none.
    pub fn release(&mut self, holder: &Id) -> bool {
        let before = self.0.len();
        self.0.retain(|h| &h.holder != holder);
        self.0.len() != before
    }
}

/// A record of [`Holds`]: one per bounded thing (its `owner`).
pub trait HolderSet: crate::entities::Entity + Clone {
    /// The record of `owner`'s holds, empty.
    fn empty(meta: Meta, owner: &Id) -> Self;
    /// The record id for `owner`.
    fn id_for(owner: &Id) -> Id;
    fn holds(&self) -> &Holds;
    fn holds_mut(&mut self) -> &mut Holds;
}

/// The runs holding a data mart's `max_active_runs`. Starting a run takes a slot
/// here, so two starters at once (two ticks, a tick and an API call) can never
/// both pass the limit. Slots of runs that are over are taken back when the slots
/// are full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunSlots {
    #[serde(flatten)]
    pub meta: Meta,
    pub data_mart_id: Id,
    pub held: Holds,
}
entity!(RunSlots, Kind::Slots);

impl HolderSet for RunSlots {
    fn empty(meta: Meta, owner: &Id) -> Self {
        RunSlots {
            meta,
            data_mart_id: owner.clone(),
            held: Holds::default(),
        }
    }
    fn id_for(data_mart: &Id) -> Id {
        Id::derived(Kind::Slots, &[data_mart.as_str()])
    }
    fn holds(&self) -> &Holds {
        &self.held
    }
    fn holds_mut(&mut self) -> &mut Holds {
        &mut self.held
    }
}

/// The chunks of a run being transformed now, at most its `parallelism`, across
/// every process (Lambda instances, two local servers). A chunk that is no longer
/// waiting for its transform gives its lease back when the leases are full, and a
/// lease expires after [`ChunkLeases::EXPIRES_SECONDS`] in any case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChunkLeases {
    #[serde(flatten)]
    pub meta: Meta,
    pub run_id: Id,
    pub held: Holds,
}
entity!(ChunkLeases, Kind::Leases);

impl ChunkLeases {
    /// Longer than any transform of one chunk takes (the transform function's
    /// timeout is 30 s): a lease outlives its holder only when the holder died.
    pub const EXPIRES_SECONDS: i64 = 900;
}

impl HolderSet for ChunkLeases {
    fn empty(meta: Meta, owner: &Id) -> Self {
        ChunkLeases {
            meta,
            run_id: owner.clone(),
            held: Holds::default(),
        }
    }
    fn id_for(run: &Id) -> Id {
        Id::derived(Kind::Leases, &[run.as_str()])
    }
    fn holds(&self) -> &Holds {
        &self.held
    }
    fn holds_mut(&mut self) -> &mut Holds {
        &mut self.held
    }
}

/// Object keys of a run's data.
pub mod objects {
    use crate::ids::Id;

    /// Everything a run keeps while it runs (raw and staged chunks).
    pub fn run(project: &Id, run: &Id) -> String {
        format!("runs/{project}/{run}/")
    }
    pub fn raw_chunk(project: &Id, run: &Id, chunk: &Id, ext: &str) -> String {
        format!("runs/{project}/{run}/raw/{chunk}.{ext}")
    }
    /// Prefix of a run's staged chunks.
    pub fn staged(project: &Id, run: &Id) -> String {
        format!("runs/{project}/{run}/staged/")
    }
    pub fn staged_chunk(project: &Id, run: &Id, chunk: &Id) -> String {
        format!("runs/{project}/{run}/staged/{chunk}.parquet")
    }
    /// Prefix of every table of a project: the project's part of the warehouse.
    pub fn tables_of(project: &Id) -> String {
        format!("warehouse/{project}/")
    }
    /// Prefix of a data mart's table: the Parquet files the warehouse reads.
    pub fn table(project: &Id, data_mart: &Id) -> String {
        format!("{}{data_mart}/", tables_of(project))
    }
    /// A committed file of a run in the table.
    pub fn table_file(project: &Id, data_mart: &Id, run: &Id, chunk: &str) -> String {
        format!("warehouse/{project}/{data_mart}/{run}-{chunk}.parquet")
    }
    /// Prefix of a project's exports: the files report runs deliver to
    /// `object_export` destinations. No name a project gives reaches outside it.
    pub fn exports_of(project: &Id) -> String {
        format!("projects/{project}/exports/")
    }
    /// Prefix of a report's cached results (the data endpoint's): one object per
    /// format and parameters, for the data mart's data of the time.
    pub fn report_cache(project: &Id, report: &Id) -> String {
        format!("projects/{project}/cache/reports/{report}/")
    }
    /// Name the warehouse knows a data mart's table by (`${DATA_MART_TABLE}`).
    pub fn table_name(data_mart: &Id) -> String {
        data_mart.as_str().to_ascii_lowercase()
    }
    /// The warehouse's view of a data mart's table: name, prefix, known columns.
    /// The data mart's table, without its storage's settings (see
    /// `sluice_app::services::runs::table_of` for the table with them).
    pub fn table_ref(mart: &crate::entities::DataMart) -> crate::ports::TableRef {
        crate::ports::TableRef {
            name: table_name(&mart.meta.id),
            location: table(&mart.meta.project_id, &mart.meta.id),
            columns: mart
                .schema
                .iter()
                .map(|f| crate::ports::ColumnInfo {
                    name: f.name.clone(),
                    kind: f.kind.clone(),
                })
                .collect(),
            storage: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_valid_and_distinct() {
        let run = Id::generate(Kind::Run, 1_700_000_000_000);
        let a = Chunk::id_for(&run, 0, 3, 1);
        assert_eq!(a, Chunk::id_for(&run, 0, 3, 1));
        assert_ne!(a, Chunk::id_for(&run, 0, 3, 2));
        assert_ne!(a, Chunk::id_for(&run, 1, 3, 1));
        assert_eq!(Id::kind_of(a.as_str()), Some(Kind::Chunk));
        assert_eq!(
            Id::kind_of(Step::id_for(&run, 0, 0).as_str()),
            Some(Kind::Step)
        );
    }

    #[test]
    fn messages_round_trip_and_reject_unknown_fields() {
        let m = Message::Transform {
            project: Id::generate(Kind::Project, 1),
            run: Id::generate(Kind::Run, 1),
            chunk: Id::generate(Kind::Chunk, 1),
        };
        assert_eq!(
            serde_json::from_str::<Message>(&m.to_json()).expect("round trip"),
            m
        );
        assert!(serde_json::from_str::<Message>(r#"{"type":"finalize","project":"x"}"#).is_err());
    }

    #[test]
    fn extract_queues_are_named_per_connector() {
        assert_eq!(extract_queue("http_json"), "sluice-extract-http-json");
    }
}
