//! Where a project may name files. Two places only:
//! - its own **landing area** of the platform's object store: `store://orders/`
//!   means the keys under `projects/{project}/landing/orders/`, whatever the glob;
//!   warehouse files, run objects and other projects live under prefixes no such
//!   name can reach;
//! - on a machine whose operator allows it, local directories under the configured
//!   **import roots**, never inside a private directory (the data directory with its
//!   keys and database). On Lambda there are none.
//!
//! Both the save-time check (the API, a 422 naming `config.location`) and the
//! open-time check (the `files` connector, for every file it opens) call the rules
//! here, so there is one rule. Resolving a local path follows symlinks, which reads
//! the file system: the one place the domain does, because the rule must see the
//! path the kernel will open, not the text the user wrote.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::quote;
use crate::ids::Id;
use crate::ports::{ObjectError, ObjectInfo, ObjectStore, check_object_key};

/// The location scheme of a project's landing area.
pub const STORE_SCHEME: &str = "store://";

/// Longest location or glob accepted.
const MAX_NAME: usize = 1024;

/// The object-store prefix of a project's landing area (uploads land here).
pub fn landing_prefix(project: &Id) -> String {
    format!("projects/{project}/landing/")
}

/// Why a location, glob or file was refused. Its text quotes nothing longer than
/// [`quote`] allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PathRefused(pub String);

fn refuse(reason: impl Into<String>) -> PathRefused {
    PathRefused(reason.into())
}

/// A `files` source's location, checked for its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A prefix of the project's landing area: empty, or segments ending with `/`.
    Store(String),
    /// An absolute local directory, lexically clean (no `.` or `..`).
    Local(PathBuf),
}

/// Characters never accepted in a location or glob: control characters, the
/// backslash, and `%` (nothing is percent-decoded, so an encoded `..` would only
/// ever be a trap for some later layer that does decode).
fn forbidden_char(c: char) -> bool {
    c.is_control() || c == '\\' || c == '%'
}

/// Parses a `files` location: `store://<prefix>` or an absolute local directory.
pub fn parse_location(text: &str) -> Result<Location, PathRefused> {
    if text.trim().is_empty() {
        return Err(refuse("is required"));
    }
    if text.len() > MAX_NAME {
        return Err(refuse(format!("must be at most {MAX_NAME} bytes")));
    }
    if text.chars().any(forbidden_char) {
        return Err(refuse(
            "must not hold control characters, `\\` or `%` (percent-encodings are not decoded)",
        ));
    }
    if let Some(rest) = text.strip_prefix(STORE_SCHEME) {
        let dir = rest.trim_end_matches('/');
        if dir.is_empty() {
            if rest.is_empty() || rest == "/" {
                return Ok(Location::Store(String::new()));
            }
            return Err(refuse(
                "a `store://` prefix is relative to your landing area",
            ));
        }
        if rest.starts_with('/') {
            return Err(refuse(
                "a `store://` prefix is relative to your landing area: no leading `/`",
            ));
        }
        if check_object_key(dir).is_err() {
            return Err(refuse(
                "a `store://` prefix is made of path segments of letters, digits and `_.=-` (no `.` or `..` segment)",
            ));
        }
        return Ok(Location::Store(format!("{dir}/")));
    }
    if text.contains("://") || text.starts_with("file:") {
        return Err(refuse(
            "use `store://<prefix>` for files uploaded to this project, or a local directory under an import root (other URLs are not supported)",
        ));
    }
    let path = Path::new(text);
    if !path.is_absolute() {
        return Err(refuse(
            "a local directory must be an absolute path under an import root",
        ));
    }
    // Textually: `Path::components` quietly drops a `.` in the middle.
    if text.split('/').any(|s| s == "." || s == "..") {
        return Err(refuse("must not hold `.` or `..` segments"));
    }
    Ok(Location::Local(path.to_path_buf()))
}

