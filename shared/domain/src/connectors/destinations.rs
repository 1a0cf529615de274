//! Destination kinds and their config fields: where reports deliver.

use serde::Serialize;

use super::{FieldSpec, FieldType as T};

/// Destination kinds, in catalog order.
pub const DESTINATION_KINDS: [&str; 6] = [
    "object_export",
    "webhook",
    "email",
    "google_sheets",
    "database",
    "looker_studio",
];

/// The config fields of a destination kind.
pub fn destination_spec(kind: &str) -> Option<Vec<FieldSpec>> {
    Some(match kind {
        "object_export" => vec![
            FieldSpec::new(
                "folder",
                T::String,
                "Folder inside the project's exports, such as `weekly/sales`; empty for the top.",
            )
            .default(""),
            FieldSpec::new("format", T::String, "File format: CSV, one JSON object per line, a JSON array, or Parquet (typed columns, compressed inside with Snappy).")
                .default("csv")
                .one_of(&["csv", "ndjson", "json", "parquet"]),
            FieldSpec::new(
                "file_name",
                T::String,
                "File name template; `{report}` (the report id), `{run}` (the run id) and `{date}` (the run's day, UTC) are replaced, and the format's extension is added.",
            )
            .default("{report}-{date}"),
            FieldSpec::new("compression", T::String, "Compress the file (CSV, NDJSON and JSON; Parquet compresses its own columns).")
                .default("none")
                .one_of(&["none", "gzip"]),
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
            FieldSpec::new("format", T::String, "Body format: one JSON document with the columns and rows, or one JSON object per row.")
                .default("json")
                .one_of(&["json", "ndjson"]),
            FieldSpec::new("auth_header", T::String, "Header carrying the credential.")
                .default("Authorization"),
            FieldSpec::new("auth_value", T::String, "Value of the auth header.").secret(),
            FieldSpec::new(
                "signing_secret",
                T::String,
                "Key the body is signed with (HMAC-SHA256 of `{timestamp}.{body}`, sent as `Sluice-Signature: t=<timestamp>,v1=<hex>`), at least 16 characters. Write-only.",
            )
            .secret(),
        ],
        "email" => vec![
            FieldSpec::new(
                "to",
                T::StringList,
                "Recipients, 1 to 50 addresses. The report goes as an attachment, its first 20 rows as a table in the body, from the deployment's sender.",
            )
            .required(),
            FieldSpec::new(
                "attachment",
                T::String,
                "The attachment's format: CSV, or an Excel workbook (XLSX: numbers as numbers, a bold header row; at most 1048575 rows).",
            )
            .default("csv")
            .one_of(&["csv", "xlsx"]),
            FieldSpec::new(
                "subject",
                T::String,
                "Subject template; `{report}` (the report's title) and `{date}` (the run's day, UTC) are replaced.",
            )
            .default("{report}"),
        ],
        "google_sheets" => vec![
            FieldSpec::new(
                "spreadsheet_id",
                T::String,
                "Id of the spreadsheet: the part of its URL after `/d/` (letters, digits, `-` and `_`).",
            )
            .required(),
            FieldSpec::new(
                "sheet_name",
                T::String,
                "Sheet (tab) to write, created if the spreadsheet has none of that name.",
            )
            .default("Sheet1"),
            FieldSpec::new(
                "start_cell",
                T::String,
                "Top-left cell of the report (A1 notation, such as `B3`): a header row of the column names, then the rows. Cells outside the report's block are left as they are.",
            )
            .default("A1"),
            FieldSpec::new(
                "service_account_json",
                T::String,
                "The JSON key of a Google service account (with `client_email` and `private_key`); share the spreadsheet with that address as an editor. Write-only.",
            )
            .required()
            .secret(),
        ],
        "database" => vec![
            FieldSpec::new(
                "url",
                T::String,
                "PostgreSQL connection URL, `postgres://user:password@host:5432/database`. Write-only: it carries the password.",
            )
            .required()
            .secret(),
            FieldSpec::new(
                "schema",
                T::String,
                "Schema of the table (letters, digits and `_`, at most 63 characters); created if missing.",
            )
            .default("public"),
            FieldSpec::new(
                "table",
                T::String,
                "Table to write (letters, digits and `_`, at most 63 characters); created from the report's columns if missing.",
            )
            .required(),
            FieldSpec::new(
                "write_mode",
                T::String,
                "`replace` swaps the table's rows for the report's, `append` adds them, `upsert` inserts or updates them by `key_columns`.",
            )
            .default("replace")
            .one_of(&["replace", "append", "upsert"]),
            FieldSpec::new(
                "key_columns",
                T::StringList,
                "Columns that identify a row, for `upsert` (required then); a table Sluice creates gets a unique index on them.",
            ),
        ],
        "looker_studio" => vec![
            FieldSpec::new(
                "key_grace_seconds",
                T::Integer,
                "Pulled, not delivered: a report into this destination is read at `GET /v1/reports/{id}/data` (NDJSON, CSV, or JSON with its schema, the shape a Looker Studio community connector reads) with `Authorization: Bearer <key>`, the key `POST /v1/destinations/{id}/rotate-key` issues. After a rotation the previous key keeps working for this many seconds (0 to 604800), then stops.",
            )
            .default(86_400),
        ],
        _ => return None,
    })
}

/// A destination kind as the catalog shows it: what it is and the config fields
/// a destination of it takes (the form a console draws from them).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DestinationKindSpec {
    /// As `kind` names it in `POST /v1/destinations`.
    pub kind: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub config: Vec<FieldSpec>,
}

/// Every destination kind with its spec, in catalog order.
pub fn destination_kinds() -> Vec<DestinationKindSpec> {
    DESTINATION_KINDS
        .iter()
        .filter_map(|&kind| {
            let (title, description) = about(kind)?;
            Some(DestinationKindSpec {
                kind,
                title,
                description,
                config: destination_spec(kind)?,
            })
        })
        .collect()
}

/// A destination kind's title and one sentence on what it does.
fn about(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "object_export" => (
            "File export",
            "Writes the report as a file (CSV, NDJSON, JSON or Parquet) into the project's exports, where a report run's download link serves it.",
        ),
        "webhook" => (
            "Webhook",
            "Sends the report's rows in a signed HTTPS request to an endpoint of yours.",
        ),
        "email" => (
            "E-mail",
            "Mails the report as an attachment, its first rows as a table in the body.",
        ),
        "google_sheets" => (
            "Google Sheets",
            "Writes the report into a sheet of a spreadsheet through a service account.",
        ),
        "database" => (
            "PostgreSQL table",
            "Writes the report into a table of a PostgreSQL database: replace, append or upsert.",
        ),
        "looker_studio" => (
            "Looker Studio",
            "Serves the report's rows to a Looker Studio community connector, which reads them with a data key.",
        ),
        _ => return None,
    })
}

/// Longest grace a rotated data key may keep working: a week.
pub const MAX_KEY_GRACE_SECONDS: u64 = 7 * 24 * 3600;
