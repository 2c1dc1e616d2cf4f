//! Turns whatever a user pastes for a server address into a host[:port] pbxlink can connect to, or
//! says exactly why it cannot.
//!
//! Why not `url::Url::parse`: the WHATWG parser reads `pbx.example.com:5001` as a URL with the scheme
//! `pbx.example.com`, silently drops zero-width spaces and tabs, and accepts `_` and `user:pw@`. Here
//! every step is explicit and every refusal names the fix, and the caller shows the result back.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A host and optional port in normal form: lower case, punycode, no scheme, no path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    /// ASCII host: a DNS name, a dotted IPv4 address, or an IPv6 address without brackets.
    pub host: String,
    pub port: Option<u16>,
}

impl HostPort {
    /// The port to connect to: the explicit one, or 443 for HTTPS.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(443)
    }

    pub fn is_ip(&self) -> bool {
        self.host.parse::<Ipv4Addr>().is_ok() || self.host.parse::<Ipv6Addr>().is_ok()
    }

    /// `https://host[:port]` with brackets around IPv6.
    pub fn https_base(&self) -> String {
        format!("https://{self}")
    }
}

impl std::fmt::Display for HostPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

/// Why an input cannot be a host, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    pub reason: String,
    pub fix: &'static str,
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.reason, self.fix)
    }
}

impl std::error::Error for HostError {}

fn err(reason: impl Into<String>, fix: &'static str) -> HostError {
    HostError { reason: reason.into(), fix }
}

/// Longest input looked at. Anything longer is not an address someone copied from a browser bar.
const MAX_INPUT: usize = 2048;

/// Characters that render as nothing but change the bytes: a pasted URL that contains one would
/// connect somewhere else than the user sees.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// Normalises a pasted URL or a typed host into [`HostPort`]. Accepts `https://` URLs (path, query
/// and fragment are dropped), bare hosts, `host:port`, IPv4 and IPv6 literals, and IDN names
/// (converted to punycode). Refuses anything that cannot be a host, with the reason.
pub fn normalise_host(input: &str) -> Result<HostPort, HostError> {
    if input.len() > MAX_INPUT {
        return Err(err("that is far too long for an address", "paste only the address from the browser bar"));
    }
    let s = input.trim();
    if s.is_empty() {
        return Err(err("empty", "type or paste the address, e.g. mycompany.3cx.us"));
    }
    if let Some((i, c)) = s.char_indices().find(|&(_, c)| c.is_control()) {
        return Err(err(
            format!("control character U+{:04X} at position {}", c as u32, i + 1),
            "paste the address again as plain text",
        ));
    }
    if let Some((i, c)) = s.char_indices().find(|&(_, c)| is_invisible(c)) {
        return Err(err(
            format!("invisible character U+{:04X} at position {}", c as u32, i + 1),
            "retype the address; the copied text contained a hidden character",
        ));
    }
    // Scheme: only https makes sense for these APIs. Anything else is refused, not silently changed.
    let rest = match s.find("://") {
        Some(i) => {
            let scheme = &s[..i];
            if !scheme.eq_ignore_ascii_case("https") {
                let fix = if scheme.eq_ignore_ascii_case("http") {
                    "the API needs HTTPS: use the https:// address (self-hosted 3CX usually listens on :5001)"
                } else {
                    "use the https:// address shown in your browser, or just the host name"
                };
                return Err(err(format!("scheme \"{scheme}\" is not supported"), fix));
            }
            &s[i + 3..]
        }
        None => s,
    };
    if rest.contains('\\') {
        return Err(err("contains a backslash", "use forward slashes, or just the host name"));
    }
    // Authority ends at the path, query or fragment of a copied browser URL.
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(err(
            "contains user:password@",
            "remove the part before @; credentials go in their own fields, never in the address",
        ));
    }
    if authority.chars().any(char::is_whitespace) {
        return Err(err("contains a space", "remove the spaces: a host name has none"));
    }
    if authority.is_empty() {
        return Err(err("no host before the path", "paste the whole address, e.g. https://mycompany.3cx.us"));
    }
    let (host_part, port_part) = split_host_port(authority)?;
    let port = match port_part {
        None => None,
        Some(p) => Some(parse_port(p)?),
    };
    let host = normalise_name(host_part)?;
    Ok(HostPort { host, port })
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), HostError> {
    if let Some(inner) = authority.strip_prefix('[') {
        let Some(end) = inner.find(']') else {
            return Err(err("IPv6 address without a closing ]", "write it as [2001:db8::1]:5001"));
        };
        let after = &inner[end + 1..];
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(p) => Some(p),
                None => {
                    return Err(err("unexpected text after ]", "write it as [2001:db8::1]:5001"));
                }
            },
        };
        return Ok((&authority[..end + 2], port));
    }
    match authority.matches(':').count() {
        0 => Ok((authority, None)),
        1 => {
            let (h, p) = authority.split_once(':').unwrap_or((authority, ""));
            Ok((h, Some(p)))
        }
        // A bare IPv6 address, without brackets and so without a port.
        _ if authority.parse::<Ipv6Addr>().is_ok() => Ok((authority, None)),
        _ => Err(err("too many colons", "an IPv6 address needs brackets: [2001:db8::1]:5001")),
    }
}

fn parse_port(p: &str) -> Result<u16, HostError> {
    if p.is_empty() {
        return Err(err("port is empty after the colon", "remove the colon or add the port, e.g. :5001"));
    }
    if !p.chars().all(|c| c.is_ascii_digit()) {
        return Err(err(format!("port \"{p}\" is not a number"), "the port is digits only, e.g. :5001"));
    }
    match p.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        _ => Err(err(format!("port {p} is out of range"), "a port is between 1 and 65535 (3CX: 443 or 5001)")),
    }
}

