//! What the handlers, stages and scheduler are given: the ports, built once per
//! process (per Lambda cold start).

use std::sync::Arc;

use crate::auth;
use crate::ports::Previewer;
use sluice_domain::ports::{
    Clock, ConnectionTester, EventBus, Mailer, MetadataStore, Notifier, ObjectStore, Queue,
    RequestCounter, Secrets, Warehouse,
};

/// A part of the deployment beyond the store, secrets, clock and token keys every
/// process has: what a route needs (`RouteSpec::needs`) or a stage uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The stage queues: the route starts or moves runs.
    Queue,
    /// The object store: files, tables.
    Objects,
    /// The warehouse: queries.
    Warehouse,
    /// The transform engine: previews, planning a definition's mappings.
    Engine,
    /// Connections out of the deployment: destination tests (webhooks,
    /// databases, Google Sheets, the mail transport).
    Connections,
    /// The process's live run events ([`crate::RunFeed`]): only a long-lived
    /// process (the local server) has them, so a route that needs them is
    /// served locally only, never by a Lambda function; on AWS the WebSocket
    /// API pushes the same events.
    Events,
}

/// Largest upload by default: 1 GiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 1 << 30;

/// Everything a process is given, built once (per Lambda cold start). The
/// optional parts are there only where a function uses them: a route's handler
/// is handed the ones it calls, taken from here when the process starts
/// (`api::Api`, through `take_queue`, `querying`, `planning`, `testing`), and a
/// stage checks its own ([`Deps::check`]); so a missing one stops the process
/// at start with its reason.
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
    /// The run events published in this process, for live views (the local
    /// server's bus; none on Lambda).
    pub feed: Option<Arc<dyn crate::RunFeed>>,
    pub previewer: Option<Arc<dyn Previewer>>,
    /// Sends SLA notifications to the project's webhook (the scheduler's).
    pub notifier: Option<Arc<dyn Notifier>>,
    /// Sends the `email` destination's reports (SMTP locally, SES on AWS).
    pub mailer: Option<Arc<dyn Mailer>>,
    /// Tests the connections of destinations that reach out (webhook,
    /// database, google_sheets).
    pub tester: Option<Arc<dyn ConnectionTester>>,
    /// Google's endpoints the `google_sheets` destination calls: the
    /// deployment's, never a project's.
    pub google: sluice_domain::net::GoogleApis,
    /// Local directories `files` sources may read (none on Lambda).
    pub import_roots: Arc<sluice_domain::files::ImportRoots>,
    /// Where requests a project configures may go (REST sources, webhooks):
    /// public addresses, and the networks the operator opened (none on Lambda).
    pub egress: sluice_domain::net::Egress,
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// The API's public base URL (`https://…`), for links in notifications;
    /// without it a link is the resource's path.
    pub public_url: Option<String>,
    /// Where the local server spools uploads as they arrive (owner-only).
    pub upload_spool: std::path::PathBuf,
    /// Who may sign up, how sign-ins are slowed, how long sessions last, the
    /// request budget.
    pub identity: IdentitySettings,
    /// Counts each caller's requests against the budget: this process's own
    /// by default; DynamoDB on Lambda, where many functions serve the API.
    pub counter: Arc<dyn RequestCounter>,
}

/// The deployment's rules for users and sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentitySettings {
    /// The project the first user to sign up owns.
    pub default_project: sluice_domain::Id,
    /// Whether anyone may sign up after the first user (each into a project of
    /// their own); off by default (`--open-signup`, `SLUICE_OPEN_SIGNUP`).
    pub open_signup: bool,
    /// How failed sign-ins are slowed, then locked.
    pub sign_in: sluice_domain::entities::SignInPolicy,
    /// Lifetime of an access token, seconds.
    pub access_ttl_seconds: i64,
    /// Lifetime of a session (its refresh tokens), seconds.
    pub session_ttl_seconds: i64,
    /// Requests a minute each caller (API key, user, operator token) may make;
    /// 0 for no budget (`--requests-per-minute`, `SLUICE_REQUESTS_PER_MINUTE`).
    pub requests_per_minute: u32,
}

