//! Connector and destination specs: the config fields a kind of source (or
//! destination) takes, which of them are secret, and the streams it offers. One
//! file per connector; adding one touches its file and the registry below.

pub mod bank_of_canada;
mod destinations;
mod files;
pub mod github;
mod http_json;
pub mod jira;
pub mod mysql;
pub mod openexchangerates;
pub mod openholidays;
pub mod postgres;
pub mod rest;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{DomainError, Field};

pub use destinations::{
    DESTINATION_KINDS, DestinationKindSpec, MAX_KEY_GRACE_SECONDS, destination_kinds,
    destination_spec,
};

/// A connector Sluice runs: its spec, and the names of its extraction queue and
/// function, all from its name. Its extractor is `sluice_connectors::extractor`
/// of the same name (a test holds the two lists equal); its extraction
/// function names that extractor alone, one of `sluice_connectors::extractors`.
pub struct Connector {
    pub name: &'static str,
    pub spec: fn() -> ConnectorSpec,
    /// The declaration of a connector built on the REST kit, which its spec,
    /// its checks and its extraction all read.
    pub rest: Option<&'static rest::RestConnector>,
}

impl Connector {
    /// The queue its extraction steps wait on (`sluice-extract-files`).
    pub fn queue(&self) -> String {
        crate::pipeline::extract_queue(self.name)
    }

    /// The Lambda function that extracts it (`extract-files`), fed by [`Connector::queue`].
    pub fn function(&self) -> String {
        format!("extract-{}", self.name.replace('_', "-"))
    }
}

/// Every connector Sluice runs, in catalog order: the one place a connector is
/// registered. A connector that is only planned is not here.
pub fn registry() -> &'static [Connector] {
    const REGISTRY: &[Connector] = &[
        Connector {
            name: "files",
            spec: files::spec,
            rest: None,
        },
        Connector {
            name: "http_json",
            spec: http_json::spec,
            rest: None,
        },
        Connector {
            name: "postgres",
            spec: postgres::spec,
            rest: None,
        },
        Connector {
            name: "mysql",
            spec: mysql::spec,
            rest: None,
        },
        Connector {
            name: "github",
            spec: || github::GITHUB.spec(),
            rest: Some(&github::GITHUB),
        },
        Connector {
            name: "jira",
            spec: || jira::JIRA.spec(),
            rest: Some(&jira::JIRA),
        },
        Connector {
            name: "bank_of_canada",
            spec: || bank_of_canada::BANK_OF_CANADA.spec(),
            rest: Some(&bank_of_canada::BANK_OF_CANADA),
        },
        Connector {
            name: "openholidays",
            spec: || openholidays::OPENHOLIDAYS.spec(),
            rest: Some(&openholidays::OPENHOLIDAYS),
        },
        Connector {
            name: "openexchangerates",
            spec: || openexchangerates::OPENEXCHANGERATES.spec(),
            rest: Some(&openexchangerates::OPENEXCHANGERATES),
        },
    ];
    REGISTRY
}

/// A destination kind Sluice delivers to: its delivery queue and function come
/// from its name, its config fields from [`destination_spec`].
pub struct Delivery {
    pub kind: &'static str,
}

impl Delivery {
    /// The queue its report runs wait on (`sluice-deliver-webhook`).
    pub fn queue(&self) -> String {
        format!("sluice-deliver-{}", self.kind.replace('_', "-"))
    }

    /// The Lambda function that delivers it (`deliver-webhook`), fed by [`Delivery::queue`].
    pub fn function(&self) -> String {
        format!("deliver-{}", self.kind.replace('_', "-"))
    }
}

/// Every destination kind whose report runs are delivered: the one place a
/// delivery is registered.
pub fn deliveries() -> &'static [Delivery] {
    const DELIVERIES: &[Delivery] = &[
        Delivery {
            kind: "object_export",
        },
        Delivery { kind: "webhook" },
        Delivery { kind: "email" },
        Delivery {
            kind: "google_sheets",
        },
        Delivery { kind: "database" },
    ];
    DELIVERIES
}

/// The delivery of destination kind `kind`, if its runs are delivered.
pub fn delivery(kind: &str) -> Option<&'static Delivery> {
    deliveries().iter().find(|d| d.kind == kind)
}

