//! Alarms: what an operator watches. One alarm per condition and record (a
//! data mart's runs failing, its SLA missed, its runs found stuck; a report's
//! deliveries failing), its id derived from the three, so a condition that
//! comes back counts on the same alarm instead of adding one. An alarm stays
//! open until someone acknowledges it; raised again after that, it opens again.
//! The run events that raise alarms come at least once: an alarm remembers the
//! run that last raised it, and the same run raising it again changes nothing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Meta, entity};
use crate::error::clip;
use crate::ids::{Id, Kind};

/// Most characters of an alarm's message.
pub const ALARM_MESSAGE_CHARS: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    /// A data mart's run failed (for good: no retry left).
    RunFailed,
    /// A data mart's run went past its trigger's SLA.
    SlaMissed,
    /// A data mart's run made no progress for a lease and was resumed (or
    /// failed after too many stalls).
    StuckRunResumed,
    /// A report's delivery failed.
    DeliveryFailing,
    /// A message of a run (or a report's run) is in a stage's dead-letter
    /// queue: the stage gave up on it after its tries, and the run waits on
    /// it until the message is redriven or the run is retried.
    DeadLetters,
}

impl AlarmKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmKind::RunFailed => "run_failed",
            AlarmKind::SlaMissed => "sla_missed",
            AlarmKind::StuckRunResumed => "stuck_run_resumed",
            AlarmKind::DeliveryFailing => "delivery_failing",
            AlarmKind::DeadLetters => "dead_letters",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlarmState {
    Open,
    Acknowledged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Alarm {
    #[serde(flatten)]
    pub meta: Meta,
    pub kind: AlarmKind,
    /// The record it is about: a data mart, or a report.
    pub subject_id: Id,
    pub state: AlarmState,
    /// What happened last time, in a line (a run's error, cut).
    pub message: String,
    /// How many times it was raised.
    pub count: u64,
    pub first_raised_at: DateTime<Utc>,
    pub last_raised_at: DateTime<Utc>,
    /// The run (or report run) that raised it last.
    pub last_run_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who acknowledged it (a credential's subject).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
}

entity!(Alarm, Kind::Alarm);

impl Alarm {
    /// The id of the alarm of `kind` about `subject` in `project`.
    pub fn id_for(project: &Id, kind: AlarmKind, subject: &Id) -> Id {
        Id::derived(
            Kind::Alarm,
            &[project.as_str(), kind.as_str(), subject.as_str()],
        )
    }

    /// A new, open alarm raised by `run`.
    pub fn raised(
        project: &Id,
        kind: AlarmKind,
        subject: &Id,
        run: Option<&Id>,
        message: &str,
        now: DateTime<Utc>,
    ) -> Alarm {
        Alarm {
            meta: Meta {
                id: Alarm::id_for(project, kind, subject),
                ..Meta::new(Kind::Alarm, project, "sluice", now)
            },
            kind,
            subject_id: subject.clone(),
            state: AlarmState::Open,
            message: clip(message, ALARM_MESSAGE_CHARS).into_owned(),
            count: 1,
            first_raised_at: now,
            last_raised_at: now,
            last_run_id: run.cloned(),
            acknowledged_at: None,
            acknowledged_by: None,
        }
    }

    /// Raised again by `run`: counted, its message the latest, open again if
    /// it was acknowledged. `false` (nothing changed) when `run` raised it
    /// last: a repeated event.
    pub fn raise_again(&mut self, run: Option<&Id>, message: &str, now: DateTime<Utc>) -> bool {
        if run.is_some() && run == self.last_run_id.as_ref() {
            return false;
        }
        self.count += 1;
        self.last_raised_at = now;
        self.last_run_id = run.cloned();
        self.message = clip(message, ALARM_MESSAGE_CHARS).into_owned();
        self.state = AlarmState::Open;
        self.acknowledged_at = None;
        self.acknowledged_by = None;
        true
    }

    /// Acknowledged by `who`; `false` when it was already.
    pub fn acknowledge(&mut self, who: &str, now: DateTime<Utc>) -> bool {
        if self.state == AlarmState::Acknowledged {
            return false;
        }
        self.state = AlarmState::Acknowledged;
        self.acknowledged_at = Some(now);
        self.acknowledged_by = Some(who.to_string());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).expect("time")
    }

    #[test]
    fn an_alarm_counts_each_run_once_and_opens_again_after_an_acknowledgement() {
        let project = Id::generate(Kind::Project, 1);
        let mart = Id::generate(Kind::DataMart, 1);
        let (r1, r2) = (Id::generate(Kind::Run, 1), Id::generate(Kind::Run, 2));
        let mut a = Alarm::raised(
            &project,
            AlarmKind::RunFailed,
            &mart,
            Some(&r1),
            "boom",
            at(0),
        );
        assert_eq!(
            a.meta.id,
            Alarm::id_for(&project, AlarmKind::RunFailed, &mart)
        );
        assert_ne!(
            a.meta.id,
            Alarm::id_for(&project, AlarmKind::SlaMissed, &mart)
        );
        assert!(
            !a.raise_again(Some(&r1), "boom", at(1)),
            "the same run again"
        );
        assert_eq!(a.count, 1);
        assert!(a.acknowledge("ann", at(2)));
        assert!(!a.acknowledge("bob", at(3)));
        assert_eq!(a.acknowledged_by.as_deref(), Some("ann"));
        assert!(a.raise_again(Some(&r2), &"x".repeat(5_000), at(4)));
        assert_eq!((a.count, a.state), (2, AlarmState::Open));
        assert_eq!(a.acknowledged_by, None);
        assert!(a.message.chars().count() <= ALARM_MESSAGE_CHARS + 1);
        assert_eq!((a.first_raised_at, a.last_raised_at), (at(0), at(4)));
    }
}
