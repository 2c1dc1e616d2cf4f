//! The 3CX part of the simulator: `/connect/token` (form-encoded and multipart, the documented 401
//! body, one active token per client), `/xapi/v1/Defs` with `X-3CX-Version`, `SystemStatus`, and
//! OData errors elsewhere. Each account behaves like one real-world situation.

use bytes::Bytes;
use hyper::http::request::Parts;
use rand::Rng;

use super::{Resp, State, json};

/// Which real-world situation an account plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Everything works; a current version (expires_in in seconds).
    Good,
    /// "3CX Configuration API Access" not ticked: the token works, every /xapi read is 403.
    NoXapiAccess,
    /// A role that may not read SystemStatus (403 there only).
    LowRole,
    /// A box older than 20.0.9, whose expires_in is in minutes.
    OldVersion,
    /// A licence without the API (not 8SC+ Enterprise): the token works, /xapi answers 404.
    NoLicence,
    /// The token endpoint answers 429 with Retry-After.
    RateLimited,
    /// The token endpoint answers 503.
    ServerError,
    /// Something that is not 3CX: the token endpoint answers with a web page.
    NotThreeCx,
    /// A firewall in front of the PBX: the token endpoint answers 403 before any credential check.
    Blocked,
    /// Another program takes a new token right after ours: every /xapi read answers 401.
    TokenTaken,
    /// A misconfigured proxy: the token endpoint redirects to another host (which must never
    /// receive the credentials).
    RedirectsAway,
    /// The token endpoint answers 200 with 10 MB of junk (the read must stay bounded).
    HugeBody,
}

#[derive(Clone)]
pub struct ThreeCxAccount {
    pub client_id: String,
    api_key: String,
    pub behaviour: Behaviour,
}

impl ThreeCxAccount {
    pub fn new(client_id: &str, api_key: &str, behaviour: Behaviour) -> Self {
        ThreeCxAccount { client_id: client_id.into(), api_key: api_key.into(), behaviour }
    }

    /// The account's key. Only demo and test accounts exist, so it may be shown.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub fn version(&self) -> &'static str {
        match self.behaviour {
            Behaviour::OldVersion => "20.0.8.447",
            _ => "20.0.9.995",
        }
    }
}

impl std::fmt::Debug for ThreeCxAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreeCxAccount")
            .field("client_id", &self.client_id)
            .field("behaviour", &self.behaviour)
            .finish_non_exhaustive()
    }
}

const UNAUTHORIZED: &str =
    r#"{"error":"unauthorized","error_description":"The request requires valid user authentication."}"#;

fn odata_error(status: u16, code: &str, message: &str) -> Resp {
    json(status, serde_json::json!({"error": {"code": code, "message": message}}).to_string())
}

pub(super) fn route(st: &State, parts: &Parts, body: &Bytes) -> Resp {
    let path = parts.uri.path();
    match (parts.method.as_str(), path) {
        ("POST", "/connect/token") => token(st, parts, body),
        ("GET", "/xapi/v1/Defs") => with_account(st, parts, |a| {
            let mut r = json(200, r#"{"@odata.context":"https://localhost/xapi/v1/$metadata#Defs(Id)","Id":0}"#);
            if let Ok(v) = hyper::header::HeaderValue::from_str(a.version()) {
                r.headers_mut().insert("X-3CX-Version", v);
            }
            r
        }),
        ("GET", "/xapi/v1/SystemStatus") => with_account(st, parts, |a| {
            let _ = st.sessions.fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |v| Some(v.saturating_sub(1)),
            );
            if a.behaviour == Behaviour::LowRole {
                return odata_error(403, "Forbidden", "Access denied");
            }
            let all = serde_json::json!({
                "FQDN": "localhost", "Version": a.version(), "ProductCode": "3CXPSENT", "LicenseActive": true,
                "ExtensionsTotal": 40, "ExtensionsRegistered": 12, "MaxSimCalls": 16, "LicenseKey": "SIMU-LATED-LICE-NSE0",
            });
            json(200, select(all, parts.uri.query()).to_string())
        }),
        ("GET", "/xapi/v1/CrmIntegration") => with_account(st, parts, |a| {
            // This read ends a CX-Engine validation's 3CX part, as SystemStatus ends a 3CX one.
            let _ = st.sessions.fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |v| Some(v.saturating_sub(1)),
            );
            if a.behaviour == Behaviour::LowRole {
                return odata_error(403, "Forbidden", "Access denied");
            }
            let name = st.crm_template.lock().ok().and_then(|t| t.clone()).unwrap_or_default();
            let all = serde_json::json!({
                "Id": "crm", "Name": name, "Country": "", "EnabledForDidCalls": false,
                "EnabledForExternalCalls": !name.is_empty(), "PhonebookSynchronization": false, "VariableChoices": [],
            });
            json(200, select(all, parts.uri.query()).to_string())
        }),
        (_, p) if p.starts_with("/xapi/") => {
            with_account(st, parts, |_| odata_error(404, "NotFound", "Resource not found"))
        }
        _ => odata_error(404, "NotFound", "Not found"),
    }
}

