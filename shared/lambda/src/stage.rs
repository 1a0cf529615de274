//! The shared body of the stage functions (`extract-*`, `transform-batch`,
//! `load-finalize`): each is fed by its SQS queue and hands every message to
//! [`Machine::handle`], the same code the local workers run. Failures are reported
//! per message (`ReportBatchItemFailures`), so one bad message never makes SQS
//! redeliver the rest of its batch; a message to retry gets a backoff first.

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_http::{LambdaEvent, service_fn};
use sluice_domain::ports::QueueMessage;
use sluice_runs::{Limits, Links, Machine, MakeExtractor, MakeWriter, Outcome, Stage};
use tokio::task::JoinSet;

pub use sluice_runs::{
    AnyStage, Deliver, Extract, Finalize, Materialize, Transform, extractors, writers,
};

/// The whole `main` of the stage function `name`, consuming `queue`, serving stage
/// `S` (its binary links that stage's code only).
pub async fn run_stage<S: Stage>(name: &str, queue: String) -> Result<(), lambda_http::Error> {
    serve::<S>(name, queue, Links::NONE).await
}

/// [`run_stage`], its machine running `links`.
async fn serve<S: Stage>(
    name: &str,
    queue: String,
    links: Links,
) -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let machine = match init_for::<S>(links).await {
        Ok(m) => Arc::new(m),
        Err(e) => {
            crate::report_init_error(&format!("{name}: {e}"));
            return Err(e.into());
        }
    };
    let queue = queue.as_str();
    lambda_http::lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let machine = machine.clone();
        async move {
            Ok::<_, lambda_http::Error>(handle_batch::<S>(&machine, queue, event.payload).await)
        }
    }))
    .await
}

/// The whole `main` of the extraction function of the registered connector
/// `connector`: its function name and queue come from the connector registry,
/// its extractor from `extractors` (one of [`extractors`], which the binary
/// links alone).
pub async fn run_extract(
    connector: &'static str,
    extractors: MakeExtractor,
) -> Result<(), lambda_http::Error> {
    let Some(c) = sluice_domain::connectors::registered(connector) else {
        let e = format!("no connector `{connector}` is registered");
        crate::init_tracing();
        crate::report_init_error(&e);
        return Err(e.into());
    };
    serve::<Extract>(&c.function(), c.queue(), Links::extracting(extractors)).await
}

/// The whole `main` of the delivery function of destination kind `kind`: its
/// function name and queue come from the delivery registry, its writer from
/// `writers` (one of [`writers`], which the binary links alone).
pub async fn run_delivery(
    kind: &'static str,
    writers: MakeWriter,
) -> Result<(), lambda_http::Error> {
    let d = match sluice_domain::connectors::delivery(kind) {
        Some(d) if writers(kind).is_some() => d,
        found => {
            let e = match found {
                None => format!("destinations of kind `{kind}` do not deliver"),
                Some(_) => format!("the function of `{kind}` links no writer of its kind"),
            };
            crate::init_tracing();
            crate::report_init_error(&e);
            return Err(e.into());
        }
    };
    serve::<Deliver>(&d.function(), d.queue(), Links::delivering(writers)).await
}

/// The run machine over the AWS adapters: `SLUICE_TABLE`, and the run parts of
/// [`crate::parts`] whose variables are set (a stage function needs the bucket and
/// the queues; finalizing, the warehouse).
pub async fn init(links: Links) -> Result<Machine, crate::InitError> {
    let deps = crate::worker_deps().await?;
    Ok(Machine::linking(deps, Limits::default(), links)?)
}

/// [`init`], then the parts stage `S` calls beyond the queues and the object
/// store ([`Stage::NEEDS`]): a missing one stops the function at cold start.
pub async fn init_for<S: Stage>(links: Links) -> Result<Machine, crate::InitError> {
    let machine = init(links).await?;
    machine.deps.check(S::NEEDS)?;
    Ok(machine)
}

/// Handles a batch, its messages at once; answers which ones to redeliver.
pub async fn handle_batch<S: Stage>(
    machine: &Arc<Machine>,
    queue: &str,
    event: SqsEvent,
) -> SqsBatchResponse {
    let mut failures = vec![];
    let mut tasks = JoinSet::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let msg = match to_queue_message(record) {
            Ok(m) => m,
            Err(why) => {
                // Nothing can handle it; redelivering would only fill the DLQ later.
                tracing::error!(message_id = %id, reason = %why, "Unreadable SQS record dropped.");
                continue;
            }
        };
        let (machine, queue) = (machine.clone(), queue.to_string());
        tasks.spawn(async move {
            let outcome = machine.handle_in::<S>(&msg).await;
            if let Outcome::Later(wait) = outcome {
                // Back on the queue as a new message, and this one deleted (not
                // reported); else this one comes again (reported).
                let put_back = machine.put_back(&queue, &msg, wait).await;
                return (!put_back).then_some(msg.id);
            }
            if let Outcome::Retry(reason) = outcome {
                tracing::warn!(message_id = %msg.id, receive = msg.receive_count, reason = %reason, "Message left for redelivery.");
                // 1 s, 2 s, 4 s, … instead of the queue's whole visibility timeout.
                let wait = Duration::from_secs(1 << msg.receive_count.clamp(1, 6).saturating_sub(1));
                if let Err(e) = machine.queue().set_visibility(&queue, &msg.receipt, wait).await {
                    tracing::warn!(error = %e, "Could not set the retry backoff.");
                }
                return Some(msg.id);
            }
            None
        });
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Some(id)) => failures.push(id),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "A message handler panicked."),
        }
    }
    failures.sort();
    let mut response = SqsBatchResponse::default();
    for id in failures {
        let mut failure = BatchItemFailure::default();
        failure.item_identifier = id;
        response.batch_item_failures.push(failure);
    }
    response
}

/// An SQS record as the queue port's message.
pub fn to_queue_message(m: SqsMessage) -> Result<QueueMessage, UnreadableRecord> {
    let receive_count = m
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|n| n.parse::<u32>().ok())
        .ok_or(UnreadableRecord(
            "a numeric ApproximateReceiveCount attribute",
        ))?;
    Ok(QueueMessage {
        id: m.message_id.ok_or(UnreadableRecord("a messageId"))?,
        receipt: m
            .receipt_handle
            .ok_or(UnreadableRecord("a receiptHandle"))?,
        body: m.body.ok_or(UnreadableRecord("a body"))?,
        receive_count,
    })
}

/// An SQS record without what every message has (named).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the SQS record has no {0}")]
pub struct UnreadableRecord(pub &'static str);
