//! The 8x8 part of the simulator: `/oauth/v2/token` with HTTP Basic client credentials and the
//! Apigee-style answer (string `expires_in`, `api_product_list`), 8x8's documented error bodies,
//! and accounts that show each case: all products granted, one missing, products only in the JWT
//! `services` claim, and a product list pbxlink cannot recognise.

use base64::Engine;
use bytes::Bytes;
use hyper::http::request::Parts;

use super::{Resp, json};

/// What the token answer says about products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grants {
    /// `api_product_list` names every product (in the simulator's own spelling).
    All,
    /// `api_product_list` lacks Contact Center Chat.
    NoChat,
    /// No `api_product_list`; the access token is a JWT whose `services` claim lists them.
    JwtOnly,
    /// `api_product_list` holds only names pbxlink does not know.
    Unrecognised,
}

#[derive(Clone)]
pub struct EightByEightAccount {
    pub client_id: String,
    secret: String,
    pub grants: Grants,
}

impl EightByEightAccount {
    pub fn new(client_id: &str, secret: &str, grants: Grants) -> Self {
        EightByEightAccount { client_id: client_id.into(), secret: secret.into(), grants }
    }

    /// Only demo and test accounts exist, so the secret may be shown.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl std::fmt::Debug for EightByEightAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EightByEightAccount")
            .field("client_id", &self.client_id)
            .field("grants", &self.grants)
            .finish_non_exhaustive()
    }
}

const ALL: [&str; 5] = ["analytics realtime-api", "analytics historical-api", "storage", "QM - API", "Chat"];

/// Whether a request is for the 8x8 part of the simulator.
pub(super) fn handles(path: &str) -> bool {
    ["/oauth/v2/", "/storage/", "/qm/", "/analytics/"].iter().any(|p| path.starts_with(p))
}

/// The product APIs: answered when the token's app was granted the product, 403 when not, 404 for
/// an unknown path or region.
fn probe(accounts: &[EightByEightAccount], parts: &Parts) -> Resp {
    let not_found = || json(404, r#"{"message":"Not Found"}"#);
    let claims = parts
        .headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| t.split('.').nth(1))
        .and_then(|c| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok())
        .and_then(|c| serde_json::from_slice::<serde_json::Value>(&c).ok());
    let Some(account) = claims
        .as_ref()
        .and_then(|c| c["client_id"].as_str())
        .and_then(|id| accounts.iter().find(|a| a.client_id == id))
    else {
        return json(
            401,
            r#"{"fault":{"faultstring":"Invalid Access Token","detail":{"errorcode":"keymanagement.service.invalid_access_token"}}}"#,
        );
    };
    let path = parts.uri.path();
    let regions = ["us-west", "us-east", "uk", "ap", "ca"];
    let in_region = |prefix: &str| {
        path.strip_prefix(prefix).and_then(|r| r.split('/').next()).is_some_and(|r| regions.contains(&r))
    };
    let product = if path.starts_with("/analytics/cc/v5/realtime-metrics/") {
        ALL[0]
    } else if path.starts_with("/analytics/cc/v8/historical-metrics/") {
        ALL[1]
    } else if in_region("/storage/") {
        ALL[2]
    } else if in_region("/qm/") {
        ALL[3]
    } else {
        return not_found();
    };
    if granted(account.grants).contains(&product) {
        json(200, "[]")
    } else {
        json(403, r#"{"message":"Forbidden","errors":[]}"#)
    }
}

fn granted(g: Grants) -> Vec<&'static str> {
    match g {
        Grants::All | Grants::JwtOnly => ALL.to_vec(),
        Grants::NoChat => ALL[..4].to_vec(),
        Grants::Unrecognised => vec!["vcc", "audit"],
    }
}

pub(super) fn route(accounts: &[EightByEightAccount], parts: &Parts, body: &Bytes) -> Resp {
    if parts.method == hyper::Method::GET && !parts.uri.path().starts_with("/oauth/") {
        return probe(accounts, parts);
    }
    if parts.method != hyper::Method::POST || parts.uri.path() != "/oauth/v2/token" {
        return json(
            404,
            r#"{"fault":{"faultstring":"Unable to identify proxy for host and url","detail":{"errorcode":"messaging.adaptors.http.flow.ApplicationNotFound"}}}"#,
        );
    }
    let grant = form_urlencoded::parse(body).find(|(k, _)| k == "grant_type").map(|(_, v)| v.into_owned());
    if grant.as_deref() != Some("client_credentials") {
        return json(400, r#"{"ErrorCode":"invalid_request","Error":"Unsupported grant type : missing"}"#);
    }
    let basic = parts
        .headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let account = basic
        .as_deref()
        .and_then(|b| b.split_once(':'))
        .and_then(|(id, secret)| accounts.iter().find(|a| a.client_id == id && a.secret == secret));
    let Some(a) = account else {
        return json(401, r#"{"ErrorCode":"invalid_client","Error":"Invalid client identifier"}"#);
    };
    let list = granted(a.grants);
    let claims = serde_json::json!({"iss": "cloud8.8x8.com", "client_id": a.client_id, "services": list}).to_string();
    let jwt = format!(
        "eyJhbGciOiJSUzI1NiJ9.{}.c2ltdWxhdGVk",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims)
    );
    let mut answer = serde_json::json!({
        "access_token": jwt, "token_type": "BearerToken", "expires_in": "1799", "issued_at": "1700000000000",
        "client_id": a.client_id, "application_name": "pbxlink", "status": "approved", "scope": "",
    });
    if a.grants != Grants::JwtOnly {
        answer["api_product_list"] = serde_json::json!(list);
    }
    json(200, answer.to_string())
}
