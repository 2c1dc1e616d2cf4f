//! The 3CX validation sequence: DNS, connect (TCP + TLS), token, one authenticated read, then the
//! optional system details. Requests and answers are interpreted by `providers::threecx`.

use secrecy::ExposeSecret;

use super::session;
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

    let Some(s) = session::open(&mut t, &cx.domain, opts).await else { return t.finish(hint) };
    let form = [
        ("client_id", cx.client_id.as_str()),
        ("client_secret", cx.api_key.expose_secret()),
        ("grant_type", "client_credentials"),
    ];
    let req = s.client.post(format!("{}{}", s.base, p::TOKEN_PATH)).form(&form);
    let Some((answer, ms)) = s.first(&mut t, "token", req).await else { return t.finish(hint) };
    let token = match p::interpret_token(&answer) {
        Ok(tok) => {
            t.end("token", CheckState::Passed, p::token_detail(&tok), Some(ms));
            tok
        }
        Err((kind, detail)) => {
            t.failure.get_or_insert(kind);
            t.end("token", CheckState::Failed(kind), detail, Some(ms));
            return t.finish(hint);
        }
    };

    t.start("access");
    match s.get(p::ACCESS_PATH, token.access_token.expose_secret()).await.and_then(|a| p::interpret_access(&a)) {
        Ok(detail) => t.pass("access", detail),
        Err((kind, detail)) => {
            t.fail("access", kind, detail);
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
