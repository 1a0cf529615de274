//! Data marts: a named dataset in a storage, with a definition that says where its
//! rows come from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Meta, Source, Storage, entity, parse_ref_of, validate_text, validate_title};
use crate::connectors::ConnectorSpec;
use crate::error::{DomainError, Field};
use crate::ids::{IdOf, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataMartStatus {
    Draft,
    Published,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DataMart {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub storage_id: IdOf<Storage>,
    pub status: DataMartStatus,
    #[serde(default)]
    pub definition: Option<Definition>,
    /// Columns of the landed table (filled in by runs).
    #[serde(default)]
    pub schema: Vec<SchemaField>,
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
}
entity!(
    DataMart,
    Kind::DataMart,
    parent = |d| Some(d.storage_id.as_id().clone())
);

impl DataMart {
    /// Changes are refused once a mart is deleted.
    pub fn ensure_live(&self) -> Result<(), DomainError> {
        match self.meta.deleted_at {
            Some(_) => Err(DomainError::Conflict(format!(
                "data mart {} is deleted",
                self.meta.id
            ))),
            None => Ok(()),
        }
    }

    /// Whether draft → published is allowed now: live, still a draft, with a
    /// definition. Publishing twice is a conflict.
    pub fn ensure_publishable(&self) -> Result<(), DomainError> {
        self.ensure_live()?;
        if self.status == DataMartStatus::Published {
            return Err(DomainError::Conflict(format!(
                "data mart {} is already published",
                self.meta.id
            )));
        }
        if self.definition.is_none() {
            return Err(DomainError::invalid(
                "definition",
                "a data mart needs a definition before it can be published",
            ));
        }
        Ok(())
    }

    /// draft → published.
    pub fn publish(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.ensure_publishable()?;
        self.status = DataMartStatus::Published;
        self.published_at = Some(now);
        Ok(())
    }
}

/// A column of a data mart's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SchemaField {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// How the field compares with the table the last run landed.
    #[serde(default)]
    pub status: FieldStatus,
    /// The type it had before, when `status` is `type_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_type: Option<String>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FieldStatus {
    /// In the table, as before.
    #[default]
    Connected,
    /// Appeared in the table with the last run.
    New,
    /// In the schema but no longer in the table.
    Missing,
    /// In the table with another type than before.
    TypeChanged,
}

/// The schema after a run landed a table with `landed` columns (name, type):
/// fields keep their alias and description; new, missing and type-changed fields
/// are marked.
pub fn actualize_schema(existing: &[SchemaField], landed: &[(String, String)]) -> Vec<SchemaField> {
    let mut out: Vec<SchemaField> = landed
        .iter()
        .map(
            |(name, kind)| match existing.iter().find(|f| &f.name == name) {
                Some(f) if &f.kind == kind => SchemaField {
                    status: FieldStatus::Connected,
                    previous_type: None,
                    ..f.clone()
                },
                Some(f) => SchemaField {
                    kind: kind.clone(),
                    status: FieldStatus::TypeChanged,
                    previous_type: Some(f.kind.clone()),
                    ..f.clone()
                },
                None => SchemaField {
                    name: name.clone(),
                    kind: kind.clone(),
                    alias: None,
                    description: None,
                    status: FieldStatus::New,
                    previous_type: None,
                },
            },
        )
        .collect();
    out.extend(
        existing
            .iter()
            .filter(|f| !landed.iter().any(|(n, _)| n == &f.name))
            .map(|f| SchemaField {
                status: FieldStatus::Missing,
                previous_type: None,
                ..f.clone()
            }),
    );
    out
}

/// Where a data mart's rows come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Definition {
    /// A query over the project's data marts (by table name, `dm_…`) and its
    /// storage's tables (`schema.table`), materialized as the mart's table by
    /// each run.
    Sql { query: String },
    /// A table of the storage, `schema.table` or `catalog.schema.table`: the
    /// Parquet files of that folder of the project's landing area.
    Table { table: String },
    /// A saved query over the same names as `sql`, evaluated when read.
    View { query: String },
    /// The storage's tables whose names match a pattern (`logs.events_2026*`),
    /// read as one (their union).
    TablePattern { pattern: String },
    /// Streams of a source, mapped into the mart's table by a run.
    Connector(ConnectorDefinition),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectorDefinition {
    pub source_id: IdOf<Source>,
    pub streams: Vec<StreamSelection>,
    #[serde(default)]
    pub pipeline: PipelineSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamSelection {
    /// Stream name from the connector spec (or, for connectors that take any name, a
    /// table, path or glob).
    pub name: String,
    #[serde(default)]
    pub mapping: Mapping,
}

/// How a stream's columns become the mart's columns, and what rows must satisfy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub columns: Vec<ColumnMapping>,
    #[serde(default)]
    pub rules: Vec<ValidationRule>,
}

impl Mapping {
    /// The names of the value maps its `map` ops apply, each once.
    pub fn value_maps(&self) -> std::collections::BTreeSet<&str> {
        self.columns
            .iter()
            .flat_map(|c| &c.ops)
            .filter_map(|op| match op {
                StringOp::Map { map, .. } => Some(map.as_str()),
                _ => None,
            })
            .collect()
    }
}

impl Definition {
    /// The names of the value maps its mappings apply, each once.
    pub fn value_maps(&self) -> std::collections::BTreeSet<&str> {
        match self {
            Definition::Connector(c) => c
                .streams
                .iter()
                .flat_map(|s| s.mapping.value_maps())
                .collect(),
            _ => Default::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    /// Output column name.
    pub target: String,
    /// Source column; omitted when `expression` computes the value.
    #[serde(default)]
    pub source: Option<String>,
    /// SQL expression over the row's source columns.
    #[serde(default)]
    pub expression: Option<String>,
    #[serde(default)]
    pub cast: Option<CastType>,
    /// Value used when the result is null.
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// String operations applied in order.
    #[serde(default)]
    pub ops: Vec<StringOp>,
    /// Drop the source column from the output.
    #[serde(default)]
    pub exclude: bool,
}

/// A column's type after the mapping: `string`, `int`, `float`, `decimal` (38
/// digits, 9 after the point) or `decimal(p,s)` (precision 1-38, scale 0-p),
/// `bool`, `date`, `timestamp`, `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CastType {
    String,
    Int,
    Float,
    Decimal { precision: u8, scale: u8 },
    Bool,
    Date,
    Timestamp,
    Json,
}

impl CastType {
    /// `decimal` alone: BigQuery's NUMERIC, wide enough for any money.
    pub const DECIMAL: CastType = CastType::Decimal {
        precision: 38,
        scale: 9,
    };

    pub fn parse(s: &str) -> Result<CastType, String> {
        let t = s.trim();
        Ok(match t {
            "string" => CastType::String,
            "int" => CastType::Int,
            "float" => CastType::Float,
            "decimal" => CastType::DECIMAL,
            "bool" => CastType::Bool,
            "date" => CastType::Date,
            "timestamp" => CastType::Timestamp,
            "json" => CastType::Json,
            _ => {
                let inner = t
                    .strip_prefix("decimal(")
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or_else(|| {
                        format!(
                            "unknown type `{t}`: use string, int, float, decimal, decimal(p,s), bool, date, timestamp or json"
                        )
                    })?;
                let mut parts = inner.split(',').map(str::trim);
                let number = |p: Option<&str>| p.and_then(|v| v.parse::<u8>().ok());
                let precision = number(parts.next())
                    .filter(|p| (1..=38).contains(p))
                    .ok_or_else(|| format!("`{t}`: the precision must be from 1 to 38"))?;
                let scale = match parts.next() {
                    None => 0,
                    v => number(v).filter(|s| *s <= precision).ok_or_else(|| {
                        format!("`{t}`: the scale must be from 0 to the precision ({precision})")
                    })?,
                };
                if parts.next().is_some() {
                    return Err(format!("`{t}`: write decimal(precision, scale)"));
                }
                CastType::Decimal { precision, scale }
            }
        })
    }
}

impl std::fmt::Display for CastType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CastType::String => f.write_str("string"),
            CastType::Int => f.write_str("int"),
            CastType::Float => f.write_str("float"),
            &CastType::DECIMAL => f.write_str("decimal"),
            CastType::Decimal { precision, scale } => write!(f, "decimal({precision},{scale})"),
            CastType::Bool => f.write_str("bool"),
            CastType::Date => f.write_str("date"),
            CastType::Timestamp => f.write_str("timestamp"),
            CastType::Json => f.write_str("json"),
        }
    }
}

