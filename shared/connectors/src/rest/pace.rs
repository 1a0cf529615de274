//! A source's request budget in this process: at most its
//! `requests_per_minute`, evenly spaced, and none before the time an API's
//! rate-limit headers said its window resets.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
struct Pacer {
    /// The earliest the next request may go.
    next_at: Instant,
}

static PACERS: Mutex<Option<HashMap<String, Pacer>>> = Mutex::new(None);

fn with<T>(key: &str, f: impl FnOnce(&mut Pacer) -> T) -> T {
    let mut all = PACERS.lock().unwrap_or_else(|p| p.into_inner());
    let map = all.get_or_insert_with(HashMap::new);
    if map.len() > 10_000 {
        // Sources long idle: their slots are in the past anyway.
        let now = Instant::now();
        map.retain(|_, p| p.next_at > now);
    }
    let p = map.entry(key.to_string()).or_insert(Pacer {
        next_at: Instant::now(),
    });
    f(p)
}

/// Takes the next request slot of source `key` at `per_minute`: how long to
/// wait for it. A slot further away than `at_most` is not taken: `Err` says
/// how far it is.
pub fn reserve(key: &str, per_minute: u64, at_most: Duration) -> Result<Duration, Duration> {
    let interval = Duration::from_secs(60) / per_minute.clamp(1, 100_000) as u32;
    with(key, |p| {
        let now = Instant::now();
        let start = p.next_at.max(now);
        let wait = start - now;
        if wait > at_most {
            return Err(wait);
        }
        p.next_at = start + interval;
        Ok(wait)
    })
}

/// No request of source `key` before `until` (the API's window resets then).
pub fn hold_until(key: &str, until: Instant) {
    with(key, |p| p.next_at = p.next_at.max(until));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_spaced_by_the_budget_and_a_hold_pushes_them_back() {
        let key = "pace-test-source";
        assert_eq!(
            reserve(key, 600, Duration::from_secs(1)),
            Ok(Duration::ZERO)
        );
        let second = reserve(key, 600, Duration::from_secs(1)).expect("within a second");
        assert!(second > Duration::from_millis(50) && second <= Duration::from_millis(100));
        hold_until(key, Instant::now() + Duration::from_secs(30));
        let far = reserve(key, 600, Duration::from_secs(1)).expect_err("30 s away");
        assert!(far > Duration::from_secs(29), "{far:?}");
        // Not taken: asking again is as far.
        assert!(reserve(key, 600, Duration::from_secs(1)).is_err());
    }
}
