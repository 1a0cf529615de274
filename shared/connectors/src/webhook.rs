//! Outbound notifications: a JSON POST to a webhook URL, retried a few times on a
//! network error, a 429 or a 5xx. The URL never appears in an error (webhook URLs
//! often carry a token in their path).

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sluice_domain::net::Egress;
use sluice_domain::ports::{Notifier, NotifyError};

const ATTEMPTS: u32 = 3;

/// `https://host:port` of `url`, without its path, query or user info.
pub fn origin(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{}://{h}:{p}", url.scheme()),
        (Some(h), None) => format!("{}://{h}", url.scheme()),
        _ => url.scheme().to_string(),
    }
}

/// The `Sluice-Signature` value of `body` at `timestamp`: `t=<timestamp>,v1=<hex
/// HMAC-SHA256 of "<timestamp>.<body>">`, as every webhook request carries it.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

pub struct WebhookNotifier {
    client: reqwest::Client,
    egress: Egress,
    /// First wait between attempts; doubles.
    backoff: Duration,
}

impl WebhookNotifier {
    /// Posts only where `egress` allows (a project names the URL).
    pub fn new(egress: &Egress) -> WebhookNotifier {
        WebhookNotifier::with_backoff(egress, Duration::from_millis(500))
    }

    pub fn with_backoff(egress: &Egress, backoff: Duration) -> WebhookNotifier {
        WebhookNotifier {
            client: crate::egress::client_builder(egress)
                .timeout(Duration::from_secs(10))
                .connect_timeout(Duration::from_secs(5))
                .user_agent(concat!("sluice/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("an HTTP client with static settings builds"),
            egress: egress.clone(),
            backoff,
        }
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    async fn notify(&self, url: &str, payload: &serde_json::Value) -> Result<(), NotifyError> {
        let attempts = ATTEMPTS;
        let mut last = NotifyError::Unreachable {
            reason: "the webhook request failed",
            attempts,
        };
        let out_of_reach = NotifyError::Unreachable {
            reason: "the webhook's address is not a public one",
            attempts: 1,
        };
        let parsed = reqwest::Url::parse(url).map_err(|_| NotifyError::Unreachable {
            reason: "the webhook URL does not parse",
            attempts: 1,
        })?;
        if crate::egress::check_url(&self.egress, &parsed).is_err() {
            return Err(out_of_reach);
        }
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(self.backoff * (1 << (attempt - 1))).await;
            }
            match self.client.post(url).json(payload).send().await {
                Ok(r) if r.status().is_success() => return Ok(()),
                Ok(r) => {
                    let s = r.status();
                    last = NotifyError::Refused {
                        status: s.as_u16(),
                        attempts: attempt + 1,
                    };
                    if !(s.is_server_error() || s.as_u16() == 429 || s.as_u16() == 408) {
                        return Err(last);
                    }
                }
                Err(e) if crate::egress::refused_by_policy(&e).is_some() => {
                    return Err(out_of_reach);
                }
                // reqwest's errors name the URL: say what happened without it.
                Err(e) => {
                    let reason = if e.is_timeout() {
                        "the webhook timed out"
                    } else if e.is_connect() {
                        "could not connect to the webhook"
                    } else {
                        "the webhook request failed"
                    };
                    last = NotifyError::Unreachable {
                        reason,
                        attempts: attempt + 1,
                    };
                }
            }
        }
        Err(last)
    }
}
