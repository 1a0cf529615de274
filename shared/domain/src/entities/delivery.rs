//! Destinations (where reports deliver) and reports (a data mart query delivered to
//! a destination).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    DataMart, Meta, Settings, ValidatedSettings, entity, parse_ref_of, validate_text,
    validate_title,
};
use crate::connectors::{FieldSpec, destination_spec};
use crate::error::{DomainError, Field};
use crate::ids::{Id, IdOf, Kind};

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
                && v.as_u64()
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
        "google_sheets" => check_sheets_values(config)?,
        "object_export" => {
            if let Some(folder) = config.get("folder").and_then(Value::as_str) {
                export_folder(folder)?;
            }
            if config.get("format").and_then(Value::as_str) == Some("parquet")
                && config.get("compression").and_then(Value::as_str) == Some("gzip")
            {
                return Err(DomainError::invalid(
                    "config.compression",
                    "Parquet compresses its own columns; leave compression `none`",
                ));
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

/// Most cells a Google spreadsheet holds, over all its sheets.
pub const SHEETS_MAX_CELLS: u64 = 10_000_000;
/// Most columns a Google sheet has (`ZZZ`).
pub const SHEETS_MAX_COLUMNS: u32 = 18_278;
/// Longest sheet name Google Sheets takes.
pub const SHEETS_MAX_NAME_CHARS: usize = 100;

/// A cell as A1 notation names it (`B3`), zero-based inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRef {
    /// 0 for row 1.
    pub row: u32,
    /// 0 for column A.
    pub column: u32,
}

impl CellRef {
    /// `B3`: column letters (A to ZZZ), then a row number from 1 that leaves
    /// room in a spreadsheet's cell limit. Lowercase letters are taken.
    pub fn parse(text: &str) -> Option<CellRef> {
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_alphabetic())?;
        let (letters, digits) = t.split_at(split);
        if letters.is_empty() || letters.len() > 3 || digits.starts_with('0') {
            return None;
        }
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 8 {
            return None;
        }
        let column = letters.bytes().fold(0u32, |n, b| {
            n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
        }) - 1;
        let row: u64 = digits.parse().ok()?;
        if row == 0 || row > SHEETS_MAX_CELLS {
            return None;
        }
        Some(CellRef {
            row: u32::try_from(row - 1).ok()?,
            column,
        })
    }

    /// The letters of zero-based `column` (0 is `A`, 26 is `AA`).
    pub fn column_letters(column: u32) -> String {
        let mut n = column + 1;
        let mut out = Vec::new();
        while n > 0 {
            let rem = (n - 1) % 26;
            out.push(b'A' + rem as u8);
            n = (n - 1) / 26;
        }
        out.reverse();
        String::from_utf8(out).unwrap_or_default()
    }
}

impl std::fmt::Display for CellRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}",
            CellRef::column_letters(self.column),
            self.row + 1
        )
    }
}

/// A spreadsheet id: what its URL carries after `/d/`, letters, digits, `-`
/// and `_` (it becomes a path segment of every request).
pub fn spreadsheet_id(field: &str, id: &str) -> Result<(), DomainError> {
    let ok = (1..=200).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            "must be a spreadsheet id (the part of its URL after `/d/`): letters, digits, `-` and `_`",
        ))
    }
}

