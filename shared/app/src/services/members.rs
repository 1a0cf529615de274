//! Projects and who works in them: a user's projects, the members of a
//! project and their roles (built-in or custom, for the whole project or for
//! chosen data marts), the project's custom roles, and invitations to join.
//!
//! Memberships, roles and invitations are kept in the identity partition
//! (each with its project as parent), so the credential check reads them with
//! the user and the session, whatever the project.
//!
//! Rules: only owners make or change owners; nobody grants more than their
//! own role; a project always keeps an owner; a role in use cannot be
//! deleted; an invitation is good once, for its address, for seven days.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sluice_domain::entities::{
    CreateCustomRole, CreateInvitation, CustomRole, CustomRoleView, DataMart, Email, Entity,
    Hidden, INVITATION_DAYS, Invitation, InvitationView, MAX_ROLE_PERMISSIONS, Member, MemberView,
    Meta, Project, RoleRef, UpdateCustomRole, UpdateMember, User, check_role_text, check_scope,
    identity_partition, permits,
};
use sluice_domain::ports::{ListQuery, StoreError};
use sluice_domain::{Id, Kind, Role};

use super::{Ctx, List, Page, require_ref};
use crate::Deps;
use crate::api::routes;
use crate::auth::secret;
use crate::error::{ServiceError, ServiceResult};
use crate::records;

use super::identity::get;

/// Every live record of `T` of `project` (its members, roles or invitations).
async fn all_of<T: Entity>(deps: &Deps, project: &Id) -> ServiceResult<Vec<T>> {
    Ok(
        records::list_all::<T>(deps.store.as_ref(), &identity_partition(), project)
            .await?
            .into_iter()
            .filter(|e| e.meta().deleted_at.is_none())
            .collect(),
    )
}

