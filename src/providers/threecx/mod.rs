//! 3CX Configuration API (XAPI): the requests validation makes and how their answers are read.
//! The interpreters are pure; `check.rs` is the sequence that sends the requests (through `validate`) and
//! passes the answers here.
//!
//! Facts (from 3CX's docs and its own client): the token comes from `POST /connect/token` with a
//! form `client_id`, `client_secret`, `grant_type=client_credentials`; it answers 401 with an OAuth
//! body on bad credentials; the unit of `expires_in` is not settled (3CX's docs page and one client
//! read minutes, 3CX's own tutorial since 20.0.9 and most clients seconds), so when the access
//! token is a JWT its `exp` and `iat` claims give the lifetime, and otherwise `expires_in` is shown
//! as sent, without a unit; the cheapest authenticated read is `GET /xapi/v1/Defs?$select=Id`,
//! whose `X-3CX-Version` header names the version; `SystemStatus` may be refused (403) to lower
//! roles.

use secrecy::SecretString;
use serde::Deserialize;

pub mod capabilities;
pub mod capability_requests;
pub mod check;
#[cfg(feature = "simulator")]
pub mod demo;
pub mod health;
pub mod principal_requests;
pub mod principals;
mod profile;
#[cfg(feature = "simulator")]
pub mod simulated;
#[cfg(feature = "simulator")]
mod simulated_principals;
#[cfg(feature = "simulator")]
mod simulated_reads;
#[cfg(feature = "simulator")]
mod simulated_routes;

pub use profile::{API_KEY, CLIENT_ID, DOMAIN, PROVIDER, SCHEMA, ThreeCx, guide};

use super::jwt_payload;
use crate::report::{FailureKind, utc_date};
use crate::text::one_line;
use crate::validate::{Answer, Failure, server_message, status_failure};

pub const TOKEN_PATH: &str = "/connect/token";
pub const ACCESS_PATH: &str = "/xapi/v1/Defs?$select=Id";
/// The details read: `SystemStatus` with what the details and the health show (`health::SELECT`;
/// a test ties the two).
pub const DETAILS_PATH: &str = "/xapi/v1/SystemStatus?$select=FQDN,Version,ProductCode,LicenseActive,ExtensionsTotal,ExtensionsRegistered,MaxSimCalls,ExpirationDate,MaintenanceExpiresAt,TrunksTotal,TrunksRegistered,LastBackupDateTime,BackupScheduled,HasNotRunningServices,FreeDiskSpace,TotalDiskSpace,DiskUsage,RecordingQuotaReached,VoicemailQuotaReached,LastSuccessfulUpdate";

/// A token from `/connect/token`.
pub struct Token {
    pub access_token: SecretString,
    pub lifetime: Lifetime,
}

/// What the token answer tells of the token's lifetime. Only displayed: nothing depends on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lifetime {
    /// The JWT's `exp` minus its `iat`, in seconds.
    Claims(u64),
    /// The JWT's `exp` (seconds since the epoch), without a usable `iat`.
    Until(u64),
    /// Not a JWT with an `exp`: `expires_in` as the PBX wrote it, in a unit nobody agrees on.
    Stated(String),
    /// The answer says nothing about it.
    Unknown,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
}

/// The lifetime from the token itself when it is a JWT (its claims are read without verifying the
/// signature: they are only shown), else from `expires_in` as written.
fn lifetime(token: &str, expires_in: Option<&serde_json::Value>) -> Lifetime {
    let claims = jwt_payload(token);
    let claim = |k: &str| {
        let v = claims.as_ref()?.get(k)?;
        v.as_u64().or_else(|| v.as_f64().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64))
    };
    match (claim("exp"), claim("iat")) {
        (Some(exp), Some(iat)) if exp > iat => return Lifetime::Claims(exp - iat),
        (Some(exp), _) => return Lifetime::Until(exp),
        _ => {}
    }
    match expires_in {
        Some(serde_json::Value::Number(n)) => Lifetime::Stated(n.to_string()),
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Lifetime::Stated(one_line(s, 20)),
        _ => Lifetime::Unknown,
    }
}

