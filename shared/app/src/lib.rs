//! Services and HTTP handlers shared by every Lambda function and the local server.
//!
//! A request enters through [`api::handle`] (the local server, which routes) or
//! [`api::handle_route`] (a Lambda function, which serves one route); both check
//! the credential, parse the body, call a service and map its error to one JSON
//! envelope.

pub mod api;
pub mod auth;
pub mod error;
pub mod openapi;
pub mod records;
pub mod routes;
pub mod services;

use std::sync::Arc;

use sluice_domain::ports::{
    Clock, EventBus, MetadataStore, Notifier, ObjectStore, Queue, Secrets, Warehouse,
};

pub use services::runs::{Preview, PreviewRequest, Previewer};

/// Largest upload by default: 1 GiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 1 << 30;

/// Everything a handler needs, built once per process (per Lambda cold start).
/// The optional parts are there only where a function uses them: a route that
/// needs one it was not given answers 503.
#[derive(Clone)]
pub struct Deps {
    pub store: Arc<dyn MetadataStore>,
    pub secrets: Arc<dyn Secrets>,
    pub clock: Arc<dyn Clock>,
    pub auth: Arc<auth::TokenKeys>,
    pub queue: Option<Arc<dyn Queue>>,
    pub objects: Option<Arc<dyn ObjectStore>>,
    pub warehouse: Option<Arc<dyn Warehouse>>,
    pub bus: Option<Arc<dyn EventBus>>,
    pub previewer: Option<Arc<dyn Previewer>>,
    /// Sends SLA notifications to the project's webhook (the scheduler's).
    pub notifier: Option<Arc<dyn Notifier>>,
    /// Local directories `files` sources may read (none on Lambda).
    pub import_roots: Arc<sluice_domain::files::ImportRoots>,
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Where the local server spools uploads as they arrive (owner-only).
    pub upload_spool: std::path::PathBuf,
}

impl Deps {
    pub fn new(
        store: Arc<dyn MetadataStore>,
        secrets: Arc<dyn Secrets>,
        clock: Arc<dyn Clock>,
        auth: Arc<auth::TokenKeys>,
    ) -> Deps {
        Deps {
            store,
            secrets,
            clock,
            auth,
            queue: None,
            objects: None,
            warehouse: None,
            bus: None,
            previewer: None,
            notifier: None,
            import_roots: Arc::default(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            upload_spool: std::env::temp_dir(),
        }
    }

    /// What a `files` source of `project` may read: its landing area of the
    /// object store and this process's import roots.
    pub fn file_access(&self, project: &sluice_domain::Id) -> sluice_domain::files::FileAccess {
        sluice_domain::files::FileAccess::of(
            project,
            self.objects.as_ref(),
            self.import_roots.clone(),
        )
    }

    pub fn queue(&self) -> Result<&Arc<dyn Queue>, error::ApiError> {
        self.queue.as_ref().ok_or_else(|| {
            error::ApiError::Unavailable(
                "runs are not available here: no queue is configured".into(),
            )
        })
    }
    pub fn objects(&self) -> Result<&Arc<dyn ObjectStore>, error::ApiError> {
        self.objects.as_ref().ok_or_else(|| {
            error::ApiError::Unavailable("no object store is configured here".into())
        })
    }
    pub fn warehouse(&self) -> Result<&Arc<dyn Warehouse>, error::ApiError> {
        self.warehouse.as_ref().ok_or_else(|| {
            error::ApiError::Unavailable(
                "queries are not available here: no warehouse is configured".into(),
            )
        })
    }
}
