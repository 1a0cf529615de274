//! Users and their sessions: sign-up, sign-in, refresh, sign-out, a new
//! password; and what a session's access token resolves to on each request.
//!
//! A session is a short-lived access token (an EdDSA JWT naming the user, the
//! project, the role and the session: `sid`) and an opaque refresh token
//! (`rtk_…​.<256 random bits>`, stored as its SHA-256 digest) that is good once:
//! each refresh answers a new pair. A refresh token presented after it was used
//! means a copy is in other hands, and ends its whole session (every token
//! rotated from that sign-in).
//!
//! A sign-in's answer never tells whether the address is a user's: a wrong
//! password, an unknown address and a locked or slowed account get the same
//! 401, after the same Argon2 work.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sluice_domain::entities::{
    ApiKeyView, Deployment, Email, Hidden, Member, Meta, RefreshToken, RoleRef, Session,
    USER_EMAIL, User, UserView, check_new_password, check_password_length, identity_partition,
};
use sluice_domain::ports::StoreError;
use sluice_domain::{Id, Kind, Role};

use super::Ctx;
use crate::Deps;
use crate::auth::{
    CREDENTIAL_REFUSED, Credential, CustomGrant, Principal, VerifiedToken, password, secret,
};
use crate::error::{ServiceError, ServiceResult};
use crate::records;

/// The one answer to a sign-in that does not succeed, whatever the reason.
pub const SIGN_IN_REFUSED: &str = "the e-mail address or password is wrong, or sign-in is paused after failed attempts; try again later";
/// The one answer to a refresh token that is not good.
pub const REFRESH_REFUSED: &str =
    "the refresh token is not valid (unknown, used, revoked or expired); sign in again";

/// `POST /v1/auth/sign-up`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    /// The user's e-mail address (kept and compared in lower case).
    #[schemars(length(max = 254), pattern(USER_EMAIL))]
    pub email: String,
    /// 10 to 256 characters.
    #[schemars(length(min = 10, max = 256))]
    pub password: String,
    /// An invitation's token (`POST /v1/invitations` answered it): the new
    /// user joins its project with its role, even where sign-up is closed.
    #[serde(default)]
    #[schemars(length(min = 1, max = 200))]
    pub invitation: Option<String>,
}

/// `POST /v1/auth/sign-in`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The user's e-mail address, in any case.
    #[schemars(length(max = 254), pattern(USER_EMAIL))]
    pub email: String,
    #[schemars(length(min = 1, max = 256))]
    pub password: String,
}

/// `POST /v1/auth/refresh`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    /// The refresh token of the last sign-in or refresh; good once.
    #[schemars(length(min = 1, max = 200))]
    pub refresh_token: String,
}

/// `POST /v1/auth/password`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[schemars(length(min = 1, max = 256))]
    pub current_password: String,
    /// 10 to 256 characters.
    #[schemars(length(min = 10, max = 256))]
    pub new_password: String,
}

/// A session's tokens, as sign-up, sign-in and refresh answer them (the only
/// answers that carry a secret).
#[derive(Serialize, schemars::JsonSchema)]
pub struct SessionTokens {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Trade it for new tokens at `POST /v1/auth/refresh` before the session ends; good once.
    pub refresh_token: String,
    /// When the session ends, refreshed or not.
    pub session_expires_at: DateTime<Utc>,
    pub user: UserView,
    /// The project the access token is for.
    pub project_id: Id,
    /// The user's role there.
    pub role: RoleRef,
}

impl std::fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionTokens")
            .field("user", &self.user.id)
            .finish_non_exhaustive()
    }
}

/// `POST /v1/auth/switch-project`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchProject {
    /// A project the user is a member of.
    pub project_id: Id,
}

/// A new access token for another project of the same session.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ProjectToken {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub project_id: Id,
    pub role: RoleRef,
}

impl std::fmt::Debug for ProjectToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectToken")
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

/// `GET /v1/me`: who the credential names.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Me {
    /// `session` (a user's sign-in), `api_key` or `operator` (`sluice token`).
    pub credential: String,
    /// What the credential's requests are created by.
    pub subject: String,
    pub project_id: Id,
    /// A built-in role, or the id of a custom role (`custom` names it).
    pub role: RoleRef,
    /// The custom role's name and permissions, for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomRoleGrant>,
    /// The data marts the role reaches; absent for the whole project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_marts: Option<Vec<Id>>,
    /// The user, for a session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserView>,
    /// The session's id, for a session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Id>,
    /// The key, for an API key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<ApiKeyView>,
}

