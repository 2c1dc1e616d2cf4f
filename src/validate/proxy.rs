//! Whether an HTTPS request to a host goes through a proxy (`HTTPS_PROXY`/`ALL_PROXY`, minus
//! `NO_PROXY`). The decision is hyper-util's proxy matcher read from the environment, the very
//! matcher reqwest builds for its client, so what the checks say (the DNS lookup skipped, "through
//! the proxy") is what the connection really does, `NO_PROXY` CIDR entries included. When a proxy
//! is used, the proxy resolves the name, so pbxlink must not fail a host its own resolver cannot
//! find; and the check names the proxy (its host and port only: a proxy URL may carry a password).

use hyper_util::client::proxy::matcher::{Intercept, Matcher};

/// The proxy a connection goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    /// `host:port` (with the scheme when it is not `http`), never the credentials.
    pub shown: String,
    /// The proxy URL carries a user name (and password), which is sent to the proxy.
    pub has_credentials: bool,
}

impl std::fmt::Display for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// The proxy for `https://{authority}` as the environment sets it, or `None` for a direct
/// connection. `authority` is `host[:port]`, with brackets around an IPv6 host.
pub fn proxy_for(authority: &str) -> Option<Proxy> {
    intercept(&Matcher::from_system(), authority)
}

fn intercept(m: &Matcher, authority: &str) -> Option<Proxy> {
    let dst: hyper::Uri = format!("https://{authority}/").parse().ok()?;
    m.intercept(&dst).map(|i| describe(&i))
}

/// The proxy's address as the connection uses it: the matcher has already taken the credentials
/// out of the URI; a missing port is the scheme's default, which is where hyper connects.
fn describe(i: &Intercept) -> Proxy {
    let uri = i.uri();
    let scheme = uri.scheme_str().unwrap_or("http");
    let host = uri.host().unwrap_or("?");
    let port = uri.port_u16().unwrap_or(if scheme == "https" { 443 } else { 80 });
    let shown = if scheme == "http" { format!("{host}:{port}") } else { format!("{scheme}://{host}:{port}") };
    Proxy { shown, has_credentials: i.basic_auth().is_some() || i.raw_auth().is_some() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(https: &str, no: &str) -> Matcher {
        Matcher::builder().https(https.to_string()).no(no.to_string()).build()
    }

    #[test]
    fn no_proxy_is_matched_as_reqwest_matches_it() {
        let p = "http://proxy.corp:3128";
        assert_eq!(intercept(&m(p, "localhost, .example.com"), "pbx.example.com:5001"), None);
        assert_eq!(intercept(&m(p, "example.com"), "example.com"), None);
        assert_eq!(intercept(&m(p, "*"), "anything"), None);
        // CIDR and IP entries, which a plain name comparison misses.
        assert_eq!(intercept(&m(p, "127.0.0.0/8"), "127.0.0.1:5001"), None);
        assert_eq!(intercept(&m(p, "10.0.0.5"), "10.0.0.5"), None);
        assert_eq!(intercept(&m(p, "::1"), "[::1]:5001"), None);
        for (host, no) in
            [("pbx.example.org", "example.com"), ("badexample.com", "example.com"), ("10.1.0.1", "10.0.0.0/16")]
        {
            assert!(intercept(&m(p, no), host).is_some(), "{host} with NO_PROXY={no}");
        }
    }

    #[test]
    fn proxy_shown_without_credentials() {
        let shown = |url: &str| intercept(&m(url, ""), "pbx.example.com").expect("proxied");
        let p = shown("http://user:secret@proxy.corp:3128/");
        assert_eq!(p, Proxy { shown: "proxy.corp:3128".into(), has_credentials: true });
        assert_eq!(shown("proxy.corp:8080"), Proxy { shown: "proxy.corp:8080".into(), has_credentials: false });
        assert_eq!(shown("http://proxy.corp").shown, "proxy.corp:80");
        assert_eq!(shown("https://proxy.corp").shown, "https://proxy.corp:443");
        assert!(!format!("{:?}", shown("http://u:hunter2@p:1")).contains("hunter2"));
    }
}
