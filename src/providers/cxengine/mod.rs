//! CX-Engine API clients: the client-credentials token request and how its answer is read. Pure; `check.rs` is
//! the sequence that sends the request (through `validate`).
//!
//! Facts (CX-Engine's docs): `POST /oauth/token`; answers `{"token_type":"Bearer","expires_in":…,
//! "access_token":…}`; the password grant is not supported for PBX connections. Inferred: the
//! Laravel Passport error bodies (401 `invalid_client`), and which host serves `/oauth`, so a 404
//! names the URL tried and says the host is undocumented.
//!
//! What the check proves: a client-credentials token shows that CX-Engine accepts the API client's
//! Client ID and Client Secret. For an Authorization Code profile it does not show the approval a
//! person gives when 3CX's Authorize button redirects to CX-Engine: only 3CX can prove that. Whether
//! CX-Engine refuses client credentials to a client made for the authorization-code flow is not
//! documented; if it answers OAuth's `unauthorized_client` ("not authorized to use this grant
//! type"), that is a method question, never "credentials rejected".

use serde::Deserialize;

pub mod check;
pub mod command;
pub mod crm_integration;
mod profile;
#[cfg(feature = "simulator")]
pub mod simulated;
pub mod template;
pub mod template_xml;

pub use profile::{AUTH_METHOD, CxEngine, SCHEMA, guide};

use crate::report::FailureKind;
use crate::validate::{Answer, Failure, status_failure};

pub const TOKEN_PATH: &str = "/oauth/token";

/// How 3CX will authorise against CX-Engine (stored in the profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    AuthorizationCode,
    ClientCredentials,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::ClientCredentials => "client_credentials",
        }
    }

    /// The method of a choice id of the guide's method step. Which ids are accepted (and what
    /// the password grant is told) is the guide's, checked by the profile's schema before this.
    pub fn from_id(s: &str) -> Option<Self> {
        [Self::AuthorizationCode, Self::ClientCredentials].into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
}

