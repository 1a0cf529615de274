//! Where outbound requests that a project names may go (a REST source's base
//! URL, a webhook): public addresses only, so a project cannot reach the
//! platform's own network (the local server, a database beside it, the Lambda
//! runtime API on 127.0.0.1, a cloud metadata endpoint). An operator may open
//! chosen private networks (`sluice serve --allow-network 10.1.0.0/16`).
//!
//! Checked on the addresses a name resolves to, when the connection is made, so
//! a name that resolves to a public address when saved and a private one when
//! used is still refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A network, `address/prefix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Parses `10.0.0.0/8`, `::1/128`, or an address alone (one host).
    pub fn parse(text: &str) -> Result<Network, NetworkRefused> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| {
            NetworkRefused(format!(
                "{} is not a network: write an address and a prefix length, such as 10.0.0.0/8",
                crate::error::quote(text)
            ))
        })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| {
                NetworkRefused(format!("the prefix length must be from 0 to {max}"))
            })?,
        };
        Ok(Network { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// A network that does not parse, or an address a request may not reach.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NetworkRefused(pub String);

/// The outbound policy of a process: public addresses, and the networks its
/// operator opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Egress {
    allowed: Vec<Network>,
}

/// An IPv4 address carried in IPv6 (`::ffff:127.0.0.1`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // Benchmarking, 198.18.0.0/15, and reserved, 240.0.0.0/4.
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local fc00::/7, link-local fe80::/10, documentation 2001:db8::/32.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // NAT64 64:ff9b::/96 would reach IPv4 addresses by another name.
        || (first == 0x0064 && ip.segments()[1] == 0xff9b))
}

impl Egress {
    /// Public addresses only: the default, and always on Lambda.
    pub fn public_only() -> Egress {
        Egress::default()
    }

    /// Public addresses and `networks` too.
    pub fn allowing(networks: Vec<Network>) -> Egress {
        Egress { allowed: networks }
    }

    pub fn allowed_networks(&self) -> &[Network] {
        &self.allowed
    }

    /// Whether a request may connect to `ip`.
    pub fn check(&self, ip: IpAddr) -> Result<(), NetworkRefused> {
        let ip = canonical(ip);
        let public = match ip {
            IpAddr::V4(v4) => public_v4(v4),
            IpAddr::V6(v6) => public_v6(v6),
        };
        if public || self.allowed.iter().any(|n| n.contains(ip)) {
            return Ok(());
        }
        Err(NetworkRefused(format!(
            "{ip} is not a public address: requests a project configures reach only the public internet{}",
            if self.allowed.is_empty() {
                ""
            } else {
                " and the networks this server's operator opened"
            }
        )))
    }
}

/// Google's endpoints a `google_sheets` delivery calls: a deployment setting,
/// never a project's. The token endpoint is not taken from a service account
/// key's `token_uri` (a project writes the key), so no project can make the
/// server call an address of its choosing; the operator moves them (a proxy,
/// a test server) with `SLUICE_GOOGLE_TOKEN_URL` and `SLUICE_GOOGLE_SHEETS_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleApis {
    /// Where a signed assertion is exchanged for an access token.
    pub token_url: String,
    /// The Sheets API's base, without a trailing `/`.
    pub sheets_url: String,
}

/// An endpoint setting that is not a URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadEndpoint(pub String);

/// Google's OAuth 2.0 token endpoint.
pub const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
/// The Sheets API.
pub const GOOGLE_SHEETS_URL: &str = "https://sheets.googleapis.com";

impl Default for GoogleApis {
    fn default() -> Self {
        GoogleApis {
            token_url: GOOGLE_TOKEN_URL.into(),
            sheets_url: GOOGLE_SHEETS_URL.into(),
        }
    }
}

impl GoogleApis {
    /// The endpoints an operator names, each an `http(s)://` URL; `None` keeps
    /// Google's.
    pub fn new(
        token_url: Option<&str>,
        sheets_url: Option<&str>,
    ) -> Result<GoogleApis, BadEndpoint> {
        let mut apis = GoogleApis::default();
        for (given, slot, name) in [
            (token_url, &mut apis.token_url, "the Google token URL"),
            (sheets_url, &mut apis.sheets_url, "the Google Sheets URL"),
        ] {
            let Some(url) = given.map(str::trim).filter(|u| !u.is_empty()) else {
                continue;
            };
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(BadEndpoint(format!("{name} must be an http(s) URL")));
            }
            *slot = url.trim_end_matches('/').to_string();
        }
        Ok(apis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn the_platforms_own_networks_are_refused_and_the_internet_is_not() {
        let e = Egress::public_only();
        for refused in [
            "127.0.0.1",
            "127.9.9.9",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            let err = e.check(ip(refused)).expect_err(refused);
            assert!(err.0.contains("not a public address"), "{err}");
        }
        for allowed in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            e.check(ip(allowed)).expect(allowed);
        }
    }

    #[test]
    fn an_operator_opens_only_the_networks_it_names() {
        let e = Egress::allowing(vec![
            Network::parse("127.0.0.1").expect("host"),
            Network::parse("10.1.0.0/16").expect("net"),
        ]);
        e.check(ip("127.0.0.1")).expect("opened host");
        e.check(ip("::ffff:127.0.0.1"))
            .expect("the same host in IPv6");
        e.check(ip("10.1.200.3")).expect("opened network");
        assert!(e.check(ip("127.0.0.2")).is_err());
        assert!(e.check(ip("10.2.0.1")).is_err());
        assert!(e.check(ip("169.254.169.254")).is_err());
    }

    #[test]
    fn a_network_that_does_not_parse_says_how_to_write_one() {
        for bad in ["", "10.0.0.0/33", "::/129", "localhost", "10.0.0/8"] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Network::parse("10.0.0.0/8").expect("net").to_string(),
            "10.0.0.0/8"
        );
        assert!(
            Network::parse("0.0.0.0/0")
                .expect("all")
                .contains(ip("8.8.8.8"))
        );
    }
}
