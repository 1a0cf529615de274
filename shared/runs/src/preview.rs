//! Previews: a few rows of a stream before and after the mapping, side by side,
//! with the warnings they raise. Reads one small step from the source and writes
//! nothing.

use std::time::Duration;

use async_trait::async_trait;
use sluice_app::error::{ServiceError, ServiceResult};
use sluice_app::ports::{Preview, PreviewRequest, PreviewWarning, QueryResult};
use sluice_app::{Deps, Previewer, records};
use sluice_connectors::{Budget, ConnectorError, Probe, StreamRequest};
use sluice_domain::discovery::{
    DiscoveredField, DiscoveredStream, FoundBy, SourceTest, infer_cast, sampled_type,
};
use sluice_domain::entities::CastType;
use sluice_domain::entities::{DataMart, Definition, Problem, Source, ValueMaps};
use sluice_engine::datafusion::arrow::array::RecordBatch;
use sluice_engine::transform::{CompiledMapping, Decoded, decode};

/// The previewer backed by the embedded engine and the connectors of this build.
pub struct EnginePreviewer;

fn result(batch: &RecordBatch) -> ServiceResult<QueryResult> {
    let columns = sluice_engine::column_infos(batch.schema().fields());
    let rows = sluice_engine::to_rows(std::slice::from_ref(batch))
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(QueryResult {
        columns,
        rows,
        next_page: None,
    })
}

