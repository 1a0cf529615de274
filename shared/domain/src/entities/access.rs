//! Who may do what in a project: memberships (a user's role there, maybe
//! scoped to chosen data marts), a project's custom roles (sets of
//! permissions), and invitations to join. They are the deployment's records,
//! kept in the identity partition beside users and keys, so the credential
//! check reads one partition whatever the project.
//!
//! A permission is an action on a kind of resource, `resource:action`, as the
//! route table names them (`api-start-run` is `run:start`); a pattern may put
//! `*` for either side (`data-mart:*`, `*:list`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Hidden, Meta, entity, identity_partition};
use crate::error::DomainError;
use crate::ids::{Id, Kind};
use crate::role::Role;

/// A role as a member, an invitation or a request names it: a built-in one
/// (`viewer`, `editor`, `admin`, `owner`) or a custom role of the project
/// (its id, `rol_…`). Serialized as that one string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RoleRef {
    Builtin(Role),
    Custom(Id),
}

/// The JSON Schema `pattern` of a [`RoleRef`].
pub const ROLE_REF: &str = "^(viewer|editor|admin|owner|rol_[0-7][0-9A-HJKMNP-TV-Z]{25})$";

impl RoleRef {
    pub fn parse(s: &str) -> Option<RoleRef> {
        Role::parse(s)
            .map(RoleRef::Builtin)
            .or_else(|| Id::parse(Kind::CustomRole, s).map(RoleRef::Custom))
    }

    pub fn as_string(&self) -> String {
        match self {
            RoleRef::Builtin(r) => r.as_str().to_string(),
            RoleRef::Custom(id) => id.to_string(),
        }
    }

    /// The built-in role, if it is one.
    pub fn builtin(&self) -> Option<Role> {
        match self {
            RoleRef::Builtin(r) => Some(*r),
            RoleRef::Custom(_) => None,
        }
    }
}

impl Serialize for RoleRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_string())
    }
}

impl<'de> Deserialize<'de> for RoleRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RoleRef::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(
                "must be `viewer`, `editor`, `admin`, `owner` or the id of a custom role (`rol_…`)",
            )
        })
    }
}

impl schemars::JsonSchema for RoleRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RoleRef".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": ROLE_REF,
            "description": "A built-in role (`viewer` reads, `editor` writes, `admin` manages, `owner` owns) or the id of one of the project's custom roles."
        })
    }
}

/// Whether `patterns` grant `permission` (`resource:action`).
pub fn permits(patterns: &[String], permission: &str) -> bool {
    let Some((resource, action)) = permission.split_once(':') else {
        return false;
    };
    patterns.iter().any(|p| {
        p.split_once(':')
            .is_some_and(|(r, a)| (r == "*" || r == resource) && (a == "*" || a == action))
    })
}

/// Most data marts a role may be scoped to.
pub const MAX_SCOPED_MARTS: usize = 200;

/// Checks a scope's data mart ids (their existence is the service's to check).
pub fn check_scope(field: &str, marts: &Option<Vec<Id>>) -> Result<(), DomainError> {
    let Some(marts) = marts else { return Ok(()) };
    if marts.is_empty() || marts.len() > MAX_SCOPED_MARTS {
        return Err(DomainError::invalid(
            field,
            format!(
                "must name 1-{MAX_SCOPED_MARTS} data marts, or be left out for the whole project"
            ),
        ));
    }
    for (i, id) in marts.iter().enumerate() {
        if Id::kind_of(id.as_str()) != Some(Kind::DataMart) {
            return Err(DomainError::invalid(
                format!("{field}[{i}]"),
                "is not a data mart id",
            ));
        }
    }
    Ok(())
}

/// A user's membership of a project. Its id derives from the two, so the
/// credential check reads it with one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    #[serde(flatten)]
    pub meta: Meta,
    pub project: Id,
    pub user_id: Id,
    /// The user's address when they joined (what the member list shows).
    pub email: String,
    pub role: RoleRef,
    /// The data marts the role reaches; `None` for the whole project.
    #[serde(default)]
    pub data_marts: Option<Vec<Id>>,
}
entity!(Member, Kind::Member, parent = |m| Some(m.project.clone()));

