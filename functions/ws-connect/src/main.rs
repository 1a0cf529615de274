//! `ws-connect`: the WebSocket API's `$connect`: checks the credential (the
//! subprotocol `bearer.<token>`) and the run (`?run=`), then records the connection.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::websocket::run_connect().await
}
