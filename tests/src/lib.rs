//! Shared harness of the test suites: the contract suites that every adapter of a
//! port must pass, and helpers that start real parts (moto, the local server) on free
//! loopback ports and stop them when dropped.

pub mod api_suite;
pub mod app;
pub mod contract;
pub mod isolation;
pub mod moto;
pub mod runs;
