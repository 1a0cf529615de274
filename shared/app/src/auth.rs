//! Bearer tokens: HS256 JWTs whose claims name the project and the role. The project
//! of every request comes from here, never from its path or body.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use sluice_domain::{Id, Kind, Role};

type HmacSha256 = Hmac<Sha256>;

/// Who is calling, and for which project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub project: Id,
    pub role: Role,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    project: String,
    role: String,
    iat: i64,
    exp: i64,
}

/// The signing key. Its Debug never shows it.
pub struct TokenKeys {
    mac: HmacSha256,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(********)")
    }
}

/// Why a bearer token was refused: what to do about it, never the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unauthorized(pub String);

/// A token signing key under 32 bytes (its length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the token signing key must be at least 32 bytes, got {0}")]
pub struct KeyTooShort(pub usize);

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

impl TokenKeys {
    /// A key of at least 32 bytes.
    pub fn new(secret: &[u8]) -> Result<TokenKeys, KeyTooShort> {
        if secret.len() < 32 {
            return Err(KeyTooShort(secret.len()));
        }
        let mac = HmacSha256::new_from_slice(secret).map_err(|_| KeyTooShort(secret.len()))?;
        Ok(TokenKeys { mac })
    }

    /// Mints a token for `principal`, valid `ttl_seconds` from `now` (unix seconds).
    pub fn sign(&self, principal: &Principal, now: i64, ttl_seconds: i64) -> String {
        let claims = Claims {
            sub: principal.subject.clone(),
            project: principal.project.to_string(),
            role: principal.role.as_str().into(),
            iat: now,
            exp: now + ttl_seconds,
        };
        let payload = serde_json::to_vec(&claims).unwrap_or_default();
        let signing_input = format!("{}.{}", B64.encode(HEADER), B64.encode(payload));
        let mut mac = self.mac.clone();
        mac.update(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            B64.encode(mac.finalize().into_bytes())
        )
    }

    /// Checks signature, algorithm, expiry and claims. Every failure is a 401 whose
    /// message says what to do, never echoing the token.
    pub fn verify(&self, token: &str, now: i64) -> Result<Principal, Unauthorized> {
        let unauthorized = |m: &str| Unauthorized(m.to_string());
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(unauthorized("the bearer token is not a JWT"));
        };
        let header: serde_json::Value = B64
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| unauthorized("the bearer token's header is malformed"))?;
        if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
            return Err(unauthorized("the bearer token must be signed with HS256"));
        }
        let sig = B64
            .decode(s)
            .map_err(|_| unauthorized("the bearer token's signature is malformed"))?;
        let mut mac = self.mac.clone();
        mac.update(h.as_bytes());
        mac.update(b".");
        mac.update(p.as_bytes());
        mac.verify_slice(&sig)
            .map_err(|_| unauthorized("the bearer token's signature is invalid"))?;
        let claims: Claims = B64
            .decode(p)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| unauthorized("the bearer token's claims are malformed"))?;
        if claims.exp <= now {
            return Err(unauthorized("the bearer token has expired; mint a new one"));
        }
        let project = Id::parse(Kind::Project, &claims.project)
            .ok_or_else(|| unauthorized("the bearer token names no valid project"))?;
        let role = Role::parse(&claims.role)
            .ok_or_else(|| unauthorized("the bearer token names no valid role"))?;
        Ok(Principal {
            subject: claims.sub,
            project,
            role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&[7u8; 32]).expect("key")
    }

    fn principal() -> Principal {
        Principal {
            subject: "ann".into(),
            project: Id::generate(Kind::Project, 1),
            role: Role::Editor,
        }
    }

    #[test]
    fn a_signed_token_verifies_to_its_principal() {
        let p = principal();
        let t = keys().sign(&p, 1000, 60);
        assert_eq!(keys().verify(&t, 1001).expect("valid"), p);
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let t = keys().sign(&principal(), 1000, 60);
        assert!(keys().verify(&t, 1060).is_err(), "expired");
        let other = TokenKeys::new(&[8u8; 32]).expect("key");
        assert!(other.verify(&t, 1001).is_err(), "another key");
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = B64.encode(r#"{"sub":"ann","project":"prj_01JD3Z6Q8H4W9V2C5N7R0T1B3K","role":"owner","iat":0,"exp":99999999999}"#);
        parts[1] = &forged;
        assert!(
            keys().verify(&parts.join("."), 1001).is_err(),
            "changed claims"
        );
        let none_alg = format!("{}.{}.", B64.encode(r#"{"alg":"none"}"#), forged);
        assert!(keys().verify(&none_alg, 1001).is_err(), "alg none");
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(TokenKeys::new(b"short").is_err());
    }
}
