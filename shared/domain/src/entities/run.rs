//! Runs: one execution of a data mart or a report. Created by the run machinery;
//! the API lists and reads them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Meta, RetryPolicy, entity};
use crate::error::DomainError;
use crate::ids::{Id, IdOf, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    Paused,
    Succeeded,
    Failed,
    Cancelled,
    Interrupted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    Incremental,
    Backfill,
}

/// Row counters of a run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct RunCounters {
    pub rows_read: u64,
    pub rows_written: u64,
    pub rows_failed: u64,
    pub rows_skipped: u64,
}

impl RunStatus {
    /// The status as the API spells it (`queued`, `running`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Paused => "paused",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Interrupted => "interrupted",
        }
    }

    /// Nothing more happens to a run in this status unless a user retries it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled
        )
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StageState {
    #[default]
    Pending,
    Running,
    Succeeded,
    Failed,
    Skipped,
}

/// One stage of a run: its state and timing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Stage {
    pub state: StageState,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    /// Time spent working in this stage, summed over chunks where chunks run in
    /// parallel.
    #[serde(default)]
    pub busy_ms: u64,
}

impl Stage {
    pub fn start(&mut self, now: DateTime<Utc>) {
        if self.started_at.is_none() {
            self.started_at = Some(now);
        }
        self.state = StageState::Running;
        self.finished_at = None;
    }
    pub fn finish(&mut self, state: StageState, now: DateTime<Utc>) {
        self.started_at.get_or_insert(now);
        self.state = state;
        self.finished_at = Some(now);
    }
}

/// The four stages of a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Stages {
    pub extract: Stage,
    pub transform: Stage,
    pub load: Stage,
    pub finalize: Stage,
}

/// A backfill's date window: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunWindow {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

/// A row (or a chunk) that failed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RowError {
    /// Stream the row came from.
    pub stream: String,
    /// Chunk sequence number within the run (`step.index`).
    pub chunk: String,
    /// Row number within the chunk, from 1; absent for a whole-chunk failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub reason: String,
}

/// Rows of a run's error log kept in the run record; counters keep the totals.
pub const MAX_ERROR_LOG: usize = 100;

/// Progress of a run, computed from its chunks when it is read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunProgress {
    pub chunks_total: u64,
    pub chunks_done: u64,
    pub chunks_failed: u64,
    /// Share of known chunks done, 0-1; the total grows while extraction runs.
    pub fraction: f64,
    /// Rows written per second of wall time since the run started.
    pub rows_per_second: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Run {
    #[serde(flatten)]
    pub meta: Meta,
    pub data_mart_id: IdOf<super::DataMart>,
    pub kind: RunKind,
    /// Changed only by the run's own transitions ([`Run::start`], [`Run::pause`],
    /// …), each of which refuses a change its current status does not allow.
    status: RunStatus,
    #[serde(default)]
    pub trigger_id: Option<Id>,
    #[serde(default)]
    pub counters: RunCounters,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub error: Option<String>,
    /// For backfill runs: the date window extracted. Backfills never move the cursor.
    #[serde(default)]
    pub window: Option<RunWindow>,
    #[serde(default)]
    pub stages: Stages,
    /// Up to 100 failed or skipped rows with their reasons.
    #[serde(default)]
    pub error_log: Vec<RowError>,
    #[serde(default)]
    pub progress: RunProgress,
    /// 1 for the first attempt; grows by one on every retry.
    #[serde(default = "one")]
    pub attempt: u32,
    /// The connector state the run started from (cursor per stream).
    #[serde(default)]
    pub start_state: serde_json::Map<String, serde_json::Value>,
    /// Chunks extracted in all, known once extraction has finished.
    #[serde(default)]
    pub chunks_total: Option<u64>,
    /// Times the run was interrupted (the process stopped) and resumed.
    #[serde(default)]
    pub interruptions: u32,
    /// The trigger fire that started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<DateTime<Utc>>,
    /// The backfill it is a window of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill_id: Option<Id>,
    /// Retries after a failure (from its trigger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    /// When the failed run is retried; while set, the failure is not final.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_retry_at: Option<DateTime<Utc>>,
    /// Earlier attempts, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
    /// Last sign of life from a worker; a live run older than its lease is stuck.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_at: Option<DateTime<Utc>>,
    /// Leases that ran out in a row without progress.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stalls: u32,
    /// Longest the run may take (from its trigger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_seconds: Option<u32>,
    /// When `RunSlaMissed` was raised (once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_missed_at: Option<DateTime<Utc>>,
    /// When the project was told how this attempt ended (once per attempt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified_at: Option<DateTime<Utc>>,
    /// What extraction waited for (rate limits, retries) and renewed (access
    /// tokens), oldest first: the last [`MAX_RUN_LOG`] lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<RunLogLine>,
}

