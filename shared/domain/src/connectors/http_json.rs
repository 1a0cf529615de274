//! `http_json`: a generic JSON REST API.

use super::{ConnectorSpec, FieldSpec, FieldType as T, StreamSpec};

pub fn spec() -> ConnectorSpec {
    ConnectorSpec {
        name: "http_json",
        title: "HTTP JSON API",
        description: "Pulls records from any JSON REST endpoint: URL template, auth header, page/offset/cursor/link-header pagination, a JSON path to the records, retries on 429/5xx honouring Retry-After.",
        config: vec![
            FieldSpec::new(
                "base_url",
                T::String,
                "Base URL, e.g. `https://api.example.com/v2`: no user name, password or query string (credentials go in `auth_value` or `headers`, parameters in the stream path).",
            )
            .required(),
            FieldSpec::new("auth_header", T::String, "Header carrying the credential.")
                .default("Authorization"),
            FieldSpec::new(
                "auth_value",
                T::String,
                "Value of the auth header, e.g. `Bearer …`.",
            )
            .secret(),
            FieldSpec::new(
                "headers",
                T::StringMap,
                "Extra request headers. Write-only, like every value that can carry a key (`X-Api-Key`, …).",
            )
            .secret(),
            FieldSpec::new("pagination", T::String, "Pagination style.")
                .default("none")
                .one_of(&["none", "page", "offset", "cursor", "link_header"]),
            FieldSpec::new(
                "page_size",
                T::Integer,
                "Records per request, where the API takes a size.",
            )
            .default(100),
            FieldSpec::new(
                "page_param",
                T::String,
                "Query parameter carrying the page number, for `page` pagination.",
            )
            .default("page"),
            FieldSpec::new(
                "start_page",
                T::Integer,
                "Number of the first page, for `page` pagination.",
            )
            .default(1),
            FieldSpec::new(
                "size_param",
                T::String,
                "Query parameter carrying `page_size`, for `page` and `offset` pagination; empty to send none. A page shorter than `page_size` ends the stream, so keep `page_size` within the API's maximum.",
            )
            .default("per_page"),
            FieldSpec::new(
                "offset_param",
                T::String,
                "Query parameter carrying the record offset, for `offset` pagination.",
            )
            .default("offset"),
            FieldSpec::new(
                "cursor_param",
                T::String,
                "Query parameter carrying the next-page cursor, for `cursor` pagination.",
            )
            .default("cursor"),
            FieldSpec::new(
                "records_path",
                T::String,
                "JSON path to the array of records, e.g. `$.data.items`.",
            )
            .default("$"),
            FieldSpec::new(
                "cursor_path",
                T::String,
                "JSON path to the next-page cursor, for `cursor` pagination.",
            ),
            FieldSpec::new(
                "cursor_field",
                T::String,
                "Record field (or JSON path) whose largest value is saved as the incremental cursor and replaces `{cursor}` in the stream path on the next run.",
            ),
            FieldSpec::new(
                "max_retries",
                T::Integer,
                "Retries on 429 and 5xx before a chunk fails.",
            )
            .default(5),
        ],
        streams: vec![StreamSpec::user_defined(
            "*",
            "A path under `base_url` (e.g. `/orders?updated_since={cursor}&from={from}&to={to}`); `{cursor}` is the saved cursor, `{from}`/`{to}` a backfill's dates (YYYY-MM-DD), each empty when absent. Each path is one stream.",
        )],
    }
}
