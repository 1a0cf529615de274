//! The keys that sign bearer tokens: Ed25519 (JWS `EdDSA`), through the
//! `jsonwebtoken` crate. A deployment holds a key set, newest first; the newest
//! signs, and a token verifies under any key of the set its header's `kid`
//! names, so a rotation (a new key put first, the old ones kept a while) signs
//! nobody out. The public halves are published as a JWKS
//! (`GET /.well-known/jwks.json`).
//!
//! The set is a secret of the deployment's [`Secrets`] (Secrets Manager on AWS,
//! the encrypted secrets file of the data directory locally), as JSON:
//! `{"keys": [{"kid", "seed", "created_at"}]}`, each seed 32 random bytes in
//! base64url. A plain string of 32 bytes or more is read as one key derived
//! from it (what the template's generated secret holds until it is rotated).

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::signature::KeyPair as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use sluice_domain::entities::identity_partition;
use sluice_domain::ports::{SecretValue, Secrets};
use sluice_domain::{Id, Kind, Role};

use super::{Principal, Unauthorized};

/// Keys a rotation keeps: the new one and the two before it.
pub const KEYS_KEPT: usize = 3;
/// How often a process reads its key set again when a token names a key it does
/// not have (a key rotated in since it started).
const RELOAD_EVERY: Duration = Duration::from_secs(60);

/// Why a key set could not be read or used. Never holds key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the token key set is malformed: {0}")]
    Malformed(String),
    #[error("a token signing secret must be at least 32 bytes, got {0}")]
    TooShort(usize),
    #[error("the token key set has no key")]
    Empty,
    #[error("the token key set could not be read: {0}")]
    Unavailable(String),
    #[error("a token could not be signed: {0}")]
    Signing(String),
}

/// One Ed25519 key: its seed (private), public key and id.
struct SigningKey {
    kid: String,
    seed: [u8; 32],
    public: [u8; 32],
    created_at: Option<DateTime<Utc>>,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl SigningKey {
    fn from_seed(
        seed: [u8; 32],
        created_at: Option<DateTime<Utc>>,
    ) -> Result<SigningKey, KeyError> {
        let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
            .map_err(|_| KeyError::Malformed("a seed is not an Ed25519 key".into()))?;
        let mut public = [0u8; 32];
        public.copy_from_slice(pair.public_key().as_ref());
        // PKCS#8 v1 of an Ed25519 private key (RFC 8410): a fixed prefix, then the seed.
        let mut pkcs8 = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        pkcs8.extend_from_slice(&seed);
        Ok(SigningKey {
            kid: thumbprint(&public),
            seed,
            public,
            created_at,
            encoding: EncodingKey::from_ed_der(&pkcs8),
            decoding: DecodingKey::from_ed_der(&public),
        })
    }
}

/// The RFC 7638 thumbprint of an Ed25519 public key: the key's `kid`.
fn thumbprint(public: &[u8; 32]) -> String {
    let canonical = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        B64.encode(public)
    );
    B64.encode(Sha256::digest(canonical.as_bytes()))
}

/// A deployment's signing keys, newest first. Debug shows the key ids only.
pub struct KeySet {
    keys: Vec<SigningKey>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| &k.kid))
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct StoredSet {
    keys: Vec<StoredKey>,
}

#[derive(Serialize, Deserialize)]
struct StoredKey {
    kid: String,
    seed: String,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
}

impl KeySet {
    /// A set of one new random key.
    pub fn generate(now: DateTime<Utc>) -> Result<KeySet, KeyError> {
        Ok(KeySet {
            keys: vec![new_key(now)?],
        })
    }

