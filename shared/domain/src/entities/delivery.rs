//! Destinations (where reports deliver) and reports (a data mart query delivered to
//! a destination).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Meta, Settings, ValidatedSettings, entity, parse_ref, validate_text, validate_title};
use crate::connectors::{FieldSpec, destination_spec};
use crate::error::DomainError;
use crate::ids::{Id, Kind};

pub use crate::connectors::DESTINATION_KINDS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Destination {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    pub kind: String,
    #[serde(flatten)]
    pub settings: Settings,
}
entity!(Destination, Kind::Destination);

/// Response shape of a destination: settings with secrets masked.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DestinationView {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    pub kind: String,
    /// Config with every secret field shown as `********`.
    pub config: Map<String, Value>,
}

impl From<&Destination> for DestinationView {
    fn from(d: &Destination) -> Self {
        DestinationView {
            meta: d.meta.clone(),
            title: d.title.clone(),
            kind: d.kind.clone(),
            config: d
                .settings
                .masked_for(&destination_spec(&d.kind).unwrap_or_default()),
        }
    }
}

/// `POST /v1/destinations`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDestination {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: String,
    /// One of `object_export`, `webhook`, `email`, `google_sheets`, `database`.
    pub kind: String,
    #[serde(default)]
    pub config: Map<String, Value>,
}

/// `PATCH /v1/destinations/{id}`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDestination {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: Option<String>,
    pub config: Option<Map<String, Value>>,
    pub version: Option<u64>,
}

/// The config fields of a destination kind, or a validation error naming `kind`.
pub fn destination_fields(kind: &str) -> Result<Vec<FieldSpec>, DomainError> {
    destination_spec(kind).ok_or_else(|| {
        DomainError::invalid(
            "kind",
            format!(
                "unknown destination kind `{kind}`; expected one of: {}",
                DESTINATION_KINDS.join(", ")
            ),
        )
    })
}

impl CreateDestination {
    pub fn validate(&self) -> Result<(String, ValidatedSettings), DomainError> {
        let title = validate_title("title", &self.title)?;
        let spec = destination_fields(&self.kind)?;
        let settings = super::validate_new_settings(&spec, &self.config)?;
        // Secret fields (a webhook's URL) are checked too, before they are stored.
        let mut all = settings.config.clone();
        all.extend(settings.secret.clone());
        check_destination_values(&self.kind, &all)?;
        Ok((title, settings))
    }
}

/// Most recipients of an `email` destination.
pub const MAX_RECIPIENTS: usize = 50;

