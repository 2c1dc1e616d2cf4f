//! 8x8 API apps: the token request and how its answer is read, and the comparison of the products
//! the token grants with the ones the user chose. Pure: `validate::eightbyeight` sends the request.
//!
//! Facts (8x8's docs and its own API specs): `POST {base}/oauth/v2/token` with HTTP Basic
//! `client_id:client_secret` and `grant_type=client_credentials`; an Apigee-style answer whose
//! `expires_in` is a string and which may list `api_product_list`; the access token may be a JWT
//! with a `services` claim. Inferred: which names 8x8 uses for each Admin Console product, so an
//! unrecognised list is reported as such, never as a failure.

use secrecy::SecretString;
use serde::Deserialize;

use super::{Answer, Failure, Guide, one_line, status_failure};
use crate::report::FailureKind;

pub const TOKEN_PATH: &str = "/oauth/v2/token";
pub const DEFAULT_BASE: &str = "api.8x8.com";

pub struct Token {
    pub access_token: SecretString,
    pub minutes: u64,
    /// What the token says it may use, and where that list came from.
    pub granted: Option<(Vec<String>, &'static str)>,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    api_product_list: Option<serde_json::Value>,
}

pub fn interpret_token(a: &Answer) -> Result<Token, Failure> {
    if let Some((kind, detail)) = status_failure(a) {
        // Apigee answers bad client credentials with 400/401 and an ErrorCode.
        let bad_client = a.status == 400 && String::from_utf8_lossy(&a.body).contains("invalid_client");
        return Err(if bad_client { (FailureKind::Unauthorized, detail) } else { (kind, detail) });
    }
    let not_token = || (FailureKind::BadResponse, format!("HTTP {}: the answer is not an 8x8 token", a.status));
    let body: TokenBody = serde_json::from_slice(&a.body).map_err(|_| not_token())?;
    let token = body.access_token.filter(|t| !t.is_empty()).ok_or_else(not_token)?;
    let secs = match &body.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let granted = list_of_strings(body.api_product_list.as_ref())
        .map(|l| (l, "api_product_list"))
        .or_else(|| jwt_services(&token).map(|l| (l, "the token's services claim")));
    Ok(Token { access_token: SecretString::from(token), minutes: secs.map_or(30, |s| s / 60), granted })
}

/// `api_product_list` is an array, or (in some Apigee versions) a string like "[a, b]".
fn list_of_strings(v: Option<&serde_json::Value>) -> Option<Vec<String>> {
    match v? {
        serde_json::Value::Array(items) => Some(items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect()),
        serde_json::Value::String(s) => Some(
            s.trim_matches(['[', ']']).split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect(),
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
    /// Every chosen product is granted.
    AllGranted(String),
    /// These chosen products (names) are not granted.
    Missing(Vec<String>),
    /// The token lists no products, or none pbxlink recognises: shown, not judged.
    Unknown(String),
}

pub fn compare(guide: &Guide, chosen: &[String], granted: Option<&(Vec<String>, &'static str)>) -> Products {
    let Some((list, source)) = granted else {
        return Products::Unknown("n/a: the token does not say which products it grants".into());
    };
    let lower: Vec<String> = list.iter().map(|g| g.to_ascii_lowercase()).collect();
    let grants = |id: &str| {
        guide
            .products
            .iter()
            .find(|p| p.id == id)
            .is_some_and(|p| p.grants.iter().any(|g| lower.iter().any(|l| l.contains(g.as_str()))))
    };
    let recognised = guide.products.iter().any(|p| grants(&p.id));
    let shown = one_line(&list.join(", "), 120);
    if !recognised {
        return Products::Unknown(format!("n/a: {source} lists {shown}, which pbxlink cannot match to products"));
    }
    let missing: Vec<String> = chosen.iter().filter(|id| !grants(id)).map(|id| guide.product_name(id)).collect();
    if missing.is_empty() {
        let names: Vec<String> = chosen.iter().map(|id| guide.product_name(id)).collect();
        Products::AllGranted(format!("granted: {} (from {source})", names.join(", ")))
    } else {
        Products::Missing(missing)
    }
}

/// The probe path of product `id` in `region`, if the product has one.
pub fn probe_path(guide: &Guide, id: &str, region: &str) -> Option<String> {
    let p = guide.products.iter().find(|p| p.id == id)?.probe.as_ref()?;
    Some(p.replace("{region}", region))
}

/// What one product probe says.
#[derive(Debug, PartialEq, Eq)]
pub enum Probe {
    Answers,
    /// 401/403: the product is not attached to the app.
    NotAttached,
    /// Anything else (404: a wrong region or a wrong guess of the path): not judged.
    Unclear(String),
}

pub fn interpret_probe(a: &Answer) -> Probe {
    match a.status {
        200..=299 => Probe::Answers,
        401 | 403 => Probe::NotAttached,
        s => Probe::Unclear(format!("HTTP {s}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ProviderId;
    use secrecy::ExposeSecret;

    fn ans(status: u16, body: &str) -> Answer {
        Answer { status, body: body.as_bytes().to_vec(), ..Default::default() }
    }

    #[test]
    fn apigee_token_with_string_expiry_and_products() {
        let t = interpret_token(&ans(
            200,
            r#"{"access_token":"abc","token_type":"BearerToken","expires_in":"1800","api_product_list":["vcc","storage"],"status":"approved"}"#,
        ))
        .expect("token");
        assert_eq!((t.access_token.expose_secret(), t.minutes), ("abc", 30));
        assert_eq!(t.granted, Some((vec!["vcc".to_string(), "storage".to_string()], "api_product_list")));
        let s = interpret_token(&ans(200, r#"{"access_token":"x","expires_in":3600,"api_product_list":"[a, b]"}"#))
            .expect("t");
        assert_eq!(s.granted.map(|g| g.0), Some(vec!["a".to_string(), "b".to_string()]));
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
    }

    #[test]
    fn probes() {
        let g = ProviderId::EightByEight.guide();
        assert_eq!(probe_path(g, "cloud-storage", "uk").as_deref(), Some("/storage/uk/v3/buckets"));
        assert_eq!(probe_path(g, "cc-chat", "uk"), None, "chat needs a tenant id");
        assert_eq!(interpret_probe(&ans(403, "")), Probe::NotAttached);
        assert_eq!(interpret_probe(&ans(200, "[]")), Probe::Answers);
        assert_eq!(interpret_probe(&ans(404, "")), Probe::Unclear("HTTP 404".into()));
    }

    #[test]
    fn product_comparison() {
        let g = ProviderId::EightByEight.guide();
        let chosen = vec!["cloud-storage".to_string(), "cc-chat".to_string()];
        let granted = (vec!["storage".to_string(), "chat-gateway".to_string()], "api_product_list");
        assert!(matches!(compare(g, &chosen, Some(&granted)), Products::AllGranted(_)));
        let partial = (vec!["storage".to_string()], "api_product_list");
        assert_eq!(compare(g, &chosen, Some(&partial)), Products::Missing(vec!["Contact Center Chat".to_string()]));
        let odd = (vec!["vcc".to_string()], "api_product_list");
        assert!(matches!(compare(g, &chosen, Some(&odd)), Products::Unknown(_)), "an unknown list is never a failure");
        assert!(matches!(compare(g, &chosen, None), Products::Unknown(_)));
    }
}
