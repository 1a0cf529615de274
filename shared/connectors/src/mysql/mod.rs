//! Connections to MySQL and MariaDB servers a project configures (the `mysql`
//! source: [`source`]). The URL is a secret (it carries the password): it is
//! parsed here and never shown; messages name `host:port` only. Its host is
//! resolved once, every address checked against the [`Egress`] policy, and the
//! connection made to a checked address (the host name kept for TLS), so the
//! name cannot resolve elsewhere between the check and the connection.
//!
//! TLS follows the URL's `ssl-mode`, as MySQL's own client reads it:
//! `disabled`, `preferred` (the default: encrypted when the server offers it),
//! `required` (encrypted or nothing) and `verify_identity` (encrypted, the
//! certificate checked against the public authorities and the host name).
//! `preferred` and `required` do not check the certificate, as MySQL's client
//! does not: they keep the rows from being read on the way, not from a server
//! that impersonates the database.

pub mod decode;
pub mod reader;
pub mod source;

use std::net::SocketAddr;
use std::time::Duration;

use mysql_async::{Conn, Opts, OptsBuilder, SslOpts};
use sluice_domain::net::Egress;

use crate::ConnectorError;

/// How long reaching the server and logging in may take together.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(40);

const URL_SHAPE: &str = "mysql://user:password@host:3306/database";

/// What the URL's `ssl-mode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Disabled,
    Preferred,
    Required,
    VerifyIdentity,
}

fn refused(reason: impl Into<String>) -> ConnectorError {
    ConnectorError::upstream(reason, false)
}

/// The server `shown` offers no TLS, and the URL's mode requires it.
fn no_tls(shown: &str) -> ConnectorError {
    refused(format!(
        "the database at {shown} offers no TLS, which the URL's ssl-mode requires"
    ))
}

/// `url` without its query, and the `ssl-mode` it named; or a reason that
/// never quotes the URL. No other parameter is taken.
fn split_mode(url: &str) -> Result<(String, Mode), ConnectorError> {
    let url = match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}"),
        None => url.to_string(),
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url, Mode::Preferred));
    };
    let mut mode = Mode::Preferred;
    for param in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        if !matches!(key, "ssl-mode" | "ssl_mode" | "sslmode") {
            return Err(refused(
                "the database URL takes one parameter, ssl-mode, and names another",
            ));
        }
        mode = match value.to_ascii_lowercase().as_str() {
            "disabled" | "disable" => Mode::Disabled,
            "preferred" | "prefer" => Mode::Preferred,
            "required" | "require" => Mode::Required,
            "verify_identity" | "verify-full" => Mode::VerifyIdentity,
            other => {
                return Err(refused(format!(
                    "the database URL's ssl-mode `{}` is not disabled, preferred, required or verify_identity",
                    other.chars().take(20).collect::<String>()
                )));
            }
        };
    }
    Ok((base.to_string(), mode))
}

/// A MySQL error as a connector error: what the server said (never a secret:
/// it does not know the URL), retryable when it may pass. `step` says what
/// was being done.
pub fn db_error(step: &str, e: mysql_async::Error) -> ConnectorError {
    match e {
        mysql_async::Error::Server(s) => answered(step, s.code, &s.message),
        mysql_async::Error::Io(io) => ConnectorError::upstream(format!("{step}: {io}"), true),
        // The driver's and the URL's own words carry no secret: the URL is
        // never handed to the driver whole.
        other => ConnectorError::upstream(format!("{step}: {other}"), false),
    }
}

/// The server's error `code` and `message` as a connector error, retryable
/// when it may pass: lock waits, deadlocks, too many connections, a
/// shutting-down server and a killed query may; bad SQL, logins and
/// privileges will not.
pub(crate) fn answered(step: &str, code: u16, message: &str) -> ConnectorError {
    let retryable = matches!(code, 1040 | 1053 | 1205 | 1213 | 1317 | 1927 | 2006 | 2013);
    ConnectorError::upstream(
        format!("{step}: the database answered: {message} ({code})"),
        retryable,
    )
}

/// The TLS handshake with the server `shown` failed for `why`.
fn tls_refused(shown: &str, mode: Mode, why: &str) -> ConnectorError {
    let hint = if mode == Mode::VerifyIdentity {
        " (ssl-mode=verify_identity trusts the public certificate authorities only; ssl-mode=required encrypts without that check)"
    } else {
        ""
    };
    refused(format!(
        "TLS with the database at {shown} failed: {why}{hint}"
    ))
}

/// Where and as whom a URL logs in: its host resolved once, and the
/// addresses the egress policy allows.
struct Target {
    host: String,
    port: u16,
    user: Option<String>,
    pass: Option<String>,
    db: Option<String>,
    mode: Mode,
    /// `host:port`, to name the server in messages.
    shown: String,
    addrs: Vec<SocketAddr>,
}

