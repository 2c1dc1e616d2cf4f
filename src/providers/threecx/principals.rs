//! 3CX service principals (the API integrations of a PBX): the requests that list them and that
//! generate an app token for one, and how their answers are read. Pure: `validate::principals`
//! sends the requests and passes the answers here.
//!
//! Facts (from 3CX's XAPI OpenAPI spec): `GET /xapi/v1/ServicePrincipals` is an OData collection
//! (`{"value": [...]}`, continued on further pages when it carries an `@odata.nextLink`, as OData
//! servers page long collections) of `Pbx.ServicePrincipal` with `Id` (int32), `Number`, `XAPIEnabled`,
//! `CallControlEnabled`, `IsSystem` (from 20.0.9) and `LastUsed` (nullable date-time) among others;
//! `POST /xapi/v1/ServicePrincipals({Id})/Pbx.GenerateAppToken` takes no body and answers
//! `{"value": "<token>"}`; errors use the OData error body. Inferred, not documented: `Number` is the
//! Client ID (DN) a profile signs in with, and an admin-level role is needed to read principals.
//! Because of that, every field except `Id` is read as optional, and a missing one shows as unknown
//! rather than as a guess.

use secrecy::SecretString;
use serde::Serialize;

use crate::report::FailureKind;
use crate::text::one_line;
use crate::validate::{Answer, Failure, status_failure};

/// Only the fields pbxlink shows: `Groups` and `Peers` can be long and would eat the body bound.
pub const LIST_PATH: &str =
    "/xapi/v1/ServicePrincipals?$select=Id,Number,XAPIEnabled,CallControlEnabled,IsSystem,LastUsed";

/// The same without `IsSystem`, which 3CX's spec adds in 20.0.9: an earlier V20 answers a `$select`
/// naming it with OData's 400 ("Could not find a property named 'IsSystem' on type
/// 'Pbx.ServicePrincipal'"), so the list is asked again without it.
pub const LIST_PATH_BEFORE_20_0_9: &str =
    "/xapi/v1/ServicePrincipals?$select=Id,Number,XAPIEnabled,CallControlEnabled,LastUsed";

/// What is said of `IsSystem` when the PBX's version does not have it.
pub const SYSTEM_NOT_SHOWN: &str = "not shown on 3CX before 20.0.9";

/// The most pages of principals read: far more than any PBX has, and a bound on a server whose
/// next-page links never end (or lead back to a page already read).
pub const MAX_PAGES: usize = 50;

/// One page of the principals collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub principals: Vec<Principal>,
    /// `@odata.nextLink` as the PBX wrote it (relative or absolute); `None` on the last page.
    pub next: Option<String>,
}

/// The action that makes a new app token for principal `id`.
pub fn generate_path(id: i32) -> String {
    format!("/xapi/v1/ServicePrincipals({id})/Pbx.GenerateAppToken")
}

/// One service principal. A field the PBX did not send (or sent with an unexpected type) is `None`:
/// unknown, never guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub id: i32,
    /// The Client ID (DN) an integration signs in with (inferred from 3CX's admin console).
    pub number: Option<String>,
    pub xapi_enabled: Option<bool>,
    pub call_control_enabled: Option<bool>,
    pub is_system: Option<bool>,
    /// Why `is_system` is unknown when the PBX's version has no such field ([`SYSTEM_NOT_SHOWN`]).
    pub is_system_note: Option<&'static str>,
    /// As the PBX wrote it (an ISO 8601 date-time); `None` when null or missing.
    pub last_used: Option<String>,
}

impl Principal {
    /// True when this is the principal a profile with `client_id` signs in with. False when the
    /// PBX did not say its Number: unknown is never claimed as a match.
    pub fn is_own(&self, client_id: &str) -> bool {
        self.number.as_deref() == Some(client_id)
    }
}

/// Where a principals request failed, what the server said, and the fix; plain data for the CLI
/// and (later) the TUI. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The request that failed; `None` while signing in (dns, connect, token), before it was sent.
    pub step: Option<Step>,
    pub kind: FailureKind,
    /// One line: the step and what happened.
    pub detail: String,
    /// What the user should do about it.
    pub fix: String,
}

