//! Who may call: users who sign in with an e-mail address and a password, their
//! sessions (each the family of refresh tokens rotated from one sign-in), and API
//! keys. They are the deployment's records, not a project's: they live in the
//! identity partition ([`identity_partition`]), a project key no credential ever
//! names (a token that names it is refused), so no project's routes reach them.
//!
//! Secrets are never kept here in the clear: a password as its Argon2id hash, a
//! refresh token or an API key as its SHA-256 digest, each in a [`Hidden`] whose
//! Debug shows nothing.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Meta, entity};
use crate::error::DomainError;
use crate::ids::{Id, Kind};
use crate::role::Role;

/// The store partition of users, sessions, refresh tokens and API keys.
pub fn identity_partition() -> Id {
    Id::derived(Kind::Project, &["sluice", "identity"])
}

/// The partition the health check reads one key of (never written): no
/// project's, so the check's grant reaches nothing of a project.
pub fn health_partition() -> Id {
    Id::derived(Kind::Project, &["sluice", "health"])
}

/// A stored secret's hash or digest: serialized as its text, never shown by Debug.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Hidden(pub String);

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hidden(********)")
    }
}

/// Most characters of an e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Fewest characters of a password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Most characters of a password: hashing is bounded whatever is sent.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The JSON Schema `pattern` of an address [`Email::parse`] takes: no white
/// space (as `char::is_whitespace` counts it), one `@` with something before
/// it, and after it a domain holding a `.` that neither starts nor ends it.
pub const USER_EMAIL: &str = "^[^@\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+@[^@.\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000][^@\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*\\.[^@\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[^@.\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]$";

