//! Connections to PostgreSQL servers a project configures (a `database`
//! destination, a `postgres` source: [`source`]). The URL is a secret (it carries the password): it is parsed
//! here and never shown; messages name `host:port` only. Its host is resolved
//! once, every address checked against the [`Egress`] policy, and the
//! connection made to a checked address, so the name cannot resolve elsewhere
//! between the check and the connection. TLS follows the URL's `sslmode`
//! ([`tls`]).

#[cfg(feature = "postgres_source")]
pub mod copy;
#[cfg(feature = "postgres_source")]
mod reader;
#[cfg(feature = "postgres_source")]
pub mod source;
mod tls;

use std::net::SocketAddr;
use std::time::Duration;

use sluice_domain::net::Egress;
use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config};

use crate::ConnectorError;

/// How long the TCP connection and then the login may each take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const LOGIN_TIMEOUT: Duration = Duration::from_secs(30);

const URL_SHAPE: &str = "postgres://user:password@host:5432/database";

/// A PostgreSQL error as a connector error: what the server said (never a
/// secret: it does not know the URL), retryable when it may pass. `step`
/// says what was being done.
pub fn db_error(step: &str, e: tokio_postgres::Error) -> ConnectorError {
    let Some(db) = e.as_db_error() else {
        // Its own words (a closed connection, an I/O error) carry no secret either.
        return ConnectorError::upstream(format!("{step}: {e}"), true);
    };
    answered(step, db.code().code(), db.message(), db.detail())
}

/// The error the server answered with (its SQLSTATE `code`, its message and
/// detail) as a connector error: retryable when it may pass.
fn answered(step: &str, code: &str, message: &str, detail: Option<&str>) -> ConnectorError {
    let mut text = format!("{step}: the database answered: {message}");
    if let Some(detail) = detail {
        text.push_str(&format!(" ({detail})"));
    }
    // Connection trouble, conflicts, lack of resources and operator
    // intervention may pass; bad data, SQL, logins and privileges will not.
    let class = code.get(..2).unwrap_or_default();
    let retryable = matches!(class, "08" | "40" | "53" | "55" | "57" | "58" | "XX");
    ConnectorError::upstream(text, retryable)
}

/// Whether a [`connect`] error `why` says the server was reached and refused
/// the login (the credentials, the database), not that it was out of reach.
pub fn login_refused(why: &str) -> bool {
    why.starts_with("logging in to") && !why.contains("timed out")
}

fn refused(reason: impl Into<String>) -> ConnectorError {
    ConnectorError::upstream(reason, false)
}

/// The addresses to try for each host of `config`, each allowed by the
/// egress policy; with the host, and `host:port` that names it in messages.
async fn addresses(
    egress: &Egress,
    config: &Config,
) -> Result<Vec<(String, String, Vec<SocketAddr>)>, ConnectorError> {
    let hosts = config.get_hosts();
    if hosts.is_empty() {
        return Err(refused(format!(
            "the database URL names no host; set it again as {URL_SHAPE}"
        )));
    }
    let ports = config.get_ports();
    let mut out = vec![];
    for (i, host) in hosts.iter().enumerate() {
        let Host::Tcp(name) = host else {
            return Err(refused(
                "the database URL must name a host, not a socket path",
            ));
        };
        // One port for every host, or one per host (as libpq reads them).
        let port = ports
            .get(i)
            .or_else(|| ports.first())
            .copied()
            .unwrap_or(5432);
        let shown = format!("{name}:{port}");
        let found: Vec<SocketAddr> = match config.get_hostaddrs().get(i) {
            Some(ip) => vec![SocketAddr::new(*ip, port)],
            None => tokio::net::lookup_host((name.as_str(), port))
                .await
                .map_err(|_| ConnectorError::upstream(format!("could not resolve {name}"), true))?
                .collect(),
        };
        let allowed = crate::egress::allowed(egress, name, found)
            .map_err(|e| refused(format!("the database at {shown} is out of reach: {e}")))?;
        out.push((name.clone(), shown, allowed));
    }
    Ok(out)
}

