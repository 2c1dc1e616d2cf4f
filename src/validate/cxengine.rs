//! The CX-Engine validation sequence: DNS, connect (TCP + TLS), and a client-credentials token
//! request (the same API client serves both of 3CX's methods). Answers are read by
//! `providers::cxengine`.

use secrecy::ExposeSecret;

use super::session;
use super::{Options, Progress, Tracker};
use crate::profile::CxEngine;
use crate::providers::ProviderId;
use crate::providers::cxengine as p;
use crate::report::{CheckState, FailureKind, Report};

pub async fn run(c: &CxEngine, opts: &Options, progress: &mut (dyn FnMut(Progress) + Send)) -> Report {
    let guide = ProviderId::CxEngine.guide();
    let plan: Vec<(&'static str, String)> =
        ["dns", "connect", "token"].into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut t = Tracker::new(&plan, progress);
    let hint = |at: &str, k: FailureKind| guide.hint_at(at, k);

    let Some(s) = session::open(&mut t, &c.base_url, opts).await else { return t.finish(hint) };
    let url = format!("{}{}", s.base, p::TOKEN_PATH);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", c.client_id.as_str()),
        ("client_secret", c.client_secret.expose_secret()),
    ];
    let req = s.client.post(&url).form(&form);
    let Some((answer, ms)) = s.first(&mut t, "token", req).await else { return t.finish(hint) };
    match p::interpret_token(&answer, &url) {
        Ok(detail) => t.end("token", CheckState::Passed, detail, Some(ms)),
        Err((kind, detail)) => {
            t.failure.get_or_insert(kind);
            t.end("token", CheckState::Failed(kind), detail, Some(ms));
        }
    }
    t.finish(hint)
}