/// An e-mail address as users are keyed by it: in lower case, so
/// `Ann@Example.com` and `ann@example.com` are one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Checks and normalizes `raw` (the field is named `field` in the error).
    pub fn parse(field: &str, raw: &str) -> Result<Email, DomainError> {
        let ok = raw.chars().count() <= MAX_EMAIL_CHARS
            && !raw.contains(char::is_whitespace)
            && raw.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if ok {
            Ok(Email(raw.to_lowercase()))
        } else {
            Err(DomainError::invalid(field, "is not an e-mail address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a new password's length: [`MIN_PASSWORD_CHARS`] to
/// [`MAX_PASSWORD_CHARS`] characters. The message never quotes it.
pub fn check_new_password(field: &str, password: &str) -> Result<(), DomainError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    check_password_length(field, password)
}

/// Checks that a password given (to sign in) is 1 to [`MAX_PASSWORD_CHARS`]
/// characters.
pub fn check_password_length(field: &str, password: &str) -> Result<(), DomainError> {
    if password.is_empty() || password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("must be 1 to {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// How repeated failed sign-ins of one user are slowed, then stopped: after
/// `free_attempts` failures each further one makes the account wait
/// `base_delay`, doubled at each failure up to `max_delay`; at `lock_after`
/// failures it is locked for `lock_for`, and each failure after a lock locks it
/// again. A successful sign-in clears the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInPolicy {
    pub free_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub lock_after: u32,
    pub lock_for: Duration,
}

impl Default for SignInPolicy {
    /// Three free tries, then 1 s, 2 s, 4 s… (at most 5 min) between tries; 10
    /// failures lock the account for 15 minutes.
    fn default() -> Self {
        SignInPolicy {
            free_attempts: 3,
            base_delay: Duration::seconds(1),
            max_delay: Duration::minutes(5),
            lock_after: 10,
            lock_for: Duration::minutes(15),
        }
    }
}

/// A person who signs in. What they may do in a project is their membership
/// of it ([`super::Member`]), a record of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[serde(flatten)]
    pub meta: Meta,
    /// In lower case; the user's id derives from it ([`User::id_for`]).
    pub email: String,
    /// The Argon2id hash of the password, in the PHC string format.
    pub password_hash: Hidden,
    /// The projects the user was made a member of, the one they last worked
    /// in first: an index for listing them. The memberships decide; one
    /// listed here without its membership is skipped.
    #[serde(default)]
    pub projects: Vec<Id>,
    /// A user of the first version of identity, which kept one project and
    /// role on the user: turned into a membership at their next sign-in.
    #[serde(default, rename = "project", skip_serializing)]
    pub legacy_project: Option<Id>,
    #[serde(default, rename = "role", skip_serializing)]
    pub legacy_role: Option<Role>,
    /// Failed sign-ins since the last successful one.
    #[serde(default)]
    pub failed_attempts: u32,
    #[serde(default)]
    pub last_failed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub locked_until: Option<DateTime<Utc>>,
    /// Sessions signed in before this instant are over (signed out everywhere,
    /// or the password changed).
    #[serde(default)]
    pub sessions_valid_after: Option<DateTime<Utc>>,
    /// The one session older than `sessions_valid_after` that goes on: the
    /// one that changed the password.
    #[serde(default)]
    pub kept_session: Option<Id>,
}
entity!(User, Kind::User);

impl User {
    /// The id of the user with this address: one read finds a user, and a
    /// conditional insert keeps addresses unique.
    pub fn id_for(email: &Email) -> Id {
        Id::derived(Kind::User, &[email.as_str()])
    }

    /// Until when a sign-in is refused whatever the password: a lock, or the
    /// wait after the last failure; `None` when one may be tried now.
    pub fn sign_in_blocked_until(
        &self,
        policy: &SignInPolicy,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if let Some(until) = self.locked_until.filter(|u| *u > now) {
            return Some(until);
        }
        let over = self.failed_attempts.checked_sub(policy.free_attempts)?;
        if over == 0 {
            return None;
        }
        let last = self.last_failed_at?;
        let factor = 1i32 << (over - 1).min(20);
        let wait = (policy.base_delay * factor).min(policy.max_delay);
        Some(last + wait).filter(|until| *until > now)
    }

    /// Whether the account is locked now.
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|u| u > now)
    }

    /// Counts a failed sign-in. A failure during a lock changes nothing (a lock
    /// is not lengthened by whoever keeps trying); at `lock_after` failures and
    /// after, the account locks.
    pub fn record_failure(&mut self, policy: &SignInPolicy, now: DateTime<Utc>) {
        if self.is_locked(now) {
            return;
        }
        self.failed_attempts = self.failed_attempts.saturating_add(1);
        self.last_failed_at = Some(now);
        if self.failed_attempts >= policy.lock_after {
            self.locked_until = Some(now + policy.lock_for);
        }
    }

    /// A successful sign-in: the count starts again.
    pub fn record_success(&mut self) {
        self.failed_attempts = 0;
        self.last_failed_at = None;
        self.locked_until = None;
    }

    /// Ends every session signed in before `now`, but `keep`.
    pub fn end_sessions(&mut self, now: DateTime<Utc>, keep: Option<Id>) {
        self.sessions_valid_after = Some(now);
        self.kept_session = keep;
    }

    /// Puts `project` first in the user's list (the one they work in now).
    pub fn put_first(&mut self, project: &Id) {
        self.projects.retain(|p| p != project);
        self.projects.insert(0, project.clone());
    }

    /// What the API shows of the user: never the hash or the counters.
    pub fn view(&self) -> UserView {
        UserView {
            id: self.meta.id.clone(),
            email: self.email.clone(),
            created_at: self.meta.created_at,
        }
    }
}

/// A user as the API shows one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UserView {
    pub id: Id,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// A sign-in: the family of the refresh tokens rotated from it, and the `sid`
/// of its access tokens. Revoking it ends every token of the family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    #[serde(flatten)]
    pub meta: Meta,
    pub user_id: Id,
    /// The project its access tokens are for (`POST /v1/auth/switch-project`
    /// changes it).
    #[serde(default)]
    pub project: Option<Id>,
    /// The sign-in ends here, refreshed or not.
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why it was revoked: `sign_out`, `sign_out_everywhere`,
    /// `password_changed`, `refresh_token_reused`.
    #[serde(default)]
    pub revoked_because: Option<String>,
}
entity!(Session, Kind::Session, parent = |s| Some(s.user_id.clone()));

impl Session {
    /// Whether tokens of this session are still good for `user` at `now`.
    pub fn is_live(&self, user: &User, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none()
            && self.expires_at > now
            && self.user_id == user.meta.id
            && (user
                .sessions_valid_after
                .is_none_or(|after| self.meta.created_at >= after)
                || user.kept_session.as_ref() == Some(&self.meta.id))
    }

    /// Ends the session (its refresh tokens and access tokens); a revoked one
    /// keeps its first reason.
    pub fn revoke(&mut self, because: &str, now: DateTime<Utc>) {
        if self.revoked_at.is_none() {
            self.revoked_at = Some(now);
            self.revoked_because = Some(because.to_string());
        }
    }
}

