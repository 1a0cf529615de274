//! The mapping compiler: a data mart's [`Mapping`] becomes a columnar plan, compiled
//! once per run (and per input schema), applied to Arrow record batches. Rows are
//! never handled one JSON value at a time here: string operations and expressions
//! are DataFusion physical expressions, casts are Arrow cast kernels, and a failed
//! cast is found by comparing null masks before and after.
//!
//! Semantics:
//! - With no column mappings, every source column passes through as is.
//! - With column mappings, the output is exactly the mapped targets, in order;
//!   an entry marked `exclude` is computed (so expressions can use its typed value)
//!   but not written.
//! - A column's value is its `source` column or its `expression`; then its string
//!   `ops` apply in order, then its `cast`, then its `default` fills nulls.
//! - A `map` op looks the value's text up in one of the project's value maps
//!   (given to [`MappingPlan::compile_with_maps`]): its value is the column's
//!   from then on, typed as
//!   [`MapValueType`](sluice_domain::entities::MapValueType) says; ops after it see its text.
//! - Expressions see source columns; a source column that some mapping casts is
//!   seen with that type (so `amount * quantity` multiplies numbers, not strings).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, BooleanBufferBuilder, RecordBatch, StringArray,
    StringBuilder, new_null_array,
};
use datafusion::arrow::compute::{CastOptions, cast_with_options, filter_record_batch, is_null};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::logical_expr::simplify::SimplifyContext;
use datafusion::optimizer::simplify_expressions::ExprSimplifier;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion::sql::sqlparser::ast::{Expr as SqlExpr, visit_expressions};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use sluice_domain::entities::{
    CastType, ColumnMapping, Mapping, StringOp, ValidationRule, ValueMaps, validate_scalar,
};
use sluice_domain::error::{DomainError, Field as FieldPath};

use crate::value_maps::Lookup;

/// The value map of each `map` op, by column and op index.
type OpMaps = HashMap<(usize, usize), Arc<Lookup>>;

/// Arrow type a cast produces.
pub fn arrow_type(cast: CastType) -> DataType {
    match cast {
        CastType::String | CastType::Json => DataType::Utf8,
        CastType::Int => DataType::Int64,
        CastType::Float => DataType::Float64,
        CastType::Decimal { precision, scale } => DataType::Decimal128(precision, scale as i8),
        CastType::Bool => DataType::Boolean,
        CastType::Date => DataType::Date32,
        CastType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
    }
}

/// How the NDJSON fast path reads a source column (other decoders read text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceRead {
    Text,
    /// Parsed straight into the type of the cast every plain use of the column
    /// makes (the type expressions see it with too), so the cast is a no-op.
    Typed(CastType),
    /// Only excluded columns that cannot fail read it: its value is never seen,
    /// and it decodes as nulls.
    Unused,
}

/// A row that broke the mapping or a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    /// Row index within the batch, from 0.
    pub row: usize,
    pub column: String,
    /// `type_mismatch`, `null_in_not_null`, `not_allowed`, `duplicate_key` or
    /// `missing_column`.
    pub kind: &'static str,
    pub reason: String,
}

/// The result of applying a plan to a batch.
#[derive(Debug)]
pub struct Applied {
    /// Every input row, mapped (rows with issues included; the caller's error policy
    /// decides what to keep).
    pub batch: RecordBatch,
    pub issues: Vec<RowIssue>,
}

impl Applied {
    /// The batch without the rows that have issues.
    pub fn good_rows(&self) -> Result<RecordBatch, DomainError> {
        if self.issues.is_empty() {
            return Ok(self.batch.clone());
        }
        let bad: HashSet<usize> = self.issues.iter().map(|i| i.row).collect();
        let mut keep = BooleanBufferBuilder::new(self.batch.num_rows());
        for row in 0..self.batch.num_rows() {
            keep.append(!bad.contains(&row));
        }
        let mask = BooleanArray::new(keep.finish(), None);
        filter_record_batch(&self.batch, &mask).map_err(internal)
    }
    /// Row indexes with at least one issue.
    pub fn bad_rows(&self) -> usize {
        self.issues
            .iter()
            .map(|i| i.row)
            .collect::<HashSet<_>>()
            .len()
    }
}

fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::invalid("mapping", e.to_string())
}

