//! HTTP clients for requests a project configures: every address a host name
//! resolves to is checked against the process's [`Egress`] policy when the
//! connection is made, and a URL that names an address itself is checked
//! before it is sent (a client does not resolve those).

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sluice_domain::net::{Egress, NetworkRefused};

/// Resolves with the system resolver, keeping only the addresses the policy
/// allows; a name with none left fails to resolve, with the policy's reason.
struct Guarded {
    egress: Egress,
}

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let egress = self.egress.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed = allowed(&egress, &host, found)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The addresses `host` resolved to (`found`) that the policy allows; refused,
/// with the policy's reason, when none is. A client that connects by itself
/// (a database's) resolves once, keeps these, and connects to one of them, so
/// the name cannot resolve elsewhere between the check and the connection.
pub fn allowed(
    egress: &Egress,
    host: &str,
    found: impl IntoIterator<Item = SocketAddr>,
) -> Result<Vec<SocketAddr>, NetworkRefused> {
    let mut refused = None;
    let allowed: Vec<SocketAddr> = found
        .into_iter()
        .filter(|a| match egress.check(a.ip()) {
            Ok(()) => true,
            Err(e) => {
                refused = Some(e);
                false
            }
        })
        .collect();
    if allowed.is_empty() {
        return Err(
            refused.unwrap_or_else(|| NetworkRefused(format!("{host} resolves to no address")))
        );
    }
    Ok(allowed)
}

/// A client builder whose connections go only where `egress` allows.
pub fn client_builder(egress: &Egress) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(Guarded {
            egress: egress.clone(),
        }))
        // A redirect could lead anywhere; callers follow none.
        .redirect(reqwest::redirect::Policy::none())
}

/// Refuses a URL whose host is an address the policy does not allow (names are
/// checked when they resolve), or whose scheme is not http(s).
pub fn check_url(egress: &Egress, url: &reqwest::Url) -> Result<(), NetworkRefused> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(NetworkRefused("the URL must be http(s)".into()));
    }
    let host = url
        .host_str()
        .ok_or_else(|| NetworkRefused("the URL has no host".into()))?;
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    match literal.parse::<std::net::IpAddr>() {
        Ok(ip) => egress.check(ip),
        // A name: checked on the addresses it resolves to, at connection time.
        Err(_) => Ok(()),
    }
}

/// Whether a request error came from the policy refusing every address.
pub fn refused_by_policy(e: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<NetworkRefused>() {
            return Some(r.0.clone());
        }
        source = s.source();
    }
    None
}

/// A TCP connection (without Nagle's delay) to the first of `addrs` that
/// answers within `timeout`; else why the last did not, naming the server
/// `shown`, retryable.
#[cfg(any(feature = "postgres", feature = "mysql_source"))]
pub(crate) async fn dial(
    addrs: &[std::net::SocketAddr],
    shown: &str,
    timeout: std::time::Duration,
) -> Result<tokio::net::TcpStream, crate::ConnectorError> {
    let mut last = crate::ConnectorError::upstream(format!("could not connect to {shown}"), true);
    for addr in addrs {
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Ok(Err(e)) => {
                last = crate::ConnectorError::upstream(
                    format!("could not connect to {shown}: {e}"),
                    true,
                );
            }
            Err(_) => {
                last = crate::ConnectorError::upstream(
                    format!("connecting to {shown} timed out"),
                    true,
                );
            }
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_when_connecting() {
        let client = client_builder(&Egress::public_only())
            .build()
            .expect("client");
        let err = client
            .get("http://localhost:9/x")
            .send()
            .await
            .expect_err("refused");
        let why = refused_by_policy(&err).expect("the policy's reason");
        assert!(why.contains("not a public address"), "{why}");
    }

    #[test]
    fn only_the_addresses_the_policy_allows_are_kept() {
        let found: Vec<SocketAddr> = ["127.0.0.1:5432", "[::1]:5432", "93.184.216.34:5432"]
            .iter()
            .map(|a| a.parse().expect("address"))
            .collect();
        let kept = allowed(&Egress::public_only(), "db.example.com", found.clone())
            .expect("a public address");
        assert_eq!(kept, vec![found[2]]);
        let why = allowed(&Egress::public_only(), "localhost", found[..2].to_vec())
            .expect_err("loopback only");
        assert!(why.0.contains("not a public address"), "{why}");
        let why = allowed(&Egress::public_only(), "nowhere.example", vec![]).expect_err("none");
        assert!(why.0.contains("nowhere.example"), "{why}");
    }

    #[test]
    fn a_url_naming_a_private_address_is_refused_before_sending() {
        let e = Egress::public_only();
        for url in [
            "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://[::ffff:10.0.0.1]/",
        ] {
            let u = reqwest::Url::parse(url).expect("url");
            assert!(check_url(&e, &u).is_err(), "{url}");
        }
        let ok = reqwest::Url::parse("https://hooks.example.com/x").expect("url");
        check_url(&e, &ok).expect("a name is checked when it resolves");
        let ftp = reqwest::Url::parse("ftp://example.com/").expect("url");
        assert!(check_url(&e, &ftp).is_err());
    }
}
