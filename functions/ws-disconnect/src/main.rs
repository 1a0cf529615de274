//! `ws-disconnect`: the WebSocket API's `$disconnect`: forgets the connection.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::websocket::run_disconnect().await
}