pub fn interpret_token(a: &Answer) -> Result<Token, Failure> {
    if let Some((kind, detail)) = status_failure(a) {
        // OAuth's codes for credentials a token endpoint does not accept (RFC 6749 §5.2), as
        // OpenIddict-style servers send them with a 400: whole codes, never parts of some text.
        if a.status == 400
            && oauth_error(&a.body)
                .is_some_and(|e| matches!(e.as_str(), "invalid_client" | "invalid_grant" | "unauthorized_client"))
        {
            return Err((FailureKind::Unauthorized, detail));
        }
        return Err((kind, detail));
    }
    let not_token = || {
        let what = if looks_like_html(a) { "a web page" } else { "something else" };
        (
            FailureKind::BadResponse,
            format!("HTTP {}: answered with {what}, not a 3CX token; is this the 3CX Web Client address?", a.status),
        )
    };
    let body: TokenBody = serde_json::from_slice(&a.body).map_err(|_| not_token())?;
    let token = body.access_token.filter(|t| !t.is_empty()).ok_or_else(not_token)?;
    let lifetime = lifetime(&token, body.expires_in.as_ref());
    Ok(Token { access_token: SecretString::from(token), lifetime })
}

/// The detail shown for a good token: a lifetime only as the token or the answer states it.
pub fn token_detail(t: &Token) -> String {
    match &t.lifetime {
        Lifetime::Claims(secs) => format!("token issued, valid for {} (its exp claim)", duration(*secs)),
        Lifetime::Until(exp) => {
            let rem = exp % 86_400;
            format!(
                "token issued, valid until {} {:02}:{:02} UTC (its exp claim)",
                utc_date(*exp),
                rem / 3600,
                rem % 3600 / 60
            )
        }
        Lifetime::Stated(v) => format!("token issued, expires_in {v}"),
        Lifetime::Unknown => "token issued (the answer gives no lifetime)".to_string(),
    }
}

/// Seconds in the unit a person reads best: seconds under two minutes, days from two days.
fn duration(secs: u64) -> String {
    match secs {
        0..120 => format!("{secs} s"),
        120..172_800 => format!("{} min", secs / 60),
        _ => format!("{} days", secs / 86_400),
    }
}

/// A failure of a read made with a token 3CX had just issued. A 401 there does not reject the key:
/// 3CX accepted it a moment ago. Another holder of the Client ID taking a new token would explain
/// it (3CX keeps one active token per Client ID), but one refusal does not prove that: the detail
/// says what happened, and the kind gives no verdict on the key.
pub fn after_token((kind, detail): Failure) -> Failure {
    match kind {
        FailureKind::Unauthorized => (
            FailureKind::TokenEnded,
            format!(
                "{detail}: 3CX had just issued this token and refused it; another holder of the Client ID may have taken a new one"
            ),
        ),
        _ => (kind, detail),
    }
}

/// Call Control's own read (3CX's "Call Control API endpoints": `GET /callcontrol`, no
/// parameters, 200 with a JSON array of the DNs the integration controls or monitors).
pub const CALL_CONTROL_PATH: &str = "/callcontrol";

/// What `GET /callcontrol` says of a token the XAPI refused: `Some` with what it answered when it
/// answered as 3CX documents (200, a JSON array), `None` otherwise (whatever it is, it proves
/// nothing about the XAPI's refusal).
pub fn interpret_call_control(a: &Answer) -> Option<String> {
    if !(200..300).contains(&a.status) {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&a.body).ok()?;
    let dns = v.as_array()?.len();
    Some(format!("Call Control answers (GET /callcontrol: {dns} DN{})", if dns == 1 { "" } else { "s" }))
}

pub fn interpret_access(a: &Answer) -> Result<String, Failure> {
    if let Some((kind, detail)) = status_failure(a) {
        return Err(match kind {
            FailureKind::Forbidden => (kind, format!("{detail} (the token works but may not use the XAPI)")),
            FailureKind::NotFound => (kind, format!("{detail} (no XAPI at /xapi/v1)")),
            _ => after_token((kind, detail)),
        });
    }
    if serde_json::from_slice::<serde_json::Value>(&a.body).is_err() {
        return Err((
            FailureKind::BadResponse,
            format!("HTTP {}: the answer is not JSON, so this is not the 3CX XAPI", a.status),
        ));
    }
    Ok(xapi_answers(a.version.as_deref(), "no X-3CX-Version header"))
}

/// What a passed `access` says: the version when known, else why it is not.
fn xapi_answers(version: Option<&str>, unknown: &str) -> String {
    match version {
        Some(v) => format!("XAPI answers; 3CX version {}", one_line(v, 40)),
        None => format!("XAPI answers ({unknown})"),
    }
}

