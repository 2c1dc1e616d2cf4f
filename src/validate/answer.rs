//! An HTTP answer as the engine hands it to a vendor's interpreter (status, the headers that
//! matter, the bounded body), the failure every vendor shares for a status, and the one-line cut
//! that keeps server text from moving the cursor. Pure.

use crate::report::FailureKind;

/// What the engine hands to an interpreter: the parts of an HTTP answer that matter, with the body
/// already read (and bounded).
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    pub content_type: Option<String>,
    /// `X-3CX-Version`.
    pub version: Option<String>,
    pub body: Vec<u8>,
    /// The body went on past the bound it was read to: `body` is its start only.
    pub truncated: bool,
}

/// A failed step: its kind and a one-line detail for the user (never containing a secret).
pub type Failure = (FailureKind, String);

/// The failure every vendor shares for a non-2xx status; `None` for 2xx.
pub fn status_failure(a: &Answer) -> Option<Failure> {
    let s = a.status;
    let kind = match s {
        200..=299 => return None,
        300..=399 => {
            let to = a.location.as_deref().map(redirect_target).unwrap_or_else(|| "elsewhere".into());
            return Some((
                FailureKind::BadResponse,
                format!("HTTP {s}: redirected to {to}; not followed, credentials are never re-sent"),
            ));
        }
        401 => FailureKind::Unauthorized,
        403 => FailureKind::Forbidden,
        404 | 405 | 410 => FailureKind::NotFound,
        429 => {
            let wait = a.retry_after.as_deref().map(|r| format!("; retry after {r} s")).unwrap_or_default();
            return Some((FailureKind::RateLimited, format!("HTTP 429 Too Many Requests{wait}")));
        }
        500..=599 => FailureKind::ServerError,
        _ => FailureKind::BadResponse,
    };
    let msg = server_message(&a.body).map(|m| format!(": {m}")).unwrap_or_default();
    Some((kind, format!("HTTP {s}{msg}")))
}

/// Only the scheme and host of a redirect target: its path or query might carry anything.
fn redirect_target(location: &str) -> String {
    let after = location.split_once("://").map(|(s, r)| (s, r.split(['/', '?', '#']).next().unwrap_or("")));
    match after {
        Some((scheme, host)) => format!("{scheme}://{}", host.rsplit('@').next().unwrap_or(host)),
        None => "a path on the same server".into(),
    }
}

/// A short human message from an OAuth (`error_description`, `error`), OData (`error.message`) or
/// plain (`message`) error body, cut to one line.
pub fn server_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let pick = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let msg = pick(&v, "error_description")
        .or_else(|| v.get("error").and_then(|e| pick(e, "message")))
        .or_else(|| pick(&v, "error"))
        .or_else(|| pick(&v, "message"))
        .or_else(|| pick(&v, "Error"))?;
    Some(crate::text::one_line(&msg, 160))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_mapping() {
        let a = |status| Answer { status, ..Default::default() };
        assert_eq!(status_failure(&a(200)), None);
        assert_eq!(status_failure(&a(401)).map(|f| f.0), Some(FailureKind::Unauthorized));
        assert_eq!(status_failure(&a(403)).map(|f| f.0), Some(FailureKind::Forbidden));
        assert_eq!(status_failure(&a(404)).map(|f| f.0), Some(FailureKind::NotFound));
        assert_eq!(status_failure(&a(502)).map(|f| f.0), Some(FailureKind::ServerError));
        let r = Answer { status: 429, retry_after: Some("30".into()), ..Default::default() };
        assert_eq!(
            status_failure(&r),
            Some((FailureKind::RateLimited, "HTTP 429 Too Many Requests; retry after 30 s".into()))
        );
        let redirect =
            Answer { status: 302, location: Some("https://u:p@evil.example/x?key=1".into()), ..Default::default() };
        let (k, d) = status_failure(&redirect).expect("redirect");
        assert_eq!(k, FailureKind::BadResponse);
        assert!(d.contains("https://evil.example") && !d.contains("key=1") && !d.contains("u:p"), "{d}");
    }

    #[test]
    fn server_messages_are_one_line() {
        let b = br#"{"error":"unauthorized","error_description":"The request requires\nvalid user authentication."}"#;
        assert_eq!(server_message(b).as_deref(), Some("The request requires valid user authentication."));
        let odata = br#"{"error":{"code":"Forbidden","message":"Access denied"}}"#;
        assert_eq!(server_message(odata).as_deref(), Some("Access denied"));
        assert_eq!(server_message(b"<html>"), None);
    }
}