/// A page of `T` of the caller's project, live ones only.
async fn page_of<T: Entity>(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<(Vec<T>, Option<String>)> {
    let found = ctx
        .deps
        .store
        .list(&ListQuery {
            project: identity_partition(),
            kind: T::KIND,
            parent: Some(ctx.project().clone()),
            after: page.after.clone(),
            limit: page.limit,
        })
        .await?;
    let mut items = vec![];
    for r in &found.records {
        let e: T = records::from_record(r)?;
        if e.meta().deleted_at.is_none() {
            items.push(e);
        }
    }
    Ok((items, found.next.map(|n| n.to_string())))
}

// ---- memberships: what sign-up, invitations, projects and the CLI share ----

/// Makes `user` a member of `project` with `role` (a membership removed
/// before is made again), and puts the project first in the user's list.
pub async fn add(
    deps: &Deps,
    project: &Id,
    user: &User,
    role: RoleRef,
    data_marts: Option<Vec<Id>>,
    by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Member> {
    let mut member = Member::new(
        project,
        &user.meta.id,
        &user.email,
        role,
        data_marts,
        by,
        now,
    );
    // The user's list first: a membership whose project is missing from the
    // list is not listed, while a listed project without its membership is
    // skipped; so the list never hides a membership.
    index(deps, &user.meta.id, project, true, now).await?;
    match deps.store.insert(&records::to_record(&member)?).await {
        Ok(()) => {}
        Err(StoreError::AlreadyExists) => {
            let Some(old) = get::<Member>(deps, &member.meta.id).await? else {
                return Err(ServiceError::Conflict(
                    "the membership changed at the same time; try again".into(),
                ));
            };
            if old.meta.deleted_at.is_none() {
                return Err(ServiceError::Conflict(format!(
                    "{} is a member of this project already",
                    user.email
                )));
            }
            member.meta.version = old.meta.version;
            member.meta.created_at = old.meta.created_at;
            records::replace(deps.store.as_ref(), &mut member, now).await?;
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(user_id = %user.meta.id, project = %project, role = %member.role.as_string(), "Member added.");
    Ok(member)
}

/// Adds `project` to the user's list (first), or takes it out.
async fn index(
    deps: &Deps,
    user: &Id,
    project: &Id,
    add: bool,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    records::update::<User>(deps.store.as_ref(), &identity_partition(), user, now, |u| {
        let had = u.projects.contains(project);
        if add {
            u.put_first(project);
            true
        } else {
            u.projects.retain(|p| p != project);
            had
        }
    })
    .await?;
    Ok(())
}

/// A new project owned by `user`, named `name`.
pub async fn create_project(
    deps: &Deps,
    user: &User,
    name: &str,
    now: DateTime<Utc>,
) -> ServiceResult<(Member, Project)> {
    let name = sluice_domain::entities::validate_title("name", name)?;
    let id = Id::generate(Kind::Project, now.timestamp_millis().max(0) as u64);
    let mut meta = Meta::new(Kind::Project, &id, user.meta.id.as_str(), now);
    meta.id = id.clone();
    let project = Project {
        meta,
        name,
        webhook: None,
        slack: None,
        teams: None,
        notifications: Default::default(),
    };
    deps.store.insert(&records::to_record(&project)?).await?;
    let member = add(
        deps,
        &id,
        user,
        RoleRef::Builtin(Role::Owner),
        None,
        user.meta.id.as_str(),
        now,
    )
    .await?;
    Ok((member, project))
}

/// The members of `project` who are owners.
async fn owners(deps: &Deps, project: &Id) -> ServiceResult<usize> {
    Ok(all_of::<Member>(deps, project)
        .await?
        .iter()
        .filter(|m| m.role == RoleRef::Builtin(Role::Owner))
        .count())
}

/// A conflict when `member` is the project's last owner and would stop being one.
async fn keep_an_owner(deps: &Deps, member: &Member, after: Option<&RoleRef>) -> ServiceResult<()> {
    let owner = RoleRef::Builtin(Role::Owner);
    if member.role == owner && after != Some(&owner) && owners(deps, &member.project).await? <= 1 {
        return Err(ServiceError::Conflict(
            "this is the project's last owner: make another member an owner first".into(),
        ));
    }
    Ok(())
}

/// Sets a member's role (the operator's `sluice users set-role`).
pub async fn set_member_role(
    deps: &Deps,
    project: &Id,
    user: &Id,
    role: RoleRef,
    now: DateTime<Utc>,
) -> ServiceResult<MemberView> {
    let member = super::identity::membership(deps, project, user)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound(format!("the user is no member of project {project}"))
        })?;
    if let RoleRef::Custom(id) = &role {
        live_role(deps, project, id, "role").await?;
    }
    keep_an_owner(deps, &member, Some(&role)).await?;
    let updated = records::update::<Member>(
        deps.store.as_ref(),
        &identity_partition(),
        &member.meta.id,
        now,
        |m| {
            m.role = role.clone();
            if m.role == RoleRef::Builtin(Role::Owner) {
                m.data_marts = None;
            }
            true
        },
    )
    .await?
    .ok_or_else(|| ServiceError::NotFound("the membership is gone".into()))?;
    Ok(updated.view())
}

/// Takes `user` out of `project` (the operator's `sluice projects
/// remove-member`); a project keeps an owner.
pub async fn remove_member(
    deps: &Deps,
    project: &Id,
    user: &Id,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let member = super::identity::membership(deps, project, user)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound(format!("the user is no member of project {project}"))
        })?;
    delete_membership(deps, member, now).await
}

async fn delete_membership(
    deps: &Deps,
    mut member: Member,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    keep_an_owner(deps, &member, None).await?;
    member.meta.deleted_at = Some(now);
    records::replace(deps.store.as_ref(), &mut member, now).await?;
    index(deps, &member.user_id, &member.project, false, now).await?;
    tracing::info!(user_id = %member.user_id, project = %member.project, "Member removed.");
    Ok(())
}