    /// Reads a set from its secret value (see the module's documentation).
    pub fn parse(value: &str) -> Result<KeySet, KeyError> {
        let value = value.trim();
        if !value.starts_with('{') {
            if value.len() < 32 {
                return Err(KeyError::TooShort(value.len()));
            }
            let seed: [u8; 32] =
                Sha256::digest([b"sluice token signing key\0", value.as_bytes()].concat()).into();
            return Ok(KeySet {
                keys: vec![SigningKey::from_seed(seed, None)?],
            });
        }
        let stored: StoredSet = serde_json::from_str(value).map_err(|e| {
            KeyError::Malformed(format!(
                "not a key set ({:?} error at line {} column {})",
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        let mut keys = vec![];
        for (i, k) in stored.keys.into_iter().enumerate() {
            let seed: [u8; 32] = B64
                .decode(k.seed.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    KeyError::Malformed(format!("keys[{i}].seed is not 32 bytes of base64url"))
                })?;
            let key = SigningKey::from_seed(seed, k.created_at)?;
            if key.kid != k.kid {
                return Err(KeyError::Malformed(format!(
                    "keys[{i}].kid is not its key's thumbprint"
                )));
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(KeySet { keys })
    }

    /// The set as its secret value.
    pub fn to_secret_value(&self) -> SecretValue {
        let stored = StoredSet {
            keys: self
                .keys
                .iter()
                .map(|k| StoredKey {
                    kid: k.kid.clone(),
                    seed: B64.encode(k.seed),
                    created_at: k.created_at,
                })
                .collect(),
        };
        SecretValue::new(serde_json::to_string(&stored).unwrap_or_default())
    }

    /// A new key first, then the newest of these, [`KEYS_KEPT`] in all.
    pub fn rotated(&self, now: DateTime<Utc>) -> Result<KeySet, KeyError> {
        let mut keys = vec![new_key(now)?];
        for k in self.keys.iter().take(KEYS_KEPT - 1) {
            keys.push(SigningKey::from_seed(k.seed, k.created_at)?);
        }
        Ok(KeySet { keys })
    }

    /// The key ids, newest (the signing one) first.
    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.kid.as_str()).collect()
    }

    /// The public keys as a JWK Set (RFC 7517).
    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: self
                .keys
                .iter()
                .map(|k| Jwk {
                    kty: "OKP".into(),
                    crv: "Ed25519".into(),
                    alg: "EdDSA".into(),
                    key_use: "sig".into(),
                    kid: k.kid.clone(),
                    x: B64.encode(k.public),
                })
                .collect(),
        }
    }
}

/// A JWK Set of public keys (RFC 7517).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// An Ed25519 public key as a JWK (RFC 8037).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Jwk {
    /// `OKP`.
    pub kty: String,
    /// `Ed25519`.
    pub crv: String,
    /// `EdDSA`.
    pub alg: String,
    /// `sig`.
    #[serde(rename = "use")]
    pub key_use: String,
    /// The key's RFC 7638 thumbprint, as tokens' headers name it.
    pub kid: String,
    /// The public key, base64url.
    pub x: String,
}

fn new_key(now: DateTime<Utc>) -> Result<SigningKey, KeyError> {
    let seed = super::secret::random_bytes::<32>().map_err(|e| KeyError::Unavailable(e.0))?;
    SigningKey::from_seed(seed, Some(now))
}

/// The claims of a Sluice token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    project: String,
    role: String,
    iat: i64,
    exp: i64,
    /// The session of a user's access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
}

/// What a token says, once its signature, expiry and claims are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub subject: String,
    pub project: Id,
    pub role: Role,
    /// The session of a user's access token; `None` for an operator token.
    pub session: Option<Id>,
}

/// Where a process reads its key set again (a rotation since it started).
struct Source {
    secrets: Arc<dyn Secrets>,
    name: String,
    last_read: Mutex<Instant>,
}

/// The key set a process signs and verifies with. Debug never shows a key.
pub struct TokenKeys {
    set: RwLock<Arc<KeySet>>,
    source: Option<Source>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(********)")
    }
}

fn refuse(m: &str) -> Unauthorized {
    Unauthorized(m.to_string())
}

impl TokenKeys {
    /// Keys that are these and only these.
    pub fn new(set: KeySet) -> TokenKeys {
        TokenKeys {
            set: RwLock::new(Arc::new(set)),
            source: None,
        }
    }

    /// Keys from a secret's value (see the module's documentation).
    pub fn from_secret_value(value: &str) -> Result<TokenKeys, KeyError> {
        Ok(TokenKeys::new(KeySet::parse(value)?))
    }

