//! Report runs: one delivery of a report's rows to its destination, started on
//! demand or by a trigger, carried by its destination kind's delivery queue.
//!
//! A delivery is redone whole when its message comes again (the worker stopped
//! before it acknowledged): each destination writes idempotently (an export
//! rewrites the same object; a webhook carries the run's delivery id, the same
//! on every try, for the receiver to drop a repeat).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DataMart, Destination, Meta, Report, entity};
use crate::error::DomainError;
use crate::ids::{Id, IdOf, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportRunStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl ReportRunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportRunStatus::Queued => "queued",
            ReportRunStatus::Running => "running",
            ReportRunStatus::Succeeded => "succeeded",
            ReportRunStatus::Failed => "failed",
            ReportRunStatus::Cancelled => "cancelled",
        }
    }

    /// Nothing more happens to the run unless a user retries it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ReportRunStatus::Succeeded | ReportRunStatus::Failed | ReportRunStatus::Cancelled
        )
    }
}

/// What a delivery left where it went.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Delivered {
    /// Where the rows went, in words that carry no credential: an export's file
    /// name, a webhook's origin.
    pub target: String,
    /// The file format written (`csv`, `ndjson`, `parquet`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// For a webhook: the status its receiver answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// One line of a report run's log: an attempt, a retry, what was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LogLine {
    pub at: DateTime<Utc>,
    pub message: String,
}

/// Lines a report run keeps in its log; the oldest go first.
pub const MAX_REPORT_LOG: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReportRun {
    #[serde(flatten)]
    pub meta: Meta,
    pub report_id: IdOf<Report>,
    pub data_mart_id: IdOf<DataMart>,
    pub destination_id: IdOf<Destination>,
    /// The destination's kind when the run was queued: which delivery queue
    /// carries it.
    pub destination_kind: String,
    /// Changed only by the run's own transitions, each refusing a change its
    /// status does not allow.
    status: ReportRunStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_id: Option<Id>,
    /// Values of the report's parameters this run was started with (its
    /// defaults fill the rest).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub parameters: crate::output::ParameterValues,
    /// 1 for the first attempt; grows by one on every retry.
    pub attempt: u32,
    /// Rows delivered.
    pub rows: u64,
    /// Bytes delivered (the file or body, before any transport compression).
    pub bytes: u64,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    /// From the last start to the end, in milliseconds.
    #[serde(default)]
    pub duration_ms: Option<u64>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<Delivered>,
    #[serde(default)]
    pub log: Vec<LogLine>,
    /// When the project was told how this attempt ended (once per attempt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified_at: Option<DateTime<Utc>>,
}
entity!(
    ReportRun,
    Kind::ReportRun,
    parent = |r| Some(r.report_id.as_id().clone()),
    due = |r| r.deadline().map(|d| d.timestamp_millis())
);

/// How long a delivery may go from its last start (or its queueing) before the
/// scheduler calls it stopped: past the delivery function's timeout times the
/// queue's receives, so only a run whose message is gone for good reaches it.
pub const DELIVERY_LEASE_SECONDS: i64 = 3_600;

impl ReportRun {
    /// A new run of `report` to `destination`, queued.
    pub fn queued(meta: Meta, report: &Report, destination: &Destination) -> ReportRun {
        ReportRun {
            meta,
            report_id: IdOf::of_record(report),
            data_mart_id: report.data_mart_id.clone(),
            destination_id: IdOf::of_record(destination),
            destination_kind: destination.kind.clone(),
            status: ReportRunStatus::Queued,
            trigger_id: None,
            parameters: Default::default(),
            attempt: 1,
            rows: 0,
            bytes: 0,
            started_at: None,
            finished_at: None,
            duration_ms: None,
            error: None,
            delivered: None,
            log: vec![],
            notified_at: None,
        }
    }

    pub fn status(&self) -> ReportRunStatus {
        self.status
    }

    /// The id a receiver sees on every try of this attempt, to drop a repeat.
    pub fn delivery_id(&self) -> String {
        format!("{}.{}", self.meta.id, self.attempt)
    }