/// One refresh token of a session: good once. Refreshing marks it used and
/// issues the next; a used one presented again means it was stolen (or copied),
/// and its whole session is revoked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshToken {
    #[serde(flatten)]
    pub meta: Meta,
    pub session_id: Id,
    /// SHA-256 of the token's secret part, hex.
    pub digest: Hidden,
    #[serde(default)]
    pub used_at: Option<DateTime<Utc>>,
}
entity!(
    RefreshToken,
    Kind::RefreshToken,
    parent = |t| Some(t.session_id.clone())
);

impl RefreshToken {
    /// Marks the token used; a conflict if it was already.
    pub fn use_once(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.used_at.is_some() {
            return Err(DomainError::Conflict(
                "this refresh token was used already".into(),
            ));
        }
        self.used_at = Some(now);
        Ok(())
    }
}

/// Most characters of an API key's name.
pub const MAX_KEY_NAME_CHARS: usize = 100;

/// A machine credential of a project with a role. Its id derives from the
/// key's visible prefix, so the key finds its record with one read; the secret
/// part is kept as its digest only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    #[serde(flatten)]
    pub meta: Meta,
    pub project: Id,
    pub name: String,
    pub role: Role,
    /// The key's visible part (`slk_<prefix>_…`), shown to tell keys apart.
    pub prefix: String,
    /// SHA-256 of the whole key, hex.
    pub digest: Hidden,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// When the key was last used, to the minute.
    #[serde(default)]
    pub last_used_at: Option<DateTime<Utc>>,
}
entity!(ApiKey, Kind::ApiKey, parent = |k| Some(k.project.clone()));

impl ApiKey {
    /// The id of the key whose visible prefix is `prefix`.
    pub fn id_for(prefix: &str) -> Id {
        Id::derived(Kind::ApiKey, &[prefix])
    }

    /// Whether the key opens its project at `now`: neither revoked nor expired.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.meta.deleted_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }

    /// Whether a use at `now` should be written down: the last one written is
    /// a minute old or more (a key used all the time costs a write a minute).
    pub fn use_is_news(&self, now: DateTime<Utc>) -> bool {
        self.last_used_at
            .is_none_or(|last| now - last >= Duration::minutes(1))
    }

    pub fn view(&self) -> ApiKeyView {
        ApiKeyView {
            id: self.meta.id.clone(),
            project_id: self.project.clone(),
            name: self.name.clone(),
            role: self.role,
            prefix: self.prefix.clone(),
            created_at: self.meta.created_at,
            created_by: self.meta.created_by.clone(),
            expires_at: self.expires_at,
            last_used_at: self.last_used_at,
        }
    }
}

/// An API key as the API shows one: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApiKeyView {
    pub id: Id,
    pub project_id: Id,
    pub name: String,
    pub role: Role,
    /// The visible part: the key starts `slk_<prefix>_`.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    /// Who created it (a user's id, or another credential's subject).
    pub created_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used, to the minute; `null` if never.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// `POST /v1/api-keys`.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// What the key is for (`ci`, `airflow`), 1-100 characters.
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    /// At most the creator's own role.
    pub role: Role,
    /// When it stops working (RFC 3339, in the future); never if omitted.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl CreateApiKey {
    /// Checks the name and expiry; the role is checked against the creator's.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_KEY_NAME_CHARS {
            return Err(DomainError::invalid(
                "name",
                format!("must be 1-{MAX_KEY_NAME_CHARS} characters"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "name",
                "must not hold control characters",
            ));
        }
        if self.expires_at.is_some_and(|e| e <= now) {
            return Err(DomainError::invalid("expires_at", "must be in the future"));
        }
        Ok(())
    }
}

/// The deployment's record of its first user: written once, by a conditional
/// insert, so exactly one sign-up becomes the default project's owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    #[serde(flatten)]
    pub meta: Meta,
    pub first_user: Id,
}
entity!(Deployment, Kind::Deployment);

