//! Credentials and who they name. A request's project comes from here, never from
//! its path or body. Three credentials open the API, each as `Authorization:
//! Bearer …`:
//! - an access token of a user's session (an EdDSA JWT with a `sid`, 15 minutes),
//!   whose session is looked up on every request, so signing out ends it at once;
//! - an operator token (`sluice token`: the same JWT without a `sid`);
//! - an API key (`slk_…`), looked up by its visible prefix.
//!
//! [`keys`] signs and verifies the JWTs, [`password`] hashes passwords,
//! [`secret`] makes and digests the random secrets of refresh tokens and keys.

pub mod keys;
pub mod password;
pub mod secret;

pub use keys::{Jwks, KeyError, KeySet, TokenKeys, VerifiedToken};

use sluice_domain::{Id, Role};

/// Who is calling, and for which project, with what they may do there. It
/// travels as JSON from the Lambda authorizer to the function of the route.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Principal {
    /// Who created what the request creates (`created_by`): a user's id, an API
    /// key's id, or an operator token's subject.
    pub subject: String,
    pub project: Id,
    /// The built-in role; for a custom role, `viewer` (the floor of what it may
    /// grant others), while `custom` says what it may do.
    pub role: Role,
    /// A custom role of the project: its permissions replace the built-in
    /// role's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomGrant>,
    /// The data marts the role reaches; `None` for the whole project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_marts: Option<Vec<Id>>,
    /// How the caller proved it.
    pub credential: Credential,
}

/// What a custom role grants, as resolved for a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CustomGrant {
    pub role_id: Id,
    pub name: String,
    /// `resource:action` patterns.
    pub permissions: Vec<String>,
}

/// The kind of credential a request came with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credential {
    /// A token minted by the operator (`sluice token`): no session behind it.
    Operator,
    /// A user's access token, of the session `session`.
    Session { user: Id, session: Id },
    /// An API key.
    ApiKey { key: Id },
}

impl Credential {
    /// `operator`, `session` or `api_key`, as `GET /v1/me` names it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Credential::Operator => "operator",
            Credential::Session { .. } => "session",
            Credential::ApiKey { .. } => "api_key",
        }
    }
}

impl Principal {
    /// An operator's principal (`sluice token`, the tests' tokens).
    pub fn operator(subject: impl Into<String>, project: Id, role: Role) -> Principal {
        Principal {
            subject: subject.into(),
            project,
            role,
            custom: None,
            data_marts: None,
            credential: Credential::Operator,
        }
    }

    /// The role as the API names it: the built-in role's name or the custom
    /// role's id.
    pub fn role_ref(&self) -> sluice_domain::entities::RoleRef {
        match &self.custom {
            Some(c) => sluice_domain::entities::RoleRef::Custom(c.role_id.clone()),
            None => sluice_domain::entities::RoleRef::Builtin(self.role),
        }
    }

    /// The user and session of a session's access token.
    pub fn session(&self) -> Option<(&Id, &Id)> {
        match &self.credential {
            Credential::Session { user, session } => Some((user, session)),
            _ => None,
        }
    }
}

/// Why a credential was refused: what to do about it, never the credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unauthorized(pub String);

/// The one answer to a credential that is not good (unknown, revoked, expired,
/// of another deployment): it tells a guesser nothing about which.
pub const CREDENTIAL_REFUSED: &str = "the bearer credential is not valid (unknown, revoked or expired); sign in again or use a valid key";