/// Checks `role` and `data_marts` as a grant in `project` (the custom role is
/// the project's; the scope names its live data marts, and not for an owner),
/// then makes `user` a member (the operator's `sluice projects add-member`).
pub async fn add_checked(
    deps: &Deps,
    project: &Id,
    user: &User,
    role: RoleRef,
    data_marts: Option<Vec<Id>>,
    by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Member> {
    if let RoleRef::Custom(id) = &role {
        live_role(deps, project, id, "role").await?;
    }
    check_scope("data_marts", &data_marts)?;
    if data_marts.is_some() && role == RoleRef::Builtin(Role::Owner) {
        return Err(ServiceError::invalid(
            "data_marts",
            "an owner's role reaches the whole project: leave it out",
        ));
    }
    for (i, id) in data_marts.iter().flatten().enumerate() {
        let live = records::get::<DataMart>(deps.store.as_ref(), project, id)
            .await?
            .is_some_and(|d| d.meta.deleted_at.is_none());
        if !live {
            return Err(ServiceError::invalid(
                format!("data_marts[{i}]"),
                format!("data mart {id} not found in project {project}"),
            ));
        }
    }
    add(deps, project, user, role, data_marts, by, now).await
}

/// Every project that has members: its id, name and number of members (the
/// operator's `sluice projects list`).
pub async fn all_projects(deps: &Deps) -> ServiceResult<Vec<(Id, String, usize)>> {
    let mut counts: std::collections::BTreeMap<Id, usize> = Default::default();
    let mut after = None;
    loop {
        let page = deps
            .store
            .list(&ListQuery {
                project: identity_partition(),
                kind: Kind::Member,
                parent: None,
                after,
                limit: 200,
            })
            .await?;
        for r in &page.records {
            let m: Member = records::from_record(r)?;
            if m.meta.deleted_at.is_none() {
                *counts.entry(m.project).or_default() += 1;
            }
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let mut out = vec![];
    for (project, count) in counts {
        let name = project_name(deps, &project).await?;
        out.push((project, name, count));
    }
    Ok(out)
}

/// The members of `project`, for the operator.
pub async fn members_of(deps: &Deps, project: &Id) -> ServiceResult<Vec<MemberView>> {
    Ok(all_of::<Member>(deps, project)
        .await?
        .iter()
        .map(Member::view)
        .collect())
}

/// The custom role `id` of `project`, live; 422 naming `field` otherwise.
/// The custom role `id` of `project`, if it is live.
pub(crate) async fn project_role(
    deps: &Deps,
    project: &Id,
    id: &Id,
) -> ServiceResult<Option<CustomRole>> {
    Ok(get::<CustomRole>(deps, id)
        .await?
        .filter(|r| r.meta.deleted_at.is_none() && &r.project == project))
}

/// The custom role `id` of `project`, live; 422 naming `field` otherwise.
async fn live_role(deps: &Deps, project: &Id, id: &Id, field: &str) -> ServiceResult<CustomRole> {
    project_role(deps, project, id)
        .await?
        .ok_or_else(|| ServiceError::invalid(field, format!("role {id} not found in this project")))
}

// ---- projects (`/v1/projects`) ----

/// A project as its member sees it in their list.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProjectMembership {
    pub project_id: Id,
    pub name: String,
    /// The caller's role there.
    pub role: RoleRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_marts: Option<Vec<Id>>,
    /// Whether the request's credential is for this project.
    pub current: bool,
}

/// `POST /v1/projects`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    /// 1-200 characters.
    #[schemars(
        length(min = 1, max = 200),
        pattern(sluice_domain::entities::NOT_BLANK)
    )]
    pub name: String,
}

fn user_of<'c>(ctx: &'c Ctx<'_>, what: &str) -> ServiceResult<&'c Id> {
    ctx.principal.session().map(|(u, _)| u).ok_or_else(|| {
        ServiceError::Forbidden(format!(
            "{what} is for a user's session: call it with the access token of a sign-in, not an API key or an operator token"
        ))
    })
}

async fn project_name(deps: &Deps, project: &Id) -> ServiceResult<String> {
    Ok(
        records::get::<Project>(deps.store.as_ref(), project, project)
            .await?
            .map_or_else(|| project.to_string(), |p| p.name),
    )
}

/// `GET /v1/projects`: the projects the caller's user is a member of (an API
/// key or an operator token: its one project).
pub async fn list_projects(ctx: &Ctx<'_>) -> ServiceResult<List<ProjectMembership>> {
    let deps = ctx.deps;
    let p = &ctx.principal;
    let mut items = vec![];
    match p.session() {
        Some((user_id, _)) => {
            let user = get::<User>(deps, user_id)
                .await?
                .ok_or_else(|| ServiceError::NotFound("the user is gone".into()))?;
            for project in &user.projects {
                let Some(m) = super::identity::membership(deps, project, user_id).await? else {
                    continue;
                };
                items.push(ProjectMembership {
                    project_id: project.clone(),
                    name: project_name(deps, project).await?,
                    role: m.role,
                    data_marts: m.data_marts,
                    current: project == ctx.project(),
                });
            }
        }
        None => items.push(ProjectMembership {
            project_id: p.project.clone(),
            name: project_name(deps, &p.project).await?,
            role: p.role_ref(),
            data_marts: p.data_marts.clone(),
            current: true,
        }),
    }
    Ok(List {
        items,
        next_cursor: None,
    })
}

