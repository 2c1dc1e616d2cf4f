//! The 3CX part of the simulator: `/connect/token` (form-encoded and multipart, the documented 401
//! body, one active token per client, JWT-shaped tokens with `iat` and `exp` on current versions),
//! `/xapi/v1/Defs` with `X-3CX-Version`, `SystemStatus`, the service principals (the accounts,
//! Id 1.. in order, then two system principals; two per page, with `@odata.nextLink`; a `$select`
//! of a property the account's version lacks is OData's 400) with `GenerateAppToken`, which
//! replaces the principal's key as the real PBX may, `GET /callcontrol` as 3CX documents it, and
//! OData errors elsewhere. Each account behaves like one real-world situation (the demo's are in `demo.rs`).
//! This file holds the site's state and its answers; `simulated_routes` sends each request to its
//! answer, `simulated_reads` and `simulated_principals` answer the rest.

use bytes::Bytes;
use hyper::http::request::Parts;
use rand::Rng;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use crate::simulator::{Resp, Simulator, json};

/// The simulated PBX: its accounts and the tokens it has issued.
pub struct ThreeCxSite {
    pub(super) accounts: Vec<ThreeCxAccount>,
    /// client id → the one active token (3CX keeps one per client).
    pub(super) tokens: Mutex<HashMap<String, String>>,
    /// client id (a service principal's Number) → its current API key. Starts as each account's
    /// key; generating an app token replaces it, so the old key stops working.
    pub(super) keys: Mutex<HashMap<String, String>>,
    /// client id → when it last got a token (seconds since the epoch), for `LastUsed`.
    pub(super) last_used: Mutex<HashMap<String, u64>>,
    /// Validations in progress (from a token issued to the SystemStatus read that ends a 3CX
    /// validation), and the most at once: unlike connections, this has no closing lag.
    pub(super) sessions: AtomicUsize,
    pub(super) max_sessions: AtomicUsize,
    /// The CRM template 3CX's CRM integration has selected (`None`: none selected).
    pub(super) crm_template: Mutex<Option<String>>,
    /// client id → tokens issued to it so far.
    pub(super) issued: Mutex<HashMap<String, usize>>,
}

/// The `<Crm Name>` of the demo's sample template (`simulator::DEMO_TEMPLATE`), which the
/// simulated 3CX reports as selected until told otherwise.
pub const DEMO_TEMPLATE_NAME: &str = "CX-Engine";

impl ThreeCxSite {
    pub fn new(accounts: Vec<ThreeCxAccount>) -> Self {
        let keys = accounts.iter().map(|a| (a.client_id.clone(), a.api_key().to_string())).collect();
        ThreeCxSite {
            accounts,
            tokens: Mutex::default(),
            keys: Mutex::new(keys),
            last_used: Mutex::default(),
            sessions: AtomicUsize::new(0),
            max_sessions: AtomicUsize::new(0),
            crm_template: Mutex::new(Some(DEMO_TEMPLATE_NAME.to_string())),
            issued: Mutex::default(),
        }
    }

    /// The site of a running simulator (which must serve one).
    pub fn of(sim: &Simulator) -> &ThreeCxSite {
        sim.site::<ThreeCxSite>().expect("this simulator serves no 3CX site")
    }

    /// Which CRM template 3CX reports as selected (`None`: none); the sample's by default.
    pub fn set_crm_template(&self, name: Option<&str>) {
        if let Ok(mut t) = self.crm_template.lock() {
            *t = name.map(str::to_string);
        }
    }

    /// The most validations that were between their token and their SystemStatus read at once.
    pub fn max_concurrent_validations(&self) -> usize {
        self.max_sessions.load(SeqCst)
    }
}