impl Serialize for CastType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CastType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CastType, D::Error> {
        let s = String::deserialize(d)?;
        CastType::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for CastType {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CastType".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "string, int, float, decimal (38 digits, 9 after the point), decimal(p,s) (precision 1-38, scale 0-p), bool, date, timestamp or json.",
            "pattern": "^(string|int|float|decimal|bool|date|timestamp|json|decimal\\(\\s*[0-9]{1,2}\\s*(,\\s*[0-9]{1,2}\\s*)?\\))$"
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum StringOp {
    Trim,
    Lower,
    Upper,
    Substring {
        start: u32,
        length: Option<u32>,
    },
    Replace {
        from: String,
        to: String,
    },
    Concat {
        with: Vec<String>,
        #[serde(default)]
        separator: String,
    },
    /// The value the project's value map `map` gives the column's value (its
    /// text, matched against the map's keys); `default` when the map has no
    /// such key (`null` when there is no default). A null stays null.
    Map {
        #[schemars(pattern(super::VALUE_MAP_NAME))]
        map: String,
        #[serde(default)]
        #[schemars(schema_with = "super::scalar_schema")]
        default: Option<serde_json::Value>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum ValidationRule {
    NotNull {
        column: String,
    },
    Type {
        column: String,
        #[serde(rename = "type")]
        kind: CastType,
    },
    AllowedValues {
        column: String,
        values: Vec<serde_json::Value>,
    },
    UniqueKey {
        columns: Vec<String>,
    },
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorPolicy {
    #[default]
    FailFast,
    Continue,
    SkipAndLog,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WriteMode {
    #[default]
    Append,
    Replace,
    Merge,
}

/// How a run moves the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineSettings {
    /// Rows per chunk, 100-100,000. Each chunk is held in memory whole while it
    /// is read and transformed (up to `parallelism` of them at once); larger
    /// chunks cost fewer writes and records per row, which a database table of
    /// millions of rows gains from.
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
    /// Chunks in flight, 1-16.
    #[serde(default = "default_parallelism")]
    pub parallelism: u32,
    #[serde(default)]
    pub error_policy: ErrorPolicy,
    #[serde(default)]
    pub write_mode: WriteMode,
    /// Runs of this mart allowed at once, 1-16.
    #[serde(default = "default_max_active_runs")]
    pub max_active_runs: u32,
    /// SQL checks run against the table before the commit (`${DATA_MART_TABLE}`
    /// names it); a failing query fails the run.
    #[serde(default)]
    pub pre_sql: Vec<String>,
    /// SQL checks run against the table after the commit.
    #[serde(default)]
    pub post_sql: Vec<String>,
    /// Incremental runs start this many days before the saved cursor, to pick up
    /// late-arriving data (0-90).
    #[serde(default)]
    pub lookback_days: u32,
}

/// The most rows a chunk may hold.
pub const MAX_BATCH_SIZE: u32 = 100_000;

fn default_batch_size() -> u32 {
    5_000
}
fn default_parallelism() -> u32 {
    4
}
fn default_max_active_runs() -> u32 {
    1
}

impl Default for PipelineSettings {
    fn default() -> Self {
        PipelineSettings {
            batch_size: default_batch_size(),
            parallelism: default_parallelism(),
            error_policy: ErrorPolicy::default(),
            write_mode: WriteMode::default(),
            max_active_runs: default_max_active_runs(),
            pre_sql: vec![],
            post_sql: vec![],
            lookback_days: 0,
        }
    }
}

/// `POST /v1/data-marts`: a new draft.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDataMart {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: String,
    pub storage_id: String,
    pub description: Option<String>,
}

/// `PATCH /v1/data-marts/{id}`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDataMart {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schemars(with = "Option<String>")]
    pub description: Option<Option<String>>,
    /// Aliases and descriptions of schema fields, each by its `name`; fields
    /// left out keep theirs.
    #[serde(default)]
    #[schemars(length(max = 1000))]
    pub fields: Vec<FieldNotes>,
    pub version: Option<u64>,
}

/// What people write about one field of a data mart's schema.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldNotes {
    /// The field's `name` in the schema.
    pub name: String,
    /// The name people read it by (at most 128 characters, unique in the
    /// schema); `null` clears it.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schemars(with = "Option<String>", length(min = 1, max = 128))]
    pub alias: Option<Option<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schemars(with = "Option<String>", length(max = 2000))]
    pub description: Option<Option<String>>,
}

/// Longest alias of a schema field.
pub const MAX_FIELD_ALIAS: usize = 128;
/// Longest description of a schema field.
pub const MAX_FIELD_DESCRIPTION: usize = 2000;

impl DataMart {
    /// Sets aliases and descriptions of schema fields: all of `notes` or, on the
    /// first that is wrong (a field not in the schema, named twice, a blank, long
    /// or taken alias), none, with the error naming `fields[i].…`. Blank text
    /// clears a note, as `null` does.
    pub fn annotate_fields(&mut self, notes: &[FieldNotes]) -> Result<(), DomainError> {
        let mut schema = self.schema.clone();
        let at = Field::new("fields");
        for (i, n) in notes.iter().enumerate() {
            let f = at.index(i);
            if notes[..i].iter().any(|m| m.name == n.name) {
                return Err(DomainError::invalid_at(
                    &f.join("name"),
                    format!("{} is named twice", crate::error::quote(&n.name)),
                ));
            }
            let Some(field) = schema.iter_mut().find(|s| s.name == n.name) else {
                return Err(DomainError::invalid_at(
                    &f.join("name"),
                    format!(
                        "{} is not a field of the data mart's schema",
                        crate::error::quote(&n.name)
                    ),
                ));
            };
            if let Some(alias) = &n.alias {
                let alias = alias.as_deref().map(str::trim).filter(|a| !a.is_empty());
                if alias.is_some_and(|a| a.chars().count() > MAX_FIELD_ALIAS) {
                    return Err(DomainError::invalid_at(
                        &f.join("alias"),
                        format!("must be at most {MAX_FIELD_ALIAS} characters"),
                    ));
                }
                field.alias = alias.map(str::to_string);
            }
            if let Some(text) = &n.description {
                let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty());
                if text.is_some_and(|t| t.chars().count() > MAX_FIELD_DESCRIPTION) {
                    return Err(DomainError::invalid_at(
                        &f.join("description"),
                        format!("must be at most {MAX_FIELD_DESCRIPTION} characters"),
                    ));
                }
                field.description = text.map(str::to_string);
            }
        }
        // An alias names one field: two alike would read as one column.
        for (i, n) in notes.iter().enumerate() {
            let Some(Some(_)) = &n.alias else { continue };
            let mine = schema.iter().find(|s| s.name == n.name);
            let alias = mine.and_then(|s| s.alias.as_deref());
            if let Some(a) = alias
                && schema
                    .iter()
                    .any(|s| s.name != n.name && (s.alias.as_deref() == Some(a) || s.name == a))
            {
                return Err(DomainError::invalid_at(
                    &at.index(i).join("alias"),
                    format!("{} already names another field", crate::error::quote(a)),
                ));
            }
        }
        self.schema = schema;
        Ok(())
    }
}

