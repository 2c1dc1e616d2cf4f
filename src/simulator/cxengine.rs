//! The CX-Engine part of the simulator: `POST /oauth/token` as Laravel Passport answers it
//! (client credentials issue a year-long Bearer token; a bad client is 401 `invalid_client`; the
//! password grant is refused).

use bytes::Bytes;
use hyper::http::request::Parts;

use super::{Resp, json};

#[derive(Clone)]
pub struct CxEngineAccount {
    pub client_id: String,
    secret: String,
}

impl CxEngineAccount {
    pub fn new(client_id: &str, secret: &str) -> Self {
        CxEngineAccount { client_id: client_id.into(), secret: secret.into() }
    }

    /// Only demo and test accounts exist, so the secret may be shown.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl std::fmt::Debug for CxEngineAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CxEngineAccount").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

pub(super) fn route(accounts: &[CxEngineAccount], parts: &Parts, body: &Bytes) -> Resp {
    if parts.method != hyper::Method::POST {
        return json(405, r#"{"message":"Method not allowed"}"#);
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match get("grant_type") {
        Some("client_credentials") => {}
        Some("password") | None | Some(_) => {
            return json(
                400,
                r#"{"error":"unsupported_grant_type","error_description":"The authorization grant type is not supported by the authorization server.","message":"The authorization grant type is not supported by the authorization server."}"#,
            );
        }
    }
    let ok = accounts
        .iter()
        .any(|a| Some(a.client_id.as_str()) == get("client_id") && Some(a.secret.as_str()) == get("client_secret"));
    if !ok {
        return json(
            401,
            r#"{"error":"invalid_client","error_description":"Client authentication failed","message":"Client authentication failed"}"#,
        );
    }
    json(
        200,
        r#"{"token_type":"Bearer","expires_in":31536000,"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.simulated.signature"}"#,
    )
}