/// `POST /v1/projects`: a new project, owned by the caller's user; switch to
/// it with `POST /v1/auth/switch-project`.
pub async fn create(ctx: &Ctx<'_>, body: CreateProject) -> ServiceResult<ProjectMembership> {
    let user_id = user_of(ctx, "creating a project")?;
    let user = get::<User>(ctx.deps, user_id)
        .await?
        .ok_or_else(|| ServiceError::NotFound("the user is gone".into()))?;
    let (member, project) = create_project(ctx.deps, &user, &body.name, ctx.now).await?;
    Ok(ProjectMembership {
        project_id: project.meta.id.clone(),
        name: project.name,
        role: member.role,
        data_marts: None,
        current: false,
    })
}

// ---- members (`/v1/members`) ----

/// `GET /v1/members`.
pub async fn list_members(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<MemberView>> {
    let (items, next_cursor) = page_of::<Member>(ctx, page).await?;
    Ok(List {
        items: items.iter().map(Member::view).collect(),
        next_cursor,
    })
}

async fn member_of_project(ctx: &Ctx<'_>, id: &Id) -> ServiceResult<Member> {
    get::<Member>(ctx.deps, id)
        .await?
        .filter(|m| m.meta.deleted_at.is_none() && &m.project == ctx.project())
        .ok_or_else(|| ServiceError::not_found(Kind::Member, id.as_str()))
}

/// Whether the caller may give `role` (scoped to `data_marts`): nobody gives
/// more than their own role, only an owner gives `owner`, a custom role must
/// be the project's, an owner reaches the whole project, and a scope names
/// data marts of the project.
async fn check_grant(
    ctx: &Ctx<'_>,
    role: &RoleRef,
    data_marts: &Option<Vec<Id>>,
) -> ServiceResult<()> {
    match role {
        RoleRef::Builtin(r) if !ctx.principal.role.allows(*r) => {
            return Err(ServiceError::invalid(
                "role",
                format!(
                    "can be at most your own (`{}`), not `{}`",
                    ctx.principal.role.as_str(),
                    r.as_str()
                ),
            ));
        }
        RoleRef::Builtin(_) => {}
        RoleRef::Custom(id) => {
            live_role(ctx.deps, ctx.project(), id, "role").await?;
        }
    }
    check_scope("data_marts", data_marts)?;
    if data_marts.is_some() && *role == RoleRef::Builtin(Role::Owner) {
        return Err(ServiceError::invalid(
            "data_marts",
            "an owner's role reaches the whole project: leave it out",
        ));
    }
    for (i, id) in data_marts.iter().flatten().enumerate() {
        require_ref::<DataMart>(ctx, &format!("data_marts[{i}]"), id).await?;
    }
    Ok(())
}

/// Only an owner changes or removes an owner.
fn check_owner_touch(ctx: &Ctx<'_>, member: &Member) -> ServiceResult<()> {
    if member.role == RoleRef::Builtin(Role::Owner) && ctx.principal.role != Role::Owner {
        return Err(ServiceError::Forbidden(
            "only an owner changes or removes an owner".into(),
        ));
    }
    Ok(())
}

/// `PATCH /v1/members/{id}`: a member's role and scope.
pub async fn update_member(
    ctx: &Ctx<'_>,
    id: &Id,
    body: UpdateMember,
) -> ServiceResult<MemberView> {
    let mut member = member_of_project(ctx, id).await?;
    super::check_version(&member, body.version)?;
    check_owner_touch(ctx, &member)?;
    let role = body.role.clone().unwrap_or_else(|| member.role.clone());
    let data_marts = match &body.data_marts {
        Some(d) => d.clone(),
        None if role == RoleRef::Builtin(Role::Owner) => None,
        None => member.data_marts.clone(),
    };
    check_grant(ctx, &role, &data_marts).await?;
    keep_an_owner(ctx.deps, &member, Some(&role)).await?;
    member.role = role;
    member.data_marts = data_marts;
    records::replace(ctx.deps.store.as_ref(), &mut member, ctx.now).await?;
    Ok(member.view())
}

/// `DELETE /v1/members/{id}`: takes a member out of the project; their
/// requests to it are refused from the next one.
pub async fn delete_member(ctx: &Ctx<'_>, id: &Id) -> ServiceResult<()> {
    let member = member_of_project(ctx, id).await?;
    check_owner_touch(ctx, &member)?;
    delete_membership(ctx.deps, member, ctx.now).await
}

// ---- custom roles (`/v1/roles`) ----

/// A permission a custom role may grant, and the route it opens.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PermissionView {
    /// `resource:action`.
    pub permission: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    /// The least built-in role that has it.
    pub builtin_role: Role,
    /// Whether a role scoped to data marts reaches it.
    pub scopable: bool,
}

