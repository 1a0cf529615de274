//! The random secrets of refresh tokens and API keys, and their digests: a
//! secret is shown once and stored only as its SHA-256 digest, compared in
//! constant time.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// Bytes of randomness in a refresh token's or an API key's secret (256 bits).
pub const SECRET_BYTES: usize = 32;

/// The operating system's random source failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the operating system gave no randomness: {0}")]
pub struct NoRandomness(pub String);

/// `n` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], NoRandomness> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| NoRandomness(e.to_string()))?;
    Ok(bytes)
}

/// A new secret: [`SECRET_BYTES`] random bytes, base64url without padding.
pub fn new_secret() -> Result<String, NoRandomness> {
    Ok(B64.encode(random_bytes::<SECRET_BYTES>()?))
}

/// The SHA-256 digest of `secret`, hex.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `secret`'s digest is `stored`, compared in constant time.
pub fn matches(secret: &str, stored: &str) -> bool {
    digest(secret).as_bytes().ct_eq(stored.as_bytes()).into()
}

/// Lower-case letters and digits without look-alikes (no `0 o 1 l i`).
const PREFIX_ALPHABET: &[u8; 31] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new API key's visible prefix: 8 characters of [`PREFIX_ALPHABET`] (about
/// 39 bits: it tells keys apart; the secret after it is what opens).
pub fn new_prefix() -> Result<String, NoRandomness> {
    let bytes = random_bytes::<8>()?;
    Ok(bytes
        .iter()
        .map(|b| PREFIX_ALPHABET[usize::from(b % 31)] as char)
        .collect())
}

/// How an API key begins.
pub const API_KEY_START: &str = "slk_";
/// Characters of an API key's visible prefix.
pub const PREFIX_CHARS: usize = 8;

/// `slk_<prefix>_<secret>`.
pub fn api_key(prefix: &str, secret: &str) -> String {
    format!("{API_KEY_START}{prefix}_{secret}")
}

/// The visible prefix of what looks like an API key; `None` for anything else.
pub fn api_key_prefix(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(API_KEY_START)?;
    let prefix = rest.get(..PREFIX_CHARS)?;
    let secret = rest.get(PREFIX_CHARS..)?.strip_prefix('_')?;
    let ok = prefix.bytes().all(|b| PREFIX_ALPHABET.contains(&b))
        && secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_matches_its_digest_only() {
        let s = new_secret().expect("randomness");
        assert_eq!(s.len(), 43, "256 bits in base64url");
        let d = digest(&s);
        assert!(matches(&s, &d));
        assert!(!matches(&new_secret().expect("randomness"), &d));
        assert!(!matches(&s, &d[..10]), "a cut digest is no match");
    }

    #[test]
    fn an_api_key_shows_its_prefix_and_nothing_else_passes_for_one() {
        let prefix = new_prefix().expect("randomness");
        let key = api_key(&prefix, &new_secret().expect("randomness"));
        assert_eq!(api_key_prefix(&key), Some(prefix.as_str()));
        for other in [
            "",
            "slk_",
            "slk_abcdefgh",
            "slk_abcdefgh_short",
            "eyJhbGciOi.x.y",
            &key[..key.len() - 1],
        ] {
            assert_eq!(api_key_prefix(other), None, "{other:?}");
        }
    }
}
