//! The mapping compiler and the chunk transform, on real Arrow data.

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use serde_json::json;
use sluice_domain::entities::{ErrorPolicy, Mapping};
use sluice_domain::error::{DomainError, Field};
use sluice_domain::pipeline::ChunkFormat;
use sluice_engine::transform::{CompiledMapping, decode, transform_chunk};

fn mapping(v: serde_json::Value) -> Mapping {
    serde_json::from_value(v).expect("valid in this test")
}

fn compiled(v: serde_json::Value) -> CompiledMapping {
    CompiledMapping::compile(&mapping(v), &Field::new("mapping")).expect("valid in this test")
}

fn field_of(e: DomainError) -> String {
    match e {
        DomainError::Validation { field, .. } => field.to_string(),
        other => panic!("not a validation error: {other:?}"),
    }
}

fn orders() -> &'static [u8] {
    br#"{"id": 1, "customer": "  Alice Smith ", "amount": 12.5, "quantity": "2", "paid": true, "day": "2026-03-01", "discount": null, "meta": {"a": 1}}
{"id": 2, "customer": "BOB", "amount": "7", "quantity": "3", "paid": "false", "day": "2026-03-02", "discount": 0.5, "meta": [1, 2]}
"#
}

fn run(
    m: &CompiledMapping,
    data: &[u8],
    policy: ErrorPolicy,
) -> (RecordBatch, sluice_engine::transform::ChunkOutput) {
    let out =
        transform_chunk(m, ChunkFormat::Ndjson, data, &[], policy).expect("valid in this test");
    let batch = decode(
        ChunkFormat::Parquet,
        out.parquet.as_deref().expect("valid in this test"),
        None,
    )
    .expect("valid in this test")
    .batch;
    (batch, out)
}

#[test]
fn casts_expressions_string_ops_defaults_and_excludes_apply_column_by_column() {
    let m = compiled(json!({"columns": [
        {"target": "order_id", "source": "id", "cast": "int"},
        {"target": "customer", "source": "customer", "ops": [{"op": "trim"}, {"op": "lower"}]},
        {"source": "amount", "target": "amount", "cast": "float"},
        {"source": "quantity", "target": "qty", "cast": "int", "exclude": true},
        {"target": "total", "expression": "amount * quantity"},
        {"target": "paid", "source": "paid", "cast": "bool"},
        {"target": "day", "source": "day", "cast": "date"},
        {"target": "discount", "source": "discount", "cast": "float", "default": 0},
        {"target": "meta", "source": "meta", "cast": "json"}
    ]}));
    let (batch, out) = run(&m, orders(), ErrorPolicy::FailFast);
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(out.rows_written, 2);
    let names: Vec<_> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        [
            "order_id", "customer", "amount", "total", "paid", "day", "discount", "meta"
        ]
    );
    assert_eq!(
        batch.column(0).as_primitive::<Int64Type>().values(),
        &[1, 2]
    );
    let customer = batch.column(1).as_string::<i32>();
    assert_eq!(
        (customer.value(0), customer.value(1)),
        ("alice smith", "bob")
    );
    assert_eq!(
        batch.column(3).as_primitive::<Float64Type>().values(),
        &[25.0, 21.0]
    );
    assert_eq!(batch.column(5).data_type(), &DataType::Date32);
    assert_eq!(
        batch.column(6).as_primitive::<Float64Type>().values(),
        &[0.0, 0.5]
    );
    let meta = batch.column(7).as_string::<i32>();
    assert_eq!(meta.value(0), r#"{"a":1}"#);
    assert_eq!(meta.value(1), "[1,2]");
}

