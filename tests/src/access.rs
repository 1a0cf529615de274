//! Projects, members, custom roles, scoped roles and invitations, through the
//! local server over HTTP: the same checks on the embedded stack
//! (tests/tests/api.rs) and on the AWS adapters over moto
//! (tests/tests/api_on_aws.rs).

use serde_json::{Value, json};
use sluice_app::routes;
use sluice_domain::entities::{Member, RoleRef, User, permits};
use sluice_domain::{Id, Kind, Role};

use crate::api_suite::{SESSION_ROUTES, allowed_status, request_for, seed};
use crate::app::TestApp;
use crate::identity::{PASSWORD, SignedIn, new_email, signed_in, signed_in_as};

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

/// The membership id of the user with `email` in `project`.
fn member_id(project: &Id, email: &str) -> String {
    let user = Id::derived(Kind::User, &[&email.to_lowercase()]);
    Member::id_for(project, &user).to_string()
}

/// Every route with a credential is answered as a custom role's permissions
/// say: two roles split the routes a custom role may grant between them, and
/// a member of each calls every route. The routes about the caller answer
/// both; those deciding who has access (keys, members, roles, invitations)
/// answer neither.
pub async fn a_custom_role_reaches_exactly_the_routes_its_permissions_grant(app: TestApp) {
    let grantable: Vec<String> = routes::all()
        .iter()
        .filter(|r| r.grantable())
        .map(|r| r.permission())
        .collect();
    let unique: std::collections::BTreeSet<&String> = grantable.iter().collect();
    assert_eq!(unique.len(), grantable.len(), "one permission per route");
    let halves: Vec<Vec<String>> = (0..2)
        .map(|half| {
            grantable
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == half)
                .map(|(_, p)| p.clone())
                .collect()
        })
        .collect();
    let mut members = vec![];
    for (n, permissions) in halves.iter().enumerate() {
        let role = id(&app
            .owner(
                "POST",
                "/v1/roles",
                Some(&json!({"name": format!("Half {n}"), "permissions": permissions})),
                201,
            )
            .await);
        let role_id = Id::parse(Kind::CustomRole, &role).expect("a role id");
        let user = signed_in_as(&app, &app.project, RoleRef::Custom(role_id)).await;
        members.push((role, permissions.clone(), user));
    }
    let shared = seed(&app).await;
    for route in routes::all() {
        if route.role.is_none() || SESSION_ROUTES.contains(&route.name) {
            continue;
        }
        // A fresh fixture for each route that writes (reads share one): the
        // member refused goes first (a refusal changes nothing), then the one
        // granted (the halves never both grant a route but one about the
        // caller, which only reads).
        let fresh;
        let f = if route.method == http::Method::GET {
            &shared
        } else {
            fresh = seed(&app).await;
            &fresh
        };
        let granted = |permissions: &Vec<String>| {
            route.self_service() || (route.grantable() && permits(permissions, &route.permission()))
        };
        let mut ordered: Vec<&(String, Vec<String>, SignedIn)> = members.iter().collect();
        ordered.sort_by_key(|(_, permissions, _)| granted(permissions));
        for (role, permissions, user) in ordered {
            let (path, body) = request_for(route.name, f);
            let r = app
                .send(route.method.as_str(), &path, &user.access, body.as_ref())
                .await;
            let what = format!("{} as custom role {role}: {}", route.name, r.text);
            if granted(permissions) {
                assert_eq!(r.status, allowed_status(route), "{what}");
            } else {
                assert_eq!((r.status, r.code()), (403, "forbidden".into()), "{what}");
                assert!(
                    r.text.contains(&route.permission()) || !route.grantable(),
                    "{what}"
                );
            }
        }
    }
    // `GET /v1/me` names the role; a change of its permissions applies at the
    // member's next request.
    let (role, _, user) = &members[0];
    let me = app.send("GET", "/v1/me", &user.access, None).await.json();
    assert_eq!(me["role"], json!(role), "{me}");
    assert_eq!(me["custom"]["name"], "Half 0", "{me}");
    app.owner(
        "PATCH",
        &format!("/v1/roles/{role}"),
        Some(&json!({"permissions": ["storage:list"]})),
        200,
    )
    .await;
    assert_eq!(
        app.send("GET", "/v1/storages", &user.access, None)
            .await
            .status,
        200
    );
    assert_eq!(
        app.send("GET", "/v1/sources", &user.access, None)
            .await
            .status,
        403
    );
    // A role held by a member is not deleted; nor is a pattern that grants
    // nothing, or who has access, accepted.
    let r = app
        .send(
            "DELETE",
            &format!("/v1/roles/{role}"),
            app.token(Role::Owner),
            None,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    for (bad, field) in [
        (json!(["member:update"]), "permissions[0]"),
        (json!(["data-mart:get", "nothing:here"]), "permissions[1]"),
        (json!(["no-colon"]), "permissions[0]"),
        (json!([]), "permissions"),
    ] {
        let r = app
            .send(
                "POST",
                "/v1/roles",
                app.token(Role::Owner),
                Some(&json!({"name": "Bad", "permissions": bad})),
            )
            .await;
        assert_eq!(
            (r.status, r.field()),
            (422, field.to_string()),
            "{bad}: {}",
            r.text
        );
    }
    app.stop().await;
}