    /// A random key that never leaves the process: for a process that verifies
    /// no tokens (a stage), so nothing it could be handed verifies.
    pub fn sealed() -> Result<TokenKeys, KeyError> {
        Ok(TokenKeys::new(KeySet::generate(Utc::now())?))
    }

    /// The set held in the secret `name`, read again when a token names a key
    /// it lacks (at most once a minute). With `create`, a missing secret is
    /// written with a new key first (the local data directory's first start).
    pub async fn load(
        secrets: Arc<dyn Secrets>,
        name: &str,
        create: bool,
    ) -> Result<TokenKeys, KeyError> {
        let set = match secrets
            .get(name)
            .await
            .map_err(|e| KeyError::Unavailable(e.to_string()))?
        {
            Some(v) => KeySet::parse(v.expose())?,
            None if create => {
                let set = KeySet::generate(Utc::now())?;
                secrets
                    .put(name, &set.to_secret_value())
                    .await
                    .map_err(|e| KeyError::Unavailable(e.to_string()))?;
                set
            }
            None => {
                return Err(KeyError::Unavailable(format!(
                    "secret {name} does not exist"
                )));
            }
        };
        Ok(TokenKeys {
            set: RwLock::new(Arc::new(set)),
            source: Some(Source {
                secrets,
                name: name.to_string(),
                last_read: Mutex::new(Instant::now()),
            }),
        })
    }

