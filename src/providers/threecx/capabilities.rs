//! What a 3CX key may do: the reads integrations commonly need, each asked once with `$top=1` (one
//! item at most, so the answer is small), and what the answers say. Pure: the requests are sent by
//! `capability_requests`.
//!
//! Facts relied on (provider-apis.md §1.4, §9.2): 403 on an XAPI read means the role is too low, or
//! "3CX Configuration API Access" is not ticked, or Console Restrictions block this address;
//! independent clients report that System Admin is refused `CallHistoryView` and `Recordings`,
//! which need System Owner; the department "System Wide" silently forces the User role; 3CX has no
//! read-only API role. Which reads each lower role may make is not documented, so the role named
//! is "probably", never a verdict. Only GET requests, ever.

use crate::text::one_line;
use crate::validate::{Answer, server_message};

/// One read an integration may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    pub id: &'static str,
    pub label: &'static str,
    /// The GET request (path and query), the cheapest form of it.
    pub path: &'static str,
}

/// Every read asked, in the order asked. SystemStatus, a singleton, comes last with one field.
pub const ALL: [Capability; 7] = [
    Capability { id: "users", label: "Users", path: "/xapi/v1/Users?$top=1" },
    Capability { id: "trunks", label: "Trunks", path: "/xapi/v1/Trunks?$top=1" },
    Capability { id: "call_history", label: "Call history", path: "/xapi/v1/CallHistoryView?$top=1" },
    Capability { id: "active_calls", label: "Active calls", path: "/xapi/v1/ActiveCalls?$top=1" },
    Capability { id: "recordings", label: "Recordings", path: "/xapi/v1/Recordings?$top=1" },
    Capability { id: "service_principals", label: "Service principals", path: "/xapi/v1/ServicePrincipals?$top=1" },
    Capability { id: "system_status", label: "System status", path: "/xapi/v1/SystemStatus?$select=Version" },
];

/// The reads independent clients report System Admin is refused (they need System Owner).
const OWNER_ONLY: [&str; 2] = ["call_history", "recordings"];

/// What one read's answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    CanRead,
    /// 403.
    Refused,
    /// 404: this PBX does not offer it (an older version, or no API licence).
    NotFound,
    /// Anything else: not a verdict on the key (a server error, a timeout, the token ended).
    Unknown(String),
}

impl Access {
    /// The word for tables and JSON (`can_read`, `refused`, `not_found`, `unknown`).
    pub fn id(&self) -> &'static str {
        match self {
            Access::CanRead => "can_read",
            Access::Refused => "refused",
            Access::NotFound => "not_found",
            Access::Unknown(_) => "unknown",
        }
    }

    /// As the table shows it.
    pub fn shown(&self) -> String {
        match self {
            Access::CanRead => "can read".into(),
            Access::Refused => "refused (403)".into(),
            Access::NotFound => "not found (404)".into(),
            Access::Unknown(why) => format!("not checked: {why}"),
        }
    }
}

/// What the answer to a capability read says.
pub fn interpret(a: &Answer) -> Access {
    match a.status {
        200..=299 => Access::CanRead,
        403 => Access::Refused,
        404 => Access::NotFound,
        401 => Access::Unknown(
            "the token was not accepted (401): another holder of the Client ID may have ended it; try again".into(),
        ),
        s => {
            let said = server_message(&a.body).map(|m| format!(": {}", one_line(&m, 120))).unwrap_or_default();
            Access::Unknown(format!("the PBX answered {s}{said}"))
        }
    }
}

/// The role the refusals point to, as a sentence, or `None` when nothing was refused. Always
/// "probably": which reads each role may make is not documented.
pub fn missing_role(results: &[(Capability, Access)]) -> Option<String> {
    let refused: Vec<&Capability> = results.iter().filter(|(_, a)| *a == Access::Refused).map(|(c, _)| c).collect();
    if refused.is_empty() {
        return None;
    }
    let names = match refused.iter().map(|c| c.label.to_lowercase()).collect::<Vec<_>>().as_slice() {
        [one] => one.clone(),
        [most @ .., last] => format!("{} and {last}", most.join(", ")),
        [] => String::new(),
    };
    if !results.iter().any(|(_, a)| *a == Access::CanRead) {
        return Some(
            "no read was allowed: \"3CX Configuration API Access\" may not be ticked on the integration, Console Restrictions (Admin › Advanced) may block this address, or the role is too low".to_string(),
        );
    }
    if refused.iter().all(|c| OWNER_ONLY.contains(&c.id)) {
        return Some(format!(
            "probably needs the System Owner role: independent clients report that 3CX refuses {names} to System Admin. Choose System Owner for the integration (Admin Console › Integrations › API) with a real department: \"System Wide\" silently forces the User role"
        ));
    }
    Some(format!(
        "probably needs a higher role: this one may not read {names}. Integrations that need these use System Owner (3CX has no read-only API role); the department \"System Wide\" silently forces the User role, so choose a real one (e.g. DEFAULT)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            location: None,
            retry_after: None,
            content_type: Some("application/json".into()),
            version: None,
            body: body.as_bytes().to_vec(),
            truncated: false,
        }
    }

    fn with(refused: &[&str]) -> Vec<(Capability, Access)> {
        ALL.iter().map(|c| (*c, if refused.contains(&c.id) { Access::Refused } else { Access::CanRead })).collect()
    }

    #[test]
    fn answers_are_read_by_status_only_where_3cx_documents_it() {
        assert_eq!(interpret(&answer(200, r#"{"value":[]}"#)), Access::CanRead);
        assert_eq!(interpret(&answer(403, "")), Access::Refused);
        assert_eq!(interpret(&answer(404, "")), Access::NotFound);
        let busy = interpret(&answer(500, r#"{"error":{"code":"","message":"Internal error"}}"#));
        assert_eq!(busy, Access::Unknown("the PBX answered 500: Internal error".into()));
        assert!(matches!(interpret(&answer(401, "")), Access::Unknown(w) if w.contains("another holder")));
    }

    #[test]
    fn the_role_named_follows_what_was_refused() {
        assert_eq!(missing_role(&with(&[])), None);
        let owner = missing_role(&with(&["call_history", "recordings"])).expect("refused");
        assert!(
            owner.starts_with("probably needs the System Owner role: independent clients report that 3CX refuses call history and recordings"),
            "{owner}"
        );
        let higher = missing_role(&with(&["users", "call_history"])).expect("refused");
        assert!(
            higher.starts_with("probably needs a higher role: this one may not read users and call history."),
            "{higher}"
        );
        let all: Vec<&str> = ALL.iter().map(|c| c.id).collect();
        assert!(missing_role(&with(&all)).expect("refused").starts_with("no read was allowed"));
        // Six refused and one not told: still none allowed.
        let mut most = with(&all);
        most[0].1 = Access::Unknown("timed out".into());
        assert!(missing_role(&most).expect("refused").starts_with("no read was allowed"));
        // A read that could not be told is no refusal.
        let mut unknown = with(&[]);
        unknown[2].1 = Access::Unknown("the PBX answered 500".into());
        assert_eq!(missing_role(&unknown), None);
    }

    #[test]
    fn only_reads_are_asked_with_at_most_one_item() {
        for c in ALL {
            assert!(c.path.starts_with("/xapi/v1/"), "{c:?}");
            assert!(c.path.contains("$top=1") || c.id == "system_status", "{c:?}");
        }
    }
}