/// A mapping checked and parsed; bind it to an input schema to apply it.
pub struct MappingPlan {
    base: FieldPath,
    mapping: Mapping,
    /// Source columns the plan reads.
    sources: Vec<String>,
    /// How the fast path reads each of `sources`.
    reads: Vec<SourceRead>,
    /// The value map of each `map` op (a function of `ctx`).
    maps: OpMaps,
    ctx: SessionContext,
}

/// Quotes an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
/// Quotes an SQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn parse_sql(sql: &str) -> Result<SqlExpr, String> {
    Parser::new(&GenericDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| e.to_string())
}

/// The first function `expr` calls that the engine does not have, named as
/// written; looked up as the engine's planner looks it up when the mapping
/// runs (an unquoted name in lower case), so what passes here is found there.
fn unknown_function(expr: &SqlExpr, ctx: &SessionContext) -> Option<String> {
    let state = ctx.state();
    let mut unknown = None;
    let _ = visit_expressions(expr, |e| {
        if let SqlExpr::Function(f) = e
            && let [part] = f.name.0.as_slice()
            && let Some(ident) = part.as_ident()
        {
            let name = match ident.quote_style {
                Some(_) => ident.value.clone(),
                None => ident.value.to_ascii_lowercase(),
            };
            if !state.scalar_functions().contains_key(&name)
                && !state.aggregate_functions().contains_key(&name)
                && !state.window_functions().contains_key(&name)
            {
                unknown = Some(ident.value.clone());
                return std::ops::ControlFlow::Break(());
            }
        }
        std::ops::ControlFlow::Continue(())
    });
    unknown
}