#[async_trait]
impl Previewer for EnginePreviewer {
    async fn plan(&self, definition: &Definition, maps: &ValueMaps) -> ServiceResult<Vec<Problem>> {
        let Definition::Connector(def) = definition else {
            return Ok(vec![]);
        };
        Ok(def
            .streams
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let base = sluice_domain::Field::new("definition.streams")
                    .index(i)
                    .join("mapping");
                CompiledMapping::compile_with_maps(&s.mapping, &base, maps)
                    .err()
                    .map(Problem::from)
            })
            .collect())
    }

    async fn preview(
        &self,
        deps: &Deps,
        mart: &DataMart,
        definition: Definition,
        req: &PreviewRequest,
    ) -> ServiceResult<Preview> {
        let Definition::Connector(def) = definition else {
            return Err(ServiceError::invalid(
                "definition.kind",
                "previews are for connector definitions",
            ));
        };
        let index = req.stream.unwrap_or(0) as usize;
        let selection = def.streams.get(index).ok_or_else(|| {
            ServiceError::invalid(
                "stream",
                format!(
                    "the definition has {} stream(s); there is no stream {index}",
                    def.streams.len()
                ),
            )
        })?;
        let base = sluice_domain::Field::new("definition.streams")
            .index(index)
            .join("mapping");
        // A mapping that cannot compile is refused before the source is called.
        let project = &mart.meta.project_id;
        let maps = sluice_app::services::value_maps::load_named(
            deps.store.as_ref(),
            project,
            selection.mapping.value_maps(),
        )
        .await?;
        let mapping = CompiledMapping::compile_with_maps(&selection.mapping, &base, &maps)?;
        let source = records::get::<Source>(deps.store.as_ref(), project, &def.source_id)
            .await?
            .filter(|s| s.meta.deleted_at.is_none())
            .ok_or_else(|| {
                ServiceError::invalid(
                    "definition.source_id",
                    format!("source {} not found in this project", def.source_id),
                )
            })?;
        let (extractor, config) = open_source(deps, &source).await?;
        let creds = crate::credentials::SourceCredentials::of(&deps.secrets, &source);
        let limit = req.limit.unwrap_or(20) as usize;
        let stream_req = StreamRequest {
            credentials: Some(&creds),
            stream: &selection.name,
            config: &config,
            cursor: None,
            lookback: Duration::ZERO,
            window: None,
            batch_size: limit,
            parallelism: 1,
            files: deps.file_access(project),
        };
        let chunks = sample(extractor.as_ref(), &stream_req, limit)
            .await
            .map_err(|e| match e {
                // The stream's name (a glob) is the definition's, not the source's.
                ConnectorError::Config { field, reason }
                    if field == "stream" || field == "streams.name" =>
                {
                    ServiceError::invalid(format!("definition.streams[{index}].name"), reason)
                }
                other => source_error(other),
            })?;
        let chunk = join_chunks(chunks, limit);
        let mut warnings = vec![];
        let Some(chunk) = chunk else {
            let empty = QueryResult {
                columns: vec![],
                rows: vec![],
                next_page: None,
            };
            return Ok(Preview {
                stream: selection.name.clone(),
                before: empty,
                after: QueryResult {
                    columns: vec![],
                    rows: vec![],
                    next_page: None,
                },
                warnings,
            });
        };
        for e in &chunk.errors {
            warnings.push(PreviewWarning {
                row: Some(e.row),
                column: None,
                kind: "bad_row".into(),
                reason: e.reason.clone(),
            });
        }
        let decoded = rows_of(&chunk)?;
        for (row, reason) in &decoded.rejected {
            warnings.push(PreviewWarning {
                row: Some(*row),
                column: None,
                kind: "bad_row".into(),
                reason: reason.clone(),
            });
        }
        let bound = mapping.bind(decoded.batch.schema_ref())?;
        let applied = bound.apply(&decoded.batch)?;
        let row_of = |i: usize| decoded.row_numbers.as_ref().map_or(i as u64 + 1, |n| n[i]);
        for issue in &applied.issues {
            warnings.push(PreviewWarning {
                row: Some(row_of(issue.row)),
                column: Some(issue.column.clone()),
                kind: issue.kind.into(),
                reason: issue.reason.clone(),
            });
        }
        // Against the table the last run landed.
        if !mart.schema.is_empty() {
            for f in bound.output_schema().fields() {
                let kind = crate::finalize_type_name(f.data_type());
                match mart.schema.iter().find(|s| &s.name == f.name()) {
                    Some(s) if s.kind != kind => warnings.push(PreviewWarning {
                        row: None,
                        column: Some(f.name().clone()),
                        kind: "schema_mismatch".into(),
                        reason: format!("is {} in the table and {kind} in this mapping", s.kind),
                    }),
                    Some(_) => {}
                    None => warnings.push(PreviewWarning {
                        row: None,
                        column: Some(f.name().clone()),
                        kind: "schema_mismatch".into(),
                        reason: "is not in the table yet; the next run adds it".into(),
                    }),
                }
            }
            for s in &mart.schema {
                if bound.output_schema().field_with_name(&s.name).is_err() {
                    warnings.push(PreviewWarning {
                        row: None,
                        column: Some(s.name.clone()),
                        kind: "schema_mismatch".into(),
                        reason: "is in the table but this mapping does not produce it".into(),
                    });
                }
            }
        }
        Ok(Preview {
            stream: selection.name.clone(),
            before: result(&decoded.batch)?,
            after: result(&applied.batch)?,
            warnings,
        })
    }

    async fn test_source(&self, deps: &Deps, source: &Source) -> ServiceResult<SourceTest> {
        let (extractor, config) = open_source(deps, source).await?;
        let creds = crate::credentials::SourceCredentials::of(&deps.secrets, source);
        let probe = Probe {
            credentials: Some(&creds),
            config: &config,
            files: deps.file_access(&source.meta.project_id),
        };
        Ok(extractor.test(&probe).await)
    }

    async fn streams(
        &self,
        deps: &Deps,
        source: &Source,
        name: Option<&str>,
    ) -> ServiceResult<Vec<DiscoveredStream>> {
        let (extractor, config) = open_source(deps, source).await?;
        let creds = crate::credentials::SourceCredentials::of(&deps.secrets, source);
        let probe = Probe {
            credentials: Some(&creds),
            config: &config,
            files: deps.file_access(&source.meta.project_id),
        };
        let offered = extractor.streams(&probe).await.map_err(source_error)?;
        let mut streams = match (name, offered) {
            (Some(n), offered) => vec![
                offered
                    .into_iter()
                    .flatten()
                    .find(|s| s.name == n)
                    .unwrap_or_else(|| {
                        DiscoveredStream::new(n.to_string(), vec![], vec![], FoundBy::Sample)
                    }),
            ],
            (None, Some(offered)) => offered,
            (None, None) => {
                return Err(ServiceError::invalid(
                    "name",
                    format!(
                        "the streams of a `{}` source are paths you name: ask for one with ?name=<path>",
                        source.connector
                    ),
                ));
            }
        };
        let named = name.is_some();
        for s in streams
            .iter_mut()
            .filter(|s| s.found_by == FoundBy::Sample)
            .take(MAX_SAMPLED)
        {
            let fields = match sample_stream(deps, source, extractor.as_ref(), &config, &s.name)
                .await
            {
                Ok(f) => f,
                // A stream asked for by name says why it cannot be read; in a
                // listing, one that cannot is shown without fields.
                Err(e) if named => return Err(e),
                Err(e) => {
                    tracing::info!(stream = %s.name, error = %e, "A stream could not be sampled.");
                    continue;
                }
            };
            *s =
                DiscoveredStream::new(std::mem::take(&mut s.name), fields, vec![], FoundBy::Sample);
        }
        Ok(streams)
    }
}

