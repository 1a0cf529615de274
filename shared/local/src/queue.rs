//! The durable local queue: messages in a SQLite table, with the semantics of SQS
//! that the run machinery relies on — at-least-once delivery, a visibility timeout,
//! a receive count, and a dead-letter queue `{name}-dlq` that takes a message
//! received more times than its queue allows (moved on the receive after the last
//! allowed one, keeping its receive count, as SQS's redrive does).
//!
//! | operation | statement |
//! | --- | --- |
//! | send | insert with `visible_at = now + delay` |
//! | receive | in one write transaction: the oldest visible rows of the queue (index `queue_visible (queue, visible_at)`), each either moved to the DLQ or given a new receipt, `receive_count + 1`, `visible_at = now + visibility` |
//! | ack | delete by queue and receipt |
//! | set_visibility | update `visible_at` by queue and receipt |

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use async_trait::async_trait;
use rusqlite::{Connection, TransactionBehavior, params};
use sluice_domain::ports::{Queue, QueueError, QueueMessage};
use sluice_domain::{Id, Kind};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS queue_messages (
    id TEXT PRIMARY KEY,
    queue TEXT NOT NULL,
    body TEXT NOT NULL,
    visible_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    receipt TEXT
);
CREATE INDEX IF NOT EXISTS queue_visible ON queue_messages (queue, visible_at);
CREATE INDEX IF NOT EXISTS queue_receipt ON queue_messages (queue, receipt) WHERE receipt IS NOT NULL;
";

/// Suffix of a queue's dead-letter queue.
pub const DLQ_SUFFIX: &str = "-dlq";

pub struct SqliteQueue {
    conn: Mutex<Connection>,
    /// Queue name → receives allowed before the message goes to the DLQ.
    max_receives: HashMap<String, u32>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> QueueError {
    QueueError::backend(e)
}

impl SqliteQueue {
    /// Opens the queues in the SQLite file at `path`: `queues` names each queue and
    /// how many receives it allows; each gets a `{name}-dlq`.
    pub fn open(path: &Path, queues: &[(&str, u32)]) -> anyhow::Result<SqliteQueue> {
        let conn = Connection::open(path)
            .with_context(|| format!("opening the queue store {}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)
            .context("creating the queue schema")?;
        let mut max_receives = HashMap::new();
        for (name, max) in queues {
            max_receives.insert(name.to_string(), (*max).max(1));
            max_receives.insert(format!("{name}{DLQ_SUFFIX}"), u32::MAX);
        }
        Ok(SqliteQueue {
            conn: Mutex::new(conn),
            max_receives,
        })
    }

    fn limit(&self, queue: &str) -> Result<u32, QueueError> {
        self.max_receives
            .get(queue)
            .copied()
            .ok_or_else(|| QueueError::NoSuchQueue(queue.to_string()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A poisoned lock means a panic mid-call; SQLite rolled its transaction back.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn new_id() -> String {
    Id::generate(Kind::Run, now_ms().max(0) as u64).as_str()[4..].to_string()
}

#[async_trait]
impl Queue for SqliteQueue {
    async fn send(&self, queue: &str, body: &str, delay: Duration) -> Result<(), QueueError> {
        self.limit(queue)?;
        let visible_at = now_ms() + delay.as_millis() as i64;
        self.lock()
            .execute(
                "INSERT INTO queue_messages (id, queue, body, visible_at) VALUES (?1, ?2, ?3, ?4)",
                params![new_id(), queue, body, visible_at],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility: Duration,
    ) -> Result<Vec<QueueMessage>, QueueError> {
        let limit = self.limit(queue)?;
        let dlq = format!("{queue}{DLQ_SUFFIX}");
        let max = max.clamp(1, 10) as usize;
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let now = now_ms();
        let mut out = Vec::with_capacity(max);
        let mut seen = std::collections::HashSet::new();
        loop {
            let candidates: Vec<(String, String, u32)> = {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT id, body, receive_count FROM queue_messages
                         WHERE queue = ?1 AND visible_at <= ?2 ORDER BY visible_at, id LIMIT ?3",
                    )
                    .map_err(backend)?;
                let rows = stmt
                    .query_map(params![queue, now, (max - out.len()) as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .map_err(backend)?;
                rows.collect::<Result<_, _>>().map_err(backend)?
            };
            // A message delivered by this call with zero visibility is visible again
            // at once: deliver each message at most once per receive, as SQS does.
            let fresh: Vec<_> = candidates
                .into_iter()
                .filter(|(id, _, _)| seen.insert(id.clone()))
                .collect();
            if fresh.is_empty() {
                break;
            }
            for (id, body, count) in fresh {
                if count >= limit {
                    tx.execute(
                        "UPDATE queue_messages SET queue = ?2, visible_at = ?3, receipt = NULL WHERE id = ?1",
                        params![id, dlq, now],
                    )
                    .map_err(backend)?;
                    continue;
                }
                let receipt = new_id();
                tx.execute(
                    "UPDATE queue_messages SET receive_count = receive_count + 1, visible_at = ?2, receipt = ?3 WHERE id = ?1",
                    params![id, now + visibility.as_millis() as i64, receipt],
                )
                .map_err(backend)?;
                out.push(QueueMessage {
                    id,
                    receipt,
                    body,
                    receive_count: count + 1,
                });
            }
            if out.len() >= max {
                break;
            }
        }
        tx.commit().map_err(backend)?;
        Ok(out)
    }

    async fn ack(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        self.limit(queue)?;
        self.lock()
            .execute(
                "DELETE FROM queue_messages WHERE queue = ?1 AND receipt = ?2",
                params![queue, receipt],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn set_visibility(
        &self,
        queue: &str,
        receipt: &str,
        visibility: Duration,
    ) -> Result<(), QueueError> {
        self.limit(queue)?;
        self.lock()
            .execute(
                "UPDATE queue_messages SET visible_at = ?3 WHERE queue = ?1 AND receipt = ?2",
                params![queue, receipt, now_ms() + visibility.as_millis() as i64],
            )
            .map_err(backend)?;
        Ok(())
    }

    /// Reads one row of the queue table: the file is there and answers.
    async fn check(&self) -> Result<(), QueueError> {
        self.lock()
            .query_row(
                "SELECT count(*) FROM (SELECT 1 FROM queue_messages LIMIT 1)",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(backend)?;
        Ok(())
    }
}