/// Which real-world situation an account plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Everything works; a current version (a JWT access token, expires_in in seconds).
    Good,
    /// "3CX Configuration API Access" not ticked: the token works, every /xapi read is 403.
    NoXapiAccess,
    /// A role that may not read SystemStatus nor manage service principals (403 there only).
    LowRole,
    /// A box older than 20.0.9: an opaque access token, and `expires_in: 60` (minutes, by the
    /// docs of the time).
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
    /// Another program takes a new token right after pbxlink's first one of each validation: that
    /// token is ended before its first read, and a second one works.
    TokenTaken,
    /// The XAPI answers 401 to every token 3CX issues for the account, however fresh (what a
    /// program taking tokens many times a second, or an undocumented refusal, looks like).
    RefusesTokens,
    /// An integration with Call Control alone ("3CX Configuration API Access" not ticked): the
    /// token works, every /xapi read is 403, `GET /callcontrol` answers as 3CX documents.
    CallControlOnly,
    /// The same, but the XAPI answers 401 instead of 403 (3CX documents neither).
    CallControlRefusesXapiTokens,
    /// A 20.0.5 box: its service principals have neither `MyPhoneEnabled` (20.0.8) nor
    /// `IsSystem` (20.0.9), and OData refuses a `$select` that names them (400).
    EarlyVersion,
    /// A misconfigured proxy: the token endpoint redirects to another host (which must never
    /// receive the credentials).
    RedirectsAway,
    /// The token endpoint answers 200 with 10 MB of junk (the read must stay bounded).
    HugeBody,
    /// Works; its licence ends in 12 days and its maintenance ended 3 days ago.
    LicenceEnding,
    /// Works; one of its two trunks is not registered.
    TrunkDown,
    /// Works; its last backup is 40 days old and none is scheduled.
    OldBackup,
    /// Works, with the System Admin role: call history and recordings are refused (403).
    SystemAdmin,
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
            Behaviour::EarlyVersion => "20.0.5.425",
            _ => "20.0.9.995",
        }
    }

    /// Whether the integration has Call Control.
    pub fn call_control(&self) -> bool {
        matches!(self.behaviour, Behaviour::CallControlOnly | Behaviour::CallControlRefusesXapiTokens)
    }

    /// Whether the integration has "3CX Configuration API Access".
    pub fn xapi(&self) -> bool {
        !matches!(
            self.behaviour,
            Behaviour::NoXapiAccess | Behaviour::CallControlOnly | Behaviour::CallControlRefusesXapiTokens
        )
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

pub(super) fn odata_error(status: u16, code: &str, message: &str) -> Resp {
    json(status, serde_json::json!({"error": {"code": code, "message": message}}).to_string())
}

/// Runs `f` for the account whose current token is presented, or answers 401/403 as 3CX does.
pub(super) fn with_account(st: &ThreeCxSite, parts: &Parts, f: impl FnOnce(&ThreeCxAccount) -> Resp) -> Resp {
    let Some(account) = bearer_account(st, parts) else {
        return json(401, UNAUTHORIZED);
    };
    match account.behaviour {
        Behaviour::NoXapiAccess | Behaviour::CallControlOnly => {
            return odata_error(403, "Forbidden", "Access denied: the integration has no Configuration API access");
        }
        Behaviour::NoLicence => return odata_error(404, "NotFound", "Not found"),
        Behaviour::RefusesTokens | Behaviour::CallControlRefusesXapiTokens => return json(401, UNAUTHORIZED),
        _ => {}
    }
    f(account)
}

/// The account whose current token is presented, if any.
fn bearer_account<'a>(st: &'a ThreeCxSite, parts: &Parts) -> Option<&'a ThreeCxAccount> {
    let bearer = parts
        .headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))?;
    let client = st.tokens.lock().ok()?.iter().find(|(_, t)| t.as_str() == bearer).map(|(c, _)| c.clone())?;
    st.accounts.iter().find(|a| a.client_id == client)
}

/// `GET /callcontrol` as 3CX's "Call Control API endpoints" documents it: 200 with an array of
/// the DNs the integration controls or monitors (its route point, then an extension), each with
/// `dn`, `type`, `devices` and `participants`; 401 for a token 3CX does not know, and 403 for an
/// integration without Call Control.
pub(super) fn call_control(st: &ThreeCxSite, parts: &Parts) -> Resp {
    let Some(account) = bearer_account(st, parts) else { return json(401, UNAUTHORIZED) };
    if !account.call_control() {
        return json(403, "");
    }
    let dns = serde_json::json!([
        {"dn": account.client_id, "type": "Wroutepoint", "devices": [], "participants": []},
        {"dn": "100", "type": "Wextension", "devices": [{"dn": "100", "device_id": "sip:100@127.0.0.1", "user_agent": "3CX Web Client"}], "participants": []},
    ]);
    json(200, dns.to_string())
}