impl CreateDataMart {
    pub fn validate(&self) -> Result<(String, IdOf<Storage>, Option<String>), DomainError> {
        let title = validate_title("title", &self.title)?;
        let storage = parse_ref_of::<Storage>("storage_id", &self.storage_id)?;
        if let Some(d) = &self.description {
            validate_text("description", d, 10_000)?;
        }
        Ok((title, storage, self.description.clone()))
    }
}

/// Data marts a request creates at most at once.
pub const MAX_SOURCE_MARTS: usize = 100;

/// `POST /v1/sources/{id}/data-marts`: data marts over streams of one source,
/// created together or not at all.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSourceDataMarts {
    /// The storage every one of them lands in.
    pub storage_id: String,
    /// One per data mart, in the order the response lists them; a stream may
    /// be named by several.
    #[schemars(length(min = 1, max = 100))]
    pub marts: Vec<SourceDataMart>,
    /// Publish each one as it is created (its definition passes the checks
    /// publishing makes).
    #[serde(default)]
    pub publish: bool,
}

/// One data mart over one stream of the source.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceDataMart {
    /// The stream, as the source's discovery names it (`public.orders`).
    #[schemars(length(min = 1, max = 1024))]
    pub stream: String,
    /// The stream's name when omitted.
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: Option<String>,
    pub description: Option<String>,
    /// When omitted: every field of the stream under its name in snake case
    /// with the cast that lands its type (the suggestion of
    /// `suggest-mapping` without a target), and a `unique_key` rule on the
    /// stream's primary key when it has one.
    pub mapping: Option<Mapping>,
    /// When omitted, the defaults; without a `mapping` and over a stream with
    /// a primary key, `write_mode` is `merge` unless given.
    pub pipeline: Option<GivenPipeline>,
}

