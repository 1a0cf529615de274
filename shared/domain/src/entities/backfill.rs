//! Backfills: a date range cut into windows (a day, a week or a month each), one
//! backfill run per window, run no more at once than the data mart allows.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Meta, RunStatus, entity};
use crate::error::DomainError;
use crate::ids::{Id, IdOf, Kind};

/// Most windows one backfill may have.
pub const MAX_BACKFILL_WINDOWS: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowSize {
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackfillStatus {
    Running,
    Succeeded,
    /// Every window ran, and at least one run failed for good.
    Failed,
    Cancelled,
}

/// One window of a backfill: `[from, to)`, and its run once started.
impl BackfillStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BackfillStatus::Running => "running",
            BackfillStatus::Succeeded => "succeeded",
            BackfillStatus::Failed => "failed",
            BackfillStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BackfillWindow {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub run_id: Option<Id>,
    /// The run's status when last looked at; `None` until it starts.
    #[serde(default)]
    pub status: Option<RunStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Backfill {
    #[serde(flatten)]
    pub meta: Meta,
    pub data_mart_id: IdOf<super::DataMart>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub window: WindowSize,
    /// Changed only by [`Backfill::cancel`] and [`Backfill::settle`].
    status: BackfillStatus,
    pub windows: Vec<BackfillWindow>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    /// When the scheduler looks at it again (start windows as slots free up).
    #[serde(default)]
    pub wake_at: Option<DateTime<Utc>>,
}
entity!(
    Backfill,
    Kind::Backfill,
    parent = |b| Some(b.data_mart_id.as_id().clone()),
    due = |b| if b.status == BackfillStatus::Running && b.meta.deleted_at.is_none() {
        Some(b.wake_at.unwrap_or(b.meta.updated_at).timestamp_millis())
    } else {
        None
    }
);

impl Backfill {
    /// A new backfill of `data_mart_id` over `range`, cut into its windows, running.
    pub fn running(
        meta: Meta,
        data_mart_id: IdOf<super::DataMart>,
        range: &CreateBackfill,
    ) -> Result<Backfill, DomainError> {
        Ok(Backfill {
            meta,
            data_mart_id,
            from: range.from,
            to: range.to,
            window: range.window,
            status: BackfillStatus::Running,
            windows: range.windows()?,
            finished_at: None,
            wake_at: None,
        })
    }

    pub fn status(&self) -> BackfillStatus {
        self.status
    }

    /// running → cancelled: no more windows start.
    pub fn cancel(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.status != BackfillStatus::Running {
            return Err(DomainError::Conflict(format!(
                "backfill {} is {}; it cannot be cancelled",
                self.meta.id,
                self.status.as_str()
            )));
        }
        self.status = BackfillStatus::Cancelled;
        self.finished_at = Some(now);
        Ok(())
    }

    /// Ends a running backfill when it is over: succeeded when every window's run
    /// succeeded, failed when every window's run is over and one did not, or when
    /// `blocked` says no more windows can start and none is in flight. The status
    /// it is in afterwards.
    pub fn settle(&mut self, blocked: Option<&str>, now: DateTime<Utc>) -> BackfillStatus {
        if self.status != BackfillStatus::Running {
            return self.status;
        }
        let over = |w: &BackfillWindow| w.status.is_some_and(RunStatus::is_final);
        if self.windows.iter().all(over) {
            let ok = self
                .windows
                .iter()
                .all(|w| w.status == Some(RunStatus::Succeeded));
            self.status = if ok {
                BackfillStatus::Succeeded
            } else {
                BackfillStatus::Failed
            };
            self.finished_at = Some(now);
        } else if blocked.is_some() && self.windows.iter().all(|w| w.run_id.is_none() || over(w)) {
            self.status = BackfillStatus::Failed;
            self.finished_at = Some(now);
        }
        self.status
    }

    /// The run id of window `index`: the same on every try, sorted by window.
    pub fn run_id_for(&self, index: usize) -> Id {
        let ms = self.meta.created_at.timestamp_millis().max(0) as u64 + index as u64;
        Id::derived_at(Kind::Run, ms, &[self.meta.id.as_str(), &index.to_string()])
    }

    /// Windows done (their run is final).
    pub fn windows_done(&self) -> usize {
        self.windows
            .iter()
            .filter(|w| w.status.is_some_and(RunStatus::is_final))
            .count()
    }
}

/// `POST /v1/data-marts/{id}/backfills`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBackfill {
    /// First day (inclusive), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day (exclusive), `YYYY-MM-DD`.
    pub to: NaiveDate,
    /// `day`, `week` or `month` per run.
    pub window: WindowSize,
}

impl CreateBackfill {
    /// The windows covering `[from, to)`; the last one ends at `to`.
    pub fn windows(&self) -> Result<Vec<BackfillWindow>, DomainError> {
        if self.from >= self.to {
            return Err(DomainError::invalid("to", "must be after `from`"));
        }
        let days = (self.to - self.from).num_days();
        let estimate = match self.window {
            WindowSize::Day => days,
            WindowSize::Week => days / 7 + 1,
            WindowSize::Month => days / 28 + 1,
        };
        if estimate > MAX_BACKFILL_WINDOWS as i64 + 1 {
            return Err(DomainError::invalid(
                "from",
                format!(
                    "the range makes about {estimate} {} windows; at most {MAX_BACKFILL_WINDOWS} per backfill (use a larger window or split the range)",
                    match self.window {
                        WindowSize::Day => "day",
                        WindowSize::Week => "week",
                        WindowSize::Month => "month",
                    }
                ),
            ));
        }
        let mut out = vec![];
        let mut start = self.from;
        while start < self.to {
            let next = match self.window {
                WindowSize::Day => start.succ_opt(),
                WindowSize::Week => start.checked_add_days(chrono::Days::new(7)),
                // Calendar months: a window starting mid-month ends on the 1st.
                WindowSize::Month => NaiveDate::from_ymd_opt(start.year(), start.month(), 1)
                    .and_then(|first| first.checked_add_months(Months::new(1))),
            }
            .ok_or_else(|| DomainError::invalid("to", "is out of range"))?;
            let end = next.min(self.to);
            out.push(BackfillWindow {
                from: start,
                to: end,
                run_id: None,
                status: None,
            });
            start = end;
        }
        if out.len() > MAX_BACKFILL_WINDOWS {
            return Err(DomainError::invalid(
                "from",
                format!(
                    "the range makes {} windows; at most {MAX_BACKFILL_WINDOWS} per backfill",
                    out.len()
                ),
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("valid test date")
    }

    #[test]
    fn windows_cover_the_range_exactly() {
        let req = CreateBackfill {
            from: d("2026-01-15"),
            to: d("2026-04-02"),
            window: WindowSize::Month,
        };
        let w = req.windows().expect("valid");
        let bounds: Vec<(NaiveDate, NaiveDate)> = w.iter().map(|w| (w.from, w.to)).collect();
        assert_eq!(
            bounds,
            vec![
                (d("2026-01-15"), d("2026-02-01")),
                (d("2026-02-01"), d("2026-03-01")),
                (d("2026-03-01"), d("2026-04-01")),
                (d("2026-04-01"), d("2026-04-02")),
            ]
        );
        let days = CreateBackfill {
            from: d("2026-02-27"),
            to: d("2026-03-02"),
            window: WindowSize::Day,
        };
        assert_eq!(days.windows().expect("valid").len(), 3);
        let weeks = CreateBackfill {
            from: d("2026-01-01"),
            to: d("2026-01-20"),
            window: WindowSize::Week,
        };
        let w = weeks.windows().expect("valid");
        assert_eq!(w.len(), 3);
        assert_eq!(w[2].to, d("2026-01-20"));
    }

    #[test]
    fn a_backwards_or_huge_range_names_the_field() {
        let back = CreateBackfill {
            from: d("2026-02-01"),
            to: d("2026-01-01"),
            window: WindowSize::Day,
        };
        assert!(
            back.windows()
                .expect_err("backwards")
                .to_string()
                .starts_with("to:")
        );
        let huge = CreateBackfill {
            from: d("2000-01-01"),
            to: d("2026-01-01"),
            window: WindowSize::Day,
        };
        let err = huge.windows().expect_err("too many").to_string();
        assert!(
            err.starts_with("from:") && err.contains("at most 1000"),
            "{err}"
        );
    }
}