pub(super) fn token(st: &ThreeCxSite, parts: &Parts, body: &Bytes) -> Resp {
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
    let key_ok = |a: &ThreeCxAccount| {
        let keys = st.keys.lock().ok();
        let current = keys.as_ref().and_then(|k| k.get(&a.client_id));
        current.is_some_and(|k| Some(k.as_str()) == get("client_secret"))
    };
    let account = st.accounts.iter().find(|a| Some(a.client_id.as_str()) == get("client_id") && key_ok(a));
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
    let expires = if account.behaviour == Behaviour::OldVersion { 60 } else { 3600 };
    let token =
        if account.behaviour == Behaviour::OldVersion { random_token() } else { jwt(&account.client_id, expires) };
    // One active token per client: a new one ends the previous.
    let issued = st.issued.lock().map_or(0, |mut m| {
        let n = m.entry(account.client_id.clone()).or_insert(0);
        *n += 1;
        *n - 1
    });
    if let Ok(mut t) = st.tokens.lock() {
        // Another program takes a new token right after every other one of pbxlink's: the first
        // of each validation is ended before it is used, the retry's is not.
        let kept = if account.behaviour == Behaviour::TokenTaken && issued.is_multiple_of(2) {
            random_token()
        } else {
            token.clone()
        };
        t.insert(account.client_id.clone(), kept);
    }
    if let Ok(mut l) = st.last_used.lock() {
        l.insert(account.client_id.clone(), crate::clock::now_secs());
    }
    let now = st.sessions.fetch_add(1, SeqCst) + 1;
    st.max_sessions.fetch_max(now, SeqCst);
    json(200, serde_json::json!({"token_type": "Bearer", "expires_in": expires, "access_token": token, "refresh_token": null}).to_string())
}

pub(super) fn random_token() -> String {
    rand::rng().sample_iter(rand::distr::Alphanumeric).take(48).map(char::from).collect()
}

/// A JWT-shaped access token (header.payload.signature, base64url) for `client`, issued now and
/// living `secs`. The `jti` and the signature are random, so every token differs even within one
/// second: the one-active-token rule compares whole tokens.
fn jwt(client: &str, secs: u64) -> String {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let iat = crate::clock::now_secs();
    let claims = serde_json::json!({"sub": client, "client_id": client, "iat": iat, "nbf": iat, "exp": iat + secs, "jti": random_token()});
    format!("{}.{}.{}", b64(r#"{"alg":"RS256","typ":"JWT"}"#), b64(&claims.to_string()), random_token())
}

/// `SystemStatus` as a V20 box answers it (the spec's `Pbx.SystemStatus`), its dates relative to
/// now so that every run sees the same days left; each health behaviour changes what it is about.
/// The licence key is in it, as on a real PBX: pbxlink must never show it.
pub(super) fn system_status(a: &ThreeCxAccount) -> serde_json::Value {
    let now = crate::clock::now_secs();
    let day = 86_400;
    let at = |days: i64| iso8601((now as i64 + days * day) as u64);
    let b = a.behaviour;
    let mut s = serde_json::json!({
        "FQDN": "localhost", "Version": a.version(), "ProductCode": "3CXPSENT", "LicenseActive": true,
        "Activated": true, "ExtensionsTotal": 40, "ExtensionsRegistered": 12, "MaxSimCalls": 16,
        "LicenseKey": "SIMU-LATED-LICE-NSE0", "ExpirationDate": at(300), "MaintenanceExpiresAt": at(120),
        "TrunksTotal": 2, "TrunksRegistered": 2, "LastBackupDateTime": at(-1), "BackupScheduled": true,
        "HasNotRunningServices": false, "FreeDiskSpace": 41_000_000_000_i64, "TotalDiskSpace": 80_000_000_000_i64, "DiskUsage": 49,
        "RecordingQuotaReached": false, "VoicemailQuotaReached": false, "LastSuccessfulUpdate": at(-9),
        "AutoUpdateEnabled": true, "CallsActive": 3,
    });
    match b {
        Behaviour::LicenceEnding => {
            s["ExpirationDate"] = at(12).into();
            s["MaintenanceExpiresAt"] = at(-3).into();
        }
        Behaviour::TrunkDown => s["TrunksRegistered"] = 1.into(),
        Behaviour::OldBackup => {
            s["LastBackupDateTime"] = at(-40).into();
            s["BackupScheduled"] = false.into();
        }
        _ => {}
    }
    s
}

/// Seconds since the epoch as an ISO 8601 UTC date-time, as 3CX writes its dates.
pub(super) fn iso8601(secs: u64) -> String {
    let rem = secs % 86_400;
    let date = crate::report::utc_date(secs);
    format!("{date}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// One validation (or principals request) is over: see `ThreeCxSite::sessions`.
pub(super) fn end_session(st: &ThreeCxSite) {
    let _ = st.sessions.fetch_update(SeqCst, SeqCst, |v| Some(v.saturating_sub(1)));
}

/// Keeps only the `$select`ed properties, as OData does.
pub(super) fn select(all: serde_json::Value, query: Option<&str>) -> serde_json::Value {
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