/// Pipeline settings as a request gives them, remembering whether it named a
/// `write_mode` (a default is chosen only where it did not).
#[derive(Debug, Clone, PartialEq)]
pub struct GivenPipeline {
    pub settings: PipelineSettings,
    pub write_mode_given: bool,
}

impl<'de> Deserialize<'de> for GivenPipeline {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<GivenPipeline, D::Error> {
        let map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let write_mode_given = map.contains_key("write_mode");
        let settings = PipelineSettings::deserialize(serde_json::Value::Object(map))
            .map_err(serde::de::Error::custom)?;
        Ok(GivenPipeline {
            settings,
            write_mode_given,
        })
    }
}

impl schemars::JsonSchema for GivenPipeline {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        PipelineSettings::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        PipelineSettings::schema_id()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        PipelineSettings::json_schema(g)
    }
}

impl CreateSourceDataMarts {
    /// The body's shape: the storage id, 1 to 100 entries each naming a
    /// stream, and each entry's title (the stream's name when omitted), no
    /// stream given twice under one title.
    pub fn validate(&self) -> Result<(IdOf<Storage>, Vec<String>), DomainError> {
        let storage = parse_ref_of::<Storage>("storage_id", &self.storage_id)?;
        if self.marts.is_empty() || self.marts.len() > MAX_SOURCE_MARTS {
            return Err(DomainError::invalid(
                "marts",
                format!("must hold 1 to {MAX_SOURCE_MARTS} data marts"),
            ));
        }
        let mut titles = Vec::with_capacity(self.marts.len());
        let mut seen = std::collections::HashSet::new();
        for (i, m) in self.marts.iter().enumerate() {
            let at = Field::new("marts").index(i);
            if m.stream.trim().is_empty() || m.stream.len() > 1024 {
                return Err(DomainError::invalid_at(
                    &at.join("stream"),
                    "must be 1 to 1024 characters",
                ));
            }
            let title_at = at.join("title");
            let title = match &m.title {
                Some(t) => validate_title(&title_at.0, t)?,
                None => validate_title(&title_at.0, &m.stream).map_err(|e| {
                    DomainError::invalid_at(
                        &title_at,
                        format!("the stream's name {}; give a `title`", e.reason()),
                    )
                })?,
            };
            if let Some(d) = &m.description {
                validate_text(&at.join("description").0, d, 10_000)?;
            }
            if !seen.insert((m.stream.as_str(), title.clone())) {
                return Err(DomainError::invalid_at(
                    &title_at,
                    format!(
                        "stream `{}` is given twice as `{title}`; give each data mart over it its own title",
                        m.stream
                    ),
                ));
            }
            titles.push(title);
        }
        Ok((storage, titles))
    }
}

