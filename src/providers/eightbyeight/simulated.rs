//! The 8x8 part of the simulator: `/oauth/v2/token` with HTTP Basic client credentials and the
//! answer 8x8's docs print (string `expires_in` "1799", `token_type` "BearerToken", the product
//! list as a string and as `api_product_list_json`), 8x8's documented error bodies, the product
//! APIs at their regional addresses (a tenant's APIs answer in its own region only), and accounts
//! that show each case: all products granted, one missing, only Cloud Storage (8x8 support's
//! example), Cloud Storage and Contact Center Chat, only the Work products 8x8's table says are
//! not OAuth ones, products only in the JWT `services` claim, codes the table does not name, and
//! a European tenant. The product codes are those of 8x8's own table. The demo's accounts are here
//! too.

use base64::Engine;
use bytes::Bytes;
use hyper::http::request::Parts;

use crate::providers::DemoAccount;
use crate::providers::ProviderId;
use crate::simulator::{Resp, Site, json};

/// The simulated 8x8: its apps, and the product APIs at their regional addresses.
pub struct EightByEightSite {
    accounts: Vec<EightByEightAccount>,
}

impl EightByEightSite {
    pub fn new(accounts: Vec<EightByEightAccount>) -> Self {
        EightByEightSite { accounts }
    }
}

impl Site for EightByEightSite {
    fn answer(&self, parts: &Parts, body: &Bytes) -> Option<Resp> {
        handles(parts.uri.path()).then(|| route(&self.accounts, parts, body))
    }
}

/// The demo accounts: one per product outcome. Like real ones, the Client IDs (the Admin
/// Console's Key) start with `eght_` and the secrets do not.
pub fn demo_accounts() -> Vec<EightByEightAccount> {
    vec![
        EightByEightAccount::new("eght_demo_app", "demo-8x8-secret-all", Grants::All),
        EightByEightAccount::new("eght_demo_nochat", "demo-8x8-secret-nochat", Grants::NoChat),
        EightByEightAccount::new("eght_demo_storage", "demo-8x8-secret-storage", Grants::StorageOnly),
        EightByEightAccount::new("eght_demo_jwt", "demo-8x8-secret-jwt", Grants::JwtOnly),
        EightByEightAccount::new("eght_demo_europe", "demo-8x8-secret-europe", Grants::All).in_europe(),
    ]
}

/// The demo's 8x8.
pub fn demo_site() -> std::sync::Arc<dyn Site> {
    std::sync::Arc::new(EightByEightSite::new(demo_accounts()))
}

/// The demo accounts as the demo shows them. The guide asks no host: new demo profiles get the
/// simulator's by themselves.
pub fn demo(_domain: &str) -> Vec<DemoAccount> {
    let show = |a: EightByEightAccount| DemoAccount {
        provider: ProviderId::EightByEight,
        banner: vec![("Client ID", a.client_id.clone()), ("Client Secret", a.secret.clone())],
        what: describe(&a),
        secret: a.secret.clone(),
        secret_label: "Client Secret",
        client_id: a.client_id,
    };
    demo_accounts().into_iter().map(show).collect()
}

/// What an account shows, for the demo's help and `pbxlink simulator`.
pub fn describe(a: &EightByEightAccount) -> String {
    let grants = match a.grants {
        Grants::All => "every product granted",
        Grants::NoChat => "Contact Center Chat not granted",
        Grants::StorageAndChat => "Cloud Storage and Contact Center Chat granted (storage, vcc)",
        Grants::WorkOnly => "only Work Chat and Work Analytics granted (Chat, analytics product)",
        Grants::JwtOnly => "products only in the token's claims",
        Grants::Unrecognised => "only codes 8x8's table does not name",
        Grants::StorageOnly => "only Cloud Storage granted (8x8 support's example)",
    };
    match a.tenant {
        Tenant::Us => grants.to_string(),
        Tenant::Europe => format!("{grants}, a European tenant (region uk)"),
    }
}

/// What the token answer says about products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grants {
    /// The product list 8x8's docs print for a key with every product.
    All,
    /// That list without Contact Center Chat's code (`vcc`).
    NoChat,
    /// `[storage, vcc]`: Cloud Storage and Contact Center Chat, by 8x8's table.
    StorageAndChat,
    /// `[Chat, analytics product]`: Work Chat and Work Analytics, which 8x8's table says are not
    /// OAuth products (not Contact Center Chat, not CC Historical Analytics).
    WorkOnly,
    /// No product list; the access token is a JWT whose `services` claim lists them.
    JwtOnly,
    /// The product list holds only codes 8x8's table does not name.
    Unrecognised,
    /// 8x8 support's example of a Cloud Storage key: `"[storage]"`.
    StorageOnly,
}

