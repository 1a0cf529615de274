//! The API suite (tests/src/api_suite.rs) over the embedded default: SQLite and the
//! encrypted secrets file, through the local server over HTTP.

sluice_tests::api_suite_tests!(sluice_tests::app::spawn_app);

// The isolation suite (tests/src/isolation.rs) on the same stack.
sluice_tests::isolation_tests!(sluice_tests::app::spawn_app);

#[tokio::test]
async fn uploads_over_the_limit_are_refused_and_leave_nothing() {
    sluice_tests::isolation::uploads_over_the_limit_are_refused_and_leave_nothing().await;
}
