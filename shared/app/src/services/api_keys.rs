//! API keys: a project's machine credentials, each with a role. A key
//! (`slk_<prefix>_<secret>`) is shown once, when it is created; the store keeps
//! its visible prefix and the SHA-256 digest of the whole key. The key's record
//! id derives from the prefix, so a request's key is found with one read.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sluice_domain::entities::{ApiKey, ApiKeyView, CreateApiKey, Hidden, Meta, identity_partition};
use sluice_domain::ports::{ListQuery, StoreError};
use sluice_domain::{Id, IdOf, Kind};

use super::{Ctx, List, Page};
use crate::Deps;
use crate::auth::{CREDENTIAL_REFUSED, Credential, Principal, secret};
use crate::error::{ServiceError, ServiceResult};
use crate::records;

/// A key just created: the key itself, shown this once, and its record.
#[derive(Serialize, schemars::JsonSchema)]
pub struct CreatedApiKey {
    /// Send as `Authorization: Bearer <key>`. Shown once: it cannot be read again.
    pub key: String,
    #[serde(flatten)]
    pub api_key: ApiKeyView,
}

impl std::fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

/// `POST /v1/api-keys`: a key of the caller's project, of at most the
/// caller's role.
pub async fn create(ctx: &Ctx<'_>, body: CreateApiKey) -> ServiceResult<CreatedApiKey> {
    body.validate(ctx.now)?;
    if !ctx.principal.role.allows(body.role) {
        return Err(ServiceError::Forbidden(format!(
            "a key's role can be at most your own (`{}`), not `{}`",
            ctx.principal.role.as_str(),
            body.role.as_str()
        )));
    }
    let no_random = |e: secret::NoRandomness| ServiceError::Internal(e.to_string());
    // A prefix already taken (about one in 10^11 per key) is drawn again.
    for _ in 0..5 {
        let prefix = secret::new_prefix().map_err(no_random)?;
        let key = secret::api_key(&prefix, &secret::new_secret().map_err(no_random)?);
        let record = ApiKey {
            meta: Meta {
                id: ApiKey::id_for(&prefix),
                ..Meta::new(
                    Kind::ApiKey,
                    &identity_partition(),
                    &ctx.principal.subject,
                    ctx.now,
                )
            },
            project: ctx.project().clone(),
            name: body.name.trim().to_string(),
            role: body.role,
            prefix,
            digest: Hidden(secret::digest(&key)),
            expires_at: body.expires_at,
            last_used_at: None,
        };
        match ctx.deps.store.insert(&records::to_record(&record)?).await {
            Ok(()) => {
                tracing::info!(key_id = %record.meta.id, role = record.role.as_str(), "API key created.");
                return Ok(CreatedApiKey {
                    key,
                    api_key: record.view(),
                });
            }
            Err(StoreError::AlreadyExists) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ServiceError::Unavailable(
        "no free key prefix was found; try again".into(),
    ))
}

/// `GET /v1/api-keys`: the project's live keys, without their secrets, in the
/// order of their ids (which derive from their prefixes, not the time).
pub async fn list(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<ApiKeyView>> {
    let found = ctx
        .deps
        .store
        .list(&ListQuery {
            project: identity_partition(),
            kind: Kind::ApiKey,
            parent: Some(ctx.project().clone()),
            after: page.after.clone(),
            limit: page.limit,
        })
        .await?;
    let mut items = vec![];
    for r in &found.records {
        items.push(records::from_record::<ApiKey>(r)?.view());
    }
    Ok(List {
        items,
        next_cursor: found.next.map(|n| n.to_string()),
    })
}

/// `DELETE /v1/api-keys/{id}`: revokes the key; it opens nothing from now on.
/// Another project's key, or one revoked already, is not found.
pub async fn revoke(ctx: &Ctx<'_>, id: &IdOf<ApiKey>) -> ServiceResult<()> {
    let not_found = || ServiceError::not_found(Kind::ApiKey, id.as_str());
    let project = ctx.project().clone();
    let now = ctx.now;
    let mut found = false;
    records::update::<ApiKey>(
        ctx.deps.store.as_ref(),
        &identity_partition(),
        id,
        now,
        |k| {
            found = k.project == project && k.meta.deleted_at.is_none();
            if found {
                k.meta.deleted_at = Some(now);
            }
            found
        },
    )
    .await?;
    if !found {
        return Err(not_found());
    }
    tracing::info!(key_id = %id.as_id(), "API key revoked.");
    Ok(())
}

/// The principal of an API key, if it is live; its use written down at most
/// once a minute. A key that is unknown, wrong, revoked or expired gets the one
/// answer a missing credential gets (a store that fails is a 500, not a 401).
pub async fn resolve(deps: &Deps, key: &str, now: DateTime<Utc>) -> ServiceResult<Principal> {
    let refused = || ServiceError::Unauthorized(CREDENTIAL_REFUSED.into());
    let prefix = secret::api_key_prefix(key).ok_or_else(refused)?;
    let id = ApiKey::id_for(prefix);
    let record = records::get::<ApiKey>(deps.store.as_ref(), &identity_partition(), &id)
        .await?
        .ok_or_else(refused)?;
    if !secret::matches(key, &record.digest.0) || !record.is_live(now) {
        return Err(refused());
    }
    if record.use_is_news(now) {
        touch(deps, &id, now).await;
    }
    Ok(Principal {
        subject: record.meta.id.to_string(),
        project: record.project.clone(),
        role: record.role,
        custom: None,
        data_marts: None,
        credential: Credential::ApiKey {
            key: record.meta.id,
        },
    })
}

/// Writes the key's last use; a failure (a race with another use) is no
/// reason to refuse the request.
async fn touch(deps: &Deps, id: &Id, now: DateTime<Utc>) {
    let result =
        records::update::<ApiKey>(deps.store.as_ref(), &identity_partition(), id, now, |k| {
            let news = k.use_is_news(now);
            if news {
                k.last_used_at = Some(now);
            }
            news
        })
        .await;
    if let Err(e) = result {
        tracing::warn!(key_id = %id, error = %e, "The API key's last use was not written.");
    }
}
