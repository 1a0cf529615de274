//! Sources: configured connectors. Secret config fields never live here: they go to
//! Secrets under `secret_ref`, and responses show them masked.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Meta, entity, validate_title};
use crate::connectors::{self, FieldSpec};
use crate::error::{DomainError, Field};
use crate::ids::Kind;

/// Config fields by name.
pub type ConfigMap = Map<String, Value>;

/// What every response shows in place of a secret value.
pub const MASK: &str = "********";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    pub connector: String,
    #[serde(flatten)]
    pub settings: Settings,
}
entity!(Source, Kind::Source);

/// A config checked against a spec: public fields kept in the record, secret ones
/// stored in Secrets under `secret_ref`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Settings {
    pub config: Map<String, Value>,
    /// Names of the secret fields that have a stored value.
    #[serde(default)]
    pub secret_fields: Vec<String>,
    /// Name of the secret holding the secret fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<String>,
}

impl Settings {
    /// The config as a response shows it: public fields plus each stored secret
    /// field as `********`.
    pub fn masked(&self) -> Map<String, Value> {
        let mut out = self.config.clone();
        for name in &self.secret_fields {
            out.insert(name.clone(), Value::String(MASK.into()));
        }
        out
    }

    /// [`Settings::masked`], and a field `spec` marks secret is masked even where
    /// a record written before it was marked still holds it in plain config.
    pub fn masked_for(&self, spec: &[FieldSpec]) -> Map<String, Value> {
        let mut out = self.masked();
        for f in spec.iter().filter(|f| f.secret) {
            if let Some(v) = out.get_mut(f.name) {
                *v = Value::String(MASK.into());
            }
        }
        out
    }

    /// Fields `spec` marks secret that this record still holds in plain config
    /// (written before the field was marked): they move to Secrets.
    pub fn plain_secrets(&self, spec: &[FieldSpec]) -> Map<String, Value> {
        spec.iter()
            .filter(|f| f.secret)
            .filter_map(|f| Some((f.name.to_string(), self.config.get(f.name)?.clone())))
            .collect()
    }
}

/// Response shape of a source (or destination): settings with secrets masked.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SourceView {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    pub connector: String,
    /// Config with every secret field shown as `********`.
    pub config: Map<String, Value>,
}

impl From<&Source> for SourceView {
    fn from(s: &Source) -> Self {
        SourceView {
            meta: s.meta.clone(),
            title: s.title.clone(),
            connector: s.connector.clone(),
            config: s
                .settings
                .masked_for(&connectors::connector(&s.connector).map_or(vec![], |c| c.config)),
        }
    }
}

/// `POST /v1/sources`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSource {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: String,
    /// Name of a connector in `GET /v1/connectors`.
    pub connector: String,
    /// Config fields of the connector, secret ones included (they are stored apart).
    #[serde(default)]
    pub config: Map<String, Value>,
}

/// `PATCH /v1/sources/{id}`: given config fields replace the stored ones; `null`
/// removes an optional field. A secret sent as `********` is left unchanged.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSource {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: Option<String>,
    pub config: Option<Map<String, Value>>,
    pub version: Option<u64>,
}

/// A new config, validated: what to keep and what to store as a secret.
#[derive(Debug, PartialEq)]
pub struct ValidatedSettings {
    pub config: Map<String, Value>,
    pub secret: Map<String, Value>,
}

/// Checks a whole config for a new source or destination.
pub fn validate_new_settings(
    spec: &[FieldSpec],
    config: &Map<String, Value>,
) -> Result<ValidatedSettings, DomainError> {
    let split = connectors::validate_config(spec, config, &Field::new("config"), &[], false)?;
    Ok(ValidatedSettings {
        config: split.public,
        secret: split.secret,
    })
}

/// Merges a PATCH into stored settings: returns the new public config and the secret
/// fields to change (`null` removes one). The result is validated as a whole.
pub fn merge_settings(
    spec: &[FieldSpec],
    current: &Settings,
    patch: &Map<String, Value>,
) -> Result<(ConfigMap, ConfigMap), DomainError> {
    let mut patch = patch.clone();
    // A client that echoes the masked value back means "unchanged".
    patch.retain(|k, v| !(v.as_str() == Some(MASK) && current.secret_fields.contains(k)));
    let at = Field::new("config");
    let split = connectors::validate_config(spec, &patch, &at, &current.secret_fields, true)?;
    let mut merged = current.config.clone();
    for (k, v) in &patch {
        let is_secret = spec.iter().any(|f| f.name == k && f.secret);
        if v.is_null() && !is_secret {
            merged.remove(k);
        }
    }
    merged.extend(split.public);
    let mut secret_changes = split.secret;
    for (k, v) in &patch {
        if v.is_null() && spec.iter().any(|f| f.name == k && f.secret) {
            secret_changes.insert(k.clone(), Value::Null);
        }
    }
    // The whole result must still satisfy the spec (required fields present).
    let remaining: Vec<String> = current
        .secret_fields
        .iter()
        .filter(|s| !secret_changes.get(*s).is_some_and(Value::is_null))
        .cloned()
        .chain(
            secret_changes
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, _)| k.clone()),
        )
        .collect();
    connectors::validate_config(spec, &merged, &at, &remaining, false)?;
    Ok((merged, secret_changes))
}

/// What a connector's field types cannot check of a config (`whole`) or a
/// patch.
pub fn check_values(
    connector: &str,
    config: &Map<String, Value>,
    whole: bool,
) -> Result<(), DomainError> {
    if let Some(declared) = connectors::registered(connector).and_then(|c| c.rest) {
        return declared.check(config, whole);
    }
    match connector {
        "postgres" => connectors::postgres::check_values(config),
        "mysql" => connectors::mysql::check_values(config),
        _ => Ok(()),
    }
}

impl CreateSource {
    pub fn validate(&self) -> Result<(String, ValidatedSettings), DomainError> {
        let title = validate_title("title", &self.title)?;
        let spec = connectors::connector(&self.connector).ok_or_else(|| {
            let names: Vec<&str> = connectors::catalog().iter().map(|c| c.name).collect();
            DomainError::invalid(
                "connector",
                format!(
                    "unknown connector `{}`; expected one of: {}",
                    self.connector,
                    names.join(", ")
                ),
            )
        })?;
        let validated = validate_new_settings(&spec.config, &self.config)?;
        check_values(&self.connector, &self.config, true)?;
        Ok((title, validated))
    }
}
