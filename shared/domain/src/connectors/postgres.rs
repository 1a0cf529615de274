//! `postgres`: tables and queries of a PostgreSQL database.

use super::{ConnectorSpec, FieldSpec, FieldType as T, StreamSpec};

pub fn spec() -> ConnectorSpec {
    ConnectorSpec {
        name: "postgres",
        title: "PostgreSQL",
        description: "Reads tables or queries of a PostgreSQL database, incremental by a cursor column.",
        config: vec![
            FieldSpec::new("host", T::String, "Server host name or address.").required(),
            FieldSpec::new("port", T::Integer, "Server port.").default(5432),
            FieldSpec::new("database", T::String, "Database name.").required(),
            FieldSpec::new("user", T::String, "User name.").required(),
            FieldSpec::new("password", T::String, "Password of `user`.")
                .required()
                .secret(),
            FieldSpec::new("schema", T::String, "Schema the streams' tables live in.")
                .default("public"),
            FieldSpec::new("ssl_mode", T::String, "TLS mode.")
                .default("prefer")
                .one_of(&["disable", "prefer", "require", "verify-full"]),
        ],
        streams: vec![StreamSpec::user_defined(
            "*",
            "A table name in `schema`; each table is one stream, its primary key the unique key.",
        )],
    }
}