/// The specs of the registry, as the catalog lists them.
pub fn catalog() -> Vec<ConnectorSpec> {
    registry().iter().map(|c| (c.spec)()).collect()
}

/// The registered connector `name`.
pub fn registered(name: &str) -> Option<&'static Connector> {
    registry().iter().find(|c| c.name == name)
}

pub fn connector(name: &str) -> Option<ConnectorSpec> {
    registered(name).map(|c| (c.spec)())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    String,
    Integer,
    Number,
    Boolean,
    /// A list of strings.
    StringList,
    /// A JSON object of string values (headers, parameters).
    StringMap,
    /// A JSON object of any shape.
    Object,
}

impl FieldType {
    fn accepts(self, v: &Value) -> bool {
        match self {
            FieldType::String => v.is_string(),
            FieldType::Integer => v.is_i64() || v.is_u64(),
            FieldType::Number => v.is_number(),
            FieldType::Boolean => v.is_boolean(),
            FieldType::StringList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            FieldType::StringMap => v
                .as_object()
                .is_some_and(|o| o.values().all(Value::is_string)),
            FieldType::Object => v.is_object(),
        }
    }
    fn describe(self) -> &'static str {
        match self {
            FieldType::String => "a string",
            FieldType::Integer => "an integer",
            FieldType::Number => "a number",
            FieldType::Boolean => "true or false",
            FieldType::StringList => "a list of strings",
            FieldType::StringMap => "an object of string values",
            FieldType::Object => "an object",
        }
    }
}

/// One config field of a connector or destination.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FieldSpec {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub required: bool,
    /// Write-only: stored in Secrets, masked in every response.
    pub secret: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Allowed values, when the field is an enumeration (empty otherwise; always
    /// present, as the schema says).
    pub one_of: Vec<&'static str>,
    pub description: &'static str,
}

