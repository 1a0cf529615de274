//! The identity suite: users sign up, sign in, refresh and sign out; sessions
//! end when a refresh token comes back or the user signs out everywhere; failed
//! sign-ins are slowed, then locked, and look alike to a guesser; API keys open
//! their project until revoked or expired; and no secret reaches a response it
//! was not issued in, nor the server's log. Each check takes a running app, so
//! the suite runs over the embedded stack and over the AWS adapters on moto.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use sluice_app::services::identity;
use sluice_domain::entities::{ApiKey, Email, SignInPolicy, User, identity_partition};
use sluice_domain::{Id, Kind, Role};

use crate::app::{Reply, TestApp};

/// Every test user's password.
pub const PASSWORD: &str = "a password long enough";

/// An address no user has yet, in mixed case (addresses are kept in lower case).
pub fn new_email() -> String {
    let id = Id::generate(Kind::User, chrono::Utc::now().timestamp_millis() as u64);
    format!("User.{}@Example.com", &id.as_str()[4..])
}

/// A user of a project, signed in.
pub struct SignedIn {
    pub email: String,
    pub access: String,
    pub refresh: String,
    /// The project the tokens are for.
    pub project: Id,
    /// The token of an invitation to the user's address, to a project of its
    /// own (one no test works in).
    pub invitation: String,
}

/// A pending invitation of `email` to a new project, made as its owner would;
/// its token.
pub async fn invitation_to_elsewhere(app: &TestApp, email: &str) -> String {
    let project = Id::generate(Kind::Project, chrono::Utc::now().timestamp_millis() as u64);
    let ctx = sluice_app::services::Ctx {
        deps: &app.deps,
        principal: sluice_app::auth::Principal::operator("inviter", project, Role::Owner),
        now: chrono::Utc::now(),
    };
    let invited = sluice_app::services::members::create_invitation(
        &ctx,
        sluice_domain::entities::CreateInvitation {
            email: email.into(),
            role: sluice_domain::entities::RoleRef::Builtin(Role::Viewer),
            data_marts: None,
        },
    )
    .await
    .expect("invited");
    invited.token.expect("a token")
}

/// A new user of `project` with `role` (added as the operator adds one), and
/// the tokens of a sign-in.
pub async fn signed_in(app: &TestApp, project: &Id, role: Role) -> SignedIn {
    signed_in_as(
        app,
        project,
        sluice_domain::entities::RoleRef::Builtin(role),
    )
    .await
}

