//! Database sessions kept open between the steps of a run, and between runs.
//!
//! A database source reads a large table in many short steps (each bounded so
//! a Lambda invocation or a crash loses little), each over as many sessions as
//! it reads ranges at once. Logging in for every step costs the client a
//! handshake (and with SCRAM or TLS, real CPU) and the server a new backend
//! process per session; a session left idle after a step that ended well is
//! taken by the next step of the same URL instead.
//!
//! Sessions are kept under the whole URL (credentials included), so only a
//! step holding the same credentials takes one, with the rights they gave;
//! and under the async runtime whose reactor drives their sockets, so none
//! outlives it in another (tests run a runtime each).
//! A session is kept only after a step that ended well (never mid-statement),
//! at most [`MAX_IDLE`] per URL, for [`IDLE_FOR`]; one whose connection has
//! closed (its server or its runtime gone) is dropped when taken.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an idle session is kept.
pub const IDLE_FOR: Duration = Duration::from_secs(60);
/// Idle sessions kept per URL at most (the largest parallelism a mart takes).
pub const MAX_IDLE: usize = 32;

/// Idle sessions of type `T`, by URL.
pub struct Idle<T> {
    sessions: Mutex<HashMap<String, Vec<(T, Instant)>>>,
}

impl<T> Default for Idle<T> {
    fn default() -> Self {
        Idle {
            sessions: Mutex::new(HashMap::new()),
        }
    }
}

/// The key of `url`'s sessions in the current runtime.
fn key(url: &str) -> String {
    let runtime = tokio::runtime::Handle::try_current()
        .map(|h| h.id().to_string())
        .unwrap_or_default();
    format!("{runtime} {url}")
}

impl<T> Idle<T> {
    /// An idle session of `url` that `alive` accepts, the latest kept first;
    /// sessions past [`IDLE_FOR`] or not alive are dropped on the way.
    pub fn take(&self, url: &str, mut alive: impl FnMut(&mut T) -> bool) -> Option<T> {
        let mut dropped = vec![];
        let found = {
            let mut all = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            let key = key(url);
            let list = all.get_mut(&key)?;
            let now = Instant::now();
            let mut found = None;
            while let Some((mut session, since)) = list.pop() {
                if now.duration_since(since) < IDLE_FOR && alive(&mut session) {
                    found = Some(session);
                    break;
                }
                dropped.push(session);
            }
            if list.is_empty() {
                all.remove(&key);
            }
            found
        };
        // Closed outside the lock.
        drop(dropped);
        found
    }

    /// Keeps `session` of `url` for a later step; beyond [`MAX_IDLE`] it is
    /// dropped (closed).
    pub fn give(&self, url: &str, session: T) {
        let mut all = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let list = all.entry(key(url)).or_default();
        if list.len() < MAX_IDLE {
            list.push((session, Instant::now()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_taken_back_only_by_its_url_and_only_while_alive() {
        let idle: Idle<(u32, bool)> = Idle::default();
        idle.give("postgres://a:pw@h/db", (1, true));
        idle.give("postgres://a:pw@h/db", (2, false));
        assert_eq!(idle.take("postgres://a:other@h/db", |s| s.1), None);
        // The latest kept is closed: dropped, and the one before it taken.
        assert_eq!(idle.take("postgres://a:pw@h/db", |s| s.1), Some((1, true)));
        assert_eq!(idle.take("postgres://a:pw@h/db", |s| s.1), None);
    }

    #[test]
    fn no_more_than_max_idle_sessions_are_kept_per_url() {
        let idle: Idle<usize> = Idle::default();
        for i in 0..MAX_IDLE + 5 {
            idle.give("u", i);
        }
        let mut kept = 0;
        while idle.take("u", |_| true).is_some() {
            kept += 1;
        }
        assert_eq!(kept, MAX_IDLE);
    }
}
