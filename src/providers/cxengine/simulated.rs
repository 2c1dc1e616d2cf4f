//! The CX-Engine part of the simulator: `POST /oauth/token` as Laravel Passport answers it
//! (client credentials issue a year-long Bearer token; a bad client is 401 `invalid_client`; the
//! password grant is refused; a client made only for the authorization-code flow is refused client
//! credentials with OAuth's `unauthorized_client`). The demo's clients are here too.

use bytes::Bytes;
use hyper::http::request::Parts;

use crate::providers::DemoAccount;
use crate::providers::ProviderId;
use crate::simulator::{Resp, Site, json};

/// The simulated CX-Engine: its API clients. It serves `/oauth/token` only when it has clients:
/// without, it is a host where that endpoint does not exist (404), as on a 3CX box.
pub struct CxEngineSite {
    accounts: Vec<CxEngineAccount>,
}

impl CxEngineSite {
    pub fn new(accounts: Vec<CxEngineAccount>) -> Self {
        CxEngineSite { accounts }
    }
}

impl Site for CxEngineSite {
    fn answer(&self, parts: &Parts, body: &Bytes) -> Option<Resp> {
        (parts.uri.path() == "/oauth/token" && !self.accounts.is_empty()).then(|| route(&self.accounts, parts, body))
    }
}

/// The demo's API clients.
pub fn demo_accounts() -> Vec<CxEngineAccount> {
    vec![
        CxEngineAccount::new("7", "demo-cx-engine-secret"),
        CxEngineAccount::new("8", "demo-cx-engine-code-only").code_only(),
    ]
}

/// The demo's CX-Engine.
pub fn demo_site() -> std::sync::Arc<dyn Site> {
    std::sync::Arc::new(CxEngineSite::new(demo_accounts()))
}

/// The demo's clients as the demo shows them (the Account ID is the Client ID's number).
pub fn demo(domain: &str) -> Vec<DemoAccount> {
    let show = |a: CxEngineAccount| DemoAccount {
        provider: ProviderId::CxEngine,
        banner: vec![
            ("URL", domain.to_string()),
            ("Client ID and Account ID", a.client_id.clone()),
            ("Secret", a.secret.clone()),
        ],
        what: describe(&a).to_string(),
        secret: a.secret.clone(),
        secret_label: "Client Secret",
        client_id: a.client_id,
    };
    demo_accounts().into_iter().map(show).collect()
}

/// What a client shows, for the demo's help and `pbxlink simulator`.
pub fn describe(a: &CxEngineAccount) -> &'static str {
    if a.code_only { "refuses client credentials (Authorization Code only)" } else { "works" }
}

#[derive(Clone)]
pub struct CxEngineAccount {
    pub client_id: String,
    secret: String,
    /// Refuses the client-credentials grant (a client made for the authorization-code flow only).
    pub code_only: bool,
}

impl CxEngineAccount {
    pub fn new(client_id: &str, secret: &str) -> Self {
        CxEngineAccount { client_id: client_id.into(), secret: secret.into(), code_only: false }
    }

    /// The same client, allowed only the authorization-code grant.
    pub fn code_only(self) -> Self {
        CxEngineAccount { code_only: true, ..self }
    }

    /// Only demo and test accounts exist, so the secret may be shown.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl std::fmt::Debug for CxEngineAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CxEngineAccount")
            .field("client_id", &self.client_id)
            .field("code_only", &self.code_only)
            .finish_non_exhaustive()
    }
}

fn route(accounts: &[CxEngineAccount], parts: &Parts, body: &Bytes) -> Resp {
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
    let found = accounts
        .iter()
        .find(|a| Some(a.client_id.as_str()) == get("client_id") && Some(a.secret.as_str()) == get("client_secret"));
    if found.is_some_and(|a| a.code_only) {
        return json(
            400,
            r#"{"error":"unauthorized_client","error_description":"The authenticated client is not authorized to use this authorization grant type.","message":"The authenticated client is not authorized to use this authorization grant type."}"#,
        );
    }
    if found.is_none() {
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
