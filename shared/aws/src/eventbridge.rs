//! Run events on an EventBridge custom bus: one PutEvents entry per event. Rules on
//! the bus route them to whoever reacts (dependants, reports, SLA alerts); this
//! adapter only publishes.
//!
//! | operation | call |
//! | --- | --- |
//! | publish | PutEvents, one entry: `EventBusName` = the bus (name or ARN), `Source` = `sluice`, `DetailType` = `RunEventKind::as_str()`, `Detail` = the `RunEvent` as JSON, `Time` = the event's `at`; a non-zero `FailedEntryCount` → `EventBusError::Rejected` with the entry's `ErrorCode` and `ErrorMessage` |
//!
//! The event as rules and targets see it (EventBridge adds the envelope):
//!
//! ```json
//! {
//!   "version": "0",
//!   "id": "…",
//!   "source": "sluice",
//!   "detail-type": "RunSucceeded",
//!   "account": "123456789012",
//!   "region": "eu-west-1",
//!   "time": "2025-01-01T00:00:00Z",
//!   "resources": [],
//!   "detail": {
//!     "kind": "RunSucceeded",
//!     "project_id": "…",
//!     "run_id": "…",
//!     "data_mart_id": "…",
//!     "at": "2025-01-01T00:00:00.123Z"
//!   }
//! }
//! ```
//!
//! Rules match on `source` (always `sluice`), `detail-type` (`RunQueued`,
//! `RunStarted`, `RunSucceeded`, `RunFailed`, `RunSlaMissed`) and the ids in `detail`
//! (`detail.project_id`, `detail.data_mart_id`, `detail.run_id`), e.g. a project's
//! finished runs: `{"source": ["sluice"], "detail-type": ["RunSucceeded",
//! "RunFailed"], "detail": {"project_id": ["…"]}}`. A target given the whole event (no
//! input transformer) reads `detail` back as a `RunEvent`. The envelope's `time` has
//! whole seconds; `detail.at` keeps the event's own precision.

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::DisplayErrorContext;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use sluice_domain::ports::{EventBus, EventBusError, RunEvent};
use tracing::instrument;

/// The `source` of every event Sluice publishes.
pub const EVENT_SOURCE: &str = "sluice";

/// The event bus on an EventBridge custom bus.
#[derive(Debug, Clone)]
pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
}

impl EventBridgeBus {
    /// `bus_name` is the custom bus's name or ARN.
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        EventBridgeBus {
            client,
            bus_name: bus_name.into(),
        }
    }

    /// A bus with its own client, built from `config` (a Lambda function's: `sluice_lambda::sdk_config`).
    pub fn from_sdk_config(config: &aws_config::SdkConfig, bus_name: impl Into<String>) -> Self {
        EventBridgeBus::new(Client::new(config), bus_name)
    }
}

#[async_trait]
impl EventBus for EventBridgeBus {
    #[instrument(level = "debug", skip_all, fields(bus = %self.bus_name, kind = event.kind.as_str(), run = %event.run_id))]
    async fn publish(&self, event: &RunEvent) -> Result<(), EventBusError> {
        let detail = serde_json::to_string(event).map_err(|e| {
            EventBusError::Backend(
                format!(
                    "EventBridge PutEvents on bus `{}`: encoding the event: {e}",
                    self.bus_name
                )
                .into(),
            )
        })?;
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(EVENT_SOURCE)
            .detail_type(event.kind.as_str())
            .detail(detail)
            .time(DateTime::from_millis(event.at.timestamp_millis()))
            .build();
        let out = self
            .client
            .put_events()
            .entries(entry)
            .send()
            .await
            .map_err(|e| {
                EventBusError::Backend(
                    format!(
                        "EventBridge PutEvents on bus `{}`: {}",
                        self.bus_name,
                        DisplayErrorContext(e)
                    )
                    .into(),
                )
            })?;
        if out.failed_entry_count == 0 {
            return Ok(());
        }
        let failed = out.entries().iter().find(|e| e.error_code.is_some());
        Err(EventBusError::Rejected(format!(
            "bus `{}`, {} event of run `{}`: {}: {}",
            self.bus_name,
            event.kind.as_str(),
            event.run_id,
            failed
                .and_then(|e| e.error_code.as_deref())
                .unwrap_or("no error code"),
            failed
                .and_then(|e| e.error_message.as_deref())
                .unwrap_or("no error message"),
        )))
    }
}