#[test]
fn a_value_that_does_not_cast_is_a_row_failure_naming_row_column_and_value() {
    let m = compiled(json!({"columns": [
        {"target": "id", "source": "id", "cast": "int"},
        {"target": "quantity", "source": "quantity", "cast": "int"}
    ]}));
    let data = b"{\"id\": 1, \"quantity\": \"2\"}\n{\"id\": 2, \"quantity\": \"lots\"}\n{\"id\": 3, \"quantity\": 4}\n";
    let out = transform_chunk(&m, ChunkFormat::Ndjson, data, &[], ErrorPolicy::SkipAndLog)
        .expect("valid in this test");
    assert_eq!(
        (out.rows_written, out.rows_skipped, out.rows_failed),
        (2, 1, 0)
    );
    assert_eq!(out.failures.len(), 1);
    assert_eq!(out.failures[0].row, 2);
    assert_eq!(out.failures[0].column.as_deref(), Some("quantity"));
    assert!(
        out.failures[0].reason.contains("`lots` is not a valid int"),
        "{}",
        out.failures[0].reason
    );
    let fail_fast = transform_chunk(&m, ChunkFormat::Ndjson, data, &[], ErrorPolicy::FailFast)
        .expect("valid in this test");
    assert_eq!((fail_fast.rows_failed, fail_fast.rows_skipped), (1, 0));
}

#[test]
fn bad_json_lines_are_named_and_the_good_lines_still_land() {
    let m = compiled(json!({"columns": [{"target": "id", "source": "id", "cast": "int"}]}));
    let data = b"{\"id\": 1}\n{\"id\": 2, oops}\n{\"id\": 3}\n{\"id\": 4";
    let (batch, out) = run(&m, data, ErrorPolicy::SkipAndLog);
    assert_eq!(
        batch.column(0).as_primitive::<Int64Type>().values(),
        &[1, 3]
    );
    let rows: Vec<u64> = out.failures.iter().map(|f| f.row).collect();
    assert_eq!(rows, [2, 4]);
    assert!(out.failures[0].reason.contains("not a JSON object"));
    assert_eq!(out.rows_in, 4);
}

#[test]
fn rules_flag_nulls_disallowed_values_and_duplicate_keys() {
    let m = compiled(json!({
        "columns": [
            {"target": "id", "source": "id", "cast": "int"},
            {"target": "country", "source": "country"}
        ],
        "rules": [
            {"rule": "not_null", "column": "country"},
            {"rule": "allowed_values", "column": "country", "values": ["CA", "US"]},
            {"rule": "unique_key", "columns": ["id"]}
        ]
    }));
    let data = b"{\"id\":1,\"country\":\"CA\"}\n{\"id\":2}\n{\"id\":3,\"country\":\"FR\"}\n{\"id\":1,\"country\":\"US\"}\n";
    let out = transform_chunk(&m, ChunkFormat::Ndjson, data, &[], ErrorPolicy::SkipAndLog)
        .expect("valid in this test");
    let got: Vec<(u64, String)> = out
        .failures
        .iter()
        .map(|f| (f.row, f.reason.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "is null".to_string()),
            (3, "`FR` is not an allowed value".to_string()),
            (4, "duplicates the key of an earlier row".to_string())
        ]
    );
    assert_eq!(out.rows_written, 1);
}

#[test]
fn an_empty_mapping_passes_every_column_through_as_text() {
    let m = compiled(json!({}));
    let (batch, _) = run(&m, orders(), ErrorPolicy::FailFast);
    assert_eq!(batch.num_rows(), 2);
    assert!(batch.schema().field_with_name("customer").is_ok());
    assert!(batch.schema().field_with_name("meta").is_ok());
}

#[test]
fn csv_chunks_decode_by_header() {
    let m = compiled(json!({"columns": [
        {"target": "id", "source": "id", "cast": "int"},
        {"target": "name", "source": "name", "ops": [{"op": "upper"}]}
    ]}));
    let data = b"id;name\n1;ann\n2;bo\n";
    let out = transform_chunk(
        &m,
        ChunkFormat::Csv { delimiter: ';' },
        data,
        &[],
        ErrorPolicy::FailFast,
    )
    .expect("valid in this test");
    let batch = decode(
        ChunkFormat::Parquet,
        out.parquet.as_deref().expect("valid in this test"),
        None,
    )
    .expect("valid in this test")
    .batch;
    assert_eq!(batch.column(1).as_string::<i32>().value(1), "BO");
}