impl FieldSpec {
    pub fn new(name: &'static str, kind: FieldType, description: &'static str) -> Self {
        FieldSpec {
            name,
            kind,
            required: false,
            secret: false,
            default: None,
            one_of: vec![],
            description,
        }
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
    pub fn default(mut self, v: impl Into<Value>) -> Self {
        self.default = Some(v.into());
        self
    }
    pub fn one_of(mut self, values: &[&'static str]) -> Self {
        self.one_of = values.to_vec();
        self
    }
}

/// A column a stream offers.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StreamField {
    pub name: &'static str,
    /// Warehouse type: string, int, float, decimal, bool, date, timestamp, json.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StreamSpec {
    pub name: &'static str,
    pub description: &'static str,
    /// Columns the stream offers. Empty when they come from the data itself (files,
    /// generic HTTP, a database table), discovered at preview time.
    pub fields: Vec<StreamField>,
    /// Columns that identify a row (used by `merge`).
    pub unique_key: Vec<&'static str>,
    /// Column incremental runs resume from, if the stream supports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor_field: Option<&'static str>,
    /// True when the user names the stream (a table, a file glob, an endpoint).
    pub user_defined: bool,
}

impl StreamSpec {
    pub fn fixed(
        name: &'static str,
        description: &'static str,
        fields: Vec<StreamField>,
        unique_key: &[&'static str],
        cursor: Option<&'static str>,
    ) -> Self {
        StreamSpec {
            name,
            description,
            fields,
            unique_key: unique_key.to_vec(),
            cursor_field: cursor,
            user_defined: false,
        }
    }
    pub fn user_defined(name: &'static str, description: &'static str) -> Self {
        StreamSpec {
            name,
            description,
            fields: vec![],
            unique_key: vec![],
            cursor_field: None,
            user_defined: true,
        }
    }
}

pub fn field(name: &'static str, kind: &'static str, description: &'static str) -> StreamField {
    StreamField {
        name,
        kind,
        description,
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ConnectorSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub config: Vec<FieldSpec>,
    pub streams: Vec<StreamSpec>,
}

impl ConnectorSpec {
    pub fn stream(&self, name: &str) -> Option<&StreamSpec> {
        self.streams.iter().find(|s| s.name == name)
    }
    /// True when any stream name is accepted (the user names tables, files, endpoints).
    pub fn accepts_any_stream(&self) -> bool {
        self.streams.iter().any(|s| s.user_defined)
    }
}

/// Whether a value of a field that is shown (not secret) looks like a URL that can
/// carry a credential: user info before the host, or a query string.
pub fn carries_credential(text: &str) -> bool {
    let Some((_, rest)) = text.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority.contains('@') || rest.contains('?')
}

/// A config split by the spec into what is stored with the record and what goes to
/// Secrets.
#[derive(Debug, Default, PartialEq)]
pub struct SplitConfig {
    pub public: Map<String, Value>,
    pub secret: Map<String, Value>,
}

/// Checks `input` against `fields` (unknown names, types, allowed values, required
/// ones) and splits it into public and secret parts. `existing_secrets` names the
/// secret fields already stored, which count as present for `required`.
/// `partial` (a PATCH) skips the required check for fields not given.
pub fn validate_config(
    fields: &[FieldSpec],
    input: &Map<String, Value>,
    at: &Field,
    existing_secrets: &[String],
    partial: bool,
) -> Result<SplitConfig, DomainError> {
    let mut out = SplitConfig::default();
    for (name, value) in input {
        let f = at.join(name);
        let Some(spec) = fields.iter().find(|s| s.name == name) else {
            let names: Vec<&str> = fields.iter().map(|s| s.name).collect();
            return Err(DomainError::invalid_at(
                &f,
                format!("unknown field; expected one of: {}", names.join(", ")),
            ));
        };
        if value.is_null() {
            if spec.required && !partial {
                return Err(DomainError::invalid_at(
                    &f,
                    "is required and cannot be null",
                ));
            }
            continue;
        }
        if !spec.kind.accepts(value) {
            return Err(DomainError::invalid_at(
                &f,
                format!("must be {}", spec.kind.describe()),
            ));
        }
        if !spec.one_of.is_empty() && !value.as_str().is_some_and(|s| spec.one_of.contains(&s)) {
            return Err(DomainError::invalid_at(
                &f,
                format!("must be one of: {}", spec.one_of.join(", ")),
            ));
        }
        if spec.kind == FieldType::String
            && spec.required
            && value.as_str().is_some_and(|s| s.trim().is_empty())
        {
            return Err(DomainError::invalid_at(&f, "must not be empty"));
        }
        if !spec.secret
            && let Some(text) = value.as_str()
            && carries_credential(text)
        {
            return Err(DomainError::invalid_at(
                &f,
                "is shown to every member, so it must not carry a credential: no `user:password@` and no query string in a URL here; put keys in a write-only field",
            ));
        }
        let target = if spec.secret {
            &mut out.secret
        } else {
            &mut out.public
        };
        target.insert(name.clone(), value.clone());
    }
    if !partial {
        for spec in fields {
            let given = input.get(spec.name).is_some_and(|v| !v.is_null());
            if given {
                continue;
            }
            if let Some(d) = &spec.default {
                out.public.insert(spec.name.to_string(), d.clone());
            } else if spec.required
                && !(spec.secret && existing_secrets.iter().any(|s| s == spec.name))
            {
                return Err(DomainError::invalid_at(&at.join(spec.name), "is required"));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_catalog_ships_the_connectors_that_run_with_unique_names() {
        let names: Vec<&str> = catalog().iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            vec![
                "files",
                "http_json",
                "postgres",
                "mysql",
                "github",
                "jira",
                "bank_of_canada",
                "openholidays",
                "openexchangerates"
            ]
        );
        for c in catalog() {
            let mut seen = std::collections::HashSet::new();
            assert!(
                c.config.iter().all(|f| seen.insert(f.name)),
                "{} repeats a field",
                c.name
            );
            assert!(!c.streams.is_empty(), "{} has no stream", c.name);
        }
    }

    /// Fields whose name says they hold a credential, or that can carry one
    /// (headers, a webhook's URL, a connection URL), are write-only everywhere.
    #[test]
    fn every_field_that_can_carry_a_credential_is_secret() {
        // `token_url` is the address of an OAuth token endpoint, not a token.
        let credential = |name: &str| {
            name != "token_url"
                && [
                    "token",
                    "password",
                    "secret",
                    "auth_value",
                    "credential",
                    "headers",
                    "service_account",
                    "api_key",
                ]
                .iter()
                .any(|w| name.contains(w))
        };
        let mut fields: Vec<(String, FieldSpec)> = catalog()
            .into_iter()
            .flat_map(|c| c.config.into_iter().map(move |f| (c.name.to_string(), f)))
            .collect();
        for kind in DESTINATION_KINDS {
            for f in destination_spec(kind).unwrap_or_default() {
                fields.push((kind.to_string(), f));
            }
        }
        for (owner, f) in &fields {
            if credential(f.name) || f.kind == FieldType::StringMap {
                assert!(f.secret, "{owner}.{} can carry a credential", f.name);
            }
        }
        let webhook = destination_spec("webhook").unwrap_or_default();
        assert!(webhook.iter().any(|f| f.name == "url" && f.secret));
    }

    #[test]
    fn the_destination_catalog_lists_every_kind_with_its_spec_once() {
        let kinds = destination_kinds();
        let names: Vec<&str> = kinds.iter().map(|k| k.kind).collect();
        assert_eq!(names, DESTINATION_KINDS.to_vec());
        for k in &kinds {
            assert!(
                !k.title.is_empty() && !k.description.is_empty(),
                "{}",
                k.kind
            );
            let fields: Vec<&str> = destination_spec(k.kind)
                .unwrap_or_default()
                .iter()
                .map(|f| f.name)
                .collect();
            let listed: Vec<&str> = k.config.iter().map(|f| f.name).collect();
            assert_eq!(listed, fields, "{}", k.kind);
        }
    }

    #[test]
    fn shown_fields_refuse_urls_that_carry_credentials() {
        let spec = connector("http_json").expect("http_json ships");
        let at = Field::new("config");
        for bad in [
            "https://user:pw@api.example.com",
            "https://api.example.com/v2?api_key=abc",
            "https://tok@api.example.com/",
        ] {
            let err = validate_config(
                &spec.config,
                &obj(json!({"base_url": bad})),
                &at,
                &[],
                false,
            )
            .expect_err("a credential in a shown field");
            assert!(
                matches!(&err, DomainError::Validation { field, .. } if field.0 == "config.base_url"),
                "{err}"
            );
            assert!(!err.to_string().contains(bad), "the value is echoed: {err}");
        }
        let split = validate_config(
            &spec.config,
            &obj(json!({"base_url": "https://api.example.com/v2", "headers": {"X-Api-Key": "k"}})),
            &at,
            &[],
            false,
        )
        .expect("valid");
        assert!(split.secret.contains_key("headers"));
        assert!(!split.public.contains_key("headers"));
    }

    #[test]
    fn every_field_shows_its_allowed_values_even_when_there_are_none() {
        for c in catalog() {
            let v = serde_json::to_value(&c).expect("json");
            for f in v["config"].as_array().expect("config") {
                assert!(f["one_of"].is_array(), "{}.{}", c.name, f["name"]);
            }
        }
    }

    #[test]
    fn secret_fields_are_split_from_public_ones() {
        let spec = connector("http_json").expect("http_json ships");
        let split = validate_config(
            &spec.config,
            &obj(json!({"base_url": "https://api.example.com", "auth_value": "Bearer x"})),
            &Field::new("config"),
            &[],
            false,
        )
        .expect("valid");
        assert_eq!(split.secret.get("auth_value"), Some(&json!("Bearer x")));
        assert!(!split.public.contains_key("auth_value"));
        assert_eq!(
            split.public.get("base_url"),
            Some(&json!("https://api.example.com"))
        );
    }

    #[test]
    fn unknown_missing_and_mistyped_fields_are_named() {
        let spec = connector("http_json").expect("http_json ships");
        let at = Field::new("config");
        let err = validate_config(&spec.config, &obj(json!({"base_ur": "x"})), &at, &[], false)
            .expect_err("unknown");
        assert!(
            matches!(&err, DomainError::Validation { field, .. } if field.0 == "config.base_ur"),
            "{err}"
        );
        let err = validate_config(
            &spec.config,
            &obj(json!({"base_url": "https://a.example", "page_size": "100"})),
            &at,
            &[],
            false,
        )
        .expect_err("type");
        assert!(
            matches!(&err, DomainError::Validation { field, .. } if field.0 == "config.page_size"),
            "{err}"
        );
        let err = validate_config(
            &spec.config,
            &obj(json!({"auth_value": "Bearer x"})),
            &at,
            &[],
            false,
        )
        .expect_err("missing");
        assert!(
            matches!(&err, DomainError::Validation { field, .. } if field.0 == "config.base_url"),
            "{err}"
        );
    }
}