    fn refuse(&self, verb: &str) -> DomainError {
        DomainError::Conflict(format!(
            "report run {} is {}; it cannot be {verb}",
            self.meta.id,
            self.status.as_str()
        ))
    }

    /// Adds a line to the log, dropping the oldest beyond [`MAX_REPORT_LOG`].
    pub fn note(&mut self, now: DateTime<Utc>, message: impl Into<String>) {
        self.log.push(LogLine {
            at: now,
            message: message.into(),
        });
        if self.log.len() > MAX_REPORT_LOG {
            let extra = self.log.len() - MAX_REPORT_LOG;
            self.log.drain(..extra);
        }
    }

    /// queued → running; running again when its message came back (the worker
    /// that had it stopped): the delivery is redone whole.
    pub fn start(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        match self.status {
            ReportRunStatus::Queued => self.note(now, "Delivery started."),
            ReportRunStatus::Running => {
                self.note(now, "Delivery started again: the last try did not finish.")
            }
            _ => return Err(self.refuse("started")),
        }
        self.status = ReportRunStatus::Running;
        self.started_at = Some(now);
        Ok(())
    }

    fn finish(&mut self, status: ReportRunStatus, now: DateTime<Utc>) {
        self.status = status;
        self.finished_at = Some(now);
        self.duration_ms = self
            .started_at
            .map(|s| (now - s).num_milliseconds().max(0) as u64);
    }

    /// running → succeeded, with what was delivered.
    pub fn succeed(
        &mut self,
        now: DateTime<Utc>,
        rows: u64,
        bytes: u64,
        delivered: Delivered,
    ) -> Result<(), DomainError> {
        if self.status != ReportRunStatus::Running {
            return Err(self.refuse("succeeded"));
        }
        self.rows = rows;
        self.bytes = bytes;
        self.note(
            now,
            format!("Delivered {rows} rows to {}.", delivered.target),
        );
        self.delivered = Some(delivered);
        self.error = None;
        self.finish(ReportRunStatus::Succeeded, now);
        Ok(())
    }

    /// queued or running → failed, for `reason` (which names no credential).
    pub fn fail(
        &mut self,
        now: DateTime<Utc>,
        reason: impl Into<String>,
    ) -> Result<(), DomainError> {
        if self.status.is_final() {
            return Err(self.refuse("failed"));
        }
        let reason = reason.into();
        self.note(now, format!("Failed: {reason}"));
        self.error = Some(reason);
        self.finish(ReportRunStatus::Failed, now);
        Ok(())
    }

    /// queued or running → cancelled: a delivery in flight stops before it
    /// writes, or its result is not recorded as delivered.
    pub fn cancel(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.status.is_final() {
            return Err(self.refuse("cancelled"));
        }
        self.note(now, "Cancelled.");
        self.finish(ReportRunStatus::Cancelled, now);
        Ok(())
    }