#[test]
fn mapping_errors_name_the_field_that_is_wrong() {
    let base = Field::new("definition.streams[0].mapping");
    let bad_expr = mapping(json!({"columns": [{"target": "x", "expression": "amount * * 2"}]}));
    let e = CompiledMapping::compile(&bad_expr, &base)
        .err()
        .expect("valid in this test");
    assert_eq!(
        field_of(e),
        "definition.streams[0].mapping.columns[0].expression"
    );

    let unknown = CompiledMapping::compile(
        &mapping(json!({"columns": [{"target": "x", "source": "id"}, {"target": "y", "source": "nope"}]})),
        &base,
    )
    .expect("valid in this test");
    let decoded =
        decode(ChunkFormat::Parquet, &parquet_of_ids(), None).expect("valid in this test");
    let e = unknown
        .bind(decoded.batch.schema_ref())
        .err()
        .expect("valid in this test");
    assert_eq!(
        field_of(e),
        "definition.streams[0].mapping.columns[1].source"
    );

    let impossible = CompiledMapping::compile(&mapping(json!({"columns": [{"target": "d", "source": "id", "cast": "date"}, {"target": "b", "source": "flag", "cast": "timestamp"}]})), &base).expect("valid in this test");
    let e = impossible
        .bind(decoded.batch.schema_ref())
        .err()
        .expect("valid in this test");
    assert_eq!(field_of(e), "definition.streams[0].mapping.columns[1].cast");

    let bad_default = mapping(
        json!({"columns": [{"target": "n", "source": "id", "cast": "int", "default": "many"}]}),
    );
    let e = CompiledMapping::compile(&bad_default, &base)
        .err()
        .expect("valid in this test");
    assert_eq!(
        field_of(e),
        "definition.streams[0].mapping.columns[0].default"
    );

    let unknown_in_expr = CompiledMapping::compile(
        &mapping(json!({"columns": [{"target": "x", "expression": "id + missing_col"}]})),
        &base,
    )
    .expect("valid in this test");
    let e = unknown_in_expr
        .bind(decoded.batch.schema_ref())
        .err()
        .expect("valid in this test");
    assert_eq!(
        field_of(e),
        "definition.streams[0].mapping.columns[0].expression"
    );
}

/// A Parquet chunk with an Int64 `id` and a Boolean `flag`.
fn parquet_of_ids() -> Vec<u8> {
    use datafusion::arrow::array::{BooleanArray, Int64Array};
    use std::sync::Arc;
    let batch = RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(vec![1, 2])) as _),
        ("flag", Arc::new(BooleanArray::from(vec![true, false])) as _),
    ])
    .expect("valid in this test");
    sluice_engine::transform::write_parquet(&batch).expect("valid in this test")
}

/// Maps `data` after the text decoder and after the mapping's own decoder (which
/// parses cast columns as it scans): the rows and the issues are the same.
fn same_as_text_decoding(m: &CompiledMapping, data: &[u8]) -> RecordBatch {
    let apply = |decoded: sluice_engine::transform::Decoded| {
        let bound = m
            .bind(decoded.batch.schema_ref())
            .expect("valid in this test");
        bound.apply(&decoded.batch).expect("valid in this test")
    };
    let text = apply(decode(ChunkFormat::Ndjson, data, m.columns()).expect("valid in this test"));
    let typed_input = m
        .decode(ChunkFormat::Ndjson, data)
        .expect("valid in this test");
    let input = typed_input.batch.clone();
    let typed = apply(typed_input);
    assert_eq!(typed.batch, text.batch);
    assert_eq!(typed.issues, text.issues);
    input
}

