//! `sluice`: run the platform on this machine.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};
mod run;

use sluice::{DataDir, Engine, Site, listen};
use sluice_app::auth::{KeySet, Principal, TokenKeys};
use sluice_domain::{Id, Kind, Role};

#[derive(Parser)]
#[command(
    name = "sluice",
    version,
    about = "Sluice: data marts and ELT, on one machine or serverless."
)]
struct Cli {
    /// Where everything is kept: metadata, secrets, keys.
    #[arg(
        long,
        global = true,
        default_value = "./.sluice",
        env = "SLUICE_DATA_DIR"
    )]
    data_dir: PathBuf,
    /// A local directory `files` sources may read (repeat for more; the
    /// data directory stays out of reach). Without one, sources read only files
    /// uploaded to their project (`store://`).
    #[arg(
        long = "import-root",
        global = true,
        env = "SLUICE_IMPORT_ROOTS",
        value_delimiter = ':'
    )]
    import_roots: Vec<PathBuf>,
    /// A private network that REST sources and webhooks may reach, as
    /// `address/prefix` or one address (repeat for more). Without one, requests a
    /// project configures reach only public addresses: never this machine
    /// (127.0.0.1), its LAN or a metadata endpoint.
    #[arg(
        long = "allow-network",
        global = true,
        env = "SLUICE_ALLOW_NETWORKS",
        value_delimiter = ','
    )]
    allow_networks: Vec<String>,
    /// The SMTP server `email` destinations send through, with its credentials:
    /// `smtp://user:password@host:587?tls=required` (STARTTLS),
    /// `smtps://user:password@host:465` (TLS), or `smtp://host:25` (in the clear,
    /// a relay nearby). Never logged. Needs --mail-from.
    #[arg(
        long,
        global = true,
        env = "SLUICE_SMTP_URL",
        hide_env_values = true,
        requires = "mail_from"
    )]
    smtp_url: Option<String>,
    /// The address reports are mailed from (with --smtp-url).
    #[arg(long, global = true, env = "SLUICE_MAIL_FROM", requires = "smtp_url")]
    mail_from: Option<String>,
    /// Google's OAuth 2.0 token endpoint, where `google_sheets` destinations
    /// exchange their service account's signed assertion for a token. Google's
    /// by default; move it only to a proxy (or a test server): a key's own
    /// `token_uri` is never called.
    #[arg(long, global = true, env = "SLUICE_GOOGLE_TOKEN_URL")]
    google_token_url: Option<String>,
    /// The Google Sheets API's base URL (Google's by default).
    #[arg(long, global = true, env = "SLUICE_GOOGLE_SHEETS_URL")]
    google_sheets_url: Option<String>,
    /// The secrets' master key file (base64 of 32 bytes, owner-only), instead of
    /// the data directory's generated `secrets.key`; `SLUICE_SECRETS_KEY` (the key
    /// itself) overrides both.
    #[arg(long, global = true, env = "SLUICE_SECRETS_KEY_FILE")]
    secrets_key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API on 127.0.0.1 with everything embedded.
    Serve {
        #[arg(long, default_value_t = 8080, env = "SLUICE_PORT")]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// The web console's port (it calls the API through its own port, on the
        /// same origin). By default the port after the API's (8081), or a free
        /// one with `--port 0`; when that default is taken, serve goes on without
        /// the console and says so. 0 picks a free port.
        #[arg(long, env = "SLUICE_CONSOLE_PORT")]
        console_port: Option<u16>,
        /// Largest file upload accepted, in MiB.
        #[arg(long, default_value_t = 1024, env = "SLUICE_MAX_UPLOAD_MB")]
        max_upload_mb: u64,
        /// Let anyone sign up (`POST /v1/auth/sign-up`), each new user owning a
        /// project of their own. Without it only the first user signs up (and
        /// owns the default project); the operator adds the others
        /// (`sluice users add`). How failed sign-ins are slowed and locked:
        /// SLUICE_SIGNIN_FREE_ATTEMPTS (3), SLUICE_SIGNIN_DELAY_MS (1000, doubled
        /// at each further failure), SLUICE_SIGNIN_LOCK_AFTER (10),
        /// SLUICE_SIGNIN_LOCK_SECONDS (900).
        #[arg(long, env = "SLUICE_OPEN_SIGNUP")]
        open_signup: bool,
        /// Requests a minute each caller (an API key, a user, an operator
        /// token) may make before the API answers 429 with Retry-After; 0 for
        /// no budget. Default 1200, or SLUICE_REQUESTS_PER_MINUTE.
        #[arg(long, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
        requests_per_minute: Option<u32>,
    },
    /// Run a data mart to completion here: a progress bar, then a summary.
    Run {
        /// The data mart (dm_…).
        data_mart: String,
        /// The project it belongs to (prj_…); the default project if omitted.
        #[arg(long)]
        project: Option<String>,
        /// A backfill window start (YYYY-MM-DD); with --to, runs a backfill.
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// A backfill window end, exclusive (YYYY-MM-DD).
        #[arg(long, requires = "from")]
        to: Option<String>,
    },
    /// Mint a bearer token for a project and role.
    Token {
        /// Project id; the default project if omitted.
        #[arg(long)]
        project: Option<String>,
        /// viewer, editor, admin or owner.
        #[arg(long, default_value = "admin")]
        role: String,
        /// Who the token is for (the `created_by` of what it creates).
        #[arg(long, default_value = "local-user")]
        subject: String,
        #[arg(long, default_value_t = 30)]
        ttl_days: i64,
        /// Sign with the key set in this file (the value of the deployed stack's
        /// TokenSigningKey secret: a key set, or the generated string) instead of
        /// the data directory's keys. Needs --project.
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
    /// Users of this data directory's deployment.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Projects and their members, for operators without the console.
    Projects {
        #[command(subcommand)]
        command: ProjectsCommand,
    },
    /// The keys tokens are signed with.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Print the API's OpenAPI 3.1 document (what `GET /openapi.json` answers),
    /// without a data directory or a server.
    Openapi,
}

