//! Storages.

use sluice_domain::entities::{
    CreateStorage, Meta, Storage, StorageConfig, UpdateStorage, validate_title,
};
use sluice_domain::ports::ListQuery;
use sluice_domain::{IdOf, Kind};

use super::{Ctx, List, Page, list_page, load, save, soft_delete};
use crate::error::{ServiceError, ServiceResult};

pub async fn create(ctx: &Ctx<'_>, body: CreateStorage) -> ServiceResult<Storage> {
    let (title, config) = body.validate()?;
    let storage = Storage {
        meta: Meta::new(
            Kind::Storage,
            ctx.project(),
            &ctx.principal.subject,
            ctx.now,
        ),
        title,
        config,
    };
    super::insert(ctx, &storage).await?;
    Ok(storage)
}

pub async fn list(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<Storage>> {
    list_page::<Storage>(ctx, page).await
}

pub async fn get(ctx: &Ctx<'_>, id: &IdOf<Storage>) -> ServiceResult<Storage> {
    load(ctx, id).await
}

pub async fn update(
    ctx: &Ctx<'_>,
    id: &IdOf<Storage>,
    body: UpdateStorage,
) -> ServiceResult<Storage> {
    let mut s: Storage = load(ctx, id).await?;
    if let Some(t) = &body.title {
        s.title = validate_title("title", t)?;
    }
    if let Some(c) = body.config {
        s.config = StorageConfig::parse(s.config.kind(), c)?;
    }
    save(ctx, &mut s, body.version).await?;
    Ok(s)
}

pub async fn delete(ctx: &Ctx<'_>, id: &IdOf<Storage>) -> ServiceResult<()> {
    let mut s: Storage = load(ctx, id).await?;
    let users = ctx
        .deps
        .store
        .list(&ListQuery {
            project: ctx.project().clone(),
            kind: Kind::DataMart,
            parent: Some(s.meta.id.clone()),
            after: None,
            limit: 1,
        })
        .await?;
    if let Some(r) = users.records.first() {
        return Err(ServiceError::Conflict(format!(
            "storage {} is used by data mart {}; delete or move its data marts first",
            s.meta.id, r.id
        )));
    }
    soft_delete(ctx, &mut s).await
}
