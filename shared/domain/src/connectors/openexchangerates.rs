//! `openexchangerates`: historical exchange rates by day from Open Exchange
//! Rates, with the source's App ID.

use serde_json::{Map, Value, json};

use super::rest::{
    Auth, Column, Incremental, KeyPlace, Paging, Param, RestConnector, Slices, Stream, col,
};
use super::{FieldSpec, FieldType as T};
use crate::error::DomainError;

const RATE: &[Column] = &[
    col("date", "date", "@date", "The day the rates are for."),
    col("base", "string", "base", "The base currency."),
    col("currency", "string", "currency", "The quoted currency."),
    col(
        "rate",
        "float",
        "rate",
        "Units of `currency` per unit of `base`.",
    ),
    col(
        "timestamp",
        "int",
        "timestamp",
        "When the rates were published (seconds since 1970).",
    ),
];

const CURRENCY: &[Column] = &[
    col("code", "string", "code", "The currency's ISO 4217 code."),
    col("name", "string", "name", "Its name."),
];

/// One row per rate of a day's response: `{"base", "timestamp", "rates": {code: rate}}`.
fn rates(record: &Value, _: &Map<String, Value>) -> Vec<Value> {
    let Some(rates) = record.get("rates").and_then(Value::as_object) else {
        return vec![];
    };
    rates
        .iter()
        .map(|(currency, rate)| {
            json!({
                "base": record.get("base"),
                "timestamp": record.get("timestamp"),
                "currency": currency,
                "rate": rate,
            })
        })
        .collect()
}

/// One row per currency of `{code: name}`.
fn currencies(record: &Value, _: &Map<String, Value>) -> Vec<Value> {
    record
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(code, name)| json!({"code": code, "name": name}))
                .collect()
        })
        .unwrap_or_default()
}

const STREAMS: &[Stream] = &[
    Stream {
        name: "historical_rates",
        description: "The day's closing rates, one request per day from the cursor (or `start_date`) to today.",
        path: "/historical/{date}.json",
        params: &[
            ("base", Param::Config("base")),
            ("symbols", Param::Config("symbols")),
        ],
        each: None,
        slices: Slices::Days,
        records: "$",
        paging: Paging::None,
        page_size: None,
        explode: Some(rates),
        columns: RATE,
        key: &["date", "base", "currency"],
        cursor: Some("date"),
        incremental: Incremental::Cursor,
    },
    Stream {
        name: "currencies",
        description: "Every currency's code and name.",
        path: "/currencies.json",
        params: &[],
        each: None,
        slices: Slices::Whole,
        records: "$",
        paging: Paging::None,
        page_size: None,
        explode: Some(currencies),
        columns: CURRENCY,
        key: &["code"],
        cursor: None,
        incremental: Incremental::Full,
    },
];

fn fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new(
            "base",
            T::String,
            "The base currency (changing it needs a paid plan).",
        )
        .default("USD"),
        FieldSpec::new(
            "symbols",
            T::String,
            "The currencies read, comma-separated (`EUR,GBP,JPY`); empty for all.",
        ),
    ]
}

fn check(config: &Map<String, Value>) -> Result<(), DomainError> {
    let code = |s: &str| s.len() == 3 && s.chars().all(|c| c.is_ascii_alphabetic());
    if let Some(b) = config.get("base").and_then(Value::as_str)
        && !code(b)
    {
        return Err(DomainError::invalid(
            "config.base",
            "must be a three-letter currency code",
        ));
    }
    if let Some(s) = config.get("symbols").and_then(Value::as_str)
        && !s.is_empty()
        && !s.split(',').all(|c| code(c.trim()))
    {
        return Err(DomainError::invalid(
            "config.symbols",
            "must be three-letter currency codes separated by commas",
        ));
    }
    Ok(())
}

pub const OPENEXCHANGERATES: RestConnector = RestConnector {
    name: "openexchangerates",
    title: "Open Exchange Rates",
    description: "Historical exchange rates by day from Open Exchange Rates, one request per day, incremental by day, with your App ID.",
    base_url: "https://openexchangerates.org/api",
    base_url_help: "The API: `https://openexchangerates.org/api`.",
    auth: &[Auth::ApiKey],
    api_key: KeyPlace::Query("app_id"),
    api_key_help: "Your App ID, sent as the `app_id` query parameter.",
    token_url: "",
    fields,
    check_fields: check,
    dated: true,
    horizon_days: 0,
    requests_per_minute: 10,
    rate_headers: None,
    since_format: "%Y-%m-%d",
    streams: STREAMS,
};
