//! A report's output controls: which columns, under which names and in which
//! order; filters, with parameters a run or a request fills in; sort and limit;
//! aggregations grouped by dimensions, dates bucketed in a time zone, and a
//! totals row. They compile to one read-only query over the data mart, every
//! name checked as an identifier and every value written as a literal, so
//! nothing a user types becomes SQL of its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::entities::{SchemaField, is_identifier};
use crate::error::{DomainError, Field};

/// Most columns, filters, dimensions, aggregations or sort keys of one kind.
const MOST: usize = 200;
/// Most parameters.
const MOST_PARAMETERS: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputControls {
    /// The columns delivered, in this order, each under its alias. Empty: every
    /// column of the data mart (or, when grouping, the dimensions then the
    /// aggregations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<OutputColumn>,
    /// Rows kept: every filter holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// Dimensions to group by; with `aggregations`, one row per combination.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_by: Vec<Dimension>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aggregations: Vec<Aggregation>,
    /// Order of the rows, by output names (aliases).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SortKey>,
    /// At most this many rows (the totals row aside).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100_000_000))]
    pub limit: Option<u64>,
    /// A last row of the aggregations over every filtered row (dimensions null).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub totals: bool,
    /// IANA time zone that date buckets of timestamps are cut in (default UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Values filters take from a run or a request (`{"param": "country"}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputColumn {
    pub column: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    pub column: String,
    pub op: FilterOp,
    /// A value (an array for `in`, `not_in` and `between`), or
    /// `{"param": "name"}` for a declared parameter. None for `is_null` and
    /// `is_not_null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    In,
    NotIn,
    Between,
    Contains,
    StartsWith,
    IsNull,
    IsNotNull,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub column: String,
    /// Cut dates and timestamps to this unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<Bucket>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Bucket {
    fn unit(self) -> &'static str {
        match self {
            Bucket::Hour => "hour",
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
            Bucket::Quarter => "quarter",
            Bucket::Year => "year",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Aggregation {
    pub function: AggregateFunction,
    /// The column aggregated; none for `count` of rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// For `percentile`: 0 to 1 (0.5 the median).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentile: Option<f64>,
    /// The output name.
    pub alias: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AggregateFunction {
    Sum,
    Avg,
    Min,
    Max,
    Count,
    CountDistinct,
    /// Approximate (the engines' `approx_percentile`).
    Percentile,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SortKey {
    pub column: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParameterKind,
    /// Taken when a run or request gives none; without one the parameter is
    /// required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParameterKind {
    String,
    Number,
    Boolean,
    /// `YYYY-MM-DD`.
    Date,
}

/// Values given to parameters, by name.
pub type ParameterValues = BTreeMap<String, Value>;

fn quote_ident(name: &str) -> String {
    format!("\"{name}\"")
}

fn string_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl OutputControls {
    /// Every problem of the controls' shape, and of the names they use when
    /// the mart's `schema` is known (empty before its first run), fields under
    /// `at`.
    pub fn check(&self, at: &Field, schema: &[SchemaField]) -> Result<(), DomainError> {
        let invalid = |f: Field, reason: String| Err(DomainError::invalid_at(&f, reason));
        for (name, n) in [
            ("columns", self.columns.len()),
            ("filters", self.filters.len()),
            ("group_by", self.group_by.len()),
            ("aggregations", self.aggregations.len()),
            ("sort", self.sort.len()),
        ] {
            if n > MOST {
                return invalid(at.join(name), format!("must have at most {MOST} entries"));
            }
        }
        if self.parameters.len() > MOST_PARAMETERS {
            return invalid(
                at.join("parameters"),
                format!("must have at most {MOST_PARAMETERS} entries"),
            );
        }
        let known = |f: &Field, c: &str| -> Result<(), DomainError> {
            if !is_identifier(c) {
                return invalid(
                    f.clone(),
                    format!("`{}` is not a column name", crate::error::quote(c)),
                );
            }
            if !schema.is_empty() && !schema.iter().any(|s| s.name == c) {
                return invalid(f.clone(), format!("the data mart has no column `{c}`"));
            }
            Ok(())
        };
        let alias_ok = |f: Field, a: &str| -> Result<(), DomainError> {
            if is_identifier(a) {
                Ok(())
            } else {
                invalid(
                    f,
                    format!(
                        "`{}` is not a column name (letters, digits, `_`)",
                        crate::error::quote(a)
                    ),
                )
            }
        };
        let grouping = !self.group_by.is_empty() || !self.aggregations.is_empty();
        if grouping && !self.columns.is_empty() {
            return invalid(
                at.join("columns"),
                "leave out when grouping: the output is the `group_by` dimensions, then the `aggregations`".into(),
            );
        }
        if self.totals && self.aggregations.is_empty() {
            return invalid(at.join("totals"), "needs at least one aggregation".into());
        }
        for (i, c) in self.columns.iter().enumerate() {
            let f = at.join("columns").index(i);
            known(&f.join("column"), &c.column)?;
            if let Some(a) = &c.alias {
                alias_ok(f.join("alias"), a)?;
            }
        }
        let mut names = std::collections::HashSet::new();
        for (i, p) in self.parameters.iter().enumerate() {
            let f = at.join("parameters").index(i);
            if !is_identifier(&p.name) {
                return invalid(f.join("name"), "must be letters, digits and `_`".into());
            }
            if !names.insert(p.name.as_str()) {
                return invalid(f.join("name"), format!("`{}` is declared twice", p.name));
            }
            if let Some(d) = &p.default {
                p.literal(d)
                    .map_err(|reason| DomainError::invalid_at(&f.join("default"), reason))?;
            }
        }
        for (i, flt) in self.filters.iter().enumerate() {
            let f = at.join("filters").index(i);
            known(&f.join("column"), &flt.column)?;
            self.filter_sql(flt, &ParameterValues::new(), true)
                .map_err(|(sub, reason)| DomainError::invalid_at(&f.join(sub), reason))?;
        }
        if let Some(tz) = &self.time_zone
            && tz.parse::<chrono_tz::Tz>().is_err()
        {
            return invalid(
                at.join("time_zone"),
                format!("`{}` is not an IANA time zone", crate::error::quote(tz)),
            );
        }
        for (i, d) in self.group_by.iter().enumerate() {
            let f = at.join("group_by").index(i);
            known(&f.join("column"), &d.column)?;
            if let Some(a) = &d.alias {
                alias_ok(f.join("alias"), a)?;
            }
            if let (Some(_), Some(s)) = (d.bucket, schema.iter().find(|s| s.name == d.column)) {
                let k = s.kind.to_ascii_lowercase();
                if !(k.starts_with("date") || k.starts_with("timestamp")) {
                    return invalid(
                        f.join("bucket"),
                        format!("`{}` is {}, not a date or timestamp", d.column, s.kind),
                    );
                }
            }
        }
        for (i, a) in self.aggregations.iter().enumerate() {
            let f = at.join("aggregations").index(i);
            alias_ok(f.join("alias"), &a.alias)?;
            match (&a.column, a.function) {
                (None, AggregateFunction::Count) => {}
                (None, _) => {
                    return invalid(f.join("column"), "is required for this function".into());
                }
                (Some(c), _) => known(&f.join("column"), c)?,
            }
            match (a.function, a.percentile) {
                (AggregateFunction::Percentile, Some(p)) if (0.0..=1.0).contains(&p) => {}
                (AggregateFunction::Percentile, _) => {
                    return invalid(f.join("percentile"), "must be from 0 to 1".into());
                }
                (_, Some(_)) => {
                    return invalid(f.join("percentile"), "is only for `percentile`".into());
                }
                _ => {}
            }
        }
        let outputs = self.output_names();
        let mut seen = std::collections::HashSet::new();
        for n in &outputs {
            if !seen.insert(n.as_str()) {
                return invalid(
                    at.clone(),
                    format!("two output columns are named `{n}`; give one an alias"),
                );
            }
        }
        for (i, s) in self.sort.iter().enumerate() {
            let f = at.join("sort").index(i).join("column");
            let sortable = if outputs.is_empty() {
                is_identifier(&s.column)
                    && (schema.is_empty() || schema.iter().any(|c| c.name == s.column))
            } else {
                outputs.contains(&s.column)
            };
            if !sortable {
                return invalid(
                    f,
                    format!(
                        "`{}` is not an output column",
                        crate::error::quote(&s.column)
                    ),
                );
            }
        }
        Ok(())
    }

    /// The names of the output columns; empty when every column goes out.
    fn output_names(&self) -> Vec<String> {
        if self.group_by.is_empty() && self.aggregations.is_empty() {
            return self
                .columns
                .iter()
                .map(|c| c.alias.clone().unwrap_or_else(|| c.column.clone()))
                .collect();
        }
        self.group_by
            .iter()
            .map(|d| d.alias.clone().unwrap_or_else(|| d.column.clone()))
            .chain(self.aggregations.iter().map(|a| a.alias.clone()))
            .collect()
    }

    /// The values of the parameters: `given` ones checked, defaults filled in;
    /// a missing required one or a value of the wrong type names
    /// `parameters.{name}`.
    pub fn parameter_values(
        &self,
        given: &ParameterValues,
    ) -> Result<ParameterValues, DomainError> {
        let at = Field::new("parameters");
        if let Some(unknown) = given
            .keys()
            .find(|k| !self.parameters.iter().any(|p| &p.name == *k))
        {
            return Err(DomainError::invalid_at(
                &at.join(unknown),
                "the report declares no such parameter",
            ));
        }
        let mut out = ParameterValues::new();
        for p in &self.parameters {
            let value = given.get(&p.name).or(p.default.as_ref()).ok_or_else(|| {
                DomainError::invalid_at(
                    &at.join(&p.name),
                    "is required: the report gives it no default",
                )
            })?;
            p.literal(value)
                .map_err(|reason| DomainError::invalid_at(&at.join(&p.name), reason))?;
            out.insert(p.name.clone(), value.clone());
        }
        Ok(out)
    }

    /// The query over `table` (an identifier the warehouse reads the mart by)
    /// whose columns are `schema` (dates are bucketed as dates, anything else
    /// as a timestamp in the time zone).
    pub fn to_sql(
        &self,
        table: &str,
        schema: &[SchemaField],
        values: &ParameterValues,
    ) -> Result<String, DomainError> {
        let mut wheres = vec![];
        for (i, f) in self.filters.iter().enumerate() {
            wheres.push(self.filter_sql(f, values, false).map_err(|(sub, reason)| {
                DomainError::invalid_at(&Field::new("output.filters").index(i).join(sub), reason)
            })?);
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", wheres.join(" AND "))
        };
        let from = format!("SELECT * FROM {table}{where_sql}");
        let order = |keys: &[SortKey]| -> String {
            keys.iter()
                .map(|k| {
                    format!(
                        "{}{}",
                        quote_ident(&k.column),
                        if k.descending { " DESC" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let limit = self
            .limit
            .map(|n| format!(" LIMIT {n}"))
            .unwrap_or_default();
        let sort = if self.sort.is_empty() {
            String::new()
        } else {
            format!(" ORDER BY {}", order(&self.sort))
        };
        if self.group_by.is_empty() && self.aggregations.is_empty() {
            let cols = if self.columns.is_empty() {
                "*".to_string()
            } else {
                self.columns
                    .iter()
                    .map(|c| {
                        let alias = c.alias.as_deref().unwrap_or(&c.column);
                        format!("{} AS {}", quote_ident(&c.column), quote_ident(alias))
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Ok(format!("SELECT {cols} FROM ({from}) AS base{sort}{limit}"));
        }
        let dims: Vec<(String, String)> = self
            .group_by
            .iter()
            .map(|d| {
                let alias = d.alias.clone().unwrap_or_else(|| d.column.clone());
                (self.dimension_sql(d, schema), alias)
            })
            .collect();
        let aggs: Vec<(String, String)> = self
            .aggregations
            .iter()
            .map(|a| (aggregate_sql(a), a.alias.clone()))
            .collect();
        let select = |dims_as_null: bool| -> String {
            dims.iter()
                .map(|(e, a)| {
                    if dims_as_null {
                        format!("NULL AS {}", quote_ident(a))
                    } else {
                        format!("{e} AS {}", quote_ident(a))
                    }
                })
                .chain(
                    aggs.iter()
                        .map(|(e, a)| format!("{e} AS {}", quote_ident(a))),
                )
                .collect::<Vec<_>>()
                .join(", ")
        };
        let group = if dims.is_empty() {
            String::new()
        } else {
            format!(
                " GROUP BY {}",
                dims.iter()
                    .map(|(e, _)| e.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let grouped = format!(
            "SELECT {} FROM ({from}) AS base{group}{sort}{limit}",
            select(false)
        );
        if !self.totals {
            return Ok(grouped);
        }
        let names: Vec<String> = dims
            .iter()
            .chain(aggs.iter())
            .map(|(_, a)| quote_ident(a))
            .collect();
        let totals = format!(
            "SELECT {}, 1 AS sluice_total FROM ({from}) AS base",
            select(true)
        );
        let mut outer_sort = vec!["sluice_total".to_string()];
        if !self.sort.is_empty() {
            outer_sort.push(order(&self.sort));
        }
        Ok(format!(
            "SELECT {} FROM (SELECT {}, 0 AS sluice_total FROM ({grouped}) AS grouped UNION ALL {totals}) AS report ORDER BY {}",
            names.join(", "),
            names.join(", "),
            outer_sort.join(", ")
        ))
    }

    fn dimension_sql(&self, d: &Dimension, schema: &[SchemaField]) -> String {
        let col = quote_ident(&d.column);
        let Some(b) = d.bucket else { return col };
        let is_date = schema
            .iter()
            .any(|s| s.name == d.column && s.kind.to_ascii_lowercase().starts_with("date"));
        if is_date {
            // A date has no zone: cut it as it is.
            format!(
                "CAST(date_trunc('{}', CAST({col} AS TIMESTAMP)) AS DATE)",
                b.unit()
            )
        } else {
            let tz = self.time_zone.as_deref().unwrap_or("UTC");
            format!(
                "date_trunc('{}', {col} AT TIME ZONE {})",
                b.unit(),
                string_literal(tz)
            )
        }
    }

    /// A filter's SQL; an error names the part of the filter at fault. With
    /// `shape_only`, parameters are not looked up (they are checked when given).
    fn filter_sql(
        &self,
        f: &Filter,
        values: &ParameterValues,
        shape_only: bool,
    ) -> Result<String, (&'static str, String)> {
        let col = quote_ident(&f.column);
        let literal = |v: &Value| -> Result<String, (&'static str, String)> {
            if let Some(name) = v
                .as_object()
                .and_then(|o| o.get("param"))
                .and_then(Value::as_str)
            {
                let p = self.parameters.iter().find(|p| p.name == name).ok_or((
                    "value",
                    format!(
                        "names parameter `{}`, which the report does not declare",
                        crate::error::quote(name)
                    ),
                ))?;
                if shape_only {
                    return Ok("NULL".into());
                }
                let given = values
                    .get(name)
                    .ok_or(("value", format!("parameter `{name}` has no value")))?;
                return p.literal(given).map_err(|r| ("value", r));
            }
            plain_literal(v).map_err(|r| ("value", r))
        };
        let value = || {
            f.value
                .as_ref()
                .ok_or(("value", "is required for this operator".to_string()))
        };
        let list = || -> Result<Vec<String>, (&'static str, String)> {
            match value()? {
                Value::Array(items) if !items.is_empty() && items.len() <= 1000 => {
                    items.iter().map(literal).collect()
                }
                v if v.get("param").is_some() => Ok(vec![literal(v)?]),
                _ => Err(("value", "must be an array of 1 to 1000 values".into())),
            }
        };
        // A string (or a parameter) to look for in the column's text.
        let needle = || -> Result<String, (&'static str, String)> {
            let v = value()?;
            if !(v.is_string() || v.get("param").is_some()) {
                return Err(("value", "must be a string".into()));
            }
            literal(v)
        };
        Ok(match f.op {
            FilterOp::Eq => format!("{col} = {}", literal(value()?)?),
            FilterOp::Ne => format!("{col} <> {}", literal(value()?)?),
            FilterOp::Lt => format!("{col} < {}", literal(value()?)?),
            FilterOp::Lte => format!("{col} <= {}", literal(value()?)?),
            FilterOp::Gt => format!("{col} > {}", literal(value()?)?),
            FilterOp::Gte => format!("{col} >= {}", literal(value()?)?),
            FilterOp::In => format!("{col} IN ({})", list()?.join(", ")),
            FilterOp::NotIn => format!("{col} NOT IN ({})", list()?.join(", ")),
            FilterOp::Between => {
                let bounds = match value()? {
                    Value::Array(b) if b.len() == 2 => {
                        b.iter().map(literal).collect::<Result<Vec<_>, _>>()?
                    }
                    _ => return Err(("value", "must be an array of two bounds".into())),
                };
                format!("{col} BETWEEN {} AND {}", bounds[0], bounds[1])
            }
            FilterOp::Contains => format!("strpos(CAST({col} AS VARCHAR), {}) > 0", needle()?),
            FilterOp::StartsWith => format!("strpos(CAST({col} AS VARCHAR), {}) = 1", needle()?),
            FilterOp::IsNull | FilterOp::IsNotNull => {
                if f.value.is_some() {
                    return Err(("value", "takes no value".into()));
                }
                format!(
                    "{col} IS {}NULL",
                    if f.op == FilterOp::IsNotNull {
                        "NOT "
                    } else {
                        ""
                    }
                )
            }
        })
    }
}

impl Parameter {
    /// `v` as this parameter's SQL literal, or why it is not one.
    fn literal(&self, v: &Value) -> Result<String, String> {
        match (self.kind, v) {
            (ParameterKind::String, Value::String(s)) if s.len() <= 10_000 => Ok(string_literal(s)),
            (ParameterKind::Number, Value::Number(n)) => plain_literal(&Value::Number(n.clone())),
            (ParameterKind::Boolean, Value::Bool(b)) => Ok(b.to_string().to_uppercase()),
            (ParameterKind::Date, Value::String(s))
                if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() =>
            {
                Ok(format!("DATE {}", string_literal(s)))
            }
            (kind, _) => Err(format!(
                "must be a {}",
                match kind {
                    ParameterKind::String => "string (at most 10000 bytes)",
                    ParameterKind::Number => "number",
                    ParameterKind::Boolean => "boolean",
                    ParameterKind::Date => "date, YYYY-MM-DD",
                }
            )),
        }
    }
}

/// A JSON value as a SQL literal: strings quoted, finite numbers, booleans.
fn plain_literal(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) if s.len() <= 10_000 => Ok(string_literal(s)),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.is_finite() => Ok(n.to_string()),
            _ => Err("must be a finite number".into()),
        },
        Value::Bool(b) => Ok(b.to_string().to_uppercase()),
        _ => Err("must be a string, a number, a boolean or {\"param\": name}".into()),
    }
}

fn aggregate_sql(a: &Aggregation) -> String {
    let col = a.column.as_deref().map(quote_ident);
    match (a.function, col) {
        (AggregateFunction::Count, None) => "count(*)".into(),
        (AggregateFunction::Count, Some(c)) => format!("count({c})"),
        (AggregateFunction::CountDistinct, Some(c)) => format!("count(DISTINCT {c})"),
        (AggregateFunction::Sum, Some(c)) => format!("sum({c})"),
        (AggregateFunction::Avg, Some(c)) => format!("avg({c})"),
        (AggregateFunction::Min, Some(c)) => format!("min({c})"),
        (AggregateFunction::Max, Some(c)) => format!("max({c})"),
        (AggregateFunction::Percentile, Some(c)) => {
            format!(
                "approx_percentile_cont({c}, {})",
                a.percentile.unwrap_or(0.5)
            )
        }
        // `check` refuses a function without its column.
        (_, None) => "NULL".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn controls(v: Value) -> OutputControls {
        serde_json::from_value(v).expect("controls")
    }

    fn field(v: Value, schema: &[SchemaField]) -> String {
        match controls(v).check(&Field::new("output"), schema) {
            Err(DomainError::Validation { field, .. }) => field.0,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn values_are_literals_and_names_are_identifiers() {
        let c = controls(json!({
            "columns": [{"column": "id"}, {"column": "customer", "alias": "who"}],
            "filters": [
                {"column": "customer", "op": "eq", "value": "O'Brien'; drop table x; --"},
                {"column": "amount", "op": "between", "value": [1, {"param": "most"}]},
                {"column": "day", "op": "gte", "value": {"param": "since"}}
            ],
            "sort": [{"column": "who", "descending": true}],
            "limit": 10,
            "parameters": [
                {"name": "most", "type": "number", "default": 100},
                {"name": "since", "type": "date"}
            ]
        }));
        c.check(&Field::new("output"), &[]).expect("valid");
        let values = c
            .parameter_values(&[("since".to_string(), json!("2026-11-01"))].into())
            .expect("values");
        let sql = c.to_sql("dm_x", &[], &values).expect("sql");
        assert_eq!(
            sql,
            "SELECT \"id\" AS \"id\", \"customer\" AS \"who\" FROM (SELECT * FROM dm_x WHERE \
             \"customer\" = 'O''Brien''; drop table x; --' AND \"amount\" BETWEEN 1 AND 100 AND \
             \"day\" >= DATE '2026-11-01') AS base ORDER BY \"who\" DESC LIMIT 10"
        );
        assert!(c.parameter_values(&ParameterValues::new()).is_err());
        assert!(
            c.parameter_values(&[("since".to_string(), json!("Nov 1"))].into())
                .is_err()
        );
    }

    #[test]
    fn bad_controls_name_their_field() {
        let schema: Vec<SchemaField> = serde_json::from_value(json!([
            {"name": "amount", "type": "Float64", "status": "connected"}
        ]))
        .expect("schema");
        for (v, f) in [
            (
                json!({"columns": [{"column": "nope"}]}),
                "output.columns[0].column",
            ),
            (
                json!({"columns": [{"column": "amount", "alias": "a b"}]}),
                "output.columns[0].alias",
            ),
            (
                json!({"filters": [{"column": "amount", "op": "in", "value": 3}]}),
                "output.filters[0].value",
            ),
            (
                json!({"filters": [{"column": "amount", "op": "eq", "value": {"param": "x"}}]}),
                "output.filters[0].value",
            ),
            (
                json!({"group_by": [{"column": "amount", "bucket": "day"}], "aggregations": [{"function": "count", "alias": "n"}]}),
                "output.group_by[0].bucket",
            ),
            (
                json!({"aggregations": [{"function": "sum", "alias": "s"}]}),
                "output.aggregations[0].column",
            ),
            (
                json!({"aggregations": [{"function": "percentile", "column": "amount", "percentile": 2, "alias": "p"}]}),
                "output.aggregations[0].percentile",
            ),
            (json!({"totals": true}), "output.totals"),
            (
                json!({"aggregations": [{"function": "count", "alias": "n"}], "sort": [{"column": "amount"}]}),
                "output.sort[0].column",
            ),
            (json!({"time_zone": "Mars/Olympus"}), "output.time_zone"),
        ] {
            assert_eq!(field(v.clone(), &schema), f, "{v}");
        }
    }

    #[test]
    fn grouping_buckets_dates_in_the_zone_and_totals_come_last() {
        let c = controls(json!({
            "group_by": [{"column": "at", "bucket": "month", "alias": "month"}],
            "aggregations": [{"function": "sum", "column": "amount", "alias": "total"}],
            "sort": [{"column": "month"}],
            "totals": true,
            "time_zone": "Europe/Berlin"
        }));
        c.check(&Field::new("output"), &[]).expect("valid");
        let sql = c.to_sql("t", &[], &ParameterValues::new()).expect("sql");
        assert!(
            sql.contains("date_trunc('month', \"at\" AT TIME ZONE 'Europe/Berlin')"),
            "{sql}"
        );
        assert!(sql.contains("UNION ALL SELECT NULL AS \"month\", sum(\"amount\") AS \"total\", 1 AS sluice_total"), "{sql}");
        assert!(sql.ends_with("ORDER BY sluice_total, \"month\""), "{sql}");
    }
}
