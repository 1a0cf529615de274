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

/// Fire on success of upstream data marts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// The data marts (of this project) whose successful runs fire this trigger.
    pub data_mart_ids: Vec<Id>,
    /// `all`: fire once every upstream has succeeded since the last fire;
    /// `any`: fire on each upstream success.
    #[serde(default)]
    pub mode: UpstreamMode,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum UpstreamMode {
    #[default]
    All,
    Any,
}

/// Why a fire happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FireCause {
    /// The cron schedule, on time.
    Schedule,
    /// A fire missed while the platform was down, run by the catch-up policy.
    CatchUp,
    /// Upstream data marts succeeded.
    Upstream,
}

/// A fire claimed by a tick and not started yet: waiting for a free run slot, or
/// left by a tick that stopped half-way (the next tick starts it; its run id is
/// derived from `key`, so it starts once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PendingFire {
    /// `schedule:{instant}` or `upstream:{run id}`: names the fire, and its run.
    pub key: String,
    pub scheduled_for: DateTime<Utc>,
    pub cause: FireCause,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FireOutcome {
    /// A run started.
    Started,
    /// The target already ran its maximum of runs (`when_busy: skip`).
    SkippedBusy,
    /// Missed while the platform was down, dropped by the catch-up policy.
    SkippedMissed,
    /// The target cannot run now (deleted, unpublished, or a report).
    NotRunnable,
}

/// One fire of a trigger and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Fire {
    pub scheduled_for: DateTime<Utc>,
    pub fired_at: DateTime<Utc>,
    pub cause: FireCause,
    pub outcome: FireOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Fires kept on a trigger, newest first.
pub const RECENT_FIRES: usize = 20;
/// Upstream run ids remembered, so a redelivered event counts once.
const SEEN_UPSTREAM_RUNS: usize = 50;
/// A fire found later than this after its time was missed (the platform was down);
/// the catch-up policy decides what happens to it.
pub const MISFIRE_GRACE_SECONDS: i64 = 300;
/// Most missed fires counted after a long downtime.
const MAX_MISSED_SCAN: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Trigger {
    #[serde(flatten)]
    pub meta: Meta,
    pub target_kind: TargetKind,
    pub target_id: Id,
    /// Five-field cron expression or a preset (`@hourly`, `@daily`, `@weekly`,
    /// `@monthly`, `@every_15_minutes`); absent on an upstream trigger.
    #[serde(default)]
    pub cron: Option<String>,
    /// IANA time zone the cron is read in.
    pub timezone: String,
    /// Fire on success of these data marts instead of a schedule.
    #[serde(default)]
    pub upstream: Option<Upstream>,
    pub enabled: bool,
    pub retry: RetryPolicy,
    /// Longest a run may take before `RunSlaMissed` is raised.
    #[serde(default)]
    pub sla_seconds: Option<u32>,
    pub catch_up: CatchUp,
    /// Most missed fires run by `catch_up: all`.
    pub catch_up_cap: u32,
    pub when_busy: WhenBusy,
    /// Next scheduled fire; `None` while disabled or for an upstream trigger.
    #[serde(default)]
    pub next_fire_at: Option<DateTime<Utc>>,
    /// Fires claimed and not started yet (waiting for a run slot).
    #[serde(default)]
    pub pending: Vec<PendingFire>,
    /// When the pending fires are looked at again.
    #[serde(default)]
    pub wake_at: Option<DateTime<Utc>>,
    /// The last fires, newest first, with their runs.
    #[serde(default)]
    pub recent_fires: Vec<Fire>,
    /// Upstream data marts that succeeded since the last fire (`mode: all`): data
    /// mart id → the run.
    #[serde(default)]
    pub upstream_done: std::collections::BTreeMap<String, Id>,
    /// Upstream runs already counted.
    #[serde(default)]
    pub upstream_seen: Vec<Id>,
}
entity!(
    Trigger,
    Kind::Trigger,
    parent = |t| Some(t.target_id.clone()),
    due = |t| t.due().map(|d| d.timestamp_millis())
);