/// A member whose role is scoped to one data mart sees that data mart and
/// what hangs off it (runs, reports, triggers), finds nothing of the others,
/// and reaches no route outside data marts; widened to the whole project, the
/// member sees it all.
pub async fn a_scoped_role_sees_only_its_data_marts(app: TestApp) {
    let f = seed(&app).await;
    let user = signed_in(&app, &app.project, Role::Editor).await;
    let member = member_id(&app.project, &user.email);
    let scoped = app
        .owner(
            "PATCH",
            &format!("/v1/members/{member}"),
            Some(&json!({"data_marts": [f.files_mart]})),
            200,
        )
        .await;
    assert_eq!(scoped["data_marts"], json!([f.files_mart]), "{scoped}");
    let get = |path: String| {
        let app = &app;
        let token = user.access.clone();
        async move { app.send("GET", &path, &token, None).await }
    };
    let marts = get("/v1/data-marts".into()).await.json();
    let ids: Vec<&str> = marts["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(ids, [f.files_mart.as_str()], "{marts}");
    assert_eq!(
        get(format!("/v1/data-marts/{}", f.files_mart)).await.status,
        200
    );
    for path in [
        format!("/v1/data-marts/{}", f.data_mart),
        format!("/v1/runs/{}", f.run),
        format!("/v1/runs/{}/events", f.run),
        format!("/v1/reports/{}", f.report),
        format!("/v1/triggers/{}", f.trigger),
        format!("/v1/data-marts/{}/runs", f.data_mart),
    ] {
        let r = get(path.clone()).await;
        assert_eq!(
            (r.status, r.code()),
            (404, "not_found".into()),
            "{path}: {}",
            r.text
        );
    }
    let runs = get("/v1/runs?limit=200".into()).await.json();
    let runs = runs["items"].as_array().expect("items");
    assert!(!runs.is_empty(), "the files mart's runs are seen");
    assert!(
        runs.iter()
            .all(|r| r["data_mart_id"] == json!(f.files_mart)),
        "{runs:?}"
    );
    let reports = get("/v1/reports".into()).await.json();
    let reports = reports["items"].as_array().expect("items");
    assert!(
        reports.iter().any(|r| r["id"] == json!(f.data_report))
            && reports
                .iter()
                .all(|r| r["data_mart_id"] == json!(f.files_mart)),
        "{reports:?}"
    );
    // Writes on another data mart find nothing; routes outside data marts are refused.
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{}/runs", f.data_mart),
            &user.access,
            Some(&json!({})),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .send(
            "POST",
            "/v1/reports",
            &user.access,
            Some(&json!({"title": "Sneaky", "data_mart_id": f.data_mart, "destination_id": f.destination})),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (422, "data_mart_id".into()),
        "{}",
        r.text
    );
    for (method, path, body) in [
        ("GET", "/v1/sources".to_string(), None),
        ("GET", "/v1/storages".to_string(), None),
        ("GET", "/v1/files".to_string(), None),
        (
            "POST",
            "/v1/data-marts".to_string(),
            Some(json!({"title": "Outside", "storage_id": f.storage})),
        ),
    ] {
        let r = app.send(method, &path, &user.access, body.as_ref()).await;
        assert_eq!(
            (r.status, r.code()),
            (403, "forbidden".into()),
            "{path}: {}",
            r.text
        );
    }
    let me = get("/v1/me".into()).await.json();
    assert_eq!(me["data_marts"], json!([f.files_mart]), "{me}");
    // A scope names data marts of the project, and not for an owner.
    for (body, field) in [
        (json!({"data_marts": [f.report]}), "data_marts[0]"),
        (
            json!({"data_marts": [Id::generate(Kind::DataMart, 1).to_string()]}),
            "data_marts[0]",
        ),
        (json!({"data_marts": []}), "data_marts"),
        (
            json!({"role": "owner", "data_marts": [f.files_mart]}),
            "data_marts",
        ),
    ] {
        let r = app
            .send(
                "PATCH",
                &format!("/v1/members/{member}"),
                app.token(Role::Owner),
                Some(&body),
            )
            .await;
        assert_eq!(
            (r.status, r.field()),
            (422, field.into()),
            "{body}: {}",
            r.text
        );
    }
    // The whole project again.
    app.owner(
        "PATCH",
        &format!("/v1/members/{member}"),
        Some(&json!({"data_marts": null})),
        200,
    )
    .await;
    assert_eq!(
        get(format!("/v1/data-marts/{}", f.data_mart)).await.status,
        200
    );
    assert_eq!(get("/v1/sources".into()).await.status, 200);
    app.stop().await;
}

async fn sign_up(app: &TestApp, body: Value) -> crate::app::Reply {
    app.send("POST", "/v1/auth/sign-up", "", Some(&body)).await
}

fn session_of(r: &crate::app::Reply) -> SignedIn {
    let body = r.json();
    SignedIn {
        email: body["user"]["email"].as_str().expect("an address").into(),
        access: body["access_token"].as_str().expect("a token").into(),
        refresh: body["refresh_token"].as_str().expect("a token").into(),
        project: Id::parse(
            Kind::Project,
            body["project_id"].as_str().expect("a project"),
        )
        .expect("a project id"),
        invitation: String::new(),
    }
}

/// An owner invites someone who signs up with the invitation (sign-up being
/// closed otherwise), creates a second project, switches to it and invites
/// them there too; a removed member's token stops at once and their session
/// goes on in the project they still have; a project always keeps an owner,
/// and nobody gives more than their own role.
pub async fn members_join_by_invitation_switch_projects_and_leave(app: TestApp) {
    let owner = signed_in(&app, &app.project, Role::Owner).await;
    let send = |method: &'static str, path: String, token: String, body: Option<Value>| {
        let app = &app;
        async move { app.send(method, &path, &token, body.as_ref()).await }
    };
    let email = new_email();
    let invited = send(
        "POST",
        "/v1/invitations".into(),
        owner.access.clone(),
        Some(json!({"email": email, "role": "editor"})),
    )
    .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let token = invited.json()["token"]
        .as_str()
        .expect("a token")
        .to_string();
    let listed = send("GET", "/v1/invitations".into(), owner.access.clone(), None)
        .await
        .json();
    let pending = &listed["items"][0];
    assert_eq!(pending["state"], "pending", "{listed}");
    assert!(
        pending.get("token").is_none(),
        "the token is shown once: {listed}"
    );
    // Sign-up is closed, but an invitation opens it, for its address only.
    let r = sign_up(&app, json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = sign_up(
        &app,
        json!({"email": new_email(), "password": PASSWORD, "invitation": token}),
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (403, "forbidden".into()),
        "{}",
        r.text
    );
    let r = sign_up(
        &app,
        json!({"email": email, "password": PASSWORD, "invitation": token}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let joined = session_of(&r);
    assert_eq!(joined.project, app.project);
    assert_eq!(r.json()["role"], "editor");
    let me = send("GET", "/v1/me".into(), joined.access.clone(), None)
        .await
        .json();
    assert_eq!(
        (me["project_id"].clone(), me["role"].clone()),
        (json!(app.project), json!("editor"))
    );
    // Good once.
    let r = send(
        "POST",
        "/v1/auth/accept-invitation".into(),
        joined.access.clone(),
        Some(json!({"token": token})),
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (403, "forbidden".into()),
        "{}",
        r.text
    );
    // A second project, owned by its creator, and a switch to it.
    let created = send(
        "POST",
        "/v1/projects".into(),
        owner.access.clone(),
        Some(json!({"name": "Marketing"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let second = created.json()["project_id"]
        .as_str()
        .expect("a project")
        .to_string();
    let projects = send("GET", "/v1/projects".into(), owner.access.clone(), None)
        .await
        .json();
    let items = projects["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{projects}");
    assert!(
        items.iter().any(|p| p["project_id"] == json!(second)
            && p["name"] == "Marketing"
            && p["role"] == "owner"),
        "{projects}"
    );
    let switched = send(
        "POST",
        "/v1/auth/switch-project".into(),
        owner.access.clone(),
        Some(json!({"project_id": second})),
    )
    .await;
    assert_eq!(switched.status, 200, "{}", switched.text);
    let in_second = switched.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_string();
    let members = send("GET", "/v1/members".into(), in_second.clone(), None)
        .await
        .json();
    assert_eq!(
        members["items"].as_array().map(Vec::len),
        Some(1),
        "{members}"
    );
    // The new project is the owner's, and nothing of the first shows there.
    let marts = send("GET", "/v1/data-marts".into(), in_second.clone(), None)
        .await
        .json();
    assert_eq!(marts["items"], json!([]), "{marts}");
    let r = send(
        "POST",
        "/v1/auth/switch-project".into(),
        joined.access.clone(),
        Some(json!({"project_id": second})),
    )
    .await;
    assert_eq!(
        (r.status, r.field()),
        (422, "project_id".into()),
        "{}",
        r.text
    );
    // Invited to the second project as a viewer, the editor accepts.
    let invited = send(
        "POST",
        "/v1/invitations".into(),
        in_second.clone(),
        Some(json!({"email": email, "role": "viewer"})),
    )
    .await;
    let token = invited.json()["token"]
        .as_str()
        .expect("a token")
        .to_string();
    let r = send(
        "POST",
        "/v1/auth/accept-invitation".into(),
        joined.access.clone(),
        Some(json!({"token": token})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["role"], "viewer");
    // Who may change whom: an admin neither changes an owner nor makes one;
    // the last owner stays one.
    let admin = signed_in(&app, &app.project, Role::Admin).await;
    let owner_member = member_id(&app.project, &owner.email);
    let joined_member = member_id(&app.project, &email);
    let r = send(
        "PATCH",
        format!("/v1/members/{owner_member}"),
        admin.access.clone(),
        Some(json!({"role": "viewer"})),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = send(
        "PATCH",
        format!("/v1/members/{joined_member}"),
        admin.access.clone(),
        Some(json!({"role": "owner"})),
    )
    .await;
    assert_eq!((r.status, r.field()), (422, "role".into()), "{}", r.text);
    let r = send(
        "PATCH",
        format!("/v1/members/{owner_member}"),
        owner.access.clone(),
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = send(
        "DELETE",
        format!("/v1/members/{owner_member}"),
        owner.access.clone(),
        None,
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text);
    // Removed from the first project: the member's token for it stops at
    // once; their session goes on in the project they still have.
    let r = send(
        "DELETE",
        format!("/v1/members/{joined_member}"),
        admin.access.clone(),
        None,
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = send("GET", "/v1/data-marts".into(), joined.access.clone(), None).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let refreshed = app
        .send(
            "POST",
            "/v1/auth/refresh",
            "",
            Some(&json!({"refresh_token": joined.refresh})),
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(refreshed.json()["project_id"], json!(second));
    assert_eq!(refreshed.json()["role"], "viewer");
    // The removal is in the first project's audit log.
    let audit = app
        .owner("GET", "/v1/audit?action=api-delete-member", None, 200)
        .await;
    assert_eq!(
        audit["items"][0]["resource"]["id"],
        json!(joined_member),
        "{audit}"
    );
    // A role an invitation holds is not deleted until it is revoked.
    let role = id(&app
        .owner(
            "POST",
            "/v1/roles",
            Some(&json!({"name": "Readers", "permissions": ["*:list", "*:get"]})),
            201,
        )
        .await);
    let pending = id(&app
        .owner(
            "POST",
            "/v1/invitations",
            Some(&json!({"email": new_email(), "role": role})),
            201,
        )
        .await);
    let r = app
        .send(
            "DELETE",
            &format!("/v1/roles/{role}"),
            app.token(Role::Owner),
            None,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    app.owner("DELETE", &format!("/v1/invitations/{pending}"), None, 204)
        .await;
    app.owner("DELETE", &format!("/v1/roles/{role}"), None, 204)
        .await;
    // The operator's tokens know one project; creating one is for users.
    let r = app
        .send(
            "POST",
            "/v1/projects",
            app.token(Role::Owner),
            Some(&json!({"name": "Nope"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let stored: Option<User> = sluice_app::records::get(
        app.deps.store.as_ref(),
        &sluice_domain::entities::identity_partition(),
        &Id::derived(Kind::User, &[&email.to_lowercase()]),
    )
    .await
    .expect("read");
    assert_eq!(
        stored.map(|u| u.projects.len()),
        Some(1),
        "the removed project left the user's list"
    );
    app.stop().await;
}

/// One `#[tokio::test]` per check, each on a fresh app from `$spawn`.
#[macro_export]
macro_rules! access_tests {
    ($spawn:path) => {
        $crate::access_tests!(@each $spawn;
            a_custom_role_reaches_exactly_the_routes_its_permissions_grant,
            a_scoped_role_sees_only_its_data_marts,
            members_join_by_invitation_switch_projects_and_leave,
        );
    };
    (@each $spawn:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                $crate::access::$name($spawn().await).await;
            }
        )*
    };
}
