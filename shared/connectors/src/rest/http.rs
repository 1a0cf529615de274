//! What every connector over HTTP shares: keeping the credential out of what
//! is shown, `Retry-After` and `Link` headers, the backoff between retries,
//! short excerpts of response bodies.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// First retry delay; doubled on every retry up to [`BACKOFF_CAP`].
pub const BACKOFF_BASE: Duration = Duration::from_millis(200);
pub const BACKOFF_CAP: Duration = Duration::from_secs(10);
/// Longest `Retry-After` honoured in a step; a longer wait ends the step.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);
/// Characters of a response body quoted in an error.
pub const BODY_EXCERPT_CHARS: usize = 200;

/// A client for an API a project names: its requests go only where `egress`
/// allows, and it follows redirects only within the first request's origin
/// (a credential would otherwise travel to whatever host a redirect names).
pub fn api_client(egress: &sluice_domain::net::Egress, timeout: Duration) -> reqwest::Client {
    let redirects = reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_none_or(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > 10 {
            attempt.error("too many redirects")
        } else if same_origin {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    crate::egress::client_builder(egress)
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("sluice/", env!("CARGO_PKG_VERSION")))
        .redirect(redirects)
        .build()
        .expect("an HTTP client with static settings builds")
}

/// `url` fit for an error or a log line: no user info, the values of key-like
/// query parameters masked, then every secret `redactor` knows.
pub fn shown_url(url: &reqwest::Url, redactor: &Redactor) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    if shown.query().is_some() {
        let pairs: Vec<(String, String)> = shown
            .query_pairs()
            .map(|(k, v)| {
                let lower = k.to_ascii_lowercase();
                let sensitive = [
                    "key",
                    "token",
                    "secret",
                    "password",
                    "signature",
                    "auth",
                    "app_id",
                ]
                .iter()
                .any(|s| lower.contains(s));
                let v = if sensitive {
                    "***".to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    redactor.redact(shown.as_str())
}

/// Masks the credential wherever text from outside (a response body, a library
/// error) might carry it.
#[derive(Default)]
pub struct Redactor {
    /// Longest first, so a whole value is masked before a part of it.
    needles: Vec<String>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redactor(***)")
    }
}

impl Redactor {
    pub fn new(secret: &str) -> Redactor {
        Redactor::default().with(secret)
    }

    /// This one masking `secret` too (and its token without a scheme, and
    /// its percent-encoded form).
    pub fn with(mut self, secret: &str) -> Redactor {
        let secret = secret.trim();
        if secret.is_empty() {
            return self;
        }
        let mut needles = vec![secret.to_string()];
        // `Bearer abc…`: a server may echo the token without its scheme.
        if let Some(last) = secret.split_whitespace().last()
            && last != secret
            && last.len() >= 4
        {
            needles.push(last.to_string());
        }
        for n in needles.clone() {
            let encoded = percent_encode(&n);
            if encoded != n {
                needles.push(encoded);
            }
        }
        self.needles.extend(needles);
        self.needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        self.needles.dedup();
        self
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for n in &self.needles {
            if out.contains(n.as_str()) {
                out = out.replace(n.as_str(), "***");
            }
        }
        out
    }

    pub fn longest(&self) -> usize {
        self.needles.first().map_or(0, String::len)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `Retry-After` value: seconds, or an HTTP date.
pub fn retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            (at.with_timezone(&chrono::Utc) - now)
                .to_std()
                .unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(RETRY_AFTER_CAP))
}

/// The `rel="next"` target among `Link` header values (RFC 8288).
pub fn next_link<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    for value in values {
        let mut rest = value;
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let close = after.find('>')?;
            let target = &after[..close];
            let tail = &after[close + 1..];
            let end = tail.find('<').unwrap_or(tail.len());
            let is_next = tail[..end].split([';', ',']).any(|param| {
                param.split_once('=').is_some_and(|(name, v)| {
                    name.trim().eq_ignore_ascii_case("rel")
                        && v.trim()
                            .trim_matches('"')
                            .split_whitespace()
                            .any(|r| r.eq_ignore_ascii_case("next"))
                })
            });
            if is_next {
                return Some(target.trim().to_string());
            }
            rest = &tail[end..];
        }
    }
    None
}

/// At most `limit` characters of `text`, on one line.
pub fn excerpt(text: &str, limit: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    if one_line.chars().count() > limit {
        format!("{}…", one_line.chars().take(limit).collect::<String>())
    } else {
        one_line.to_string()
    }
}

/// The message of an error and its causes, which `Display` alone leaves out.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// Delay before retry number `attempt` (from 0): exponential with jitter.
pub fn backoff(attempt: u32) -> Duration {
    let full = BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(attempt.min(16)))
        .min(BACKOFF_CAP);
    let half = full / 2;
    let jitter = RandomState::new().build_hasher().finish() % (half.as_millis() as u64 + 1);
    half + Duration::from_millis(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_yield_the_next_target_only() {
        let one = r#"<https://x.test/a?page=1>; rel="prev", <https://x.test/a?page=3>; rel="next""#;
        assert_eq!(
            next_link([one].into_iter()),
            Some("https://x.test/a?page=3".into())
        );
        let bare = "</items?p=2>; rel=next";
        assert_eq!(next_link([bare].into_iter()), Some("/items?p=2".into()));
        let multi = r#"<https://x.test/a?p=9>; rel="last next""#;
        assert_eq!(
            next_link([multi].into_iter()),
            Some("https://x.test/a?p=9".into())
        );
        assert_eq!(
            next_link([r#"<https://x.test/a>; rel="last""#].into_iter()),
            None
        );
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date_and_is_capped() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .expect("valid")
            .with_timezone(&chrono::Utc);
        assert_eq!(retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("86400", now), Some(RETRY_AFTER_CAP));
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn backoff_grows_and_stays_under_the_cap() {
        for attempt in 0..30 {
            let d = backoff(attempt);
            assert!(d <= BACKOFF_CAP, "{attempt}: {d:?}");
        }
        assert!(backoff(0) <= BACKOFF_BASE);
        assert!(backoff(4) >= BACKOFF_BASE * 4);
    }

    #[test]
    fn the_credential_and_its_token_are_masked() {
        let r = Redactor::new("Bearer s3cr3t-token/x");
        let text =
            r.redact("bad token s3cr3t-token/x in Bearer s3cr3t-token/x and s3cr3t-token%2Fx");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(format!("{r:?}").contains("***"));
        assert_eq!(Redactor::new("").redact("as is"), "as is");
    }
}