impl Problem {
    /// The profile's secret reference could not be read: nothing was sent.
    pub fn secret_unavailable(detail: String) -> Problem {
        Problem {
            step: None,
            kind: FailureKind::SecretUnavailable,
            detail,
            fix: super::guide().hint_at("secret", FailureKind::SecretUnavailable),
        }
    }
}

/// The step a principals request failed at, so the fix names the right thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    List,
    Generate,
}

impl Step {
    /// Its key among the 3CX guide's step-specific hints (`"principals.forbidden"`).
    pub fn id(self) -> &'static str {
        match self {
            Step::List => "principals",
            Step::Generate => "app_token",
        }
    }

    /// What was being done, to start a failure's detail.
    pub fn doing(self) -> &'static str {
        match self {
            Step::List => "listing service principals",
            Step::Generate => "generating an app token",
        }
    }
}

/// The fix for a failed list or generate request, from the 3CX guide (words are data): the step's
/// own hint when there is one (a 403 names the roles), else the kind's general one.
pub fn fix(step: Step, kind: FailureKind) -> String {
    super::guide().hint_at(step.id(), kind)
}

/// A failed answer, or a request that got none, as a problem at `step` (a 403 says the role is
/// probably too low).
pub fn refused(step: Step, f: Failure) -> Problem {
    // Principals are only ever asked for with a token 3CX has just issued: a 401 is an ended token.
    let (kind, detail) = crate::providers::threecx::after_token(f);
    let what = step.doing();
    let detail = match kind {
        FailureKind::Forbidden => format!("{what}: {detail} (the integration's role is probably too low)"),
        _ => format!("{what}: {detail}"),
    };
    Problem { step: Some(step), kind, detail, fix: fix(step, kind) }
}

fn bad(step: Step, why: &str) -> Problem {
    let kind = FailureKind::BadResponse;
    Problem { step: Some(step), kind, detail: format!("{}: {why}", step.doing()), fix: fix(step, kind) }
}

/// The list goes on at a link that is not a web address (`what`): not followed; `read` principals
/// came before it.
pub fn next_page_unreadable(what: &str, read: usize) -> Problem {
    pages_problem(format!(
        "the link to the next page (@odata.nextLink) is {}, not a web address; only the first {read} principals could be read",
        one_line(what, 80)
    ))
}

/// The PBX offered more than [`MAX_PAGES`] pages: the list is not shown cut short as if whole.
pub fn too_many_pages(read: usize) -> Problem {
    pages_problem(format!(
        "the PBX offered more than {MAX_PAGES} pages; pbxlink stopped after {read} principals rather than show part of the list as all of it"
    ))
}

fn pages_problem(why: String) -> Problem {
    let kind = FailureKind::BadResponse;
    let fix = super::guide().hint_at("next_page", kind);
    Problem { step: Some(Step::List), kind, detail: format!("{}: {why}", Step::List.doing()), fix }
}

