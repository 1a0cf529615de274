//! Mail through Amazon SES: the `email` destination's transport on AWS. One
//! SendRawEmail per message, from the deployment's verified sender
//! (`SLUICE_MAIL_FROM`) to the envelope's recipients; the message (with its
//! attachment) is formatted by the caller.
//!
//! SES refuses a message over 10 MB, an unverified sender, or (in its sandbox)
//! an unverified recipient: those are final. Throttling and service errors may
//! pass later.

use async_trait::async_trait;
use aws_sdk_ses::Client;
use aws_sdk_ses::error::DisplayErrorContext;
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;
use sluice_domain::ports::{MailError, Mailer};

/// The mailer on SES.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
}

impl SesMailer {
    pub fn new(client: Client, from: impl Into<String>) -> Self {
        SesMailer {
            client,
            from: from.into(),
        }
    }

    /// A mailer with its own client, built from `config` (a Lambda function's).
    pub fn from_sdk_config(config: &aws_config::SdkConfig, from: impl Into<String>) -> Self {
        SesMailer::new(Client::new(config), from)
    }
}

#[async_trait]
impl Mailer for SesMailer {
    fn from(&self) -> &str {
        &self.from
    }

    async fn check(&self) -> Result<(), MailError> {
        let out = self
            .client
            .get_identity_verification_attributes()
            .identities(&self.from)
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(error = %DisplayErrorContext(&e), "SES could not be asked about the sender.");
                MailError::Unavailable("SES could not be reached".into())
            })?;
        let status = out
            .verification_attributes()
            .get(&self.from)
            .map(|a| a.verification_status().as_str().to_string());
        match status.as_deref() {
            Some("Success") => Ok(()),
            other => Err(MailError::Refused(format!(
                "SES has not verified the sender {} ({})",
                self.from,
                other.unwrap_or("not an identity of this account")
            ))),
        }
    }

    async fn send(&self, to: &[String], message: &[u8]) -> Result<(), MailError> {
        let raw = RawMessage::builder()
            .data(Blob::new(message))
            .build()
            .map_err(|e| MailError::Refused(e.to_string()))?;
        let result = self
            .client
            .send_raw_email()
            .source(&self.from)
            .set_destinations(Some(to.to_vec()))
            .raw_message(raw)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let detail = DisplayErrorContext(&e).to_string();
                tracing::warn!(error = %detail, "SES did not send the message.");
                let service = e.as_service_error();
                let code = service
                    .and_then(|s| aws_sdk_ses::error::ProvideErrorMetadata::code(s))
                    .unwrap_or_default()
                    .to_string();
                let message = service
                    .and_then(|s| aws_sdk_ses::error::ProvideErrorMetadata::message(s))
                    .unwrap_or_default()
                    .to_string();
                if service.is_some_and(|s| {
                    s.is_message_rejected()
                        || s.is_mail_from_domain_not_verified_exception()
                        || s.is_configuration_set_does_not_exist_exception()
                }) || code == "InvalidParameterValue"
                {
                    Err(MailError::Refused(format!("SES: {message}")))
                } else if code.is_empty() {
                    Err(MailError::Unavailable("SES could not be reached".into()))
                } else {
                    Err(MailError::Unavailable(format!("SES: {code}")))
                }
            }
        }
    }
}