/// What a tick decided for a due trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// Fires to start now (appended to `pending`).
    pub fires: Vec<PendingFire>,
    /// Fires dropped by the catch-up policy (recorded as one `skipped_missed`).
    pub missed: usize,
}

impl Trigger {
    /// When the scheduler must look at this trigger next.
    pub fn due(&self) -> Option<DateTime<Utc>> {
        if !self.enabled || self.meta.deleted_at.is_some() {
            return None;
        }
        // Pending fires are looked at again at `wake_at`, or at once.
        let earliest = self.pending.iter().map(|p| p.scheduled_for).min();
        let pending = earliest.map(|at| self.wake_at.unwrap_or(at));
        [self.next_fire_at, pending].into_iter().flatten().min()
    }

    /// Recomputes `next_fire_at` from `now` (none while disabled).
    pub fn reschedule(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.next_fire_at = match (&self.cron, self.enabled) {
            (Some(cron), true) => {
                let (cron, tz) = parse_schedule(cron, &self.timezone)?;
                cron.next_after(tz.0, now)
            }
            _ => None,
        };
        if !self.enabled {
            self.pending.clear();
            self.wake_at = None;
        }
        Ok(())
    }

    /// The next `n` fire times from `now`, for display.
    pub fn upcoming(&self, now: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        match self
            .cron
            .as_deref()
            .map(|c| parse_schedule(c, &self.timezone))
        {
            Some(Ok((cron, tz))) if self.enabled => cron.upcoming(tz.0, now, n),
            _ => vec![],
        }
    }

