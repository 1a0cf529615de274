//! `authorizer`: the HTTP API's Lambda authorizer (who a bearer credential names)

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_authorizer().await
}