/// `GET /v1/permissions`: what a custom role may grant.
pub fn permissions() -> List<PermissionView> {
    let items = routes::all()
        .iter()
        .filter(|r| r.grantable())
        .map(|r| PermissionView {
            permission: r.permission(),
            method: r.method.to_string(),
            path: r.path.to_string(),
            summary: r.summary.to_string(),
            builtin_role: r.role.unwrap_or(Role::Viewer),
            scopable: r.scopable(),
        })
        .collect();
    List {
        items,
        next_cursor: None,
    }
}

/// Checks a role's patterns: each `resource:action` (`*` for either)
/// granting at least one route a custom role may be given.
fn check_permissions(patterns: &[String]) -> ServiceResult<Vec<String>> {
    if patterns.is_empty() || patterns.len() > MAX_ROLE_PERMISSIONS {
        return Err(ServiceError::invalid(
            "permissions",
            format!("must hold 1-{MAX_ROLE_PERMISSIONS} permissions"),
        ));
    }
    let grantable: Vec<String> = routes::all()
        .iter()
        .filter(|r| r.grantable())
        .map(|r| r.permission())
        .collect();
    let mut out = vec![];
    for (i, p) in patterns.iter().enumerate() {
        let p = p.trim().to_string();
        let one = [p.clone()];
        if !grantable.iter().any(|g| permits(&one, g)) {
            return Err(ServiceError::invalid(
                format!("permissions[{i}]"),
                "grants no route: write `resource:action` as `GET /v1/permissions` lists them (`*` for any resource or action); who has access is managed by admins and owners only",
            ));
        }
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

/// A conflict when another live role of the project has this name.
async fn unique_name(ctx: &Ctx<'_>, name: &str, except: Option<&Id>) -> ServiceResult<()> {
    let taken = all_of::<CustomRole>(ctx.deps, ctx.project())
        .await?
        .into_iter()
        .any(|r| r.name.eq_ignore_ascii_case(name) && Some(&r.meta.id) != except);
    if taken {
        return Err(ServiceError::Conflict(format!(
            "the project has a role named {name:?} already"
        )));
    }
    Ok(())
}

/// `POST /v1/roles`.
pub async fn create_role(ctx: &Ctx<'_>, body: CreateCustomRole) -> ServiceResult<CustomRoleView> {
    check_role_text(Some(&body.name), Some(&body.description))?;
    let permissions = check_permissions(&body.permissions)?;
    let name = body.name.trim().to_string();
    unique_name(ctx, &name, None).await?;
    let role = CustomRole {
        meta: Meta::new(
            Kind::CustomRole,
            &identity_partition(),
            &ctx.principal.subject,
            ctx.now,
        ),
        project: ctx.project().clone(),
        name,
        description: body.description,
        permissions,
    };
    ctx.deps.store.insert(&records::to_record(&role)?).await?;
    Ok(role.view())
}

/// `GET /v1/roles`.
pub async fn list_roles(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<CustomRoleView>> {
    let (items, next_cursor) = page_of::<CustomRole>(ctx, page).await?;
    Ok(List {
        items: items.iter().map(CustomRole::view).collect(),
        next_cursor,
    })
}

async fn role_of_project(ctx: &Ctx<'_>, id: &Id) -> ServiceResult<CustomRole> {
    project_role(ctx.deps, ctx.project(), id)
        .await?
        .ok_or_else(|| ServiceError::not_found(Kind::CustomRole, id.as_str()))
}

/// `GET /v1/roles/{id}`.
pub async fn get_role(ctx: &Ctx<'_>, id: &Id) -> ServiceResult<CustomRoleView> {
    Ok(role_of_project(ctx, id).await?.view())
}

/// `PATCH /v1/roles/{id}`: applies to its members' next requests.
pub async fn update_role(
    ctx: &Ctx<'_>,
    id: &Id,
    body: UpdateCustomRole,
) -> ServiceResult<CustomRoleView> {
    let mut role = role_of_project(ctx, id).await?;
    super::check_version(&role, body.version)?;
    check_role_text(body.name.as_deref(), body.description.as_deref())?;
    if let Some(name) = &body.name {
        let name = name.trim().to_string();
        unique_name(ctx, &name, Some(id)).await?;
        role.name = name;
    }
    if let Some(d) = body.description {
        role.description = d;
    }
    if let Some(p) = &body.permissions {
        role.permissions = check_permissions(p)?;
    }
    records::replace(ctx.deps.store.as_ref(), &mut role, ctx.now).await?;
    Ok(role.view())
}

/// `DELETE /v1/roles/{id}`: refused while a member or a pending invitation
/// has it.
pub async fn delete_role(ctx: &Ctx<'_>, id: &Id) -> ServiceResult<()> {
    let mut role = role_of_project(ctx, id).await?;
    let held = RoleRef::Custom(id.clone());
    let members = all_of::<Member>(ctx.deps, ctx.project())
        .await?
        .iter()
        .filter(|m| m.role == held)
        .count();
    let invited = all_of::<Invitation>(ctx.deps, ctx.project())
        .await?
        .iter()
        .filter(|i| i.role == held && i.state(ctx.now) == "pending")
        .count();
    if members + invited > 0 {
        return Err(ServiceError::Conflict(format!(
            "role {id} is held by {members} member(s) and {invited} pending invitation(s): give them another role first"
        )));
    }
    role.meta.deleted_at = Some(ctx.now);
    records::replace(ctx.deps.store.as_ref(), &mut role, ctx.now).await?;
    Ok(())
}

// ---- invitations (`/v1/invitations`) ----

/// `POST /v1/invitations`: answers the invitation with its token, once.
pub async fn create_invitation(
    ctx: &Ctx<'_>,
    body: CreateInvitation,
) -> ServiceResult<InvitationView> {
    let email = Email::parse("email", &body.email)?;
    check_grant(ctx, &body.role, &body.data_marts).await?;
    if super::identity::membership(ctx.deps, ctx.project(), &User::id_for(&email))
        .await?
        .is_some()
    {
        return Err(ServiceError::Conflict(format!(
            "{} is a member of this project already",
            email.as_str()
        )));
    }
    let secret = secret::new_secret().map_err(|e| ServiceError::Internal(e.to_string()))?;
    let invitation = Invitation {
        meta: Meta::new(
            Kind::Invitation,
            &identity_partition(),
            &ctx.principal.subject,
            ctx.now,
        ),
        project: ctx.project().clone(),
        email: email.as_str().to_string(),
        role: body.role,
        data_marts: body.data_marts,
        digest: Hidden(secret::digest(&secret)),
        expires_at: ctx.now + Duration::days(INVITATION_DAYS),
        accepted_at: None,
        accepted_by: None,
    };
    ctx.deps
        .store
        .insert(&records::to_record(&invitation)?)
        .await?;
    let mut view = invitation.view(ctx.now);
    view.token = Some(format!("{}.{secret}", invitation.meta.id));
    Ok(view)
}

/// `GET /v1/invitations`: every invitation of the project, with its state.
pub async fn list_invitations(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<InvitationView>> {
    let found = ctx
        .deps
        .store
        .list(&ListQuery {
            project: identity_partition(),
            kind: Kind::Invitation,
            parent: Some(ctx.project().clone()),
            after: page.after.clone(),
            limit: page.limit,
        })
        .await?;
    let mut items = vec![];
    for r in &found.records {
        items.push(records::from_record::<Invitation>(r)?.view(ctx.now));
    }
    Ok(List {
        items,
        next_cursor: found.next.map(|n| n.to_string()),
    })
}

/// `DELETE /v1/invitations/{id}`: revokes a pending invitation.
pub async fn delete_invitation(ctx: &Ctx<'_>, id: &Id) -> ServiceResult<()> {
    let mut invitation = get::<Invitation>(ctx.deps, id)
        .await?
        .filter(|i| &i.project == ctx.project() && i.state(ctx.now) == "pending")
        .ok_or_else(|| ServiceError::not_found(Kind::Invitation, id.as_str()))?;
    invitation.meta.deleted_at = Some(ctx.now);
    records::replace(ctx.deps.store.as_ref(), &mut invitation, ctx.now).await?;
    Ok(())
}

/// The one answer to an invitation token that is not good.
pub const INVITATION_REFUSED: &str = "the invitation is not valid (unknown, used, revoked, expired, or for another address); ask for a new one";

/// The pending invitation `token` names, for `email`. Any other token is a
/// 403 that does not say why, like a refused credential.
pub async fn invitation_for(
    deps: &Deps,
    token: &str,
    email: &Email,
    now: DateTime<Utc>,
) -> ServiceResult<Invitation> {
    let refused = || ServiceError::Forbidden(INVITATION_REFUSED.into());
    let (id, secret) = token.trim().split_once('.').ok_or_else(refused)?;
    let id = Id::parse(Kind::Invitation, id).ok_or_else(refused)?;
    let invitation = get::<Invitation>(deps, &id).await?.ok_or_else(refused)?;
    if !secret::matches(secret, &invitation.digest.0)
        || invitation.state(now) != "pending"
        || invitation.email != email.as_str()
    {
        return Err(refused());
    }
    Ok(invitation)
}

/// Uses `invitation` (once: a second use at the same moment loses) and makes
/// `user` a member with its role.
pub async fn accept(
    deps: &Deps,
    mut invitation: Invitation,
    user: &User,
    now: DateTime<Utc>,
) -> ServiceResult<Member> {
    if super::identity::membership(deps, &invitation.project, &user.meta.id)
        .await?
        .is_some()
    {
        return Err(ServiceError::Conflict(
            "you are a member of this project already".into(),
        ));
    }
    invitation.accepted_at = Some(now);
    invitation.accepted_by = Some(user.meta.id.clone());
    match records::replace(deps.store.as_ref(), &mut invitation, now).await {
        Ok(()) => {}
        Err(StoreError::VersionConflict) => {
            return Err(ServiceError::Forbidden(INVITATION_REFUSED.into()));
        }
        Err(e) => return Err(e.into()),
    }
    // A custom role deleted since the invitation: the member gets nothing
    // more than a viewer would.
    let role = match &invitation.role {
        RoleRef::Custom(id)
            if live_role(deps, &invitation.project, id, "role")
                .await
                .is_err() =>
        {
            RoleRef::Builtin(Role::Viewer)
        }
        r => r.clone(),
    };
    add(
        deps,
        &invitation.project,
        user,
        role,
        invitation.data_marts.clone(),
        invitation.meta.created_by.as_str(),
        now,
    )
    .await
}

/// `POST /v1/invitations/accept`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The invitation's token.
    #[schemars(length(min = 1, max = 200))]
    pub token: String,
}

/// `POST /v1/invitations/accept`: the signed-in user joins the invitation's
/// project; switch to it with `POST /v1/auth/switch-project`.
pub async fn accept_invitation(
    ctx: &Ctx<'_>,
    body: AcceptInvitation,
) -> ServiceResult<ProjectMembership> {
    let user_id = user_of(ctx, "accepting an invitation")?;
    let user = get::<User>(ctx.deps, user_id)
        .await?
        .ok_or_else(|| ServiceError::NotFound("the user is gone".into()))?;
    let email = Email::parse("email", &user.email)?;
    let invitation = invitation_for(ctx.deps, &body.token, &email, ctx.now).await?;
    let member = accept(ctx.deps, invitation, &user, ctx.now).await?;
    Ok(ProjectMembership {
        name: project_name(ctx.deps, &member.project).await?,
        current: &member.project == ctx.project(),
        project_id: member.project,
        role: member.role,
        data_marts: member.data_marts,
    })
}
