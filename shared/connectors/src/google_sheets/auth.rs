//! A service account's key, and the assertion it signs for a token (RFC 7523,
//! as Google's OAuth 2.0 for service accounts documents it).

use serde::{Deserialize, Serialize};
use sluice_domain::net::GOOGLE_TOKEN_URL;

use super::SheetsError;

/// The scope a token is asked for: read and write spreadsheets.
pub const SCOPE: &str = "https://www.googleapis.com/auth/spreadsheets";
/// How long an assertion is valid (Google takes at most an hour).
const ASSERTION_SECONDS: i64 = 3600;

/// A service account's key: its address, and its private key ready to sign.
/// Its `Debug` shows the address only.
pub struct ServiceAccountKey {
    client_email: String,
    key_id: Option<String>,
    signing: jsonwebtoken::EncodingKey,
}

impl std::fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .finish_non_exhaustive()
    }
}

/// The fields of a key file Sluice reads; the rest (its `token_uri` among
/// them) are ignored.
#[derive(Deserialize)]
struct KeyFile {
    client_email: String,
    private_key: String,
    #[serde(default)]
    private_key_id: Option<String>,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

impl ServiceAccountKey {
    /// The key in `json`, a service account's JSON key file. Its reasons
    /// never quote it.
    pub fn parse(json: &str) -> Result<ServiceAccountKey, SheetsError> {
        sluice_domain::entities::service_account_shape(json)
            .map_err(|why| SheetsError::Config(format!("config.service_account_json: {why}")))?;
        let file: KeyFile = serde_json::from_str(json).map_err(|_| {
            SheetsError::Config(
                "config.service_account_json: must be the JSON key of a service account".into(),
            )
        })?;
        let signing = jsonwebtoken::EncodingKey::from_rsa_pem(file.private_key.as_bytes())
            .map_err(|_| {
                SheetsError::Config(
                    "config.service_account_json: its `private_key` is not an RSA private key in PEM; download a new JSON key of the service account".into(),
                )
            })?;
        Ok(ServiceAccountKey {
            client_email: file.client_email,
            key_id: file.private_key_id.filter(|k| !k.is_empty()),
            signing,
        })
    }

    /// The service account's address.
    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// The signed assertion (a JWT, RS256) asking for a token of [`SCOPE`],
    /// issued at `now` (Unix seconds). Its audience is Google's token endpoint
    /// wherever the request goes (a proxy passes it on).
    pub fn assertion(&self, now: i64) -> Result<String, SheetsError> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = self.key_id.clone();
        let claims = Claims {
            iss: &self.client_email,
            scope: SCOPE,
            aud: GOOGLE_TOKEN_URL,
            iat: now,
            exp: now + ASSERTION_SECONDS,
        };
        jsonwebtoken::encode(&header, &claims, &self.signing).map_err(|_| {
            SheetsError::Config(
                "the service account's private key could not sign; download a new JSON key".into(),
            )
        })
    }
}
