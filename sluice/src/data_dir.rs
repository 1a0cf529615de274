//! The data directory: the SQLite metadata file, the encrypted secrets file and its
//! key, the token key set (`token-keys.json`, owner-only), and the id of the
//! default project.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use sluice_app::Deps;
use sluice_app::auth::{KeySet, Principal, TokenKeys};
use sluice_domain::entities::{Meta, Project};
use sluice_domain::files::ImportRoots;
use sluice_domain::ports::{Clock, QueryLimits, Record, StoreError, SystemClock};
use sluice_domain::{Id, Kind, Role};
use sluice_engine::DataFusionWarehouse;
use sluice_local::{DirObjectStore, FileSecrets, LocalBus, SqliteQueue, SqliteStore};

pub struct DataDir {
    root: PathBuf,
    /// Local directories `files` sources may read; none by default.
    import_roots: Vec<PathBuf>,
    /// Where requests a project configures may go.
    egress: sluice_domain::net::Egress,
    /// The secrets' master key file the operator names, instead of the generated
    /// `secrets.key` (`SLUICE_SECRETS_KEY` overrides both).
    secrets_key_file: Option<PathBuf>,
    max_upload_bytes: u64,
    /// How `email` destinations send (the operator's SMTP server); none by default.
    mailer: Option<Arc<dyn sluice_domain::ports::Mailer>>,
    /// Google's endpoints, for `google_sheets` destinations.
    google: sluice_domain::net::GoogleApis,
}

