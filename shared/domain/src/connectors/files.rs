//! `files`: CSV, NDJSON and Parquet files from a local path or the object store.

use super::{ConnectorSpec, FieldSpec, FieldType as T, StreamSpec};

pub fn spec() -> ConnectorSpec {
    ConnectorSpec {
        name: "files",
        title: "Files (CSV, NDJSON, Parquet)",
        description: "Reads files from a local directory or an object store prefix; incremental by file modification time or a cursor column.",
        config: vec![
            FieldSpec::new(
                "location",
                T::String,
                "Directory path or `s3://bucket/prefix` to read from.",
            )
            .required(),
            FieldSpec::new("format", T::String, "File format.")
                .required()
                .one_of(&["csv", "ndjson", "parquet"]),
            FieldSpec::new("csv_delimiter", T::String, "Field delimiter for CSV files.")
                .default(","),
            FieldSpec::new(
                "csv_header",
                T::Boolean,
                "Whether CSV files start with a header row.",
            )
            .default(true),
            FieldSpec::new("compression", T::String, "Compression of the files.")
                .default("auto")
                .one_of(&["auto", "none", "gzip", "zstd"]),
            FieldSpec::new(
                "incremental_by",
                T::String,
                "How incremental runs find new data.",
            )
            .default("modified_time")
            .one_of(&["modified_time", "cursor_column", "none"]),
            FieldSpec::new(
                "cursor_column",
                T::String,
                "Column to resume from when `incremental_by` is `cursor_column`.",
            ),
            FieldSpec::new(
                "aws_access_key_id",
                T::String,
                "Access key for an S3 location outside this account (leave empty to use the role).",
            ),
            FieldSpec::new(
                "aws_secret_access_key",
                T::String,
                "Secret key paired with `aws_access_key_id`.",
            )
            .secret(),
        ],
        streams: vec![StreamSpec::user_defined(
            "*",
            "A glob under `location` (e.g. `orders/*.csv`); each glob is one stream.",
        )],
    }
}