/// A custom role as `GET /v1/me` shows it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CustomRoleGrant {
    pub name: String,
    /// `resource:action` patterns.
    pub permissions: Vec<String>,
}

/// Argon2 on the blocking pool: a sign-in's 60-80 ms of one core never hold a
/// thread that serves requests.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ServiceResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServiceError::Internal(format!("a password hash did not finish: {e}")))
}

async fn hash(password: &str) -> ServiceResult<Hidden> {
    let p = password.to_string();
    let phc = blocking(move || password::hash(&p))
        .await?
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(Hidden(phc))
}

async fn verify(password: &str, phc: &Hidden) -> ServiceResult<bool> {
    let (p, h) = (password.to_string(), phc.0.clone());
    blocking(move || password::verify(&p, &h)).await
}

/// The record `id` of the identity partition (users, sessions, keys, members,
/// roles, invitations).
pub(super) async fn get<T: sluice_domain::entities::Entity>(
    deps: &Deps,
    id: &Id,
) -> ServiceResult<Option<T>> {
    Ok(records::get::<T>(deps.store.as_ref(), &identity_partition(), id).await?)
}

/// The user with this address, if there is one.
pub async fn find_user(deps: &Deps, email: &Email) -> ServiceResult<Option<User>> {
    get::<User>(deps, &User::id_for(email)).await
}

/// A new user record (not yet stored).
fn new_user(email: &Email, hash: Hidden, projects: Vec<Id>, by: &str, now: DateTime<Utc>) -> User {
    User {
        meta: Meta {
            id: User::id_for(email),
            ..Meta::new(Kind::User, &identity_partition(), by, now)
        },
        email: email.as_str().to_string(),
        password_hash: hash,
        projects,
        legacy_project: None,
        legacy_role: None,
        failed_attempts: 0,
        last_failed_at: None,
        locked_until: None,
        sessions_valid_after: None,
        kept_session: None,
    }
}

/// Writes the deployment's record naming `user` its first user; `false` when
/// a first user was written before.
async fn claim_first(deps: &Deps, user: &Id, now: DateTime<Utc>) -> ServiceResult<bool> {
    let claim = Deployment {
        meta: Meta {
            id: Deployment::id(),
            ..Meta::new(Kind::Deployment, &identity_partition(), user.as_str(), now)
        },
        first_user: user.clone(),
    };
    Ok(records::insert_once(deps.store.as_ref(), &claim).await?)
}

