//! Mail through the operator's SMTP server (`sluice serve --smtp-url`): the
//! `email` destination's transport when Sluice runs on one machine. The URL
//! carries the server's credentials and is never logged or shown; errors name
//! the server's host only.
//!
//! `smtp://user:pass@host:587?tls=required` upgrades with STARTTLS (refusing a
//! server that cannot), `smtps://user:pass@host:465` speaks TLS from the start,
//! and `smtp://host:25` sends in the clear (a relay on the same network).

use std::time::Duration;

use async_trait::async_trait;
use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sluice_domain::ports::{MailError, Mailer};

/// Sends through one SMTP server, as one sender.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: String,
    /// `from`, parsed once.
    sender: lettre::Address,
    host: String,
}

/// Why an SMTP mailer could not be configured; never quotes the URL.
#[derive(Debug, thiserror::Error)]
pub enum SmtpConfigError {
    #[error("the SMTP URL does not parse (smtp://user:password@host:587?tls=required)")]
    Url,
    #[error("the sender `{0}` is not an email address")]
    From(String),
}

impl SmtpMailer {
    /// The mailer of `url` sending as `from`.
    pub fn new(url: &str, from: &str) -> Result<SmtpMailer, SmtpConfigError> {
        let sender = from
            .parse::<lettre::Address>()
            .map_err(|_| SmtpConfigError::From(from.to_string()))?;
        let host = url
            .split_once("://")
            .map(|(_, rest)| rest)
            .map(|rest| rest.rsplit_once('@').map_or(rest, |(_, h)| h))
            .map(|h| {
                h.split(['/', '?', ':'])
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
            .filter(|h| !h.is_empty())
            .ok_or(SmtpConfigError::Url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| SmtpConfigError::Url)?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(SmtpMailer {
            transport,
            from: from.to_string(),
            sender,
            host,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    fn from(&self) -> &str {
        &self.from
    }

    async fn send(&self, to: &[String], message: &[u8]) -> Result<(), MailError> {
        let to = to
            .iter()
            .map(|a| {
                a.parse::<lettre::Address>()
                    .map_err(|_| MailError::Refused(format!("`{a}` is not an email address")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let envelope = Envelope::new(Some(self.sender.clone()), to)
            .map_err(|e| MailError::Refused(format!("the envelope: {e}")))?;
        match self.transport.send_raw(&envelope, message).await {
            Ok(_) => Ok(()),
            // A 5xx is the server's final word; the rest (4xx, no connection,
            // TLS, timeouts) may pass later. Neither quotes the URL.
            Err(e) if e.is_permanent() => Err(MailError::Refused(format!(
                "{} answered {}",
                self.host,
                e.status()
                    .map_or_else(|| "with an error".to_string(), |c| c.to_string())
            ))),
            Err(e) => {
                let why = if e.is_transient() {
                    format!(
                        "{} asked to try later ({})",
                        self.host,
                        e.status().map(|c| c.to_string()).unwrap_or_default()
                    )
                } else if e.is_timeout() {
                    format!("{} timed out", self.host)
                } else if e.is_tls() {
                    format!("no TLS with {}", self.host)
                } else {
                    format!("could not talk to {}", self.host)
                };
                Err(MailError::Unavailable(why))
            }
        }
    }

    async fn check(&self) -> Result<(), MailError> {
        // Connects, greets, upgrades to TLS and logs in as a send would; no
        // message. lettre's errors never carry the URL.
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(MailError::Unavailable(format!(
                "{} did not answer NOOP",
                self.host
            ))),
            Err(e) if e.is_permanent() => Err(MailError::Refused(format!(
                "{} refused the session ({})",
                self.host,
                e.status()
                    .map_or_else(|| "an error".to_string(), |c| c.to_string())
            ))),
            Err(e) => Err(MailError::Unavailable(if e.is_tls() {
                format!("no TLS with {}", self.host)
            } else if e.is_timeout() {
                format!("{} timed out", self.host)
            } else {
                format!("could not talk to {}", self.host)
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_url_or_sender_is_refused_without_quoting_the_url() {
        let e = SmtpMailer::new("not a url with s3cret", "reports@example.com")
            .err()
            .expect("refused");
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert!(matches!(
            SmtpMailer::new("smtp://127.0.0.1:25", "not an address"),
            Err(SmtpConfigError::From(_))
        ));
        let m = SmtpMailer::new(
            "smtp://user:s3cret@mail.example.com:587?tls=required",
            "reports@example.com",
        )
        .expect("configured");
        assert_eq!(m.host, "mail.example.com");
    }
}