    /// Claims the scheduled fires due at `now`: applies the catch-up policy to the
    /// missed ones, queues the rest in `pending` and moves `next_fire_at` past
    /// `now`. `None` when nothing is due.
    pub fn claim_due(&mut self, now: DateTime<Utc>) -> Option<Claim> {
        let first = self.next_fire_at.filter(|t| *t <= now)?;
        let (cron, tz) = parse_schedule(self.cron.as_deref()?, &self.timezone).ok()?;
        let mut times = vec![first];
        let mut t = first;
        while times.len() < MAX_MISSED_SCAN {
            match cron.next_after(tz.0, t) {
                Some(n) if n <= now => {
                    times.push(n);
                    t = n;
                }
                _ => break,
            }
        }
        let grace = chrono::Duration::seconds(MISFIRE_GRACE_SECONDS);
        let on_time = times.iter().filter(|t| now - **t <= grace).count();
        let late = times.len() - on_time;
        let keep = match self.catch_up {
            CatchUp::Skip => on_time,
            CatchUp::Latest => on_time.max(1),
            CatchUp::All => times
                .len()
                .min(self.catch_up_cap.max(on_time as u32) as usize),
        };
        let missed = times.len() - keep;
        let fires: Vec<PendingFire> = times[times.len() - keep..]
            .iter()
            .enumerate()
            .map(|(i, t)| PendingFire {
                key: format!(
                    "schedule:{}",
                    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
                scheduled_for: *t,
                cause: if i + missed < late {
                    FireCause::CatchUp
                } else {
                    FireCause::Schedule
                },
            })
            .collect();
        self.next_fire_at = cron.next_after(tz.0, now);
        for f in &fires {
            if !self.pending.iter().any(|p| p.key == f.key) {
                self.pending.push(f.clone());
            }
        }
        if missed > 0 {
            self.record(Fire {
                scheduled_for: times[missed - 1],
                fired_at: now,
                cause: FireCause::CatchUp,
                outcome: FireOutcome::SkippedMissed,
                run_id: None,
                detail: Some(format!(
                    "{missed} fire(s) missed while the scheduler was down, from {} (catch_up: {})",
                    times[0].to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    match self.catch_up {
                        CatchUp::Skip => "skip",
                        CatchUp::Latest => "latest",
                        CatchUp::All => "all",
                    }
                )),
            });
        }
        Some(Claim { fires, missed })
    }

    /// Counts an upstream success; `Some(fire)` (also queued in `pending`) when it
    /// completes the trigger's condition. A run already counted changes nothing.
    pub fn upstream_succeeded(
        &mut self,
        data_mart: &Id,
        run: &Id,
        at: DateTime<Utc>,
    ) -> Option<PendingFire> {
        let up = self.upstream.as_ref()?;
        if !self.enabled
            || !up.data_mart_ids.contains(data_mart)
            || self.upstream_seen.contains(run)
        {
            return None;
        }
        self.upstream_seen.push(run.clone());
        if self.upstream_seen.len() > SEEN_UPSTREAM_RUNS {
            self.upstream_seen.remove(0);
        }
        self.upstream_done
            .insert(data_mart.to_string(), run.clone());
        let ready = match up.mode {
            UpstreamMode::Any => true,
            UpstreamMode::All => up
                .data_mart_ids
                .iter()
                .all(|d| self.upstream_done.contains_key(d.as_str())),
        };
        if !ready {
            return None;
        }
        self.upstream_done.clear();
        let fire = PendingFire {
            key: format!("upstream:{run}"),
            scheduled_for: at,
            cause: FireCause::Upstream,
        };
        self.pending.push(fire.clone());
        Some(fire)
    }

    /// Adds a fire to `recent_fires` (newest first, bounded).
    pub fn record(&mut self, fire: Fire) {
        self.recent_fires.insert(0, fire);
        self.recent_fires.truncate(RECENT_FIRES);
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

/// `GET /v1/data-marts/{id}/lineage`: the data marts this one waits on, and those
/// that wait on it, through upstream triggers, transitively.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Lineage {
    pub data_mart_id: Id,
    /// Nearest first.
    pub upstream: Vec<LineageLink>,
    /// Nearest first.
    pub downstream: Vec<LineageLink>,
    /// Every dependency between two data marts of the lineage (this one, its
    /// upstream and its downstream): the graph to draw, where `upstream` and
    /// `downstream` list each mart once, by its nearest link.
    pub edges: Vec<LineageEdge>,
}

/// One dependency: `downstream` runs after `upstream` through `trigger_id`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LineageEdge {
    pub upstream: Id,
    pub downstream: Id,
    /// The upstream trigger that makes it (on the downstream data mart).
    pub trigger_id: Id,
    pub mode: UpstreamMode,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LineageLink {
    pub data_mart_id: Id,
    /// 1 for a direct link.
    pub depth: u32,
    /// The upstream trigger that makes the link (on the downstream data mart).
    pub trigger_id: Id,
    pub mode: UpstreamMode,
}

/// An edge of the dependency graph: `downstream` runs after `upstream` through
/// `trigger`.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub upstream: Id,
    pub downstream: Id,
    pub trigger: Id,
    pub mode: UpstreamMode,
}

/// The edges live upstream triggers on data marts make.
pub fn dependency_edges<'a>(triggers: impl IntoIterator<Item = &'a Trigger>) -> Vec<Edge> {
    let mut out = vec![];
    for t in triggers {
        if t.meta.deleted_at.is_some() || t.target_kind != TargetKind::DataMart {
            continue;
        }
        if let Some(up) = &t.upstream {
            for u in &up.data_mart_ids {
                out.push(Edge {
                    upstream: u.clone(),
                    downstream: t.target_id.clone(),
                    trigger: t.meta.id.clone(),
                    mode: up.mode,
                });
            }
        }
    }
    out
}

