//! Value maps: the project's lookup tables a mapping's `map` op applies. A map's
//! id derives from its project and name, so the name is unique in the project
//! and a definition's op finds its map with one read of its own project's key.

use sluice_domain::entities::{
    CreateValueMap, DataMart, Meta, UpdateValueMap, ValueMap, ValueMaps,
};
use sluice_domain::ports::{ListQuery, MetadataStore, StoreError};
use sluice_domain::{Id, IdOf, Kind};

use super::{Ctx, List, Page, list_page, load, load_any, save, soft_delete};
use crate::error::{ServiceError, ServiceResult};
use crate::records;

pub async fn create(ctx: &Ctx<'_>, body: CreateValueMap) -> ServiceResult<ValueMap> {
    let v = body.validate()?;
    let id = ValueMap::id_for(ctx.project(), &v.name);
    let mut meta = Meta::new(
        Kind::ValueMap,
        ctx.project(),
        &ctx.principal.subject,
        ctx.now,
    );
    meta.id = id.as_id().clone();
    let mut m = ValueMap {
        meta,
        name: v.name,
        title: v.title,
        description: v.description,
        case_insensitive: v.case_insensitive,
        entries: v.entries,
    };
    match ctx.deps.store.insert(&super::to_record(&m)?).await {
        Ok(()) => Ok(m),
        Err(StoreError::AlreadyExists) => {
            // A deleted map's name is free again: the new map takes its record.
            let old: ValueMap = load_any(ctx, &id).await?;
            if old.meta.deleted_at.is_none() {
                return Err(ServiceError::Conflict(format!(
                    "the project has a value map named `{}` already ({id})",
                    m.name
                )));
            }
            m.meta.version = old.meta.version;
            save(ctx, &mut m, None).await?;
            Ok(m)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn list(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<ValueMap>> {
    list_page::<ValueMap>(ctx, page).await
}

pub async fn get(ctx: &Ctx<'_>, id: &IdOf<ValueMap>) -> ServiceResult<ValueMap> {
    load(ctx, id).await
}

pub async fn update(
    ctx: &Ctx<'_>,
    id: &IdOf<ValueMap>,
    body: UpdateValueMap,
) -> ServiceResult<ValueMap> {
    let mut m: ValueMap = load(ctx, id).await?;
    let version = body.version;
    body.apply(&mut m)?;
    save(ctx, &mut m, version).await?;
    Ok(m)
}

/// Refused while a live data mart's definition applies the map: a run of it
/// would fail.
pub async fn delete(ctx: &Ctx<'_>, id: &IdOf<ValueMap>) -> ServiceResult<()> {
    let mut m: ValueMap = load(ctx, id).await?;
    let users = marts_using(ctx.deps.store.as_ref(), ctx.project(), &m.name).await?;
    if !users.is_empty() {
        const SHOWN: usize = 10;
        let mut named: Vec<String> = users.iter().take(SHOWN).map(Id::to_string).collect();
        if users.len() > SHOWN {
            named.push(format!("and {} more", users.len() - SHOWN));
        }
        return Err(ServiceError::Conflict(format!(
            "value map `{}` is used by data mart{} {}; take it out of their definitions first",
            m.name,
            if users.len() == 1 { "" } else { "s" },
            named.join(", ")
        )));
    }
    soft_delete(ctx, &mut m).await
}

/// The live data marts of `project` whose definition applies map `name`.
async fn marts_using(
    store: &dyn MetadataStore,
    project: &Id,
    name: &str,
) -> ServiceResult<Vec<Id>> {
    let mut out = vec![];
    let mut after = None;
    loop {
        let page = store
            .list(&ListQuery {
                project: project.clone(),
                kind: Kind::DataMart,
                parent: None,
                after,
                limit: 1000,
            })
            .await?;
        for r in &page.records {
            let mart: DataMart = records::from_record(r)?;
            if mart
                .definition
                .as_ref()
                .is_some_and(|d| d.value_maps().contains(name))
            {
                out.push(mart.meta.id);
            }
        }
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// The live maps of `project` among `names` (what a definition's ops name):
/// one read each, by the key the name gives in this project only. A name with
/// no live map is left out; compiling the mapping names the op that wants it.
pub async fn load_named<'a>(
    store: &dyn MetadataStore,
    project: &Id,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<ValueMaps, StoreError> {
    let mut maps = ValueMaps::new();
    for name in names {
        let id = ValueMap::id_for(project, name);
        if let Some(m) = records::get::<ValueMap>(store, project, id.as_id()).await?
            && m.meta.deleted_at.is_none()
            && m.name == name
        {
            maps.insert(name.to_string(), m);
        }
    }
    Ok(maps)
}