/// Checks values the field types cannot (URL schemes, e-mail shapes), of the
/// fields `config` holds (a PATCH checks only the fields it changes).
pub fn check_destination_values(
    kind: &str,
    config: &Map<String, Value>,
) -> Result<(), DomainError> {
    match kind {
        "webhook" => {
            if let Some(url) = config.get("url").and_then(Value::as_str)
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                return Err(DomainError::invalid("config.url", "must be an http(s) URL"));
            }
            if let Some(key) = config.get("signing_secret").and_then(Value::as_str)
                && key.chars().count() < 16
            {
                return Err(DomainError::invalid(
                    "config.signing_secret",
                    "must be at least 16 characters",
                ));
            }
        }
        "database" => check_database_values(config)?,
        "looker_studio" => {
            if let Some(v) = config.get("key_grace_seconds")
                && v
                    .as_u64()
                    .is_none_or(|g| g > crate::connectors::MAX_KEY_GRACE_SECONDS)
            {
                return Err(DomainError::invalid(
                    "config.key_grace_seconds",
                    format!(
                        "must be a whole number of seconds from 0 to {} (a week)",
                        crate::connectors::MAX_KEY_GRACE_SECONDS
                    ),
                ));
            }
        }
        "object_export" => {
            if let Some(folder) = config.get("folder").and_then(Value::as_str) {
                export_folder(folder)?;
            }
            if let Some(template) = config.get("file_name").and_then(Value::as_str) {
                let sample = Id::generate(Kind::ReportRun, 0);
                export_file_name(template, &sample, &sample, chrono::NaiveDate::MIN)?;
            }
        }
        "email" => {
            let to = config
                .get("to")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if to.is_empty() {
                return Err(DomainError::invalid(
                    "config.to",
                    "must name at least one recipient",
                ));
            }
            if to.len() > MAX_RECIPIENTS {
                return Err(DomainError::invalid(
                    "config.to",
                    format!("names at most {MAX_RECIPIENTS} recipients"),
                ));
            }
            for (i, addr) in to.iter().enumerate() {
                let a = addr.as_str().unwrap_or_default();
                let ok = a.split_once('@').is_some_and(|(l, d)| {
                    !l.is_empty() && d.contains('.') && !a.contains(char::is_whitespace)
                });
                if !ok {
                    return Err(DomainError::invalid(
                        format!("config.to[{i}]"),
                        format!("`{a}` is not an e-mail address"),
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The table a `database` destination's run records each delivery in, beside
/// the table it writes: no destination may write to it.
pub const DELIVERIES_TABLE: &str = "sluice_deliveries";

/// Longest identifier PostgreSQL keeps whole (it cuts longer ones).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// A `database` destination's values: a `postgres://` URL, plain identifiers
/// for the schema and table, and the key columns an `upsert` needs. The write
/// mode and the key columns are both shown fields, so a PATCH sees them merged.
fn check_database_values(config: &Map<String, Value>) -> Result<(), DomainError> {
    if let Some(url) = config.get("url").and_then(Value::as_str)
        && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
    {
        return Err(DomainError::invalid(
            "config.url",
            "must be a PostgreSQL URL: postgres://user:password@host:5432/database",
        ));
    }
    if let Some(schema) = config.get("schema").and_then(Value::as_str) {
        plain_identifier("config.schema", schema)?;
    }
    if let Some(table) = config.get("table").and_then(Value::as_str) {
        plain_identifier("config.table", table)?;
        if table.eq_ignore_ascii_case(DELIVERIES_TABLE) {
            return Err(DomainError::invalid(
                "config.table",
                format!(
                    "`{DELIVERIES_TABLE}` is where Sluice records its deliveries; name another table"
                ),
            ));
        }
    }
    let keys: Vec<&str> = config
        .get("key_columns")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (i, k) in keys.iter().enumerate() {
        if k.trim().is_empty() || k.len() > MAX_IDENTIFIER_BYTES {
            return Err(DomainError::invalid(
                format!("config.key_columns[{i}]"),
                format!("must be a column name of 1 to {MAX_IDENTIFIER_BYTES} bytes"),
            ));
        }
        if keys[..i].contains(k) {
            return Err(DomainError::invalid(
                format!("config.key_columns[{i}]"),
                format!("`{k}` is named twice"),
            ));
        }
    }
    if config.get("write_mode").and_then(Value::as_str) == Some("upsert") && keys.is_empty() {
        return Err(DomainError::invalid(
            "config.key_columns",
            "is required when write_mode is `upsert`: name the columns that identify a row",
        ));
    }
    Ok(())
}

/// A name a `database` destination uses bare in SQL (its schema and table):
/// ASCII letters, digits and `_`, not starting with a digit, at most
/// [`MAX_IDENTIFIER_BYTES`]. It is still quoted wherever it is used.
pub fn plain_identifier(field: &str, name: &str) -> Result<(), DomainError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_IDENTIFIER_BYTES
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            format!(
                "must be letters, digits and `_`, not starting with a digit, at most {MAX_IDENTIFIER_BYTES} characters"
            ),
        ))
    }
}

/// An export destination's folder, checked: empty, or path segments of letters,
/// digits and `_.=-` (no `.` or `..`), with a `/` at the end.
pub fn export_folder(folder: &str) -> Result<String, DomainError> {
    let trimmed = folder.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    crate::ports::check_object_key(trimmed).map_err(|_| {
        DomainError::invalid(
            "config.folder",
            "must be path segments of letters, digits and `_.=-`, such as `weekly/sales` (no `.` or `..` segment): it stays inside the project's exports",
        )
    })?;
    Ok(format!("{trimmed}/"))
}

/// An export's file name, its template's `{report}`, `{run}` and `{date}`
/// replaced; the format's extension is the caller's to add.
pub fn export_file_name(
    template: &str,
    report: &Id,
    run: &Id,
    date: chrono::NaiveDate,
) -> Result<String, DomainError> {
    let name = template
        .replace("{report}", report.as_str())
        .replace("{run}", run.as_str())
        .replace("{date}", &date.format("%Y-%m-%d").to_string());
    if name.contains('/') || crate::ports::check_object_key(&name).is_err() || name.len() > 200 {
        return Err(DomainError::invalid(
            "config.file_name",
            "must make a file name of letters, digits and `_.=-` (with `{report}`, `{run}` and `{date}`), at most 200 characters, without `/`",
        ));
    }
    Ok(name)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    pub data_mart_id: Id,
    pub destination_id: Id,
    /// SQL over the data mart; `${DATA_MART_TABLE}` names its table. Empty: all rows.
    #[serde(default)]
    pub query: Option<String>,
    /// How long the data endpoint serves a result again from its cache, in
    /// seconds (60 to a week); a run of the data mart ends it sooner.
    pub cache_ttl_seconds: u32,
}
entity!(
    Report,
    Kind::Report,
    parent = |r| Some(r.data_mart_id.clone())
);

/// `POST /v1/reports`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReport {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: String,
    pub data_mart_id: String,
    pub destination_id: String,
    pub query: Option<String>,
    /// Seconds the data endpoint serves a result from its cache: 60 to 604800,
    /// default 300.
    #[serde(default = "default_cache_ttl")]
    #[schemars(range(min = 60, max = 604800))]
    pub cache_ttl_seconds: u32,
}

fn default_cache_ttl() -> u32 {
    DEFAULT_CACHE_TTL_SECONDS
}

/// `PATCH /v1/reports/{id}`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReport {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: Option<String>,
    pub destination_id: Option<String>,
    pub query: Option<String>,
    #[schemars(range(min = 60, max = 604800))]
    pub cache_ttl_seconds: Option<u32>,
    pub version: Option<u64>,
}

