//! The health check: each part this process uses, asked at once with one cheap
//! call under a short timeout. What failed is named (`store`, `queue`…); why is
//! in the server's log only, never in the answer.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use sluice_domain::Kind;
use sluice_domain::entities::health_partition;

use crate::Deps;

/// How long one part may take to answer before it counts as down.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The secret the check reads: a name no project's secret can have
/// (`sluice/{project}/…`), so its grant reaches nothing of a project.
pub const PROBE_SECRET: &str = "sluice/health";

/// How one part answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    Ok,
    /// It answered with an error.
    Failed,
    /// It did not answer within the check's timeout.
    TimedOut,
}

/// The answer of `GET /health`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct HealthView {
    /// `ok` when every part answered, `unavailable` (with status 503) when one did not.
    pub status: String,
    pub version: String,
    /// Each part this process uses (`store`, `secrets`, `queue`, `objects`,
    /// `warehouse`) and how it answered.
    pub checks: BTreeMap<String, CheckState>,
}

impl HealthView {
    pub fn is_ok(&self) -> bool {
        self.checks.values().all(|c| *c == CheckState::Ok)
    }
}

/// Asks one part, within the timeout; logs why it failed.
async fn ask<E: std::fmt::Display>(
    part: &'static str,
    call: impl Future<Output = Result<(), E>>,
) -> (String, CheckState) {
    let state = match tokio::time::timeout(CHECK_TIMEOUT, call).await {
        Ok(Ok(())) => CheckState::Ok,
        Ok(Err(e)) => {
            tracing::error!(part, error = %e, "Health check: a part failed.");
            CheckState::Failed
        }
        Err(_) => {
            tracing::error!(
                part,
                timeout_ms = CHECK_TIMEOUT.as_millis() as u64,
                "Health check: a part did not answer in time."
            );
            CheckState::TimedOut
        }
    };
    (part.to_string(), state)
}

/// Checks every part `deps` holds, all at once.
pub async fn check(deps: &Deps) -> HealthView {
    let partition = health_partition();
    let store = ask("store", async {
        deps.store
            .get(&partition, Kind::Project, &partition)
            .await
            .map(|_| ())
    });
    let secrets = ask("secrets", async {
        deps.secrets.get(PROBE_SECRET).await.map(|_| ())
    });
    let queue = async {
        match &deps.queue {
            Some(q) => Some(ask("queue", q.check()).await),
            None => None,
        }
    };
    let objects = async {
        match &deps.objects {
            Some(o) => Some(ask("objects", o.check()).await),
            None => None,
        }
    };
    let warehouse = async {
        match &deps.warehouse {
            Some(w) => Some(ask("warehouse", w.check()).await),
            None => None,
        }
    };
    let (store, secrets, queue, objects, warehouse) =
        tokio::join!(store, secrets, queue, objects, warehouse);
    let checks: BTreeMap<String, CheckState> =
        [Some(store), Some(secrets), queue, objects, warehouse]
            .into_iter()
            .flatten()
            .collect();
    let mut view = HealthView {
        status: String::new(),
        version: env!("CARGO_PKG_VERSION").into(),
        checks,
    };
    view.status = if view.is_ok() { "ok" } else { "unavailable" }.into();
    view
}
