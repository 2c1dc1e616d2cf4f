//! The 3CX validation sequence: DNS, connect (TCP + TLS), token, one authenticated read, then the
//! optional system details. Requests and answers are interpreted by `providers::threecx`.
//!
//! A 403 may come from 3CX's Console Restrictions, an allow-list of client IP addresses, so the
//! detail of a 403 says which address the PBX saw this machine as, when that is known.

use secrecy::ExposeSecret;

use super::session::{self, Session};
use super::{Options, Progress, Tracker};
use crate::profile::ThreeCx;
use crate::providers::ProviderId;
use crate::providers::threecx::{self as p, Details};
use crate::report::{CheckState, FailureKind, Report};

pub async fn run(cx: &ThreeCx, opts: &Options, progress: &mut (dyn FnMut(Progress) + Send)) -> Report {
    let guide = ProviderId::ThreeCx.guide();
    let plan: Vec<(&'static str, String)> =
        ["dns", "connect", "token", "access", "details"].into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut t = Tracker::new(&plan, progress);
    let hint = |at: &str, k: FailureKind| guide.hint_at(at, k);

    let Some((s, token)) = sign_in(&mut t, cx, opts).await else { return t.finish(hint) };

    t.start("access");
    match s.get(p::ACCESS_PATH, token.access_token.expose_secret()).await.and_then(|a| p::interpret_access(&a)) {
        Ok(detail) => t.pass("access", detail),
        Err((kind, detail)) => {
            t.fail("access", kind, with_origin(&s, kind, detail));
            return t.finish(hint);
        }
    }

    t.start("details");
    match s.get(p::DETAILS_PATH, token.access_token.expose_secret()).await {
        Ok(a) => match p::interpret_details(&a) {
            Details::Found(d) => t.pass("details", d),
            Details::NotAvailable(d) => t.end("details", CheckState::NotAvailable, d, None),
        },
        Err((_, detail)) => t.end("details", CheckState::NotAvailable, format!("n/a: {detail}"), None),
    }
    t.finish(hint)
}

/// The `dns`, `connect` and `token` checks every 3CX conversation starts with (validation, and the
/// service principal requests): the session, and a token for `cx`. `None` when a check failed; it
/// is already marked on `t`.
pub(super) async fn sign_in(t: &mut Tracker<'_>, cx: &ThreeCx, opts: &Options) -> Option<(Session, p::Token)> {
    let s = session::open(t, &cx.domain, opts).await?;
    let form = [
        ("client_id", cx.client_id.as_str()),
        ("client_secret", cx.api_key.expose_secret()),
        ("grant_type", "client_credentials"),
    ];
    let req = s.client.post(format!("{}{}", s.base, p::TOKEN_PATH)).form(&form);
    let (answer, ms) = s.first(t, "token", req).await?;
    match p::interpret_token(&answer) {
        Ok(tok) => {
            t.end("token", CheckState::Passed, p::token_detail(&tok), Some(ms));
            Some((s, tok))
        }
        Err((kind, detail)) => {
            t.failure.get_or_insert(kind);
            t.end("token", CheckState::Failed(kind), with_origin(&s, kind, detail), Some(ms));
            None
        }
    }
}

/// A 403's detail with the address the PBX saw (the fixes of both 403s name IP restrictions).
fn with_origin(s: &Session, kind: FailureKind, detail: String) -> String {
    match (kind, s.seen_as("the PBX")) {
        (FailureKind::Forbidden, Some(seen)) => format!("{detail}; {seen}"),
        _ => detail,
    }
}
