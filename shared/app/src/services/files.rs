//! A project's landing area: files uploaded through the API and read by `files`
//! sources as `store://…`. Every path is an object key relative to the area
//! (`projects/{project}/landing/`), so no name reaches the warehouse, run objects
//! or another project.

use std::sync::Arc;

use chrono::{DateTime, TimeZone as _, Utc};
use serde::Serialize;
use sluice_domain::error::quote;
use sluice_domain::files::{STORE_SCHEME, Scoped, landing_prefix};
use sluice_domain::ports::{ObjectInfo, ObjectStore, check_object_key};

use super::{Ctx, List, created, no_content, ok};
use crate::api::{ApiRequest, query_params};
use crate::error::{ApiError, ApiResult};

/// Longest file path accepted (the area's prefix and the path stay within the
/// 1,024 bytes of an S3 key).
const MAX_PATH: usize = 900;

/// A file of the landing area.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FileView {
    /// Path within the landing area, e.g. `orders/2026-11.csv`.
    pub path: String,
    pub size: u64,
    pub modified_at: DateTime<Utc>,
    /// The `files` source location of its folder (`store://orders/`).
    pub location: String,
}

impl FileView {
    fn of(o: &ObjectInfo) -> FileView {
        let folder = o.key.rsplit_once('/').map_or("", |(d, _)| d);
        FileView {
            path: o.key.clone(),
            size: o.size,
            modified_at: Utc
                .timestamp_millis_opt(o.modified_ms)
                .single()
                .unwrap_or_default(),
            location: if folder.is_empty() {
                STORE_SCHEME.to_string()
            } else {
                format!("{STORE_SCHEME}{folder}/")
            },
        }
    }
}

/// The project's landing area.
fn landing(ctx: &Ctx<'_>) -> ApiResult<Scoped> {
    Ok(Scoped::new(
        Arc::clone(ctx.deps.objects()?),
        landing_prefix(ctx.project()),
    ))
}

/// A file path as the URL carries it: letters, digits and `/_.=-`, no `.` or
/// `..` segment, no hidden file (`.name`, which listings skip).
fn check_path(field: &str, path: &str) -> ApiResult<()> {
    let bad = |reason: &str| ApiError::invalid(field, reason);
    if path.len() > MAX_PATH {
        return Err(bad("must be at most 900 bytes"));
    }
    if check_object_key(path).is_err() {
        return Err(bad(
            "must be made of path segments of letters, digits and `_.=-` (no `%`, spaces, `.` or `..` segments)",
        ));
    }
    // File systems take names of at most 255 bytes.
    if path.split('/').any(|s| s.len() > 255) {
        return Err(bad("must have path segments of at most 255 bytes"));
    }
    if path.split('/').any(|s| s.starts_with('.')) {
        return Err(bad(
            "must not name hidden files (a segment starting with `.`)",
        ));
    }
    Ok(())
}

/// `PUT /v1/files/{path+}`: the raw body becomes the file (replacing one there).
pub async fn upload(ctx: &Ctx<'_>, path: &str, req: &ApiRequest) -> ApiResult<ApiResponse> {
    check_path("path", path)?;
    let area = landing(ctx)?;
    let size = match &req.spooled {
        Some(file) => area.put_file(path, &file.path).await?,
        None => {
            let len = req.body.len() as u64;
            if len > ctx.deps.max_upload_bytes {
                return Err(ApiError::PayloadTooLarge(
                    ctx.deps.max_upload_bytes as usize,
                ));
            }
            area.put(path, req.body.to_vec()).await?;
            len
        }
    };
    // Not listed again: a listing walks the whole folder, once per upload.
    let info = ObjectInfo {
        key: path.to_string(),
        size,
        modified_ms: ctx.now.timestamp_millis(),
    };
    tracing::info!(project = %ctx.project(), bytes = size, "File uploaded.");
    created(&FileView::of(&info), format!("/v1/files/{path}"))
}

/// `GET /v1/files`: a page of files in path order.
pub async fn list(ctx: &Ctx<'_>, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let (mut prefix, mut limit, mut after) = (String::new(), 100usize, None::<String>);
    for (k, v) in query_params(req) {
        match k.as_str() {
            "prefix" => {
                // A folder path, its one closing `/` optional; checked whole, so no
                // `//` or bare `/` reaches the object store as a key.
                if !v.is_empty() {
                    check_path("prefix", v.strip_suffix('/').unwrap_or(&v))?;
                }
                prefix = v;
            }
            "limit" => {
                limit = v
                    .parse()
                    .ok()
                    .filter(|l| (1..=1000).contains(l))
                    .ok_or_else(|| ApiError::invalid("limit", "must be a number from 1 to 1000"))?;
            }
            "cursor" => {
                check_path("cursor", &v).map_err(|_| {
                    ApiError::invalid("cursor", "is not a cursor this list returned")
                })?;
                after = Some(v);
            }
            other => {
                return Err(ApiError::invalid(
                    other,
                    "unknown query parameter; expected one of: prefix, limit, cursor",
                ));
            }
        }
    }
    let listed = landing(ctx)?.list(&prefix).await?;
    let mut items: Vec<FileView> = listed
        .iter()
        .filter(|o| after.as_ref().is_none_or(|a| o.key.as_str() > a.as_str()))
        .filter(|o| !o.key.split('/').any(|s| s.starts_with('.')))
        .take(limit + 1)
        .map(FileView::of)
        .collect();
    let more = items.len() > limit;
    items.truncate(limit);
    let next_cursor = more.then(|| items.last().map(|f| f.path.clone())).flatten();
    ok(200, &List { items, next_cursor })
}

/// `DELETE /v1/files/{path+}`
pub async fn delete(ctx: &Ctx<'_>, path: &str) -> ApiResult<ApiResponse> {
    let not_found = || ApiError::NotFound(format!("file {} not found", quote(path)));
    check_path("path", path).map_err(|_| not_found())?;
    let area = landing(ctx)?;
    // One byte read says whether it is there (a listing would walk its folder).
    if area.get_range(path, 0, 1).await?.is_none() {
        return Err(not_found());
    }
    area.delete(path).await?;
    no_content()
}

use crate::api::ApiResponse;