/// The target of the database `url`, its addresses those `egress` allows;
/// a reason that never quotes the URL when it does not parse.
async fn target(egress: &Egress, url: &str) -> Result<Target, ConnectorError> {
    if url.is_empty() {
        return Err(ConnectorError::config("config.url", "is required"));
    }
    let (url, mode) = split_mode(url)?;
    // Its parse error could quote the URL: say only that it does not parse.
    let parsed = Opts::from_url(&url).map_err(|_| {
        refused(format!(
            "the database URL does not parse; set it again as {URL_SHAPE}"
        ))
    })?;
    let host = parsed.ip_or_hostname().to_string();
    let port = parsed.tcp_port();
    if host.is_empty() {
        return Err(refused(format!(
            "the database URL names no host; set it again as {URL_SHAPE}"
        )));
    }
    let shown = format!("{host}:{port}");
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| ConnectorError::upstream(format!("could not resolve {host}"), true))?
        .collect();
    let addrs = crate::egress::allowed(egress, &host, found)
        .map_err(|e| refused(format!("the database at {shown} is out of reach: {e}")))?;
    Ok(Target {
        user: parsed.user().map(str::to_string),
        pass: parsed.pass().map(str::to_string),
        db: parsed
            .db_name()
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        host,
        port,
        mode,
        shown,
        addrs,
    })
}

/// Whether a [`connect`] error `why` says the server was reached and refused
/// the login (the credentials, the database), not that it was out of reach.
pub fn login_refused(why: &str) -> bool {
    why.starts_with("logging in to") && !why.contains("timed out")
}

/// A connection logged in to the database `url` names, made to an address
/// `egress` allows, over TLS as its `ssl-mode` asks, with `setup` run first;
/// and `host:port`, to name the server in messages.
pub async fn connect(
    egress: &Egress,
    url: &str,
    setup: &[String],
) -> Result<(Conn, String), ConnectorError> {
    let Target {
        host,
        port,
        user,
        pass,
        db,
        mode,
        shown,
        addrs,
    } = target(egress, url).await?;
    if mode != Mode::Disabled {
        // The driver's TLS asks rustls for the process's provider: the one
        // the rest of the connectors use, unless one is set already.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    let mut last = ConnectorError::upstream(format!("could not connect to {shown}"), true);
    for addr in addrs {
        let opts = |tls: bool| {
            let ssl = tls.then(|| match mode {
                Mode::VerifyIdentity => SslOpts::default(),
                _ => SslOpts::default()
                    .with_danger_accept_invalid_certs(true)
                    .with_danger_skip_domain_validation(true),
            });
            OptsBuilder::default()
                .ip_or_hostname(host.clone())
                .tcp_port(port)
                .resolved_ips(Some(vec![addr.ip()]))
                .user(user.clone())
                .pass(pass.clone())
                .db_name(db.clone())
                // Never a Unix socket found through the server: the checked
                // address only.
                .prefer_socket(false)
                .tcp_nodelay(true)
                .ssl_opts(ssl)
                .setup(setup.to_vec())
        };
        let attempt = |tls: bool| tokio::time::timeout(CONNECT_TIMEOUT, Conn::new(opts(tls)));
        let mut result = attempt(mode != Mode::Disabled).await;
        if mode == Mode::Preferred
            && matches!(
                result,
                Ok(Err(mysql_async::Error::Driver(
                    mysql_async::DriverError::NoClientSslFlagFromServer
                )))
            )
        {
            // The server offers no TLS: `preferred` logs in without it.
            result = attempt(false).await;
        }
        match result {
            Ok(Ok(conn)) => return Ok((conn, shown)),
            Ok(Err(mysql_async::Error::Io(mysql_async::IoError::Io(e)))) => {
                // The driver's handshake says a certificate that does not
                // check out as an I/O error: retrying will not change it.
                if let Some(why) = crate::tls::rustls_error(&e) {
                    return Err(tls_refused(&shown, mode, &why.to_string()));
                }
                last = ConnectorError::upstream(format!("could not connect to {shown}: {e}"), true);
            }
            Ok(Err(mysql_async::Error::Io(mysql_async::IoError::Tls(e)))) => {
                return Err(tls_refused(&shown, mode, &e.to_string()));
            }
            Ok(Err(mysql_async::Error::Driver(
                mysql_async::DriverError::NoClientSslFlagFromServer,
            ))) => return Err(no_tls(&shown)),
            Ok(Err(e)) => return Err(db_error(&format!("logging in to {shown}"), e)),
            Err(_) => {
                last = ConnectorError::upstream(format!("connecting to {shown} timed out"), true);
            }
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_address_the_policy_refuses_is_never_dialled_and_the_url_never_shown() {
        let url = "mysql://u:s3cr3t@127.0.0.1:9/app";
        let Err(e) = connect(&Egress::public_only(), url, &[]).await else {
            panic!("connected");
        };
        let text = e.to_string();
        assert!(!e.retryable(), "{text}");
        assert!(
            text.contains("the database at 127.0.0.1:9 is out of reach"),
            "{text}"
        );
        assert!(!text.contains("s3cr3t"), "{text}");
    }

    #[tokio::test]
    async fn a_url_that_does_not_parse_is_not_echoed() {
        for url in [
            "mysql://u:s3cr3t@db.example.com:notaport/app",
            "mysql://u:s3cr3t@db.example.com/app?ssl-mode=sometimes",
            "mysql://u:s3cr3t@db.example.com/app?s3cr3t=1",
        ] {
            let Err(e) = connect(&Egress::public_only(), url, &[]).await else {
                panic!("connected");
            };
            let text = e.to_string();
            assert!(!e.retryable() && !text.contains("s3cr3t"), "{text}");
        }
    }
}
