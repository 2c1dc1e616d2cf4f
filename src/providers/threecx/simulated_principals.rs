//! The simulated 3CX's service principals: the listing (each account, then two system principals;
//! two per page, with `@odata.nextLink` as ASP.NET's OData writes it) and `GenerateAppToken`, which
//! replaces the principal's key as the real PBX may.

use hyper::http::request::Parts;

use super::simulated::{ThreeCxSite, end_session, iso8601, odata_error, random_token, select};
use crate::simulator::{Resp, json};

/// The service principals: each account (Id 1.. in order, Number = its client id), then two system
/// principals, the second without `CallControlEnabled` and `LastUsed` (a PBX may leave fields out).
fn principals(st: &ThreeCxSite) -> Vec<serde_json::Value> {
    let used = st.last_used.lock().map(|l| l.clone()).unwrap_or_default();
    let n = st.accounts.len();
    let mut out: Vec<serde_json::Value> = st
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            serde_json::json!({
                "Id": i + 1, "Number": a.client_id, "XAPIEnabled": a.xapi(),
                "CallControlEnabled": a.call_control(), "IsSystem": false, "MyPhoneEnabled": false,
                "TranscriptionMode": "Nothing", "Groups": [], "Peers": [],
                "LastUsed": used.get(&a.client_id).map(|&t| iso8601(t)),
            })
        })
        .collect();
    out.push(serde_json::json!({
        "Id": n + 1, "Number": "sys-0", "XAPIEnabled": true, "CallControlEnabled": true, "IsSystem": true,
        "MyPhoneEnabled": false, "TranscriptionMode": "Nothing", "Groups": [], "Peers": [], "LastUsed": null,
    }));
    out.push(serde_json::json!({"Id": n + 2, "Number": "sys-1", "XAPIEnabled": false, "IsSystem": true}));
    out
}

/// Principals per page: small, so that every listing spans pages and a client reading only the
/// first one is caught.
const PAGE_SIZE: usize = 2;

/// One page of the principals (`$skip` from the query), with `@odata.nextLink` while more remain,
/// written as ASP.NET's OData writes it: absolute, from the request's Host, the other query
/// options kept. The last page ends the session.
pub(super) fn principals_page(st: &ThreeCxSite, parts: &Parts, version: &str) -> Resp {
    let query = parts.uri.query().unwrap_or("");
    if let Some(missing) = lacking(query, version) {
        // ASP.NET Core OData's answer to a $select of a property the model lacks.
        let message = format!(
            "The query specified in the URI is not valid. Could not find a property named '{missing}' on type 'Pbx.ServicePrincipal'."
        );
        return odata_error(400, "", &message);
    }
    let skip: usize = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "$skip")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let all = principals(st);
    let page: Vec<serde_json::Value> =
        all.iter().skip(skip).take(PAGE_SIZE).map(|p| select(p.clone(), parts.uri.query())).collect();
    let context = "https://localhost/xapi/v1/$metadata#ServicePrincipals";
    let mut body = serde_json::json!({"@odata.context": context, "value": page});
    if skip + PAGE_SIZE < all.len() {
        let host = parts.headers.get(hyper::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
        let mut kept: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("$skip=")).collect();
        let skip_next = format!("$skip={}", skip + PAGE_SIZE);
        kept.push(&skip_next);
        body["@odata.nextLink"] = format!("https://{host}/xapi/v1/ServicePrincipals?{}", kept.join("&")).into();
    } else {
        end_session(st);
    }
    json(200, body.to_string())
}

/// The first property `query`'s `$select` names that a PBX of `version` lacks (3CX's spec history:
/// `MyPhoneEnabled` from 20.0.8, `IsSystem` from 20.0.9).
fn lacking(query: &str, version: &str) -> Option<&'static str> {
    let select = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "$select").map(|(_, v)| v.into_owned())?;
    let build: Vec<u32> = version.split('.').filter_map(|p| p.parse().ok()).collect();
    let before = |minor: u32| build.get(..3).is_some_and(|b| b < [20, 0, minor].as_slice());
    let named = |p: &str| select.split(',').any(|s| s.trim() == p);
    [("MyPhoneEnabled", 8), ("IsSystem", 9)].into_iter().find(|(p, minor)| named(p) && before(*minor)).map(|(p, _)| p)
}

/// `ServicePrincipals(N)/Pbx.GenerateAppToken` → N.
pub(super) fn app_token_id(path: &str) -> Option<i64> {
    let rest = path.strip_prefix("/xapi/v1/ServicePrincipals(")?;
    let (id, action) = rest.split_once(')')?;
    if action != "/Pbx.GenerateAppToken" {
        return None;
    }
    id.parse().ok()
}

/// A new app token for principal `id`. It replaces the principal's key: the old key stops working.
pub(super) fn generate_app_token(st: &ThreeCxSite, id: i64) -> Resp {
    let number = principals(st)
        .into_iter()
        .find(|p| p["Id"].as_i64() == Some(id))
        .and_then(|p| p["Number"].as_str().map(str::to_string));
    let Some(number) = number else {
        return odata_error(404, "NotFound", &format!("No ServicePrincipal with Id {id}"));
    };
    let token = random_token();
    if let Ok(mut k) = st.keys.lock() {
        k.insert(number, token.clone());
    }
    let context = "https://localhost/xapi/v1/$metadata#Edm.String";
    json(200, serde_json::json!({"@odata.context": context, "value": token}).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_action_paths() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_748_852_100), "2025-06-02T08:15:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(app_token_id("/xapi/v1/ServicePrincipals(12)/Pbx.GenerateAppToken"), Some(12));
        assert_eq!(app_token_id("/xapi/v1/ServicePrincipals(x)/Pbx.GenerateAppToken"), None);
        assert_eq!(app_token_id("/xapi/v1/ServicePrincipals(1)/Pbx.Other"), None);
    }
}
