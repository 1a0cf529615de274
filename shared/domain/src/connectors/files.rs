//! `files`: CSV, NDJSON and Parquet files from a local path or the object store.

use super::{ConnectorSpec, FieldSpec, FieldType as T, StreamSpec};

pub fn spec() -> ConnectorSpec {
    ConnectorSpec {
        name: "files",
        title: "Files (CSV, NDJSON, Parquet)",
        description: "Reads CSV, NDJSON and Parquet files (plain, gzip or zstd) from a local directory or the platform's object store (`store://<prefix>`: the run bucket on AWS, the data directory's objects/ locally), a range at a time; incremental by file modification time or a cursor column.",
        config: vec![
            FieldSpec::new(
                "location",
                T::String,
                "A local directory, or `store://<prefix>` for objects under that prefix of the platform's object store.",
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
                "Column to resume from when `incremental_by` is `cursor_column` (csv with a header, ndjson): rows with a larger value than the saved one are read; dates and RFC 3339 timestamps honour the look-back window.",
            ),
        ],
        streams: vec![StreamSpec::user_defined(
            "*",
            "A glob under `location` (e.g. `orders/*.csv`); each glob is one stream.",
        )],
    }
}
