//! The columns of a Parquet table, read from one of its files' footer: what
//! Athena declares a storage table with when nothing else knows its columns (a
//! table a project uploaded, read for the first time). Two ranged reads of the
//! newest file, never the whole file.

use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;
use parquet::basic::{LogicalType, Type as Physical};
use parquet::file::metadata::ParquetMetaDataReader;
use parquet::schema::types::Type;
use sluice_domain::ports::{ColumnInfo, WarehouseError};

/// A footer over this size is refused (a file of thousands of columns).
const MAX_FOOTER_BYTES: u64 = 16 << 20;

/// The columns of the newest `.parquet` file under `bucket/prefix`, in the
/// engine's type names; empty when there is no such file.
pub(crate) async fn columns_under(
    s3: &Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<ColumnInfo>, WarehouseError> {
    let fault = |op: &str, e: &dyn std::error::Error| {
        WarehouseError::Backend(format!("S3 {op} of {prefix}: {}", DisplayErrorContext(e)).into())
    };
    let mut newest: Option<(aws_sdk_s3::primitives::DateTime, String, i64)> = None;
    let mut pages = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| fault("ListObjectsV2", &e))?;
        for o in page.contents() {
            let (Some(key), Some(at)) = (o.key(), o.last_modified()) else {
                continue;
            };
            if key.ends_with(".parquet")
                && newest
                    .as_ref()
                    .is_none_or(|(t, k, _)| (at, key) > (t, k.as_str()))
            {
                newest = Some((*at, key.to_string(), o.size().unwrap_or(0)));
            }
        }
    }
    let Some((_, key, size)) = newest else {
        return Ok(vec![]);
    };
    let read = |range: String| {
        let key = key.clone();
        async move {
            let got = s3
                .get_object()
                .bucket(bucket)
                .key(&key)
                .range(range)
                .send()
                .await
                .map_err(|e| fault("GetObject", &e))?;
            got.body
                .collect()
                .await
                .map(|b| b.into_bytes())
                .map_err(|e| fault("GetObject", &e))
        }
    };
    let bad = |why: &str| WarehouseError::Query(format!("`{key}` is not a Parquet file: {why}"));
    let tail = read("bytes=-8".into()).await?;
    if tail.len() != 8 || &tail[4..] != b"PAR1" {
        return Err(bad("no Parquet footer at its end"));
    }
    let length = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if length > MAX_FOOTER_BYTES || (size > 0 && length + 8 > size as u64) {
        return Err(bad("its footer is larger than the file allows"));
    }
    let footer = read(format!("bytes=-{}", length + 8)).await?;
    let metadata = footer
        .get(..footer.len().saturating_sub(8))
        .map(ParquetMetaDataReader::decode_metadata)
        .ok_or_else(|| bad("its footer is cut short"))?
        .map_err(|e| bad(&e.to_string()))?;
    Ok(columns_of(
        metadata.file_metadata().schema_descr().root_schema(),
    ))
}

/// The top-level columns of a Parquet schema Athena can declare, in the
/// engine's type names ([`crate::athena::hive_type`] reads them). Nested
/// groups, times of day and bare fixed-length bytes have no Hive type here and
/// are left out: the table reads without them.
pub(crate) fn columns_of(root: &Type) -> Vec<ColumnInfo> {
    root.get_fields()
        .iter()
        .filter_map(|field| {
            let kind = kind_of(field)?;
            Some(ColumnInfo {
                name: field.name().to_string(),
                kind: kind.to_string(),
            })
        })
        .collect()
}

fn kind_of(field: &Type) -> Option<String> {
    if !field.is_primitive() {
        return None;
    }
    let info = field.get_basic_info();
    let logical = info.logical_type_ref();
    let decimal = || {
        Some(format!(
            "Decimal128({}, {})",
            field.get_precision(),
            field.get_scale()
        ))
    };
    use parquet::basic::ConvertedType as C;
    let converted = info.converted_type();
    if matches!(logical, Some(LogicalType::Decimal { .. })) || converted == C::DECIMAL {
        return decimal();
    }
    if matches!(logical, Some(LogicalType::Time { .. }))
        || matches!(converted, C::TIME_MILLIS | C::TIME_MICROS)
    {
        return None;
    }
    let kind = match field.get_physical_type() {
        Physical::BOOLEAN => "Boolean",
        Physical::INT32 => match (logical, converted) {
            (Some(LogicalType::Date), _) | (_, C::DATE) => "Date32",
            (Some(LogicalType::Integer(i)), _) if i.bit_width == 32 && !i.is_signed => "UInt32",
            (_, C::UINT_32) => "UInt32",
            _ => "Int32",
        },
        Physical::INT64 => match (logical, converted) {
            (Some(LogicalType::Timestamp { .. }), _)
            | (_, C::TIMESTAMP_MILLIS | C::TIMESTAMP_MICROS) => "Timestamp(Microsecond, None)",
            _ => "Int64",
        },
        Physical::INT96 => "Timestamp(Nanosecond, None)",
        Physical::FLOAT => "Float32",
        Physical::DOUBLE => "Float64",
        Physical::BYTE_ARRAY => "Utf8",
        Physical::FIXED_LEN_BYTE_ARRAY => match logical {
            Some(LogicalType::Float16) => "Float16",
            _ => return None,
        },
    };
    Some(kind.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use parquet::schema::parser::parse_message_type;

    use super::*;
    use crate::athena::hive_type;

    #[test]
    fn a_parquet_schema_becomes_the_hive_columns_athena_declares() {
        let schema = parse_message_type(
            "message t {
                REQUIRED INT64 id;
                OPTIONAL BYTE_ARRAY name (STRING);
                OPTIONAL BYTE_ARRAY raw;
                OPTIONAL INT32 day (DATE);
                OPTIONAL INT64 at (TIMESTAMP(MICROS,true));
                OPTIONAL INT64 local_at (TIMESTAMP(NANOS,false));
                OPTIONAL INT96 legacy_at;
                OPTIONAL FIXED_LEN_BYTE_ARRAY (16) amount (DECIMAL(38,9));
                OPTIONAL INT32 small_amount (DECIMAL(9,2));
                OPTIONAL INT32 tiny (INTEGER(8,true));
                OPTIONAL INT32 count32 (INTEGER(32,false));
                OPTIONAL FLOAT ratio;
                OPTIONAL DOUBLE score;
                OPTIONAL BOOLEAN member;
                OPTIONAL INT32 opens (TIME(MILLIS,true));
                OPTIONAL FIXED_LEN_BYTE_ARRAY (16) token (UUID);
                OPTIONAL group tags (LIST) { repeated group list { optional binary element (STRING); } }
            }",
        )
        .expect("a schema");
        let columns = columns_of(&Arc::new(schema));
        let declared: Vec<(&str, String)> = columns
            .iter()
            .map(|c| (c.name.as_str(), hive_type(&c.kind)))
            .collect();
        let expect = [
            ("id", "bigint"),
            ("name", "string"),
            ("raw", "string"),
            ("day", "date"),
            ("at", "timestamp"),
            ("local_at", "timestamp"),
            ("legacy_at", "timestamp"),
            ("amount", "decimal(38,9)"),
            ("small_amount", "decimal(9,2)"),
            ("tiny", "int"),
            ("count32", "bigint"),
            ("ratio", "float"),
            ("score", "double"),
            ("member", "boolean"),
        ];
        assert_eq!(
            declared,
            expect
                .iter()
                .map(|(n, t)| (*n, t.to_string()))
                .collect::<Vec<_>>()
        );
    }
}
