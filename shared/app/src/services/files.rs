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

use super::{Ctx, List};
use crate::error::{ServiceError, ServiceResult};

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
fn landing(ctx: &Ctx<'_>, objects: &Arc<dyn ObjectStore>) -> Scoped {
    Scoped::new(Arc::clone(objects), landing_prefix(ctx.project()))
}

/// A file path as the URL carries it: letters, digits and `/_.=-`, no `.` or
/// `..` segment, no hidden file (`.name`, which listings skip).
fn check_path(field: &str, path: &str) -> ServiceResult<()> {
    let bad = |reason: &str| ServiceError::invalid(field, reason);
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

/// What an upload writes: bytes in memory, or a file they were spooled to.
pub enum Upload<'a> {
    Bytes(&'a [u8]),
    File(&'a std::path::Path),
}

/// Which page of the landing area's files a caller asks for.
#[derive(Debug, Clone)]
pub struct FilesPage {
    /// Only files whose path starts with this.
    pub prefix: String,
    pub limit: usize,
    /// The last path of the previous page.
    pub after: Option<String>,
}

/// `PUT /v1/files/{path+}`: the raw body becomes the file (replacing one there).
pub async fn upload(
    ctx: &Ctx<'_>,
    objects: &Arc<dyn ObjectStore>,
    path: &str,
    body: Upload<'_>,
) -> ServiceResult<FileView> {
    check_path("path", path)?;
    let area = landing(ctx, objects);
    let size = match body {
        Upload::File(file) => area.put_file(path, file).await?,
        Upload::Bytes(bytes) => {
            let len = bytes.len() as u64;
            if len > ctx.deps.max_upload_bytes {
                return Err(ServiceError::TooLarge(ctx.deps.max_upload_bytes));
            }
            area.put(path, bytes.to_vec()).await?;
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
    Ok(FileView::of(&info))
}

/// `GET /v1/files`: a page of files in path order.
pub async fn list(
    ctx: &Ctx<'_>,
    objects: &Arc<dyn ObjectStore>,
    page: &FilesPage,
) -> ServiceResult<List<FileView>> {
    let FilesPage {
        prefix,
        limit,
        after,
    } = page;
    // A folder path, its one closing `/` optional; checked whole, so no `//` or
    // bare `/` reaches the object store as a key.
    if !prefix.is_empty() {
        check_path("prefix", prefix.strip_suffix('/').unwrap_or(prefix))?;
    }
    if let Some(a) = after {
        check_path("cursor", a)
            .map_err(|_| ServiceError::invalid("cursor", "is not a cursor this list returned"))?;
    }
    let (limit, after) = (*limit, after.as_ref());
    let listed = landing(ctx, objects).list(prefix).await?;
    let mut items: Vec<FileView> = listed
        .iter()
        .filter(|o| after.is_none_or(|a| o.key.as_str() > a.as_str()))
        .filter(|o| !o.key.split('/').any(|s| s.starts_with('.')))
        .take(limit + 1)
        .map(FileView::of)
        .collect();
    let more = items.len() > limit;
    items.truncate(limit);
    let next_cursor = more.then(|| items.last().map(|f| f.path.clone())).flatten();
    Ok(List { items, next_cursor })
}

/// `DELETE /v1/files/{path+}`
pub async fn delete(
    ctx: &Ctx<'_>,
    objects: &Arc<dyn ObjectStore>,
    path: &str,
) -> ServiceResult<()> {
    let not_found = || ServiceError::NotFound(format!("file {} not found", quote(path)));
    check_path("path", path).map_err(|_| not_found())?;
    let area = landing(ctx, objects);
    // One byte read says whether it is there (a listing would walk its folder).
    if area.get_range(path, 0, 1).await?.is_none() {
        return Err(not_found());
    }
    area.delete(path).await?;
    Ok(())
}
