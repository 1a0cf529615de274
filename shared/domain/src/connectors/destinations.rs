//! Destination kinds and their config fields: where reports deliver.

use super::{FieldSpec, FieldType as T};

/// Destination kinds, in catalog order.
pub const DESTINATION_KINDS: [&str; 5] = [
    "object_export",
    "webhook",
    "email",
    "google_sheets",
    "database",
];

/// The config fields of a destination kind.
pub fn destination_spec(kind: &str) -> Option<Vec<FieldSpec>> {
    Some(match kind {
        "object_export" => vec![
            FieldSpec::new(
                "location",
                T::String,
                "`s3://bucket/prefix` or a local directory.",
            )
            .required(),
            FieldSpec::new("format", T::String, "File format.")
                .default("csv")
                .one_of(&["csv", "parquet", "json"]),
            FieldSpec::new(
                "file_name",
                T::String,
                "File name template; `{report}` and `{date}` are replaced.",
            )
            .default("{report}-{date}"),
        ],
        "webhook" => vec![
            FieldSpec::new(
                "url",
                T::String,
                "Endpoint that receives the report (HTTPS). Write-only: its query string often carries a token.",
            )
            .required()
            .secret(),
            FieldSpec::new("method", T::String, "HTTP method.")
                .default("POST")
                .one_of(&["POST", "PUT"]),
            FieldSpec::new("auth_header", T::String, "Header carrying the credential.")
                .default("Authorization"),
            FieldSpec::new("auth_value", T::String, "Value of the auth header.").secret(),
        ],
        "email" => vec![
            FieldSpec::new("to", T::StringList, "Recipients.").required(),
            FieldSpec::new(
                "subject",
                T::String,
                "Subject template; `{report}` is replaced.",
            )
            .default("{report}"),
        ],
        "google_sheets" => vec![
            FieldSpec::new(
                "spreadsheet_id",
                T::String,
                "Id of the spreadsheet (from its URL).",
            )
            .required(),
            FieldSpec::new("sheet_name", T::String, "Sheet (tab) to write.").default("Sheet1"),
            FieldSpec::new(
                "service_account_json",
                T::String,
                "Key of a service account with edit access.",
            )
            .required()
            .secret(),
        ],
        "database" => vec![
            FieldSpec::new(
                "url",
                T::String,
                "Connection URL, e.g. `postgres://user:pass@host/db`.",
            )
            .required()
            .secret(),
            FieldSpec::new("table", T::String, "Table to write (created if missing).").required(),
            FieldSpec::new("write_mode", T::String, "How rows are written.")
                .default("replace")
                .one_of(&["append", "replace"]),
        ],
        _ => return None,
    })
}