impl TokenBody {
    /// `expires_in` in seconds (OAuth's unit), a number or a string of digits.
    fn seconds(&self) -> Option<u64> {
        match &self.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// The token a good answer carries, with its lifetime in seconds when it says one (`pbxlink token`).
pub fn issued_token(a: &Answer) -> Option<(secrecy::SecretString, Option<u64>)> {
    let body: TokenBody = serde_json::from_slice(&a.body).ok()?;
    let secs = body.seconds();
    let token = body.access_token.filter(|t| !t.is_empty())?;
    Some((token.into(), secs))
}

/// What the client-credentials token request says about a profile, given the method 3CX will use.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenOutcome {
    /// A token: the detail says what it proves.
    Issued(String),
    /// An answer that proves nothing either way for this method: "not checked", and why.
    NotChecked(String),
    /// The profile's method is Client Credentials and CX-Engine refuses that grant to the client.
    MethodMismatch(String),
    Failed(Failure),
}

/// Judges the token answer for a profile whose 3CX will use `method`. With Authorization Code, a
/// client-credentials refusal proves nothing about the credentials: `unauthorized_client` says the
/// client may not use this grant, and Laravel Passport (which CX-Engine's answers resemble) says
/// 401 `invalid_client` both for a wrong secret and for a client not allowed the grant.
pub fn judge_token(a: &Answer, url: &str, method: AuthMethod) -> TokenOutcome {
    let code_flow = method == AuthMethod::AuthorizationCode;
    if grant_refused(a) {
        let why = format!(
            "HTTP {}: unauthorized_client: CX-Engine does not let this API client use client credentials",
            a.status
        );
        return if code_flow {
            TokenOutcome::NotChecked(format!("not checked: {why}; 3CX's Authorize will prove the client"))
        } else {
            TokenOutcome::MethodMismatch(why)
        };
    }
    match interpret_token(a, url) {
        Ok(detail) if code_flow => TokenOutcome::Issued(format!("{detail}: the API client's credentials work")),
        Ok(detail) => TokenOutcome::Issued(detail),
        Err((FailureKind::Unauthorized, detail)) if code_flow => TokenOutcome::NotChecked(format!(
            "not checked: {detail}: CX-Engine answers so to a wrong Client ID or Client Secret, and may also to a \
             client allowed only Authorization Code; 3CX's Authorize will tell"
        )),
        Err(f) => TokenOutcome::Failed(f),
    }
}

/// OAuth's answer for a client that may not use the grant it asked for (RFC 6749 §5.2).
pub fn grant_refused(a: &Answer) -> bool {
    (400..500).contains(&a.status)
        && serde_json::from_slice::<serde_json::Value>(&a.body)
            .ok()
            .is_some_and(|v| v.get("error").and_then(|e| e.as_str()) == Some("unauthorized_client"))
}

/// The detail for a good token, or the failure. `url` is the token URL tried (no secret in it),
/// named when it answers 404. Check [`grant_refused`] first: that answer is not a failure of the
/// credentials.
pub fn interpret_token(a: &Answer, url: &str) -> Result<String, Failure> {
    if let Some((kind, detail)) = status_failure(a) {
        return Err(match kind {
            FailureKind::NotFound => (kind, format!("{detail}: no token endpoint at {url}")),
            _ if a.status == 400 && String::from_utf8_lossy(&a.body).contains("invalid_client") => {
                (FailureKind::Unauthorized, detail)
            }
            _ => (kind, detail),
        });
    }
    let not_token =
        || (FailureKind::BadResponse, format!("HTTP {}: the answer from {url} is not an OAuth token", a.status));
    let body: TokenBody = serde_json::from_slice(&a.body).map_err(|_| not_token())?;
    let secs = body.seconds();
    body.access_token.filter(|t| !t.is_empty()).ok_or_else(not_token)?;
    Ok(match secs {
        Some(s) if s >= 86_400 => format!("token issued, valid for {} days", s / 86_400),
        Some(s) => format!("token issued, valid for {} min", s / 60),
        None => "token issued".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ans(status: u16, body: &str) -> Answer {
        Answer { status, body: body.as_bytes().to_vec(), ..Default::default() }
    }

    #[test]
    fn tokens_and_failures() {
        let url = "https://x.cx-engine.app/oauth/token";
        assert_eq!(
            interpret_token(&ans(200, r#"{"token_type":"Bearer","expires_in":31536000,"access_token":"eyJ"}"#), url),
            Ok("token issued, valid for 365 days".into())
        );
        let e = interpret_token(&ans(401, r#"{"error":"invalid_client","error_description":"Client authentication failed","message":"Client authentication failed"}"#), url).expect_err("401");
        assert_eq!(e, (FailureKind::Unauthorized, "HTTP 401: Client authentication failed".into()));
        let e = interpret_token(&ans(404, "<html>"), url).expect_err("404");
        assert_eq!(e.0, FailureKind::NotFound);
        assert!(e.1.contains(url), "{}", e.1);
        assert_eq!(interpret_token(&ans(200, "{}"), url).map_err(|f| f.0), Err(FailureKind::BadResponse));
    }

    #[test]
    fn a_refused_grant_is_recognised() {
        let refused = ans(
            400,
            r#"{"error":"unauthorized_client","error_description":"The authenticated client is not authorized to use this authorization grant type."}"#,
        );
        assert!(grant_refused(&refused));
        assert!(!grant_refused(&ans(401, r#"{"error":"invalid_client"}"#)));
        assert!(!grant_refused(&ans(200, r#"{"error":"unauthorized_client"}"#)));
    }

    #[test]
    fn what_a_token_answer_proves_depends_on_the_method() {
        let url = "https://x.cx-engine.app/oauth/token";
        let code = AuthMethod::AuthorizationCode;
        let cc = AuthMethod::ClientCredentials;
        let bad = ans(401, r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#);
        assert!(matches!(judge_token(&bad, url, code), TokenOutcome::NotChecked(d) if d.contains("Authorize")));
        assert!(matches!(judge_token(&bad, url, cc), TokenOutcome::Failed((FailureKind::Unauthorized, _))));
        let refused = ans(400, r#"{"error":"unauthorized_client"}"#);
        assert!(matches!(judge_token(&refused, url, code), TokenOutcome::NotChecked(_)));
        assert!(matches!(judge_token(&refused, url, cc), TokenOutcome::MethodMismatch(_)));
        let ok = ans(200, r#"{"token_type":"Bearer","expires_in":31536000,"access_token":"eyJ"}"#);
        assert!(matches!(judge_token(&ok, url, code), TokenOutcome::Issued(d) if d.ends_with("credentials work")));
        assert_eq!(judge_token(&ok, url, cc), TokenOutcome::Issued("token issued, valid for 365 days".into()));
    }

    /// Every method the guide lets the user choose is one this code knows, and the password
    /// grant is refused with the guide's words, whether chosen, typed in a flag or in the file.
    #[test]
    fn methods() {
        let g = guide();
        let step = g.steps.iter().find(|s| s.kind == crate::guide::StepKind::Choose).expect("method step");
        for c in &step.choices {
            assert_eq!(AuthMethod::from_id(&c.id).is_some(), c.refuse.is_none(), "{}", c.id);
        }
        let def = SCHEMA.field("auth_method").expect("field");
        let refused = def.check("password", g).expect_err("refused");
        assert!(refused.contains("does not support the password grant"), "{}", &*refused);
        assert!(def.check("implicit", g).expect_err("unknown").contains("authorization_code or client_credentials"));
    }
}
