//! What a source offers now, as discovery finds it (`GET /v1/sources/{id}/streams`),
//! and what a connection test of a source answers (`POST /v1/sources/{id}/test`).
//!
//! A stream's fields come from the source's own description where it has one (a
//! database's catalog: types, nullability, primary key), else from its first rows
//! (files, HTTP APIs). Either way each field carries the cast a mapping would give
//! it, so the wizard's suggested mapping lands it with its type.

use serde::{Deserialize, Serialize};

use crate::entities::CastType;
use crate::ports::ConnectionCheck;

/// A stream a source offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DiscoveredStream {
    /// As a data mart's definition names it (`public.orders`, `orders/2026.csv`).
    pub name: String,
    pub fields: Vec<DiscoveredField>,
    /// The columns that identify a row (a table's primary key); empty when the
    /// source declares none.
    pub primary_key: Vec<String>,
    /// The columns an incremental run could resume from: dates, timestamps and
    /// integers.
    pub cursor_candidates: Vec<String>,
    /// How the fields were found: `catalog` (the source describes them) or
    /// `sample` (read from the stream's first rows).
    pub found_by: FoundBy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    Catalog,
    Sample,
}

/// A field of a discovered stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DiscoveredField {
    pub name: String,
    /// The source's own type (`numeric(12,2)`, `timestamp with time zone`), or
    /// for a sampled field what its values read as (`integer`, `text`, …).
    pub source_type: String,
    /// The cast a mapping gives it to land it with its type.
    pub cast: CastType,
    /// Whether it may be empty: from the catalog, or seen empty in the sample.
    pub nullable: bool,
}

impl DiscoveredStream {
    /// A stream whose fields are known, its cursor candidates derived from
    /// their casts.
    pub fn new(
        name: String,
        fields: Vec<DiscoveredField>,
        primary_key: Vec<String>,
        found_by: FoundBy,
    ) -> DiscoveredStream {
        let cursor_candidates = fields
            .iter()
            .filter(|f| matches!(f.cast, CastType::Date | CastType::Timestamp | CastType::Int))
            .map(|f| f.name.clone())
            .collect();
        DiscoveredStream {
            name,
            fields,
            primary_key,
            cursor_candidates,
            found_by,
        }
    }
}

/// What a connection test of a source found: reachable, authorized, readable,
/// in order; a check after a failed one is not tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SourceTest {
    pub ok: bool,
    pub checks: Vec<ConnectionCheck>,
}

/// The checks of a source test, in order.
pub const SOURCE_CHECKS: [&str; 3] = ["reachable", "authorized", "readable"];

impl SourceTest {
    pub fn of(checks: Vec<ConnectionCheck>) -> SourceTest {
        SourceTest {
            ok: checks.iter().all(|c| c.ok),
            checks,
        }
    }

    /// The checks before `failed` passed, `failed` failed with `reason`, the
    /// rest not tried.
    pub fn failed_at(failed: &str, reason: &str) -> SourceTest {
        let at = SOURCE_CHECKS.iter().position(|c| *c == failed).unwrap_or(0);
        let mut checks: Vec<ConnectionCheck> = SOURCE_CHECKS[..at]
            .iter()
            .map(|c| ConnectionCheck::passed(c, None))
            .collect();
        checks.extend(ConnectionCheck::untried_of(&SOURCE_CHECKS, failed, reason));
        SourceTest::of(checks)
    }

    /// A database's test once its user logged in to `shown`: `readable` when
    /// the user may read any of the `tables` tables and views counted.
    pub fn logged_in(shown: &str, tables: u64) -> SourceTest {
        if tables == 0 {
            return SourceTest::failed_at(
                "readable",
                &format!("the user may read no table or view at {shown}"),
            );
        }
        SourceTest::of(vec![
            ConnectionCheck::passed("reachable", None),
            ConnectionCheck::passed("authorized", Some(format!("logged in to {shown}"))),
            ConnectionCheck::passed(
                "readable",
                Some(format!("{tables} tables and views may be read")),
            ),
        ])
    }
}