/// Lines of a run's log kept.
pub const MAX_RUN_LOG: usize = 200;

/// One line of a run's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunLogLine {
    pub at: DateTime<Utc>,
    /// The stream the step read.
    pub stream: String,
    pub message: String,
}

impl Run {
    /// Adds `lines` to the log, keeping the last [`MAX_RUN_LOG`].
    pub fn note(&mut self, at: DateTime<Utc>, stream: &str, lines: &[String]) {
        self.log.extend(lines.iter().map(|m| RunLogLine {
            at,
            stream: stream.to_string(),
            message: m.clone(),
        }));
        if self.log.len() > MAX_RUN_LOG {
            let extra = self.log.len() - MAX_RUN_LOG;
            self.log.drain(..extra);
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One finished attempt of a run that was retried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Attempt {
    pub attempt: u32,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    pub status: RunStatus,
    #[serde(default)]
    pub error: Option<String>,
}

/// What a run's chunks are, as [`Run::succeed`] needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChunkTally {
    /// Chunks extracted so far.
    pub total: u64,
    /// Chunks whose transform failed.
    pub failed: u64,
    /// Chunks still waiting for their transform.
    pub waiting: u64,
}

/// What [`Run::stall`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stalled {
    /// Live again; its outstanding work is to be enqueued from its records.
    Resumed,
    /// Out of leases: failed (perhaps with a retry scheduled).
    Failed,
}

/// A live run whose heartbeat is older than this is stuck: it is marked
/// interrupted and resumed from its records.
pub const RUN_LEASE_SECONDS: i64 = 600;
/// Workers refresh the heartbeat when it is older than this.
pub const HEARTBEAT_EVERY_SECONDS: i64 = 60;
/// Leases that may run out in a row, without progress, before the run fails.
pub const MAX_STALLS: u32 = 3;
/// Longest wait between two retries.
const MAX_BACKOFF_SECONDS: i64 = 86_400;

fn one() -> u32 {
    1
}

impl Run {
    /// A new run of `data_mart_id`, queued, with nothing done yet.
    pub fn queued(meta: Meta, data_mart_id: IdOf<super::DataMart>, kind: RunKind) -> Run {
        Run {
            meta,
            data_mart_id,
            kind,
            status: RunStatus::Queued,
            trigger_id: None,
            counters: RunCounters::default(),
            started_at: None,
            finished_at: None,
            error: None,
            window: None,
            stages: Stages::default(),
            error_log: vec![],
            progress: RunProgress::default(),
            attempt: 1,
            start_state: Default::default(),
            chunks_total: None,
            interruptions: 0,
            scheduled_for: None,
            backfill_id: None,
            retry_policy: None,
            next_retry_at: None,
            attempts: vec![],
            heartbeat_at: None,
            stalls: 0,
            sla_seconds: None,
            sla_missed_at: None,
            notified_at: None,
            log: vec![],
        }
    }

    /// Holds one of its data mart's `max_active_runs`: not final, or failed with a
    /// retry to come.
    pub fn holds_slot(&self) -> bool {
        !self.status.is_final() || self.next_retry_at.is_some()
    }

    /// Live: a worker should be moving it (its heartbeat counts).
    pub fn is_live(&self) -> bool {
        matches!(
            self.status,
            RunStatus::Queued | RunStatus::Running | RunStatus::Interrupted
        )
    }

    /// When the SLA runs out, if the run has one.
    pub fn sla_deadline(&self) -> Option<DateTime<Utc>> {
        let sla = self.sla_seconds?;
        Some(
            self.started_at.unwrap_or(self.meta.created_at)
                + chrono::Duration::seconds(i64::from(sla)),
        )
    }

    /// When the lease of a live run runs out.
    pub fn lease_expires(&self) -> Option<DateTime<Utc>> {
        self.is_live().then(|| {
            self.heartbeat_at.unwrap_or(self.meta.created_at)
                + chrono::Duration::seconds(RUN_LEASE_SECONDS)
        })
    }

    /// When the scheduler must look at this run: a retry, a lease, an SLA.
    pub fn due(&self) -> Option<DateTime<Utc>> {
        let retry = self
            .next_retry_at
            .filter(|_| self.status == RunStatus::Failed);
        let sla = self.sla_deadline().filter(|deadline| {
            self.sla_missed_at.is_none()
                && (!self.status.is_final() || self.finished_at.is_some_and(|f| f > *deadline))
        });
        [retry, self.lease_expires(), sla]
            .into_iter()
            .flatten()
            .min()
    }

    pub fn status(&self) -> RunStatus {
        self.status
    }

    fn refuse(&self, verb: &str) -> DomainError {
        DomainError::Conflict(format!(
            "run {} is {}; it cannot be {verb}",
            self.meta.id,
            self.status.as_str()
        ))
    }