/// `POST /v1/auth/sign-up`: on a fresh deployment the first user owns the
/// default project; after that, with an invitation (its project, with its
/// role), or where the operator opened sign-up (each new user owning a
/// project of their own). Answers a signed-in session.
pub async fn sign_up(
    deps: &Deps,
    now: DateTime<Utc>,
    body: SignUp,
) -> ServiceResult<SessionTokens> {
    let email = Email::parse("email", &body.email)?;
    check_new_password("password", &body.password)?;
    let settings = &deps.identity;
    let invitation = match &body.invitation {
        Some(token) => Some(super::members::invitation_for(deps, token, &email, now).await?),
        None => None,
    };
    let claimed = get::<Deployment>(deps, &Deployment::id()).await?.is_some();
    if claimed && !settings.open_signup && invitation.is_none() {
        return Err(closed());
    }
    let hash = hash(&body.password).await?;
    let id = User::id_for(&email);
    let user = new_user(&email, hash, vec![], id.as_str(), now);
    match deps.store.insert(&records::to_record(&user)?).await {
        Ok(()) => {}
        Err(StoreError::AlreadyExists) => {
            return Err(ServiceError::Conflict(
                "a user with this e-mail address exists; sign in".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let joined = if let Some(invitation) = invitation {
        super::members::accept(deps, invitation, &user, now).await?
    } else if !claimed && claim_first(deps, &id, now).await? {
        let project = settings.default_project.clone();
        super::members::add(
            deps,
            &project,
            &user,
            RoleRef::Builtin(Role::Owner),
            None,
            id.as_str(),
            now,
        )
        .await?
    } else if settings.open_signup {
        let name = format!("{}'s project", email.as_str());
        super::members::create_project(deps, &user, &name, now)
            .await?
            .0
    } else {
        return Err(closed());
    };
    tracing::info!(user_id = %user.meta.id, project = %joined.project, role = %joined.role.as_string(), "User signed up.");
    let user = get::<User>(deps, &id).await?.unwrap_or(user);
    start_session(deps, &user, now).await
}

fn closed() -> ServiceError {
    ServiceError::Forbidden(
        "sign-up is closed on this deployment: ask its operator to add you (`sluice users add`) or to open sign-up".into(),
    )
}

/// `POST /v1/auth/sign-in`.
pub async fn sign_in(
    deps: &Deps,
    now: DateTime<Utc>,
    body: SignIn,
) -> ServiceResult<SessionTokens> {
    let email = Email::parse("email", &body.email)?;
    check_password_length("password", &body.password)?;
    let refused = || ServiceError::Unauthorized(SIGN_IN_REFUSED.into());
    let Some(user) = find_user(deps, &email).await? else {
        let p = body.password.clone();
        blocking(move || password::verify_nothing(&p)).await?;
        return Err(refused());
    };
    let policy = deps.identity.sign_in;
    let blocked = user.sign_in_blocked_until(&policy, now).is_some();
    let right = verify(&body.password, &user.password_hash).await?;
    if !right {
        let store = deps.store.as_ref();
        records::update::<User>(store, &identity_partition(), &user.meta.id, now, |u| {
            let before = (u.failed_attempts, u.locked_until);
            u.record_failure(&policy, now);
            (u.failed_attempts, u.locked_until) != before
        })
        .await?;
        tracing::info!(user_id = %user.meta.id, "Sign-in refused: wrong password.");
        return Err(refused());
    }
    if blocked {
        tracing::info!(user_id = %user.meta.id, "Sign-in refused: paused after failed attempts.");
        return Err(refused());
    }
    let rehash = if password::is_outdated(&user.password_hash.0) {
        Some(hash(&body.password).await?)
    } else {
        None
    };
    if let (Some(project), Some(role), true) = (
        &user.legacy_project,
        user.legacy_role,
        user.projects.is_empty(),
    ) {
        // A user of identity's first version: their one project and role
        // become a membership.
        super::members::add(
            deps,
            project,
            &user,
            RoleRef::Builtin(role),
            None,
            "sluice",
            now,
        )
        .await?;
    }
    let user = if user.failed_attempts > 0 || user.locked_until.is_some() || rehash.is_some() {
        records::update::<User>(
            deps.store.as_ref(),
            &identity_partition(),
            &user.meta.id,
            now,
            |u| {
                u.record_success();
                if let Some(h) = &rehash {
                    u.password_hash = h.clone();
                }
                true
            },
        )
        .await?
        .unwrap_or(user)
    } else {
        user
    };
    let user = get::<User>(deps, &user.meta.id).await?.unwrap_or(user);
    start_session(deps, &user, now).await
}

/// The first project of `user`'s list they are still a member of, with the
/// principal of `session` there.
async fn first_project(
    deps: &Deps,
    user: &User,
    session: &Id,
    prefer: Option<&Id>,
) -> ServiceResult<Option<Principal>> {
    for project in prefer.into_iter().chain(user.projects.iter()) {
        if let Some(p) = principal_in(deps, user, session, project).await? {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// What the user may do in `project` through `session`: `None` when they are
/// not a member of it.
async fn principal_in(
    deps: &Deps,
    user: &User,
    session: &Id,
    project: &Id,
) -> ServiceResult<Option<Principal>> {
    let Some(member) = membership(deps, project, &user.meta.id).await? else {
        return Ok(None);
    };
    let (role, custom) = grant_of(deps, &member).await?;
    Ok(Some(Principal {
        subject: user.meta.id.to_string(),
        project: project.clone(),
        role,
        custom,
        data_marts: member.data_marts,
        credential: Credential::Session {
            user: user.meta.id.clone(),
            session: session.clone(),
        },
    }))
}

/// `user`'s live membership of `project`.
pub async fn membership(deps: &Deps, project: &Id, user: &Id) -> ServiceResult<Option<Member>> {
    Ok(get::<Member>(deps, &Member::id_for(project, user))
        .await?
        .filter(|m| m.meta.deleted_at.is_none() && &m.project == project))
}

/// The built-in role and custom grant of a membership. A custom role that is
/// gone grants nothing.
pub async fn grant_of(deps: &Deps, member: &Member) -> ServiceResult<(Role, Option<CustomGrant>)> {
    match &member.role {
        RoleRef::Builtin(role) => Ok((*role, None)),
        RoleRef::Custom(id) => {
            let role = super::members::project_role(deps, &member.project, id).await?;
            Ok((
                Role::Viewer,
                Some(CustomGrant {
                    role_id: id.clone(),
                    name: role
                        .as_ref()
                        .map_or_else(|| id.to_string(), |r| r.name.clone()),
                    permissions: role.map(|r| r.permissions).unwrap_or_default(),
                }),
            ))
        }
    }
}

fn no_project() -> ServiceError {
    ServiceError::Forbidden(
        "you are a member of no project: accept an invitation (`POST /v1/invitations/accept`) or ask a project's admin to invite you".into(),
    )
}

/// A new session of `user`, with its first tokens, in the project they last
/// worked in.
async fn start_session(
    deps: &Deps,
    user: &User,
    now: DateTime<Utc>,
) -> ServiceResult<SessionTokens> {
    let session_id = Id::generate(Kind::Session, now.timestamp_millis().max(0) as u64);
    let principal = first_project(deps, user, &session_id, None)
        .await?
        .ok_or_else(no_project)?;
    let session = Session {
        meta: Meta {
            id: session_id,
            ..Meta::new(
                Kind::Session,
                &identity_partition(),
                user.meta.id.as_str(),
                now,
            )
        },
        user_id: user.meta.id.clone(),
        project: Some(principal.project.clone()),
        expires_at: now + Duration::seconds(deps.identity.session_ttl_seconds),
        revoked_at: None,
        revoked_because: None,
    };
    deps.store.insert(&records::to_record(&session)?).await?;
    issue(deps, user, &session, principal, now).await
}

/// A new refresh token of `session`, and an access token beside it.
async fn issue(
    deps: &Deps,
    user: &User,
    session: &Session,
    principal: Principal,
    now: DateTime<Utc>,
) -> ServiceResult<SessionTokens> {
    let secret = secret::new_secret().map_err(|e| ServiceError::Internal(e.to_string()))?;
    let token = RefreshToken {
        meta: Meta::new(
            Kind::RefreshToken,
            &identity_partition(),
            user.meta.id.as_str(),
            now,
        ),
        session_id: session.meta.id.clone(),
        digest: Hidden(secret::digest(&secret)),
        used_at: None,
    };
    deps.store.insert(&records::to_record(&token)?).await?;
    let ttl = deps.identity.access_ttl_seconds;
    let access_token = deps
        .auth
        .sign(&principal, now.timestamp(), ttl)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(SessionTokens {
        access_token,
        token_type: "Bearer".into(),
        expires_in: ttl,
        refresh_token: format!("{}.{secret}", token.meta.id),
        session_expires_at: session.expires_at,
        user: user.view(),
        project_id: principal.project.clone(),
        role: principal.role_ref(),
    })
}

/// `POST /v1/auth/refresh`: the refresh token for a new pair. A token used
/// before ends its session.
pub async fn refresh(
    deps: &Deps,
    now: DateTime<Utc>,
    body: Refresh,
) -> ServiceResult<SessionTokens> {
    let refused = || ServiceError::Unauthorized(REFRESH_REFUSED.into());
    let (id, secret) = body
        .refresh_token
        .trim()
        .split_once('.')
        .ok_or_else(refused)?;
    let id = Id::parse(Kind::RefreshToken, id).ok_or_else(refused)?;
    let Some(mut token) = get::<RefreshToken>(deps, &id).await? else {
        return Err(refused());
    };
    if !secret::matches(secret, &token.digest.0) {
        return Err(refused());
    }
    let session = get::<Session>(deps, &token.session_id)
        .await?
        .ok_or_else(refused)?;
    let user = get::<User>(deps, &session.user_id)
        .await?
        .ok_or_else(refused)?;
    if !session.is_live(&user, now) {
        return Err(refused());
    }
    let reused = token.use_once(now).is_err()
        || match records::replace(deps.store.as_ref(), &mut token, now).await {
            Ok(()) => false,
            // Another request used it at the same moment: one of the two is a copy.
            Err(StoreError::VersionConflict) => true,
            Err(e) => return Err(e.into()),
        };
    if reused {
        revoke(deps, &session.meta.id, "refresh_token_reused", now).await?;
        tracing::warn!(user_id = %user.meta.id, session_id = %session.meta.id, "A used refresh token came back: its session is revoked.");
        return Err(ServiceError::Unauthorized(
            "this refresh token was used already, so a copy of it may be in other hands: its session is ended; sign in again".into(),
        ));
    }
    let principal = first_project(deps, &user, &session.meta.id, session.project.as_ref())
        .await?
        .ok_or_else(no_project)?;
    issue(deps, &user, &session, principal, now).await
}

/// `POST /v1/auth/switch-project`: an access token of the same session for
/// another project the user is a member of; the session's refreshes go on
/// in it.
pub async fn switch_project(ctx: &Ctx<'_>, body: SwitchProject) -> ServiceResult<ProjectToken> {
    let (user_id, session_id) = session_of(ctx, "switching projects")?;
    let deps = ctx.deps;
    let now = ctx.now;
    let user = get::<User>(deps, user_id)
        .await?
        .ok_or_else(|| ServiceError::Unauthorized(CREDENTIAL_REFUSED.into()))?;
    let principal = principal_in(deps, &user, session_id, &body.project_id)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid("project_id", "is not a project you are a member of")
        })?;
    let project = body.project_id.clone();
    records::update::<Session>(
        deps.store.as_ref(),
        &identity_partition(),
        session_id,
        now,
        |s| {
            let changed = s.project.as_ref() != Some(&project);
            s.project = Some(project.clone());
            changed
        },
    )
    .await?;
    records::update::<User>(
        deps.store.as_ref(),
        &identity_partition(),
        user_id,
        now,
        |u| {
            let changed = u.projects.first() != Some(&project);
            u.put_first(&project);
            changed
        },
    )
    .await?;
    let ttl = deps.identity.access_ttl_seconds;
    let access_token = deps
        .auth
        .sign(&principal, now.timestamp(), ttl)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(ProjectToken {
        access_token,
        token_type: "Bearer".into(),
        expires_in: ttl,
        project_id: principal.project.clone(),
        role: principal.role_ref(),
    })
}

/// Revokes the session `id` (its every token).
async fn revoke(deps: &Deps, id: &Id, because: &str, now: DateTime<Utc>) -> ServiceResult<()> {
    records::update::<Session>(deps.store.as_ref(), &identity_partition(), id, now, |s| {
        let live = s.revoked_at.is_none();
        s.revoke(because, now);
        live
    })
    .await?;
    Ok(())
}

/// The user and session of the request's credential; a 403 for another credential.
fn session_of<'c>(ctx: &'c Ctx<'_>, what: &str) -> ServiceResult<(&'c Id, &'c Id)> {
    ctx.principal.session().ok_or_else(|| {
        ServiceError::Forbidden(format!(
            "{what} is for a user's session: call it with the access token of a sign-in, not an API key or an operator token"
        ))
    })
}

/// `POST /v1/auth/sign-out`: ends the request's session.
pub async fn sign_out(ctx: &Ctx<'_>) -> ServiceResult<()> {
    let (_, session) = session_of(ctx, "signing out")?;
    revoke(ctx.deps, session, "sign_out", ctx.now).await
}

/// `POST /v1/auth/sign-out-everywhere`: ends every session of the user, this
/// one too.
pub async fn sign_out_everywhere(ctx: &Ctx<'_>) -> ServiceResult<()> {
    let (user, _) = session_of(ctx, "signing out everywhere")?;
    let now = ctx.now;
    records::update::<User>(
        ctx.deps.store.as_ref(),
        &identity_partition(),
        user,
        now,
        |u| {
            u.end_sessions(now, None);
            true
        },
    )
    .await?
    .ok_or_else(|| ServiceError::Unauthorized(CREDENTIAL_REFUSED.into()))?;
    tracing::info!(user_id = %user, "Signed out everywhere.");
    Ok(())
}

/// `POST /v1/auth/password`: a new password, given the current one (wrong
/// current passwords count as failed sign-ins). Every other session of the
/// user ends; this one goes on.
pub async fn change_password(ctx: &Ctx<'_>, body: ChangePassword) -> ServiceResult<()> {
    let (user_id, session) = session_of(ctx, "changing the password")?;
    check_password_length("current_password", &body.current_password)?;
    check_new_password("new_password", &body.new_password)?;
    let deps = ctx.deps;
    let now = ctx.now;
    let user = get::<User>(deps, user_id)
        .await?
        .ok_or_else(|| ServiceError::Unauthorized(CREDENTIAL_REFUSED.into()))?;
    let policy = deps.identity.sign_in;
    let blocked = user.sign_in_blocked_until(&policy, now).is_some();
    let right = verify(&body.current_password, &user.password_hash).await?;
    if !right {
        records::update::<User>(
            deps.store.as_ref(),
            &identity_partition(),
            user_id,
            now,
            |u| {
                u.record_failure(&policy, now);
                true
            },
        )
        .await?;
    }
    if !right || blocked {
        return Err(ServiceError::invalid(
            "current_password",
            "is not the current password, or password changes are paused after failed attempts",
        ));
    }
    let new_hash = hash(&body.new_password).await?;
    let session = session.clone();
    records::update::<User>(
        deps.store.as_ref(),
        &identity_partition(),
        user_id,
        now,
        |u| {
            u.password_hash = new_hash.clone();
            u.record_success();
            u.end_sessions(now, Some(session.clone()));
            true
        },
    )
    .await?;
    tracing::info!(user_id = %user_id, "Password changed; the user's other sessions are ended.");
    Ok(())
}

/// `GET /v1/me`.
pub async fn me(ctx: &Ctx<'_>) -> ServiceResult<Me> {
    let p = &ctx.principal;
    let mut me = Me {
        credential: p.credential.as_str().into(),
        subject: p.subject.clone(),
        project_id: p.project.clone(),
        role: p.role_ref(),
        custom: p.custom.as_ref().map(|c| CustomRoleGrant {
            name: c.name.clone(),
            permissions: c.permissions.clone(),
        }),
        data_marts: p.data_marts.clone(),
        user: None,
        session_id: None,
        api_key: None,
    };
    match &p.credential {
        Credential::Session { user, session } => {
            me.user = get::<User>(ctx.deps, user).await?.map(|u| u.view());
            me.session_id = Some(session.clone());
        }
        Credential::ApiKey { key } => {
            me.api_key = get::<sluice_domain::entities::ApiKey>(ctx.deps, key)
                .await?
                .map(|k| k.view());
        }
        Credential::Operator => {}
    }
    Ok(me)
}

/// The principal of a session's access token, if its session is still live:
/// read on every request, so a signed-out session's tokens stop at once and a
/// user's new role applies at once (a store that fails is a 500, not a 401).
pub async fn resolve_session(
    deps: &Deps,
    token: &VerifiedToken,
    session: &Id,
    now: DateTime<Utc>,
) -> ServiceResult<Principal> {
    let refused = || ServiceError::Unauthorized(CREDENTIAL_REFUSED.into());
    let session = get::<Session>(deps, session).await?.ok_or_else(refused)?;
    let user = get::<User>(deps, &session.user_id)
        .await?
        .ok_or_else(refused)?;
    if !session.is_live(&user, now) || token.subject != user.meta.id.as_str() {
        return Err(refused());
    }
    // The token's project, with the membership as it is now: a member
    // removed is refused at once, a new role applies at once.
    principal_in(deps, &user, &session.meta.id, &token.project)
        .await?
        .ok_or_else(refused)
}

// ---- the operator's commands (`sluice users …`) ----

/// Adds a user, a member of `project` with `role` (the operator's `sluice
/// users add`). The deployment counts as started: sign-up is closed after it
/// unless opened.
pub async fn add_user(
    deps: &Deps,
    email: &str,
    password: &str,
    project: &Id,
    role: RoleRef,
    now: DateTime<Utc>,
) -> ServiceResult<UserView> {
    let email = Email::parse("email", email)?;
    check_new_password("password", password)?;
    let user = new_user(&email, hash(password).await?, vec![], "operator", now);
    match deps.store.insert(&records::to_record(&user)?).await {
        Ok(()) => {}
        Err(StoreError::AlreadyExists) => {
            return Err(ServiceError::Conflict(format!(
                "a user with the address {} exists (add them to a project with `sluice projects add-member`)",
                email.as_str()
            )));
        }
        Err(e) => return Err(e.into()),
    }
    super::members::add(deps, project, &user, role, None, "operator", now).await?;
    claim_first(deps, &user.meta.id, now).await?;
    Ok(user.view())
}

/// Every user with the projects they are listed in, a page of `limit` after
/// `after`.
pub async fn list_users(
    deps: &Deps,
    after: Option<Id>,
    limit: u32,
) -> ServiceResult<(Vec<(UserView, Vec<Id>)>, Option<Id>)> {
    let page = deps
        .store
        .list(&sluice_domain::ports::ListQuery {
            project: identity_partition(),
            kind: Kind::User,
            parent: None,
            after,
            limit,
        })
        .await?;
    let mut users = vec![];
    for r in &page.records {
        let user = records::from_record::<User>(r)?;
        users.push((user.view(), user.projects));
    }
    Ok((users, page.next))
}

/// Changes a member's role in `project`; applies to their next request.
pub async fn set_role(
    deps: &Deps,
    email: &str,
    role: RoleRef,
    project: &Id,
    now: DateTime<Utc>,
) -> ServiceResult<sluice_domain::entities::MemberView> {
    let email = Email::parse("email", email)?;
    let user = find_user(deps, &email).await?.ok_or_else(|| {
        ServiceError::NotFound(format!("no user has the address {}", email.as_str()))
    })?;
    super::members::set_member_role(deps, project, &user.meta.id, role, now).await
}

/// Sets a user's password (the operator's reset): unlocks the account and ends
/// every session of the user.
pub async fn reset_password(
    deps: &Deps,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> ServiceResult<UserView> {
    let email = Email::parse("email", email)?;
    check_new_password("password", password)?;
    let new_hash = hash(password).await?;
    let user = records::update::<User>(
        deps.store.as_ref(),
        &identity_partition(),
        &User::id_for(&email),
        now,
        |u| {
            u.password_hash = new_hash.clone();
            u.record_success();
            u.end_sessions(now, None);
            true
        },
    )
    .await?
    .ok_or_else(|| ServiceError::NotFound(format!("no user has the address {}", email.as_str())))?;
    Ok(user.view())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::auth::TokenKeys;
    use sluice_domain::ports::SystemClock;

    /// Deps over a fresh SQLite store and secrets file.
    fn deps() -> (Deps, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "sluice-identity-{}",
            Id::generate(Kind::Run, Utc::now().timestamp_millis() as u64)
        ));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let deps = Deps::new(
            Arc::new(sluice_local::SqliteStore::open(&dir.join("meta.db"), 1).expect("store")),
            Arc::new(
                sluice_local::FileSecrets::open(&dir.join("s.json"), &dir.join("s.key"))
                    .expect("secrets"),
            ),
            Arc::new(SystemClock),
            Arc::new(TokenKeys::sealed().expect("keys")),
        );
        (deps, dir)
    }

    fn credentials(email: &str) -> SignIn {
        SignIn {
            email: email.into(),
            password: "a long enough password".into(),
        }
    }

    fn sign_up_as(email: &str) -> SignUp {
        SignUp {
            email: email.into(),
            password: "a long enough password".into(),
            invitation: None,
        }
    }

    fn again(token: &str) -> Refresh {
        Refresh {
            refresh_token: token.into(),
        }
    }

    #[tokio::test]
    async fn each_refresh_rotates_and_a_reused_token_ends_its_family_only() {
        let (deps, dir) = deps();
        let now = Utc::now();
        let first = sign_up(&deps, now, sign_up_as("ann@example.com"))
            .await
            .expect("the first user");
        let other = sign_in(&deps, now, credentials("ann@example.com"))
            .await
            .expect("a second sign-in");
        let second = refresh(&deps, now, again(&first.refresh_token))
            .await
            .expect("rotated");
        assert_ne!(second.refresh_token, first.refresh_token);
        let third = refresh(&deps, now, again(&second.refresh_token))
            .await
            .expect("rotated again");
        // The first token comes back: its family ends, the rotated tokens with it.
        assert!(matches!(
            refresh(&deps, now, again(&first.refresh_token)).await,
            Err(ServiceError::Unauthorized(_))
        ));
        assert!(
            refresh(&deps, now, again(&third.refresh_token))
                .await
                .is_err()
        );
        let token = deps
            .auth
            .verify(&third.access_token, now.timestamp())
            .await
            .expect("still a well-signed token");
        let sid = token.session.clone().expect("a session's token");
        assert!(resolve_session(&deps, &token, &sid, now).await.is_err());
        // Another sign-in of the same user is another family.
        assert!(
            refresh(&deps, now, again(&other.refresh_token))
                .await
                .is_ok()
        );
        // A token that is not one, or one with a wrong secret, is refused.
        for bad in ["", "x", "rtk_01JD0000000000000000000051.abc"] {
            assert!(refresh(&deps, now, again(bad)).await.is_err(), "{bad}");
        }
        let (id, _) = other.refresh_token.split_once('.').expect("id.secret");
        let forged = format!("{id}.{}", "A".repeat(43));
        assert!(refresh(&deps, now, again(&forged)).await.is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_user_of_the_first_version_becomes_a_member_at_sign_in() {
        let (deps, dir) = deps();
        let now = Utc::now();
        let project = Id::generate(Kind::Project, 1);
        let email = Email::parse("email", "old@example.com").expect("an address");
        let hash = hash("a long enough password").await.expect("hashed");
        // As the first version stored a user: one project and role on it.
        let mut record =
            records::to_record(&new_user(&email, hash, vec![], "test", now)).expect("a record");
        let mut body: serde_json::Value = serde_json::from_str(&record.body).expect("json");
        body["project"] = serde_json::json!(project);
        body["role"] = serde_json::json!("admin");
        record.body = body.to_string();
        deps.store.insert(&record).await.expect("stored");
        let signed = sign_in(&deps, now, credentials("old@example.com"))
            .await
            .expect("signed in");
        assert_eq!(signed.project_id, project);
        assert_eq!(signed.role, RoleRef::Builtin(Role::Admin));
        let user = find_user(&deps, &email)
            .await
            .expect("read")
            .expect("a user");
        assert_eq!(user.projects, vec![project.clone()]);
        assert!(
            membership(&deps, &project, &user.meta.id)
                .await
                .expect("read")
                .is_some()
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn the_operator_adds_lists_changes_and_resets_users() {
        let (deps, dir) = deps();
        let now = Utc::now();
        let project = Id::generate(Kind::Project, 1);
        let added = add_user(
            &deps,
            "Bob@Example.com",
            "a long enough password",
            &project,
            RoleRef::Builtin(Role::Viewer),
            now,
        )
        .await
        .expect("added");
        assert_eq!(added.email, "bob@example.com");
        assert!(matches!(
            add_user(
                &deps,
                "bob@example.com",
                "a long enough password",
                &project,
                RoleRef::Builtin(Role::Viewer),
                now
            )
            .await,
            Err(ServiceError::Conflict(_))
        ));
        // The deployment has a user: sign-up is closed.
        assert!(matches!(
            sign_up(&deps, now, sign_up_as("eve@example.com")).await,
            Err(ServiceError::Forbidden(_))
        ));
        let (users, next) = list_users(&deps, None, 10).await.expect("listed");
        assert_eq!((users.len(), next), (1, None));
        let session = sign_in(&deps, now, credentials("bob@example.com"))
            .await
            .expect("signed in");
        let changed = set_role(
            &deps,
            "bob@example.com",
            RoleRef::Builtin(Role::Admin),
            &project,
            now,
        )
        .await
        .expect("changed");
        assert_eq!(changed.role, RoleRef::Builtin(Role::Admin));
        // The new role applies to the session's next request.
        let token = deps
            .auth
            .verify(&session.access_token, now.timestamp())
            .await
            .expect("verified");
        let sid = token.session.clone().expect("a session");
        let principal = resolve_session(&deps, &token, &sid, now)
            .await
            .expect("live");
        assert_eq!(principal.role, Role::Admin);
        // A reset signs the user out everywhere and takes the new password.
        reset_password(
            &deps,
            "bob@example.com",
            "another long password",
            now + Duration::seconds(1),
        )
        .await
        .expect("reset");
        let later = now + Duration::seconds(2);
        assert!(resolve_session(&deps, &token, &sid, later).await.is_err());
        assert!(
            sign_in(&deps, later, credentials("bob@example.com"))
                .await
                .is_err()
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
