//! `ws-push`: on each run event (a rule on the run-event bus), the run's state to
//! the WebSocket connections watching it.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::websocket::run_push().await
}
