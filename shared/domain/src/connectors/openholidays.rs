//! `openholidays`: public and school holidays by country and date range, from
//! the OpenHolidays API (openholidaysapi.org).

use serde_json::{Map, Value};

use super::rest::{
    Auth, Column, Incremental, KeyPlace, Paging, Param, RestConnector, Slices, Stream, check_list,
    col,
};
use super::{FieldSpec, FieldType as T};
use crate::error::DomainError;

const HOLIDAY: &[Column] = &[
    col("id", "string", "id", "The holiday's id."),
    col(
        "country",
        "string",
        "@each",
        "The country's ISO 3166-1 code.",
    ),
    col("start_date", "date", "startDate", "Its first day."),
    col("end_date", "date", "endDate", "Its last day."),
    col(
        "type",
        "string",
        "type",
        "Public, Bank, School, Optional, …",
    ),
    col(
        "name",
        "string",
        "name.0.text",
        "Its name, in the source's `language`.",
    ),
    col(
        "nationwide",
        "bool",
        "nationwide",
        "Whether the whole country has it.",
    ),
    col(
        "subdivisions",
        "json",
        "subdivisions",
        "Where it applies, when not nationwide.",
    ),
    col(
        "regional_scope",
        "string",
        "regionalScope",
        "National, Regional or Local.",
    ),
    col(
        "temporal_scope",
        "string",
        "temporalScope",
        "FullDay or HalfDay.",
    ),
];

const PARAMS: &[(&str, Param)] = &[
    ("countryIsoCode", Param::Each),
    ("languageIsoCode", Param::Config("language")),
    ("validFrom", Param::From),
    ("validTo", Param::To),
];

const STREAMS: &[Stream] = &[
    Stream {
        name: "public_holidays",
        description: "Public holidays of each country, from `start_date` to the end of next year, a year per request.",
        path: "/PublicHolidays",
        params: PARAMS,
        each: Some("countries"),
        slices: Slices::Years,
        records: "$",
        paging: Paging::None,
        page_size: None,
        explode: None,
        columns: HOLIDAY,
        key: &["id"],
        cursor: None,
        incremental: Incremental::Full,
    },
    Stream {
        name: "school_holidays",
        description: "School holidays of each country, from `start_date` to the end of next year, a year per request.",
        path: "/SchoolHolidays",
        params: PARAMS,
        each: Some("countries"),
        slices: Slices::Years,
        records: "$",
        paging: Paging::None,
        page_size: None,
        explode: None,
        columns: HOLIDAY,
        key: &["id"],
        cursor: None,
        incremental: Incremental::Full,
    },
];

fn fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new(
            "countries",
            T::StringList,
            "The countries read, by ISO 3166-1 alpha-2 code: `DE`, `FR`, `NL`, …",
        )
        .required(),
        FieldSpec::new(
            "language",
            T::String,
            "The language of the names, by ISO 639-1 code.",
        )
        .default("EN"),
    ]
}

fn check(config: &Map<String, Value>) -> Result<(), DomainError> {
    let two_letters = |s: &str| s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic());
    check_list(
        config,
        "countries",
        two_letters,
        "a two-letter country code (ISO 3166-1)",
    )?;
    if let Some(l) = config.get("language").and_then(Value::as_str)
        && !two_letters(l)
    {
        return Err(DomainError::invalid(
            "config.language",
            "must be a two-letter language code (ISO 639-1)",
        ));
    }
    Ok(())
}

pub const OPENHOLIDAYS: RestConnector = RestConnector {
    name: "openholidays",
    title: "OpenHolidays",
    description: "Public and school holidays by country, from the OpenHolidays API: each run reads from `start_date` to the end of next year. No key needed.",
    base_url: "https://openholidaysapi.org",
    base_url_help: "The OpenHolidays API: `https://openholidaysapi.org`.",
    auth: &[Auth::None],
    api_key: KeyPlace::Header(""),
    api_key_help: "",
    token_url: "",
    fields,
    check_fields: check,
    dated: true,
    horizon_days: 366,
    requests_per_minute: 60,
    rate_headers: None,
    since_format: "%Y-%m-%d",
    streams: STREAMS,
};