/// Checks a stream's glob (`orders/*.csv`, `**/*.parquet`): relative to the
/// location, no `.` or `..` segment, no absolute path, no encodings.
pub fn check_glob(glob: &str) -> Result<(), PathRefused> {
    let g = glob.strip_prefix("./").unwrap_or(glob);
    if g.is_empty() {
        return Err(refuse("must name files: a glob such as `*.csv`"));
    }
    if g.len() > MAX_NAME {
        return Err(refuse(format!("must be at most {MAX_NAME} bytes")));
    }
    if g.chars().any(forbidden_char) {
        return Err(refuse(
            "must not hold control characters, `\\` or `%` (percent-encodings are not decoded)",
        ));
    }
    if g.starts_with('/') || g.starts_with('~') || g.contains("://") {
        return Err(refuse("is a glob relative to the source's location"));
    }
    if g.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return Err(refuse(
            "must not hold empty, `.` or `..` segments: it stays inside the source's location",
        ));
    }
    Ok(())
}

/// The local directories an operator lets `files` sources read, and the private
/// directories inside them that stay out of reach. Paths are kept canonical.
#[derive(Debug, Clone, Default)]
pub struct ImportRoots {
    roots: Vec<PathBuf>,
    private: Vec<PathBuf>,
    /// An operator may add roots here (a local server), so refusals say how.
    configurable: bool,
}

impl ImportRoots {
    /// No local directory is readable (Lambda; a server started without roots).
    pub fn none() -> ImportRoots {
        ImportRoots::default()
    }

