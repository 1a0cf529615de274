//! The in-process event bus: a broadcast channel. Subscribers that fall behind by
//! more than the capacity miss events (and are told so by the channel), which is why
//! reactions also re-read run state rather than trust the event stream alone.

use async_trait::async_trait;
use sluice_domain::ports::{EventBus, EventBusError, RunEvent};
use tokio::sync::broadcast;

pub struct LocalBus {
    tx: broadcast::Sender<RunEvent>,
}

impl LocalBus {
    pub fn new(capacity: usize) -> LocalBus {
        LocalBus {
            tx: broadcast::channel(capacity.max(1)).0,
        }
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<RunEvent> {
        self.tx.subscribe()
    }
}

#[async_trait]
impl EventBus for LocalBus {
    async fn publish(&self, event: &RunEvent) -> Result<(), EventBusError> {
        // No subscriber is not an error: nobody is reacting yet.
        let _ = self.tx.send(event.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_domain::ports::RunEventKind;
    use sluice_domain::{Id, Kind};

    #[tokio::test]
    async fn every_subscriber_sees_each_event_once_in_order() {
        let bus = LocalBus::new(16);
        let (mut a, mut b) = (bus.subscribe(), bus.subscribe());
        let event = |kind| RunEvent {
            kind,
            project_id: Id::generate(Kind::Project, 1),
            run_id: Id::generate(Kind::Run, 1),
            data_mart_id: Id::generate(Kind::DataMart, 1),
            at: chrono::Utc::now(),
        };
        let sent = [
            event(RunEventKind::RunQueued),
            event(RunEventKind::RunSucceeded),
        ];
        for e in &sent {
            bus.publish(e).await.expect("publish");
        }
        for rx in [&mut a, &mut b] {
            for e in &sent {
                assert_eq!(&rx.recv().await.expect("event"), e);
            }
            assert!(rx.try_recv().is_err(), "nothing more");
        }
    }
}