/// A new user of `project` with `role`, built-in or custom, signed in.
pub async fn signed_in_as(
    app: &TestApp,
    project: &Id,
    role: sluice_domain::entities::RoleRef,
) -> SignedIn {
    let email = new_email();
    identity::add_user(
        &app.deps,
        &email,
        PASSWORD,
        project,
        role,
        chrono::Utc::now(),
    )
    .await
    .expect("the operator adds a user");
    let r = sign_in(app, &email, PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    let invitation = invitation_to_elsewhere(app, &email).await;
    SignedIn {
        email,
        access: body["access_token"].as_str().expect("a token").into(),
        refresh: body["refresh_token"].as_str().expect("a token").into(),
        project: project.clone(),
        invitation,
    }
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Reply {
    app.send(
        "POST",
        "/v1/auth/sign-in",
        "",
        Some(&json!({"email": email, "password": password})),
    )
    .await
}

async fn refresh(app: &TestApp, token: &str) -> Reply {
    app.send(
        "POST",
        "/v1/auth/refresh",
        "",
        Some(&json!({"refresh_token": token})),
    )
    .await
}

/// The two tokens of a session answer.
fn tokens(r: &Reply) -> (String, String) {
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    let b = r.json();
    (
        b["access_token"].as_str().expect("access").into(),
        b["refresh_token"].as_str().expect("refresh").into(),
    )
}

/// The status of `GET /v1/storages` with `token`.
async fn works(app: &TestApp, token: &str) -> u16 {
    app.send("GET", "/v1/storages", token, None).await.status
}

pub async fn a_user_signs_up_refreshes_and_a_reused_refresh_token_ends_the_session(app: TestApp) {
    // The first user of a fresh deployment owns its default project.
    let email = new_email();
    let r = app
        .send(
            "POST",
            "/v1/auth/sign-up",
            "",
            Some(&json!({"email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let first = r.json();
    assert_eq!(first["role"], "owner");
    assert_eq!(first["project_id"], json!(app.project.to_string()));
    assert_eq!(first["user"]["email"], json!(email.to_lowercase()));
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["expires_in"], 900);
    // After that, sign-up is closed: a 403 that says so.
    let r = app
        .send(
            "POST",
            "/v1/auth/sign-up",
            "",
            Some(&json!({"email": new_email(), "password": PASSWORD})),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (403, "forbidden".into()),
        "{}",
        r.text
    );
    assert!(r.text.contains("sign-up is closed"), "{}", r.text);
    // The address signs in whatever its case; the token opens the project.
    let (access, refresh1) = tokens(&sign_in(&app, &email.to_uppercase(), PASSWORD).await);
    assert_eq!(works(&app, &access).await, 200);
    let me = app.send("GET", "/v1/me", &access, None).await.json();
    assert_eq!(me["credential"], "session");
    assert_eq!(me["role"], "owner");
    assert_eq!(me["user"]["email"], json!(email.to_lowercase()));
    // The header names its key, and the published key set has it.
    let kid = jsonwebtoken::decode_header(&access).expect("a JWT").kid;
    let jwks = app
        .send("GET", "/.well-known/jwks.json", "", None)
        .await
        .json();
    assert!(
        jwks["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .any(|k| k["kid"].as_str() == kid.as_deref() && k["alg"] == "EdDSA"),
        "{jwks}"
    );
    // A refresh rotates the refresh token.
    let (access2, refresh2) = tokens(&refresh(&app, &refresh1).await);
    assert_ne!(refresh1, refresh2);
    assert_eq!(works(&app, &access2).await, 200);
    // The first refresh token, presented again, ends the whole session: the
    // tokens rotated from it stop too.
    let r = refresh(&app, &refresh1).await;
    assert_eq!(
        (r.status, r.code()),
        (401, "unauthorized".into()),
        "{}",
        r.text
    );
    assert_eq!(
        refresh(&app, &refresh2).await.status,
        401,
        "the family is revoked"
    );
    assert_eq!(works(&app, &access2).await, 401);
    assert_eq!(works(&app, &access).await, 401);
    // Signing out ends the session of the token at once.
    let (access3, refresh3) = tokens(&sign_in(&app, &email, PASSWORD).await);
    let r = app.send("POST", "/v1/auth/sign-out", &access3, None).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(works(&app, &access3).await, 401);
    assert_eq!(refresh(&app, &refresh3).await.status, 401);
    // Signing out everywhere ends every session, this one too.
    let (a4, _) = tokens(&sign_in(&app, &email, PASSWORD).await);
    let (a5, r5) = tokens(&sign_in(&app, &email, PASSWORD).await);
    assert_eq!(
        app.send("POST", "/v1/auth/sign-out-everywhere", &a4, None)
            .await
            .status,
        204
    );
    assert_eq!(works(&app, &a4).await, 401);
    assert_eq!(works(&app, &a5).await, 401);
    assert_eq!(refresh(&app, &r5).await.status, 401);
    // A new password ends the other sessions; the one that changed it goes on.
    let (a6, _) = tokens(&sign_in(&app, &email, PASSWORD).await);
    let (a7, _) = tokens(&sign_in(&app, &email, PASSWORD).await);
    let new_password = "an entirely new password";
    let r = app
        .send(
            "POST",
            "/v1/auth/password",
            &a6,
            Some(&json!({"current_password": "not the password", "new_password": new_password})),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (422, "current_password".into()),
        "{}",
        r.text
    );
    let r = app
        .send(
            "POST",
            "/v1/auth/password",
            &a6,
            Some(&json!({"current_password": PASSWORD, "new_password": new_password})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(works(&app, &a6).await, 200);
    assert_eq!(works(&app, &a7).await, 401);
    assert_eq!(sign_in(&app, &email, PASSWORD).await.status, 401);
    assert_eq!(sign_in(&app, &email, new_password).await.status, 200);
    // Only a session signs out: an operator token or an API key is refused.
    let r = app
        .send("POST", "/v1/auth/sign-out", app.token(Role::Owner), None)
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    app.stop().await;
}

/// The app with a sign-in policy quick enough to test: two free tries, then a
/// wait of 1.5 s doubling at each failure, and a lock of an hour at five.
pub async fn spawn_with_quick_lockout() -> TestApp {
    crate::app::spawn_app_with(|deps| {
        deps.identity.sign_in = SignInPolicy {
            free_attempts: 2,
            base_delay: chrono::Duration::milliseconds(1500),
            max_delay: chrono::Duration::minutes(1),
            lock_after: 5,
            lock_for: chrono::Duration::hours(1),
        };
    })
    .await
}

async fn stored_user(app: &TestApp, email: &str) -> User {
    let email = Email::parse("email", email).expect("an address");
    sluice_app::records::get::<User>(
        app.deps.store.as_ref(),
        &identity_partition(),
        &User::id_for(&email),
    )
    .await
    .expect("read")
    .expect("the user")
}

pub async fn failed_sign_ins_are_slowed_then_locked_and_look_alike_to_a_guesser(app: TestApp) {
    let policy = app.deps.identity.sign_in;
    assert_eq!(policy.lock_after, 5, "spawned with the quick policy");
    let u = signed_in(&app, &app.project, Role::Editor).await;
    let wrong = sign_in(&app, &u.email, "a wrong password!").await;
    assert_eq!((wrong.status, wrong.code()), (401, "unauthorized".into()));
    // An unknown address and a wrong password get the very same answer.
    let unknown = sign_in(&app, &new_email(), "a wrong password!").await;
    assert_eq!((unknown.status, &unknown.text), (401, &wrong.text));
    // Within the free tries the right password still signs in, and clears the count.
    assert_eq!(sign_in(&app, &u.email, PASSWORD).await.status, 200);
    assert_eq!(stored_user(&app, &u.email).await.failed_attempts, 0);
    // Past them, each failure makes the account wait: the right password too
    // is refused, with the same answer, until the wait is over.
    for _ in 0..3 {
        assert_eq!(
            sign_in(&app, &u.email, "a wrong password!").await.text,
            wrong.text
        );
    }
    let slowed = stored_user(&app, &u.email).await;
    assert_eq!(slowed.failed_attempts, 3);
    let until = slowed
        .sign_in_blocked_until(&policy, chrono::Utc::now())
        .expect("a wait");
    let r = sign_in(&app, &u.email, PASSWORD).await;
    assert_eq!((r.status, &r.text), (401, &wrong.text), "slowed");
    let left = (until - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + std::time::Duration::from_millis(100)).await;
    assert_eq!(
        sign_in(&app, &u.email, PASSWORD).await.status,
        200,
        "the wait is over"
    );
    // Five failures lock the account: the right password is refused, the same
    // way, after any wait, until the lock ends or the operator resets it.
    for _ in 0..policy.lock_after {
        assert_eq!(
            sign_in(&app, &u.email, "a wrong password!").await.text,
            wrong.text
        );
    }
    let locked = stored_user(&app, &u.email).await;
    assert!(locked.is_locked(chrono::Utc::now()), "{locked:?}");
    assert!(
        locked.locked_until.expect("locked") > chrono::Utc::now() + chrono::Duration::minutes(59)
    );
    let r = sign_in(&app, &u.email, PASSWORD).await;
    assert_eq!((r.status, &r.text), (401, &wrong.text), "locked");
    // Trying during the lock does not lengthen it.
    assert_eq!(
        stored_user(&app, &u.email).await.locked_until,
        locked.locked_until
    );
    identity::reset_password(&app.deps, &u.email, PASSWORD, chrono::Utc::now())
        .await
        .expect("the operator resets it");
    assert_eq!(sign_in(&app, &u.email, PASSWORD).await.status, 200);
    app.stop().await;
}

/// Creates a key of the app's project as the owner; the key and its record.
async fn create_key(app: &TestApp, body: Value) -> (String, Value) {
    let r = app
        .send("POST", "/v1/api-keys", app.token(Role::Owner), Some(&body))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let v = r.json();
    (v["key"].as_str().expect("the key").to_string(), v)
}

pub async fn api_keys_open_their_project_until_revoked_or_expired(app: TestApp) {
    let (key, created) = create_key(&app, json!({"name": "ci", "role": "editor"})).await;
    let prefix = created["prefix"].as_str().expect("a prefix");
    assert!(key.starts_with(&format!("slk_{prefix}_")), "{key}");
    assert_eq!(created["role"], "editor");
    // The key works as a bearer credential, as its role allows.
    assert_eq!(works(&app, &key).await, 200);
    let me = app.send("GET", "/v1/me", &key, None).await.json();
    assert_eq!(me["credential"], "api_key");
    assert_eq!(me["project_id"], json!(app.project.to_string()));
    let r = app
        .send(
            "POST",
            "/v1/storages",
            &key,
            Some(&json!({"title": "Lake", "kind": "local"})),
        )
        .await;
    assert_eq!(r.status, 403, "an editor manages no storages: {}", r.text);
    // Listed without its secret, with its last use.
    let list = app
        .send("GET", "/v1/api-keys", app.token(Role::Owner), None)
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(
        !list.text.contains(&key[13..]),
        "the secret is never listed"
    );
    let listed = list.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|k| k["id"] == created["id"])
        .cloned()
        .expect("listed");
    assert!(listed["last_used_at"].is_string(), "{listed}");
    assert!(listed.get("key").is_none());
    // A key's role is at most its creator's.
    let r = app
        .send(
            "POST",
            "/v1/api-keys",
            app.token(Role::Admin),
            Some(&json!({"name": "x", "role": "owner"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // A key of this project reaching another project's record finds nothing,
    // as a record that does not exist.
    let theirs = app
        .send(
            "POST",
            "/v1/storages",
            &app.strangers[&Role::Owner],
            Some(&json!({"title": "Theirs", "kind": "local"})),
        )
        .await
        .json();
    let r = app
        .send(
            "GET",
            &format!("/v1/storages/{}", theirs["id"].as_str().expect("id")),
            &key,
            None,
        )
        .await;
    let missing = app
        .send(
            "GET",
            &format!("/v1/storages/{}", Id::generate(Kind::Storage, 1)),
            &key,
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (404, "not_found".into()),
        "{}",
        r.text
    );
    assert_eq!((missing.status, missing.code()), (r.status, r.code()));
    // Nor can it revoke another project's key.
    let r = app
        .send(
            "POST",
            "/v1/api-keys",
            &app.strangers[&Role::Owner],
            Some(&json!({"name": "theirs", "role": "viewer"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let their_key = r.json();
    let r = app
        .send(
            "DELETE",
            &format!("/v1/api-keys/{}", their_key["id"].as_str().expect("id")),
            app.token(Role::Owner),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    // An unknown key, a revoked one and an expired one get one answer.
    let unknown = app
        .send(
            "GET",
            "/v1/storages",
            &format!("slk_abcdefgh_{}", "A".repeat(43)),
            None,
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (401, "unauthorized".into())
    );
    let r = app
        .send(
            "DELETE",
            &format!("/v1/api-keys/{}", created["id"].as_str().expect("id")),
            app.token(Role::Owner),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let revoked = app.send("GET", "/v1/storages", &key, None).await;
    assert_eq!((revoked.status, &revoked.text), (401, &unknown.text));
    let (expiring, record) = create_key(
        &app,
        json!({"name": "short", "role": "viewer", "expires_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()}),
    )
    .await;
    assert_eq!(works(&app, &expiring).await, 200);
    let id = Id::parse(Kind::ApiKey, record["id"].as_str().expect("id")).expect("a key id");
    sluice_app::records::update::<ApiKey>(
        app.deps.store.as_ref(),
        &identity_partition(),
        &id,
        chrono::Utc::now(),
        |k| {
            k.expires_at = Some(chrono::Utc::now() - chrono::Duration::seconds(1));
            true
        },
    )
    .await
    .expect("expired");
    let expired = app.send("GET", "/v1/storages", &expiring, None).await;
    assert_eq!((expired.status, &expired.text), (401, &unknown.text));
    // A key cut short or changed is no key.
    let changed = format!("{}B", &expiring[..expiring.len() - 1]);
    assert_eq!(works(&app, &changed).await, 401);
    app.stop().await;
}

/// Collects what a tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        self.0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

pub async fn no_password_or_secret_reaches_a_response_or_the_log(app: TestApp) {
    // The server runs on this test's thread: what it logs, at every level, is here.
    let log = Captured::default();
    let writer = log.clone();
    // Everything the server logs, at debug; the test's own HTTP client's crates
    // at info (they are the caller's log, not the server's).
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "debug,hyper=info,hyper_util=info,reqwest=info,h2=info",
        ))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    // Every line this server logs asks this thread's subscriber, however another
    // test's thread met it first.
    crate::app::thread_logs::undecided_until_asked();
    let mut bodies: Vec<(String, String)> = vec![];
    let mut note = |what: &str, r: &Reply| bodies.push((what.to_string(), r.text.clone()));
    let email = new_email();
    let password = "never-shown password 1";
    let new_password = "never-shown password 2";
    let r = app
        .send(
            "POST",
            "/v1/auth/sign-up",
            "",
            Some(&json!({"email": email, "password": password})),
        )
        .await;
    note("sign-up", &r);
    let (_, first_refresh) = tokens(&r);
    let r = sign_in(&app, &email, "never-shown wrong password").await;
    note("wrong sign-in", &r);
    let r = sign_in(&app, &email, password).await;
    note("sign-in", &r);
    let (access, refresh1) = tokens(&r);
    let r = refresh(&app, &refresh1).await;
    note("refresh", &r);
    let (access2, refresh2) = tokens(&r);
    let r = refresh(&app, &refresh1).await;
    note("reused refresh", &r);
    let r = app
        .send(
            "POST",
            "/v1/auth/password",
            &access2,
            Some(&json!({"current_password": password, "new_password": "short"})),
        )
        .await;
    note("short new password", &r);
    let (access3, _) = tokens(&sign_in(&app, &email, password).await);
    let r = app
        .send(
            "POST",
            "/v1/auth/password",
            &access3,
            Some(&json!({"current_password": password, "new_password": new_password})),
        )
        .await;
    note("password", &r);
    let r = app
        .send(
            "POST",
            "/v1/api-keys",
            &access3,
            Some(&json!({"name": "ci", "role": "viewer"})),
        )
        .await;
    note("create key", &r);
    let key = r.json()["key"].as_str().expect("a key").to_string();
    for (what, path) in [("me", "/v1/me"), ("keys", "/v1/api-keys")] {
        let r = app.send("GET", path, &key, None).await;
        note(what, &r);
        let r = app.send("GET", path, &access3, None).await;
        note(what, &r);
    }
    let r = app
        .send("GET", "/v1/storages", &format!("{key}x"), None)
        .await;
    note("changed key", &r);
    let r = app.send("GET", "/v1/storages", &access2, None).await;
    note("revoked session", &r);
    // An invitation: its token shown once, then used to sign up, then refused.
    let invitee = new_email();
    let r = app
        .send(
            "POST",
            "/v1/invitations",
            &access3,
            Some(&json!({"email": invitee, "role": "viewer"})),
        )
        .await;
    note("invite", &r);
    let invitation = r.json()["token"].as_str().expect("a token").to_string();
    let r = app.send("GET", "/v1/invitations", &access3, None).await;
    note("invitations", &r);
    let joined = json!({"email": invitee, "password": password, "invitation": invitation});
    let r = app
        .send("POST", "/v1/auth/sign-up", "", Some(&joined))
        .await;
    note("sign-up by invitation", &r);
    let r = app
        .send("POST", "/v1/auth/sign-up", "", Some(&joined))
        .await;
    note("used invitation", &r);
    let issued = |secret: &str, what: &str| -> Vec<String> {
        bodies
            .iter()
            .filter(|(_, b)| b.contains(secret))
            .map(|(w, _)| w.clone())
            .filter(|w| w != what)
            .collect()
    };
    for p in [password, new_password, "never-shown wrong password"] {
        assert_eq!(
            issued(p, ""),
            Vec::<String>::new(),
            "a password in a response"
        );
    }
    // A refresh token's secret follows its id and a `.`; a key's, `slk_<prefix>_`.
    let secret_of = |token: &str| match token.split_once('.') {
        Some((_, secret)) => secret.to_string(),
        None => token[13..].to_string(),
    };
    assert_eq!(
        issued(&secret_of(&first_refresh), "sign-up"),
        Vec::<String>::new()
    );
    assert_eq!(
        issued(&secret_of(&refresh1), "sign-in"),
        Vec::<String>::new()
    );
    assert_eq!(
        issued(&secret_of(&refresh2), "refresh"),
        Vec::<String>::new()
    );
    assert_eq!(issued(&secret_of(&key), "create key"), Vec::<String>::new());
    assert_eq!(
        issued(&secret_of(&invitation), "invite"),
        Vec::<String>::new()
    );
    let text = log.text();
    assert!(
        text.contains("User signed up."),
        "the log was captured: {text}"
    );
    for (what, secret) in [
        ("a password", password.to_string()),
        ("a password", new_password.to_string()),
        ("a password", "never-shown wrong password".to_string()),
        ("a refresh token", secret_of(&refresh1)),
        ("a refresh token", secret_of(&refresh2)),
        ("a refresh token", secret_of(&first_refresh)),
        ("an API key", secret_of(&key)),
        ("an invitation", secret_of(&invitation)),
        ("an access token", access.clone()),
        ("an access token", access3.clone()),
    ] {
        assert!(!text.contains(&secret), "{what} in the server's log");
    }
    for phc in ["$argon2id$", "m=19456"] {
        assert!(!text.contains(phc), "a password hash in the server's log");
    }
    app.stop().await;
}

/// One `#[tokio::test]` per check of this suite, each on a fresh app from
/// `$spawn` (the lockout check on one with a quick sign-in policy).
#[macro_export]
macro_rules! identity_tests {
    ($spawn:path) => {
        $crate::identity_tests!(@each $spawn;
            a_user_signs_up_refreshes_and_a_reused_refresh_token_ends_the_session,
            api_keys_open_their_project_until_revoked_or_expired,
            no_password_or_secret_reaches_a_response_or_the_log,
        );
    };
    (@each $spawn:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                $crate::identity::$name($spawn().await).await;
            }
        )*
    };
}
