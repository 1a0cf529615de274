//! Embedded adapters, the default a newcomer meets: metadata in a SQLite file with
//! the same key design and conditional semantics as the DynamoDB table, secrets in an
//! AES-256-GCM encrypted file.

mod secrets;
mod sqlite;

pub use secrets::FileSecrets;
pub use sqlite::SqliteStore;
