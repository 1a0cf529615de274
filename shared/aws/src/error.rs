//! Errors of this crate's own operations (provisioning); the adapters report through
//! the ports' error types instead.

/// What went wrong while provisioning AWS resources.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The table to create is already there; nothing was changed.
    #[error(
        "DynamoDB table `{table}` already exists: use it as is, or delete it first to recreate it"
    )]
    TableExists { table: String },
    /// AWS refused or could not be reached; `message` has the SDK's full context.
    #[error("{operation} failed: {message}")]
    Aws { operation: String, message: String },
}
