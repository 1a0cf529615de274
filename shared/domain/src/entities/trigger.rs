//! Triggers: schedules on a data mart or a report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Meta, entity, parse_ref};
use crate::cron::{CronSchedule, TimeZone};
use crate::error::DomainError;
use crate::ids::{Id, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    DataMart,
    Report,
}

impl TargetKind {
    pub fn kind(self) -> Kind {
        match self {
            TargetKind::DataMart => Kind::DataMart,
            TargetKind::Report => Kind::Report,
        }
    }
}

/// What to do with fires missed while the platform was down.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CatchUp {
    #[default]
    Skip,
    Latest,
    All,
}

/// What a fire does when the target already runs its maximum.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WhenBusy {
    #[default]
    Wait,
    Skip,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Retries after a failed run, 0-10.
    #[serde(default = "default_retries")]
    pub max_retries: u32,
    /// First backoff; doubles per attempt, with jitter. 1-86400 seconds.
    #[serde(default = "default_backoff")]
    pub backoff_seconds: u32,
}

fn default_retries() -> u32 {
    2
}
fn default_backoff() -> u32 {
    60
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: default_retries(),
            backoff_seconds: default_backoff(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Trigger {
    #[serde(flatten)]
    pub meta: Meta,
    pub target_kind: TargetKind,
    pub target_id: Id,
    /// Five-field cron expression or a preset (`@hourly`, `@daily`, `@weekly`,
    /// `@monthly`, `@every_15_minutes`).
    pub cron: String,
    /// IANA time zone the cron is read in.
    pub timezone: String,
    pub enabled: bool,
    pub retry: RetryPolicy,
    /// Longest a run may take before `RunSlaMissed` is raised.
    #[serde(default)]
    pub sla_seconds: Option<u32>,
    pub catch_up: CatchUp,
    /// Most missed fires run by `catch_up: all`.
    pub catch_up_cap: u32,
    pub when_busy: WhenBusy,
    /// Next fire; `None` while disabled.
    #[serde(default)]
    pub next_fire_at: Option<DateTime<Utc>>,
}
entity!(
    Trigger,
    Kind::Trigger,
    parent = |t| Some(t.target_id.clone()),
    due = |t| if t.enabled && t.meta.deleted_at.is_none() {
        t.next_fire_at.map(|d| d.timestamp_millis())
    } else {
        None
    }
);

impl Trigger {
    /// Recomputes `next_fire_at` from `now` (none while disabled).
    pub fn reschedule(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        let (cron, tz) = parse_schedule(&self.cron, &self.timezone)?;
        self.next_fire_at = if self.enabled {
            cron.next_after(tz.0, now)
        } else {
            None
        };
        Ok(())
    }

    /// The next `n` fire times from `now`, for display.
    pub fn upcoming(&self, now: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        match parse_schedule(&self.cron, &self.timezone) {
            Ok((cron, tz)) if self.enabled => cron.upcoming(tz.0, now, n),
            _ => vec![],
        }
    }
}

/// Parses a cron and a zone, errors naming `cron` or `timezone`.
pub fn parse_schedule(cron: &str, timezone: &str) -> Result<(CronSchedule, TimeZone), DomainError> {
    let c = CronSchedule::parse(cron).map_err(|reason| DomainError::invalid("cron", reason))?;
    let tz = TimeZone::parse(timezone)?;
    Ok((c, tz))
}

/// Response shape: the trigger and its next fires.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TriggerView {
    #[serde(flatten)]
    pub trigger: Trigger,
    /// The next five fire times (empty while disabled).
    pub next_fire_times: Vec<DateTime<Utc>>,
}

/// `POST /v1/triggers`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTrigger {
    pub target_kind: TargetKind,
    pub target_id: String,
    pub cron: String,
    #[serde(default = "utc")]
    pub timezone: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub retry: RetryPolicy,
    pub sla_seconds: Option<u32>,
    #[serde(default)]
    pub catch_up: CatchUp,
    #[serde(default = "default_cap")]
    pub catch_up_cap: u32,
    #[serde(default)]
    pub when_busy: WhenBusy,
}

fn utc() -> String {
    "UTC".into()
}
fn yes() -> bool {
    true
}
fn default_cap() -> u32 {
    10
}

/// `PATCH /v1/triggers/{id}`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTrigger {
    pub cron: Option<String>,
    pub timezone: Option<String>,
    pub enabled: Option<bool>,
    pub retry: Option<RetryPolicy>,
    #[serde(default, deserialize_with = "double_option_u32")]
    #[schemars(with = "Option<u32>")]
    pub sla_seconds: Option<Option<u32>>,
    pub catch_up: Option<CatchUp>,
    pub catch_up_cap: Option<u32>,
    pub when_busy: Option<WhenBusy>,
    pub version: Option<u64>,
}

fn double_option_u32<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<u32>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Checks the numeric settings of a trigger.
pub fn validate_trigger_settings(t: &Trigger) -> Result<(), DomainError> {
    parse_schedule(&t.cron, &t.timezone)?;
    if t.retry.max_retries > 10 {
        return Err(DomainError::invalid(
            "retry.max_retries",
            "must be at most 10",
        ));
    }
    if !(1..=86_400).contains(&t.retry.backoff_seconds) {
        return Err(DomainError::invalid(
            "retry.backoff_seconds",
            "must be between 1 and 86400",
        ));
    }
    if let Some(s) = t.sla_seconds
        && !(60..=7 * 86_400).contains(&s)
    {
        return Err(DomainError::invalid(
            "sla_seconds",
            "must be between 60 and 604800 (a week)",
        ));
    }
    if !(1..=1_000).contains(&t.catch_up_cap) {
        return Err(DomainError::invalid(
            "catch_up_cap",
            "must be between 1 and 1000",
        ));
    }
    Ok(())
}

impl CreateTrigger {
    /// The trigger this request describes, scheduled from `meta.created_at`.
    pub fn into_trigger(self, meta: Meta) -> Result<Trigger, DomainError> {
        let target_id = parse_ref("target_id", self.target_kind.kind(), &self.target_id)?;
        let now = meta.created_at;
        let mut t = Trigger {
            meta,
            target_kind: self.target_kind,
            target_id,
            cron: self.cron.trim().to_string(),
            timezone: self.timezone,
            enabled: self.enabled,
            retry: self.retry,
            sla_seconds: self.sla_seconds,
            catch_up: self.catch_up,
            catch_up_cap: self.catch_up_cap,
            when_busy: self.when_busy,
            next_fire_at: None,
        };
        validate_trigger_settings(&t)?;
        t.reschedule(now)?;
        Ok(t)
    }
}

impl UpdateTrigger {
    /// Applies the changes and reschedules from `now`.
    pub fn apply(self, t: &mut Trigger, now: DateTime<Utc>) -> Result<(), DomainError> {
        if let Some(c) = self.cron {
            t.cron = c.trim().to_string();
        }
        if let Some(z) = self.timezone {
            t.timezone = z;
        }
        if let Some(e) = self.enabled {
            t.enabled = e;
        }
        if let Some(r) = self.retry {
            t.retry = r;
        }
        if let Some(s) = self.sla_seconds {
            t.sla_seconds = s;
        }
        if let Some(c) = self.catch_up {
            t.catch_up = c;
        }
        if let Some(c) = self.catch_up_cap {
            t.catch_up_cap = c;
        }
        if let Some(w) = self.when_busy {
            t.when_busy = w;
        }
        validate_trigger_settings(t)?;
        t.reschedule(now)
    }
}