    /// `roots` may be read, except what lies under `private`. Every root must
    /// exist; one inside a private directory is refused.
    pub fn new(roots: &[PathBuf], private: &[PathBuf]) -> Result<ImportRoots, String> {
        let private: Vec<PathBuf> = private
            .iter()
            .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
            .collect();
        let mut out = Vec::with_capacity(roots.len());
        for r in roots {
            let c = std::fs::canonicalize(r)
                .map_err(|e| format!("import root {} cannot be read: {e}", r.display()))?;
            if !c.is_dir() {
                return Err(format!("import root {} is not a directory", r.display()));
            }
            if private.iter().any(|p| c.starts_with(p)) {
                return Err(format!(
                    "import root {} lies inside the data directory, which stays private",
                    r.display()
                ));
            }
            out.push(c);
        }
        Ok(ImportRoots {
            roots: out,
            private,
            configurable: true,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    fn allowed(&self, canonical: &Path) -> bool {
        self.roots.iter().any(|r| canonical.starts_with(r))
            && !self.private.iter().any(|p| canonical.starts_with(p))
    }

    /// A source's local directory, every symlink followed: it must lie under an
    /// import root and outside every private directory. Returns the canonical path.
    pub fn resolve_dir(&self, dir: &Path) -> Result<PathBuf, PathRefused> {
        if self.roots.is_empty() {
            return Err(refuse(if self.configurable {
                "no local directory is readable: upload files with `PUT /v1/files/<path>` and read them with `store://`, or have the operator start sluice with `--import-root <dir>`"
            } else {
                "local directories are not readable on this deployment: upload files with `PUT /v1/files/<path>` and read them with `store://`"
            }));
        }
        let refused = || {
            refuse(format!(
                "must be a directory under an import root of this server ({} configured)",
                self.roots.len()
            ))
        };
        let c = std::fs::canonicalize(dir).map_err(|_| refused())?;
        if !self.allowed(&c) || !c.is_dir() {
            return Err(refused());
        }
        Ok(c)
    }

    /// A file about to be opened under `dir` (a directory `resolve_dir` returned),
    /// by its path relative to it: every symlink followed, it must still lie under
    /// `dir` and outside every private directory. Returns the path to open.
    pub fn check_file(&self, dir: &Path, rel: &str) -> Result<PathBuf, PathRefused> {
        let refused = || refuse(format!("{} is outside the source's location", quote(rel)));
        let relative = Path::new(rel);
        if rel.chars().any(|c| c.is_control())
            || !rel
                .split('/')
                .all(|s| !s.is_empty() && s != "." && s != "..")
            || !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(refused());
        }
        let c = std::fs::canonicalize(dir.join(relative)).map_err(|_| refused())?;
        if !c.starts_with(dir) || !self.allowed(&c) {
            return Err(refused());
        }
        Ok(c)
    }
}

/// What a `files` source may read: the project's landing area and the import roots.
#[derive(Clone, Default)]
pub struct FileAccess {
    /// The project's landing area, keys relative to it; `None` where the runtime
    /// has no object store.
    pub landing: Option<Arc<dyn ObjectStore>>,
    pub roots: Arc<ImportRoots>,
}

impl FileAccess {
    /// The landing area of `project` in `objects`, with `roots`.
    pub fn of(
        project: &Id,
        objects: Option<&Arc<dyn ObjectStore>>,
        roots: Arc<ImportRoots>,
    ) -> FileAccess {
        FileAccess {
            landing: objects
                .map(|o| Arc::new(Scoped::new(o.clone(), landing_prefix(project))) as _),
            roots,
        }
    }
}

/// An object store seen through one prefix: keys are relative to it and cannot
/// leave it (every key is checked: no `..`, nothing absolute).
pub struct Scoped {
    inner: Arc<dyn ObjectStore>,
    prefix: String,
}

impl Scoped {
    /// `prefix` ends with `/`.
    pub fn new(inner: Arc<dyn ObjectStore>, prefix: String) -> Scoped {
        Scoped { inner, prefix }
    }

    fn key(&self, key: &str) -> Result<String, ObjectError> {
        check_object_key(key)?;
        Ok(format!("{}{key}", self.prefix))
    }
}

#[async_trait]
impl ObjectStore for Scoped {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), ObjectError> {
        self.inner.put(&self.key(key)?, bytes).await
    }
    async fn put_file(&self, key: &str, path: &Path) -> Result<u64, ObjectError> {
        self.inner.put_file(&self.key(key)?, path).await
    }
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ObjectError> {
        self.inner.get(&self.key(key)?).await
    }
    async fn get_range(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> Result<Option<Vec<u8>>, ObjectError> {
        self.inner.get_range(&self.key(key)?, start, len).await
    }
    async fn copy(&self, from: &str, to: &str) -> Result<bool, ObjectError> {
        self.inner.copy(&self.key(from)?, &self.key(to)?).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, ObjectError> {
        let dir = prefix.trim_end_matches('/');
        if !dir.is_empty() {
            check_object_key(dir)?;
        }
        let listed = self.inner.list(&format!("{}{prefix}", self.prefix)).await?;
        Ok(listed
            .into_iter()
            .filter_map(|mut o| {
                o.key = o.key.strip_prefix(&self.prefix)?.to_string();
                Some(o)
            })
            .collect())
    }
    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        self.inner.delete(&self.key(key)?).await
    }
    async fn check(&self) -> Result<(), ObjectError> {
        self.inner.check().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_locations_are_prefixes_of_the_landing_area() {
        assert_eq!(
            parse_location("store://"),
            Ok(Location::Store(String::new()))
        );
        assert_eq!(
            parse_location("store://orders"),
            Ok(Location::Store("orders/".into()))
        );
        assert_eq!(
            parse_location("store://orders/2026/"),
            Ok(Location::Store("orders/2026/".into()))
        );
        for bad in [
            "store://../..",
            "store://landing/../../",
            "store:///etc",
            "store://a/%2e%2e/b",
            "store://a/./b",
            "store://a//b",
            "store://a\\..\\b",
        ] {
            assert!(parse_location(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn local_locations_are_absolute_and_clean() {
        assert_eq!(
            parse_location("/data/in"),
            Ok(Location::Local("/data/in".into()))
        );
        for bad in [
            "../../../../etc",
            "data",
            "/data/../etc",
            "/data/./x",
            "file:///etc",
            "s3://bucket/x",
            "~/x",
            "/data/%2e%2e/etc",
            "/data\0/x",
        ] {
            assert!(parse_location(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn globs_stay_inside_their_location() {
        for good in ["*.csv", "orders/**/*.parquet", "./a.csv", "a b.csv"] {
            assert!(check_glob(good).is_ok(), "{good} was refused");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../b",
            "a/./b",
            "%2e%2e/x",
            "a\\b",
            "a//b",
            "~/x",
        ] {
            assert!(check_glob(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
