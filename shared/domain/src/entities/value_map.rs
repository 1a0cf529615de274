//! Value maps: a project's lookup tables (Jira statuses → status categories,
//! issue types → hierarchy levels), edited through the API and applied to a
//! column by a mapping's `{"op": "map", "map": "<name>"}`.
//!
//! A map is named, and its name is its key: its id derives from the project and
//! the name, so a mapping's op finds it with one read, two maps of a project can
//! never share a name, and no project reaches another's map.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Meta, entity, validate_text, validate_title};
use crate::error::{DomainError, Field};
use crate::ids::{Id, IdOf, Kind};

/// Most entries a map holds.
pub const MAX_ENTRIES: usize = 10_000;
/// Most characters of a key.
pub const MAX_KEY_CHARS: usize = 256;
/// Most characters of a string value.
pub const MAX_VALUE_CHARS: usize = 1_024;
/// Most bytes of a map's entries as JSON: the whole record stays under
/// DynamoDB's 400 KB item limit.
pub const MAX_ENTRIES_BYTES: usize = 300_000;

/// The JSON Schema `pattern` of a map's name.
pub const VALUE_MAP_NAME: &str = "^[a-z][a-z0-9_]{0,63}$";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ValueMap {
    #[serde(flatten)]
    pub meta: Meta,
    /// What a mapping's `map` op names it by; unique in the project, never changes.
    pub name: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Keys match regardless of case (compared in Unicode lower case).
    #[serde(default)]
    pub case_insensitive: bool,
    /// Key → value, in the order given.
    pub entries: Vec<Entry>,
}
entity!(ValueMap, Kind::ValueMap);

/// The value maps a mapping applies, by name (those of its project that it
/// names and that exist).
pub type ValueMaps = std::collections::BTreeMap<String, ValueMap>;

/// One key of a map and the value it stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The text a column's value is matched against (numbers and booleans are
    /// matched by their text: `3`, `true`).
    #[schemars(length(max = 256))]
    pub key: String,
    /// A string, number, boolean or `null`.
    #[schemars(schema_with = "scalar_schema")]
    pub value: Value,
}

/// The schema of a JSON scalar (a map's value, an op's default).
pub fn scalar_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": ["string", "number", "boolean", "null"]})
}

/// The type a `map` op gives its column: decided by the map's values and the
/// op's default (nulls aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapValueType {
    /// Every value is a string, or they are of mixed kinds (then each non-string
    /// value is written as its JSON text: `3`, `true`), or there is none.
    String,
    /// Every value is a whole number that fits 64 bits.
    Int,
    /// Every value is a number, some not whole.
    Float,
    Bool,
}

impl MapValueType {
    /// The type of a column mapped through `values`.
    pub fn of<'a>(values: impl IntoIterator<Item = &'a Value>) -> MapValueType {
        let mut seen: Option<MapValueType> = None;
        for v in values {
            let t = match v {
                Value::Null => continue,
                Value::String(_) => MapValueType::String,
                Value::Bool(_) => MapValueType::Bool,
                Value::Number(n) if n.is_i64() => MapValueType::Int,
                Value::Number(_) => MapValueType::Float,
                _ => return MapValueType::String,
            };
            seen = Some(match (seen, t) {
                (None, t) => t,
                (Some(a), b) if a == b => a,
                (Some(MapValueType::Int | MapValueType::Float), MapValueType::Int)
                | (Some(MapValueType::Int), MapValueType::Float) => MapValueType::Float,
                _ => return MapValueType::String,
            });
        }
        seen.unwrap_or(MapValueType::String)
    }
}

/// A value as text, for a map whose column is a string: a string as it is,
/// anything else as its JSON.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl ValueMap {
    /// The id of the map named `name` in `project` (the same every time).
    pub fn id_for(project: &Id, name: &str) -> IdOf<ValueMap> {
        IdOf::of(Id::derived(Kind::ValueMap, &[project.as_str(), name]))
            .expect("a derived id is of its kind")
    }

    /// How a key is compared: as it is, or in lower case.
    pub fn fold(&self, key: &str) -> String {
        if self.case_insensitive {
            key.to_lowercase()
        } else {
            key.to_string()
        }
    }
}

/// Checks a map's name: a lower-case letter, then up to 63 lower-case letters,
/// digits or `_`.
pub fn validate_value_map_name(field: &str, name: &str) -> Result<(), DomainError> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 64;
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            format!(
                "{} is not a value map name: a lower-case letter, then up to 63 lower-case letters, digits or `_`",
                crate::error::quote(name)
            ),
        ))
    }
}