/// Reads one page of the `ServicePrincipals` answer.
pub fn interpret_page(a: &Answer) -> Result<Page, Problem> {
    if let Some(f) = status_failure(a) {
        return Err(refused(Step::List, f));
    }
    let v: serde_json::Value = serde_json::from_slice(&a.body)
        .map_err(|_| bad(Step::List, &format!("HTTP {}: the answer is not JSON", a.status)))?;
    let Some(items) = v.get("value").and_then(|x| x.as_array()) else {
        return Err(bad(Step::List, "the answer has no \"value\" list of principals"));
    };
    let principals = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            principal(item)
                .ok_or_else(|| bad(Step::List, &format!("principal #{} in the answer has no whole-number Id", i + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let next = v.get("@odata.nextLink").and_then(|l| l.as_str()).map(str::trim).filter(|l| !l.is_empty());
    Ok(Page { principals, next: next.map(str::to_string) })
}

/// One principal, `None` without a usable `Id` (the one field pbxlink relies on).
fn principal(v: &serde_json::Value) -> Option<Principal> {
    let id = v.get("Id")?.as_i64().and_then(|n| i32::try_from(n).ok())?;
    let flag = |k: &str| v.get(k).and_then(serde_json::Value::as_bool);
    let text = |k: &str, max: usize| v.get(k).and_then(|x| x.as_str()).map(|s| one_line(s, max));
    // A DN is text in the spec; a PBX that sends it as a number still means the same DN.
    let number = text("Number", 40).or_else(|| v.get("Number").and_then(|n| n.as_u64()).map(|n| n.to_string()));
    Some(Principal {
        id,
        number: number.filter(|n| !n.is_empty()),
        xapi_enabled: flag("XAPIEnabled"),
        call_control_enabled: flag("CallControlEnabled"),
        is_system: flag("IsSystem"),
        is_system_note: None,
        last_used: text("LastUsed", 40).filter(|s| !s.is_empty()),
    })
}

/// Reads the `GenerateAppToken` answer. The body of a 2xx answer is never quoted in a detail: it
/// may hold the token.
pub fn interpret_app_token(a: &Answer) -> Result<SecretString, Problem> {
    if let Some(f) = status_failure(a) {
        return Err(refused(Step::Generate, f));
    }
    let no_token = || bad(Step::Generate, &format!("HTTP {}: the answer holds no token", a.status));
    let v: serde_json::Value = serde_json::from_slice(&a.body).map_err(|_| no_token())?;
    match v.get("value").and_then(|t| t.as_str()).map(str::trim) {
        Some(t) if !t.is_empty() && !t.chars().any(char::is_control) => Ok(SecretString::from(t.to_string())),
        _ => Err(no_token()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn ans(status: u16, body: &str) -> Answer {
        Answer { status, body: body.as_bytes().to_vec(), ..Default::default() }
    }

    fn interpret_list(a: &Answer) -> Result<Vec<Principal>, Problem> {
        interpret_page(a).map(|p| p.principals)
    }

    #[test]
    fn list_reads_every_field() {
        let body = r#"{"@odata.context":"https://pbx/xapi/v1/$metadata#ServicePrincipals","value":[
            {"Id":3,"Number":"900","XAPIEnabled":true,"CallControlEnabled":false,"IsSystem":false,"LastUsed":"2025-06-02T08:15:00Z"},
            {"Id":4,"Number":"901","XAPIEnabled":false,"CallControlEnabled":true,"IsSystem":true,"LastUsed":null}]}"#;
        let list = interpret_list(&ans(200, body)).expect("list");
        assert_eq!(
            list[0],
            Principal {
                id: 3,
                number: Some("900".into()),
                xapi_enabled: Some(true),
                call_control_enabled: Some(false),
                is_system: Some(false),
                is_system_note: None,
                last_used: Some("2025-06-02T08:15:00Z".into()),
            }
        );
        assert_eq!(list[1].last_used, None, "null LastUsed is unknown, not an error");
        assert_eq!((list[1].xapi_enabled, list[1].is_system), (Some(false), Some(true)));
        assert!(list[0].is_own("900") && !list[1].is_own("900"));
    }

    #[test]
    fn missing_or_odd_fields_are_unknown_never_guessed() {
        let body = r#"{"value":[{"Id":7},{"Id":8,"Number":905,"XAPIEnabled":"yes","LastUsed":""},{"Id":9,"Number":"a\u001b[2Jb"}]}"#;
        let list = interpret_list(&ans(200, body)).expect("list");
        assert_eq!(
            list[0],
            Principal {
                id: 7,
                number: None,
                xapi_enabled: None,
                call_control_enabled: None,
                is_system: None,
                is_system_note: None,
                last_used: None
            }
        );
        assert!(!list[0].is_own(""), "no Number never matches a profile");
        assert_eq!(list[1].number.as_deref(), Some("905"));
        assert_eq!(list[1].xapi_enabled, None, "a string is not a yes");
        assert_eq!(list[1].last_used, None);
        assert_eq!(list[2].number.as_deref(), Some("a [2Jb"), "server text cannot move the cursor");
        assert_eq!(interpret_list(&ans(200, r#"{"value":[]}"#)), Ok(vec![]));
    }

    #[test]
    fn list_failures_are_clear() {
        let e = |a: Answer| interpret_list(&a).expect_err("failure");
        let no_id = e(ans(200, r#"{"value":[{"Id":1},{"Number":"900"}]}"#));
        assert_eq!(no_id.kind, FailureKind::BadResponse);
        assert!(no_id.detail.contains("#2") && no_id.detail.contains("Id"), "{}", no_id.detail);
        let big = e(ans(200, r#"{"value":[{"Id":99999999999}]}"#));
        assert_eq!(big.kind, FailureKind::BadResponse);
        let html = e(ans(200, "<!doctype html>"));
        assert_eq!(html.kind, FailureKind::BadResponse);
        assert!(html.detail.contains("not JSON"), "{}", html.detail);
        assert_eq!(e(ans(200, r#"{"Id":1}"#)).kind, FailureKind::BadResponse);
        assert_eq!(e(ans(200, r#"{"value":{"Id":1}}"#)).kind, FailureKind::BadResponse);
        assert_eq!(e(ans(404, "")).kind, FailureKind::NotFound);
        let refused = e(ans(401, ""));
        assert_eq!((refused.step, refused.kind), (Some(Step::List), FailureKind::TokenEnded));
        assert!(refused.fix.contains("another program"), "a token refused right after it was issued: {}", refused.fix);
        assert!(refused.fix.contains("do not delete it"), "{}", refused.fix);
        assert_eq!(e(ans(503, "")).kind, FailureKind::ServerError);
    }

    #[test]
    fn a_page_says_where_the_next_one_is() {
        let body = r#"{"value":[{"Id":1}],"@odata.nextLink":"https://pbx/xapi/v1/ServicePrincipals?$skip=1"}"#;
        let page = interpret_page(&ans(200, body)).expect("page");
        assert_eq!(page.next.as_deref(), Some("https://pbx/xapi/v1/ServicePrincipals?$skip=1"));
        assert_eq!(page.principals.len(), 1);
        for last in [r#"{"value":[]}"#, r#"{"value":[],"@odata.nextLink":""}"#, r#"{"value":[],"@odata.nextLink":7}"#] {
            assert_eq!(interpret_page(&ans(200, last)).expect("page").next, None, "{last}");
        }
        let p = next_page_unreadable("a data address", 2);
        assert_eq!((p.step, p.kind), (Some(Step::List), FailureKind::BadResponse));
        assert!(p.detail.contains("a data address") && p.detail.contains("first 2"), "{}", p.detail);
        assert!(p.fix.contains("pages"), "{}", p.fix);
        assert!(too_many_pages(100).detail.contains(&format!("more than {MAX_PAGES} pages")));
    }

    #[test]
    fn forbidden_names_the_roles() {
        let p = interpret_list(&ans(403, r#"{"error":{"code":"Forbidden","message":"Access denied"}}"#))
            .expect_err("forbidden");
        assert_eq!(p.kind, FailureKind::Forbidden);
        assert!(p.detail.contains("Access denied") && p.detail.contains("role"), "{}", p.detail);
        assert!(p.fix.contains("System Owner or System Admin") && p.fix.contains("role"), "{}", p.fix);
    }

    #[test]
    fn app_token_is_read_and_never_quoted() {
        let t = interpret_app_token(&ans(200, r#"{"@odata.context":"x","value":"tok-123"}"#)).expect("token");
        assert_eq!(t.expose_secret(), "tok-123");
        let e = |a: Answer| interpret_app_token(&a).expect_err("failure");
        for body in
            [r#"{"value":""}"#, r#"{"value":42}"#, r#"{"token":"tok-456"}"#, "tok-789", "", r#"{"value":"a\nb"}"#]
        {
            let p = e(ans(200, body));
            assert_eq!(p.kind, FailureKind::BadResponse, "{body}");
            assert!(!p.detail.contains("tok-") && !p.fix.contains("tok-"), "{p:?}");
        }
    }

    #[test]
    fn app_token_odata_errors() {
        let nf = interpret_app_token(&ans(404, r#"{"error":{"code":"NotFound","message":"Entity not found"}}"#))
            .expect_err("404");
        assert_eq!(nf.kind, FailureKind::NotFound);
        assert!(nf.detail.contains("Entity not found") && nf.fix.contains("pbxlink 3cx principals"), "{nf:?}");
        let fb = interpret_app_token(&ans(403, r#"{"error":{"code":"Forbidden","message":"Access denied"}}"#))
            .expect_err("403");
        assert_eq!(fb.kind, FailureKind::Forbidden);
        assert!(fb.fix.contains("System Owner or System Admin"), "{}", fb.fix);
        assert_eq!(generate_path(12), "/xapi/v1/ServicePrincipals(12)/Pbx.GenerateAppToken");
    }
}