/// Runs `f` for the account whose current token is presented, or answers 401/403 as 3CX does.
fn with_account(st: &State, parts: &Parts, f: impl FnOnce(&ThreeCxAccount) -> Resp) -> Resp {
    let bearer = parts
        .headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let client =
        bearer.and_then(|b| st.tokens.lock().ok()?.iter().find(|(_, t)| t.as_str() == b).map(|(c, _)| c.clone()));
    let Some(account) = client.and_then(|c| st.threecx.iter().find(|a| a.client_id == c)) else {
        return json(401, UNAUTHORIZED);
    };
    match account.behaviour {
        Behaviour::NoXapiAccess => {
            return odata_error(403, "Forbidden", "Access denied: the integration has no Configuration API access");
        }
        Behaviour::NoLicence => return odata_error(404, "NotFound", "Not found"),
        Behaviour::TokenTaken => return json(401, UNAUTHORIZED),
        _ => {}
    }
    f(account)
}

fn token(st: &State, parts: &Parts, body: &Bytes) -> Resp {
    let ctype = parts.headers.get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let fields: Vec<(String, String)> = if let Some(b) =
        ctype.split("boundary=").nth(1).filter(|_| ctype.starts_with("multipart/form-data"))
    {
        multipart(body, b.trim_matches('"'))
    } else if ctype.starts_with("application/x-www-form-urlencoded") {
        form_urlencoded::parse(body).into_owned().collect()
    } else {
        return json(
            400,
            r#"{"error":"invalid_request","error_description":"The mandatory 'Content-Type' header must be specified."}"#,
        );
    };
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("grant_type") != Some("client_credentials") {
        return json(
            400,
            r#"{"error":"unsupported_grant_type","error_description":"The specified 'grant_type' is not supported."}"#,
        );
    }
    let account = st
        .threecx
        .iter()
        .find(|a| Some(a.client_id.as_str()) == get("client_id") && Some(a.api_key.as_str()) == get("client_secret"));
    let Some(account) = account else {
        return json(401, UNAUTHORIZED);
    };
    match account.behaviour {
        Behaviour::RateLimited => {
            let mut r = json(429, r#"{"error":"too_many_requests"}"#);
            r.headers_mut().insert("Retry-After", hyper::header::HeaderValue::from_static("30"));
            return r;
        }
        Behaviour::ServerError => return json(503, r#"{"error":"service_unavailable"}"#),
        Behaviour::Blocked => return json(403, r#"{"message":"Forbidden by the firewall"}"#),
        Behaviour::RedirectsAway => {
            let mut r = json(307, "");
            r.headers_mut().insert(
                hyper::header::LOCATION,
                hyper::header::HeaderValue::from_static("https://collector.invalid/steal?from=pbx"),
            );
            return r;
        }
        Behaviour::HugeBody => return json(200, "x".repeat(10 * 1024 * 1024)),
        Behaviour::NotThreeCx => {
            let mut r = json(200, "<!doctype html><title>Welcome</title>");
            r.headers_mut().insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("text/html"));
            return r;
        }
        _ => {}
    }
    let token: String = rand::rng().sample_iter(rand::distr::Alphanumeric).take(48).map(char::from).collect();
    // One active token per client: a new one ends the previous.
    if let Ok(mut t) = st.tokens.lock() {
        t.insert(account.client_id.clone(), token.clone());
    }
    let now = st.sessions.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    st.max_sessions.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
    let expires = if account.behaviour == Behaviour::OldVersion { 60 } else { 3600 };
    json(200, serde_json::json!({"token_type": "Bearer", "expires_in": expires, "access_token": token, "refresh_token": null}).to_string())
}

/// Keeps only the `$select`ed properties, as OData does.
fn select(all: serde_json::Value, query: Option<&str>) -> serde_json::Value {
    let Some(sel) = query
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "$select").map(|(_, v)| v.into_owned()))
    else {
        return all;
    };
    let keep: Vec<&str> = sel.split(',').map(str::trim).collect();
    match all {
        serde_json::Value::Object(m) => {
            serde_json::Value::Object(m.into_iter().filter(|(k, _)| keep.contains(&k.as_str())).collect())
        }
        other => other,
    }
}

/// A minimal multipart/form-data reader: enough for 3CX's own sample client, which sends FormData.
fn multipart(body: &[u8], boundary: &str) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    let delim = format!("--{boundary}");
    let mut out = Vec::new();
    for part in text.split(delim.as_str()) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = head.split("name=\"").nth(1).and_then(|r| r.split('"').next()) else {
            continue;
        };
        out.push((name.to_string(), value.trim_end_matches("\r\n").to_string()));
    }
    out
}