/// Where a tenant's product APIs answer: a token used at another region's address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tenant {
    /// Analytics without a prefix, Cloud Storage in `us-west` and `us-east`.
    Us,
    /// Analytics under `/eu`, Cloud Storage in `uk`.
    Europe,
}

#[derive(Clone)]
pub struct EightByEightAccount {
    pub client_id: String,
    secret: String,
    pub grants: Grants,
    pub tenant: Tenant,
}

impl EightByEightAccount {
    /// A US tenant's app.
    pub fn new(client_id: &str, secret: &str, grants: Grants) -> Self {
        EightByEightAccount { client_id: client_id.into(), secret: secret.into(), grants, tenant: Tenant::Us }
    }

    /// The same app, in a European tenant.
    pub fn in_europe(self) -> Self {
        EightByEightAccount { tenant: Tenant::Europe, ..self }
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
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

/// The product codes of a key with every product, as 8x8's docs list them.
pub const DOCUMENTED_PRODUCTS: [&str; 9] = [
    "CE-PCS-Product",
    "CE-RCS-Product",
    "Chat",
    "QM - API",
    "analytics product",
    "analytics realtime-api",
    "chat-gateway",
    "storage",
    "vcc",
];

/// Whether a request is for the 8x8 part of the simulator.
fn handles(path: &str) -> bool {
    ["/oauth/v2/", "/storage/", "/qm/", "/analytics/", "/eu/analytics/", "/au/analytics/", "/ca/analytics/"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// The product APIs: answered in the tenant's own region when the token's app was granted the
/// product, 403 when not; a token used at another documented region's address gets 401 (the
/// European tenant's case); 404 for an unknown path or region.
fn probe(accounts: &[EightByEightAccount], parts: &Parts) -> Resp {
    let not_found = || json(404, r#"{"message":"Not Found"}"#);
    let invalid_token = || {
        json(
            401,
            r#"{"fault":{"faultstring":"Invalid Access Token","detail":{"errorcode":"keymanagement.service.invalid_access_token"}}}"#,
        )
    };
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
        return invalid_token();
    };
    let path = parts.uri.path();
    // (product code, the address's region) for the documented address schemes.
    let (prefix, rest) = match path.split_once("/analytics/") {
        Some((p, r)) if ["", "/eu", "/au", "/ca"].contains(&p) => (Some(p), r),
        _ => (None, path),
    };
    let storage_region = |r: &str| ["us-west", "us-east", "uk", "ap", "ca"].contains(&r);
    let (product, home) = if let Some(prefix) = prefix {
        let code = if rest.starts_with("cc/v5/realtime-metrics/") {
            "analytics realtime-api"
        } else if rest.starts_with("cc/v8/historical-metrics/") {
            // 8x8's table: `analytics realtime-api` is Realtime *and* Historical Analytics.
            "analytics realtime-api"
        } else {
            return not_found();
        };
        let home = match account.tenant {
            Tenant::Us => prefix.is_empty(),
            Tenant::Europe => prefix == "/eu",
        };
        (code, home)
    } else if let Some(region) = path.strip_prefix("/storage/").and_then(|r| r.split('/').next()) {
        if !storage_region(region) {
            return not_found();
        }
        let home = match account.tenant {
            Tenant::Us => region.starts_with("us-"),
            Tenant::Europe => region == "uk",
        };
        ("storage", home)
    } else {
        return not_found();
    };
    if !home {
        return invalid_token();
    }
    if granted(account.grants).contains(&product) {
        json(200, "[]")
    } else {
        json(403, r#"{"message":"Forbidden","errors":[]}"#)
    }
}

fn granted(g: Grants) -> Vec<&'static str> {
    match g {
        Grants::All | Grants::JwtOnly => DOCUMENTED_PRODUCTS.to_vec(),
        Grants::NoChat => DOCUMENTED_PRODUCTS.into_iter().filter(|p| *p != "vcc").collect(),
        Grants::StorageAndChat => vec!["storage", "vcc"],
        Grants::WorkOnly => vec!["Chat", "analytics product"],
        Grants::Unrecognised => vec!["audit", "chat-gateway"],
        Grants::StorageOnly => vec!["storage"],
    }
}

fn route(accounts: &[EightByEightAccount], parts: &Parts, body: &Bytes) -> Resp {
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
    // The fields and their forms as 8x8's docs print them (their client_id really is "deprecated").
    let mut answer = serde_json::json!({
        "access_token": jwt, "token_type": "BearerToken", "status": "approved", "scope": "",
        "refresh_token_expires_in": "0", "expires_in": "1799", "refresh_count": "0",
        "developer.email": "deprecated", "issued_at": "1683045181383", "client_id": "deprecated",
    });
    if a.grants != Grants::JwtOnly {
        answer["api_product_list"] = serde_json::json!(format!("[{}]", list.join(", ")));
        answer["api_product_list_json"] = serde_json::json!(list);
    }
    json(200, answer.to_string())
}
