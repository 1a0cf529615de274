//! Request budgets: each caller (an API key, a user, an operator token's
//! subject in its project) may make `requests_per_minute` requests in each
//! minute of the clock; past that, the API answers 429 with `Retry-After`
//! until the next minute. Public routes (sign-in, sign-up, health) have no
//! caller to count; sign-in is slowed and locked on its own.
//!
//! The count is a [`RequestCounter`]: DynamoDB's atomic `ADD` where many
//! functions serve the API, this process's own where one serves it all.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sluice_domain::ports::{RequestCounter, StoreError};

use crate::auth::{Credential, Principal};

/// The budget's window.
pub const WINDOW_SECONDS: i64 = 60;
/// Requests a minute per caller by default: 20 a second, more than a person
/// in the console or a well-behaved script makes.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 1_200;

/// Callers a process keeps counts of before it drops the past windows'.
const MAX_TRACKED: usize = 100_000;

/// The counts of one process: right where it serves the whole API (the local
/// server); per instance on Lambda, so functions count in DynamoDB instead.
#[derive(Default)]
pub struct ProcessCounter {
    windows: Mutex<HashMap<String, (i64, u64)>>,
}

#[async_trait]
impl RequestCounter for ProcessCounter {
    async fn hit(
        &self,
        caller: &str,
        window_start: i64,
        _window_seconds: i64,
    ) -> Result<u64, StoreError> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= MAX_TRACKED && !windows.contains_key(caller) {
            windows.retain(|_, (start, _)| *start >= window_start);
        }
        let entry = windows
            .entry(caller.to_string())
            .or_insert((window_start, 0));
        if entry.0 != window_start {
            *entry = (window_start, 0);
        }
        entry.1 += 1;
        Ok(entry.1)
    }
}

/// Whom a request counts against: the key, the user (all of their sessions
/// together), or the operator token's subject in its project.
pub fn caller(p: &Principal) -> String {
    match &p.credential {
        Credential::ApiKey { key } => format!("key:{key}"),
        Credential::Session { user, .. } => format!("user:{user}"),
        Credential::Operator => format!("operator:{}:{}", p.project, p.subject),
    }
}

/// The start of the window `now` falls in, and the whole seconds left of it
/// (at least 1).
pub fn window(now: DateTime<Utc>) -> (i64, u64) {
    let t = now.timestamp();
    let start = t - t.rem_euclid(WINDOW_SECONDS);
    (start, (start + WINDOW_SECONDS - t).max(1) as u64)
}

/// Counts the request; `Some(seconds)` to wait when it is over the budget. A
/// counter that fails lets the request through (logged): a budget guards the
/// service, it must not be the reason it is down.
pub async fn spend(
    counter: &dyn RequestCounter,
    per_minute: u32,
    principal: &Principal,
    now: DateTime<Utc>,
) -> Option<u64> {
    if per_minute == 0 {
        return None;
    }
    let (start, left) = window(now);
    match counter.hit(&caller(principal), start, WINDOW_SECONDS).await {
        Ok(n) if n > u64::from(per_minute) => Some(left),
        Ok(_) => None,
        Err(e) => {
            tracing::error!(error = %e, "Request budget: the count failed; the request goes on.");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_window_is_a_minute_of_the_clock_and_says_what_is_left() {
        let at = |s| Utc.timestamp_opt(s, 0).single().expect("time");
        // 1_800_000_000 is a whole minute: 30 s into the next one.
        assert_eq!(window(at(1_800_000_030)), (1_800_000_000, 30));
        assert_eq!(window(at(120)), (120, 60));
        assert_eq!(window(at(179)), (120, 1));
    }

    #[tokio::test]
    async fn a_process_counts_each_caller_in_its_window_and_starts_again_in_the_next() {
        let c = ProcessCounter::default();
        assert_eq!(c.hit("a", 60, 60).await.expect("hit"), 1);
        assert_eq!(c.hit("a", 60, 60).await.expect("hit"), 2);
        assert_eq!(c.hit("b", 60, 60).await.expect("hit"), 1);
        assert_eq!(c.hit("a", 120, 60).await.expect("hit"), 1);
    }
}
