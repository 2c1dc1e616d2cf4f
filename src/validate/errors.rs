//! The one place a transport error becomes a failure kind and a one-line detail. The detail is
//! built from the error's causes only, never from reqwest's own text, which contains the full URL.
//! A failure of the proxy itself (refused, or refusing the tunnel) is told apart from one of the
//! server behind it, so that the fix names the proxy and not the server's port or firewall.

use std::error::Error as StdError;
use std::io;

use super::proxy::Proxy;
use crate::report::FailureKind;

/// hyper-util's tunnel errors (`TunnelError`, not public) display as this, then what went wrong.
const TUNNEL_ERROR: &str = "tunnel error: ";

/// When `e` is a failure of `proxy` itself, while it was asked for a tunnel to `target`: the
/// detail, which names the proxy. `None` when the proxy did its part (the tunnel was open, or no
/// tunnel error is in the chain: a timeout, say, which cannot be pinned on either side).
/// hyper-util drops the status of a refused CONNECT except 407, so the detail says only what is
/// known.
pub fn proxy_failure(e: &reqwest::Error, proxy: &Proxy, target: &str) -> Option<String> {
    let mut src: Option<&(dyn StdError + 'static)> = e.source();
    while let Some(s) = src {
        if let Some(what) = s.to_string().strip_prefix(TUNNEL_ERROR) {
            return Some(match what {
                "unsuccessful" => format!(
                    "the proxy {proxy} did not open a tunnel to {target}: it answered CONNECT with an error status \
                     (403 would be its refusal, 502 or 504 that it could not reach {target}), so no request reached {target}"
                ),
                "proxy authorization required" if proxy.has_credentials => format!(
                    "the proxy {proxy} refused the user name and password of the proxy URL \
                     (HTTP 407 Proxy Authentication Required)"
                ),
                "proxy authorization required" => format!(
                    "the proxy {proxy} asks for a user name and password (HTTP 407 Proxy Authentication Required), \
                     and the proxy URL has none"
                ),
                "unexpected end of file" => {
                    format!("the proxy {proxy} closed the connection without answering the request for a tunnel")
                }
                "failed to create underlying connection" => {
                    format!("could not connect to the proxy {proxy}: {}", cause_text(s))
                }
                "io error establishing tunnel" => {
                    format!("the connection to the proxy {proxy} failed while asking for a tunnel: {}", cause_text(s))
                }
                other => format!(
                    "the proxy {proxy} could not open a tunnel to {target}: {}",
                    crate::text::one_line(other, 80)
                ),
            });
        }
        src = s.source();
    }
    None
}

/// What the causes of `e` say: a refused connection in words, else the deepest cause's text (the
/// other I/O words of [`describe_io`] speak of "the server", which the proxy is not).
fn cause_text(e: &(dyn StdError + 'static)) -> String {
    let mut src = e.source();
    while let Some(s) = src {
        if let Some(ioe) = s.downcast_ref::<io::Error>()
            && ioe.kind() == io::ErrorKind::ConnectionRefused
            && let Some((_, d)) = describe_io(ioe, 0)
        {
            return d;
        }
        src = s.source();
    }
    innermost(e)
}

/// Classifies a reqwest error. `connected` says whether a connection had been set up, so that a
/// timeout is named for the right stage.
pub fn classify(e: &reqwest::Error, connected: bool, timeout_secs: u64) -> (FailureKind, String) {
    let mut src: Option<&(dyn StdError + 'static)> = e.source();
    while let Some(s) = src {
        // Something answered: say what came back, never that nothing did.
        if connected && let Some(found) = what_came_back(s) {
            return found;
        }
        if let Some(found) = known_cause(s, timeout_secs) {
            return found;
        }
        src = s.source();
    }
    if e.is_timeout() {
        // Headers came, then the body stopped: a server (or a proxy) stalled mid-answer.
        if e.is_body() || e.is_decode() {
            return (
                FailureKind::Timeout,
                format!("the answer started, then stopped: the rest did not come within {timeout_secs} s"),
            );
        }
        if connected {
            return (
                FailureKind::Timeout,
                format!(
                    "the connection was made, but no complete answer came within {timeout_secs} s (nothing, or only interim 1xx answers)"
                ),
            );
        }
        return (FailureKind::Timeout, format!("no answer within {timeout_secs} s while connecting"));
    }
    if e.is_connect() {
        return (FailureKind::Connect, format!("could not connect: {}", innermost(e)));
    }
    if e.is_redirect() {
        return (FailureKind::BadResponse, "redirect refused; credentials are never re-sent elsewhere".into());
    }
    if e.is_body() || e.is_decode() {
        return (FailureKind::BadResponse, format!("the answer broke off: {}", innermost(e)));
    }
    (FailureKind::Connect, format!("request failed: {}", innermost(e)))
}

/// An answer that came but was not a readable HTTP answer, in words: what hyper could not parse,
/// an answer cut short, a connection closed without TLS's end (`close_notify`, which tells a
/// whole answer from a cut one). `None` for anything else.
fn what_came_back(s: &(dyn StdError + 'static)) -> Option<(FailureKind, String)> {
    let said = |d: &str| Some((FailureKind::BadResponse, d.to_string()));
    if let Some(h) = s.downcast_ref::<hyper::Error>() {
        if h.is_parse() || h.is_parse_status() {
            return said(
                "what came back could not be read as HTTP (another protocol on this port, headers too large, or a status line or header HTTP does not allow)",
            );
        }
        if h.is_incomplete_message() {
            return said("the server closed the connection before its answer was complete: not read");
        }
    }
    if let Some(ioe) = s.downcast_ref::<io::Error>() {
        if ioe.kind() == io::ErrorKind::UnexpectedEof && ioe.to_string().contains("close_notify") {
            return said(
                "the server closed the connection without ending TLS (no close_notify), so its answer may be cut: not read",
            );
        }
        if ioe.kind() == io::ErrorKind::UnexpectedEof {
            return said("the server closed the connection before its answer was complete: not read");
        }
        if let Some(inner) = ioe.get_ref() {
            return what_came_back(inner);
        }
    }
    None
}

/// Recognises a rustls or I/O error, looking through the boxes and `io::Error` wrappers that
/// hyper and reqwest put around them (a boxed error's `source()` skips the box's content).
fn known_cause(s: &(dyn StdError + 'static), timeout_secs: u64) -> Option<(FailureKind, String)> {
    if let Some(tls) = s.downcast_ref::<rustls::Error>() {
        return Some((FailureKind::Tls, describe_tls(tls)));
    }
    if let Some(ioe) = s.downcast_ref::<io::Error>() {
        if let Some(inner) = ioe.get_ref()
            && let Some(found) = known_cause(inner, timeout_secs)
        {
            return Some(found);
        }
        return describe_io(ioe, timeout_secs);
    }
    None
}

fn describe_io(e: &io::Error, timeout_secs: u64) -> Option<(FailureKind, String)> {
    use io::ErrorKind as K;
    let d = match e.kind() {
        K::ConnectionRefused => (FailureKind::Connect, "connection refused: nothing listens on that port".to_string()),
        K::ConnectionReset | K::ConnectionAborted => {
            (FailureKind::Connect, "the connection was reset by the server".to_string())
        }
        K::TimedOut => (FailureKind::Timeout, format!("no answer within {timeout_secs} s")),
        K::HostUnreachable | K::NetworkUnreachable => (FailureKind::Connect, format!("no route to the host ({e})")),
        K::UnexpectedEof => (FailureKind::Connect, "the server closed the connection".to_string()),
        K::InvalidData => (FailureKind::Tls, format!("the TLS handshake failed: {e}")),
        _ => return None,
    };
    Some(d)
}

/// The text of the deepest cause, which names what really happened (refused, reset, ...).
fn innermost(e: &(dyn StdError + 'static)) -> String {
    let mut last: &(dyn StdError + 'static) = e;
    while let Some(s) = last.source() {
        last = s;
    }
    crate::text::one_line(&last.to_string(), 160)
}

/// Words a PBX admin understands for the certificate problems they meet.
pub fn describe_tls(e: &rustls::Error) -> String {
    use crate::report::utc_date;
    use rustls::CertificateError as C;
    let raw = crate::text::one_line(&e.to_string(), 120);
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => "certificate not trusted: signed by an unknown CA (private CA? use --ca-file)".into(),
            C::NotValidForName | C::NotValidForNameContext { .. } => format!("certificate is not valid for this name ({raw})"),
            C::ExpiredContext { time, not_after } => format!(
                "certificate has expired: valid until {}, {} days ago; renew it on the server",
                utc_date(not_after.as_secs()),
                time.as_secs().saturating_sub(not_after.as_secs()).div_ceil(86_400)
            ),
            C::Expired => format!("certificate has expired ({raw})"),
            C::NotValidYetContext { time, not_before } => format!(
                "certificate is not valid yet; check this machine's clock: the certificate starts on {}, this machine says it is {}",
                utc_date(not_before.as_secs()),
                utc_date(time.as_secs())
            ),
            C::NotValidYet => format!("certificate is not valid yet; check this machine's clock ({raw})"),
            C::Other(o) if o.to_string().contains("CaUsedAsEndEntity") => {
                "the server presents a CA certificate as its own; it needs a server (leaf) certificate signed by that CA".into()
            }
            _ => format!("certificate rejected: {raw}"),
        },
        rustls::Error::InvalidMessage(_) => "the server does not speak TLS on this port (plain HTTP?)".into(),
        _ => format!("TLS failed: {raw}"),
    }
}