/// Checks entries: at most [`MAX_ENTRIES`], keys unique (in lower case when
/// `case_insensitive`) and at most [`MAX_KEY_CHARS`], values scalars, strings at
/// most [`MAX_VALUE_CHARS`], all of it at most [`MAX_ENTRIES_BYTES`].
pub fn validate_entries(entries: &[Entry], case_insensitive: bool) -> Result<(), DomainError> {
    let at = Field::new("entries");
    if entries.len() > MAX_ENTRIES {
        return Err(DomainError::invalid_at(
            &at,
            format!(
                "has {} entries; a map holds at most {MAX_ENTRIES}",
                entries.len()
            ),
        ));
    }
    let mut keys = HashSet::with_capacity(entries.len());
    let mut bytes = 0;
    for (i, e) in entries.iter().enumerate() {
        let f = at.index(i);
        if e.key.chars().count() > MAX_KEY_CHARS {
            return Err(DomainError::invalid_at(
                &f.join("key"),
                format!("must be at most {MAX_KEY_CHARS} characters"),
            ));
        }
        let folded = if case_insensitive {
            e.key.to_lowercase()
        } else {
            e.key.clone()
        };
        if !keys.insert(folded) {
            return Err(DomainError::invalid_at(
                &f.join("key"),
                format!(
                    "{} is a key of an earlier entry{}",
                    crate::error::quote(&e.key),
                    if case_insensitive {
                        " (keys are compared regardless of case)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        match &e.value {
            Value::String(s) if s.chars().count() > MAX_VALUE_CHARS => {
                return Err(DomainError::invalid_at(
                    &f.join("value"),
                    format!("must be at most {MAX_VALUE_CHARS} characters"),
                ));
            }
            Value::Array(_) | Value::Object(_) => {
                return Err(DomainError::invalid_at(
                    &f.join("value"),
                    "must be a string, number, boolean or null",
                ));
            }
            _ => {}
        }
        bytes += e.key.len() + e.value.to_string().len() + 20;
    }
    if bytes > MAX_ENTRIES_BYTES {
        return Err(DomainError::invalid_at(
            &at,
            format!("take {bytes} bytes as JSON; a map holds at most {MAX_ENTRIES_BYTES}"),
        ));
    }
    Ok(())
}

/// Checks a `map` op's default: a scalar, or nothing.
pub fn validate_scalar(field: &Field, v: &Value) -> Result<(), DomainError> {
    match v {
        Value::Array(_) | Value::Object(_) => Err(DomainError::invalid_at(
            field,
            "must be a string, number, boolean or null",
        )),
        Value::String(s) if s.chars().count() > MAX_VALUE_CHARS => Err(DomainError::invalid_at(
            field,
            format!("must be at most {MAX_VALUE_CHARS} characters"),
        )),
        _ => Ok(()),
    }
}

/// `POST /v1/value-maps`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateValueMap {
    /// Unique in the project: a lower-case letter, then up to 63 lower-case
    /// letters, digits or `_`.
    #[schemars(pattern(VALUE_MAP_NAME))]
    pub name: String,
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: String,
    #[serde(default)]
    #[schemars(length(max = 10000))]
    pub description: Option<String>,
    /// Keys match regardless of case (default `false`).
    #[serde(default)]
    pub case_insensitive: bool,
    /// At most 10,000, keys unique.
    #[serde(default)]
    #[schemars(length(max = 10000))]
    pub entries: Vec<Entry>,
}

/// A map's checked parts: title, description, flag, entries.
pub struct ValidValueMap {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub case_insensitive: bool,
    pub entries: Vec<Entry>,
}

impl CreateValueMap {
    pub fn validate(self) -> Result<ValidValueMap, DomainError> {
        validate_value_map_name("name", &self.name)?;
        let title = validate_title("title", &self.title)?;
        if let Some(d) = &self.description {
            validate_text("description", d, 10_000)?;
        }
        validate_entries(&self.entries, self.case_insensitive)?;
        Ok(ValidValueMap {
            name: self.name,
            title,
            description: self.description,
            case_insensitive: self.case_insensitive,
            entries: self.entries,
        })
    }
}

/// `PATCH /v1/value-maps/{id}`: the given fields replace the stored ones (the
/// name cannot change).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateValueMap {
    #[schemars(length(min = 1, max = 200), pattern(super::NOT_BLANK))]
    pub title: Option<String>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schemars(with = "Option<String>", length(max = 10000))]
    pub description: Option<Option<String>>,
    pub case_insensitive: Option<bool>,
    /// Every entry of the map (replaces them all).
    #[schemars(length(max = 10000))]
    pub entries: Option<Vec<Entry>>,
    /// Update only if the map is still at this version.
    pub version: Option<u64>,
}

impl UpdateValueMap {
    /// Applies the change to `m`, checked as a whole.
    pub fn apply(self, m: &mut ValueMap) -> Result<(), DomainError> {
        if let Some(t) = &self.title {
            m.title = validate_title("title", t)?;
        }
        if let Some(d) = self.description {
            if let Some(text) = &d {
                validate_text("description", text, 10_000)?;
            }
            m.description = d;
        }
        if let Some(ci) = self.case_insensitive {
            m.case_insensitive = ci;
        }
        if let Some(entries) = self.entries {
            m.entries = entries;
        }
        validate_entries(&m.entries, m.case_insensitive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entries(pairs: &[(&str, Value)]) -> Vec<Entry> {
        pairs
            .iter()
            .map(|(k, v)| Entry {
                key: k.to_string(),
                value: v.clone(),
            })
            .collect()
    }

    fn field(e: DomainError) -> String {
        match e {
            DomainError::Validation { field, .. } => field.0,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_are_lower_case_identifiers_of_at_most_64_characters() {
        for ok in ["statuses", "s", "jira_status_2", &"a".repeat(64)] {
            assert!(validate_value_map_name("name", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Statuses",
            "2x",
            "_x",
            "a-b",
            "a b",
            "ä",
            "../x",
            &"a".repeat(65),
        ] {
            assert_eq!(
                field(validate_value_map_name("name", bad).expect_err(bad)),
                "name"
            );
        }
    }

    #[test]
    fn a_duplicate_key_is_refused_naming_the_entry() {
        let e = entries(&[("To Do", json!("new")), ("Done", json!("done"))]);
        assert!(validate_entries(&e, false).is_ok());
        let dup = entries(&[
            ("To Do", json!("new")),
            ("Done", json!("done")),
            ("To Do", json!("x")),
        ]);
        assert_eq!(
            field(validate_entries(&dup, false).expect_err("dup")),
            "entries[2].key"
        );
        // Keys differing only in case are distinct unless matching ignores case.
        let cased = entries(&[("Done", json!(1)), ("DONE", json!(2))]);
        assert!(validate_entries(&cased, false).is_ok());
        assert_eq!(
            field(validate_entries(&cased, true).expect_err("folded dup")),
            "entries[1].key"
        );
    }

    #[test]
    fn values_are_scalars_and_sizes_are_capped() {
        for v in [json!("a"), json!(1), json!(1.5), json!(true), Value::Null] {
            assert!(validate_entries(&entries(&[("k", v.clone())]), false).is_ok());
        }
        for v in [json!([1]), json!({"a": 1})] {
            assert_eq!(
                field(validate_entries(&entries(&[("k", v)]), false).expect_err("nested")),
                "entries[0].value"
            );
        }
        let long_key = "k".repeat(MAX_KEY_CHARS + 1);
        assert_eq!(
            field(validate_entries(&entries(&[(&long_key, json!(1))]), false).expect_err("key")),
            "entries[0].key"
        );
        let long_value = json!("v".repeat(MAX_VALUE_CHARS + 1));
        assert_eq!(
            field(validate_entries(&entries(&[("k", long_value)]), false).expect_err("value")),
            "entries[0].value"
        );
        let many: Vec<Entry> = (0..=MAX_ENTRIES)
            .map(|i| Entry {
                key: i.to_string(),
                value: json!(i),
            })
            .collect();
        assert_eq!(
            field(validate_entries(&many, false).expect_err("too many")),
            "entries"
        );
        let heavy: Vec<Entry> = (0..400)
            .map(|i| Entry {
                key: i.to_string(),
                value: json!("v".repeat(1_000)),
            })
            .collect();
        assert_eq!(
            field(validate_entries(&heavy, false).expect_err("too big")),
            "entries"
        );
    }

    #[test]
    fn the_column_type_is_the_values_common_type() {
        let t = |vs: &[Value]| MapValueType::of(vs);
        assert_eq!(
            t(&[json!("a"), json!("b"), Value::Null]),
            MapValueType::String
        );
        assert_eq!(t(&[json!(1), json!(2)]), MapValueType::Int);
        assert_eq!(t(&[json!(1), json!(2.5)]), MapValueType::Float);
        assert_eq!(t(&[json!(2.5), json!(1)]), MapValueType::Float);
        assert_eq!(t(&[json!(true), Value::Null]), MapValueType::Bool);
        assert_eq!(t(&[json!(1), json!("a")]), MapValueType::String);
        assert_eq!(t(&[json!(true), json!(1)]), MapValueType::String);
        assert_eq!(t(&[]), MapValueType::String);
        assert_eq!(value_text(&json!(3)).as_deref(), Some("3"));
        assert_eq!(value_text(&Value::Null), None);
    }

    #[test]
    fn a_maps_id_is_its_projects_and_names_own() {
        let a = Id::generate(Kind::Project, 1);
        let b = Id::generate(Kind::Project, 2);
        assert_eq!(
            ValueMap::id_for(&a, "statuses"),
            ValueMap::id_for(&a, "statuses")
        );
        assert_ne!(
            ValueMap::id_for(&a, "statuses"),
            ValueMap::id_for(&b, "statuses")
        );
        assert_ne!(
            ValueMap::id_for(&a, "statuses"),
            ValueMap::id_for(&a, "types")
        );
        assert!(ValueMap::id_for(&a, "statuses").as_str().starts_with("vm_"));
    }

    #[test]
    fn an_update_is_checked_as_a_whole() {
        let now = chrono::Utc::now();
        let mut m = ValueMap {
            meta: Meta::new(Kind::ValueMap, &Id::generate(Kind::Project, 1), "t", now),
            name: "statuses".into(),
            title: "Statuses".into(),
            description: None,
            case_insensitive: false,
            entries: entries(&[("Done", json!("done")), ("done", json!("done"))]),
        };
        let ci: UpdateValueMap =
            serde_json::from_value(json!({"case_insensitive": true})).expect("update");
        assert_eq!(field(ci.apply(&mut m).expect_err("dup")), "entries[1].key");
    }
}
