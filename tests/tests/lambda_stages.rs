//! The stage functions' glue (`sluice_lambda::stage`): the sample SQS events in
//! `events/` are stage messages of their function's queue, and a whole run moves
//! through `handle_batch` alone — fed the way the SQS poller feeds the functions,
//! with every batch delivered twice — and lands each row exactly once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::SqsEvent;
use serde_json::json;
use sluice_domain::pipeline::{Message, stage_queues};
use sluice_domain::ports::QueueMessage;
use sluice_lambda::stage::{Extract, Finalize, Transform, handle_batch, to_queue_message};
use sluice_runs::{Limits, Machine};
use sluice_tests::app::{spawn_app_without_workers, temp_dir};
use sluice_tests::as_sqs_event;
use sluice_tests::runs::{files_mart, start_run, table_totals, write_orders};

/// Each registered connector's extraction, then the other stages.
fn stages() -> Vec<(String, String)> {
    sluice_domain::connectors::registry()
        .iter()
        .map(|c| (c.function(), c.queue()))
        .chain(
            OTHER_STAGES
                .iter()
                .map(|(f, q)| (f.to_string(), q.to_string())),
        )
        .collect()
}

const OTHER_STAGES: &[(&str, &str)] = &[
    ("transform-batch", "sluice-transform"),
    ("load-finalize", "sluice-finalize"),
    ("materialize", "sluice-materialize"),
    ("deliver-object-export", "sluice-deliver-object-export"),
    ("deliver-webhook", "sluice-deliver-webhook"),
    ("deliver-email", "sluice-deliver-email"),
    ("deliver-google-sheets", "sluice-deliver-google-sheets"),
    ("deliver-database", "sluice-deliver-database"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn sample_events_are_stage_messages_of_their_queue() {
    for (function, queue) in stages() {
        let path = root().join("events").join(&function).join("ok.json");
        let text = std::fs::read_to_string(&path).expect("sample event");
        let event: SqsEvent = serde_json::from_str(&text).expect("an SQS event");
        assert!(!event.records.is_empty(), "{function}");
        for record in event.records {
            let arn = record.event_source_arn.clone().unwrap_or_default();
            assert!(arn.ends_with(&queue), "{function}: {arn}");
            let msg = to_queue_message(record).expect("a queue message");
            assert_eq!(msg.receive_count, 1);
            let parsed: Message = serde_json::from_str(&msg.body).expect("a stage message");
            let expected = match queue.as_str() {
                "sluice-transform" => "transform",
                "sluice-finalize" => "finalize",
                "sluice-materialize" => "materialize",
                q if q.starts_with("sluice-deliver-") => "deliver",
                _ => "extract",
            };
            let tag = serde_json::to_value(&parsed).expect("json")["type"].clone();
            assert_eq!(tag, json!(expected), "{function}");
        }
    }
    let queues: BTreeSet<String> = stage_queues().into_iter().collect();
    let covered: BTreeSet<String> = stages().into_iter().map(|(_, q)| q).collect();
    assert_eq!(queues, covered);
}

#[test]
fn a_record_without_a_receive_count_is_refused() {
    let event: SqsEvent = serde_json::from_value(json!({"Records": [{
        "messageId": "m1", "receiptHandle": "r1", "body": "{}", "attributes": {}
    }]}))
    .expect("event");
    let record = event.records.into_iter().next().expect("record");
    assert!(to_queue_message(record).is_err());
}

#[tokio::test]
async fn a_run_moves_through_the_stage_functions_with_every_batch_delivered_twice() {
    let app = spawn_app_without_workers().await;
    let dir = temp_dir("stage-orders");
    let total = write_orders(&dir, 3, 400);
    let mart = files_mart(&app, &dir, json!({"batch_size": 150})).await;
    let run_id = start_run(&app, &mart, json!({"kind": "incremental"})).await;
    let machine = Arc::new(
        Machine::new(
            app.deps.clone(),
            Limits {
                step_chunks: 2,
                finalize_poll: Duration::from_millis(20),
                ..Limits::default()
            },
        )
        .expect("machine"),
    );
    let queue = app.deps.queue.clone().expect("queue");
    let start = Instant::now();
    let mut batches = 0;
    let status = loop {
        let mut moved = false;
        for name in stage_queues() {
            let msgs = queue
                .receive(&name, 10, Duration::from_secs(30))
                .await
                .expect("receive");
            if msgs.is_empty() {
                continue;
            }
            moved = true;
            batches += 1;
            let event = as_sqs_event(&name, &msgs);
            // The poller may deliver a batch again (a timeout, a lost delete).
            // Each queue's function serves its own stage only, as deployed.
            let (first, second) = if name.starts_with("sluice-extract-") {
                (
                    handle_batch::<Extract>(&machine, &name, event.clone()).await,
                    handle_batch::<Extract>(&machine, &name, event).await,
                )
            } else if name == sluice_domain::pipeline::TRANSFORM_QUEUE {
                (
                    handle_batch::<Transform>(&machine, &name, event.clone()).await,
                    handle_batch::<Transform>(&machine, &name, event).await,
                )
            } else {
                (
                    handle_batch::<Finalize>(&machine, &name, event.clone()).await,
                    handle_batch::<Finalize>(&machine, &name, event).await,
                )
            };
            let failed: BTreeSet<String> = first
                .batch_item_failures
                .iter()
                .chain(&second.batch_item_failures)
                .map(|f| f.item_identifier.clone())
                .collect();
            if !failed.is_empty() {
                let mut why = vec![];
                for m in msgs.iter().filter(|m| failed.contains(&m.id)) {
                    why.push(format!("{}: {:?}", m.body, machine.handle(m).await));
                }
                panic!("no stage should fail here ({name}): {why:#?}");
            }
            for m in &msgs {
                queue.ack(&name, &m.receipt).await.expect("delete");
            }
        }
        let r = app
            .owner("GET", &format!("/v1/runs/{run_id}"), None, 200)
            .await;
        let status = r["status"].as_str().unwrap_or_default().to_string();
        if status != "running" && status != "queued" {
            break r;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "run stuck: {r}");
        if !moved {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    };
    assert_eq!(status["status"], "succeeded", "{status}");
    assert!(batches > 6, "the run took several batches ({batches})");
    assert_eq!(status["counters"]["rows_written"], 1200);
    let (n, ids, sum) = table_totals(&app, &mart).await;
    assert_eq!((n, ids), (1200, 1200));
    assert!((sum - total).abs() < 1e-6, "{sum} vs {total}");
    app.stop().await;
}

/// A transform whose run has no chunk lease free (another instance holds the
/// only one, `parallelism: 1`) is put back on the queue as a new message and
/// reported handled, so its waits never count towards the DLQ; once the lease is
/// given back it runs, and the run lands every row once.
#[tokio::test]
async fn a_transform_waiting_for_a_lease_goes_back_on_the_queue_uncounted() {
    use sluice_domain::pipeline::{ChunkLeases, HolderSet as _, TRANSFORM_QUEUE};
    let app = spawn_app_without_workers().await;
    let dir = temp_dir("stage-leases");
    let total = write_orders(&dir, 2, 100);
    let mart = files_mart(&app, &dir, json!({"batch_size": 100, "parallelism": 1})).await;
    let run = start_run(&app, &mart, json!({"kind": "incremental"})).await;
    let run_id = sluice_domain::Id::parse(sluice_domain::Kind::Run, &run).expect("run id");
    let machine = Arc::new(Machine::new(app.deps.clone(), Limits::default()).expect("machine"));
    let queue = app.deps.queue.clone().expect("queue");
    let receive = |name: &'static str| {
        let queue = queue.clone();
        async move {
            queue
                .receive(name, 10, Duration::from_secs(30))
                .await
                .expect("receive")
        }
    };
    // Extract until both chunks wait for their transform.
    loop {
        let msgs = receive("sluice-extract-files").await;
        if msgs.is_empty() {
            break;
        }
        let r = handle_batch::<Extract>(
            &machine,
            "sluice-extract-files",
            as_sqs_event("sluice-extract-files", &msgs),
        )
        .await;
        assert!(r.batch_item_failures.is_empty());
        for m in &msgs {
            queue
                .ack("sluice-extract-files", &m.receipt)
                .await
                .expect("ack");
        }
    }
    let chunk_of = |m: &QueueMessage| match serde_json::from_str::<Message>(&m.body) {
        Ok(Message::Transform { chunk, .. }) => chunk,
        other => panic!("not a transform message: {other:?}"),
    };
    let msgs = receive(TRANSFORM_QUEUE).await;
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    let (first, second) = (&msgs[0], &msgs[1]);
    // Another instance holds the run's only lease, for the first chunk.
    let project = app.project.clone();
    let now = chrono::Utc::now();
    let mut meta =
        sluice_domain::entities::Meta::new(sluice_domain::Kind::Leases, &project, "test", now);
    meta.id = ChunkLeases::id_for(&run_id);
    let mut held = ChunkLeases::empty(meta, &run_id);
    held.held
        .take(&chunk_of(first), 1, now)
        .expect("an empty set has room");
    app.seed(&held).await;
    let r = handle_batch::<Transform>(
        &machine,
        TRANSFORM_QUEUE,
        as_sqs_event(TRANSFORM_QUEUE, std::slice::from_ref(second)),
    )
    .await;
    assert!(r.batch_item_failures.is_empty(), "a wait is no failure");
    queue
        .ack(TRANSFORM_QUEUE, &second.receipt)
        .await
        .expect("ack");
    let chunk = sluice_app::records::get::<sluice_domain::pipeline::Chunk>(
        app.deps.store.as_ref(),
        &project,
        &chunk_of(second),
    )
    .await
    .expect("chunk")
    .expect("chunk exists");
    assert_eq!(
        chunk.status,
        sluice_domain::pipeline::ChunkStatus::Extracted,
        "it waited"
    );
    // The holder finishes and gives the lease back; the put-back copy then runs.
    let r = handle_batch::<Transform>(
        &machine,
        TRANSFORM_QUEUE,
        as_sqs_event(TRANSFORM_QUEUE, std::slice::from_ref(first)),
    )
    .await;
    assert!(r.batch_item_failures.is_empty());
    queue
        .ack(TRANSFORM_QUEUE, &first.receipt)
        .await
        .expect("ack");
    let start = Instant::now();
    let again = loop {
        let msgs = receive(TRANSFORM_QUEUE).await;
        if !msgs.is_empty() {
            break msgs;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the waiting chunk never came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(again.len(), 1);
    assert_eq!(chunk_of(&again[0]), chunk_of(second));
    assert_eq!(
        again[0].receive_count, 1,
        "a put-back message starts its count again"
    );
    let r = handle_batch::<Transform>(
        &machine,
        TRANSFORM_QUEUE,
        as_sqs_event(TRANSFORM_QUEUE, &again),
    )
    .await;
    assert!(r.batch_item_failures.is_empty());
    queue
        .ack(TRANSFORM_QUEUE, &again[0].receipt)
        .await
        .expect("ack");
    let fin = sluice_domain::pipeline::FINALIZE_QUEUE;
    let start = Instant::now();
    let status = loop {
        for m in queue
            .receive(fin, 10, Duration::from_secs(30))
            .await
            .expect("receive")
        {
            let r = handle_batch::<Finalize>(
                &machine,
                fin,
                as_sqs_event(fin, std::slice::from_ref(&m)),
            )
            .await;
            if r.batch_item_failures.is_empty() {
                queue.ack(fin, &m.receipt).await.expect("ack");
            }
        }
        let s = app
            .owner("GET", &format!("/v1/runs/{run_id}"), None, 200)
            .await;
        if s["status"] != "running" {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "run stuck: {s}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status["status"], "succeeded", "{status}");
    let (n, ids, sum) = table_totals(&app, &mart).await;
    assert_eq!((n, ids), (200, 200));
    assert!((sum - total).abs() < 1e-6, "{sum} vs {total}");
    app.stop().await;
}