/// The cycle adding `new` edges to `edges` would close, as the data marts along
/// it (first and last the same), or `None`.
pub fn find_cycle(edges: &[Edge], new: &[Edge]) -> Option<Vec<Id>> {
    for e in new {
        // A path downstream → … → upstream closes the loop upstream → downstream.
        let mut prev: std::collections::HashMap<&Id, &Id> = Default::default();
        let mut queue = std::collections::VecDeque::from([&e.downstream]);
        while let Some(at) = queue.pop_front() {
            if at == &e.upstream {
                let mut path = vec![at.clone()];
                let mut cur = at;
                while let Some(p) = prev.get(cur) {
                    path.push((*p).clone());
                    cur = p;
                }
                path.reverse();
                path.insert(0, e.upstream.clone());
                return Some(path);
            }
            for next in edges.iter().chain(new).filter(|x| &x.upstream == at) {
                if next.downstream != e.downstream && !prev.contains_key(&next.downstream) {
                    prev.insert(&next.downstream, at);
                    queue.push_back(&next.downstream);
                }
            }
        }
    }
    None
}

/// Walks `edges` from `start`, upstream or downstream, nearest first.
/// The dependencies among `start` and the marts of its `links`, each once.
pub fn lineage_edges(edges: &[Edge], start: &Id, links: &[&LineageLink]) -> Vec<LineageEdge> {
    let within = |id: &Id| id == start || links.iter().any(|l| &l.data_mart_id == id);
    let mut out: Vec<LineageEdge> = vec![];
    for e in edges {
        if within(&e.upstream)
            && within(&e.downstream)
            && !out
                .iter()
                .any(|o| o.upstream == e.upstream && o.downstream == e.downstream)
        {
            out.push(LineageEdge {
                upstream: e.upstream.clone(),
                downstream: e.downstream.clone(),
                trigger_id: e.trigger.clone(),
                mode: e.mode,
            });
        }
    }
    out
}

pub fn lineage(edges: &[Edge], start: &Id, upstream: bool) -> Vec<LineageLink> {
    let mut out: Vec<LineageLink> = vec![];
    let mut frontier = vec![start.clone()];
    let mut depth = 0;
    while !frontier.is_empty() && depth < 100 {
        depth += 1;
        let mut next = vec![];
        for at in &frontier {
            for e in edges {
                let (from, to) = if upstream {
                    (&e.downstream, &e.upstream)
                } else {
                    (&e.upstream, &e.downstream)
                };
                if from == at && to != start && !out.iter().any(|l| &l.data_mart_id == to) {
                    out.push(LineageLink {
                        data_mart_id: to.clone(),
                        depth,
                        trigger_id: e.trigger.clone(),
                        mode: e.mode,
                    });
                    next.push(to.clone());
                }
            }
        }
        frontier = next;
    }
    out
}

/// `POST /v1/triggers`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTrigger {
    pub target_kind: TargetKind,
    pub target_id: String,
    /// A schedule; or set `upstream` instead.
    #[serde(default)]
    pub cron: Option<String>,
    /// Fire on success of upstream data marts instead of a schedule.
    #[serde(default)]
    pub upstream: Option<UpstreamRequest>,
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

/// Upstream data marts, as a request names them.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpstreamRequest {
    /// 1-20 data marts of this project.
    pub data_mart_ids: Vec<String>,
    #[serde(default)]
    pub mode: UpstreamMode,
}

impl UpstreamRequest {
    fn parse(self) -> Result<Upstream, DomainError> {
        if self.data_mart_ids.is_empty() || self.data_mart_ids.len() > 20 {
            return Err(DomainError::invalid(
                "upstream.data_mart_ids",
                "name 1 to 20 data marts",
            ));
        }
        let mut ids: Vec<Id> = Vec::with_capacity(self.data_mart_ids.len());
        for (i, raw) in self.data_mart_ids.iter().enumerate() {
            let id = parse_ref(&format!("upstream.data_mart_ids[{i}]"), Kind::DataMart, raw)?;
            if ids.contains(&id) {
                return Err(DomainError::invalid(
                    format!("upstream.data_mart_ids[{i}]"),
                    format!("{id} is listed twice"),
                ));
            }
            ids.push(id);
        }
        Ok(Upstream {
            data_mart_ids: ids,
            mode: self.mode,
        })
    }
}

