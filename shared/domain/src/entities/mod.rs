//! The entities of a project, the requests that create and change them, and the
//! rules those requests must follow. Request types reject unknown fields.

mod access;
mod alarm;
mod audit;
mod backfill;
mod data_mart;
mod delivery;
mod identity;
mod report_run;
mod run;
mod source;
mod storage;
mod trigger;
mod value_map;

pub use access::*;
pub use alarm::*;
pub use audit::*;
pub use backfill::*;
pub use data_mart::*;
pub use delivery::*;
pub use identity::*;
pub use report_run::*;
pub use run::*;
pub use source::*;
pub use storage::*;
pub use trigger::*;
pub use value_map::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::error::{DomainError, Field};
use crate::ids::{Id, Kind};

/// Fields every entity carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Meta {
    pub id: Id,
    pub project_id: Id,
    /// Grows by one on every change; send it back as `version` to update only
    /// what you read.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Subject of the credential that created it.
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Meta {
    pub fn new(kind: Kind, project: &Id, actor: &str, now: DateTime<Utc>) -> Meta {
        Meta {
            id: Id::generate(kind, now.timestamp_millis().max(0) as u64),
            project_id: project.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: actor.to_string(),
            deleted_at: None,
        }
    }
}

/// A field where `null` clears and absence keeps: `Some(None)` for `null`.
pub(crate) fn double_option<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// A stored entity: its kind, its meta, and the keys the store indexes it by.
pub trait Entity: Serialize + DeserializeOwned + Send + Sync {
    const KIND: Kind;
    fn meta(&self) -> &Meta;
    fn meta_mut(&mut self) -> &mut Meta;
    /// The parent the store lists it under, if any.
    fn parent(&self) -> Option<Id> {
        None
    }
    /// When the scheduler should next look at it (unix ms), if ever.
    fn due_at(&self) -> Option<i64> {
        None
    }
}

macro_rules! entity {
    ($t:ty, $kind:expr) => {
        impl $crate::entities::Entity for $t {
            const KIND: $crate::ids::Kind = $kind;
            fn meta(&self) -> &$crate::entities::Meta {
                &self.meta
            }
            fn meta_mut(&mut self) -> &mut $crate::entities::Meta {
                &mut self.meta
            }
        }
    };
    ($t:ty, $kind:expr, parent = |$s:ident| $parent:expr) => {
        entity!($t, $kind, parent = |$s| $parent, due = |_x| None);
    };
    ($t:ty, $kind:expr, parent = |$s:ident| $parent:expr, due = |$d:ident| $due:expr) => {
        impl $crate::entities::Entity for $t {
            const KIND: $crate::ids::Kind = $kind;
            fn meta(&self) -> &$crate::entities::Meta {
                &self.meta
            }
            fn meta_mut(&mut self) -> &mut $crate::entities::Meta {
                &mut self.meta
            }
            fn parent(&self) -> Option<$crate::ids::Id> {
                let $s = self;
                $parent
            }
            fn due_at(&self) -> Option<i64> {
                let $d = self;
                $due
            }
        }
    };
}
pub(crate) use entity;

/// The project: the tenant every other record belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Project {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    /// Where notifications go as JSON (runs that end, SLA misses). The URL
    /// itself is a secret (it often carries a token): only its host is shown.
    #[serde(default)]
    pub webhook: Option<WebhookInfo>,
    /// A Slack incoming webhook notifications are posted to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack: Option<WebhookInfo>,
    /// A Microsoft Teams incoming webhook notifications are posted to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<WebhookInfo>,
    /// Which ends of runs are announced, and to whom by e-mail.
    #[serde(default)]
    pub notifications: Notifications,
}

/// Which runs the project hears about: data mart runs and report runs that
/// fail (on unless switched off) or succeed (off unless switched on), told to
/// the project's webhook, Slack, Teams, and these addresses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notifications {
    #[serde(default = "on")]
    pub on_failure: bool,
    #[serde(default)]
    pub on_success: bool,
    /// Addresses mailed (at most 50).
    #[serde(default)]
    #[schemars(length(max = 50), inner(length(max = 254), pattern(EMAIL_ADDRESS)))]
    pub emails: Vec<String>,
}

fn on() -> bool {
    true
}

/// The JSON Schema `pattern` of an e-mail address as [`Notifications::validate`]
/// checks it: something before the first `@`, a `.` after it, no white space
/// (as `char::is_whitespace` counts it).
pub const EMAIL_ADDRESS: &str = "^[^@\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+@[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*\\.[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$";

impl Default for Notifications {
    fn default() -> Self {
        Notifications {
            on_failure: true,
            on_success: false,
            emails: vec![],
        }
    }
}

