//! The local platform: opens the embedded parts under one data directory and serves
//! the same API, through the same handlers, as the Lambda functions.

pub mod data_dir;
pub mod server;

use std::sync::Arc;

pub use data_dir::DataDir;
pub use server::{Server, serve};
use sluice_app::Deps;
use sluice_domain::Id;
use sluice_runs::worker::Workers;
use sluice_runs::{Limits, Machine};

/// The run machinery of a local process: the stage workers polling the queues.
pub struct Engine {
    pub machine: Arc<Machine>,
    workers: Workers,
}

impl Engine {
    /// Starts the workers, then resumes the runs of `project` a previous process
    /// left queued or running.
    pub async fn start(deps: &Deps, project: &Id) -> anyhow::Result<Engine> {
        let machine =
            Arc::new(Machine::new(deps.clone(), Limits::default()).map_err(anyhow::Error::msg)?);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let workers = Workers::spawn(machine.clone(), cores * 2);
        let resumed = sluice_runs::worker::recover(&machine, project).await;
        if !resumed.is_empty() {
            tracing::info!(
                runs = resumed.len(),
                "Resumed runs interrupted by the last stop."
            );
        }
        Ok(Engine { machine, workers })
    }

    pub async fn stop(self) {
        self.workers.stop().await;
    }
}
