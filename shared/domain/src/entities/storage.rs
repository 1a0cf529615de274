//! Storages: where a project's warehouse lives.

use serde::{Deserialize, Serialize};

use super::{Meta, entity, from_value_at, validate_title};
use crate::error::{DomainError, Field};
use crate::ids::Kind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Storage {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    #[serde(flatten)]
    pub config: StorageConfig,
}
entity!(Storage, Kind::Storage);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StorageKind {
    Athena,
    Local,
}

/// A storage's kind and its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "config", rename_all = "snake_case")]
pub enum StorageConfig {
    Athena(AthenaConfig),
    Local(LocalConfig),
}

impl StorageConfig {
    pub fn kind(&self) -> StorageKind {
        match self {
            StorageConfig::Athena(_) => StorageKind::Athena,
            StorageConfig::Local(_) => StorageKind::Local,
        }
    }

    /// Parses and checks `config` for `kind`.
    pub fn parse(
        kind: StorageKind,
        config: serde_json::Value,
    ) -> Result<StorageConfig, DomainError> {
        let at = Field::new("config");
        match kind {
            StorageKind::Athena => {
                let c: AthenaConfig = from_value_at(config, &at)?;
                c.validate()?;
                Ok(StorageConfig::Athena(c))
            }
            StorageKind::Local => {
                let c: LocalConfig = from_value_at(config, &at)?;
                c.validate()?;
                Ok(StorageConfig::Local(c))
            }
        }
    }
}

/// Athena over Parquet in S3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AthenaConfig {
    /// AWS region, e.g. `eu-west-1`.
    #[schemars(pattern("^[a-z0-9]+(-[a-z0-9]+)+-[0-9]+$"))]
    pub region: String,
    /// Base of the Glue/Athena databases the data marts' tables are created in:
    /// each project's are in `{database}_{project id}`.
    #[schemars(pattern("^[a-z0-9_]{1,200}$"))]
    pub database: String,
    /// `s3://bucket/prefix/` where Athena writes query results.
    #[schemars(pattern("^s3://[a-z0-9.-]{3,63}(/[\\s\\S]*)?$"))]
    pub output_location: String,
    /// Athena workgroup.
    #[serde(default = "default_workgroup")]
    #[schemars(pattern("^[A-Za-z0-9._-]{1,128}$"))]
    pub workgroup: String,
}

fn default_workgroup() -> String {
    "primary".into()
}

impl AthenaConfig {
    fn validate(&self) -> Result<(), DomainError> {
        let region_ok = {
            let parts: Vec<&str> = self.region.split('-').collect();
            parts.len() >= 3
                && parts.iter().all(|p| {
                    !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
                && parts
                    .last()
                    .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
        };
        if !region_ok {
            return Err(DomainError::invalid(
                "config.region",
                format!("`{}` is not an AWS region (e.g. `eu-west-1`)", self.region),
            ));
        }
        let db = &self.database;
        // Each project's database adds `_` and its id to this base; Glue takes
        // 255 characters.
        if db.is_empty()
            || db.len() > 200
            || !db
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(DomainError::invalid(
                "config.database",
                "must be 1-200 lowercase letters, digits or underscores",
            ));
        }
        let bucket = self
            .output_location
            .strip_prefix("s3://")
            .map(|r| r.split('/').next().unwrap_or(""));
        if !bucket.is_some_and(valid_bucket) {
            return Err(DomainError::invalid(
                "config.output_location",
                "must be an S3 URI, `s3://bucket/prefix/`",
            ));
        }
        let wg = &self.workgroup;
        if wg.is_empty()
            || wg.len() > 128
            || !wg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        {
            return Err(DomainError::invalid(
                "config.workgroup",
                "must be 1-128 letters, digits, `.`, `_` or `-`",
            ));
        }
        Ok(())
    }
}

fn valid_bucket(b: &str) -> bool {
    (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
}

/// The embedded engine over Parquet files under the data directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalConfig {
    /// Schema (folder) the data marts' tables are created in.
    #[serde(default = "default_schema")]
    #[schemars(pattern("^[a-z0-9_]{1,64}$"))]
    pub schema: String,
}

fn default_schema() -> String {
    "main".into()
}

impl LocalConfig {
    fn validate(&self) -> Result<(), DomainError> {
        let s = &self.schema;
        if s.is_empty()
            || s.len() > 64
            || !s
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(DomainError::invalid(
                "config.schema",
                "must be 1-64 lowercase letters, digits or underscores",
            ));
        }
        Ok(())
    }
}

/// `POST /v1/storages`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateStorage {
    pub title: String,
    pub kind: StorageKind,
    /// Settings of `kind`: `AthenaConfig` or `LocalConfig`.
    #[serde(default)]
    pub config: serde_json::Value,
}

/// `PATCH /v1/storages/{id}`: the given fields replace the stored ones.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStorage {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: Option<String>,
    /// The whole config of the storage's kind (the kind cannot change).
    #[schemars(schema_with = "storage_config_schema")]
    pub config: Option<serde_json::Value>,
    /// Update only if the storage is still at this version.
    pub version: Option<u64>,
}

/// What `POST /v1/storages` accepts, for its schema: `config` by `kind`.
#[derive(schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[allow(dead_code)]
enum CreateStorageShape {
    Athena {
        #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
        title: String,
        config: AthenaConfig,
    },
    Local {
        #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
        title: String,
        /// Leave out (or `null`) for the defaults.
        #[serde(default)]
        config: Option<LocalConfig>,
    },
}

impl schemars::JsonSchema for CreateStorage {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CreateStorage".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        CreateStorageShape::json_schema(g)
    }
}

fn storage_config_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let a = g.subschema_for::<AthenaConfig>();
    let l = g.subschema_for::<LocalConfig>();
    schemars::json_schema!({ "oneOf": [a, l] })
}

impl CreateStorage {
    pub fn validate(self) -> Result<(String, StorageConfig), DomainError> {
        let title = validate_title("title", &self.title)?;
        let config = if self.config.is_null() {
            serde_json::json!({})
        } else {
            self.config
        };
        Ok((title, StorageConfig::parse(self.kind, config)?))
    }
}
