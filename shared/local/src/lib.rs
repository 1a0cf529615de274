//! Embedded adapters, the default a newcomer meets: metadata in a SQLite file with
//! the same key design and conditional semantics as the DynamoDB table, secrets in an
//! AES-256-GCM encrypted file, durable queues in the same SQLite file, objects in a directory.

mod bus;
mod objects;
mod queue;
mod secrets;
mod sqlite;

pub use bus::LocalBus;
pub use objects::DirObjectStore;
pub use queue::{DLQ_SUFFIX, SqliteQueue};
pub use secrets::FileSecrets;
pub use sqlite::SqliteStore;
