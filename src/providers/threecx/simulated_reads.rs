//! The simulated 3CX's collections a capability read asks for (`Users`, `Trunks`,
//! `CallHistoryView`, `ActiveCalls`, `Recordings`), each an OData page of at most `$top` items.
//! Which role may read what: a System Admin is refused call history and recordings (as
//! independent clients report of the real PBX), a low role every one of them.

use hyper::http::request::Parts;

use super::simulated::{Behaviour, ThreeCxSite, odata_error, with_account};
use crate::simulator::{Resp, json};

/// The collections, with one sample item each (none for active calls: a quiet PBX).
const COLLECTIONS: [(&str, &str); 5] = [
    (
        "/xapi/v1/Users",
        r#"{"Id":1,"Number":"100","FirstName":"Ada","LastName":"Demo","EmailAddress":"ada@example.com"}"#,
    ),
    ("/xapi/v1/Trunks", r#"{"Id":1,"Number":"10000","Direction":"Both","IsOnline":true}"#),
    ("/xapi/v1/CallHistoryView", r#"{"SegmentId":1,"SrcDn":"100","DstDn":"101","CallAnswered":true}"#),
    ("/xapi/v1/ActiveCalls", ""),
    ("/xapi/v1/Recordings", r#"{"Id":1,"FromDn":"100","ToDn":"101","IsArchived":false}"#),
];

/// Whether `path` is one of these collections.
pub(super) fn claims(path: &str) -> bool {
    COLLECTIONS.iter().any(|(p, _)| *p == path)
}

/// The page for `parts` (a GET of one of the collections), as the presented token's account may see it.
pub(super) fn answer(st: &ThreeCxSite, parts: &Parts) -> Resp {
    let path = parts.uri.path();
    with_account(st, parts, |a| {
        let owner_only = matches!(path, "/xapi/v1/CallHistoryView" | "/xapi/v1/Recordings");
        if a.behaviour == Behaviour::LowRole || (a.behaviour == Behaviour::SystemAdmin && owner_only) {
            return odata_error(403, "Forbidden", "Access denied");
        }
        let top = parts
            .uri
            .query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "$top"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(100);
        let item = COLLECTIONS.iter().find(|(p, _)| *p == path).map_or("", |(_, i)| i);
        let items: Vec<serde_json::Value> =
            serde_json::from_str::<serde_json::Value>(item).into_iter().take(top).collect();
        let name = path.trim_start_matches("/xapi/v1/");
        let page = serde_json::json!({"@odata.context": format!("https://localhost/xapi/v1/$metadata#{name}"), "value": items});
        json(200, page.to_string())
    })
}
