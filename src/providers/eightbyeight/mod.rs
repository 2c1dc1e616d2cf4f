//! 8x8 API apps: the token request and how its answer is read, the comparison of the products
//! the token grants with the ones the user chose, and (in `probes`) each product's own API at
//! 8x8's regional addresses. The interpreters are pure;
//! `check.rs` is the sequence that sends the requests (through `validate`).
//!
//! Facts (8x8's docs and its own API specs): `POST {base}/oauth/v2/token` with HTTP Basic
//! `client_id:client_secret` and `grant_type=client_credentials`; an Apigee-style answer whose
//! `expires_in` is a string of seconds ("1799"), whose `api_product_list` is a *string* that looks
//! like a list ("[storage]") and whose `api_product_list_json` is the real array; the access token
//! may be a JWT with a `services` claim. Regions: the analytics APIs have no prefix for the US and
//! `/eu`, `/au`, `/ca` for the others; Cloud Storage uses `{region}` in `us-west`, `us-east`, `uk`,
//! `ap`, `ca`. Not documented, so never a failure: which analytics prefix a `uk` or `ap` tenant
//! uses, and what a 401/403 from a product API means when the path may be another region's.

use secrecy::SecretString;
use serde::Deserialize;

use crate::guide::{Guide, ProductSpec};
use crate::report::FailureKind;
use crate::text::one_line;
use crate::validate::{Answer, Failure, status_failure};

pub mod check;
mod probes;
mod profile;
#[cfg(feature = "simulator")]
pub mod simulated;
pub use probes::{Probe, ProbePlan, interpret_probe, probe_plan};
pub use profile::{EightByEight, SCHEMA, guide};

pub const TOKEN_PATH: &str = "/oauth/v2/token";
pub const DEFAULT_BASE: &str = "api.8x8.com";

/// Where a product list read from the JWT access token says it came from. 8x8 documents the
/// answer's product lists, not this claim (seen in one public sample): what it lists is shown,
/// what it lacks is never a failure.
pub const SERVICES_CLAIM: &str = "the token's services claim";

/// Region names a profile may give: Cloud Storage's five, and the analytics APIs' own.
pub const REGIONS: [&str; 8] = ["us-west", "us-east", "uk", "ap", "ca", "us", "eu", "au"];