#[test]
fn columns_parsed_while_decoding_map_as_text_columns_do() {
    let bench: Mapping =
        serde_json::from_str(include_str!("../../../bench/orders-mapping.json")).expect("valid");
    let bench = CompiledMapping::compile(&bench, &Field::new("mapping")).expect("valid");
    let good = br#"{"order_id":"ORD-1","customer":"  carol jones","country":"de","quantity":"6","unit_price":"442.75","discount":0.243,"is_member":"false","order_date":"2026-12-09","updated_at":"2026-12-09T14:58:42Z","note":null}
{"order_id":"ORD-2","customer":"sybil ","country":"jp","quantity":3,"unit_price":"365.3","discount":null,"is_member":true,"order_date":"2026-10-11","updated_at":"2026-10-11 01:32:30.25","note":"fragile: \"glass\""}
"#;
    let input = same_as_text_decoding(&bench, good);
    let typed = |name: &str| {
        input
            .schema()
            .field_with_name(name)
            .map(|f| f.data_type().clone())
    };
    assert_eq!(typed("quantity").ok(), Some(DataType::Int64));
    assert_eq!(typed("unit_price").ok(), Some(DataType::Decimal128(12, 2)));
    assert_eq!(
        input.column_by_name("note").map(|c| c.null_count()),
        Some(2)
    );

    let bad = br#"{"order_id":"ORD-1","quantity":"six","unit_price":"1e2","discount":"x","is_member":"maybe","order_date":"2026-02-30","updated_at":"noon"}
{"order_id":"ORD-2","quantity":" 7","unit_price":".5","discount":"1","is_member":"YES","order_date":"2026-02-28","updated_at":"2026-02-28T10:00:00+01:00"}
"#;
    same_as_text_decoding(&bench, bad);

    // One source read several ways: as an int and a float, trimmed, in a
    // concatenation and an expression.
    let mixed = compiled(json!({"columns": [
        {"target": "a", "source": "n", "cast": "int"},
        {"target": "b", "source": "n", "cast": "float"},
        {"target": "c", "source": "n", "ops": [{"op": "trim"}], "cast": "int"},
        {"target": "d", "source": "m", "cast": "int"},
        {"target": "e", "source": "m", "ops": [{"op": "concat", "with": ["n"], "separator": "-"}]},
        {"target": "f", "expression": "m * 2", "cast": "float"},
        {"target": "g", "source": "k", "exclude": true},
        {"target": "h", "source": "k", "cast": "date", "exclude": true}
    ]}));
    let data = b"{\"n\": \"1\", \"m\": 2, \"k\": \"2026-01-01\"}\n{\"n\": \" 3\", \"m\": \"4\", \"k\": \"soon\"}\n";
    same_as_text_decoding(&mixed, data);
}

