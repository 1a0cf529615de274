//! Runs: read-only here; the run machinery creates them.

use sluice_domain::Kind;
use sluice_domain::entities::Run;

use super::{Ctx, list_page, load, ok};
use crate::api::{ApiRequest, ApiResponse};
use crate::error::ApiResult;

pub async fn list(ctx: &Ctx<'_>, req: &ApiRequest) -> ApiResult<ApiResponse> {
    ok(
        200,
        &list_page::<Run>(ctx, req, Some(("data_mart_id", Kind::DataMart))).await?,
    )
}

pub async fn get(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    ok(200, &load::<Run>(ctx, id).await?)
}