    fn each_stage(&mut self) -> [&mut Stage; 4] {
        [
            &mut self.stages.extract,
            &mut self.stages.transform,
            &mut self.stages.load,
            &mut self.stages.finalize,
        ]
    }

    /// queued → running: its first extraction step began.
    pub fn start(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.status != RunStatus::Queued {
            return Err(self.refuse("started"));
        }
        self.status = RunStatus::Running;
        self.started_at = Some(now);
        self.stages.extract.start(now);
        Ok(())
    }

    /// queued or running → paused: workers stop taking its work.
    pub fn pause(&mut self) -> Result<(), DomainError> {
        if !matches!(self.status, RunStatus::Queued | RunStatus::Running) {
            return Err(self.refuse("paused"));
        }
        self.status = RunStatus::Paused;
        Ok(())
    }

    /// paused or interrupted → running (queued when it never started): its
    /// outstanding work is enqueued again from its records.
    pub fn resume(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if !matches!(self.status, RunStatus::Paused | RunStatus::Interrupted) {
            return Err(self.refuse("resumed"));
        }
        self.status = self.live_status();
        self.heartbeat_at = Some(now);
        Ok(())
    }

    /// Running when it has started, queued when not.
    fn live_status(&self) -> RunStatus {
        if self.started_at.is_some() {
            RunStatus::Running
        } else {
            RunStatus::Queued
        }
    }

    /// Any run not over (a failed one with a retry to come counts as not over) →
    /// cancelled: nothing more is committed, no retry follows, its pending stages
    /// are skipped.
    pub fn cancel(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if !self.holds_slot() {
            return Err(self.refuse("cancelled"));
        }
        self.status = RunStatus::Cancelled;
        self.next_retry_at = None;
        self.finished_at = Some(now);
        for s in self.each_stage() {
            if matches!(s.state, StageState::Pending | StageState::Running) {
                s.finish(StageState::Skipped, now);
            }
        }
        Ok(())
    }

    /// Any run not over → failed, with `reason`; the stages running then fail
    /// with it. Whether a retry follows is [`Run::schedule_retry`]'s to say.
    pub fn fail(&mut self, reason: &str, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.status.is_final() {
            return Err(self.refuse("failed"));
        }
        self.status = RunStatus::Failed;
        self.error = Some(reason.to_string());
        self.finished_at = Some(now);
        for s in self.each_stage() {
            if s.state == StageState::Running {
                s.finish(StageState::Failed, now);
            }
        }
        Ok(())
    }

    /// running → succeeded, once extraction has finished and every chunk it
    /// extracted was transformed: none failed, none waits.
    pub fn succeed(&mut self, chunks: ChunkTally, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.status != RunStatus::Running {
            return Err(self.refuse("succeeded"));
        }
        if self.stages.extract.state != StageState::Succeeded {
            return Err(DomainError::Conflict(format!(
                "run {} is still extracting; it cannot be succeeded",
                self.meta.id
            )));
        }
        if chunks.failed > 0 || chunks.waiting > 0 || chunks.total < self.chunks_total.unwrap_or(0)
        {
            return Err(DomainError::Conflict(format!(
                "run {} has {} failed and {} waiting chunk(s) of {}; it cannot be succeeded",
                self.meta.id,
                chunks.failed,
                chunks.waiting + self.chunks_total.unwrap_or(0).saturating_sub(chunks.total),
                chunks.total.max(self.chunks_total.unwrap_or(0))
            )));
        }
        self.status = RunStatus::Succeeded;
        self.finished_at = Some(now);
        self.next_retry_at = None;
        self.progress.chunks_total = chunks.total;
        self.progress.chunks_done = chunks.total;
        self.progress.chunks_failed = 0;
        self.progress.fraction = 1.0;
        Ok(())
    }

    /// A live run (queued, running) → interrupted: the process moving it stopped.
    pub fn interrupt(&mut self) -> Result<(), DomainError> {
        if !matches!(self.status, RunStatus::Queued | RunStatus::Running) {
            return Err(self.refuse("interrupted"));
        }
        self.interruptions += 1;
        self.status = RunStatus::Interrupted;
        Ok(())
    }

    /// A live run whose lease ran out without progress: resumed from its records
    /// (`Stalled::Resumed`), or failed with `reason` after [`MAX_STALLS`] leases
    /// in a row (`Stalled::Failed`, with a retry scheduled if its policy allows).
    pub fn stall(&mut self, reason: &str, now: DateTime<Utc>) -> Result<Stalled, DomainError> {
        if self.lease_expires().is_none_or(|l| l > now) {
            return Err(DomainError::Conflict(format!(
                "run {} is {} and its lease has not run out",
                self.meta.id,
                self.status.as_str()
            )));
        }
        self.stalls += 1;
        self.heartbeat_at = Some(now);
        if self.stalls > MAX_STALLS {
            self.fail(reason, now)?;
            self.schedule_retry(now);
            return Ok(Stalled::Failed);
        }
        self.interruptions += 1;
        self.status = self.live_status();
        Ok(Stalled::Resumed)
    }

