//! The CX-Engine validation sequence: DNS, connect (TCP + TLS), and a client-credentials token
//! request (the same API client serves both of 3CX's methods); for the Authorization Code method
//! an `approval` check that says plainly it is not checked (only 3CX can prove it); then, when the
//! profile links a saved 3CX profile, a read-only look at the PBX's CRM settings (`crm`). Answers are read by
//! this unit's `mod.rs` and `crm_integration.rs`.

use secrecy::ExposeSecret;

use super::template_xml as crm_template;
use super::{self as p, CxEngine, crm_integration};
use crate::profile::Profile;
use crate::providers::threecx::{ThreeCx, check as threecx};
use crate::report::{CheckState, FailureKind, Report};
use crate::validate::{Options, Progress, Tracker, session};

/// The client-credentials token request (RFC 6749 §4.4, the secret in the form) and its URL.
fn token_request(s: &session::Session, c: &CxEngine) -> (String, session::Request) {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", c.client_id.as_str()),
        ("client_secret", c.client_secret.expose_secret()),
    ];
    (format!("{}{}", s.base, p::TOKEN_PATH), s.form_post(p::TOKEN_PATH, &form, None))
}

/// A new client-credentials token for `c` (`pbxlink token`), with its lifetime in seconds when
/// CX-Engine says one; `Err`: the report of the check that failed.
pub async fn issue(c: &CxEngine, opts: &Options) -> Result<(secrecy::SecretString, Option<u64>), Report> {
    let guide = super::guide();
    let plan: Vec<(&'static str, String)> =
        ["dns", "connect", "token"].into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut quiet = |_: Progress| {};
    let mut t = Tracker::new(&plan, &mut quiet);
    let hint = |at: &str, k: FailureKind| guide.hint_at(at, k);
    let Some(s) = session::open(&mut t, &c.base_url, opts).await else { return Err(t.finish(hint)) };
    let (url, req) = token_request(&s, c);
    let Some((answer, ms)) = s.first(&mut t, "token", req).await else { return Err(t.finish(hint)) };
    let (kind, detail) = match p::judge_token(&answer, &url, p::AuthMethod::ClientCredentials) {
        p::TokenOutcome::Issued(detail) => match p::issued_token(&answer) {
            Some(token) => return Ok(token),
            None => (FailureKind::BadResponse, format!("{detail}, but no token could be read from it")),
        },
        p::TokenOutcome::MethodMismatch(why) => (FailureKind::Forbidden, why),
        p::TokenOutcome::Failed(f) => f,
        p::TokenOutcome::NotChecked(why) => (FailureKind::BadResponse, why),
    };
    t.failure.get_or_insert(kind);
    t.end("token", CheckState::Failed(kind), detail, Some(ms));
    Err(t.finish(hint))
}

pub async fn run(
    c: &CxEngine,
    linked: Option<&Profile>,
    opts: &Options,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Report {
    let guide = super::guide();
    let code_flow = c.auth_method == p::AuthMethod::AuthorizationCode;
    let mut ids = vec!["dns", "connect", "token"];
    if code_flow {
        ids.push("approval");
    }
    if c.pbx_profile.is_some() {
        ids.push("crm");
    }
    let plan: Vec<(&'static str, String)> = ids.into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut t = Tracker::new(&plan, progress);
    let hint = |at: &str, k: FailureKind| guide.hint_at(at, k);

    let Some(s) = session::open(&mut t, &c.base_url, opts).await else { return t.finish(hint) };
    let (url, req) = token_request(&s, c);
    let Some((answer, ms)) = s.first(&mut t, "token", req).await else { return t.finish(hint) };
    match p::judge_token(&answer, &url, c.auth_method) {
        p::TokenOutcome::Issued(detail) => t.end("token", CheckState::Passed, detail, Some(ms)),
        p::TokenOutcome::NotChecked(why) => t.end("token", CheckState::NotAvailable, why, Some(ms)),
        p::TokenOutcome::MethodMismatch(why) => {
            t.failure.get_or_insert(FailureKind::Forbidden);
            t.end("token", CheckState::Failed(FailureKind::Forbidden), why, Some(ms));
            return t.finish(|_, k| guide.hint_at("method", k));
        }
        p::TokenOutcome::Failed((kind, detail)) => {
            t.failure.get_or_insert(kind);
            t.end("token", CheckState::Failed(kind), detail, Some(ms));
            return t.finish(hint);
        }
    }
    if code_flow {
        t.end("approval", CheckState::NotAvailable, guide.note("approval"), None);
    }
    // The CX-Engine connection is done with: the 3CX read is another host.
    drop(s);
    if let Some(name) = &c.pbx_profile {
        t.start("crm");
        match crm(name, linked, c, opts, &mut t).await {
            Ok(crm_integration::Crm::Uses(detail)) => t.pass("crm", detail),
            Ok(crm_integration::Crm::NotChecked(detail)) => t.end("crm", CheckState::NotAvailable, detail, None),
            Err((CheckState::Failed(kind), detail, blame)) => {
                // A failing proxy on the way to the linked 3CX has the fix for that, naming the PBX.
                t.blame = blame.map(|b| if b == "proxy" { "crm.proxy" } else { b });
                t.fail("crm", kind, detail)
            }
            Err((state, detail, _)) => t.end("crm", state, detail, None),
        }
    }
    t.finish(hint)
}

/// What the `crm` check ends with when it does not pass: its state, its detail, and what else is
/// to blame (`"proxy"`: the proxy failed on the way to the linked 3CX).
type CrmFailure = (CheckState, String, Option<&'static str>);

/// Reads the linked 3CX's CRM settings with that profile's own credentials: the 3CX checks run on
/// a scratch tracker and their first failure becomes the `crm` check's, prefixed with the PBX. A
/// wait for the 3CX token's lock is shown on `outer`'s `crm` check.
async fn crm(
    name: &str,
    linked: Option<&Profile>,
    c: &CxEngine,
    opts: &Options,
    outer: &mut Tracker<'_>,
) -> Result<crm_integration::Crm, CrmFailure> {
    let Some((pbx, x)) = linked.and_then(|l| Some((l, ThreeCx::of(l)?))) else {
        return Err((CheckState::NotAvailable, format!("n/a: there is no saved 3CX profile named \"{name}\""), None));
    };
    let opts = opts.for_profile(pbx);
    let failed =
        |kind: FailureKind, detail: String| (CheckState::Failed(kind), format!("3CX {}: {detail}", x.domain), None);
    let mut relay = |p: Progress| {
        if let Progress::Update(ch) = p
            && ch.state == CheckState::Running
            && !ch.detail.is_empty()
        {
            outer.waiting("crm", format!("3CX {}: {}", x.domain, ch.detail));
        }
    };
    let plan = [("dns", String::new()), ("connect", String::new()), ("token", String::new())];
    let mut sub = Tracker::new(&plan, &mut relay);
    let first_failure = |sub: Tracker<'_>| {
        let blame = sub.blame;
        let report = sub.finish(|_, _| String::new());
        let c = report.checks.into_iter().find(|c| matches!(c.state, CheckState::Failed(_)));
        let (state, detail, _) = match c {
            Some(c) => failed(report.failure.unwrap_or(FailureKind::BadResponse), format!("{}: {}", c.id, c.detail)),
            None => failed(FailureKind::BadResponse, "no answer".into()),
        };
        (state, detail, blame)
    };
    let Some((s, token)) = threecx::sign_in(&mut sub, &x, &opts).await else { return Err(first_failure(sub)) };
    let expected = c
        .template_path
        .as_deref()
        .and_then(|p| super::template::read(p).ok())
        .and_then(|text| crm_template::template_name(&text));
    let answer =
        s.get(crm_integration::PATH, token.access_token.expose_secret()).await.map_err(|(k, d)| failed(k, d))?;
    crm_integration::interpret(&answer, expected.as_deref()).map_err(|(k, d)| failed(k, d))
}
