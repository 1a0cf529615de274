//! Queues on SQS (standard queues): each logical queue name of the port (`transform`,
//! `transform-dlq`…) maps to the URL of one SQS queue, given at construction; a name
//! outside the map is `QueueError::NoSuchQueue`. It passes the same contract suite as
//! `sluice-local`'s SQLite queue.
//!
//! | operation | call |
//! | --- | --- |
//! | send | SendMessage, `DelaySeconds` = the delay in whole seconds rounded up, at most 900 |
//! | receive | ReceiveMessage, `MaxNumberOfMessages` clamped to 1-10, `VisibilityTimeout` in whole seconds rounded up (at most 43,200), `WaitTimeSeconds` 0 (short poll), system attribute `ApproximateReceiveCount` → `receive_count` |
//! | ack | DeleteMessage; a receipt SQS no longer knows (`ReceiptHandleIsInvalid`) is done |
//! | set_visibility | ChangeMessageVisibility, whole seconds rounded up (at most 43,200); a message no longer there or no longer in flight (`ReceiptHandleIsInvalid`, `MessageNotInflight`) is done |
//!
//! The dead-letter queue is SQS's own redrive: the source queue `{name}` carries a
//! `RedrivePolicy` `{"deadLetterTargetArn": <ARN of {name}-dlq>, "maxReceiveCount": N}`
//! ([`create_queue_with_dlq`]), and SQS itself moves a message to `{name}-dlq` when a
//! receive would take it past N receives. This adapter moves nothing; it only reads the
//! DLQ under its own logical name, like any queue.
//!
//! Message bodies never reach an error message or a log line: errors name the queue
//! and the call and carry the service's answer, which never echoes a body.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use sluice_domain::ports::{Queue, QueueError, QueueMessage};
use tracing::instrument;

use crate::error::Error;

/// Suffix of a queue's dead-letter queue, as in the port.
pub const DLQ_SUFFIX: &str = "-dlq";
/// SQS's longest `DelaySeconds`.
const MAX_DELAY_SECS: u64 = 900;
/// SQS's longest visibility timeout (12 hours).
const MAX_VISIBILITY_SECS: u64 = 43_200;
/// SQS's longest retention, given to dead-letter queues so that a message keeps its
/// time there even after days in the source queue (retention counts from the send).
const DLQ_RETENTION_SECS: u32 = 1_209_600;

/// The queues on SQS: logical names mapped to queue URLs.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    urls: HashMap<String, String>,
}

impl SqsQueue {
    /// `queues` maps each logical name to its queue URL; a DLQ is a name of its own
    /// (`transform-dlq`), mapped to the URL of the source queue's redrive target.
    pub fn new<K, V>(client: Client, queues: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        SqsQueue {
            client,
            urls: queues
                .into_iter()
                .map(|(name, url)| (name.into(), url.into()))
                .collect(),
        }
    }

    /// Queues with their own client, built from `config` (a Lambda function's: `sluice_lambda::sdk_config`).
    pub fn from_sdk_config<K, V>(
        config: &aws_config::SdkConfig,
        queues: impl IntoIterator<Item = (K, V)>,
    ) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        SqsQueue::new(Client::new(config), queues)
    }

    fn url(&self, queue: &str) -> Result<&str, QueueError> {
        self.urls
            .get(queue)
            .map(String::as_str)
            .ok_or_else(|| QueueError::NoSuchQueue(queue.to_string()))
    }
}

/// Whole seconds, rounded up, at most `max`.
fn secs_up(d: Duration, max: u64) -> i32 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    // `max` is far below i32::MAX.
    secs.min(max) as i32
}

/// An SDK error as a queue error, with the SDK's whole context (service code, message,
/// request id) in the message.
fn backend(operation: &str, queue: &str, url: &str, e: impl std::error::Error) -> QueueError {
    QueueError::backend(format!(
        "SQS {operation} on queue `{queue}` ({url}): {}",
        DisplayErrorContext(e)
    ))
}

fn to_message(queue: &str, m: aws_sdk_sqs::types::Message) -> Result<QueueMessage, QueueError> {
    let id = m.message_id.unwrap_or_default();
    let bad = |what: &str| {
        QueueError::backend(format!(
            "SQS ReceiveMessage on queue `{queue}`: message `{id}` came without {what}"
        ))
    };
    let receive_count = m
        .attributes
        .as_ref()
        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .and_then(|n| n.parse::<u32>().ok())
        .ok_or_else(|| bad("a numeric ApproximateReceiveCount"))?;
    let receipt = m.receipt_handle.ok_or_else(|| bad("a receipt handle"))?;
    let body = m.body.ok_or_else(|| bad("a body"))?;
    if id.is_empty() {
        return Err(bad("a message id"));
    }
    Ok(QueueMessage {
        id,
        receipt,
        body,
        receive_count,
    })
}

#[async_trait]
impl Queue for SqsQueue {
    #[instrument(level = "debug", skip_all, fields(queue = %queue, ?delay))]
    async fn send(&self, queue: &str, body: &str, delay: Duration) -> Result<(), QueueError> {
        let url = self.url(queue)?;
        self.client
            .send_message()
            .queue_url(url)
            .message_body(body)
            .delay_seconds(secs_up(delay, MAX_DELAY_SECS))
            .send()
            .await
            .map_err(|e| backend("SendMessage", queue, url, e))?;
        Ok(())
    }

