//! Shared harness of the test suites: the contract suites that every adapter of a
//! port must pass, and helpers that start real parts (moto, PostgreSQL, the local
//! server) on free loopback ports and stop them when dropped.

pub mod access;
pub mod api_suite;
pub mod app;
pub mod connectors;
pub mod contract;
pub mod google;
pub mod identity;
pub mod isolation;
pub mod lambda_invoke;
pub mod moto;
pub mod mysql;
pub mod postgres;
pub mod runs;
pub mod smtp;

/// A run of `data_mart` brought to `status` through the run machine's own
/// transitions, as a fixture to seed.
pub fn run_in(
    status: sluice_domain::entities::RunStatus,
    meta: sluice_domain::entities::Meta,
    data_mart: sluice_domain::Id,
) -> sluice_domain::entities::Run {
    use sluice_domain::entities::{ChunkTally, Run, RunKind, RunStatus, StageState};
    let now = meta.created_at;
    let data_mart = sluice_domain::IdOf::of(data_mart).expect("a data mart id");
    let mut run = Run::queued(meta, data_mart, RunKind::Incremental);
    let moved = match status {
        RunStatus::Queued => Ok(()),
        RunStatus::Running => run.start(now),
        RunStatus::Paused => run.start(now).and_then(|()| run.pause()),
        RunStatus::Failed => run.start(now).and_then(|()| run.fail("seeded", now)),
        RunStatus::Cancelled => run.start(now).and_then(|()| run.cancel(now)),
        RunStatus::Interrupted => run.start(now).and_then(|()| run.interrupt()),
        RunStatus::Succeeded => run.start(now).and_then(|()| {
            run.stages.extract.finish(StageState::Succeeded, now);
            run.succeed(ChunkTally::default(), now)
        }),
    };
    moved.unwrap_or_else(|e| panic!("a fresh run reaches {status:?}: {e}"));
    run
}

/// What the SQS poller hands a function: the messages as records of one event.
pub fn as_sqs_event(
    queue: &str,
    messages: &[sluice_domain::ports::QueueMessage],
) -> aws_lambda_events::event::sqs::SqsEvent {
    let records: Vec<_> = messages
        .iter()
        .map(|m| {
            serde_json::json!({
                "messageId": m.id,
                "receiptHandle": m.receipt,
                "body": m.body,
                "attributes": {"ApproximateReceiveCount": m.receive_count.to_string()},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": format!("arn:aws:sqs:us-east-1:123456789012:test-{queue}"),
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({ "Records": records })).expect("SQS event")
}

/// Stops a server the tests started: `signal` (its clean shutdown), then a
/// kill once `grace` has passed; then removes its directory. Nothing is left
/// behind either way.
pub(crate) fn stop_server(
    child: &mut std::process::Child,
    signal: &str,
    grace: std::time::Duration,
    dir: &std::path::Path,
) {
    use std::process::{Command, Stdio};
    let stopped = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let deadline = std::time::Instant::now() + grace;
    while stopped && std::time::Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(dir);
}

/// The last 20 lines of a server's log, for an error saying why it did not start.
/// Whether a server failed to start because another process took its port
/// between [`moto::free_port`] and the server's bind (an outgoing connection's
/// ephemeral port may be any free one): starting again on a new port is right.
pub(crate) fn lost_its_port(e: &anyhow::Error) -> bool {
    format!("{e:#}").contains("Address already in use")
}

pub(crate) fn log_tail(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
