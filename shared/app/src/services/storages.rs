//! Storages.

use sluice_domain::Kind;
use sluice_domain::entities::{
    CreateStorage, Meta, Storage, StorageConfig, UpdateStorage, validate_title,
};
use sluice_domain::ports::ListQuery;

use super::{Ctx, created, list_page, load, no_content, ok, save, soft_delete};
use crate::api::{ApiRequest, ApiResponse, parse_body};
use crate::error::{ApiError, ApiResult};

pub async fn create(ctx: &Ctx<'_>, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let body: CreateStorage = parse_body(req)?;
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
    created(&storage, format!("/v1/storages/{}", storage.meta.id))
}

pub async fn list(ctx: &Ctx<'_>, req: &ApiRequest) -> ApiResult<ApiResponse> {
    ok(200, &list_page::<Storage>(ctx, req, None).await?)
}

pub async fn get(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    ok(200, &load::<Storage>(ctx, id).await?)
}

pub async fn update(ctx: &Ctx<'_>, id: &str, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let body: UpdateStorage = parse_body(req)?;
    let mut s: Storage = load(ctx, id).await?;
    if let Some(t) = &body.title {
        s.title = validate_title("title", t)?;
    }
    if let Some(c) = body.config {
        s.config = StorageConfig::parse(s.config.kind(), c)?;
    }
    save(ctx, &mut s, body.version).await?;
    ok(200, &s)
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
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
        return Err(ApiError::Conflict(format!(
            "storage {} is used by data mart {}; delete or move its data marts first",
            s.meta.id, r.id
        )));
    }
    soft_delete(ctx, &mut s).await?;
    no_content()
}