/// `PATCH /v1/triggers/{id}`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTrigger {
    /// A new schedule (replaces `upstream`).
    pub cron: Option<String>,
    /// New upstream data marts (replaces `cron`).
    pub upstream: Option<UpstreamRequest>,
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
    match (&t.cron, &t.upstream) {
        (Some(cron), None) => drop(parse_schedule(cron, &t.timezone)?),
        (None, Some(up)) => {
            TimeZone::parse(&t.timezone)?;
            if t.target_kind == TargetKind::DataMart && up.data_mart_ids.contains(&t.target_id) {
                return Err(DomainError::invalid(
                    "upstream.data_mart_ids",
                    format!("{} cannot depend on itself", t.target_id),
                ));
            }
        }
        (Some(_), Some(_)) => {
            return Err(DomainError::invalid(
                "upstream",
                "a trigger fires on a schedule (`cron`) or on upstream success (`upstream`), not both",
            ));
        }
        (None, None) => {
            return Err(DomainError::invalid(
                "cron",
                "set a schedule (`cron`), or `upstream` data marts to fire after",
            ));
        }
    }
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
        let upstream = self.upstream.map(UpstreamRequest::parse).transpose()?;
        let mut t = Trigger {
            meta,
            target_kind: self.target_kind,
            target_id,
            cron: self.cron.map(|c| c.trim().to_string()),
            timezone: self.timezone,
            upstream,
            enabled: self.enabled,
            retry: self.retry,
            sla_seconds: self.sla_seconds,
            catch_up: self.catch_up,
            catch_up_cap: self.catch_up_cap,
            when_busy: self.when_busy,
            next_fire_at: None,
            pending: vec![],
            wake_at: None,
            recent_fires: vec![],
            upstream_done: Default::default(),
            upstream_seen: vec![],
        };
        validate_trigger_settings(&t)?;
        t.reschedule(now)?;
        Ok(t)
    }
}

impl UpdateTrigger {
    /// Applies the changes and reschedules from `now`.
    pub fn apply(self, t: &mut Trigger, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.cron.is_some() && self.upstream.is_some() {
            return Err(DomainError::invalid(
                "upstream",
                "a trigger fires on a schedule (`cron`) or on upstream success (`upstream`), not both",
            ));
        }
        if let Some(c) = self.cron {
            t.cron = Some(c.trim().to_string());
            t.upstream = None;
        }
        if let Some(u) = self.upstream {
            t.upstream = Some(u.parse()?);
            t.cron = None;
            t.upstream_done.clear();
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

#[cfg(test)]
mod lineage_tests {
    use super::*;
    use crate::Kind;

    fn id(name: &str) -> Id {
        Id::derived(Kind::DataMart, &[name])
    }

    fn edge(up: &str, down: &str) -> Edge {
        Edge {
            upstream: id(up),
            downstream: id(down),
            trigger: Id::derived(Kind::Trigger, &[down]),
            mode: UpstreamMode::All,
        }
    }

    #[test]
    fn a_diamonds_lineage_has_its_four_dependencies_and_no_others() {
        // a feeds b and c, both feed d; x feeds e, outside d's lineage.
        let edges = vec![
            edge("a", "b"),
            edge("a", "c"),
            edge("b", "d"),
            edge("c", "d"),
            edge("x", "e"),
        ];
        let up = lineage(&edges, &id("d"), true);
        assert_eq!(up.len(), 3, "b and c at depth 1, a at depth 2");
        let links: Vec<&LineageLink> = up.iter().collect();
        let among: Vec<(Id, Id)> = lineage_edges(&edges, &id("d"), &links)
            .into_iter()
            .map(|e| (e.upstream, e.downstream))
            .collect();
        let want: Vec<(Id, Id)> = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]
            .into_iter()
            .map(|(u, d)| (id(u), id(d)))
            .collect();
        assert_eq!(among, want);
    }
}