fn normalise_name(host: &str) -> Result<String, HostError> {
    if let Some(v6) =
        host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).or(Some(host).filter(|h| h.contains(':')))
    {
        return match v6.parse::<Ipv6Addr>() {
            Ok(a) => Ok(a.to_string()),
            Err(_) => {
                Err(err(format!("\"{v6}\" is not a valid IPv6 address"), "check the address, e.g. [2001:db8::1]"))
            }
        };
    }
    // Trailing dots (the DNS root) are valid but make TLS name checks fail: strip them.
    let trimmed = host.trim_end_matches('.');
    if trimmed.is_empty() {
        return Err(err("no host name", "type the host name, e.g. pbx.mycompany.com"));
    }
    if trimmed.contains('_') {
        return Err(err("contains \"_\"", "a host name has only letters, digits, - and dots"));
    }
    if trimmed.split('.').any(str::is_empty) {
        return Err(err("empty label (two dots in a row, or a leading dot)", "remove the extra dot"));
    }
    let ascii = idna::domain_to_ascii_strict(trimmed).map_err(|_| {
        err(
            format!("\"{trimmed}\" is not a valid host name"),
            "use letters, digits, - and dots; each label at most 63 characters, not starting or ending with -",
        )
    })?;
    // A name whose last label is a number (decimal, or hex `0x…` as the URL standard and the C
    // resolver read it) is an IPv4 address in disguise: `0x7f000001` resolves to 127.0.0.1.
    let last = ascii.rsplit('.').next().unwrap_or_default();
    let hex = last.strip_prefix("0x").is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit()));
    if last.chars().all(|c| c.is_ascii_digit()) || hex {
        return match ascii.parse::<Ipv4Addr>() {
            Ok(a) => Ok(a.to_string()),
            Err(_) => Err(err(
                format!("\"{ascii}\" is neither an IPv4 address nor a host name"),
                "check the digits, e.g. 192.0.2.10",
            )),
        };
    }
    Ok(ascii)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("mycompany.3cx.us", "mycompany.3cx.us")]
    #[case("  https://MyCompany.3CX.de/  ", "mycompany.3cx.de")]
    #[case("https://PBX.Example.com:5001/webclient/#/login", "pbx.example.com:5001")]
    #[case("pbx.example.com:5001", "pbx.example.com:5001")]
    #[case("pbx.example.com.", "pbx.example.com")]
    #[case("pbx.example.com./", "pbx.example.com")]
    #[case("HTTPS://pbx.example.com?x=1", "pbx.example.com")]
    #[case("bücher.example", "xn--bcher-kva.example")]
    #[case("ＰＢＸ.example.com", "pbx.example.com")]
    #[case("192.0.2.10:5001", "192.0.2.10:5001")]
    #[case("https://[2001:DB8::1]:5001/x", "[2001:db8::1]:5001")]
    #[case("2001:db8::1", "[2001:db8::1]")]
    #[case("localhost:40123", "localhost:40123")]
    fn accepts(#[case] input: &str, #[case] want: &str) {
        assert_eq!(normalise_host(input).map(|h| h.to_string()), Ok(want.to_string()));
    }

    #[rstest]
    #[case("", "empty")]
    #[case("pbx example.com", "space")]
    #[case("https://user:pw@pbx.example.com", "user:password@")]
    #[case("pbx.example.com:99999", "out of range")]
    #[case("pbx.example.com:0", "out of range")]
    #[case("pbx.example.com:", "port is empty")]
    #[case("pbx.example.com:50a1", "not a number")]
    #[case("pbx..example.com", "empty label")]
    #[case(".pbx.example.com", "empty label")]
    #[case("pbx_example.com", "\"_\"")]
    #[case("http://pbx.example.com", "scheme \"http\"")]
    #[case("ftp://pbx.example.com", "scheme \"ftp\"")]
    #[case("pbx.example.com\u{200b}", "invisible")]
    #[case("\u{1b}[200~pbx.example.com\u{1b}[201~", "control character")]
    #[case("pbx.exa\tmple.com", "control character")]
    #[case("1.2.3.999", "neither an IPv4")]
    #[case("0x7f000001", "neither an IPv4")]
    #[case("https://pbx.0X1F/", "neither an IPv4")]
    #[case("-pbx.example.com", "not a valid host name")]
    #[case("[::1", "closing ]")]
    #[case("a:b:c", "too many colons")]
    #[case("https:///path", "no host")]
    fn refuses(#[case] input: &str, #[case] reason: &str) {
        let e = normalise_host(input).expect_err(input);
        assert!(e.reason.contains(reason), "{input:?}: {e}");
        assert!(!e.fix.is_empty());
    }

    #[test]
    fn normal_form_is_a_fixed_point() {
        for s in ["mycompany.3cx.us", "https://Bücher.example:5001/a", "[::1]:443", "10.0.0.1"] {
            let once = normalise_host(s).expect(s).to_string();
            assert_eq!(normalise_host(&once).expect(&once).to_string(), once);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn never_panics_and_is_idempotent(s in "\\PC{0,80}|[a-zA-Z0-9.:/\\[\\]@_-]{0,40}") {
            if let Ok(h) = normalise_host(&s) {
                let again = normalise_host(&h.to_string()).expect("normal form must re-parse");
                proptest::prop_assert_eq!(again, h);
            }
        }
    }
}