impl Deployment {
    /// The one id of the record.
    pub fn id() -> Id {
        Id::derived(Kind::Deployment, &["deployment"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        let email = Email::parse("email", "ann@example.com").expect("email");
        let now = Utc::now();
        User {
            meta: Meta {
                id: User::id_for(&email),
                ..Meta::new(Kind::User, &identity_partition(), "test", now)
            },
            email: email.as_str().into(),
            password_hash: Hidden("$argon2id$…".into()),
            projects: vec![Id::generate(Kind::Project, 1)],
            legacy_project: None,
            legacy_role: None,
            failed_attempts: 0,
            last_failed_at: None,
            locked_until: None,
            sessions_valid_after: None,
            kept_session: None,
        }
    }

    #[test]
    fn addresses_are_one_user_whatever_their_case_and_spaces() {
        let a = Email::parse("email", "Ann@Example.COM").expect("valid");
        let b = Email::parse("email", "ann@example.com").expect("valid");
        assert_eq!(a, b);
        assert_eq!(User::id_for(&a), User::id_for(&b));
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "ann@example",
            "a b@c.d",
            "a@b@c.d",
            " a@b.c",
            "a@.b.c",
            "a@b.c.",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn failures_past_the_free_ones_make_a_growing_wait_then_a_lock() {
        let policy = SignInPolicy::default();
        let mut u = user();
        let t0 = Utc::now();
        for _ in 0..3 {
            u.record_failure(&policy, t0);
            assert_eq!(u.sign_in_blocked_until(&policy, t0), None, "free tries");
        }
        u.record_failure(&policy, t0);
        assert_eq!(
            u.sign_in_blocked_until(&policy, t0),
            Some(t0 + Duration::seconds(1))
        );
        u.record_failure(&policy, t0);
        assert_eq!(
            u.sign_in_blocked_until(&policy, t0),
            Some(t0 + Duration::seconds(2))
        );
        assert_eq!(
            u.sign_in_blocked_until(&policy, t0 + Duration::seconds(2)),
            None,
            "the wait is over"
        );
        while u.failed_attempts < policy.lock_after {
            u.record_failure(&policy, t0);
        }
        assert!(u.is_locked(t0));
        assert_eq!(
            u.sign_in_blocked_until(&policy, t0),
            Some(t0 + policy.lock_for)
        );
        // Trying during the lock does not lengthen it.
        u.record_failure(&policy, t0 + Duration::minutes(10));
        assert_eq!(u.locked_until, Some(t0 + policy.lock_for));
        u.record_success();
        assert_eq!(u.sign_in_blocked_until(&policy, t0), None);
    }

    #[test]
    fn a_session_ends_when_revoked_expired_or_signed_out_everywhere() {
        let mut u = user();
        let now = Utc::now();
        let mut s = Session {
            meta: Meta::new(Kind::Session, &identity_partition(), "test", now),
            user_id: u.meta.id.clone(),
            project: None,
            expires_at: now + Duration::days(30),
            revoked_at: None,
            revoked_because: None,
        };
        assert!(s.is_live(&u, now));
        assert!(!s.is_live(&u, now + Duration::days(31)), "expired");
        u.end_sessions(now + Duration::seconds(1), Some(s.meta.id.clone()));
        assert!(s.is_live(&u, now), "kept: it changed the password");
        u.end_sessions(now + Duration::seconds(1), None);
        assert!(!s.is_live(&u, now), "signed out everywhere");
        u.sessions_valid_after = None;
        s.revoke("sign_out", now);
        s.revoke("refresh_token_reused", now);
        assert!(!s.is_live(&u, now));
        assert_eq!(s.revoked_because.as_deref(), Some("sign_out"));
    }

    #[test]
    fn a_refresh_token_is_good_once() {
        let now = Utc::now();
        let mut t = RefreshToken {
            meta: Meta::new(Kind::RefreshToken, &identity_partition(), "test", now),
            session_id: Id::generate(Kind::Session, 1),
            digest: Hidden("00".into()),
            used_at: None,
        };
        assert!(t.use_once(now).is_ok());
        assert!(t.use_once(now).is_err());
    }

    #[test]
    fn hidden_values_never_show_in_debug() {
        let shown = format!("{:?}", user());
        assert!(!shown.contains("argon2id"), "{shown}");
    }

    #[test]
    fn a_keys_use_is_written_at_most_once_a_minute() {
        let now = Utc::now();
        let mut k = ApiKey {
            meta: Meta::new(Kind::ApiKey, &identity_partition(), "test", now),
            project: Id::generate(Kind::Project, 1),
            name: "ci".into(),
            role: Role::Viewer,
            prefix: "ABCDEFGH".into(),
            digest: Hidden("00".into()),
            expires_at: Some(now + Duration::days(1)),
            last_used_at: None,
        };
        assert!(k.use_is_news(now));
        k.last_used_at = Some(now);
        assert!(!k.use_is_news(now + Duration::seconds(59)));
        assert!(k.use_is_news(now + Duration::seconds(60)));
        assert!(k.is_live(now));
        assert!(!k.is_live(now + Duration::days(1)), "expired");
    }
}
