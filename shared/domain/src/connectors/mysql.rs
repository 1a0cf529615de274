//! `mysql`: tables of a MySQL or MariaDB database.

use serde_json::{Map, Value};

use super::{ConnectorSpec, FieldSpec, FieldType as T, StreamSpec};
use crate::entities::CastType;
use crate::error::DomainError;

/// Longest identifier MySQL and MariaDB take.
const MAX_IDENTIFIER_CHARS: usize = 64;

/// The `ssl-mode` values the URL may carry.
pub const SSL_MODES: [&str; 4] = ["disabled", "preferred", "required", "verify_identity"];

/// The values of a `mysql` config (or a patch of one) the field types do not
/// check: a `mysql://` URL and a plain column name.
pub fn check_values(config: &Map<String, Value>) -> Result<(), DomainError> {
    if let Some(url) = config.get("url").and_then(Value::as_str)
        && !(url.starts_with("mysql://") || url.starts_with("mariadb://"))
    {
        return Err(DomainError::invalid(
            "config.url",
            "must be a MySQL URL: mysql://user:password@host:3306/database",
        ));
    }
    if let Some(c) = config.get("cursor_column").and_then(Value::as_str)
        && !ident_ok(c)
    {
        return Err(DomainError::invalid(
            "config.cursor_column",
            format!("must be a column name of 1 to {MAX_IDENTIFIER_CHARS} characters"),
        ));
    }
    Ok(())
}

fn ident_ok(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= MAX_IDENTIFIER_CHARS && !s.contains(['`', '\0'])
}

/// A stream's table, `database.table` or `table` (in the URL's database), as
/// its database (`None` for the URL's) and its name; why not, when it is not one.
pub fn table_of(stream: &str) -> Result<(Option<String>, String), String> {
    let (db, table) = match stream.split_once('.') {
        Some((d, t)) => (Some(d), t),
        None => (None, stream),
    };
    let ok = |s: &str| ident_ok(s) && !s.contains('.');
    if !db.is_none_or(ok) || !ok(table) {
        return Err(format!(
            "`{stream}` is not a table: name it `database.table` or `table` (in the URL's database)"
        ));
    }
    Ok((db.map(str::to_string), table.to_string()))
}