impl Member {
    /// The id of `user`'s membership of `project`.
    pub fn id_for(project: &Id, user: &Id) -> Id {
        Id::derived(Kind::Member, &[project.as_str(), user.as_str()])
    }

    /// A new membership (not yet stored).
    pub fn new(
        project: &Id,
        user: &Id,
        email: &str,
        role: RoleRef,
        data_marts: Option<Vec<Id>>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Member {
        Member {
            meta: Meta {
                id: Member::id_for(project, user),
                ..Meta::new(Kind::Member, &identity_partition(), by, now)
            },
            project: project.clone(),
            user_id: user.clone(),
            email: email.to_string(),
            role,
            data_marts,
        }
    }

    pub fn view(&self) -> MemberView {
        MemberView {
            id: self.meta.id.clone(),
            project_id: self.project.clone(),
            user_id: self.user_id.clone(),
            email: self.email.clone(),
            role: self.role.clone(),
            data_marts: self.data_marts.clone(),
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
        }
    }
}

/// A member as the API shows one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MemberView {
    pub id: Id,
    pub project_id: Id,
    pub user_id: Id,
    pub email: String,
    pub role: RoleRef,
    /// The data marts the role reaches; absent for the whole project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_marts: Option<Vec<Id>>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `PATCH /v1/members/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    #[serde(default)]
    pub role: Option<RoleRef>,
    /// The data marts the role reaches; `null` for the whole project.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schemars(with = "Option<Vec<Id>>")]
    pub data_marts: Option<Option<Vec<Id>>>,
    /// The version read: the change is refused if the member changed since.
    #[serde(default)]
    pub version: Option<u64>,
}

/// Most characters of a custom role's name and description.
pub const MAX_ROLE_NAME_CHARS: usize = 100;
pub const MAX_ROLE_DESCRIPTION_CHARS: usize = 1000;
/// Most permission patterns of a custom role.
pub const MAX_ROLE_PERMISSIONS: usize = 200;

/// A role a project defines: the permissions it grants, each
/// `resource:action` as the route table names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomRole {
    #[serde(flatten)]
    pub meta: Meta,
    pub project: Id,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub permissions: Vec<String>,
}
entity!(
    CustomRole,
    Kind::CustomRole,
    parent = |r| Some(r.project.clone())
);

impl CustomRole {
    pub fn view(&self) -> CustomRoleView {
        CustomRoleView {
            id: self.meta.id.clone(),
            project_id: self.project.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            permissions: self.permissions.clone(),
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
        }
    }
}

/// A custom role as the API shows one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CustomRoleView {
    pub id: Id,
    pub project_id: Id,
    pub name: String,
    pub description: String,
    /// `resource:action` patterns; `*` stands for any resource or action.
    pub permissions: Vec<String>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/roles`.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomRole {
    /// 1-100 characters, unique in the project.
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    #[serde(default)]
    #[schemars(length(max = 1000))]
    pub description: String,
    /// `resource:action` patterns (`data-mart:get`, `run:*`, `*:list`); each
    /// must grant at least one route. See `GET /v1/permissions`.
    #[schemars(length(min = 1, max = 200))]
    pub permissions: Vec<String>,
}

/// `PATCH /v1/roles/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomRole {
    #[serde(default)]
    #[schemars(length(min = 1, max = 100))]
    pub name: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 1000))]
    pub description: Option<String>,
    #[serde(default)]
    #[schemars(length(min = 1, max = 200))]
    pub permissions: Option<Vec<String>>,
    #[serde(default)]
    pub version: Option<u64>,
}

