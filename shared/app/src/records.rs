//! Typed access to stored entities for code that runs without a request (the run
//! machinery's workers): get, insert, compare-and-swap update, list by parent.

use chrono::{DateTime, Utc};
use sluice_domain::Id;
use sluice_domain::entities::Entity;
use sluice_domain::ports::{ListQuery, MetadataStore, Record, StoreError};

pub fn to_record<T: Entity>(e: &T) -> Result<Record, StoreError> {
    let m = e.meta();
    Ok(Record {
        project: m.project_id.clone(),
        kind: T::KIND,
        id: m.id.clone(),
        parent: e.parent(),
        version: m.version,
        deleted: m.deleted_at.is_some(),
        due_at: e.due_at(),
        body: serde_json::to_string(e).map_err(StoreError::backend)?,
    })
}

pub fn from_record<T: Entity>(r: &Record) -> Result<T, StoreError> {
    let mut e: T = serde_json::from_str(&r.body).map_err(|err| {
        StoreError::backend(format!(
            "stored {} {} does not parse: {err}",
            T::KIND.noun(),
            r.id
        ))
    })?;
    e.meta_mut().version = r.version;
    Ok(e)
}

pub async fn get<T: Entity>(
    store: &dyn MetadataStore,
    project: &Id,
    id: &Id,
) -> Result<Option<T>, StoreError> {
    match store.get(project, T::KIND, id).await? {
        Some(r) => Ok(Some(from_record(&r)?)),
        None => Ok(None),
    }
}

/// Inserts `e`; `Ok(false)` when a record with its id is already there (a
/// redelivered message wrote it first).
pub async fn insert_once<T: Entity>(store: &dyn MetadataStore, e: &T) -> Result<bool, StoreError> {
    match store.insert(&to_record(e)?).await {
        Ok(()) => Ok(true),
        Err(StoreError::AlreadyExists) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Writes `e` if nobody changed it since it was read; bumps its version.
pub async fn replace<T: Entity>(
    store: &dyn MetadataStore,
    e: &mut T,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let m = e.meta_mut();
    m.version += 1;
    m.updated_at = now;
    let r = store.replace(&to_record(e)?).await;
    if r.is_err() {
        e.meta_mut().version -= 1;
    }
    r
}

/// Writes `e` as read: replaced when it `existed` (and nobody changed it since),
/// inserted when it did not (and nobody inserted it since). Losing either race
/// is a `VersionConflict`: read again and retry.
pub async fn write<T: Entity>(
    store: &dyn MetadataStore,
    e: &mut T,
    existed: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if existed {
        return replace(store, e, now).await;
    }
    match store.insert(&to_record(e)?).await {
        Err(StoreError::AlreadyExists) => Err(StoreError::VersionConflict),
        other => other,
    }
}

/// Reads, changes and writes one record, again and again while others change it
/// under us. `change` returns `false` to leave the record as it is. `None` when
/// the record does not exist.
pub async fn update<T: Entity>(
    store: &dyn MetadataStore,
    project: &Id,
    id: &Id,
    now: DateTime<Utc>,
    mut change: impl FnMut(&mut T) -> bool,
) -> Result<Option<T>, StoreError> {
    for _ in 0..50 {
        let Some(mut e) = get::<T>(store, project, id).await? else {
            return Ok(None);
        };
        if !change(&mut e) {
            return Ok(Some(e));
        }
        match replace(store, &mut e, now).await {
            Ok(()) => return Ok(Some(e)),
            Err(StoreError::VersionConflict) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(StoreError::VersionConflict)
}

/// Every live `T` under `parent`, all pages, oldest first.
pub async fn list_all<T: Entity>(
    store: &dyn MetadataStore,
    project: &Id,
    parent: &Id,
) -> Result<Vec<T>, StoreError> {
    let mut out = vec![];
    let mut after = None;
    loop {
        let page = store
            .list(&ListQuery {
                project: project.clone(),
                kind: T::KIND,
                parent: Some(parent.clone()),
                after,
                limit: 1000,
            })
            .await?;
        for r in &page.records {
            out.push(from_record(r)?);
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    out.reverse();
    Ok(out)
}