/// A problem found in a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Problem {
    pub field: String,
    pub reason: String,
}

impl From<DomainError> for Problem {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation { field, reason } => Problem {
                field: field.0,
                reason,
            },
            other => Problem {
                field: "definition".into(),
                reason: other.to_string(),
            },
        }
    }
}

/// A SQL identifier: a letter or `_`, then letters, digits or `_`; at most 255 bytes.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 255
}

fn qualified_name(field: &Field, s: &str, allow_wildcard: bool) -> Option<Problem> {
    let parts: Vec<&str> = s.split('.').collect();
    let ok = (1..=3).contains(&parts.len())
        && parts.iter().enumerate().all(|(i, p)| {
            let last = i + 1 == parts.len();
            if allow_wildcard && last {
                let base = p.trim_end_matches('*');
                !base.is_empty() && is_identifier(base) && p.matches('*').count() <= 1
            } else {
                is_identifier(p)
            }
        });
    (!ok).then(|| Problem {
        field: field.to_string(),
        reason: format!(
            "`{s}` is not a table name (`table`, `schema.table` or `catalog.schema.table`{})",
            if allow_wildcard {
                ", the last part may end in `*`"
            } else {
                ""
            }
        ),
    })
}

impl Definition {
    /// Parses a definition, naming the offending field under `definition.` (the
    /// `kind` tag is read first so errors inside a connector definition keep their
    /// path).
    pub fn from_json(value: serde_json::Value) -> Result<Definition, DomainError> {
        let at = Field::new("definition");
        let serde_json::Value::Object(mut map) = value else {
            return Err(DomainError::invalid_at(
                &at,
                "must be a JSON object with a `kind`",
            ));
        };
        match map.get("kind").and_then(|k| k.as_str()) {
            Some("connector") => {
                map.remove("kind");
                Ok(Definition::Connector(super::from_value_at(
                    serde_json::Value::Object(map),
                    &at,
                )?))
            }
            Some(_) => super::from_value_at(serde_json::Value::Object(map), &at),
            None => Err(DomainError::invalid_at(
                &at.join("kind"),
                "is required: one of sql, table, view, table_pattern, connector",
            )),
        }
    }

    /// Every problem of the definition's own shape (no lookups). Connector
    /// definitions are checked against their connector by [`check_against_connector`].
    pub fn problems(&self) -> Vec<Problem> {
        let at = Field::new("definition");
        let mut out = vec![];
        match self {
            Definition::Sql { query } | Definition::View { query } => {
                if query.trim().is_empty() {
                    out.push(Problem {
                        field: "definition.query".into(),
                        reason: "must not be empty".into(),
                    });
                } else if query.len() > 100_000 {
                    out.push(Problem {
                        field: "definition.query".into(),
                        reason: "must be at most 100000 characters".into(),
                    });
                }
            }
            Definition::Table { table } => {
                out.extend(qualified_name(&at.join("table"), table, false))
            }
            Definition::TablePattern { pattern } => {
                out.extend(qualified_name(&at.join("pattern"), pattern, true))
            }
            Definition::Connector(c) => c.shape_problems(&at, &mut out),
        }
        out
    }
}

