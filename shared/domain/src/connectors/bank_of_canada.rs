//! `bank_of_canada`: exchange-rate observations from the Bank of Canada Valet API.

use super::{ConnectorSpec, FieldSpec, FieldType as T, StreamSpec, field};

pub fn spec() -> ConnectorSpec {
    ConnectorSpec {
        name: "bank_of_canada",
        title: "Bank of Canada exchange rates",
        description: "Daily foreign-exchange rates from the Valet API (no credentials needed).",
        config: vec![
            FieldSpec::new(
                "series",
                T::StringList,
                "Series codes, e.g. `FXUSDCAD`, `FXEURCAD`.",
            )
            .default(serde_json::json!(["FXUSDCAD"])),
            FieldSpec::new(
                "start_date",
                T::String,
                "Earliest observation date (YYYY-MM-DD) on the first run.",
            )
            .default("2024-01-01"),
            FieldSpec::new("api_url", T::String, "API base URL.")
                .default("https://www.bankofcanada.ca/valet"),
        ],
        streams: vec![StreamSpec::fixed(
            "observations",
            "One row per series per date.",
            vec![
                field("date", "date", "Observation date."),
                field("series", "string", "Series code."),
                field("value", "decimal", "Rate."),
            ],
            &["date", "series"],
            Some("date"),
        )],
    }
}
