//! Runs: one execution of a data mart or a report. Created by the run machinery;
//! the API lists and reads them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Meta, entity};
use crate::ids::{Id, Kind};

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Run {
    #[serde(flatten)]
    pub meta: Meta,
    pub data_mart_id: Id,
    pub kind: RunKind,
    pub status: RunStatus,
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
}
entity!(Run, Kind::Run, parent = |r| Some(r.data_mart_id.clone()));