/// 15 minutes.
pub const ACCESS_TTL_SECONDS: i64 = 15 * 60;
/// 30 days.
pub const SESSION_TTL_SECONDS: i64 = 30 * 86_400;

impl Default for IdentitySettings {
    /// Closed sign-up, the default sign-in policy, 15-minute access tokens and
    /// 30-day sessions; the default project is the one a deployment without a
    /// project of its own derives (the local data directory names its own).
    fn default() -> Self {
        IdentitySettings {
            default_project: sluice_domain::Id::derived(sluice_domain::Kind::Project, &["default"]),
            open_signup: false,
            sign_in: Default::default(),
            access_ttl_seconds: ACCESS_TTL_SECONDS,
            session_ttl_seconds: SESSION_TTL_SECONDS,
            requests_per_minute: crate::budget::DEFAULT_REQUESTS_PER_MINUTE,
        }
    }
}

impl IdentitySettings {
    /// The settings named variables change (`lookup` gives a variable's value):
    /// `SLUICE_OPEN_SIGNUP` (`true`/`false`), `SLUICE_SIGNIN_FREE_ATTEMPTS`,
    /// `SLUICE_SIGNIN_DELAY_MS` (the first wait), `SLUICE_SIGNIN_LOCK_AFTER`,
    /// `SLUICE_SIGNIN_LOCK_SECONDS` and `SLUICE_REQUESTS_PER_MINUTE` (0: no
    /// budget); the defaults for those unset.
    pub fn from_variables(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<IdentitySettings, sluice_domain::ports::SettingError> {
        use sluice_domain::ports::SettingError;
        let get = |v: &str| {
            lookup(v)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let number = |variable: &'static str, max: i64| -> Result<Option<i64>, SettingError> {
            get(variable)
                .map(|t| {
                    t.parse::<i64>()
                        .ok()
                        .filter(|n| (0..=max).contains(n))
                        .ok_or_else(|| SettingError {
                            variable,
                            reason: format!("must be a whole number from 0 to {max}"),
                        })
                })
                .transpose()
        };
        let mut s = IdentitySettings::default();
        if let Some(open) = get("SLUICE_OPEN_SIGNUP") {
            s.open_signup = match open.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => {
                    return Err(SettingError {
                        variable: "SLUICE_OPEN_SIGNUP",
                        reason: "must be true or false".into(),
                    });
                }
            };
        }
        if let Some(n) = number("SLUICE_SIGNIN_FREE_ATTEMPTS", 100)? {
            s.sign_in.free_attempts = n as u32;
        }
        if let Some(ms) = number("SLUICE_SIGNIN_DELAY_MS", 3_600_000)? {
            s.sign_in.base_delay = chrono::Duration::milliseconds(ms);
        }
        if let Some(n) = number("SLUICE_SIGNIN_LOCK_AFTER", 1000)? {
            s.sign_in.lock_after = (n as u32).max(1);
        }
        if let Some(secs) = number("SLUICE_SIGNIN_LOCK_SECONDS", 86_400)? {
            s.sign_in.lock_for = chrono::Duration::seconds(secs);
        }
        if let Some(n) = number("SLUICE_REQUESTS_PER_MINUTE", 1_000_000)? {
            s.requests_per_minute = n as u32;
        }
        Ok(s)
    }
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
            feed: None,
            previewer: None,
            notifier: None,
            mailer: None,
            tester: None,
            google: sluice_domain::net::GoogleApis::default(),
            import_roots: Arc::default(),
            egress: sluice_domain::net::Egress::public_only(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            public_url: None,
            upload_spool: std::env::temp_dir(),
            identity: IdentitySettings::default(),
            counter: Arc::new(crate::budget::ProcessCounter::default()),
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

    /// The first of `needs` this process lacks, with what provides it.
    pub fn check(&self, needs: &[Part]) -> Result<(), MissingPart> {
        for part in needs {
            let present = match part {
                Part::Queue => self.queue.is_some(),
                Part::Objects => self.objects.is_some(),
                Part::Warehouse => self.warehouse.is_some(),
                Part::Engine => self.previewer.is_some(),
                Part::Connections => self.tester.is_some(),
                Part::Events => self.feed.is_some(),
            };
            if !present {
                return Err(MissingPart(*part));
            }
        }
        Ok(())
    }

    /// The stage queues, or the part missing.
    pub fn take_queue(&self) -> Result<Arc<dyn Queue>, MissingPart> {
        self.queue.clone().ok_or(MissingPart(Part::Queue))
    }

    /// The process's live run events, or the part missing.
    pub fn take_feed(&self) -> Result<Arc<dyn crate::RunFeed>, MissingPart> {
        self.feed.clone().ok_or(MissingPart(Part::Events))
    }

    /// The object store, or the part missing.
    pub fn take_objects(&self) -> Result<Arc<dyn ObjectStore>, MissingPart> {
        self.objects.clone().ok_or(MissingPart(Part::Objects))
    }

    /// What reading data marts calls, or the first part missing.
    pub fn querying(&self) -> Result<Querying, MissingPart> {
        Ok(Querying {
            objects: self.take_objects()?,
            warehouse: self.warehouse.clone().ok_or(MissingPart(Part::Warehouse))?,
        })
    }

    /// The transform engine, or the part missing.
    pub fn take_engine(&self) -> Result<Arc<dyn Previewer>, MissingPart> {
        self.previewer.clone().ok_or(MissingPart(Part::Engine))
    }

    /// What planning a definition calls, or the first part missing.
    pub fn planning(&self) -> Result<Planning, MissingPart> {
        Ok(Planning {
            engine: self.take_engine()?,
            querying: self.querying()?,
        })
    }

    /// What testing a destination calls, or the first part missing.
    pub fn testing(&self) -> Result<Testing, MissingPart> {
        Ok(Testing {
            tester: self.tester.clone().ok_or(MissingPart(Part::Connections))?,
            objects: self.take_objects()?,
        })
    }
}

/// What testing a destination calls: the connection tester, and the object
/// store an export writes its test file to.
#[derive(Clone)]
pub struct Testing {
    pub tester: Arc<dyn ConnectionTester>,
    pub objects: Arc<dyn ObjectStore>,
}

/// What reading a data mart calls beyond the store: the object store (the
/// landing area's tables, cached results) and the warehouse. Each present: it is
/// taken from the process's parts when the process starts, and a service that
/// reads data marts takes it as an argument.
#[derive(Clone)]
pub struct Querying {
    pub objects: Arc<dyn ObjectStore>,
    pub warehouse: Arc<dyn Warehouse>,
}

/// What checking a definition calls: the engine that plans its mappings, and
/// the warehouse for the dry run of a query.
#[derive(Clone)]
pub struct Planning {
    pub engine: Arc<dyn Previewer>,
    pub querying: Querying,
}

/// A part a route needs that this process was not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", match .0 {
    Part::Queue => "no stage queues are configured (SLUICE_QUEUE_URL_PREFIX)",
    Part::Objects => "no object store is configured (SLUICE_BUCKET)",
    Part::Warehouse => "no warehouse is configured (SLUICE_ATHENA_DATABASE and SLUICE_ATHENA_OUTPUT, with SLUICE_BUCKET)",
    Part::Engine => "no transform engine: link it (sluice-runs) or name the engine function (SLUICE_ENGINE_FUNCTION)",
    Part::Connections => "no connection tester: link it (sluice-connectors' `tester`)",
    Part::Events => "no live run events: only the local server (`sluice serve`) has them; on AWS the WebSocket API pushes run events",
})]
pub struct MissingPart(pub Part);