    /// failed → running, as the next attempt: the attempt that failed is filed in
    /// `attempts`, the failed stages go back to pending.
    pub fn retry(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.status != RunStatus::Failed {
            return Err(DomainError::Conflict(format!(
                "run {} is {}; only a failed run can be retried",
                self.meta.id,
                self.status.as_str()
            )));
        }
        self.file_attempt();
        self.status = RunStatus::Running;
        self.started_at.get_or_insert(now);
        self.attempt += 1;
        self.notified_at = None;
        self.next_retry_at = None;
        self.error = None;
        self.error_log.clear();
        self.finished_at = None;
        self.heartbeat_at = Some(now);
        self.stalls = 0;
        self.counters = RunCounters::default();
        for s in self.each_stage() {
            if s.state == StageState::Failed || s.state == StageState::Skipped {
                s.state = StageState::Pending;
                s.finished_at = None;
            }
        }
        if self.stages.extract.state != StageState::Succeeded {
            self.stages.extract.start(now);
        }
        Ok(())
    }

    /// After a failure: schedules the next attempt if the retry policy allows one
    /// (exponential backoff from `backoff_seconds`, with jitter: a point in the
    /// upper half of the step, drawn from the run id and attempt so runs failing
    /// together spread out). `true` when one is scheduled.
    pub fn schedule_retry(&mut self, now: DateTime<Utc>) -> bool {
        let draw = Id::derived(
            Kind::Run,
            &[self.meta.id.as_str(), &self.attempt.to_string()],
        );
        let jitter = draw
            .as_str()
            .bytes()
            .rev()
            .take(4)
            .fold(0u32, |acc, b| acc * 32 + u32::from(b % 32)) as f64
            / f64::from(32u32.pow(4));
        let Some(policy) = &self.retry_policy else {
            return false;
        };
        if self.attempt > policy.max_retries {
            self.next_retry_at = None;
            return false;
        }
        let step = (i64::from(policy.backoff_seconds) * 1000)
            .saturating_mul(1 << (self.attempt - 1).min(20))
            .min(MAX_BACKOFF_SECONDS * 1000);
        let wait = step / 2 + ((step / 2) as f64 * jitter.clamp(0.0, 1.0)) as i64;
        self.next_retry_at = Some(now + chrono::Duration::milliseconds(wait));
        true
    }

    /// Files the current attempt in `attempts` before a retry starts the next.
    fn file_attempt(&mut self) {
        self.attempts.push(Attempt {
            attempt: self.attempt,
            started_at: self.started_at,
            finished_at: self.finished_at,
            status: self.status,
            error: self.error.clone(),
        });
    }
}

/// `POST /v1/data-marts/{id}/runs`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRun {
    /// `incremental` (default) resumes from the saved cursor; `backfill` extracts
    /// the given window and leaves the cursor alone.
    #[serde(default)]
    pub kind: Option<RunKind>,
    /// Backfill window start (inclusive), `YYYY-MM-DD`.
    #[serde(default)]
    pub from: Option<chrono::NaiveDate>,
    /// Backfill window end (exclusive), `YYYY-MM-DD`.
    #[serde(default)]
    pub to: Option<chrono::NaiveDate>,
}

impl StartRun {
    pub fn validate(&self) -> Result<(RunKind, Option<RunWindow>), crate::DomainError> {
        use crate::DomainError;
        let kind = self.kind.unwrap_or(RunKind::Incremental);
        match (kind, self.from, self.to) {
            (RunKind::Incremental, None, None) => Ok((kind, None)),
            (RunKind::Incremental, _, _) => Err(DomainError::invalid(
                "from",
                "a date window is for backfill runs; set `kind` to `backfill`",
            )),
            (RunKind::Backfill, Some(from), Some(to)) if from < to => {
                Ok((kind, Some(RunWindow { from, to })))
            }
            (RunKind::Backfill, Some(_), Some(_)) => {
                Err(DomainError::invalid("to", "must be after `from`"))
            }
            (RunKind::Backfill, None, _) => Err(DomainError::invalid(
                "from",
                "a backfill needs `from` and `to` dates (YYYY-MM-DD)",
            )),
            (RunKind::Backfill, _, None) => Err(DomainError::invalid(
                "to",
                "a backfill needs `from` and `to` dates (YYYY-MM-DD)",
            )),
        }
    }
}
entity!(
    Run,
    Kind::Run,
    parent = |r| Some(r.data_mart_id.as_id().clone()),
    due = |r| r.due().map(|d| d.timestamp_millis())
);