    fn current(&self) -> Arc<KeySet> {
        self.set
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The public keys as a JWK Set.
    pub fn jwks(&self) -> Jwks {
        self.current().jwks()
    }

    /// Mints a token for `principal` (an access token of its session, if it
    /// has one), valid `ttl_seconds` from `now` (unix seconds), signed with the
    /// newest key.
    pub fn sign(
        &self,
        principal: &Principal,
        now: i64,
        ttl_seconds: i64,
    ) -> Result<String, KeyError> {
        let set = self.current();
        let key = set.keys.first().ok_or(KeyError::Empty)?;
        let claims = Claims {
            sub: principal.subject.clone(),
            project: principal.project.to_string(),
            role: principal.role.as_str().into(),
            iat: now,
            exp: now + ttl_seconds,
            sid: principal.session().map(|(_, s)| s.to_string()),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, &claims, &key.encoding)
            .map_err(|e| KeyError::Signing(e.to_string()))
    }

    /// Checks the token's algorithm, key, signature, expiry (against `now`,
    /// unix seconds) and claims. Every failure is a 401 whose message says
    /// what to do, never echoing the token.
    pub async fn verify(&self, token: &str, now: i64) -> Result<VerifiedToken, Unauthorized> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| refuse("the bearer token is not a JWT"))?;
        if header.alg != Algorithm::EdDSA {
            return Err(refuse("the bearer token must be signed with EdDSA"));
        }
        let kid = header
            .kid
            .ok_or_else(|| refuse("the bearer token names no signing key (`kid`)"))?;
        let key = match self.key(&kid) {
            Some(k) => k,
            None => {
                self.reload().await;
                self.key(&kid).ok_or_else(|| {
                    refuse("the bearer token is signed by a key this deployment does not have")
                })?
            }
        };
        let mut validation = Validation::new(Algorithm::EdDSA);
        // Expiry is checked below against the deployment's clock.
        validation.validate_exp = false;
        validation.required_spec_claims = ["exp".to_string()].into();
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            refuse(match e.kind() {
                ErrorKind::InvalidSignature => "the bearer token's signature is invalid",
                ErrorKind::Json(_) | ErrorKind::MissingRequiredClaim(_) => {
                    "the bearer token's claims are malformed"
                }
                _ => "the bearer token is malformed",
            })
        })?;
        let claims = data.claims;
        if claims.exp <= now {
            return Err(refuse(
                "the bearer token has expired; refresh it, sign in again or mint a new one",
            ));
        }
        let project = Id::parse(Kind::Project, &claims.project)
            .filter(|p| *p != identity_partition())
            .ok_or_else(|| refuse("the bearer token names no valid project"))?;
        let role = Role::parse(&claims.role)
            .ok_or_else(|| refuse("the bearer token names no valid role"))?;
        let session = match claims.sid {
            Some(sid) => Some(
                Id::parse(Kind::Session, &sid)
                    .ok_or_else(|| refuse("the bearer token names no valid session"))?,
            ),
            None => None,
        };
        Ok(VerifiedToken {
            subject: claims.sub,
            project,
            role,
            session,
        })
    }

    fn key(&self, kid: &str) -> Option<DecodingKey> {
        self.current()
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .map(|k| k.decoding.clone())
    }

    /// Reads the set again from its secret, at most once per [`RELOAD_EVERY`];
    /// a failure keeps the set held.
    async fn reload(&self) {
        let Some(source) = &self.source else { return };
        {
            let Ok(mut last) = source.last_read.lock() else {
                return;
            };
            if last.elapsed() < RELOAD_EVERY {
                return;
            }
            *last = Instant::now();
        }
        match source.secrets.get(&source.name).await {
            Ok(Some(v)) => match KeySet::parse(v.expose()) {
                Ok(set) => {
                    if let Ok(mut held) = self.set.write() {
                        *held = Arc::new(set);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "The token key set read again is not valid; keeping the one held.")
                }
            },
            Ok(None) => tracing::warn!("The token key secret is gone; keeping the key set held."),
            Err(e) => tracing::warn!(error = %e, "The token key set could not be read again."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_domain::ports::SecretsError;

    fn keys() -> TokenKeys {
        TokenKeys::from_secret_value(&"7".repeat(32)).expect("key")
    }

    fn principal() -> Principal {
        Principal::operator("ann", Id::generate(Kind::Project, 1), Role::Editor)
    }

    fn verified(p: &Principal) -> VerifiedToken {
        VerifiedToken {
            subject: p.subject.clone(),
            project: p.project.clone(),
            role: p.role,
            session: None,
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn a_signed_token_names_its_key_and_verifies_to_its_principal() {
        let p = principal();
        let k = keys();
        let t = k.sign(&p, 1000, 60).expect("signed");
        let header = jsonwebtoken::decode_header(&t).expect("a JWT");
        assert_eq!(header.alg, Algorithm::EdDSA);
        assert_eq!(header.kid.as_deref(), Some(k.current().kids()[0]));
        assert_eq!(block_on(k.verify(&t, 1001)).expect("valid"), verified(&p));
    }

    #[test]
    fn the_same_secret_gives_the_same_key_and_a_set_survives_its_secret_value() {
        assert_eq!(keys().current().kids(), keys().current().kids());
        let set = KeySet::generate(Utc::now()).expect("set");
        let again = KeySet::parse(set.to_secret_value().expose()).expect("parsed");
        assert_eq!(set.kids(), again.kids());
        assert!(KeySet::parse("short").is_err());
        assert!(KeySet::parse(r#"{"keys": []}"#).is_err());
        let shown = format!("{set:?} {:?}", keys());
        assert!(!shown.contains("seed"), "{shown}");
    }

    #[test]
    fn a_rotation_keeps_old_tokens_valid_and_signs_with_the_new_key() {
        let old = KeySet::generate(Utc::now()).expect("set");
        let before = TokenKeys::new(KeySet::parse(old.to_secret_value().expose()).expect("set"));
        let token = before.sign(&principal(), 1000, 60).expect("signed");
        let rotated = old.rotated(Utc::now()).expect("rotated");
        assert_eq!(rotated.kids().len(), 2);
        assert_eq!(rotated.kids()[1], old.kids()[0], "the old key is kept");
        let after = TokenKeys::new(rotated);
        assert!(
            block_on(after.verify(&token, 1001)).is_ok(),
            "old tokens still verify"
        );
        let fresh = after.sign(&principal(), 1000, 60).expect("signed");
        let kid = jsonwebtoken::decode_header(&fresh).expect("jwt").kid;
        assert_ne!(kid.as_deref(), Some(old.kids()[0]), "the newest key signs");
        // Rotations keep at most KEYS_KEPT keys.
        let mut set = after.current().rotated(Utc::now()).expect("rotated");
        for _ in 0..5 {
            set = set.rotated(Utc::now()).expect("rotated");
        }
        assert_eq!(set.kids().len(), KEYS_KEPT);
        assert!(
            block_on(TokenKeys::new(set).verify(&token, 1001)).is_err(),
            "retired at last"
        );
    }

    #[test]
    fn expired_tampered_unsigned_and_foreign_tokens_are_refused() {
        let k = keys();
        let t = k.sign(&principal(), 1000, 60).expect("signed");
        assert!(
            block_on(k.verify(&t, 1060))
                .expect_err("expired")
                .0
                .contains("expired")
        );
        let other = TokenKeys::from_secret_value(&"8".repeat(32)).expect("key");
        assert!(
            block_on(other.verify(&t, 1001)).is_err(),
            "another deployment's key"
        );
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = B64.encode(r#"{"sub":"ann","project":"prj_01JD3Z6Q8H4W9V2C5N7R0T1B3K","role":"owner","iat":0,"exp":99999999999}"#);
        parts[1] = &forged;
        assert!(
            block_on(k.verify(&parts.join("."), 1001)).is_err(),
            "changed claims"
        );
        let none_alg = format!("{}.{}.", B64.encode(r#"{"alg":"none"}"#), forged);
        assert!(block_on(k.verify(&none_alg, 1001)).is_err(), "alg none");
        let hs = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &serde_json::json!({"sub":"a","project":"prj_01JD3Z6Q8H4W9V2C5N7R0T1B3K","role":"owner","iat":0,"exp":99999999999i64}),
            &EncodingKey::from_secret(b"guess"),
        )
        .expect("hs256");
        let e = block_on(k.verify(&hs, 1001)).expect_err("HS256");
        assert!(!e.0.contains(&hs), "the token is never echoed");
    }

    #[test]
    fn a_token_for_the_identity_partition_names_no_project() {
        let p = Principal::operator("x", identity_partition(), Role::Owner);
        let t = keys().sign(&p, 1000, 60).expect("signed");
        assert!(block_on(keys().verify(&t, 1001)).is_err());
    }

    /// One secret, rotated behind a process's back.
    struct OneSecret(Mutex<Option<String>>);

    #[async_trait::async_trait]
    impl Secrets for OneSecret {
        async fn put(&self, _: &str, value: &SecretValue) -> Result<(), SecretsError> {
            *self.0.lock().expect("lock") = Some(value.expose().to_string());
            Ok(())
        }
        async fn get(&self, _: &str) -> Result<Option<SecretValue>, SecretsError> {
            Ok(self.0.lock().expect("lock").clone().map(SecretValue::new))
        }
        async fn delete(&self, _: &str) -> Result<(), SecretsError> {
            Ok(())
        }
    }

    #[test]
    fn a_process_reads_a_key_rotated_in_after_it_started() {
        block_on(async {
            let secrets = Arc::new(OneSecret(Mutex::new(None)));
            let running = TokenKeys::load(secrets.clone(), "k", true)
                .await
                .expect("created");
            let stored = secrets.get("k").await.expect("get").expect("written");
            let rotated = KeySet::parse(stored.expose())
                .expect("set")
                .rotated(Utc::now())
                .expect("rotated");
            secrets
                .put("k", &rotated.to_secret_value())
                .await
                .expect("put");
            let signer = TokenKeys::load(secrets.clone(), "k", false)
                .await
                .expect("loaded");
            let token = signer.sign(&principal(), 1000, 60).expect("signed");
            // Not before a minute has passed since the last read…
            assert!(running.verify(&token, 1001).await.is_err());
            if let Some(s) = &running.source {
                let mut last = s.last_read.lock().expect("lock");
                *last = last.checked_sub(RELOAD_EVERY).expect("a minute after boot");
            }
            // …then the new key is read and the token verifies.
            assert!(running.verify(&token, 1001).await.is_ok());
        });
    }
}
