//! The API suite (tests/src/api_suite.rs) over the AWS adapters: DynamoDB and Secrets
//! Manager on a moto server per test, through the local server over HTTP.

sluice_tests::api_suite_tests!(sluice_tests::app::spawn_app_on_moto);

// The isolation suite (tests/src/isolation.rs) on the same stack.
sluice_tests::isolation_tests!(sluice_tests::app::spawn_app_on_moto);

// Every catalog connector runs on this stack (tests/src/connectors.rs).
sluice_tests::connector_tests!(sluice_tests::app::spawn_app_on_moto);
