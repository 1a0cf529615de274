//! `postgres`: tables of a PostgreSQL database.

use serde_json::{Map, Value};

use super::{ConnectorSpec, FieldSpec, FieldType as T, StreamSpec};
use crate::entities::CastType;
use crate::error::DomainError;

/// Longest identifier PostgreSQL keeps whole.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// The values of a `postgres` config (or a patch of one) the field types do
/// not check: a `postgres://` URL and a plain column name.
pub fn check_values(config: &Map<String, Value>) -> Result<(), DomainError> {
    if let Some(url) = config.get("url").and_then(Value::as_str)
        && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
    {
        return Err(DomainError::invalid(
            "config.url",
            "must be a PostgreSQL URL: postgres://user:password@host:5432/database",
        ));
    }
    if let Some(c) = config.get("cursor_column").and_then(Value::as_str)
        && (c.is_empty() || c.len() > MAX_IDENTIFIER_BYTES || c.contains(['"', '\0']))
    {
        return Err(DomainError::invalid(
            "config.cursor_column",
            format!("must be a column name of 1 to {MAX_IDENTIFIER_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// A stream's table, `schema.table` or `table` (in `public`), as its two
/// names; why not, when it is not one.
pub fn table_of(stream: &str) -> Result<(String, String), String> {
    let (schema, table) = match stream.split_once('.') {
        Some((s, t)) => (s, t),
        None => ("public", stream),
    };
    let ok =
        |s: &str| !s.is_empty() && s.len() <= MAX_IDENTIFIER_BYTES && !s.contains(['.', '\0', '"']);
    if !ok(schema) || !ok(table) {
        return Err(format!(
            "`{stream}` is not a table: name it `schema.table` or `table` (in `public`)"
        ));
    }
    Ok((schema.to_string(), table.to_string()))
}

/// The cast that lands a column of PostgreSQL type `sql_type` (as
/// `format_type` writes it) with its type: integers as `int`, `numeric(p,s)` as
/// `decimal(p,s)` up to 38 digits, floats, booleans, dates, timestamps (with or
/// without zone), json and arrays (read as JSON text) as `json`; the rest as
/// `string`.
pub fn cast_of(sql_type: &str) -> CastType {
    let t = sql_type.trim();
    if t.ends_with("[]") {
        return CastType::Json;
    }
    match t {
        "smallint" | "integer" | "bigint" | "oid" => CastType::Int,
        "real" | "double precision" => CastType::Float,
        "boolean" => CastType::Bool,
        "date" => CastType::Date,
        "json" | "jsonb" => CastType::Json,
        "numeric" => CastType::DECIMAL,
        _ if t.starts_with("timestamp") => CastType::Timestamp,
        _ if t.starts_with("numeric(") => {
            let inner = t.trim_start_matches("numeric(").trim_end_matches(')');
            let mut parts = inner.split(',').map(|p| p.trim().parse::<u8>());
            match (parts.next(), parts.next()) {
                (Some(Ok(p)), Some(Ok(s))) if (1..=38).contains(&p) && s <= p => {
                    CastType::Decimal {
                        precision: p,
                        scale: s,
                    }
                }
                (Some(Ok(p)), None) if (1..=38).contains(&p) => CastType::Decimal {
                    precision: p,
                    scale: 0,
                },
                _ => CastType::String,
            }
        }
        _ => CastType::String,
    }
}

pub fn spec() -> ConnectorSpec {
    ConnectorSpec {
        name: "postgres",
        title: "PostgreSQL",
        description: "Reads tables of a PostgreSQL database (9.6 and later) a chunk at a time in primary-key order (`ctid` order for a table without one), each chunk one binary COPY decoded straight into columns; incremental by a cursor column, with the look-back window for dates and timestamps. Numeric keeps its precision, arrays and json come as JSON text, uuid as text, bytea as bytes. A read-only user is enough.",
        config: vec![
            FieldSpec::new(
                "url",
                T::String,
                "`postgres://user:password@host:5432/database`, with `?sslmode=require` (encrypted) or `verify-full` (encrypted, the certificate checked against the public authorities); write-only, as it carries the password.",
            )
            .required()
            .secret(),
            FieldSpec::new(
                "cursor_column",
                T::String,
                "A column incremental runs resume from, in each table that has it (e.g. `updated_at`): a run reads the rows above the saved value (less the look-back, for dates and timestamps) up to the largest value when it starts. A table without it is read whole on every run. Backfills read their days of it.",
            ),
        ],
        streams: vec![StreamSpec::user_defined(
            "*",
            "A table, as `schema.table` or `table` (in `public`); each table is one stream.",
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_postgres_type_lands_with_its_cast() {
        let cases = [
            ("integer", "int"),
            ("bigint", "int"),
            ("smallint", "int"),
            ("numeric(12,2)", "decimal(12,2)"),
            ("numeric(10)", "decimal(10,0)"),
            ("numeric(60,2)", "string"),
            ("numeric", "decimal"),
            ("double precision", "float"),
            ("real", "float"),
            ("boolean", "bool"),
            ("date", "date"),
            ("timestamp without time zone", "timestamp"),
            ("timestamp(3) with time zone", "timestamp"),
            ("jsonb", "json"),
            ("integer[]", "json"),
            ("text", "string"),
            ("character varying(40)", "string"),
            ("uuid", "string"),
            ("time without time zone", "string"),
            ("bytea", "string"),
        ];
        for (pg, cast) in cases {
            assert_eq!(cast_of(pg).to_string(), cast, "{pg}");
        }
    }
}