/// Checks a role's name and description (the permissions are checked
/// against the route table by the service).
pub fn check_role_text(name: Option<&str>, description: Option<&str>) -> Result<(), DomainError> {
    if let Some(name) = name {
        let n = name.trim();
        if n.is_empty()
            || n.chars().count() > MAX_ROLE_NAME_CHARS
            || n.chars().any(char::is_control)
        {
            return Err(DomainError::invalid(
                "name",
                format!("must be 1-{MAX_ROLE_NAME_CHARS} characters, none a control character"),
            ));
        }
    }
    if description.is_some_and(|d| d.chars().count() > MAX_ROLE_DESCRIPTION_CHARS) {
        return Err(DomainError::invalid(
            "description",
            format!("must be at most {MAX_ROLE_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(())
}

/// How long an invitation is good for.
pub const INVITATION_DAYS: i64 = 7;

/// An invitation to join a project: good once, for [`INVITATION_DAYS`], for
/// the address it names. Its secret is kept as its digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    #[serde(flatten)]
    pub meta: Meta,
    pub project: Id,
    /// In lower case.
    pub email: String,
    pub role: RoleRef,
    #[serde(default)]
    pub data_marts: Option<Vec<Id>>,
    /// SHA-256 of the invitation's secret part, hex.
    pub digest: Hidden,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub accepted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub accepted_by: Option<Id>,
}
entity!(
    Invitation,
    Kind::Invitation,
    parent = |i| Some(i.project.clone())
);

impl Invitation {
    /// `pending`, `accepted`, `revoked` or `expired` at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> &'static str {
        if self.accepted_at.is_some() {
            "accepted"
        } else if self.meta.deleted_at.is_some() {
            "revoked"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "pending"
        }
    }

    pub fn view(&self, now: DateTime<Utc>) -> InvitationView {
        InvitationView {
            id: self.meta.id.clone(),
            project_id: self.project.clone(),
            email: self.email.clone(),
            role: self.role.clone(),
            data_marts: self.data_marts.clone(),
            state: self.state(now).to_string(),
            expires_at: self.expires_at,
            created_at: self.meta.created_at,
            created_by: self.meta.created_by.clone(),
            accepted_at: self.accepted_at,
            token: None,
        }
    }
}

/// An invitation as the API shows one; `token` only in the answer that
/// created it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InvitationView {
    pub id: Id,
    pub project_id: Id,
    pub email: String,
    pub role: RoleRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_marts: Option<Vec<Id>>,
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub state: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
    /// The invitation's secret, shown once: the invitee accepts with it
    /// (`POST /v1/invitations/accept`, or `invitation` at sign-up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// `POST /v1/invitations`.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitation {
    /// Who may accept it.
    #[schemars(length(max = 254), pattern(super::USER_EMAIL))]
    pub email: String,
    pub role: RoleRef,
    /// The data marts the role reaches; left out for the whole project.
    #[serde(default)]
    pub data_marts: Option<Vec<Id>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_grant_their_resource_and_action_and_nothing_else() {
        let p = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(permits(&p(&["data-mart:get"]), "data-mart:get"));
        assert!(!permits(&p(&["data-mart:get"]), "data-mart:list"));
        assert!(!permits(&p(&["data-mart:get"]), "data-mart-lineage:get"));
        assert!(permits(&p(&["run:*"]), "run:start"));
        assert!(permits(&p(&["*:list"]), "source:list"));
        assert!(!permits(&p(&["*:list"]), "source:get"));
        assert!(!permits(&p(&[]), "source:get"));
        assert!(!permits(&p(&["source"]), "source:get"));
    }

    #[test]
    fn a_role_is_a_builtin_name_or_a_custom_role_id() {
        assert_eq!(
            RoleRef::parse("editor"),
            Some(RoleRef::Builtin(Role::Editor))
        );
        let id = Id::generate(Kind::CustomRole, 1);
        assert_eq!(
            RoleRef::parse(id.as_str()),
            Some(RoleRef::Custom(id.clone()))
        );
        assert_eq!(RoleRef::parse("superuser"), None);
        assert_eq!(
            RoleRef::parse(Id::generate(Kind::DataMart, 1).as_str()),
            None
        );
        let json = serde_json::to_string(&RoleRef::Custom(id.clone())).expect("json");
        assert_eq!(json, format!("\"{id}\""));
    }

    #[test]
    fn a_scope_names_data_marts_only() {
        assert!(check_scope("data_marts", &None).is_ok());
        assert!(check_scope("data_marts", &Some(vec![])).is_err());
        let dm = Id::generate(Kind::DataMart, 1);
        assert!(check_scope("data_marts", &Some(vec![dm])).is_ok());
        let err = check_scope("data_marts", &Some(vec![Id::generate(Kind::Report, 1)]))
            .expect_err("a report is no data mart");
        assert!(err.to_string().starts_with("data_marts[0]"), "{err}");
    }
}
