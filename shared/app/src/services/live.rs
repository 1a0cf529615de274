//! Following a run live: each run event of the run becomes the run's whole
//! current state (status, stages, counters, progress, error log), so a viewer
//! never reads it again. Locally a server-sent-events stream over the process's
//! bus (`GET /v1/runs/{id}/events`); on AWS the `ws-push` function sends the
//! same [`RunUpdate`] to the WebSocket connections watching the run.
//!
//! Reading a run's progress lists its chunks, so reads follow the viewers, not
//! the events: events that arrive together are answered by one read, at most
//! one every [`MIN_INTERVAL`] per viewer.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sluice_domain::entities::Run;
use sluice_domain::ports::RunEvent;
use sluice_domain::{Id, IdOf};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

use super::{Ctx, load, runs};
use crate::Deps;
use crate::error::ServiceResult;
use crate::ports::RunFeed;
use crate::records;
use crate::services::report_data::ByteStream;

/// Shortest time between two reads of one viewer's run.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// A comment line this often keeps proxies from closing a quiet stream.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// One update of a run as a live view receives it (an SSE `run` event's data,
/// a WebSocket message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunUpdate {
    /// What brought it: `snapshot` (the state when the view began), a run
    /// event's kind (`RunStarted`, `RunProgressed`, `RunSucceeded`, …), or
    /// `resync` (the viewer fell behind the bus and missed events: this is
    /// the state now).
    pub event: String,
    /// When that event was published (for a snapshot or a resync, when the
    /// state was read).
    pub event_at: DateTime<Utc>,
    /// The run now, as `GET /v1/runs/{id}` answers it.
    pub run: Run,
}

/// The state of run `id` of `project` brought by `event` at `at`; `None` when
/// the run is gone.
pub async fn update_of(
    deps: &Deps,
    project: &Id,
    id: &Id,
    event: &str,
    at: DateTime<Utc>,
) -> ServiceResult<Option<RunUpdate>> {
    let Some(run) = records::get::<Run>(deps.store.as_ref(), project, id).await? else {
        return Ok(None);
    };
    let run = runs::with_progress(deps, run, deps.clock.now()).await?;
    Ok(Some(RunUpdate {
        event: event.to_string(),
        event_at: at,
        run,
    }))
}

/// `GET /v1/runs/{id}/events`: the run's state now, then again after each of
/// its events, as server-sent events; heartbeats while it is quiet; the
/// stream ends after the state in which the run is over (succeeded, failed or
/// cancelled), or after `max_age` (the client connects again, with a fresh
/// credential).
pub async fn watch(
    ctx: &Ctx<'_>,
    feed: &Arc<dyn RunFeed>,
    id: &IdOf<Run>,
    max_age: Duration,
) -> ServiceResult<ByteStream> {
    // Subscribed before the first read: nothing published after it is missed.
    let rx = feed.subscribe();
    let run = load::<Run>(ctx, id).await?;
    let run = runs::with_progress(ctx.deps, run, ctx.now).await?;
    let first = RunUpdate {
        event: "snapshot".into(),
        event_at: ctx.deps.clock.now(),
        run,
    };
    let over = first.run.status().is_final();
    let now = Instant::now();
    let watch = Watch {
        deps: ctx.deps.clone(),
        project: ctx.project().clone(),
        run: id.as_id().clone(),
        rx,
        first: Some(first),
        over,
        seq: 0,
        last_read: now,
        next_beat: now + HEARTBEAT,
        ends_at: now + max_age,
    };
    Ok(Box::pin(futures_util::stream::unfold(watch, Watch::next)))
}

struct Watch {
    deps: Deps,
    project: Id,
    run: Id,
    rx: tokio::sync::broadcast::Receiver<RunEvent>,
    first: Option<RunUpdate>,
    /// The run is over (or the stream failed): nothing follows what was sent.
    over: bool,
    seq: u64,
    last_read: Instant,
    next_beat: Instant,
    ends_at: Instant,
}

/// What woke a viewer up.
enum Woken {
    Event(RunEvent),
    Lagged,
}

impl Watch {
    fn mine(&self, e: &RunEvent) -> bool {
        e.run_id == self.run && e.project_id == self.project
    }