/// The extractor of `source` in this build, and its config with its secret
/// fields filled in.
async fn open_source(
    deps: &Deps,
    source: &Source,
) -> ServiceResult<(
    Box<dyn sluice_connectors::Extractor>,
    serde_json::Map<String, serde_json::Value>,
)> {
    let extractor =
        sluice_connectors::extractor(&source.connector, &deps.egress).ok_or_else(|| {
            ServiceError::Unavailable(format!(
                "connector `{}` is not linked in this build",
                source.connector
            ))
        })?;
    let config = crate::source_config(deps, source)
        .await
        .map_err(|f| match f {
            crate::Fault::Permanent(m) => ServiceError::Conflict(m),
            crate::Fault::Transient(m) => ServiceError::Internal(m),
            crate::Fault::Later(_) => ServiceError::Unavailable("try again shortly".into()),
        })?;
    Ok((extractor, config))
}

/// A connector's error as the caller of a preview or discovery sees it: a
/// config field of the source, or the source not answering.
fn source_error(e: ConnectorError) -> ServiceError {
    match e {
        ConnectorError::Config { field, reason }
            if field == "stream" || field == "streams.name" =>
        {
            ServiceError::invalid("name", reason)
        }
        ConnectorError::Config { field, reason } => {
            ServiceError::invalid(format!("source.config.{field}"), reason)
        }
        ConnectorError::Upstream { reason, .. } => {
            ServiceError::Unavailable(format!("the source did not answer: {reason}"))
        }
    }
}

/// Up to `limit` rows from the start of the stream `req` names: a connector
/// may end a chunk early (at a file's end), so a few steps if needed, within
/// 20 s.
async fn sample(
    extractor: &dyn sluice_connectors::Extractor,
    req: &StreamRequest<'_>,
    limit: usize,
) -> Result<Vec<sluice_connectors::RawChunk>, ConnectorError> {
    let mut chunks = vec![];
    let mut position = None;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    for _ in 0..10 {
        let budget = Budget::new(
            1,
            deadline.saturating_duration_since(std::time::Instant::now()),
        );
        let step = extractor.step(req, position.as_ref(), budget).await?;
        chunks.extend(step.chunks);
        let rows: u64 = chunks.iter().map(|c| c.rows).sum();
        position = step.next;
        if position.is_none() || rows as usize >= limit || std::time::Instant::now() >= deadline {
            break;
        }
    }
    Ok(chunks)
}

/// Rows a sampled stream's fields are read from.
const SAMPLE_ROWS: usize = 200;
/// Streams of a listing whose fields are sampled (the rest are named only).
const MAX_SAMPLED: usize = 20;