fn column_refs(expr: &SqlExpr) -> Vec<String> {
    let mut out = vec![];
    let _ = visit_expressions(expr, |e| {
        match e {
            SqlExpr::Identifier(i) => out.push(i.value.clone()),
            SqlExpr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last() {
                    out.push(last.value.clone());
                }
            }
            _ => {}
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    out
}

impl MappingPlan {
    /// [`compile_with_maps`](Self::compile_with_maps) with no value maps: a
    /// `map` op names a map that is not there.
    pub fn compile(mapping: &Mapping, base: &FieldPath) -> Result<MappingPlan, DomainError> {
        Self::compile_with_maps(mapping, base, &ValueMaps::new())
    }

    /// Checks a mapping's shape: targets are unique identifiers, each column has a
    /// source or an expression, expressions parse, `map` ops name a map of
    /// `maps`, defaults fit their cast. Errors name the field
    /// (`columns[2].expression`, `columns[2].ops[0].map`).
    pub fn compile_with_maps(
        mapping: &Mapping,
        base: &FieldPath,
        maps: &ValueMaps,
    ) -> Result<MappingPlan, DomainError> {
        let config = SessionConfig::new()
            .set_bool("datafusion.sql_parser.enable_ident_normalization", false);
        let ctx = SessionContext::new_with_config(config);
        let at = |i: usize, f: &str| base.join("columns").index(i).join(f);
        let mut targets = HashSet::new();
        let mut op_maps: OpMaps = HashMap::new();
        // One function per map and default, however many ops apply it.
        let mut lookups: HashMap<String, Arc<Lookup>> = HashMap::new();
        let mut sources: Vec<String> = vec![];
        let add = |s: &str, sources: &mut Vec<String>| {
            if !sources.iter().any(|x| x == s) {
                sources.push(s.to_string());
            }
        };
        for (i, c) in mapping.columns.iter().enumerate() {
            if c.target.trim().is_empty() || c.target.len() > 128 {
                return Err(DomainError::invalid_at(
                    &at(i, "target"),
                    "must be 1-128 characters",
                ));
            }
            if !c.exclude && !targets.insert(c.target.as_str()) {
                return Err(DomainError::invalid_at(
                    &at(i, "target"),
                    format!("`{}` is mapped twice", c.target),
                ));
            }
            match (&c.source, &c.expression) {
                (Some(s), None) => add(s, &mut sources),
                (None, Some(e)) => {
                    let parsed = parse_sql(e).map_err(|r| {
                        DomainError::invalid_at(
                            &at(i, "expression"),
                            format!("does not parse: {r}"),
                        )
                    })?;
                    if let Some(name) = unknown_function(&parsed, &ctx) {
                        return Err(DomainError::invalid_at(
                            &at(i, "expression"),
                            format!("calls `{name}`, which is not a function the engine has"),
                        ));
                    }
                    for r in column_refs(&parsed) {
                        add(&r, &mut sources);
                    }
                }
                (Some(_), Some(_)) => {
                    return Err(DomainError::invalid_at(
                        &at(i, "expression"),
                        "give either `source` or `expression`, not both",
                    ));
                }
                (None, None) => {
                    return Err(DomainError::invalid_at(
                        &at(i, "source"),
                        "give a `source` column or an `expression`",
                    ));
                }
            }
            for (j, op) in c.ops.iter().enumerate() {
                if let StringOp::Concat { with, .. } = op {
                    for w in with {
                        add(w, &mut sources);
                    }
                    if with.is_empty() {
                        return Err(DomainError::invalid_at(
                            &at(i, "ops").index(j).join("with"),
                            "name at least one column to concatenate",
                        ));
                    }
                }
                if let StringOp::Substring { start: 0, .. } = op {
                    return Err(DomainError::invalid_at(
                        &at(i, "ops").index(j).join("start"),
                        "positions start at 1",
                    ));
                }
                if let StringOp::Map { map, default } = op {
                    let of = at(i, "ops").index(j);
                    if let Some(d) = default {
                        validate_scalar(&of.join("default"), d)?;
                    }
                    let found = maps.get(map).ok_or_else(|| {
                        DomainError::invalid_at(
                            &of.join("map"),
                            format!(
                                "value map {} not found in this project",
                                sluice_domain::error::quote(map)
                            ),
                        )
                    })?;
                    let key = format!(
                        "{map}\u{1f}{}",
                        default.as_ref().unwrap_or(&serde_json::Value::Null)
                    );
                    let n = lookups.len();
                    let lookup = lookups
                        .entry(key)
                        .or_insert_with(|| {
                            let l = Arc::new(Lookup::new(
                                format!("__value_map_{n}_{map}"),
                                found,
                                default.as_ref(),
                            ));
                            ctx.register_udf(l.udf());
                            l
                        })
                        .clone();
                    op_maps.insert((i, j), lookup);
                }
            }
            // The type the ops leave: text, or the last map's values' type.
            let ops_type =
                c.ops
                    .iter()
                    .enumerate()
                    .next_back()
                    .map(|(j, _)| match op_maps.get(&(i, j)) {
                        Some(l) => l.data_type().clone(),
                        None => DataType::Utf8,
                    });
            if let (Some(from), Some(cast)) = (&ops_type, c.cast)
                && cast != CastType::Json
                && !datafusion::arrow::compute::can_cast_types(from, &arrow_type(cast))
            {
                return Err(DomainError::invalid_at(
                    &at(i, "cast"),
                    format!("cannot cast {from} to {}", arrow_type(cast)),
                ));
            }
            if let (Some(d), cast) = (&c.default, c.cast)
                && !d.is_null()
            {
                let ty = cast.map(arrow_type).or(ops_type).unwrap_or(DataType::Utf8);
                default_scalar(d, &ty)
                    .map_err(|r| DomainError::invalid_at(&at(i, "default"), r))?;
            }
        }
        for (i, rule) in mapping.rules.iter().enumerate() {
            let cols: Vec<&String> = match rule {
                ValidationRule::NotNull { column }
                | ValidationRule::Type { column, .. }
                | ValidationRule::AllowedValues { column, .. } => vec![column],
                ValidationRule::UniqueKey { columns } => columns.iter().collect(),
            };
            if !mapping.columns.is_empty() {
                for c in cols {
                    if !targets.contains(c.as_str()) {
                        return Err(DomainError::invalid_at(
                            &base.join("rules").index(i),
                            format!("`{c}` is not an output column of the mapping"),
                        ));
                    }
                }
            }
        }
        Ok(MappingPlan {
            base: base.clone(),
            mapping: mapping.clone(),
            reads: source_reads(mapping, &sources),
            sources,
            maps: op_maps,
            ctx,
        })
    }

    /// Source columns the plan reads (empty: every column passes through).
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// How the NDJSON fast path may read each of [`sources`](Self::sources).
    pub fn reads(&self) -> &[SourceRead] {
        &self.reads
    }

    pub fn passes_through(&self) -> bool {
        self.mapping.columns.is_empty()
    }

    pub fn unique_key(&self) -> Option<&[String]> {
        self.mapping.rules.iter().find_map(|r| match r {
            ValidationRule::UniqueKey { columns } => Some(columns.as_slice()),
            _ => None,
        })
    }

    /// Binds the plan to the schema batches will have: resolves columns and types.
    /// An unknown column or an expression that does not type-check is an error
    /// naming the field.
    pub fn bind(&self, input: &SchemaRef) -> Result<BoundPlan, DomainError> {
        let base = &self.base;
        let at = |i: usize, f: &str| base.join("columns").index(i).join(f);
        if self.passes_through() {
            return Ok(BoundPlan {
                columns: vec![],
                rules: self.mapping.rules.clone(),
                output: input.clone(),
                typed_sources: vec![],
                expr_schema: input.clone(),
            });
        }
        for (i, c) in self.mapping.columns.iter().enumerate() {
            if let Some(s) = &c.source
                && input.field_with_name(s).is_err()
            {
                return Err(DomainError::invalid_at(
                    &at(i, "source"),
                    format!("the stream has no column `{s}`"),
                ));
            }
        }
        // The schema expressions see: source columns, typed by their mapping's cast.
        let mut typed_sources: Vec<(usize, Option<DataType>)> = vec![];
        let mut expr_fields: Vec<Field> = vec![];
        for f in input.fields() {
            let cast = self.mapping.columns.iter().find_map(|c| {
                (c.source.as_deref() == Some(f.name().as_str()) && c.ops.is_empty())
                    .then_some(c.cast)
                    .flatten()
            });
            let idx = input.index_of(f.name()).map_err(internal)?;
            let ty = cast.map(arrow_type);
            expr_fields.push(Field::new(
                f.name(),
                ty.clone().unwrap_or(f.data_type().clone()),
                true,
            ));
            typed_sources.push((idx, ty));
        }
        let expr_schema = Arc::new(Schema::new(expr_fields));
        let df_schema = DFSchema::try_from(expr_schema.as_ref().clone()).map_err(internal)?;
        let mut columns = vec![];
        let mut out_fields = vec![];
        let simplifier = ExprSimplifier::new(
            SimplifyContext::builder()
                .with_schema(Arc::new(df_schema.clone()))
                .build(),
        );
        for (i, c) in self.mapping.columns.iter().enumerate() {
            let raw_source = match (&c.source, c.ops.is_empty()) {
                (Some(s), true) => Some(input.index_of(s).map_err(internal)?),
                _ => None,
            };
            // Trim and case ops on a text column run here, on the column itself:
            // the same results as DataFusion's btrim/upper/lower, without turning
            // the column into string views and back.
            let text_ops = match &c.source {
                Some(s)
                    if !c.ops.is_empty()
                        && c.ops.iter().all(|op| {
                            matches!(op, StringOp::Trim | StringOp::Lower | StringOp::Upper)
                        })
                        && matches!(c.cast, None | Some(CastType::String))
                        && input.field_with_name(s).map_err(internal)?.data_type()
                            == &DataType::Utf8
                        && expr_schema
                            .field_with_name(s)
                            .map_err(internal)?
                            .data_type()
                            == &DataType::Utf8 =>
                {
                    Some(input.index_of(s).map_err(internal)?)
                }
                _ => None,
            };
            let (sql, field) = value_sql(c, i, &self.maps)?;
            let expr = self.ctx.parse_sql_expr(&sql, &df_schema).map_err(|e| {
                DomainError::invalid_at(&at(i, field), clean_df_error(&e.to_string()))
            })?;
            // Simplified as a query's plan would be: some functions (`coalesce`,
            // `ifnull`, `nvl`) only run in their rewritten form, so what validates
            // here runs too.
            let expr = simplifier
                .coerce(expr, &df_schema)
                .and_then(|e| simplifier.simplify(e))
                .map_err(|e| {
                    DomainError::invalid_at(&at(i, field), clean_df_error(&e.to_string()))
                })?;
            let physical = self
                .ctx
                .create_physical_expr(expr, &df_schema)
                .map_err(|e| {
                    DomainError::invalid_at(&at(i, field), clean_df_error(&e.to_string()))
                })?;
            let value_type = match raw_source {
                Some(idx) => input.field(idx).data_type().clone(),
                None => physical.data_type(&expr_schema).map_err(|e| {
                    DomainError::invalid_at(&at(i, field), clean_df_error(&e.to_string()))
                })?,
            };
            let out_type = c.cast.map(arrow_type).unwrap_or(match &value_type {
                // String functions return views; land plain UTF-8 like every other
                // string column.
                DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
                other => other.clone(),
            });
            if c.cast.is_some_and(|k| k != CastType::Json)
                && !datafusion::arrow::compute::can_cast_types(&value_type, &out_type)
            {
                return Err(DomainError::invalid_at(
                    &at(i, "cast"),
                    format!("cannot cast {value_type} to {out_type}"),
                ));
            }
            let default = match &c.default {
                Some(d) if !d.is_null() => Some(
                    default_scalar(d, &out_type)
                        .map_err(|r| DomainError::invalid_at(&at(i, "default"), r))?,
                ),
                _ => None,
            };
            if !c.exclude {
                out_fields.push(Field::new(&c.target, out_type.clone(), true));
            }
            columns.push(BoundColumn {
                target: c.target.clone(),
                raw_source,
                text_ops,
                ops: c.ops.clone(),
                value: physical,
                cast: c.cast,
                out_type,
                default,
                exclude: c.exclude,
            });
        }
        Ok(BoundPlan {
            columns,
            rules: self.mapping.rules.clone(),
            output: Arc::new(Schema::new(out_fields)),
            typed_sources,
            expr_schema,
        })
    }
}

/// A source column can be decoded as the type `T` when the view expressions see
/// (the cast of its first plain use) is `T` and every plain use casts it to `T`:
/// then reading it typed changes no value and no issue. A value that does not
/// parse makes the decoder read the column as text again, so the cast names it.
fn source_reads(mapping: &Mapping, sources: &[String]) -> Vec<SourceRead> {
    let mut in_exprs: HashSet<String> = HashSet::new();
    for c in &mapping.columns {
        if let Some(e) = &c.expression
            && let Ok(parsed) = parse_sql(e)
        {
            in_exprs.extend(column_refs(&parsed));
        }
        for op in &c.ops {
            if let StringOp::Concat { with, .. } = op {
                in_exprs.extend(with.iter().cloned());
            }
        }
    }
    sources
        .iter()
        .map(|s| {
            let uses: Vec<&ColumnMapping> = mapping
                .columns
                .iter()
                .filter(|c| c.source.as_deref() == Some(s.as_str()))
                .collect();
            let view = uses
                .iter()
                .find_map(|c| c.ops.is_empty().then_some(c.cast).flatten());
            let plain_uses_agree = uses
                .iter()
                .filter(|c| c.ops.is_empty())
                .all(|c| c.cast == view);
            let cannot_fail = |c: &&ColumnMapping| {
                c.exclude && matches!(c.cast, None | Some(CastType::String | CastType::Json))
            };
            match view {
                Some(t) if plain_uses_agree && !matches!(t, CastType::String | CastType::Json) => {
                    SourceRead::Typed(t)
                }
                _ if !in_exprs.contains(s) && uses.iter().all(cannot_fail) => SourceRead::Unused,
                _ => SourceRead::Text,
            }
        })
        .collect()
}

/// DataFusion's messages carry a prefix and sometimes a backtrace hint; keep the
/// sentence a user can act on.
pub fn clean_df_error(e: &str) -> String {
    let e = e.lines().next().unwrap_or(e);
    // An engine-internal failure is the engine's to fix, not the user's to report.
    let e = e
        .split(" This issue was likely caused by a bug")
        .next()
        .unwrap_or(e);
    let e = e
        .trim_start_matches("Schema error: ")
        .trim_start_matches("Error during planning: ")
        .trim_start_matches("SQL error: ")
        .trim_start_matches("Internal error: ");
    e.replace("No field named ", "no column named ")
}

/// The SQL of a column's value before its cast: the source or expression, with
/// its ops wrapped around it (`i` is the column's index, `maps` the value map of
/// each `map` op). Also names the field an error there belongs to.
fn value_sql(
    c: &ColumnMapping,
    i: usize,
    maps: &OpMaps,
) -> Result<(String, &'static str), DomainError> {
    let (mut sql, field) = match (&c.source, &c.expression) {
        (Some(s), _) => (ident(s), "source"),
        (None, Some(e)) => (format!("({e})"), "expression"),
        (None, None) => ("NULL".to_string(), "source"),
    };
    if c.ops.is_empty() {
        return Ok((sql, field));
    }
    sql = format!("CAST({sql} AS VARCHAR)");
    // Whether the value is text: string ops after a map of other values see
    // its text.
    let mut text = true;
    for (j, op) in c.ops.iter().enumerate() {
        if let StringOp::Map { map, .. } = op {
            let lookup = maps.get(&(i, j)).ok_or_else(|| {
                internal(format!("value map `{map}` of column {i} was not compiled"))
            })?;
            sql = format!("{}({sql})", ident(lookup.name()));
            text = lookup.data_type() == &DataType::Utf8;
            continue;
        }
        if !text {
            sql = format!("CAST({sql} AS VARCHAR)");
            text = true;
        }
        sql = match op {
            StringOp::Trim => format!("btrim({sql})"),
            StringOp::Lower => format!("lower({sql})"),
            StringOp::Upper => format!("upper({sql})"),
            StringOp::Substring {
                start,
                length: Some(n),
            } => format!("substr({sql}, {start}, {n})"),
            StringOp::Substring {
                start,
                length: None,
            } => format!("substr({sql}, {start})"),
            StringOp::Replace { from, to } => {
                format!("replace({sql}, {}, {})", literal(from), literal(to))
            }
            StringOp::Concat { with, separator } => {
                let rest: Vec<String> = with
                    .iter()
                    .map(|w| format!("CAST({} AS VARCHAR)", ident(w)))
                    .collect();
                format!(
                    "concat_ws({}, {sql}, {})",
                    literal(separator),
                    rest.join(", ")
                )
            }
            StringOp::Map { .. } => continue,
        };
    }
    Ok((sql, "ops"))
}

fn default_scalar(v: &serde_json::Value, ty: &DataType) -> Result<ScalarValue, String> {
    let s = match v {
        serde_json::Value::String(s) => ScalarValue::Utf8(Some(s.clone())),
        serde_json::Value::Bool(b) => ScalarValue::Boolean(Some(*b)),
        serde_json::Value::Number(n) if n.is_i64() => ScalarValue::Int64(n.as_i64()),
        serde_json::Value::Number(n) => ScalarValue::Float64(n.as_f64()),
        other => ScalarValue::Utf8(Some(other.to_string())),
    };
    let cast = s
        .cast_to(ty)
        .map_err(|_| format!("`{v}` cannot be a {ty} value"))?;
    if cast.is_null() {
        return Err(format!("`{v}` cannot be a {ty} value"));
    }
    Ok(cast)
}

struct BoundColumn {
    target: String,
    /// The input column itself, when the value is a plain source column.
    raw_source: Option<usize>,
    /// The input text column `ops` (trim, lower, upper only) apply to directly.
    text_ops: Option<usize>,
    ops: Vec<StringOp>,
    value: Arc<dyn PhysicalExpr>,
    cast: Option<CastType>,
    out_type: DataType,
    default: Option<ScalarValue>,
    exclude: bool,
}

/// A plan bound to one input schema.
pub struct BoundPlan {
    columns: Vec<BoundColumn>,
    rules: Vec<ValidationRule>,
    output: SchemaRef,
    typed_sources: Vec<(usize, Option<DataType>)>,
    expr_schema: SchemaRef,
}

const SAFE: CastOptions<'static> = CastOptions {
    safe: true,
    format_options: datafusion::arrow::util::display::FormatOptions::new(),
};

/// Casts `array` to `ty`; rows that were not null and became null failed.
fn cast_checked(array: &ArrayRef, ty: &DataType) -> Result<(ArrayRef, Vec<usize>), DomainError> {
    if array.data_type() == ty {
        return Ok((array.clone(), vec![]));
    }
    if let (DataType::Timestamp(from, None), DataType::Timestamp(to, Some(zone))) =
        (array.data_type(), ty)
        && from == to
        && matches!(zone.as_ref(), "UTC" | "+00:00" | "Z")
    {
        // A time without a zone is read as UTC: the same numbers with the zone
        // stated, not a conversion through the time-zone tables per value.
        let data = array
            .to_data()
            .into_builder()
            .data_type(ty.clone())
            .build()
            .map_err(internal)?;
        return Ok((datafusion::arrow::array::make_array(data), vec![]));
    }
    let out = cast_with_options(array, ty, &SAFE).map_err(internal)?;
    let mut failed = vec![];
    if out.null_count() > array.null_count() {
        for row in 0..array.len() {
            if array.is_valid(row) && out.is_null(row) {
                failed.push(row);
            }
        }
    }
    Ok((out, failed))
}

fn cast_reason(array: &ArrayRef, row: usize, kind: CastType) -> String {
    let shown = datafusion::arrow::util::display::ArrayFormatter::try_new(
        array.as_ref(),
        &Default::default(),
    )
    .map(|f| f.value(row).to_string())
    .unwrap_or_default();
    let mut shown: String = shown.chars().take(60).collect();
    if shown.len() == 60 {
        shown.push('…');
    }
    let kind = serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("`{shown}` is not a valid {kind}")
}

impl BoundPlan {
    pub fn output_schema(&self) -> &SchemaRef {
        &self.output
    }

    /// Maps a batch and checks the rules. Never fails on bad data: bad values
    /// become issues (and nulls); an `Err` is a bug or an impossible plan.
    pub fn apply(&self, input: &RecordBatch) -> Result<Applied, DomainError> {
        let rows = input.num_rows();
        let mut issues = vec![];
        let batch = if self.columns.is_empty() {
            input.clone()
        } else {
            // Expressions read typed source columns (built only when some column
            // is computed rather than read as is).
            let mut typed = Vec::with_capacity(self.typed_sources.len());
            let needs_view = self
                .columns
                .iter()
                .any(|c| c.raw_source.is_none() && c.text_ops.is_none());
            for (idx, ty) in self.typed_sources.iter().filter(|_| needs_view) {
                let col = input.column(*idx);
                typed.push(match ty {
                    Some(t) => cast_checked(col, t)?.0,
                    None => col.clone(),
                });
            }
            let expr_batch = if needs_view {
                RecordBatch::try_new(self.expr_schema.clone(), typed).map_err(internal)?
            } else {
                RecordBatch::new_empty(self.expr_schema.clone())
            };
            let mut out = Vec::with_capacity(self.output.fields().len());
            for c in &self.columns {
                // A plain source column is read raw (not through the typed view),
                // so a failed cast is reported on this column.
                let raw_value = match (c.raw_source, c.text_ops) {
                    (Some(idx), _) => input.column(idx).clone(),
                    (None, Some(idx)) => text_ops(input.column(idx), &c.ops)?,
                    (None, None) => c
                        .value
                        .evaluate(&expr_batch)
                        .and_then(|v| v.into_array(rows))
                        .map_err(|e| {
                            DomainError::invalid(
                                "mapping",
                                format!("{}: {}", c.target, clean_df_error(&e.to_string())),
                            )
                        })?,
                };
                let mut array = match c.cast {
                    Some(CastType::Json) | None if raw_value.data_type() != &c.out_type => {
                        cast_checked(&raw_value, &c.out_type)?.0
                    }
                    Some(CastType::Json) => raw_value,
                    Some(kind) => {
                        let (cast, failed) = cast_checked(&raw_value, &c.out_type)?;
                        for row in failed {
                            issues.push(RowIssue {
                                row,
                                column: c.target.clone(),
                                kind: "type_mismatch",
                                reason: cast_reason(&raw_value, row, kind),
                            });
                        }
                        cast
                    }
                    None => raw_value,
                };
                if let Some(d) = &c.default
                    && array.null_count() > 0
                {
                    let mask = is_null(&array).map_err(internal)?;
                    let fill = d.to_array_of_size(rows).map_err(internal)?;
                    array = datafusion::arrow::compute::kernels::zip::zip(&mask, &fill, &array)
                        .map_err(internal)?;
                }
                if !c.exclude {
                    out.push(array);
                }
            }
            RecordBatch::try_new(self.output.clone(), out).map_err(internal)?
        };
        self.check_rules(&batch, &mut issues)?;
        issues.sort_by_key(|i| i.row);
        Ok(Applied { batch, issues })
    }

    fn check_rules(
        &self,
        batch: &RecordBatch,
        issues: &mut Vec<RowIssue>,
    ) -> Result<(), DomainError> {
        for rule in &self.rules {
            match rule {
                ValidationRule::NotNull { column } => {
                    let Some(col) = batch.column_by_name(column) else {
                        missing(batch, column, issues);
                        continue;
                    };
                    if col.null_count() > 0 {
                        for row in 0..col.len() {
                            if col.is_null(row) {
                                issues.push(RowIssue {
                                    row,
                                    column: column.clone(),
                                    kind: "null_in_not_null",
                                    reason: "is null".into(),
                                });
                            }
                        }
                    }
                }
                ValidationRule::Type { column, kind } => {
                    let Some(col) = batch.column_by_name(column) else {
                        missing(batch, column, issues);
                        continue;
                    };
                    if *kind == CastType::Json {
                        continue;
                    }
                    let (_, failed) = cast_checked(col, &arrow_type(*kind))?;
                    for row in failed {
                        issues.push(RowIssue {
                            row,
                            column: column.clone(),
                            kind: "type_mismatch",
                            reason: cast_reason(col, row, *kind),
                        });
                    }
                }
                ValidationRule::AllowedValues { column, values } => {
                    let Some(col) = batch.column_by_name(column) else {
                        missing(batch, column, issues);
                        continue;
                    };
                    let allowed: HashSet<String> = values
                        .iter()
                        .map(|v| {
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string())
                        })
                        .collect();
                    let text = cast_with_options(col, &DataType::Utf8, &SAFE).map_err(internal)?;
                    let text = text
                        .as_any()
                        .downcast_ref::<StringArray>()
                        .ok_or_else(|| internal("text"))?;
                    for row in 0..text.len() {
                        if text.is_valid(row) && !allowed.contains(text.value(row)) {
                            issues.push(RowIssue {
                                row,
                                column: column.clone(),
                                kind: "not_allowed",
                                reason: format!("`{}` is not an allowed value", text.value(row)),
                            });
                        }
                    }
                }
                ValidationRule::UniqueKey { columns } => {
                    let mut arrays = vec![];
                    for c in columns {
                        match batch.column_by_name(c) {
                            Some(a) => arrays.push(a.clone()),
                            None => {
                                missing(batch, c, issues);
                            }
                        }
                    }
                    if arrays.len() != columns.len() {
                        continue;
                    }
                    for row in duplicate_rows(&arrays)? {
                        issues.push(RowIssue {
                            row,
                            column: columns.join(","),
                            kind: "duplicate_key",
                            reason: "duplicates the key of an earlier row".into(),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// `btrim` (spaces only), `lower` and `upper` as DataFusion computes them: ASCII
/// text byte by byte, other text by Unicode's mappings.
fn text_ops(array: &ArrayRef, ops: &[StringOp]) -> Result<ArrayRef, DomainError> {
    let strings = array
        .as_string_opt::<i32>()
        .ok_or_else(|| internal("string ops need a text column"))?;
    let mut out = StringBuilder::with_capacity(strings.len(), strings.value_data().len());
    let mut value = String::new();
    for v in strings.iter() {
        let Some(v) = v else {
            out.append_null();
            continue;
        };
        value.clear();
        value.push_str(v);
        for op in ops {
            match op {
                StringOp::Trim => {
                    let end = value.trim_end_matches(' ').len();
                    value.truncate(end);
                    let start = end - value.trim_start_matches(' ').len();
                    value.drain(..start);
                }
                StringOp::Upper if value.is_ascii() => value.make_ascii_uppercase(),
                StringOp::Upper => value = value.to_uppercase(),
                StringOp::Lower if value.is_ascii() => value.make_ascii_lowercase(),
                StringOp::Lower => value = value.to_lowercase(),
                _ => return Err(internal("only trim, lower and upper run on text directly")),
            }
        }
        out.append_value(&value);
    }
    Ok(Arc::new(out.finish()))
}

fn missing(batch: &RecordBatch, column: &str, issues: &mut Vec<RowIssue>) {
    if batch.num_rows() > 0 {
        issues.push(RowIssue {
            row: 0,
            column: column.to_string(),
            kind: "missing_column",
            reason: "the column is missing".into(),
        });
    }
}

/// Rows whose key equals an earlier row's key.
pub fn duplicate_rows(keys: &[ArrayRef]) -> Result<Vec<usize>, DomainError> {
    let fields = keys
        .iter()
        .map(|a| SortField::new(a.data_type().clone()))
        .collect();
    let converter = RowConverter::new(fields).map_err(internal)?;
    let rows = converter.convert_columns(keys).map_err(internal)?;
    let mut seen = HashMap::with_capacity(rows.num_rows());
    let mut dups = vec![];
    for (i, row) in rows.iter().enumerate() {
        if seen.insert(row, i).is_some() {
            dups.push(i);
        }
    }
    Ok(dups)
}

/// An all-null column of `ty` (for schema-less sources with a missing column).
pub fn null_column(ty: &DataType, rows: usize) -> ArrayRef {
    new_null_array(ty, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::TimestampMicrosecondArray;

    #[test]
    fn a_time_without_a_zone_cast_to_a_timestamp_keeps_its_value_as_utc() {
        let naive: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![
            Some(1_767_225_600_000_000),
            None,
            Some(-1),
        ]));
        let utc = arrow_type(CastType::Timestamp);
        let (fast, failed) = cast_checked(&naive, &utc).expect("casts");
        assert!(failed.is_empty());
        let slow = cast_with_options(&naive, &utc, &SAFE).expect("arrow casts");
        assert_eq!(fast.data_type(), &utc);
        assert_eq!(
            fast.to_data(),
            slow.to_data(),
            "as arrow's own cast reads it"
        );
    }
}
