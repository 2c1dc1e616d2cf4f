//! Whether an HTTPS request to a host goes through a proxy (`HTTPS_PROXY`/`ALL_PROXY`, minus
//! `NO_PROXY`), as reqwest decides from the same variables. When it does, the proxy resolves the
//! name, so pbxlink must not fail a host its own resolver cannot find; and the check says which
//! proxy was used (its host only: a proxy URL may carry a password).

/// The proxy's `host:port` for `host`, or `None` for a direct connection.
pub fn proxy_for(host: &str) -> Option<String> {
    let var = |names: &[&str]| names.iter().find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()));
    let proxy = var(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])?;
    if var(&["NO_PROXY", "no_proxy"]).is_some_and(|list| bypassed(host, &list)) {
        return None;
    }
    Some(display(&proxy))
}

/// `NO_PROXY` matching as curl and reqwest do it: `*`, exact names, and domain suffixes (with or
/// without a leading dot).
fn bypassed(host: &str, list: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    list.split(',')
        .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .any(|e| e == "*" || host == e || host.ends_with(&format!(".{e}")))
}

/// A proxy URL without its scheme, credentials and path.
fn display(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit('@').next().unwrap_or(authority).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_matching() {
        assert!(bypassed("pbx.example.com", "localhost, .example.com"));
        assert!(bypassed("example.com", "example.com"));
        assert!(bypassed("anything", "*"));
        assert!(!bypassed("pbx.example.org", "example.com"));
        assert!(!bypassed("badexample.com", "example.com"));
    }

    #[test]
    fn proxy_shown_without_credentials() {
        assert_eq!(display("http://user:secret@proxy.corp:3128/"), "proxy.corp:3128");
        assert_eq!(display("proxy.corp:8080"), "proxy.corp:8080");
    }
}