/// `access` from the SystemStatus answer, when that answer proves it: a 2xx JSON object from the
/// XAPI is a read that worked with the token. The version is the `X-3CX-Version` header's, or else
/// the answer's own `Version`. `None`: the answer proves nothing either way (a role that may not
/// read SystemStatus, an error), and `Defs` decides.
pub fn access_from_status(a: &Answer) -> Option<String> {
    if !(200..300).contains(&a.status) {
        return None;
    }
    let body: serde_json::Value = serde_json::from_slice(&a.body).ok()?;
    let version = a.version.clone().or_else(|| body.get("Version")?.as_str().map(str::to_string));
    body.is_object().then(|| xapi_answers(version.as_deref(), "no version given"))
}

/// The optional details read: what it found, or why it is "n/a". Never a failure: the role may
/// simply not be allowed to read it.
pub enum Details {
    Found(String),
    NotAvailable(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SystemStatus {
    version: Option<String>,
    product_code: Option<String>,
    license_active: Option<bool>,
    extensions_total: Option<u64>,
    extensions_registered: Option<u64>,
    max_sim_calls: Option<u64>,
}

pub fn interpret_details(a: &Answer) -> Details {
    match a.status {
        200..=299 => {}
        401 => return Details::NotAvailable("n/a: HTTP 401: SystemStatus refused this token".into()),
        403 => return Details::NotAvailable("n/a: HTTP 403, this role may not read SystemStatus".into()),
        s => {
            return Details::NotAvailable(format!(
                "n/a: HTTP {s}{}",
                server_message(&a.body).map(|m| format!(" ({m})")).unwrap_or_default()
            ));
        }
    }
    let Ok(s) = serde_json::from_slice::<SystemStatus>(&a.body) else {
        return Details::NotAvailable("n/a: unreadable SystemStatus".into());
    };
    let mut parts = Vec::new();
    if let Some(v) = s.version {
        parts.push(format!("version {}", one_line(&v, 30)));
    }
    if let Some(p) = s.product_code {
        let active = match s.license_active {
            Some(false) => " (inactive)",
            _ => "",
        };
        parts.push(format!("licence {}{active}", one_line(&p, 20)));
    }
    if let (Some(r), Some(t)) = (s.extensions_registered, s.extensions_total) {
        parts.push(format!("extensions {r}/{t} registered"));
    }
    if let Some(c) = s.max_sim_calls {
        parts.push(format!("{c} simultaneous calls"));
    }
    if parts.is_empty() {
        Details::NotAvailable("n/a: SystemStatus was empty".into())
    } else {
        Details::Found(parts.join(", "))
    }
}

fn oauth_error(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("error")?.as_str().map(str::to_string)
}

fn looks_like_html(a: &Answer) -> bool {
    a.content_type.as_deref().is_some_and(|c| c.contains("html")) || a.body.trim_ascii_start().starts_with(b"<")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_details_read_selects_what_the_health_reads() {
        assert_eq!(DETAILS_PATH.split("$select=").nth(1), Some(health::SELECT));
        assert!(!DETAILS_PATH.contains("LicenseKey"), "the licence key is never asked for");
    }
    use secrecy::ExposeSecret;

    fn ans(status: u16, body: &str) -> Answer {
        Answer { status, body: body.as_bytes().to_vec(), ..Default::default() }
    }

    #[test]
    fn only_a_json_systemstatus_proves_access() {
        let ok = ans(200, r#"{"FQDN":"pbx.example.com","Version":"20.0.9.995"}"#);
        assert_eq!(access_from_status(&ok).as_deref(), Some("XAPI answers; 3CX version 20.0.9.995"));
        let header = Answer { version: Some("20.0.10.1".into()), ..ok.clone() };
        assert_eq!(access_from_status(&header).as_deref(), Some("XAPI answers; 3CX version 20.0.10.1"));
        assert_eq!(access_from_status(&ans(200, "{}")).as_deref(), Some("XAPI answers (no version given)"));
        // Nothing else decides: Defs does (a refusal, a page, an array, a redirect, an ended token).
        let forbidden = ans(403, r#"{"error":{"code":"Forbidden","message":"Access denied"}}"#);
        for a in [forbidden, ans(200, "<html>login</html>"), ans(200, "[1]"), ans(302, ""), ans(401, "{}")] {
            assert_eq!(access_from_status(&a), None, "{}", a.status);
        }
    }

    /// A JWT-shaped token with this payload (the signature is never checked).
    fn jwt(payload: &str) -> String {
        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.c2ln", b64(r#"{"alg":"RS256","typ":"JWT"}"#), b64(payload))
    }

    #[test]
    fn a_jwt_lifetime_comes_from_its_claims() {
        let tok = jwt(r#"{"iat":1748852100,"exp":1748855700,"sub":"900"}"#);
        // expires_in says 60: whichever unit that is, the claims say an hour.
        let body = format!(r#"{{"token_type":"Bearer","expires_in":60,"access_token":"{tok}","refresh_token":null}}"#);
        let t = interpret_token(&ans(200, &body)).expect("token");
        assert_eq!((t.access_token.expose_secret(), &t.lifetime), (tok.as_str(), &Lifetime::Claims(3600)));
        assert_eq!(token_detail(&t), "token issued, valid for 60 min (its exp claim)");
        let only_exp = jwt(r#"{"exp":1748855700.5}"#);
        let t = interpret_token(&ans(200, &format!(r#"{{"access_token":"{only_exp}"}}"#))).expect("token");
        assert_eq!(token_detail(&t), "token issued, valid until 2025-06-02 09:15 UTC (its exp claim)");
        let short = jwt(r#"{"iat":100,"exp":160}"#);
        let t = interpret_token(&ans(200, &format!(r#"{{"access_token":"{short}"}}"#))).expect("token");
        assert_eq!(token_detail(&t), "token issued, valid for 60 s (its exp claim)");
    }

    #[test]
    fn expires_in_is_shown_as_sent_without_a_unit() {
        let detail = |body: &str| token_detail(&interpret_token(&ans(200, body)).expect("token"));
        assert_eq!(
            detail(r#"{"token_type":"Bearer","expires_in":60,"access_token":"abc"}"#),
            "token issued, expires_in 60"
        );
        assert_eq!(detail(r#"{"expires_in":3600,"access_token":"abc"}"#), "token issued, expires_in 3600");
        assert_eq!(detail(r#"{"expires_in":"1800","access_token":"x"}"#), "token issued, expires_in 1800");
        assert_eq!(detail(r#"{"access_token":"x"}"#), "token issued (the answer gives no lifetime)");
        // Three parts that are not a JWT payload, or a JWT without exp: expires_in is all there is.
        assert_eq!(detail(r#"{"expires_in":60,"access_token":"a.b.c"}"#), "token issued, expires_in 60");
        let no_exp = jwt(r#"{"iat":100}"#);
        assert_eq!(detail(&format!(r#"{{"expires_in":60,"access_token":"{no_exp}"}}"#)), "token issued, expires_in 60");
    }

    #[test]
    fn token_failures() {
        let e = |a: Answer| interpret_token(&a).err().expect("failure");
        let r = e(ans(
            401,
            r#"{"error":"unauthorized","error_description":"The request requires valid user authentication."}"#,
        ));
        assert_eq!(r.0, FailureKind::Unauthorized);
        assert!(r.1.contains("valid user authentication"));
        assert_eq!(e(ans(400, r#"{"error":"invalid_client"}"#)).0, FailureKind::Unauthorized);
        assert_eq!(e(ans(400, r#"{"error":"unsupported_grant_type"}"#)).0, FailureKind::BadResponse);
        let html = e(Answer {
            status: 200,
            content_type: Some("text/html".into()),
            body: b"<!doctype html>".to_vec(),
            ..Default::default()
        });
        assert_eq!(html.0, FailureKind::BadResponse);
        assert!(html.1.contains("web page"));
        assert_eq!(e(ans(200, r#"{"access_token":""}"#)).0, FailureKind::BadResponse);
        assert_eq!(e(ans(404, "")).0, FailureKind::NotFound);
    }

    #[test]
    fn access_reads_the_version() {
        let a = Answer {
            status: 200,
            version: Some("20.0.9.995".into()),
            body: br#"{"Id":0}"#.to_vec(),
            ..Default::default()
        };
        assert_eq!(interpret_access(&a), Ok("XAPI answers; 3CX version 20.0.9.995".to_string()));
        assert_eq!(interpret_access(&ans(403, "")).map_err(|f| f.0), Err(FailureKind::Forbidden));
        assert_eq!(interpret_access(&ans(200, "<html>")).map_err(|f| f.0), Err(FailureKind::BadResponse));
    }

    #[test]
    fn details_found_or_not_available() {
        let body = r#"{"Version":"20.0.9.995","ProductCode":"3CXPSENT","LicenseActive":true,"ExtensionsTotal":40,"ExtensionsRegistered":12,"MaxSimCalls":16}"#;
        match interpret_details(&ans(200, body)) {
            Details::Found(s) => assert_eq!(
                s,
                "version 20.0.9.995, licence 3CXPSENT, extensions 12/40 registered, 16 simultaneous calls"
            ),
            Details::NotAvailable(s) => panic!("{s}"),
        }
        assert!(matches!(interpret_details(&ans(403, "")), Details::NotAvailable(s) if s.contains("role")));
    }
}