impl ConnectorDefinition {
    fn shape_problems(&self, at: &Field, out: &mut Vec<Problem>) {
        let p = &self.pipeline;
        let pf = at.join("pipeline");
        let mut push = |field: Field, reason: String| {
            out.push(Problem {
                field: field.0,
                reason,
            })
        };
        if !(100..=MAX_BATCH_SIZE).contains(&p.batch_size) {
            push(
                pf.join("batch_size"),
                format!(
                    "must be between 100 and {MAX_BATCH_SIZE}, got {}",
                    p.batch_size
                ),
            );
        }
        if !(1..=16).contains(&p.parallelism) {
            push(
                pf.join("parallelism"),
                format!("must be between 1 and 16, got {}", p.parallelism),
            );
        }
        if !(1..=16).contains(&p.max_active_runs) {
            push(
                pf.join("max_active_runs"),
                format!("must be between 1 and 16, got {}", p.max_active_runs),
            );
        }
        if p.lookback_days > 90 {
            push(
                pf.join("lookback_days"),
                format!("must be between 0 and 90, got {}", p.lookback_days),
            );
        }
        if p.write_mode == WriteMode::Merge
            && !self.streams.iter().all(|s| {
                s.mapping
                    .rules
                    .iter()
                    .any(|r| matches!(r, ValidationRule::UniqueKey { .. }))
            })
        {
            push(
                pf.join("write_mode"),
                "`merge` needs a `unique_key` rule in every stream's mapping".into(),
            );
        }
        for (name, hooks) in [("pre_sql", &p.pre_sql), ("post_sql", &p.post_sql)] {
            for (i, h) in hooks.iter().enumerate() {
                if h.trim().is_empty() {
                    push(pf.join(name).index(i), "must not be empty".into());
                }
            }
        }
        if self.streams.is_empty() {
            push(at.join("streams"), "select at least one stream".into());
        }
        let mut names = std::collections::HashSet::new();
        for (i, s) in self.streams.iter().enumerate() {
            let sf = at.join("streams").index(i);
            if s.name.trim().is_empty() {
                push(sf.join("name"), "must not be empty".into());
            } else if !names.insert(s.name.as_str()) {
                push(
                    sf.join("name"),
                    format!("stream `{}` is selected twice", s.name),
                );
            }
            let mut targets = std::collections::HashSet::new();
            for (j, c) in s.mapping.columns.iter().enumerate() {
                let cf = sf.join("mapping.columns").index(j);
                if !is_identifier(&c.target) {
                    push(
                        cf.join("target"),
                        format!("`{}` is not a column name (letters, digits, `_`)", c.target),
                    );
                } else if !c.exclude && !targets.insert(c.target.as_str()) {
                    push(
                        cf.join("target"),
                        format!("column `{}` is produced twice", c.target),
                    );
                }
                match (&c.source, &c.expression) {
                    (None, None) => push(
                        cf.clone(),
                        "needs a `source` column or an `expression`".into(),
                    ),
                    (Some(_), Some(_)) => push(
                        cf.clone(),
                        "takes either `source` or `expression`, not both".into(),
                    ),
                    (_, Some(e)) if e.trim().is_empty() => {
                        push(cf.join("expression"), "must not be empty".into())
                    }
                    _ => {}
                }
                for (k, op) in c.ops.iter().enumerate() {
                    let of = cf.join("ops").index(k);
                    match op {
                        StringOp::Replace { from, .. } if from.is_empty() => {
                            push(of.join("from"), "must not be empty".into());
                        }
                        StringOp::Map { map, default } => {
                            if let Err(e) = super::validate_value_map_name("", map) {
                                push(of.join("map"), e.reason());
                            }
                            if let Some(d) = default
                                && let Err(e) = super::validate_scalar(&of.join("default"), d)
                            {
                                push(of.join("default"), e.reason());
                            }
                        }
                        _ => {}
                    }
                }
            }
            for (j, r) in s.mapping.rules.iter().enumerate() {
                if let ValidationRule::UniqueKey { columns } = r
                    && columns.is_empty()
                {
                    push(
                        sf.join("mapping.rules").index(j).join("columns"),
                        "name at least one column".into(),
                    );
                }
            }
        }
    }