impl Notifications {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.emails.len() > delivery::MAX_RECIPIENTS {
            return Err(DomainError::invalid(
                "notifications.emails",
                format!("names at most {} addresses", delivery::MAX_RECIPIENTS),
            ));
        }
        for (i, a) in self.emails.iter().enumerate() {
            let ok = a.chars().count() <= 254
                && a.split_once('@').is_some_and(|(l, d)| {
                    !l.is_empty() && d.contains('.') && !a.contains(char::is_whitespace)
                });
            if !ok {
                return Err(DomainError::invalid(
                    format!("notifications.emails[{i}]"),
                    format!("`{}` is not an e-mail address", crate::error::quote(a)),
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WebhookInfo {
    /// The URL's scheme and host, e.g. `https://hooks.example.com`.
    pub origin: String,
    /// The secret holding the URL.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    #[schemars(skip)]
    pub secret_ref: String,
}

/// `PATCH /v1/project`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProject {
    #[schemars(length(min = 1, max = 200), pattern(NOT_BLANK))]
    pub name: Option<String>,
    /// An `https://` (or `http://`) URL notifications are POSTed to, with a host;
    /// `null` removes it.
    #[serde(default, deserialize_with = "double_option_string")]
    #[schemars(with = "Option<String>", length(max = 2048), pattern(WEBHOOK_URL))]
    pub webhook_url: Option<Option<String>>,
    /// A Slack incoming webhook URL (`https://hooks.slack.com/services/…`);
    /// `null` removes it.
    #[serde(default, deserialize_with = "double_option_string")]
    #[schemars(with = "Option<String>", length(max = 2048), pattern(WEBHOOK_URL))]
    pub slack_webhook_url: Option<Option<String>>,
    /// A Microsoft Teams incoming webhook URL; `null` removes it.
    #[serde(default, deserialize_with = "double_option_string")]
    #[schemars(with = "Option<String>", length(max = 2048), pattern(WEBHOOK_URL))]
    pub teams_webhook_url: Option<Option<String>>,
    /// Which runs are announced and to whom by e-mail (replaces the settings).
    pub notifications: Option<Notifications>,
}

fn double_option_string<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// The JSON Schema `pattern` of a webhook URL, as [`webhook_origin`] reads it: an
/// `http(s)://` scheme, then a host (after any `user@`) with no white space.
pub const WEBHOOK_URL: &str = "^https?://([^/?#]*@)?[^/?#@\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+([/?#][\\s\\S]*)?$";

/// Checks a webhook URL; returns its origin (scheme and host) for display.
pub fn webhook_origin(url: &str) -> Result<String, DomainError> {
    url_origin("webhook_url", url)
}

/// Checks the URL of field `field`; returns its origin (scheme and host).
pub fn url_origin(field: &str, url: &str) -> Result<String, DomainError> {
    if url.len() > 2048 {
        return Err(DomainError::invalid(
            field,
            "must be at most 2048 characters",
        ));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| DomainError::invalid(field, "must be an http(s) URL"))?;
    if scheme != "https" && scheme != "http" {
        return Err(DomainError::invalid(
            field,
            "must start with https:// or http://",
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.chars().any(|c| c.is_whitespace()) {
        return Err(DomainError::invalid(field, "has no host"));
    }
    Ok(format!("{scheme}://{host}"))
}
entity!(Project, Kind::Project);

/// The JSON Schema `pattern` of a title: at least one character that is not white
/// space, as `str::trim` counts it (Unicode `White_Space`, listed rather than `\s`,
/// whose meaning differs between regex dialects).
pub const NOT_BLANK: &str =
    "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/// Checks a title: 1 to 200 characters, not blank.
pub fn validate_title(field: &str, title: &str) -> Result<String, DomainError> {
    let t = title.trim();
    if t.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if t.chars().count() > 200 {
        return Err(DomainError::invalid(
            field,
            "must be at most 200 characters",
        ));
    }
    Ok(t.to_string())
}

/// Checks an optional free text: at most `max` characters.
pub fn validate_text(field: &str, text: &str, max: usize) -> Result<(), DomainError> {
    if text.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// Parses an id field of a request that must name a record of `kind`.
pub fn parse_ref(field: &str, kind: Kind, raw: &str) -> Result<Id, DomainError> {
    Id::parse(kind, raw).ok_or_else(|| not_a_ref(field, kind, raw))
}

fn not_a_ref(field: &str, kind: Kind, raw: &str) -> DomainError {
    DomainError::invalid(
        field,
        format!(
            "`{raw}` is not a {} id (expected `{}_…`)",
            kind.noun(),
            kind.id_prefix()
        ),
    )
}

/// `raw` as the id of an `E` it names in `field`, or a problem naming the field.
pub fn parse_ref_of<E: Entity>(field: &str, raw: &str) -> Result<crate::IdOf<E>, DomainError> {
    crate::IdOf::parse(raw).ok_or_else(|| not_a_ref(field, E::KIND, raw))
}

/// Deserializes `value` as `T`, naming the offending path under `at` on failure.
pub fn from_value_at<T: DeserializeOwned>(
    value: serde_json::Value,
    at: &Field,
) -> Result<T, DomainError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            at.clone()
        } else {
            at.join(path)
        };
        DomainError::invalid_at(&field, e.into_inner().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_not_blank_pattern_bars_exactly_what_trim_removes() {
        // Every white-space char as a class item, ranges joined as the pattern has them.
        let mut items: Vec<String> = vec![];
        let ws: Vec<char> = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        let mut i = 0;
        while i < ws.len() {
            let mut j = i;
            while j + 1 < ws.len() && ws[j + 1] as u32 == ws[j] as u32 + 1 {
                j += 1;
            }
            let item = |c: char| match c {
                '\t' => "\\t".to_string(),
                '\r' => "\\r".to_string(),
                ' ' => " ".to_string(),
                c => format!("\\u{:04x}", c as u32),
            };
            items.push(match j - i {
                0 => item(ws[i]),
                1 => format!("{}{}", item(ws[i]), item(ws[j])),
                _ => format!("{}-{}", item(ws[i]), item(ws[j])),
            });
            i = j + 1;
        }
        assert_eq!(NOT_BLANK, format!("[^{}]", items.concat()));
        assert!(WEBHOOK_URL.contains(&items.concat()));
    }
}
