//! `engine`: the transform engine for the routes that plan or preview mappings
//! (validate, set definition, publish, preview). They invoke it directly; it
//! answers each call with the same previewer `sluice serve` runs in-process.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::engine::run_engine().await
}
