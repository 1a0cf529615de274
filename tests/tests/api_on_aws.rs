//! The API suite (tests/src/api_suite.rs) over the AWS adapters: DynamoDB and Secrets
//! Manager on a moto server per test, through the local server over HTTP.

use sluice_tests::api_suite as suite;
use sluice_tests::app::spawn_app_on_moto;

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                suite::$name(spawn_app_on_moto().await).await;
            }
        )*
    };
}

suite!(
    every_route_answers_every_role_of_its_own_project_as_its_role_allows,
    another_projects_token_sees_nothing_and_changes_nothing,
    missing_malformed_and_expired_credentials_are_401_with_json,
    lists_are_paginated_newest_first_with_a_cursor,
    bad_bodies_get_a_precise_4xx_naming_the_field,
    data_mart_lifecycle_refuses_invalid_state_changes,
    secret_fields_are_write_only_and_never_leave_the_secret_store,
    triggers_show_their_next_fires_and_disabling_stops_them,
    the_openapi_document_describes_every_route,
    concurrent_updates_never_lose_a_write,
);