/// The fields of `batch` (a stream's first rows), each with the cast that
/// lands it: text by what its values hold, typed columns by their type.
fn sampled_fields(batch: &RecordBatch) -> Vec<DiscoveredField> {
    use sluice_engine::datafusion::arrow::compute::cast;
    use sluice_engine::datafusion::arrow::datatypes::DataType as T;
    batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(f, col)| {
            let (source_type, cast_type, empty) = match f.data_type() {
                T::Utf8 | T::LargeUtf8 | T::Utf8View => {
                    let text = cast(col, &T::Utf8).ok();
                    let values: Vec<&str> = text
                        .as_ref()
                        .and_then(|a| a.as_any().downcast_ref::<sluice_engine::datafusion::arrow::array::StringArray>())
                        .map(|a| a.iter().flatten().collect())
                        .unwrap_or_default();
                    let empty = values.iter().any(|v| v.trim().is_empty());
                    let c = infer_cast(values.iter().copied());
                    (sampled_type(c).to_string(), c, empty)
                }
                T::Int8 | T::Int16 | T::Int32 | T::Int64 | T::UInt8 | T::UInt16 | T::UInt32
                | T::UInt64 => ("integer".into(), CastType::Int, false),
                T::Float16 | T::Float32 | T::Float64 => ("number".into(), CastType::Float, false),
                T::Decimal128(p, s) if *s >= 0 && (*s as u8) <= *p => (
                    format!("decimal({p},{s})"),
                    CastType::Decimal {
                        precision: *p,
                        scale: *s as u8,
                    },
                    false,
                ),
                T::Boolean => ("boolean".into(), CastType::Bool, false),
                T::Date32 | T::Date64 => ("date".into(), CastType::Date, false),
                T::Timestamp(..) => ("timestamp".into(), CastType::Timestamp, false),
                T::List(_) | T::LargeList(_) | T::Struct(_) | T::Map(..) => {
                    ("json".into(), CastType::Json, false)
                }
                other => (other.to_string().to_lowercase(), CastType::String, false),
            };
            DiscoveredField {
                name: f.name().clone(),
                source_type,
                cast: cast_type,
                nullable: empty || col.null_count() > 0,
            }
        })
        .collect()
}

/// The fields of the stream `name` of a source, read from its first rows.
async fn sample_stream(
    deps: &Deps,
    source: &Source,
    extractor: &dyn sluice_connectors::Extractor,
    config: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> ServiceResult<Vec<DiscoveredField>> {
    let creds = crate::credentials::SourceCredentials::of(&deps.secrets, source);
    let req = StreamRequest {
        credentials: Some(&creds),
        stream: name,
        config,
        cursor: None,
        lookback: Duration::ZERO,
        window: None,
        batch_size: SAMPLE_ROWS,
        parallelism: 1,
        files: deps.file_access(&source.meta.project_id),
    };
    let chunks = sample(extractor, &req, SAMPLE_ROWS)
        .await
        .map_err(source_error)?;
    let Some(chunk) = join_chunks(chunks, SAMPLE_ROWS) else {
        return Ok(vec![]);
    };
    let decoded = rows_of(&chunk)?;
    Ok(sampled_fields(&decoded.batch))
}

/// The rows of a sampled chunk: a database source's columns as they are, any
/// other chunk decoded from its bytes.
fn rows_of(
    chunk: &sluice_connectors::RawChunk,
) -> Result<Decoded, sluice_domain::error::DomainError> {
    match &chunk.batch {
        Some(batch) => Ok(Decoded {
            batch: batch.clone(),
            row_numbers: None,
            rejected: vec![],
        }),
        None => decode(chunk.format, &chunk.bytes, None),
    }
}

/// One chunk of at most about `limit` rows from the first chunks of a stream:
/// NDJSON lines are joined, CSV chunks keep the first header only, Parquet
/// files and a database's columns (which cannot be joined byte-wise) keep their
/// first chunk.
fn join_chunks(
    chunks: Vec<sluice_connectors::RawChunk>,
    limit: usize,
) -> Option<sluice_connectors::RawChunk> {
    use sluice_domain::pipeline::ChunkFormat;
    let mut it = chunks.into_iter();
    let mut first = it.next()?;
    if first.format.is_columnar() {
        return Some(first);
    }
    for next in it {
        if first.rows as usize >= limit || next.format != first.format {
            break;
        }
        let body: &[u8] = match next.format {
            ChunkFormat::Csv { .. } => match next.bytes.iter().position(|b| *b == b'\n') {
                Some(i) => &next.bytes[i + 1..],
                None => &[],
            },
            _ => &next.bytes,
        };
        if !first.bytes.ends_with(b"\n") && !first.bytes.is_empty() {
            first.bytes.push(b'\n');
        }
        first.bytes.extend_from_slice(body);
        first.errors.extend(next.errors.into_iter().map(|mut e| {
            e.row += first.rows;
            e
        }));
        first.rows += next.rows;
    }
    Some(first)
}