    /// Problems only the connector's spec reveals: unknown streams, unknown source
    /// columns, `merge` without a unique key.
    pub fn check_against_connector(&self, spec: &ConnectorSpec) -> Vec<Problem> {
        let mut out = vec![];
        for (i, s) in self.streams.iter().enumerate() {
            let sf = Field::new("definition.streams").index(i);
            if spec.name == "files"
                && let Err(e) = crate::files::check_glob(&s.name)
            {
                out.push(Problem {
                    field: sf.join("name").0,
                    reason: e.0,
                });
                continue;
            }
            if spec.name == "postgres"
                && let Err(reason) = crate::connectors::postgres::table_of(&s.name)
            {
                out.push(Problem {
                    field: sf.join("name").0,
                    reason,
                });
                continue;
            }
            if spec.name == "mysql"
                && let Err(reason) = crate::connectors::mysql::table_of(&s.name)
            {
                out.push(Problem {
                    field: sf.join("name").0,
                    reason,
                });
                continue;
            }
            let stream = spec.stream(&s.name);
            if stream.is_none() && !spec.accepts_any_stream() {
                let names: Vec<&str> = spec.streams.iter().map(|s| s.name).collect();
                out.push(Problem {
                    field: sf.join("name").0,
                    reason: format!(
                        "connector `{}` has no stream `{}`; expected one of: {}",
                        spec.name,
                        s.name,
                        names.join(", ")
                    ),
                });
                continue;
            }
            let Some(stream) = stream.filter(|s| !s.fields.is_empty()) else {
                continue;
            };
            let known = |c: &str| stream.fields.iter().any(|f| f.name == c);
            for (j, c) in s.mapping.columns.iter().enumerate() {
                if let Some(src) = &c.source
                    && !known(src)
                {
                    let names: Vec<&str> = stream.fields.iter().map(|f| f.name).collect();
                    out.push(Problem {
                        field: sf.join("mapping.columns").index(j).join("source").0,
                        reason: format!(
                            "stream `{}` has no column `{src}`; it has: {}",
                            s.name,
                            names.join(", ")
                        ),
                    });
                }
            }
            if self.pipeline.write_mode == WriteMode::Merge && stream.unique_key.is_empty() {
                let has_rule = s
                    .mapping
                    .rules
                    .iter()
                    .any(|r| matches!(r, ValidationRule::UniqueKey { .. }));
                if !has_rule {
                    out.push(Problem { field: "definition.pipeline.write_mode".into(), reason: format!("`merge` needs a unique key; stream `{}` has none, add a `unique_key` rule", s.name) });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Id;
    use serde_json::json;

    fn def(v: serde_json::Value) -> Definition {
        serde_json::from_value(v).expect("definition parses")
    }

    fn draft(definition: Option<Definition>) -> DataMart {
        let p = Id::generate(Kind::Project, 1);
        DataMart {
            meta: Meta::new(Kind::DataMart, &p, "test", Utc::now()),
            title: "t".into(),
            description: None,
            storage_id: IdOf::generate(1),
            status: DataMartStatus::Draft,
            definition,
            schema: vec![],
            published_at: None,
        }
    }

    fn notes(v: serde_json::Value) -> Vec<FieldNotes> {
        serde_json::from_value(v).expect("notes parse")
    }

    fn landed() -> DataMart {
        let mut dm = draft(None);
        dm.schema = actualize_schema(
            &[],
            &[
                ("id".into(), "Int64".into()),
                ("qty".into(), "Int64".into()),
            ],
        );
        dm
    }

    #[test]
    fn field_notes_set_aliases_and_descriptions_and_null_or_blank_clears_them() {
        let mut dm = landed();
        dm.annotate_fields(&notes(json!([
            {"name": "qty", "alias": " Quantity ", "description": "Units ordered"}
        ])))
        .expect("annotated");
        assert_eq!(dm.schema[1].alias.as_deref(), Some("Quantity"));
        assert_eq!(dm.schema[1].description.as_deref(), Some("Units ordered"));
        // Left out keeps; a missing key keeps; null and blank clear.
        dm.annotate_fields(&notes(json!([{"name": "qty", "description": null}])))
            .expect("annotated");
        assert_eq!(dm.schema[1].alias.as_deref(), Some("Quantity"));
        assert_eq!(dm.schema[1].description, None);
        dm.annotate_fields(&notes(json!([{"name": "qty", "alias": "  "}])))
            .expect("annotated");
        assert_eq!(dm.schema[1].alias, None);
        // The notes outlive the next run's schema.
        dm.annotate_fields(&notes(json!([{"name": "id", "alias": "Order"}])))
            .expect("annotated");
        let next = actualize_schema(&dm.schema, &[("id".into(), "Int64".into())]);
        assert_eq!(next[0].alias.as_deref(), Some("Order"));
    }

    #[test]
    fn wrong_field_notes_change_nothing_and_name_the_field() {
        let mut dm = landed();
        let before = dm.schema.clone();
        let field = |e: DomainError| match e {
            DomainError::Validation { field, .. } => field.0,
            other => panic!("{other:?}"),
        };
        let cases = [
            (
                json!([{"name": "id", "alias": "A"}, {"name": "price"}]),
                "fields[1].name",
            ),
            (json!([{"name": "id"}, {"name": "id"}]), "fields[1].name"),
            (
                json!([{"name": "id", "alias": "x".repeat(129)}]),
                "fields[0].alias",
            ),
            (
                json!([{"name": "id", "description": "x".repeat(2001)}]),
                "fields[0].description",
            ),
            (json!([{"name": "id", "alias": "qty"}]), "fields[0].alias"),
            (
                json!([{"name": "id", "alias": "Same"}, {"name": "qty", "alias": "Same"}]),
                "fields[0].alias",
            ),
        ];
        for (body, expected) in cases {
            let e = dm
                .annotate_fields(&notes(body.clone()))
                .expect_err("refused");
            assert_eq!(field(e), expected, "{body}");
            assert_eq!(dm.schema, before, "{body} wrote nothing");
        }
    }

    #[test]
    fn marts_over_one_stream_need_titles_of_their_own() {
        let storage = IdOf::<Storage>::generate(1);
        let body = |marts: serde_json::Value| -> CreateSourceDataMarts {
            serde_json::from_value(json!({"storage_id": storage.as_str(), "marts": marts}))
                .expect("body parses")
        };
        let (_, titles) = body(json!([
            {"stream": "public.orders"},
            {"stream": "public.orders", "title": " Orders, merged "},
            {"stream": "public.items", "title": "public.orders"}
        ]))
        .validate()
        .expect("valid");
        assert_eq!(titles, ["public.orders", "Orders, merged", "public.orders"]);
        let twice = body(json!([
            {"stream": "public.orders", "title": "A"},
            {"stream": "public.items"},
            {"stream": "public.orders", "title": "A "}
        ]))
        .validate()
        .expect_err("the same stream under the same title");
        assert!(
            matches!(twice, DomainError::Validation { field, .. } if field.0 == "marts[2].title")
        );
        let none = body(json!([])).validate().expect_err("no marts");
        assert!(matches!(none, DomainError::Validation { field, .. } if field.0 == "marts"));
        let blank = body(json!([{"stream": " "}]))
            .validate()
            .expect_err("blank stream");
        assert!(
            matches!(blank, DomainError::Validation { field, .. } if field.0 == "marts[0].stream")
        );
    }

    #[test]
    fn a_given_pipeline_remembers_whether_it_named_a_write_mode() {
        let given: GivenPipeline =
            serde_json::from_value(json!({"batch_size": 1000})).expect("parses");
        assert!(!given.write_mode_given);
        assert_eq!(given.settings.batch_size, 1000);
        let given: GivenPipeline =
            serde_json::from_value(json!({"write_mode": "append"})).expect("parses");
        assert!(given.write_mode_given);
        assert!(serde_json::from_value::<GivenPipeline>(json!({"batch": 1})).is_err());
    }

    #[test]
    fn publishing_a_published_mart_is_a_conflict() {
        let mut dm = draft(Some(def(json!({"kind": "sql", "query": "select 1"}))));
        dm.publish(Utc::now()).expect("first publish");
        assert!(matches!(
            dm.publish(Utc::now()),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn publishing_without_a_definition_names_the_field() {
        let mut dm = draft(None);
        let err = dm.publish(Utc::now()).expect_err("no definition");
        assert!(matches!(err, DomainError::Validation { field, .. } if field.0 == "definition"));
    }

    #[test]
    fn decimal_casts_take_a_precision_and_scale() {
        for (word, cast) in [
            ("decimal", CastType::DECIMAL),
            (
                "decimal(12,2)",
                CastType::Decimal {
                    precision: 12,
                    scale: 2,
                },
            ),
            (
                "decimal( 18 , 0 )",
                CastType::Decimal {
                    precision: 18,
                    scale: 0,
                },
            ),
            (
                "decimal(5)",
                CastType::Decimal {
                    precision: 5,
                    scale: 0,
                },
            ),
            ("int", CastType::Int),
        ] {
            assert_eq!(CastType::parse(word), Ok(cast), "{word}");
            let back: CastType =
                serde_json::from_value(serde_json::to_value(cast).expect("to json"))
                    .expect("from json");
            assert_eq!(back, cast);
        }
        assert_eq!(CastType::DECIMAL.to_string(), "decimal");
        assert_eq!(
            CastType::parse("decimal(12,2)").map(|c| c.to_string()),
            Ok("decimal(12,2)".into())
        );
        for bad in [
            "decimal(0,0)",
            "decimal(39,2)",
            "decimal(5,6)",
            "decimal(1,2,3)",
            "decimal(x)",
            "number",
        ] {
            assert!(CastType::parse(bad).is_err(), "{bad}");
        }
        // A bad one is an error at its field.
        let err = Definition::from_json(
            json!({"kind": "connector", "source_id": Id::generate(Kind::Source, 1), "streams": [
                {"name": "s", "mapping": {"columns": [
                    {"target": "a", "source": "a", "cast": "decimal(12,2)"},
                    {"target": "b", "source": "b", "cast": "decimal(40,2)"}
                ]}}
            ]}),
        )
        .expect_err("refused");
        let text = format!("{err:?}");
        assert!(
            text.contains("definition.streams[0].mapping.columns[1].cast"),
            "{text}"
        );
        assert!(text.contains("precision must be from 1 to 38"), "{text}");
    }

    #[test]
    fn pipeline_bounds_and_mapping_shape_are_checked() {
        let d = def(
            json!({"kind": "connector", "source_id": Id::generate(Kind::Source, 1), "streams": [
            {"name": "issues", "mapping": {"columns": [
                {"target": "id", "source": "id", "cast": "int"},
                {"target": "id", "source": "number"},
                {"target": "bad name", "source": "title"},
                {"target": "x"}
            ]}}
        ], "pipeline": {"batch_size": 50, "parallelism": 17}}),
        );
        let fields: Vec<String> = d.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            vec![
                "definition.pipeline.batch_size",
                "definition.pipeline.parallelism",
                "definition.streams[0].mapping.columns[1].target",
                "definition.streams[0].mapping.columns[2].target",
                "definition.streams[0].mapping.columns[3]",
            ]
        );
    }

    #[test]
    fn unknown_streams_and_columns_are_named_against_the_connector() {
        use crate::connectors::{ConnectorSpec, StreamSpec, field};
        // A connector with fixed streams and columns (the shipped ones name theirs).
        let spec = ConnectorSpec {
            name: "tracker",
            title: "Tracker",
            description: "",
            config: vec![],
            streams: vec![StreamSpec::fixed(
                "issues",
                "",
                vec![field("id", "int", ""), field("title", "string", "")],
                &["id"],
                None,
            )],
        };
        let Definition::Connector(c) = def(
            json!({"kind": "connector", "source_id": Id::generate(Kind::Source, 1), "streams": [
                {"name": "issues", "mapping": {"columns": [{"target": "t", "source": "titel"}]}},
                {"name": "wikis"}
            ]}),
        ) else {
            unreachable!()
        };
        let fields: Vec<String> = c
            .check_against_connector(&spec)
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "definition.streams[0].mapping.columns[0].source",
                "definition.streams[1].name"
            ]
        );
    }

    #[test]
    fn table_names_are_checked() {
        assert!(
            def(json!({"kind": "table", "table": "sales.orders"}))
                .problems()
                .is_empty()
        );
        assert_eq!(
            def(json!({"kind": "table", "table": "orders; drop table x"})).problems()[0].field,
            "definition.table"
        );
        assert!(
            def(json!({"kind": "table_pattern", "pattern": "logs.events_2026*"}))
                .problems()
                .is_empty()
        );
    }
}