#[derive(Subcommand)]
enum ProjectsCommand {
    /// Create a project owned by an existing user.
    Create {
        #[arg(long)]
        name: String,
        /// The owner's e-mail address.
        #[arg(long)]
        owner: String,
    },
    /// List every project that has members: id, name, members.
    List,
    /// List a project's members: address, role, scope, membership id.
    Members {
        /// The project (prj_…); the default project if omitted.
        #[arg(long)]
        project: Option<String>,
    },
    /// Make an existing user a member of a project.
    AddMember {
        #[arg(long)]
        email: String,
        /// viewer, editor, admin, owner, or a custom role's id (rol_…).
        #[arg(long, default_value = "viewer")]
        role: String,
        /// The project (prj_…); the default project if omitted.
        #[arg(long)]
        project: Option<String>,
        /// Data marts (dm_…, comma-separated) the role is scoped to; the whole
        /// project if omitted.
        #[arg(long, value_delimiter = ',')]
        data_marts: Vec<String>,
    },
    /// Take a user out of a project (a project keeps an owner).
    RemoveMember {
        #[arg(long)]
        email: String,
        #[arg(long)]
        project: Option<String>,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Add a user, a member of a project; the password is read from standard
    /// input (one line).
    Add {
        #[arg(long)]
        email: String,
        /// viewer, editor, admin, owner, or a custom role's id (rol_…).
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Their project (prj_…); the default project if omitted.
        #[arg(long)]
        project: Option<String>,
    },
    /// List the users: address, id, projects.
    List,
    /// Change a user's role in a project (the default project if omitted);
    /// applies at their next request.
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        project: Option<String>,
    },
    /// Set a user's password, read from standard input (one line): unlocks the
    /// account and signs the user out everywhere.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Put a new signing key first; the two before it keep verifying the tokens
    /// they signed. Restart `serve` to sign with it.
    Rotate {
        /// Rotate the key set in this file instead (a deployed stack's
        /// TokenSigningKey secret value, to put back with
        /// `aws secretsmanager put-secret-value --secret-string file://FILE`).
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
}

/// An error ends the process with its message and causes, on one line: it is the
/// user's to read (a flag, a path, a port in use), never a stack trace.
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match cli().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn cli() -> anyhow::Result<()> {
    let started = Instant::now();
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        println!(
            "{}",
            serde_json::to_string_pretty(sluice_app::openapi::document())?
        );
        return Ok(());
    }
    // `run` draws a progress bar on stderr: only warnings and errors go beside it.
    let default_level = match cli.command {
        Command::Run { .. } => "warn",
        _ => "info",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default_level.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let max_upload_mb = match cli.command {
        Command::Serve { max_upload_mb, .. } => max_upload_mb,
        _ => 1024,
    };
    let mut identity = sluice_app::IdentitySettings::from_variables(|n| std::env::var(n).ok())?;
    let dir = DataDir::open(&cli.data_dir)?
        .with_import_roots(cli.import_roots)
        .with_egress(sluice_domain::net::Egress::allowing(
            cli.allow_networks
                .iter()
                .map(|n| sluice_domain::net::Network::parse(n))
                .collect::<Result<_, _>>()
                .map_err(|e| anyhow::anyhow!("--allow-network: {e}"))?,
        ))
        .with_mail(match (&cli.smtp_url, &cli.mail_from) {
            (Some(url), Some(from)) => Some(std::sync::Arc::new(
                sluice_connectors::smtp::SmtpMailer::new(url, from)
                    .map_err(|e| anyhow::anyhow!("--smtp-url/--mail-from: {e}"))?,
            )),
            _ => None,
        })
        .with_google(
            sluice_domain::net::GoogleApis::new(
                cli.google_token_url.as_deref(),
                cli.google_sheets_url.as_deref(),
            )
            .map_err(|e| anyhow::anyhow!("--google-token-url/--google-sheets-url: {e}"))?,
        )
        .with_secrets_key_file(cli.secrets_key_file)
        .with_max_upload_bytes(max_upload_mb.saturating_mul(1 << 20));
    match cli.command {
        Command::Serve {
            port,
            host,
            console_port,
            open_signup,
            requests_per_minute,
            ..
        } => {
            let mut deps = dir.deps(4)?;
            identity.open_signup |= open_signup;
            if let Some(n) = requests_per_minute {
                identity.requests_per_minute = n;
            }
            // Links in notifications point here, or where the operator says.
            let shown = if host.is_unspecified() {
                std::net::IpAddr::from([127, 0, 0, 1])
            } else {
                host
            };
            deps.public_url = std::env::var("SLUICE_PUBLIC_URL")
                .ok()
                .filter(|u| !u.is_empty())
                .or_else(|| {
                    (port != 0).then(|| format!("http://{}", SocketAddr::new(shown, port)))
                });
            let moved = dir.migrate_plain_secrets(&deps).await?;
            if moved > 0 {
                tracing::info!(
                    records = moved,
                    "Moved secret config values into the secret store."
                );
            }
            let project = dir.default_project(&deps).await?;
            identity.default_project = project.clone();
            let deps_open_signup = identity.open_signup;
            deps.identity = identity;
            let engine = Engine::start(&deps, &project).await?;
            let roots = deps.import_roots.clone();
            let api = sluice::server::api(deps)?;
            let server = listen(api.clone(), SocketAddr::new(host, port), Site::Api).await?;
            let console = match console_port {
                Some(p) => Some(listen(api, SocketAddr::new(host, p), Site::Console).await?),
                None => {
                    let p = if port == 0 { 0 } else { port.saturating_add(1) };
                    match listen(api, SocketAddr::new(host, p), Site::Console).await {
                        Ok(console) => Some(console),
                        Err(e) => {
                            tracing::warn!(
                                error = %e,
                                "The console is not served; choose its port with --console-port."
                            );
                            None
                        }
                    }
                }
            };
            let token = dir.mint(&project, Role::Admin, "local-admin", 30 * 86_400)?;
            let url = format!("http://{}", server.addr);
            println!("Sluice is listening on {url}");
            if let Some(console) = &console {
                println!("console:        http://{}", console.addr);
                if sluice::console::NOT_BUILT.is_some() {
                    println!(
                        "                (not built into this binary: it needs Node.js 20 when sluice is built)"
                    );
                }
            }
            println!("data directory: {}", dir.path().display());
            match roots.roots() {
                [] => println!(
                    "files:          upload with PUT {url}/v1/files/<path>, read as store://… (no --import-root: local directories are not readable)"
                ),
                roots => println!(
                    "import roots:   {} (files sources may read local directories under these)",
                    roots
                        .iter()
                        .map(|r| r.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
            println!("project:        {project}");
            println!("admin token, valid 30 days (mint others with `sluice token --role viewer`):");
            println!("export TOKEN={token}");
            println!("then try:  curl -H \"Authorization: Bearer $TOKEN\" {url}/v1/connectors");
            println!(
                "people sign in: the first POST {url}/v1/auth/sign-up owns this project{}",
                if deps_open_signup {
                    "; sign-up stays open"
                } else {
                    "; then add users with `sluice users add`"
                }
            );
            println!("API reference: {url}/openapi.json");
            tracing::info!(addr = %server.addr, startup_ms = started.elapsed().as_millis() as u64, "Ready.");
            shutdown_signal().await;
            tracing::info!("Stopping.");
            server.stop().await;
            if let Some(console) = console {
                console.stop().await;
            }
            engine.stop().await;
        }
        Command::Run {
            data_mart,
            project,
            from,
            to,
        } => {
            let deps = dir.deps(2)?;
            let project = match project {
                Some(p) => parse_project(&p)?,
                None => dir.default_project(&deps).await?,
            };
            let engine = Engine::start(&deps, &project).await?;
            let token = dir.mint(&project, Role::Editor, "sluice-run", 3_600)?;
            let api = sluice_app::api::Api::all(deps)
                .map_err(|(route, missing)| anyhow::anyhow!("cannot serve {route}: {missing}"))?;
            let code = run::run_to_completion(&api, &token, &data_mart, from, to).await;
            engine.stop().await;
            std::process::exit(code);
        }
        Command::Token {
            project,
            role,
            subject,
            ttl_days,
            key_file,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!("--role must be one of viewer, editor, admin, owner")
            })?;
            if !(1..=365).contains(&ttl_days) {
                anyhow::bail!("--ttl-days must be between 1 and 365");
            }
            let project = match project {
                Some(p) => parse_project(&p)?,
                None if key_file.is_some() => {
                    anyhow::bail!("--key-file signs for a deployed stack: name the --project")
                }
                None => {
                    let deps = dir.deps(1)?;
                    dir.default_project(&deps).await?
                }
            };
            let ttl = ttl_days * 86_400;
            let token = match key_file {
                Some(path) => {
                    let value = std::fs::read_to_string(&path)
                        .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
                    let keys = TokenKeys::from_secret_value(&value)?;
                    let principal = Principal::operator(subject, project, role);
                    keys.sign(&principal, chrono::Utc::now().timestamp(), ttl)?
                }
                None => dir.mint(&project, role, &subject, ttl)?,
            };
            println!("{token}");
        }
        Command::Users { command } => users(&dir, command).await?,
        Command::Projects { command } => projects(&dir, command).await?,
        // Printed above, before the data directory is opened.
        Command::Openapi => {}
        Command::Keys {
            command: KeysCommand::Rotate { key_file },
        } => {
            let kids = match key_file {
                Some(path) => {
                    let value = std::fs::read_to_string(&path)
                        .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
                    let rotated = KeySet::parse(&value)?.rotated(chrono::Utc::now())?;
                    std::fs::write(&path, rotated.to_secret_value().expose())
                        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
                    rotated.kids().into_iter().map(str::to_string).collect()
                }
                None => dir.rotate_keys()?,
            };
            println!("signing key: {}", kids[0]);
            for kid in &kids[1..] {
                println!("still verifying: {kid}");
            }
        }
    }
    Ok(())
}

/// `sluice users …`, over the data directory's store.
async fn users(dir: &DataDir, command: UsersCommand) -> anyhow::Result<()> {
    use sluice_app::services::identity;
    let deps = dir.deps(1)?;
    let now = chrono::Utc::now();
    let shown = |u: &sluice_domain::entities::UserView| format!("{}  {}", u.email, u.id);
    match command {
        UsersCommand::Add {
            email,
            role,
            project,
        } => {
            let role = role_of(&role)?;
            let project = project_or_default(dir, &deps, project).await?;
            let password = password_from_stdin()?;
            let named = role.as_string();
            let user = identity::add_user(&deps, &email, &password, &project, role, now).await?;
            println!("added {}, {named} of {project}", shown(&user));
        }
        UsersCommand::List => {
            let mut after = None;
            loop {
                let (users, next) = identity::list_users(&deps, after, 200).await?;
                for (u, projects) in &users {
                    let projects: Vec<String> = projects.iter().map(|p| p.to_string()).collect();
                    println!("{}  {}", shown(u), projects.join(","));
                }
                match next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
        }
        UsersCommand::SetRole {
            email,
            role,
            project,
        } => {
            let project = project_or_default(dir, &deps, project).await?;
            let member = identity::set_role(&deps, &email, role_of(&role)?, &project, now).await?;
            println!("{}", shown_member(&member));
        }
        UsersCommand::ResetPassword { email } => {
            let password = password_from_stdin()?;
            let user = identity::reset_password(&deps, &email, &password, now).await?;
            println!("new password set for {}; signed out everywhere", user.email);
        }
    }
    Ok(())
}

/// A role as `--role` names it.
fn role_of(r: &str) -> anyhow::Result<sluice_domain::entities::RoleRef> {
    sluice_domain::entities::RoleRef::parse(r).ok_or_else(|| {
        anyhow::anyhow!("--role must be viewer, editor, admin, owner or a custom role's id (rol_…)")
    })
}

async fn project_or_default(
    dir: &DataDir,
    deps: &sluice_app::Deps,
    project: Option<String>,
) -> anyhow::Result<Id> {
    match project {
        Some(p) => parse_project(&p),
        None => dir.default_project(deps).await,
    }
}

fn shown_member(m: &sluice_domain::entities::MemberView) -> String {
    let scope = match &m.data_marts {
        Some(marts) => marts
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(","),
        None => "whole project".into(),
    };
    format!("{}  {}  {}  {}", m.email, m.role.as_string(), scope, m.id)
}

/// `sluice projects …`, over the data directory's store.
async fn projects(dir: &DataDir, command: ProjectsCommand) -> anyhow::Result<()> {
    use sluice_app::services::{identity, members};
    let deps = dir.deps(1)?;
    let now = chrono::Utc::now();
    let user_by = |email: String| {
        let deps = &deps;
        async move {
            let address = sluice_domain::entities::Email::parse("email", &email)?;
            identity::find_user(deps, &address).await?.ok_or_else(|| {
                anyhow::anyhow!("no user has the address {email} (add one with `sluice users add`)")
            })
        }
    };
    match command {
        ProjectsCommand::Create { name, owner } => {
            let user = user_by(owner).await?;
            let (_, project) = members::create_project(&deps, &user, &name, now).await?;
            println!("created {}  {}", project.meta.id, project.name);
        }
        ProjectsCommand::List => {
            for (project, name, count) in members::all_projects(&deps).await? {
                println!("{project}  {name}  {count} member(s)");
            }
        }
        ProjectsCommand::Members { project } => {
            let project = project_or_default(dir, &deps, project).await?;
            for m in members::members_of(&deps, &project).await? {
                println!("{}", shown_member(&m));
            }
        }
        ProjectsCommand::AddMember {
            email,
            role,
            project,
            data_marts,
        } => {
            let role = role_of(&role)?;
            let project = project_or_default(dir, &deps, project).await?;
            let user = user_by(email).await?;
            let scope = if data_marts.is_empty() {
                None
            } else {
                Some(
                    data_marts
                        .iter()
                        .map(|d| {
                            Id::parse(Kind::DataMart, d.trim()).ok_or_else(|| {
                                anyhow::anyhow!("--data-marts: `{d}` is not a data mart id (dm_…)")
                            })
                        })
                        .collect::<anyhow::Result<Vec<_>>>()?,
                )
            };
            let member =
                members::add_checked(&deps, &project, &user, role, scope, "operator", now).await?;
            println!("added {}", shown_member(&member.view()));
        }
        ProjectsCommand::RemoveMember { email, project } => {
            let project = project_or_default(dir, &deps, project).await?;
            let user = user_by(email.clone()).await?;
            members::remove_member(&deps, &project, &user.meta.id, now).await?;
            println!("removed {email} from {project}");
        }
    }
    Ok(())
}

/// One line of standard input, without its line end: never an argument, which
/// other users of the machine could read in the process list.
fn password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| anyhow::anyhow!("reading the password from standard input: {e}"))?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        anyhow::bail!(
            "give the password on standard input, e.g. `printf '%s\\n' \"$PASSWORD\" | sluice users …`"
        );
    }
    Ok(password)
}

fn parse_project(p: &str) -> anyhow::Result<Id> {
    Id::parse(Kind::Project, p)
        .ok_or_else(|| anyhow::anyhow!("--project `{p}` is not a project id (prj_…)"))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return ctrl_c.await.unwrap_or(()),
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}
