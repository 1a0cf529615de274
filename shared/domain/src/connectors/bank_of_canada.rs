//! `bank_of_canada`: series observations from the Bank of Canada's Valet API
//! (exchange rates, interest rates, price indexes), by date range.

use serde_json::{Map, Value, json};

use super::rest::{
    Auth, Column, Incremental, KeyPlace, Paging, Param, RestConnector, Slices, Stream, check_list,
    col,
};
use super::{FieldSpec, FieldType as T};
use crate::error::DomainError;

const OBSERVATION: &[Column] = &[
    col("date", "date", "date", "The observation's day."),
    col("series", "string", "@each", "The series' name (FXUSDCAD)."),
    col(
        "value",
        "float",
        "value",
        "Its value; null where the series has none that day.",
    ),
];

const SERIES: &[Column] = &[
    col("name", "string", "name", "The series' name."),
    col("label", "string", "label", "Its short label (USD/CAD)."),
    col("description", "string", "description", "What it measures."),
];

/// One row per observation of the series read: `{"d": day, SERIES: {"v": value}}`.
fn observation(record: &Value, request: &Map<String, Value>) -> Vec<Value> {
    let series = request
        .get("each")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let value = record
        .get(series)
        .and_then(|s| s.get("v"))
        .cloned()
        .unwrap_or(Value::Null);
    vec![json!({"date": record.get("d").cloned().unwrap_or(Value::Null), "value": value})]
}

const STREAMS: &[Stream] = &[
    Stream {
        name: "observations",
        description: "Each series' observations by day, from the cursor (or `start_date`) to today.",
        path: "/observations/{each}/json",
        params: &[("start_date", Param::From), ("end_date", Param::To)],
        each: Some("series"),
        slices: Slices::Whole,
        records: "$.observations",
        paging: Paging::None,
        page_size: None,
        explode: Some(observation),
        columns: OBSERVATION,
        key: &["series", "date"],
        cursor: Some("date"),
        incremental: Incremental::Cursor,
    },
    Stream {
        name: "series",
        description: "The name, label and description of each series.",
        path: "/series/{each}/json",
        params: &[],
        each: Some("series"),
        slices: Slices::Whole,
        records: "$.seriesDetails",
        paging: Paging::None,
        page_size: None,
        explode: None,
        columns: SERIES,
        key: &["name"],
        cursor: None,
        incremental: Incremental::Full,
    },
];

fn fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new(
            "series",
            T::StringList,
            "The series read, by name: `FXUSDCAD`, `FXEURCAD`, `V39079` (the policy rate), …",
        )
        .required(),
    ]
}

fn check(config: &Map<String, Value>) -> Result<(), DomainError> {
    check_list(
        config,
        "series",
        |s| {
            !s.is_empty()
                && s.len() <= 64
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        },
        "a series name of letters, digits, `_`, `-` and `.`",
    )
}

pub const BANK_OF_CANADA: RestConnector = RestConnector {
    name: "bank_of_canada",
    title: "Bank of Canada",
    description: "Daily exchange rates, interest rates and other series from the Bank of Canada's Valet API, by date range, incremental by day. No key needed.",
    base_url: "https://www.bankofcanada.ca/valet",
    base_url_help: "The Valet API: `https://www.bankofcanada.ca/valet`.",
    auth: &[Auth::None],
    api_key: KeyPlace::Header(""),
    api_key_help: "",
    token_url: "",
    fields,
    check_fields: check,
    dated: true,
    horizon_days: 0,
    requests_per_minute: 60,
    rate_headers: None,
    since_format: "%Y-%m-%d",
    streams: STREAMS,
};