    async fn next(mut self) -> Option<(Result<Bytes, std::io::Error>, Watch)> {
        if let Some(first) = self.first.take() {
            return Some((Ok(self.frame(&first)), self));
        }
        if self.over {
            return None;
        }
        loop {
            let woken = tokio::select! {
                r = self.rx.recv() => match r {
                    Ok(e) if self.mine(&e) => Woken::Event(e),
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => Woken::Lagged,
                    Err(RecvError::Closed) => return None,
                },
                _ = tokio::time::sleep_until(self.next_beat) => {
                    self.next_beat = Instant::now() + HEARTBEAT;
                    return Some((Ok(Bytes::from_static(b": heartbeat\n\n")), self));
                }
                _ = tokio::time::sleep_until(self.ends_at) => return None,
            };
            // Events that come together are answered by one read.
            tokio::time::sleep_until(self.last_read + MIN_INTERVAL).await;
            let (mut name, mut at, mut lagged) = match woken {
                Woken::Event(e) => (e.kind.as_str().to_string(), e.at, false),
                Woken::Lagged => (String::new(), self.deps.clock.now(), true),
            };
            loop {
                match self.rx.try_recv() {
                    Ok(e) if self.mine(&e) => {
                        name = e.kind.as_str().to_string();
                        at = e.at;
                    }
                    Ok(_) => {}
                    Err(TryRecvError::Lagged(_)) => lagged = true,
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                }
            }
            if lagged {
                name = "resync".into();
                at = self.deps.clock.now();
            }
            self.last_read = Instant::now();
            return match update_of(&self.deps, &self.project, &self.run, &name, at).await {
                Ok(Some(update)) => {
                    self.over = update.run.status().is_final();
                    self.next_beat = Instant::now() + HEARTBEAT;
                    Some((Ok(self.frame(&update)), self))
                }
                // Deleted meanwhile: nothing more to follow.
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!(run_id = %self.run, error = %e, "A live run view could not read the run.");
                    // An error midway breaks the transfer: the client sees a
                    // broken stream, never a quiet one, and connects again.
                    self.over = true;
                    Some((
                        Err(std::io::Error::other("the run could not be read")),
                        self,
                    ))
                }
            };
        }
    }

    /// `update` as one server-sent event.
    fn frame(&mut self, update: &RunUpdate) -> Bytes {
        self.seq += 1;
        let data = serde_json::to_string(update).unwrap_or_else(|_| "{}".into());
        Bytes::from(format!("id: {}\nevent: run\ndata: {data}\n\n", self.seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Principal, TokenKeys};
    use futures_util::StreamExt as _;
    use sluice_domain::entities::{ChunkTally, Meta, RunKind};
    use sluice_domain::ports::{EventBus as _, RunEventKind, SystemClock};
    use sluice_domain::{Kind, Role};

    struct Feed(Arc<sluice_local::LocalBus>);
    impl RunFeed for Feed {
        fn subscribe(&self) -> tokio::sync::broadcast::Receiver<RunEvent> {
            self.0.subscribe()
        }
    }

    /// Deps over a directory of the test's own, which goes with the guard.
    fn deps() -> (Deps, tempfile::TempDir) {
        let dir = tempfile::Builder::new()
            .prefix("sluice-live-")
            .tempdir()
            .expect("a temp dir");
        let deps = Deps::new(
            Arc::new(
                sluice_local::SqliteStore::open(&dir.path().join("meta.db"), 1).expect("store"),
            ),
            Arc::new(
                sluice_local::FileSecrets::open(
                    &dir.path().join("s.json"),
                    &dir.path().join("s.key"),
                )
                .expect("secrets"),
            ),
            Arc::new(SystemClock),
            Arc::new(TokenKeys::sealed().expect("keys")),
        );
        (deps, dir)
    }

    /// The `data` of each `run` event in `text`.
    fn updates(text: &str) -> Vec<RunUpdate> {
        text.split("\n\n")
            .filter_map(|frame| frame.lines().find_map(|l| l.strip_prefix("data: ")))
            .map(|d| serde_json::from_str(d).expect("an update"))
            .collect()
    }

    /// A reader that fell behind the bus gets the state now (`resync`), not
    /// silence; other runs' events wake it for nothing; the state in which the
    /// run is over ends the stream.
    #[tokio::test]
    async fn a_lagging_view_resyncs_and_the_end_of_the_run_ends_it() {
        let (deps, _dir) = deps();
        let bus = Arc::new(sluice_local::LocalBus::new(2));
        let feed: Arc<dyn RunFeed> = Arc::new(Feed(bus.clone()));
        let now = Utc::now();
        let project = Id::generate(Kind::Project, 1);
        let run = Run::queued(
            Meta::new(Kind::Run, &project, "test", now),
            IdOf::parse(Id::generate(Kind::DataMart, 1).as_str()).expect("an id"),
            RunKind::Incremental,
        );
        records::insert_once(deps.store.as_ref(), &run)
            .await
            .expect("the run");
        let ctx = Ctx {
            deps: &deps,
            principal: Principal::operator("t".to_string(), project.clone(), Role::Viewer),
            now,
        };
        let id = IdOf::<Run>::parse(run.meta.id.as_str()).expect("an id");
        let mut stream = watch(&ctx, &feed, &id, Duration::from_secs(60))
            .await
            .expect("a stream");
        let first = stream.next().await.expect("a snapshot").expect("bytes");
        assert_eq!(
            updates(std::str::from_utf8(&first).expect("text"))[0].event,
            "snapshot"
        );
        let event = |kind, run_id: &Id| RunEvent {
            kind,
            project_id: project.clone(),
            run_id: run_id.clone(),
            data_mart_id: run.data_mart_id.as_id().clone(),
            at: Utc::now(),
        };
        // Five events on a bus that holds two: the reader has missed some.
        let other = Id::generate(Kind::Run, 2);
        for _ in 0..5 {
            bus.publish(&event(RunEventKind::RunProgressed, &other))
                .await
                .expect("published");
        }
        let next = stream.next().await.expect("a resync").expect("bytes");
        assert_eq!(
            updates(std::str::from_utf8(&next).expect("text"))[0].event,
            "resync"
        );
        // The run succeeds: its state, then the end.
        records::update::<Run>(deps.store.as_ref(), &project, &run.meta.id, now, |r| {
            if r.start(now).is_err() {
                return false;
            }
            r.stages
                .extract
                .finish(sluice_domain::entities::StageState::Succeeded, now);
            r.succeed(ChunkTally::default(), now).is_ok()
        })
        .await
        .expect("updated");
        bus.publish(&event(RunEventKind::RunProgressed, &other))
            .await
            .expect("published");
        bus.publish(&event(RunEventKind::RunSucceeded, &run.meta.id))
            .await
            .expect("published");
        let last = stream.next().await.expect("the end").expect("bytes");
        let last = &updates(std::str::from_utf8(&last).expect("text"))[0];
        assert_eq!(last.event, "RunSucceeded");
        assert!(last.run.status().is_final());
        assert!(stream.next().await.is_none(), "nothing after the end");
    }
}