/// A sheet name Google Sheets takes: 1 to 100 characters, no control ones.
pub fn sheet_name(field: &str, name: &str) -> Result<(), DomainError> {
    let n = name.chars().count();
    if n == 0
        || n > SHEETS_MAX_NAME_CHARS
        || name.trim().is_empty()
        || name.chars().any(char::is_control)
    {
        return Err(DomainError::invalid(
            field,
            format!("must be a sheet name of 1 to {SHEETS_MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Whether `text` has the shape of a service account's JSON key. Its reasons
/// never quote it: the key is a secret.
pub fn service_account_shape(text: &str) -> Result<(), &'static str> {
    let v: Value = serde_json::from_str(text)
        .map_err(|_| "must be the JSON key of a service account: it does not parse as JSON")?;
    let field = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    };
    if v.get("type")
        .is_some_and(|t| t.as_str() != Some("service_account"))
    {
        return Err("must be the JSON key of a service account (`type` is `service_account`)");
    }
    if field("client_email").is_none() {
        return Err("must be the JSON key of a service account: it has no `client_email`");
    }
    if !field("private_key").is_some_and(|k| k.contains("PRIVATE KEY")) {
        return Err("must be the JSON key of a service account: it has no `private_key` in PEM");
    }
    Ok(())
}

/// A `google_sheets` destination's values: a spreadsheet id fit for a URL, a
/// sheet name, an A1 start cell and a key of the right shape.
fn check_sheets_values(config: &Map<String, Value>) -> Result<(), DomainError> {
    if let Some(id) = config.get("spreadsheet_id").and_then(Value::as_str) {
        spreadsheet_id("config.spreadsheet_id", id)?;
    }
    if let Some(name) = config.get("sheet_name").and_then(Value::as_str) {
        sheet_name("config.sheet_name", name)?;
    }
    if let Some(cell) = config.get("start_cell").and_then(Value::as_str)
        && CellRef::parse(cell).is_none()
    {
        return Err(DomainError::invalid(
            "config.start_cell",
            "must be one cell in A1 notation, such as `A1` or `C5`",
        ));
    }
    if let Some(key) = config.get("service_account_json").and_then(Value::as_str) {
        service_account_shape(key)
            .map_err(|why| DomainError::invalid("config.service_account_json", why))?;
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
    pub data_mart_id: IdOf<DataMart>,
    pub destination_id: IdOf<Destination>,
    /// SQL over the data mart; `${DATA_MART_TABLE}` names its table. Empty: all rows.
    #[serde(default)]
    pub query: Option<String>,
    /// Columns, filters, grouping, sort and limit, instead of a `query`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<crate::output::OutputControls>,
    /// How long the data endpoint serves a result again from its cache, in
    /// seconds (60 to a week); a run of the data mart ends it sooner.
    pub cache_ttl_seconds: u32,
}
entity!(
    Report,
    Kind::Report,
    parent = |r| Some(r.data_mart_id.as_id().clone())
);

/// `POST /v1/reports`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReport {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: String,
    pub data_mart_id: String,
    pub destination_id: String,
    /// Read-only SQL over the data mart (`${DATA_MART_TABLE}`); or `output`.
    pub query: Option<String>,
    /// Output controls over the data mart; or `query`.
    #[serde(default)]
    pub output: Option<crate::output::OutputControls>,
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
    /// A query in place of the output controls.
    pub query: Option<String>,
    /// Output controls in place of the query.
    pub output: Option<crate::output::OutputControls>,
    #[schemars(range(min = 60, max = 604800))]
    pub cache_ttl_seconds: Option<u32>,
    pub version: Option<u64>,
}

/// A week.
pub const MAX_CACHE_TTL_SECONDS: u32 = 7 * 24 * 3600;
/// The shortest a cached result is kept.
pub const MIN_CACHE_TTL_SECONDS: u32 = 60;
pub const DEFAULT_CACHE_TTL_SECONDS: u32 = 300;

pub fn validate_report_fields(
    query: Option<&str>,
    output: Option<&crate::output::OutputControls>,
    ttl: u32,
) -> Result<(), DomainError> {
    if query.is_some() && output.is_some() {
        return Err(DomainError::invalid(
            "output",
            "a report takes either a `query` or `output` controls, not both",
        ));
    }
    if let Some(o) = output {
        o.check(&Field::new("output"), &[])?;
    }
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
    pub fn validate(&self) -> Result<(String, IdOf<DataMart>, IdOf<Destination>), DomainError> {
        let title = validate_title("title", &self.title)?;
        let dm = parse_ref_of::<DataMart>("data_mart_id", &self.data_mart_id)?;
        let dst = parse_ref_of::<Destination>("destination_id", &self.destination_id)?;
        validate_report_fields(
            self.query.as_deref(),
            self.output.as_ref(),
            self.cache_ttl_seconds,
        )?;
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

    #[test]
    fn a1_cells_parse_to_zero_based_rows_and_columns() {
        for (text, row, column) in [
            ("A1", 0, 0),
            ("b3", 2, 1),
            ("Z10", 9, 25),
            ("AA1", 0, 26),
            ("ZZZ2", 1, 18_277),
        ] {
            let c = CellRef::parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((c.row, c.column), (row, column), "{text}");
            assert_eq!(c.to_string(), text.to_ascii_uppercase());
        }
        for bad in [
            "",
            "A",
            "1",
            "A0",
            "A01",
            "AAAA1",
            "A1:B2",
            "Sheet1!A1",
            "1A",
            "A-1",
            "A10000001",
        ] {
            assert!(CellRef::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(CellRef::column_letters(701), "ZZ");
        assert_eq!(CellRef::column_letters(702), "AAA");
    }

    #[test]
    fn a_sheets_destination_checks_its_id_cell_and_key_without_quoting_the_key() {
        let key = r#"{"type":"service_account","client_email":"x@p.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----\nTOPSECRET\n-----END PRIVATE KEY-----\n"}"#;
        let sheets = |config: Value| {
            CreateDestination {
                title: "Sheet".into(),
                kind: "google_sheets".into(),
                config: config.as_object().cloned().unwrap_or_default(),
            }
            .validate()
        };
        let (_, settings) =
            sheets(json!({"spreadsheet_id": "1AbC-d_9", "service_account_json": key}))
                .expect("valid");
        assert!(settings.secret.contains_key("service_account_json"));
        assert_eq!(settings.config["start_cell"], json!("A1"));
        assert_eq!(settings.config["sheet_name"], json!("Sheet1"));
        for (config, field) in [
            (
                json!({"spreadsheet_id": "../x", "service_account_json": key}),
                "config.spreadsheet_id",
            ),
            (
                json!({"spreadsheet_id": "a?b", "service_account_json": key}),
                "config.spreadsheet_id",
            ),
            (
                json!({"spreadsheet_id": "a", "start_cell": "A1:B2", "service_account_json": key}),
                "config.start_cell",
            ),
            (
                json!({"spreadsheet_id": "a", "sheet_name": "", "service_account_json": key}),
                "config.sheet_name",
            ),
            (
                json!({"spreadsheet_id": "a", "service_account_json": "{\"private_key\":\"TOPSECRET\"}"}),
                "config.service_account_json",
            ),
            (
                json!({"spreadsheet_id": "a", "service_account_json": "TOPSECRET"}),
                "config.service_account_json",
            ),
        ] {
            match sheets(config) {
                Err(e @ DomainError::Validation { .. }) => {
                    assert!(!e.to_string().contains("TOPSECRET"), "{e}");
                    let DomainError::Validation { field: f, .. } = e else {
                        unreachable!()
                    };
                    assert_eq!(f.0, field);
                }
                other => panic!("not refused: {other:?}"),
            }
        }
    }
}
