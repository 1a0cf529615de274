//! The local platform: opens the embedded parts under one data directory and serves
//! the same API, through the same handlers, as the Lambda functions.

pub mod data_dir;
pub mod server;

pub use data_dir::DataDir;
pub use server::{Server, serve};