/// A client logged in to the database `url` names, connected to an address
/// `egress` allows, over TLS as its `sslmode` asks, its connection driven by
/// a task of its own; and `host:port`, to name the server in messages.
pub async fn connect(egress: &Egress, url: &str) -> Result<(Client, String), ConnectorError> {
    let (config, mode) = parse(url)?;
    let (stream, host, shown) = dial(egress, &config).await?;
    let tls = tls::connector(&host, mode).map_err(refused)?;
    let (client, connection) = login(&shown, mode, config.connect_raw(stream, tls)).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "The database connection ended with an error.");
        }
    });
    Ok((client, shown))
}

/// The connection settings of `url`, TLS as its `sslmode` asks; a reason
/// that never quotes the URL when it does not parse.
fn parse(url: &str) -> Result<(Config, tls::Mode), ConnectorError> {
    let (url, mode) = tls::split_sslmode(url).map_err(refused)?;
    // Its parse error could quote the URL: say only that it does not parse.
    let mut config: Config = url.parse().map_err(|_| {
        refused(format!(
            "the database URL does not parse; set it again as {URL_SHAPE}"
        ))
    })?;
    config.ssl_mode(mode.ssl_mode());
    Ok((config, mode))
}

/// A TCP connection to the first address of `config`'s hosts that `egress`
/// allows and that answers; with its host, and `host:port` to name it.
async fn dial(
    egress: &Egress,
    config: &Config,
) -> Result<(tokio::net::TcpStream, String, String), ConnectorError> {
    let mut last = ConnectorError::upstream("the database URL names no host", false);
    for (host, shown, addrs) in addresses(egress, config).await? {
        match crate::egress::dial(&addrs, &shown, CONNECT_TIMEOUT).await {
            Ok(stream) => return Ok((stream, host, shown)),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The login `connecting` makes to the server `shown`, within its time, its
/// failure said as the reason the server or the TLS handshake gave.
async fn login<C>(
    shown: &str,
    mode: tls::Mode,
    connecting: impl std::future::Future<Output = Result<(Client, C), tokio_postgres::Error>>,
) -> Result<(Client, C), ConnectorError> {
    match tokio::time::timeout(LOGIN_TIMEOUT, connecting).await {
        Ok(Ok(pair)) => Ok(pair),
        Ok(Err(e)) => match tls::refusal(&e) {
            Some(why) => Err(tls_refused(shown, mode, &why)),
            None => Err(db_error(&format!("logging in to {shown}"), e)),
        },
        Err(_) => Err(ConnectorError::upstream(
            format!("logging in to {shown} timed out"),
            true,
        )),
    }
}

/// The TLS handshake with the server `shown` failed for `why`.
fn tls_refused(shown: &str, mode: tls::Mode, why: &str) -> ConnectorError {
    let hint = if mode == tls::Mode::VerifyFull {
        " (sslmode=verify-full trusts the public certificate authorities only; sslmode=require encrypts without that check)"
    } else {
        ""
    };
    refused(format!(
        "TLS with the database at {shown} failed: {why}{hint}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_address_the_policy_refuses_is_never_dialled_and_the_url_never_shown() {
        let url = "postgres://u:s3cr3t@127.0.0.1:9/app";
        let Err(e) = connect(&Egress::public_only(), url).await else {
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
            "postgres://u:s3cr3t@db.example.com:notaport/app",
            "postgres://u:s3cr3t@db.example.com/app?sslmode=sometimes",
        ] {
            let Err(e) = connect(&Egress::public_only(), url).await else {
                panic!("connected");
            };
            let text = e.to_string();
            assert!(!e.retryable() && !text.contains("s3cr3t"), "{text}");
        }
    }
}
