//! Passwords, hashed with Argon2id (the `argon2` crate) and kept as PHC strings
//! (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`): the parameters travel with each
//! hash, so hashes made before a change of parameters still verify.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Memory of one hash, KiB: 19 MiB, OWASP's smallest for Argon2id, which a
/// 128 MB Lambda function holds beside its own.
pub const MEMORY_KIB: u32 = 19_456;
/// Passes over the memory: three times OWASP's two at 19 MiB, so one hash takes
/// about 60 ms on one core of this project's machines (measured: 10 ms a pass),
/// up to 100 ms under load. A sign-in pays it once; a guesser, per guess.
pub const ITERATIONS: u32 = 6;
/// Lanes: one, since a Lambda function has about one core.
pub const PARALLELISM: u32 = 1;

/// Why a password could not be hashed (never the password).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the password could not be hashed: {0}")]
pub struct HashError(String);

fn hasher() -> Argon2<'static> {
    // The constants are in Argon2's ranges; `Params::DEFAULT` is never used.
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of `password` under a new random salt.
pub fn hash(password: &str) -> Result<String, HashError> {
    let salt_bytes = super::secret::random_bytes::<16>().map_err(|e| HashError(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| HashError(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `password` is the one `phc` was made from (the crate compares in
/// constant time). A malformed hash matches nothing.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
}

/// Costs what [`verify`] costs, and matches nothing: a sign-in with an unknown
/// address takes as long as one with a wrong password.
pub fn verify_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| {
        let random = super::secret::new_secret().unwrap_or_else(|_| "x".repeat(43));
        hash(&random).unwrap_or_default()
    });
    let _ = verify(password, phc);
}

/// Whether `phc` was made with other parameters than today's (it is hashed
/// again at the next successful sign-in).
pub fn is_outdated(phc: &str) -> bool {
    let Ok(h) = PasswordHash::new(phc) else {
        return true;
    };
    let p = |name: &str| h.params.get_decimal(name);
    h.algorithm.as_str() != "argon2id"
        || p("m") != Some(MEMORY_KIB)
        || p("t") != Some(ITERATIONS)
        || p("p") != Some(PARALLELISM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_and_no_other_does() {
        let h = hash("correct horse battery").expect("hashed");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=6,p=1$"), "{h}");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("correct horse battery", "not a hash"));
        assert!(!is_outdated(&h));
        assert_ne!(h, hash("correct horse battery").expect("hashed"), "salted");
    }

    #[test]
    fn hashes_of_other_parameters_still_verify_and_are_marked_outdated() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).expect("params"),
        );
        let salt = SaltString::encode_b64(b"0123456789abcdef").expect("salt");
        let old = weak
            .hash_password(b"an older password", &salt)
            .expect("hashed")
            .to_string();
        assert!(verify("an older password", &old));
        assert!(is_outdated(&old));
    }
}