pub struct Token {
    pub access_token: SecretString,
    /// Lifetime in seconds, as 8x8 said it (a string or a number).
    pub seconds: Option<u64>,
    /// What the token says it may use, and where that list came from.
    pub granted: Option<(Vec<String>, &'static str)>,
}

impl Token {
    /// The detail shown for a good token.
    pub fn detail(&self) -> String {
        match self.seconds {
            // 8x8 says "1799" for its 30-minute tokens: round to the minute.
            Some(s) if s >= 60 => format!("token issued, valid for {} min", (s + 30) / 60),
            Some(s) => format!("token issued, valid for {s} s"),
            None => "token issued".into(),
        }
    }
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    api_product_list: Option<serde_json::Value>,
    api_product_list_json: Option<serde_json::Value>,
}

pub fn interpret_token(a: &Answer) -> Result<Token, Failure> {
    if let Some((kind, detail)) = status_failure(a) {
        // A 400 whose code is OAuth's `invalid_client` (RFC 6749 §5.2: client authentication
        // failed), as 8x8's `ErrorCode` or OAuth's `error`: the whole code, never a part of the text.
        let bad_client = a.status == 400 && error_code(&a.body).as_deref() == Some("invalid_client");
        return Err(if bad_client { (FailureKind::Unauthorized, detail) } else { (kind, detail) });
    }
    let not_token = || (FailureKind::BadResponse, format!("HTTP {}: the answer is not an 8x8 token", a.status));
    let body: TokenBody = serde_json::from_slice(&a.body).map_err(|_| not_token())?;
    let token = body.access_token.filter(|t| !t.is_empty()).ok_or_else(not_token)?;
    let seconds = match &body.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    // The real array first; the string form is what older answers and 8x8's examples carry too.
    let granted = list_of_strings(body.api_product_list_json.as_ref())
        .map(|l| (l, "api_product_list_json"))
        .or_else(|| list_of_strings(body.api_product_list.as_ref()).map(|l| (l, "api_product_list")))
        .or_else(|| jwt_services(&token).map(|l| (l, SERVICES_CLAIM)));
    Ok(Token { access_token: SecretString::from(token), seconds, granted })
}

/// The error code of an error body: 8x8's `ErrorCode` (its documented problem+json), else OAuth's
/// `error`.
fn error_code(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["ErrorCode", "error"].iter().find_map(|k| v.get(k)?.as_str().map(str::to_string))
}

/// A list of strings: a JSON array, or a string like "[a, b]" (8x8's `api_product_list`).
fn list_of_strings(v: Option<&serde_json::Value>) -> Option<Vec<String>> {
    match v? {
        serde_json::Value::Array(items) => Some(items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect()),
        serde_json::Value::String(s) => Some(
            s.trim()
                .trim_matches(['[', ']'])
                .split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect(),
        ),
        _ => None,
    }
}

/// The `services` claim of a JWT access token, read without verifying the signature: it is only
/// shown to the user, never trusted for anything.
pub fn jwt_services(token: &str) -> Option<Vec<String>> {
    list_of_strings(super::jwt_payload(token)?.get("services"))
}

/// How the chosen products compare with what the token grants.
#[derive(Debug, PartialEq, Eq)]
pub enum Products {
    /// Every chosen product is granted (or, where the list is only the JWT's claim, not judged):
    /// the detail says which.
    AllGranted(String),
    /// These chosen products (names) are not granted; the detail names their codes and the list.
    Missing(Vec<String>, String),
    /// The token lists no products: nothing judged.
    Unknown(String),
}

/// Whether `list` (a token's product codes) holds one of product `p`'s codes from 8x8's table:
/// whole codes, any case, never a part of one (`Chat` is Work Chat, not Contact Center Chat's
/// `vcc`).
fn listed(p: &ProductSpec, list: &[String]) -> bool {
    list.iter().any(|code| p.codes.iter().any(|c| code.trim().eq_ignore_ascii_case(c)))
}

pub fn compare(guide: &Guide, chosen: &[String], granted: Option<&(Vec<String>, &'static str)>) -> Products {
    let Some((list, source)) = granted else {
        return Products::Unknown("n/a: the token does not say which products it grants".into());
    };
    let shown = if list.is_empty() { "nothing".to_string() } else { one_line(&list.join(", "), 160) };
    let mut ok = Vec::new();
    let mut unsure = Vec::new();
    let mut missing = Vec::new();
    for id in chosen {
        let name = guide.product_name(id);
        match grants_product(guide, id, granted) {
            Some(true) => ok.push(name),
            None => unsure.push(name),
            Some(false) => missing.push(id.as_str()),
        }
    }
    if !missing.is_empty() {
        let names = missing.iter().map(|id| guide.product_name(id)).collect();
        let mut codes: Vec<&str> = missing
            .iter()
            .filter_map(|id| guide.products.iter().find(|p| p.id == *id))
            .flat_map(|p| p.codes.iter().map(String::as_str))
            .collect();
        codes.dedup();
        let said = if codes.len() == 1 { "code {} is" } else { "codes {} are" }.replace("{}", &codes.join(", "));
        return Products::Missing(names, format!("8x8's table {said} not in {source}, which lists {shown}"));
    }
    let mut detail = if ok.is_empty() { String::new() } else { format!("granted: {} ", ok.join(", ")) };
    detail.push_str(&format!("(from {source})"));
    if !unsure.is_empty() {
        detail.push_str(&format!(
            "; not checked: {} (8x8 does not document this claim as the product list; it has {shown})",
            unsure.join(", "),
        ));
    }
    Products::AllGranted(detail)
}

/// Whether the token's list grants product `id`, by 8x8's table of product codes: `None` when
/// there is no list, the product is unknown, or the list is only the JWT's claim and lacks it
/// (8x8 does not document that claim as the product list).
pub fn grants_product(guide: &Guide, id: &str, granted: Option<&(Vec<String>, &'static str)>) -> Option<bool> {
    let (list, source) = granted?;
    let p = guide.products.iter().find(|p| p.id == id)?;
    match (listed(p, list), *source == SERVICES_CLAIM) {
        (true, _) => Some(true),
        (false, true) => None,
        (false, false) => Some(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn ans(status: u16, body: &str) -> Answer {
        Answer { status, body: body.as_bytes().to_vec(), ..Default::default() }
    }

    /// 8x8's token answer as its developer docs print it ("OAuth Authentication for 8x8 XCaaS
    /// APIs"), word for word but for the token and the elided array.
    const DOCUMENTED: &str = r#"{"access_token": "abc", "token_type": "BearerToken", "api_product_list": "[CE-PCS-Product, CE-RCS-Product, Chat, QM - API, analytics product, analytics realtime-api, chat-gateway, storage, vcc]", "status": "approved", "scope": "", "refresh_token_expires_in": "0", "expires_in": "1799", "refresh_count": "0", "developer.email": "deprecated", "issued_at": "1683045181383", "client_id": "deprecated", "api_product_list_json": ["CE-PCS-Product", "CE-RCS-Product", "Chat", "QM - API", "analytics product", "analytics realtime-api", "chat-gateway", "storage", "vcc"]}"#;

    /// 8x8 support's example for a Cloud Storage key ("How to Generate an API Access Token").
    const STORAGE_ONLY: &str = r#"{"access_token": "abc", "token_type": "BearerToken", "api_product_list": "[storage]", "api_product_list_json": ["storage"], "status": "approved", "expires_in": "1799"}"#;

    fn all_ids() -> Vec<String> {
        guide().products.iter().map(|p| p.id.clone()).collect()
    }

    #[test]
    fn the_documented_token_answer_grants_every_product() {
        let g = guide();
        let t = interpret_token(&ans(200, DOCUMENTED)).expect("token");
        assert_eq!(t.access_token.expose_secret(), "abc");
        assert_eq!(t.detail(), "token issued, valid for 30 min");
        let (list, source) = t.granted.clone().expect("a product list");
        assert_eq!(source, "api_product_list_json", "the real array is preferred to the string");
        assert_eq!(list.len(), 9);
        match compare(g, &all_ids(), t.granted.as_ref()) {
            Products::AllGranted(d) => assert!(
                d.starts_with("granted: CC Realtime Analytics, CC Historical Analytics, Cloud Storage Service, Quality Management, Contact Center Chat"),
                "{d}"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_string_form_alone_is_read_too() {
        let only_string = DOCUMENTED.split(", \"api_product_list_json\"").next().expect("prefix").to_string() + "}";
        let t = interpret_token(&ans(200, &only_string)).expect("token");
        let (list, source) = t.granted.expect("a list");
        assert_eq!(source, "api_product_list");
        assert_eq!(list[3], "QM - API", "names with spaces survive the string form");
        assert_eq!(list.len(), 9);
    }

    #[test]
    fn support_example_storage_key() {
        let g = guide();
        let t = interpret_token(&ans(200, STORAGE_ONLY)).expect("token");
        assert_eq!(t.granted.as_ref().map(|g| g.0.clone()), Some(vec!["storage".to_string()]));
        assert!(matches!(compare(g, &["cloud-storage".into()], t.granted.as_ref()), Products::AllGranted(_)));
        match compare(g, &["cloud-storage".into(), "cc-chat".into()], t.granted.as_ref()) {
            Products::Missing(names, why) => {
                assert_eq!(names, vec!["Contact Center Chat".to_string()]);
                assert_eq!(why, "8x8's table code vcc is not in api_product_list_json, which lists storage");
            }
            other => panic!("{other:?}"),
        }
        // Historical analytics is `analytics realtime-api` in 8x8's table: its absence is a fact.
        assert!(matches!(
            compare(g, &["cloud-storage".into(), "cc-historical-analytics".into()], t.granted.as_ref()),
            Products::Missing(n, _) if n == vec!["CC Historical Analytics".to_string()]
        ));
    }

    /// 8x8's table ("OAuth Authentication for 8x8 XCaaS APIs"), code by code: each OAuth code
    /// grants its products and nothing else; the two non-OAuth codes grant none of them.
    #[test]
    fn each_code_of_8x8s_table_grants_exactly_its_products() {
        let g = guide();
        let table: [(&str, &[&str]); 6] = [
            ("analytics realtime-api", &["cc-realtime-analytics", "cc-historical-analytics"]),
            ("storage", &["cloud-storage"]),
            ("QM - API", &["quality-management"]),
            ("vcc", &["cc-chat"]),
            ("Chat", &[]),
            ("analytics product", &[]),
        ];
        for (code, products) in table {
            let list = (vec![code.to_string()], "api_product_list_json");
            for p in &g.products {
                let expected = products.contains(&p.id.as_str());
                assert_eq!(grants_product(g, &p.id, Some(&list)), Some(expected), "{code} / {}", p.id);
            }
        }
        // Whole codes in any case; never a part of one.
        let loose = (vec!["  qm - api ".to_string(), "VCC".to_string()], "api_product_list");
        assert_eq!(grants_product(g, "quality-management", Some(&loose)), Some(true));
        assert_eq!(grants_product(g, "cc-chat", Some(&loose)), Some(true));
        for near in ["vcc-chat", "storage2", "chat-gateway", "analytics realtime-api-eu", "QM"] {
            let l = (vec![near.to_string()], "api_product_list_json");
            assert!(g.products.iter().all(|p| grants_product(g, &p.id, Some(&l)) == Some(false)), "{near}");
        }
    }

    /// The two cases the substring match got wrong: `["storage", "vcc"]` grants Contact Center
    /// Chat; `Chat` and `analytics product` (Work Chat, Work Analytics) grant neither it nor CC
    /// Historical.
    #[test]
    fn the_table_not_a_substring_decides() {
        let g = guide();
        let storage_vcc = (vec!["storage".to_string(), "vcc".to_string()], "api_product_list_json");
        match compare(g, &["cloud-storage".into(), "cc-chat".into()], Some(&storage_vcc)) {
            Products::AllGranted(d) => {
                assert_eq!(d, "granted: Cloud Storage Service, Contact Center Chat (from api_product_list_json)")
            }
            other => panic!("{other:?}"),
        }
        let work = (vec!["Chat".to_string(), "analytics product".to_string()], "api_product_list_json");
        match compare(g, &["cc-chat".into(), "cc-historical-analytics".into()], Some(&work)) {
            Products::Missing(names, why) => {
                assert_eq!(names, vec!["Contact Center Chat".to_string(), "CC Historical Analytics".to_string()]);
                assert!(
                    why.contains("vcc, analytics realtime-api") && why.ends_with("lists Chat, analytics product"),
                    "{why}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn jwt_services_claim() {
        use base64::Engine;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"iss":"cloud8.8x8.com","services":["storage","Chat"]}"#);
        let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{payload}.sig");
        assert_eq!(jwt_services(&jwt), Some(vec!["storage".to_string(), "Chat".to_string()]));
        assert_eq!(jwt_services("not-a-jwt"), None);
        assert_eq!(jwt_services("a.%%%.c"), None);
    }

    #[test]
    fn token_failures() {
        let e = |a| interpret_token(&a).err().map(|f| f.0);
        assert_eq!(
            e(ans(401, r#"{"ErrorCode":"invalid_client","Error":"Invalid client"}"#)),
            Some(FailureKind::Unauthorized)
        );
        assert_eq!(e(ans(400, r#"{"ErrorCode":"invalid_client","Error":"x"}"#)), Some(FailureKind::Unauthorized));
        assert_eq!(
            e(ans(400, r#"{"ErrorCode":"invalid_request","Error":"Unsupported grant type : x"}"#)),
            Some(FailureKind::BadResponse)
        );
        assert_eq!(e(ans(200, "<html>")), Some(FailureKind::BadResponse));
        // The code, never a part of some text.
        assert_eq!(
            e(ans(400, r#"{"ErrorCode":"invalid_request","Error":"not an invalid_client"}"#)),
            Some(FailureKind::BadResponse)
        );
        assert_eq!(e(ans(400, r#"{"error":"invalid_client"}"#)), Some(FailureKind::Unauthorized));
    }

    #[test]
    fn product_names_as_the_admin_console_shows_them() {
        let g = guide();
        assert_eq!(g.product_id("cloud-storage").as_deref(), Some("cloud-storage"));
        assert_eq!(g.product_id("Cloud Storage Service").as_deref(), Some("cloud-storage"));
        assert_eq!(g.product_id("  cc   REALTIME analytics ").as_deref(), Some("cc-realtime-analytics"));
        assert_eq!(g.product_id("storage"), None);
    }

    #[test]
    fn product_comparison() {
        let g = guide();
        let chosen = vec!["cloud-storage".to_string(), "cc-chat".to_string()];
        assert!(matches!(compare(g, &chosen, None), Products::Unknown(_)), "no list: nothing judged");
        let empty = (vec![], "api_product_list_json");
        assert!(
            matches!(compare(g, &chosen, Some(&empty)), Products::Missing(n, w) if n.len() == 2 && w.ends_with("lists nothing"))
        );
        // A product the JWT's claim lacks is not checked: the claim is not documented as the list.
        let claim = (vec!["storage".to_string()], SERVICES_CLAIM);
        match compare(g, &chosen, Some(&claim)) {
            Products::AllGranted(d) => assert!(d.contains("not checked: Contact Center Chat"), "{d}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(grants_product(g, "cc-chat", Some(&claim)), None);
        assert_eq!(grants_product(g, "cloud-storage", Some(&claim)), Some(true));
    }
}
