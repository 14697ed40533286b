//! Where this instance may send requests. Every outbound request (fetches, key fetches,
//! deliveries, partners' files) goes through one client whose resolver refuses any name that
//! resolves to a loopback, private, link-local or otherwise non-public address, checked when
//! the connection is made (after DNS, so an attacker's DNS cannot point us at 127.0.0.1 or
//! 169.254.169.254). URLs are checked before the request too: https only, and a host name,
//! never an IP literal (which skips the resolver). With the development network on, the names
//! listed in `AMICUS_RESOLVE` go to their configured addresses, and only those may be private.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::error::{AppError, AppResult};

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // unique local fc00::/7, link-local fe80::/10, site-local fec0::/10
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                // documentation 2001:db8::/32
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                // NAT64 64:ff9b::/96 and IPv4-compatible ::a.b.c.d reach IPv4 addresses
                || (s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0])
                || s[..6] == [0, 0, 0, 0, 0, 0])
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || o[0] == 0
        // shared address space 100.64.0.0/10
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
        // IETF protocol assignments 192.0.0.0/24, benchmarking 198.18.0.0/15
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        // reserved 240.0.0.0/4
        || o[0] >= 240)
}

/// A resolver that answers only public addresses. Names mapped by the development network
/// never reach it: the client's own overrides answer them first.
pub struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                let refused = std::io::Error::new(std::io::ErrorKind::PermissionDenied, RefusedAddress);
                return Err(Box::new(refused) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// The error a request gets when its host resolves only to non-public addresses.
#[derive(Debug)]
pub struct RefusedAddress;

impl std::fmt::Display for RefusedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the address is not public")
    }
}

impl std::error::Error for RefusedAddress {}

/// Checks a URL before any request to it: https (http on the development network), and a
/// host name rather than an IP literal.
pub fn check_url(url: &Url, dev_network: bool) -> AppResult<()> {
    let scheme_ok = url.scheme() == "https" || (dev_network && url.scheme() == "http");
    if !scheme_ok {
        return Err(AppError::BadRequest("error-remote-refused"));
    }
    match url.host() {
        Some(Host::Domain(d)) if !d.is_empty() && d.parse::<IpAddr>().is_err() => Ok(()),
        _ => Err(AppError::BadRequest("error-remote-refused")),
    }
}

/// Whether `inbox` (a follower's `inbox` or `sharedInbox`) is on the actor's own host.
pub fn same_host(actor: &Url, other: &Url) -> bool {
    actor.host_str().is_some() && actor.host_str() == other.host_str() && actor.port() == other.port()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "::7f00:1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_need_https_and_a_host_name() {
        let ok = |s: &str, dev: bool| check_url(&Url::parse(s).unwrap(), dev).is_ok();
        assert!(ok("https://social.example/inbox", false));
        assert!(!ok("http://social.example/inbox", false));
        assert!(ok("http://social.localhost:8080/inbox", true));
        assert!(!ok("https://127.0.0.1/inbox", true));
        assert!(!ok("https://[::1]/inbox", false));
        assert!(!ok("file:///etc/passwd", true));
    }

    #[tokio::test]
    async fn names_of_loopback_addresses_are_refused_when_resolved() {
        let name: Name = "localhost".parse().unwrap();
        assert!(PublicResolver.resolve(name).await.is_err());
    }
}
