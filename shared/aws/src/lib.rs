//! AWS adapters of the ports: the metadata store on one DynamoDB table, the secrets in
//! Secrets Manager, the queues on SQS, the objects in an S3 bucket and the run events
//! on an EventBridge custom bus, mail through SES. They mirror the embedded adapters of
//! `sluice-local` and pass the same contract suites (tests/), run against moto's server.
//!
//! Each adapter is built once per cold start from an `SdkConfig` its caller gives
//! (a Lambda function's comes from `sluice_lambda::sdk_config`: endpoint, region
//! and credentials from the function's variables, so pointing it at an emulator
//! needs no flag of ours).

mod athena;
mod dynamodb;
mod error;
mod eventbridge;
mod parquet_footer;
mod s3;
mod secrets_manager;
mod ses;
mod sqs;
mod websocket;

pub use athena::{
    AthenaSettings, AthenaWarehouse, SESSION_POLICY_MAX_CHARS, check_read_only, hive_type,
    project_database, project_results, session_policy,
};
pub use dynamodb::{
    DynamoStore, INDEXES, KEY_ATTRIBUTES, RATE_PREFIX, TTL_ATTRIBUTE, create_table,
};
pub use error::Error;
pub use eventbridge::{EVENT_SOURCE, EventBridgeBus};
pub use s3::{S3Objects, create_bucket, s3_config_from};
pub use secrets_manager::SecretsManagerSecrets;
pub use ses::SesMailer;
pub use sqs::{DLQ_SUFFIX, SqsQueue, create_queue_with_dlq};
pub use websocket::{Posted, WsConnection, WsConnections, WsPusher};