/// A week.
pub const MAX_CACHE_TTL_SECONDS: u32 = 7 * 24 * 3600;
/// The shortest a cached result is kept.
pub const MIN_CACHE_TTL_SECONDS: u32 = 60;
pub const DEFAULT_CACHE_TTL_SECONDS: u32 = 300;

pub fn validate_report_fields(query: Option<&str>, ttl: u32) -> Result<(), DomainError> {
    if let Some(q) = query {
        if q.trim().is_empty() {
            return Err(DomainError::invalid(
                "query",
                "must not be empty; leave it out to deliver every row",
            ));
        }
        validate_text("query", q, 100_000)?;
    }
    if !(MIN_CACHE_TTL_SECONDS..=MAX_CACHE_TTL_SECONDS).contains(&ttl) {
        return Err(DomainError::invalid(
            "cache_ttl_seconds",
            format!(
                "must be from {MIN_CACHE_TTL_SECONDS} to {MAX_CACHE_TTL_SECONDS} seconds (a minute to a week)"
            ),
        ));
    }
    Ok(())
}

impl CreateReport {
    pub fn validate(&self) -> Result<(String, Id, Id), DomainError> {
        let title = validate_title("title", &self.title)?;
        let dm = parse_ref("data_mart_id", Kind::DataMart, &self.data_mart_id)?;
        let dst = parse_ref("destination_id", Kind::Destination, &self.destination_id)?;
        validate_report_fields(self.query.as_deref(), self.cache_ttl_seconds)?;
        Ok((title, dm, dst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn database(config: Value) -> Result<(String, ValidatedSettings), DomainError> {
        CreateDestination {
            title: "Warehouse".into(),
            kind: "database".into(),
            config: config.as_object().cloned().unwrap_or_default(),
        }
        .validate()
    }

    fn refused_field(config: Value) -> String {
        match database(config) {
            Err(DomainError::Validation { field, .. }) => field.0,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn a_database_destination_keeps_its_url_secret_and_defaults_the_rest() {
        let (_, settings) = database(json!({
            "url": "postgres://u:pw@db.example.com/app", "table": "orders"
        }))
        .expect("valid");
        assert!(settings.secret.contains_key("url"));
        assert!(!settings.config.contains_key("url"));
        assert_eq!(settings.config["schema"], json!("public"));
        assert_eq!(settings.config["write_mode"], json!("replace"));
    }

    #[test]
    fn a_database_destination_names_a_plain_table_and_an_upsert_names_its_keys() {
        let url = "postgres://u:pw@db.example.com/app";
        for (config, field) in [
            (json!({"url": "mysql://db/app", "table": "t"}), "config.url"),
            (
                json!({"url": url, "table": "orders; drop table x"}),
                "config.table",
            ),
            (json!({"url": url, "table": "9lives"}), "config.table"),
            (json!({"url": url, "table": "a".repeat(64)}), "config.table"),
            (
                json!({"url": url, "table": "sluice_deliveries"}),
                "config.table",
            ),
            (
                json!({"url": url, "table": "t", "schema": "my-schema"}),
                "config.schema",
            ),
            (
                json!({"url": url, "table": "t", "write_mode": "upsert"}),
                "config.key_columns",
            ),
            (
                json!({"url": url, "table": "t", "write_mode": "upsert", "key_columns": []}),
                "config.key_columns",
            ),
            (
                json!({"url": url, "table": "t", "write_mode": "upsert", "key_columns": ["id", "id"]}),
                "config.key_columns[1]",
            ),
            (
                json!({"url": url, "table": "t", "write_mode": "merge"}),
                "config.write_mode",
            ),
        ] {
            assert_eq!(refused_field(config.clone()), field, "{config}");
        }
        database(json!({
            "url": url, "schema": "mart_2", "table": "Orders_v2",
            "write_mode": "upsert", "key_columns": ["id", "day"]
        }))
        .expect("valid");
    }
}