/// The cast that lands a column of MySQL type `column_type` (as
/// `information_schema.COLUMNS.COLUMN_TYPE` writes it): `tinyint(1)` and
/// `bit(1)` as `bool`; integers and `year` as `int`, except `bigint unsigned`
/// (and `bit(64)`), which `int` cannot hold, as `decimal(20,0)`; `decimal(p,s)`
/// as `decimal(p,s)` up to 38 digits; floats; dates; datetimes and timestamps;
/// `json` as `json`; the rest (text, enums, sets, times, binary) as `string`.
pub fn cast_of(column_type: &str) -> CastType {
    let t = column_type.trim().to_ascii_lowercase();
    let (base, unsigned) = match t
        .strip_suffix(" zerofill")
        .unwrap_or(&t)
        .strip_suffix(" unsigned")
    {
        Some(b) => (b.to_string(), true),
        None => (t.replace(" unsigned zerofill", ""), t.contains(" unsigned")),
    };
    let name = base.split('(').next().unwrap_or_default().trim();
    let args: Vec<u32> = base
        .split_once('(')
        .map(|(_, a)| {
            a.trim_end_matches(')')
                .split(',')
                .filter_map(|p| p.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default();
    match name {
        "tinyint" if args == [1] && !unsigned => CastType::Bool,
        "bigint" if unsigned => CastType::Decimal {
            precision: 20,
            scale: 0,
        },
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "year" => {
            CastType::Int
        }
        "bit" => match args.first().copied().unwrap_or(1) {
            1 => CastType::Bool,
            64 => CastType::Decimal {
                precision: 20,
                scale: 0,
            },
            _ => CastType::Int,
        },
        "float" | "double" | "real" | "double precision" => CastType::Float,
        "decimal" | "numeric" | "dec" | "fixed" => {
            let p = args.first().copied().unwrap_or(10);
            let s = args.get(1).copied().unwrap_or(0);
            if (1..=38).contains(&p) && s <= p {
                CastType::Decimal {
                    precision: p as u8,
                    scale: s as u8,
                }
            } else {
                CastType::String
            }
        }
        "date" => CastType::Date,
        "datetime" | "timestamp" => CastType::Timestamp,
        "json" => CastType::Json,
        _ => CastType::String,
    }
}

pub fn spec() -> ConnectorSpec {
    ConnectorSpec {
        name: "mysql",
        title: "MySQL and MariaDB",
        description: "Reads tables of a MySQL (5.7 and later) or MariaDB (10.3 and later) database a chunk at a time in primary-key order, each chunk one prepared statement read by the binary protocol straight into columns; incremental by a cursor column, with the look-back window for dates and timestamps. A table without a primary key (nor a unique key of NOT NULL columns) is read in pages over all its columns sorted, which a table written while it is read can skip or repeat rows of. Decimals keep their precision up to 38 digits, datetimes and timestamps land in UTC, json and time as text, binary columns as bytes. A user with SELECT is enough.",
        config: vec![
            FieldSpec::new(
                "url",
                T::String,
                "`mysql://user:password@host:3306/database`, with `?ssl-mode=disabled`, `preferred` (the default: encrypted when the server offers it), `required` (encrypted or nothing) or `verify_identity` (encrypted, the certificate checked against the public authorities and the host name); write-only, as it carries the password.",
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
            "A table or view, as `database.table` or `table` (in the URL's database); each table is one stream.",
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mysql_type_lands_with_its_cast() {
        let cases = [
            ("int(11)", "int"),
            ("int", "int"),
            ("bigint(20)", "int"),
            ("bigint(20) unsigned", "decimal(20,0)"),
            ("bigint unsigned zerofill", "decimal(20,0)"),
            ("int(10) unsigned", "int"),
            ("tinyint(1)", "bool"),
            ("tinyint(4)", "int"),
            ("tinyint(1) unsigned", "int"),
            ("mediumint(9)", "int"),
            ("year(4)", "int"),
            ("bit(1)", "bool"),
            ("bit(12)", "int"),
            ("bit(64)", "decimal(20,0)"),
            ("decimal(12,2)", "decimal(12,2)"),
            ("decimal(10,0) unsigned", "decimal(10,0)"),
            ("decimal(65,2)", "string"),
            ("double", "float"),
            ("float", "float"),
            ("date", "date"),
            ("datetime(6)", "timestamp"),
            ("timestamp", "timestamp"),
            ("json", "json"),
            ("longtext", "string"),
            ("varchar(40)", "string"),
            ("enum('a','b')", "string"),
            ("set('x','y')", "string"),
            ("time(3)", "string"),
            ("varbinary(16)", "string"),
            ("blob", "string"),
        ];
        for (my, cast) in cases {
            assert_eq!(cast_of(my).to_string(), cast, "{my}");
        }
    }

    #[test]
    fn a_stream_is_a_table_of_the_urls_database_or_a_named_one() {
        assert_eq!(table_of("orders"), Ok((None, "orders".into())));
        assert_eq!(
            table_of("shop.orders"),
            Ok((Some("shop".into()), "orders".into()))
        );
        for bad in ["", "a.b.c", "shop.", ".orders", "or`ders"] {
            assert!(table_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_mysql_url_and_a_plain_column_are_taken() {
        let obj = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert!(check_values(&obj(serde_json::json!({"url": "mysql://u:p@h/db"}))).is_ok());
        assert!(check_values(&obj(serde_json::json!({"url": "postgres://u:p@h/db"}))).is_err());
        assert!(check_values(&obj(serde_json::json!({"cursor_column": "a`b"}))).is_err());
    }
}