    #[instrument(level = "debug", skip_all, fields(queue = %queue, max, ?visibility))]
    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility: Duration,
    ) -> Result<Vec<QueueMessage>, QueueError> {
        let url = self.url(queue)?;
        let out = self
            .client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max.clamp(1, 10) as i32)
            .visibility_timeout(secs_up(visibility, MAX_VISIBILITY_SECS))
            .wait_time_seconds(0)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|e| backend("ReceiveMessage", queue, url, e))?;
        out.messages
            .unwrap_or_default()
            .into_iter()
            .map(|m| to_message(queue, m))
            .collect()
    }

    #[instrument(level = "debug", skip_all, fields(queue = %queue))]
    async fn ack(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        let url = self.url(queue)?;
        match self
            .client
            .delete_message()
            .queue_url(url)
            .receipt_handle(receipt)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // A receipt SQS does not know here: the message is gone (deleted, moved to
            // the DLQ) or the receipt is not this queue's. Nothing of it is left to
            // delete, as with the SQLite queue; said, since the consumer lost the race.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_receipt_handle_is_invalid()) =>
            {
                tracing::warn!(
                    queue,
                    "SQS DeleteMessage: the receipt is no longer valid, nothing to delete"
                );
                Ok(())
            }
            Err(e) => Err(backend("DeleteMessage", queue, url, e)),
        }
    }

    #[instrument(level = "debug", skip_all, fields(queue = %queue, ?visibility))]
    async fn set_visibility(
        &self,
        queue: &str,
        receipt: &str,
        visibility: Duration,
    ) -> Result<(), QueueError> {
        let url = self.url(queue)?;
        match self
            .client
            .change_message_visibility()
            .queue_url(url)
            .receipt_handle(receipt)
            .visibility_timeout(secs_up(visibility, MAX_VISIBILITY_SECS))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // The delivery is over (deleted, moved to the DLQ, no longer in flight):
            // nothing to change, as with the SQLite queue; said, since a heartbeat
            // that lands here has lost its message.
            Err(e)
                if e.as_service_error().is_some_and(|e| {
                    e.is_receipt_handle_is_invalid() || e.is_message_not_inflight()
                }) =>
            {
                tracing::warn!(
                    queue,
                    "SQS ChangeMessageVisibility: the delivery is over, nothing to change"
                );
                Ok(())
            }
            Err(e) => Err(backend("ChangeMessageVisibility", queue, url, e)),
        }
    }

    /// GetQueueAttributes (the message count) of each queue, in name order: each
    /// is there and these credentials may reach it.
    async fn check(&self) -> Result<(), QueueError> {
        let mut names: Vec<&String> = self.urls.keys().collect();
        names.sort();
        for queue in names {
            let url = &self.urls[queue];
            self.client
                .get_queue_attributes()
                .queue_url(url)
                .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
                .send()
                .await
                .map_err(|e| backend("GetQueueAttributes", queue, url, e))?;
        }
        Ok(())
    }
}

/// Creates the standard queues `{name}-dlq` and `{name}`, the latter with a redrive
/// policy sending a message to the former once a receive would take it past
/// `max_receives` receives (clamped to SQS's 1-1000). Returns their URLs: `(queue,
/// dlq)`. The DLQ keeps messages 14 days, SQS's longest retention.
///
/// CreateQueue is idempotent: queues already there with the same attributes are
/// returned as they are; with other attributes SQS refuses (`QueueNameExists`).
#[instrument(skip(client))]
pub async fn create_queue_with_dlq(
    client: &Client,
    name: &str,
    max_receives: u32,
) -> Result<(String, String), Error> {
    let dlq = format!("{name}{DLQ_SUFFIX}");
    let aws = |operation: &str, queue: &str, e: &dyn std::error::Error| Error::Aws {
        operation: format!("SQS {operation} of queue `{queue}`"),
        message: DisplayErrorContext(e).to_string(),
    };
    let missing = |operation: &str, queue: &str, what: &str| Error::Aws {
        operation: format!("SQS {operation} of queue `{queue}`"),
        message: format!("the answer has no {what}"),
    };

    let dlq_url = client
        .create_queue()
        .queue_name(&dlq)
        .attributes(
            QueueAttributeName::MessageRetentionPeriod,
            DLQ_RETENTION_SECS.to_string(),
        )
        .send()
        .await
        .map_err(|e| aws("CreateQueue", &dlq, &e))?
        .queue_url
        .ok_or_else(|| missing("CreateQueue", &dlq, "queue URL"))?;
    let dlq_arn = client
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| aws("GetQueueAttributes", &dlq, &e))?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| missing("GetQueueAttributes", &dlq, "QueueArn"))?;

    let policy = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": max_receives.clamp(1, 1000),
    });
    let url = client
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
        .send()
        .await
        .map_err(|e| aws("CreateQueue", name, &e))?
        .queue_url
        .ok_or_else(|| missing("CreateQueue", name, "queue URL"))?;
    Ok((url, dlq_url))
}
