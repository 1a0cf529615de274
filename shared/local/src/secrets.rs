//! Secrets in one encrypted file: each value sealed with AES-256-GCM under a random
//! nonce, its name as associated data (a value cannot be moved to another name).
//! The key comes from `SLUICE_SECRETS_KEY` (base64 of 32 bytes) or a generated key
//! file readable only by its owner.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context as _, bail};
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sluice_domain::ports::{SecretValue, Secrets, SecretsError};
use std::sync::Mutex;

/// Environment variable holding the key, base64 of 32 bytes.
pub const KEY_ENV: &str = "SLUICE_SECRETS_KEY";

pub struct FileSecrets {
    path: PathBuf,
    cipher: Aes256Gcm,
    // Serializes read-modify-write of the file within this process.
    lock: Mutex<()>,
}

impl FileSecrets {
    /// Opens the secrets file at `path`; the key comes from `SLUICE_SECRETS_KEY`, or
    /// from `key_file` (created with mode 0600 if missing).
    pub fn open(path: &Path, key_file: &Path) -> anyhow::Result<FileSecrets> {
        let key = match std::env::var(KEY_ENV) {
            Ok(b64) => B64
                .decode(b64.trim())
                .ok()
                .filter(|k| k.len() == 32)
                .with_context(|| format!("{KEY_ENV} must be base64 of 32 bytes"))?,
            Err(_) => load_or_create_key(key_file)?,
        };
        let cipher = Aes256Gcm::new_from_slice(&key)
            .map_err(|_| anyhow::anyhow!("the secrets key must be 32 bytes"))?;
        Ok(FileSecrets {
            path: path.to_path_buf(),
            cipher,
            lock: Mutex::new(()),
        })
    }

    fn read_all(&self) -> anyhow::Result<BTreeMap<String, String>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a secrets file", self.path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.path.display())),
        }
    }

    fn write_all(&self, all: &BTreeMap<String, String>) -> anyhow::Result<()> {
        let tmp = self.path.with_extension("tmp");
        let mut f = create_private(&tmp)?;
        f.write_all(&serde_json::to_vec(all)?)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &self.path)
            .with_context(|| format!("replacing {}", self.path.display()))?;
        Ok(())
    }

    fn seal(&self, name: &str, plain: &[u8]) -> anyhow::Result<String> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce)
            .map_err(|e| anyhow::anyhow!("no randomness for a nonce: {e}"))?;
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(B64.encode(out))
    }

    fn open_sealed(&self, name: &str, sealed: &str) -> anyhow::Result<Vec<u8>> {
        let raw = B64.decode(sealed).context("secret is not base64")?;
        if raw.len() < 12 + 16 {
            bail!("secret `{name}` is truncated");
        }
        let (nonce, ct) = raw.split_at(12);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| {
                anyhow::anyhow!("secret `{name}` does not decrypt: wrong key or tampered file")
            })
    }
}

fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    opts.open(path)
        .with_context(|| format!("creating {}", path.display()))
}

fn load_or_create_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let key = B64
                .decode(String::from_utf8_lossy(&bytes).trim())
                .ok()
                .filter(|k| k.len() == 32);
            key.with_context(|| format!("{} does not hold a base64 32-byte key", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = vec![0u8; 32];
            getrandom::fill(&mut key)
                .map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
            let mut f = create_private(path)?;
            f.write_all(B64.encode(&key).as_bytes())?;
            f.sync_all()?;
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn backend(e: anyhow::Error) -> SecretsError {
    SecretsError::backend(e.into_boxed_dyn_error())
}

#[async_trait]
impl Secrets for FileSecrets {
    async fn put(&self, name: &str, value: &SecretValue) -> Result<(), SecretsError> {
        let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = self.read_all().map_err(backend)?;
        all.insert(
            name.to_string(),
            self.seal(name, value.expose().as_bytes())
                .map_err(backend)?,
        );
        self.write_all(&all).map_err(backend)
    }

    async fn get(&self, name: &str) -> Result<Option<SecretValue>, SecretsError> {
        let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let all = self.read_all().map_err(backend)?;
        let Some(sealed) = all.get(name) else {
            return Ok(None);
        };
        let plain = self.open_sealed(name, sealed).map_err(backend)?;
        let text = String::from_utf8(plain)
            .map_err(|_| backend(anyhow::anyhow!("secret `{name}` is not UTF-8")))?;
        Ok(Some(SecretValue::new(text)))
    }

    async fn delete(&self, name: &str) -> Result<(), SecretsError> {
        let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = self.read_all().map_err(backend)?;
        if all.remove(name).is_some() {
            self.write_all(&all).map_err(backend)?;
        }
        Ok(())
    }
}