/// The cast that lands every one of `values` (text as a file or an API gave
/// it; empty ones are nulls) with the narrowest type that holds them all:
/// `int`, `float`, `bool`, `date`, `timestamp`, else `string`.
pub fn infer_cast<'a>(values: impl IntoIterator<Item = &'a str>) -> CastType {
    let mut seen = false;
    let (mut int, mut float, mut boolean, mut date, mut timestamp) = (true, true, true, true, true);
    for v in values {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        seen = true;
        // A leading zero before a digit (`007`, `0123.5`) is an identifier such
        // as a ZIP code: its zeros would be lost as a number.
        let digits = v.trim_start_matches(['-', '+']);
        let padded =
            digits.starts_with('0') && digits.as_bytes().get(1).is_some_and(u8::is_ascii_digit);
        int &= !padded && v.parse::<i64>().is_ok();
        // Digits with a point or an exponent: never `NaN` or `inf`.
        float &= !padded
            && v.parse::<f64>().is_ok_and(f64::is_finite)
            && v.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
        boolean &= matches!(v.to_ascii_lowercase().as_str(), "true" | "false");
        date &= chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok();
        timestamp &= chrono::DateTime::parse_from_rfc3339(v).is_ok()
            || chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S%.f").is_ok()
            || chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f").is_ok();
    }
    match () {
        _ if !seen => CastType::String,
        _ if int => CastType::Int,
        _ if float => CastType::Float,
        _ if boolean => CastType::Bool,
        _ if date => CastType::Date,
        _ if timestamp => CastType::Timestamp,
        _ => CastType::String,
    }
}

/// What values of `cast` read as, for a sampled field's `source_type`.
pub fn sampled_type(cast: CastType) -> &'static str {
    match cast {
        CastType::Int => "integer",
        CastType::Float | CastType::Decimal { .. } => "number",
        CastType::Bool => "boolean",
        CastType::Date => "date",
        CastType::Timestamp => "timestamp",
        CastType::Json => "json",
        CastType::String => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampled_text_is_cast_to_the_narrowest_type_holding_every_value() {
        let cases: &[(&[&str], CastType)] = &[
            (&["1", "-20", "", "300"], CastType::Int),
            (&["1", "2.5", "-3e2"], CastType::Float),
            // A leading zero is an identifier (a ZIP code), not a number.
            (&["007", "12"], CastType::String),
            (&["true", "FALSE", ""], CastType::Bool),
            (&["2026-11-02", "2026-01-31"], CastType::Date),
            (
                &["2026-11-02T10:00:00Z", "2026-11-02 10:00:00.5"],
                CastType::Timestamp,
            ),
            (&["2026-11-02", "2026-11-02T10:00:00Z"], CastType::String),
            (&["NaN", "1"], CastType::String),
            (&["inf"], CastType::String),
            (&["abc", "1"], CastType::String),
            (&["", "  "], CastType::String),
        ];
        for (values, want) in cases {
            assert_eq!(infer_cast(values.iter().copied()), *want, "{values:?}");
        }
    }

    #[test]
    fn a_failed_check_fails_what_follows_it_untried() {
        let t = SourceTest::failed_at("authorized", "password authentication failed");
        assert!(!t.ok);
        let got: Vec<(&str, bool)> = t.checks.iter().map(|c| (c.check.as_str(), c.ok)).collect();
        assert_eq!(
            got,
            [
                ("reachable", true),
                ("authorized", false),
                ("readable", false)
            ]
        );
        assert_eq!(
            t.checks[2].reason.as_deref(),
            Some("not tried: authorized failed")
        );
    }

    #[test]
    fn cursor_candidates_are_the_dates_timestamps_and_integers() {
        let f = |name: &str, cast| DiscoveredField {
            name: name.into(),
            source_type: String::new(),
            cast,
            nullable: true,
        };
        let s = DiscoveredStream::new(
            "public.orders".into(),
            vec![
                f("id", CastType::Int),
                f("note", CastType::String),
                f("day", CastType::Date),
                f("updated_at", CastType::Timestamp),
                f("amount", CastType::DECIMAL),
            ],
            vec!["id".into()],
            FoundBy::Catalog,
        );
        assert_eq!(s.cursor_candidates, ["id", "day", "updated_at"]);
    }
}
