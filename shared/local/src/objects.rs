//! The object store as a directory: a key is a relative path under the root. Puts
//! write a temporary file and rename it into place, so a reader never sees half an
//! object and a crash leaves at most a stray `.tmp-*` file (never listed).

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use sluice_domain::ports::{ObjectError, ObjectInfo, ObjectStore, check_object_key};

pub struct DirObjectStore {
    root: PathBuf,
}

impl DirObjectStore {
    pub fn open(root: &Path) -> anyhow::Result<DirObjectStore> {
        std::fs::create_dir_all(root)?;
        Ok(DirObjectStore {
            root: root.to_path_buf(),
        })
    }

    fn path(&self, key: &str) -> Result<PathBuf, ObjectError> {
        check_object_key(key)?;
        Ok(self.root.join(key))
    }
}

fn backend(e: std::io::Error) -> ObjectError {
    ObjectError::backend(e)
}

const TMP_PREFIX: &str = ".tmp-";

/// Makes temporary names unique within the process: two puts of one key at once
/// must not write (and rename away) the same temporary file.
static TMP_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A temporary name in `dir` for what becomes an object there by a rename:
/// never listed, and unique in the process.
fn tmp_in(dir: &Path, what: &str) -> PathBuf {
    let seq = TMP_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.join(format!("{TMP_PREFIX}{what}-{}-{seq}", std::process::id()))
}

#[async_trait]
impl ObjectStore for DirObjectStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), ObjectError> {
        let path = self.path(key)?;
        tokio::task::spawn_blocking(move || {
            let dir = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)?;
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("object");
            let tmp = tmp_in(dir, name);
            std::fs::write(&tmp, &bytes)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, &path)
        })
        .await
        .map_err(ObjectError::backend)?
        .map_err(backend)
    }

    /// Moves the file into place (one rename, atomic, when it is on the same file
    /// system: the server spools uploads in the data directory); otherwise copies
    /// it to a temporary name beside the object (the kernel copies, nothing passes
    /// through memory) and renames that into place.
    async fn put_file(&self, key: &str, source: &Path) -> Result<u64, ObjectError> {
        let path = self.path(key)?;
        let source = source.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let dir = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)?;
            let len = std::fs::metadata(&source)?.len();
            if std::fs::rename(&source, &path).is_ok() {
                return Ok(len);
            }
            let tmp = tmp_in(dir, "upload");
            let len = std::fs::copy(&source, &tmp)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            Ok(len)
        })
        .await
        .map_err(ObjectError::backend)?
        .map_err(backend)
    }

    /// Links the file under a temporary name beside `to` and renames that into
    /// place: no byte is copied, and the object `to` keeps its bytes when `from`
    /// is deleted (objects are only ever replaced by a rename, never written in
    /// place). Where the file system has no hard links, the kernel copies it.
    async fn copy(&self, from: &str, to: &str) -> Result<bool, ObjectError> {
        let (from, to) = (self.path(from)?, self.path(to)?);
        tokio::task::spawn_blocking(move || {
            if !from.is_file() {
                return Ok(false);
            }
            let dir = to.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)?;
            let tmp = tmp_in(dir, "copy");
            match std::fs::hard_link(&from, &tmp) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
                Err(_) => {
                    std::fs::copy(&from, &tmp)?;
                    std::fs::File::open(&tmp)?.sync_all()?;
                }
            }
            std::fs::rename(&tmp, &to)?;
            Ok(true)
        })
        .await
        .map_err(ObjectError::backend)?
        .map_err(backend)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ObjectError> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(backend(e)),
        }
    }

    async fn get_range(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> Result<Option<Vec<u8>>, ObjectError> {
        use std::io::{Read, Seek, SeekFrom};
        let path = self.path(key)?;
        tokio::task::spawn_blocking(move || {
            let mut file = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            };
            file.seek(SeekFrom::Start(start))?;
            let mut out = Vec::with_capacity(len.min(64 << 20) as usize);
            file.take(len).read_to_end(&mut out)?;
            Ok(Some(out))
        })
        .await
        .map_err(ObjectError::backend)?
        .map_err(backend)
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, ObjectError> {
        let root = self.root.clone();
        // Walk from the prefix's directory, not the whole store; a directory part
        // must be a valid key (no `..`, nothing absolute): listing stays inside.
        let start = match prefix.rfind('/') {
            Some(i) => {
                check_object_key(&prefix[..i])?;
                root.join(&prefix[..i])
            }
            None => root.clone(),
        };
        let prefix = prefix.to_string();
        tokio::task::spawn_blocking(move || {
            let mut out = vec![];
            // An entry removed while we walk (a run cleaning up beside a query) is
            // simply not listed; nor is anything under a prefix whose folder is a
            // file (`a.csv/…`).
            let gone = |e: &std::io::Error| {
                matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                )
            };
            let mut stack = vec![start];
            while let Some(dir) = stack.pop() {
                let entries = match std::fs::read_dir(&dir) {
                    Ok(e) => e,
                    Err(e) if gone(&e) => continue,
                    Err(e) => return Err(e),
                };
                for entry in entries {
                    let entry = match entry {
                        Ok(e) => e,
                        Err(e) if gone(&e) => continue,
                        Err(e) => return Err(e),
                    };
                    let path = entry.path();
                    let meta = match entry.metadata() {
                        Ok(m) => m,
                        Err(e) if gone(&e) => continue,
                        Err(e) => return Err(e),
                    };
                    if meta.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    let name = entry.file_name();
                    if name.to_string_lossy().starts_with(TMP_PREFIX) {
                        continue;
                    }
                    let Ok(rel) = path.strip_prefix(&root) else {
                        continue;
                    };
                    let key = rel.to_string_lossy().replace('\\', "/");
                    if key.starts_with(&prefix) {
                        let modified_ms = meta
                            .modified()
                            .ok()
                            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                            .map_or(0, |d| d.as_millis() as i64);
                        out.push(ObjectInfo {
                            key,
                            size: meta.len(),
                            modified_ms,
                        });
                    }
                }
            }
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
        .await
        .map_err(ObjectError::backend)?
        .map_err(backend)
    }

    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(backend(e)),
        }
    }

    /// The root directory is there and can be read.
    async fn check(&self) -> Result<(), ObjectError> {
        let mut entries = tokio::fs::read_dir(&self.root).await.map_err(backend)?;
        entries.next_entry().await.map_err(backend)?;
        Ok(())
    }
}
