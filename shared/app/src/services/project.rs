//! The project's own settings: its name, and where and when notifications go.

use sluice_domain::Kind;
use sluice_domain::entities::{Meta, Project, UpdateProject, WebhookInfo, url_origin};
use sluice_domain::ports::SecretValue;

use super::{Ctx, to_record};
use crate::error::{ServiceError, ServiceResult};
use crate::records;

/// The project record; a deployment that never wrote one (projects come from the
/// credential) gets a fresh one, written on the first change.
async fn current(ctx: &Ctx<'_>) -> ServiceResult<(Project, bool)> {
    let p = ctx.project();
    match records::get::<Project>(ctx.deps.store.as_ref(), p, p).await? {
        Some(project) => Ok((project, true)),
        None => {
            let mut meta = Meta::new(Kind::Project, p, &ctx.principal.subject, ctx.now);
            meta.id = p.clone();
            Ok((
                Project {
                    meta,
                    name: p.to_string(),
                    webhook: None,
                    slack: None,
                    teams: None,
                    notifications: Default::default(),
                },
                false,
            ))
        }
    }
}

pub async fn get(ctx: &Ctx<'_>) -> ServiceResult<Project> {
    Ok(current(ctx).await?.0)
}

/// `PATCH /v1/project`
pub async fn update(ctx: &Ctx<'_>, body: UpdateProject) -> ServiceResult<Project> {
    let (mut project, stored) = current(ctx).await?;
    if let Some(name) = &body.name {
        project.name = sluice_domain::entities::validate_title("name", name)?;
    }
    if let Some(n) = &body.notifications {
        n.validate()?;
        project.notifications = n.clone();
    }
    // Each URL is a secret of its own; its origin is what the project shows.
    let mut removed = vec![];
    for (field, given, kept, name) in [
        (
            "webhook_url",
            &body.webhook_url,
            &mut project.webhook,
            "webhook",
        ),
        (
            "slack_webhook_url",
            &body.slack_webhook_url,
            &mut project.slack,
            "slack",
        ),
        (
            "teams_webhook_url",
            &body.teams_webhook_url,
            &mut project.teams,
            "teams",
        ),
    ] {
        let secret_name = format!("sluice/{}/{name}", ctx.project());
        match given {
            Some(Some(url)) => {
                let origin = url_origin(field, url)?;
                let value = serde_json::json!({ "url": url }).to_string();
                ctx.deps
                    .secrets
                    .put(&secret_name, &SecretValue::new(value))
                    .await?;
                *kept = Some(WebhookInfo {
                    origin,
                    secret_ref: secret_name,
                });
            }
            Some(None) => {
                *kept = None;
                removed.push(secret_name);
            }
            None => {}
        }
    }
    if stored {
        project.meta.version += 1;
        project.meta.updated_at = ctx.now;
        ctx.deps.store.replace(&to_record(&project)?).await?;
    } else {
        match ctx.deps.store.insert(&to_record(&project)?).await {
            Err(sluice_domain::ports::StoreError::AlreadyExists) => {
                return Err(ServiceError::Conflict(
                    "the project changed at the same time; send the change again".into(),
                ));
            }
            other => other?,
        }
    }
    for secret_name in removed {
        ctx.deps.secrets.delete(&secret_name).await?;
    }
    Ok(project)
}