impl DataDir {
    /// Opens `root`, creating it (owner-only) if needed.
    pub fn open(root: &Path) -> anyhow::Result<DataDir> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("creating the data directory {}", root.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("restricting {}", root.display()))?;
        }
        Ok(DataDir {
            root: root.to_path_buf(),
            import_roots: vec![],
            egress: sluice_domain::net::Egress::public_only(),
            secrets_key_file: None,
            max_upload_bytes: sluice_app::DEFAULT_MAX_UPLOAD_BYTES,
            mailer: None,
            google: sluice_domain::net::GoogleApis::default(),
        })
    }

    /// Lets `files` sources read local directories under `roots` (never the data
    /// directory itself, even when a root contains it).
    pub fn with_import_roots(mut self, roots: Vec<PathBuf>) -> DataDir {
        self.import_roots = roots;
        self
    }

    /// Lets REST sources and webhooks reach the networks `egress` opens.
    pub fn with_egress(mut self, egress: sluice_domain::net::Egress) -> DataDir {
        self.egress = egress;
        self
    }

    /// Mails `email` destinations' reports through `mailer`.
    pub fn with_mail(mut self, mailer: Option<Arc<dyn sluice_domain::ports::Mailer>>) -> DataDir {
        self.mailer = mailer;
        self
    }

    /// Calls Google's APIs at `apis` (a proxy, a test server) instead of Google's own.
    pub fn with_google(mut self, apis: sluice_domain::net::GoogleApis) -> DataDir {
        self.google = apis;
        self
    }

    /// Takes the secrets' master key from `path` (32 bytes, base64) when given.
    pub fn with_secrets_key_file(mut self, path: Option<PathBuf>) -> DataDir {
        self.secrets_key_file = path;
        self
    }

    /// Accepts uploads up to `bytes`.
    pub fn with_max_upload_bytes(mut self, bytes: u64) -> DataDir {
        self.max_upload_bytes = bytes;
        self
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Where the token key set is kept: `token-keys.json`, owner-only.
    pub fn token_keys_path(&self) -> PathBuf {
        self.root.join("token-keys.json")
    }

    /// The token key set (`sluice_app::auth::keys`), generated on first use.
    pub fn key_set(&self) -> anyhow::Result<KeySet> {
        let path = self.token_keys_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => KeySet::parse(&text).with_context(|| format!("reading {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let set = KeySet::generate(SystemClock.now())?;
                write_private(&path, set.to_secret_value().expose().as_bytes())?;
                Ok(set)
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// The keys tokens are signed and verified with.
    pub fn token_keys(&self) -> anyhow::Result<TokenKeys> {
        Ok(TokenKeys::new(self.key_set()?))
    }

    /// Puts a new signing key first, keeping the newest older ones (tokens they
    /// signed still verify); a running server takes it when it starts again.
    /// Returns the key ids, newest first.
    pub fn rotate_keys(&self) -> anyhow::Result<Vec<String>> {
        let rotated = self.key_set()?.rotated(SystemClock.now())?;
        replace_private(
            &self.token_keys_path(),
            rotated.to_secret_value().expose().as_bytes(),
        )?;
        Ok(rotated.kids().into_iter().map(str::to_string).collect())
    }

    /// Everything the handlers need, over the embedded adapters.
    pub fn deps(&self, readers: usize) -> anyhow::Result<Deps> {
        let store = SqliteStore::open(&self.root.join("metadata.db"), readers)?;
        let key_file = self
            .secrets_key_file
            .clone()
            .unwrap_or_else(|| self.root.join("secrets.key"));
        let secrets = FileSecrets::open(&self.root.join("secrets.json"), &key_file)?;
        let queue_names = sluice_runs::worker::queues();
        let queue_refs: Vec<(&str, u32)> =
            queue_names.iter().map(|(n, m)| (n.as_str(), *m)).collect();
        // The queues live in the metadata file, as ARCHITECTURE.md §3 has it.
        let queue = SqliteQueue::open(&self.root.join("metadata.db"), &queue_refs)?;
        let objects_root = self.root.join("objects");
        let objects = DirObjectStore::open(&objects_root)?;
        let mut deps = Deps::new(
            Arc::new(store),
            Arc::new(secrets),
            Arc::new(SystemClock),
            Arc::new(self.token_keys()?),
        );
        deps.queue = Some(Arc::new(queue));
        deps.objects = Some(Arc::new(objects));
        let limits = QueryLimits::from_variables(|name| std::env::var(name).ok())?;
        deps.warehouse = Some(Arc::new(DataFusionWarehouse::with_limits(
            &objects_root,
            limits,
        )));
        let bus = Arc::new(LocalBus::new(1024));
        deps.bus = Some(bus.clone());
        deps.feed = Some(Arc::new(crate::BusFeed(bus)));
        deps.previewer = Some(Arc::new(sluice_runs::EnginePreviewer));
        deps.import_roots = Arc::new(
            ImportRoots::new(&self.import_roots, std::slice::from_ref(&self.root))
                .map_err(anyhow::Error::msg)?,
        );
        deps.egress = self.egress.clone();
        deps.mailer = self.mailer.clone();
        deps.google = self.google.clone();
        deps.tester = Some(Arc::new(sluice_connectors::tester::Tester::new(
            &self.egress,
            &self.google,
        )));
        deps.max_upload_bytes = self.max_upload_bytes;
        // Uploads spool inside the (owner-only) data directory, beside the objects.
        deps.upload_spool = self.root.join("uploads");
        std::fs::create_dir_all(&deps.upload_spool)
            .with_context(|| format!("creating {}", deps.upload_spool.display()))?;
        Ok(deps)
    }

    /// Moves config values that are secret by their spec but were stored in plain
    /// config (by an earlier version) into the secrets file, and leaves no copy of
    /// them in the metadata file. Returns how many records moved.
    pub async fn migrate_plain_secrets(&self, deps: &Deps) -> anyhow::Result<usize> {
        let store = SqliteStore::open(&self.root.join("metadata.db"), 1)?;
        let mut moved = 0;
        for kind in [Kind::Source, Kind::Destination] {
            for record in store.all_of_kind(kind)? {
                if sluice_app::services::configured::migrate_plain_secrets(deps, &record)
                    .await
                    .map_err(|e| anyhow::anyhow!("moving a {}'s secrets: {e}", kind.noun()))?
                {
                    moved += 1;
                }
            }
        }
        if moved > 0 {
            store.checkpoint()?;
        }
        Ok(moved)
    }

    /// The default project, created on first start.
    pub async fn default_project(&self, deps: &Deps) -> anyhow::Result<Id> {
        let path = self.root.join("default-project");
        if let Ok(text) = std::fs::read_to_string(&path) {
            return Id::parse(Kind::Project, text.trim())
                .with_context(|| format!("{} does not hold a project id", path.display()));
        }
        let now = SystemClock.now();
        let meta = Meta::new(
            Kind::Project,
            &Id::generate(Kind::Project, now.timestamp_millis() as u64),
            "sluice",
            now,
        );
        let id = meta.id.clone();
        let project = Project {
            meta: Meta {
                project_id: id.clone(),
                ..meta
            },
            name: "Default project".into(),
            webhook: None,
            slack: None,
            teams: None,
            notifications: Default::default(),
        };
        let record = Record {
            project: id.clone(),
            kind: Kind::Project,
            id: id.clone(),
            parent: None,
            version: 1,
            deleted: false,
            due_at: None,
            body: serde_json::to_string(&project)?,
        };
        match deps.store.insert(&record).await {
            Ok(()) | Err(StoreError::AlreadyExists) => {}
            Err(e) => return Err(e).context("creating the default project"),
        }
        write_private(&path, id.as_str().as_bytes())?;
        Ok(id)
    }

    /// Mints a token for `project` and `role`.
    pub fn mint(
        &self,
        project: &Id,
        role: Role,
        subject: &str,
        ttl_seconds: i64,
    ) -> anyhow::Result<String> {
        let keys = self.token_keys()?;
        Ok(keys.sign(
            &Principal::operator(subject, project.clone(), role),
            SystemClock.now().timestamp(),
            ttl_seconds,
        )?)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Replaces `path` with `bytes` (owner-only) through a temporary file, so a
/// reader sees the old content or the new, never a part.
pub(crate) fn replace_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    write_private(&tmp, bytes)?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}
