//! `POST /v1/sources/{id}/data-marts`: several data marts over streams of one
//! source in one request, the migration wizard's last step.
//!
//! All or nothing: every entry is checked (its stream found by one discovery
//! of the source, its mapping suggested or checked as a definition is, and
//! publishing's checks when it is to be published) before anything is
//! written. Each mart is then written once, with its definition and status.
//! Should a write fail midway (the store unreachable), the marts this request
//! already wrote are deleted again; that cleanup is best effort: a mart it
//! cannot delete is logged, and stays as a draft or published mart the caller
//! may delete.

use serde::Serialize;
use sluice_domain::IdOf;
use sluice_domain::discovery::DiscoveredStream;
use sluice_domain::entities::{
    ConnectorDefinition, CreateSourceDataMarts, DataMart, Definition, GivenPipeline,
    PipelineSettings, Source, SourceDataMart, Storage, StreamSelection, WriteMode,
};
use sluice_domain::suggest::suggest_keyed;

use super::data_marts::{self, Checker};
use super::{Ctx, load, require_ref};
use crate::error::{ServiceError, ServiceResult, clip};
use crate::ports::Previewer;

/// What `POST /v1/sources/{id}/data-marts` answers: the data marts created, in
/// the order the request gave them.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CreatedDataMarts {
    pub items: Vec<DataMart>,
}

/// Stream names an unknown stream's error lists at most.
const NAMES_SHOWN: usize = 20;

pub async fn create(
    ctx: &Ctx<'_>,
    engine: &dyn Previewer,
    id: &IdOf<Source>,
    body: CreateSourceDataMarts,
) -> ServiceResult<CreatedDataMarts> {
    let (storage_id, titles) = body.validate()?;
    let source: Source = load(ctx, id).await?;
    require_ref::<Storage>(ctx, "storage_id", storage_id.as_id()).await?;
    // One discovery for every entry: on AWS each is a call of the engine
    // function, which reads the source's catalog.
    let found = engine.streams(ctx.deps, &source, None).await?;
    let mut marts = Vec::with_capacity(body.marts.len());
    for (i, (entry, title)) in body.marts.into_iter().zip(titles).enumerate() {
        let stream = found.iter().find(|s| s.name == entry.stream);
        let mut dm = data_marts::draft(ctx, title, storage_id.clone(), entry.description.clone());
        let def = definition(i, id, entry, stream, &found)?;
        let check = Checker::Engine(engine);
        let checked = if body.publish {
            dm.definition = Some(def);
            data_marts::publish_checked(ctx, check, &mut dm).await
        } else {
            data_marts::define(ctx, check, &mut dm, def).await
        };
        checked.map_err(|e| under_entry(i, e))?;
        marts.push(dm);
    }
    write_all(ctx, &marts).await?;
    tracing::info!(source_id = %id, marts = marts.len(), published = body.publish, "Data marts created over a source.");
    Ok(CreatedDataMarts { items: marts })
}

/// The connector definition of entry `i`: its mapping and pipeline, or the
/// suggested ones (keyed on the stream's primary key, merged on it).
fn definition(
    i: usize,
    source_id: &IdOf<Source>,
    entry: SourceDataMart,
    stream: Option<&DiscoveredStream>,
    found: &[DiscoveredStream],
) -> ServiceResult<Definition> {
    let at = format!("marts[{i}]");
    let Some(stream) = stream else {
        let names: Vec<&str> = found.iter().map(|s| s.name.as_str()).collect();
        let shown = names.iter().take(NAMES_SHOWN).copied().collect::<Vec<_>>();
        let more = names.len().saturating_sub(NAMES_SHOWN);
        return Err(ServiceError::invalid(
            format!("{at}.stream"),
            format!(
                "the source offers no stream `{}`; it offers: {}{}",
                clip(&entry.stream),
                if shown.is_empty() {
                    "none".to_string()
                } else {
                    shown.join(", ")
                },
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
        ));
    };
    let given = entry.pipeline.map(
        |GivenPipeline {
             settings,
             write_mode_given,
         }| (settings, write_mode_given),
    );
    let (mut pipeline, write_mode_given) = given.unwrap_or((PipelineSettings::default(), false));
    let mapping = match entry.mapping {
        Some(m) => m,
        None => {
            super::configured::fields_to_map(&format!("{at}.stream"), &stream.name, Some(stream))?;
            let (mapping, keyed) = suggest_keyed(stream);
            if keyed && !write_mode_given {
                pipeline.write_mode = WriteMode::Merge;
            }
            mapping
        }
    };
    Ok(Definition::Connector(ConnectorDefinition {
        source_id: source_id.clone(),
        streams: vec![StreamSelection {
            name: stream.name.clone(),
            mapping,
        }],
        pipeline,
    }))
}

/// A definition's problem as entry `i`'s: `definition.streams[0].mapping…`
/// is `marts[i].mapping…`, `definition.pipeline…` is `marts[i].pipeline…`.
fn entry_field(i: usize, field: &str) -> String {
    let at = format!("marts[{i}]");
    if let Some(rest) = field.strip_prefix("definition.streams[0]") {
        return match rest {
            "" | ".name" => format!("{at}.stream"),
            rest => format!("{at}{rest}"),
        };
    }
    match field.strip_prefix("definition") {
        Some(rest) if rest.is_empty() || rest.starts_with('.') => format!("{at}{rest}"),
        _ => field.to_string(),
    }
}

fn under_entry(i: usize, e: ServiceError) -> ServiceError {
    let ServiceError::Validation {
        field,
        reason,
        mut details,
    } = e
    else {
        return e;
    };
    let field = entry_field(i, &field);
    if let Some(d) = details.as_object_mut() {
        d.insert("field".into(), field.clone().into());
        if let Some(problems) = d.get_mut("problems").and_then(|p| p.as_array_mut()) {
            for p in problems {
                if let Some(f) = p.get("field").and_then(|f| f.as_str()).map(str::to_string) {
                    p["field"] = entry_field(i, &f).into();
                }
            }
        }
    }
    ServiceError::Validation {
        field,
        reason,
        details,
    }
}

/// Writes every mart, or, when one write fails, deletes those written before
/// it (best effort) and fails with the write's error.
async fn write_all(ctx: &Ctx<'_>, marts: &[DataMart]) -> ServiceResult<()> {
    for (n, dm) in marts.iter().enumerate() {
        if let Err(e) = super::insert(ctx, dm).await {
            for written in &marts[..n] {
                let id = IdOf::of_record(written);
                if let Err(cleanup) = data_marts::delete(ctx, &id).await {
                    tracing::warn!(data_mart_id = %written.meta.id, error = %cleanup, "Could not delete a data mart of a request that failed midway; delete it.");
                }
            }
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definitions_fields_are_named_under_the_entry() {
        for (from, to) in [
            (
                "definition.streams[0].mapping.columns[1].expression",
                "marts[3].mapping.columns[1].expression",
            ),
            (
                "definition.streams[0].mapping.rules[0]",
                "marts[3].mapping.rules[0]",
            ),
            ("definition.streams[0].name", "marts[3].stream"),
            (
                "definition.pipeline.write_mode",
                "marts[3].pipeline.write_mode",
            ),
            ("definition", "marts[3]"),
            ("storage_id", "storage_id"),
        ] {
            assert_eq!(entry_field(3, from), to);
        }
    }
}