#[test]
fn trim_and_case_ops_give_what_datafusion_gives() {
    let m = compiled(json!({"columns": [
        {"target": "a", "source": "s", "ops": [{"op": "trim"}, {"op": "upper"}]},
        {"target": "b", "expression": "upper(btrim(CAST(s AS VARCHAR)))"},
        {"target": "c", "source": "s", "ops": [{"op": "lower"}, {"op": "trim"}], "cast": "string"},
        {"target": "d", "expression": "btrim(lower(CAST(s AS VARCHAR)))"},
        {"target": "e", "source": "s", "ops": [{"op": "trim"}]},
        {"target": "f", "expression": "btrim(CAST(s AS VARCHAR))"}
    ]}));
    let data = "{\"s\": \"  müller Straße \"}\n{\"s\": \"\\tTab \"}\n{\"s\": null}\n{\"s\": \"   \"}\n{\"s\": \"ΟΔΟΣ ΣΑΣ\"}\n{\"s\": \"plain\"}\n{}\n";
    let (batch, out) = run(&m, data.as_bytes(), ErrorPolicy::FailFast);
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    let col = |i: usize| {
        let c = batch.column(i).as_string::<i32>();
        (0..c.len())
            .map(|r| c.is_valid(r).then(|| c.value(r).to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(col(0), col(1));
    assert_eq!(col(2), col(3));
    assert_eq!(col(4), col(5));
    assert_eq!(col(0)[0].as_deref(), Some("MÜLLER STRASSE"));
    assert_eq!(col(2)[4].as_deref(), Some("οδος σας"));
}

#[test]
fn coalesce_ifnull_and_nvl_validate_and_run_alike() {
    let m = compiled(json!({"columns": [
        {"target": "id", "source": "id", "cast": "int"},
        {"target": "delay", "expression": "coalesce(dep_delay, 0) + coalesce(arr_delay, 0)", "cast": "int"},
        {"target": "dep", "expression": "ifnull(dep_delay, -1)", "cast": "int"},
        {"target": "arr", "expression": "nvl(arr_delay, -2)", "cast": "int"}
    ]}));
    let data = br#"{"id": 1, "dep_delay": 5, "arr_delay": null}
{"id": 2, "dep_delay": null, "arr_delay": 7}
{"id": 3, "dep_delay": 1, "arr_delay": 2}
"#;
    let (batch, out) = run(&m, data, ErrorPolicy::FailFast);
    assert_eq!(out.rows_failed, 0);
    let col = |name: &str| -> Vec<Option<i64>> {
        let a = batch
            .column_by_name(name)
            .expect("column")
            .as_primitive::<Int64Type>();
        (0..a.len())
            .map(|i| (!a.is_null(i)).then(|| a.value(i)))
            .collect()
    };
    assert_eq!(col("delay"), vec![Some(5), Some(7), Some(3)]);
    assert_eq!(col("dep"), vec![Some(5), Some(-1), Some(1)]);
    assert_eq!(col("arr"), vec![Some(-2), Some(7), Some(2)]);
}

fn value_maps(maps: serde_json::Value) -> sluice_domain::entities::ValueMaps {
    let serde_json::Value::Object(maps) = maps else {
        panic!("maps by name")
    };
    maps.into_iter()
        .map(|(name, entries)| {
            let case_insensitive = name.ends_with("_ci");
            let entries: Vec<serde_json::Value> = entries
                .as_object()
                .expect("entries")
                .iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect();
            let map = serde_json::from_value(json!({
                "id": "vm_01JD0000000000000000000001",
                "project_id": "prj_01JD0000000000000000000001",
                "version": 1,
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
                "created_by": "t",
                "name": name,
                "title": "Map",
                "case_insensitive": case_insensitive,
                "entries": entries,
            }))
            .expect("a value map");
            (name, map)
        })
        .collect()
}

fn compiled_with(v: serde_json::Value, maps: serde_json::Value) -> CompiledMapping {
    CompiledMapping::compile_with_maps(&mapping(v), &Field::new("mapping"), &value_maps(maps))
        .expect("valid in this test")
}

#[test]
fn a_map_op_applies_in_its_place_among_the_columns_ops_then_the_cast_and_default() {
    let maps = json!({
        "categories": {"To Do": "new", "In Progress": "indeterminate", "Done": "done"},
        "levels_ci": {"epic": 1, "story": 0, "sub-task": -1}
    });
    let m = compiled_with(
        json!({"columns": [
            {"target": "id", "source": "id", "cast": "int"},
            // Trimmed first, so " Done " is found; unknown statuses take the default.
            {"target": "category", "source": "status",
             "ops": [{"op": "trim"}, {"op": "map", "map": "categories", "default": "other"}, {"op": "upper"}]},
            // Numbers come out as numbers; matched regardless of case; no default: null,
            // which the column's default fills.
            {"target": "level", "source": "type", "ops": [{"op": "map", "map": "levels_ci"}], "default": 9},
            {"target": "raw_level", "source": "type", "ops": [{"op": "map", "map": "levels_ci"}]}
        ]}),
        maps,
    );
    let data = b"id,status,type\n1, Done ,Epic\n2,To Do,STORY\n3,Blocked,Bug\n4,,\n";
    let out = transform_chunk(
        &m,
        ChunkFormat::Csv { delimiter: ',' },
        data,
        &[],
        ErrorPolicy::FailFast,
    )
    .expect("valid in this test");
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    let batch = decode(
        ChunkFormat::Parquet,
        out.parquet.as_deref().expect("written"),
        None,
    )
    .expect("parquet")
    .batch;
    let category = batch.column(1).as_string::<i32>();
    let categories: Vec<Option<&str>> = category.iter().collect();
    // An empty CSV field is null, and a null stays null through the map.
    assert_eq!(
        categories,
        [Some("DONE"), Some("NEW"), Some("OTHER"), None],
        "trim → map → upper, in order"
    );
    assert_eq!(batch.column(2).data_type(), &DataType::Int64);
    let level: Vec<Option<i64>> = batch.column(2).as_primitive::<Int64Type>().iter().collect();
    assert_eq!(level, [Some(1), Some(0), Some(9), Some(9)]);
    let raw: Vec<Option<i64>> = batch.column(3).as_primitive::<Int64Type>().iter().collect();
    assert_eq!(raw, [Some(1), Some(0), None, None]);
}

#[test]
fn a_map_op_naming_a_map_the_project_lacks_or_an_impossible_cast_is_refused_at_its_field() {
    let base = Field::new("definition.streams[0].mapping");
    let m = mapping(json!({"columns": [
        {"target": "id", "source": "id"},
        {"target": "s", "source": "status", "ops": [{"op": "trim"}, {"op": "map", "map": "nope"}]}
    ]}));
    let e = CompiledMapping::compile_with_maps(&m, &base, &value_maps(json!({"other": {}})))
        .err()
        .expect("refused");
    assert!(e.to_string().contains("`nope` not found"), "{e}");
    assert_eq!(
        field_of(e),
        "definition.streams[0].mapping.columns[1].ops[1].map"
    );
    // Without maps at all, the same.
    assert!(CompiledMapping::compile(&m, &base).is_err());
    let bools = value_maps(json!({"flags": {"y": true, "n": false}}));
    let cast = mapping(json!({"columns": [
        {"target": "d", "source": "f", "ops": [{"op": "map", "map": "flags"}], "cast": "date"}
    ]}));
    let e = CompiledMapping::compile_with_maps(&cast, &base, &bools)
        .err()
        .expect("refused");
    assert_eq!(field_of(e), "definition.streams[0].mapping.columns[0].cast");
    let default = mapping(json!({"columns": [
        {"target": "d", "source": "f", "ops": [{"op": "map", "map": "flags", "default": [1]}]}
    ]}));
    let e = CompiledMapping::compile_with_maps(&default, &base, &bools)
        .err()
        .expect("refused");
    assert_eq!(
        field_of(e),
        "definition.streams[0].mapping.columns[0].ops[0].default"
    );
    // Booleans land as booleans, and a cast of them to text is their text.
    let m = compiled_with(
        json!({"columns": [
            {"target": "b", "source": "f", "ops": [{"op": "map", "map": "flags"}]},
            {"target": "t", "source": "f", "ops": [{"op": "map", "map": "flags"}], "cast": "string"}
        ]}),
        json!({"flags": {"y": true, "n": false}}),
    );
    let (batch, out) = run(
        &m,
        b"{\"f\": \"y\"}\n{\"f\": \"n\"}\n",
        ErrorPolicy::FailFast,
    );
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(batch.column(0).data_type(), &DataType::Boolean);
    let t: Vec<Option<&str>> = batch.column(1).as_string::<i32>().iter().collect();
    assert_eq!(t, [Some("true"), Some("false")]);
}