    /// When a run not over yet is taken for stopped.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        (!self.status.is_final() && self.meta.deleted_at.is_none()).then(|| {
            self.started_at.unwrap_or(self.meta.created_at)
                + chrono::Duration::seconds(DELIVERY_LEASE_SECONDS)
        })
    }

    /// queued or running past its [`ReportRun::deadline`] → failed: its
    /// function stopped on every try, or its message went to the dead-letter
    /// queue. `Ok(false)` when it is not past it.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Result<bool, DomainError> {
        match self.deadline() {
            None => Err(self.refuse("expired")),
            Some(d) if now < d => Ok(false),
            Some(_) => {
                self.fail(
                    now,
                    format!(
                        "the delivery did not finish within {} minutes of its last start (its function stopped, or its message went to the dead-letter queue); retry it",
                        DELIVERY_LEASE_SECONDS / 60
                    ),
                )?;
                Ok(true)
            }
        }
    }

    /// failed or cancelled → queued, as the next attempt.
    pub fn retry(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if !matches!(
            self.status,
            ReportRunStatus::Failed | ReportRunStatus::Cancelled
        ) {
            return Err(self.refuse("retried"));
        }
        self.attempt += 1;
        self.notified_at = None;
        self.status = ReportRunStatus::Queued;
        self.error = None;
        self.delivered = None;
        self.rows = 0;
        self.bytes = 0;
        self.started_at = None;
        self.finished_at = None;
        self.duration_ms = None;
        let attempt = self.attempt;
        self.note(now, format!("Retried: attempt {attempt}."));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Settings;

    fn run() -> ReportRun {
        let project = Id::generate(Kind::Project, 1_700_000_000_000);
        let now = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
        let report = Report {
            meta: Meta::new(Kind::Report, &project, "u", now),
            title: "r".into(),
            data_mart_id: IdOf::generate(1_700_000_000_000),
            destination_id: IdOf::generate(1_700_000_000_000),
            query: None,
            output: None,
            cache_ttl_seconds: 0,
        };
        let destination = Destination {
            meta: Meta::new(Kind::Destination, &project, "u", now),
            title: "d".into(),
            kind: "webhook".into(),
            settings: Settings::default(),
        };
        ReportRun::queued(
            Meta::new(Kind::ReportRun, &project, "u", now),
            &report,
            &destination,
        )
    }

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).expect("time")
    }

    #[test]
    fn a_run_goes_queued_running_succeeded_and_counts_its_time() {
        let mut r = run();
        r.start(at(1)).expect("start");
        r.succeed(at(3), 10, 200, Delivered::default())
            .expect("succeed");
        assert_eq!(r.status(), ReportRunStatus::Succeeded);
        assert_eq!((r.rows, r.bytes, r.duration_ms), (10, 200, Some(2000)));
        assert!(
            r.start(at(4)).is_err(),
            "a delivered run is not delivered again"
        );
        assert!(r.cancel(at(4)).is_err());
    }

    #[test]
    fn a_redelivered_message_starts_a_running_run_again() {
        let mut r = run();
        r.start(at(1)).expect("start");
        r.start(at(9)).expect("again");
        assert_eq!(r.started_at, Some(at(9)));
        assert!(r.log.iter().any(|l| l.message.contains("again")));
    }

    #[test]
    fn a_failed_run_is_retried_as_a_new_attempt_with_a_new_delivery_id() {
        let mut r = run();
        let first = r.delivery_id();
        assert!(r.retry(at(0)).is_err(), "a queued run is not retried");
        r.start(at(1)).expect("start");
        r.fail(at(2), "receiver answered 500").expect("fail");
        assert!(r.fail(at(2), "again").is_err());
        r.retry(at(3)).expect("retry");
        assert_eq!((r.status(), r.attempt), (ReportRunStatus::Queued, 2));
        assert_eq!(r.error, None);
        assert_ne!(r.delivery_id(), first);
        r.cancel(at(4)).expect("cancel");
        assert!(r.start(at(5)).is_err(), "a cancelled run does not start");
    }

    #[test]
    fn a_run_not_over_an_hour_after_its_last_start_is_failed_and_no_longer_due() {
        let mut r = run();
        assert!(
            r.deadline().is_some(),
            "a queued run is due at its deadline"
        );
        r.start(at(10)).expect("start");
        let deadline = r.deadline().expect("a running run has one");
        assert_eq!(deadline, at(10 + DELIVERY_LEASE_SECONDS));
        assert_eq!(r.expire(at(20)), Ok(false));
        assert_eq!(r.status(), ReportRunStatus::Running);
        assert_eq!(r.expire(deadline), Ok(true));
        assert_eq!(r.status(), ReportRunStatus::Failed);
        assert!(r.error.as_deref().unwrap_or_default().contains("retry it"));
        assert_eq!(r.deadline(), None);
        assert!(r.expire(deadline).is_err());
    }

    #[test]
    fn the_log_keeps_its_newest_lines() {
        let mut r = run();
        for i in 0..(MAX_REPORT_LOG + 7) {
            r.note(at(i as i64), format!("line {i}"));
        }
        assert_eq!(r.log.len(), MAX_REPORT_LOG);
        assert_eq!(r.log[0].message, "line 7");
    }
}
