//! The 8x8 validation sequence: DNS, connect (TCP + TLS), the token (HTTP Basic client
//! credentials), the products the token grants against the ones chosen, and with a region each
//! chosen product's own API at its documented regional address. Requests and answers are
//! interpreted by the pure functions of `providers::eightbyeight`; a probe only ever confirms, it never fails a link.

use secrecy::ExposeSecret;

use super::{self as p, EightByEight, Products};
use crate::report::{CheckState, FailureKind, Report};
use crate::validate::{Options, Progress, Tracker, session};

/// The `dns`, `connect` and `token` checks: the session and a token, or `None` with the failed
/// check marked on `t`.
async fn sign_in(t: &mut Tracker<'_>, e: &EightByEight, opts: &Options) -> Option<(session::Session, p::Token)> {
    let s = session::open(t, e.host(), opts).await?;
    let basic = Some((e.client_id.as_str(), &e.client_secret));
    let req = s.form_post(p::TOKEN_PATH, &[("grant_type", "client_credentials")], basic);
    let (answer, ms) = s.first(t, "token", req).await?;
    match p::interpret_token(&answer) {
        Ok(tok) => {
            t.end("token", CheckState::Passed, tok.detail(), Some(ms));
            Some((s, tok))
        }
        Err((kind, detail)) => {
            t.failure.get_or_insert(kind);
            t.end("token", CheckState::Failed(kind), detail, Some(ms));
            None
        }
    }
}

/// A new token for `e` alone (`pbxlink token`); `Err`: the report of the check that failed.
pub async fn issue(e: &EightByEight, opts: &Options) -> Result<p::Token, Report> {
    let guide = super::guide();
    let plan: Vec<(&'static str, String)> =
        ["dns", "connect", "token"].into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut quiet = |_: Progress| {};
    let mut t = Tracker::new(&plan, &mut quiet);
    match sign_in(&mut t, e, opts).await {
        Some((_, token)) => Ok(token),
        None => Err(t.finish(|at, k| guide.hint_at(at, k))),
    }
}

pub async fn run(e: &EightByEight, opts: &Options, progress: &mut (dyn FnMut(Progress) + Send)) -> Report {
    let guide = super::guide();
    let mut ids = vec!["dns", "connect", "token", "products"];
    if e.region.is_some() {
        ids.push("probes");
    }
    let plan: Vec<(&'static str, String)> = ids.into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut t = Tracker::new(&plan, progress);
    let hint = |at: &str, k: FailureKind| guide.hint_at(at, k);

    let Some((s, token)) = sign_in(&mut t, e, opts).await else { return t.finish(hint) };

    t.start("products");
    match p::compare(guide, &e.products, token.granted.as_ref()) {
        Products::AllGranted(d) => t.pass("products", d),
        Products::Unknown(d) => t.end("products", CheckState::NotAvailable, d, None),
        Products::Missing(names, why) => {
            t.fail("products", FailureKind::Forbidden, format!("not granted: {} ({why})", names.join(", ")));
            return t.finish(hint);
        }
    }

    // With a region, each chosen product's own API is asked once (same connection, same token),
    // where 8x8 documents the address for that region.
    if let Some(region) = &e.region {
        t.start("probes");
        let (mut answered, mut unclear) = (Vec::new(), Vec::new());
        for id in &e.products {
            let name = guide.product_name(id);
            let path = match p::probe_plan(guide, id, region) {
                p::ProbePlan::Path(path) => path,
                p::ProbePlan::NotChecked(why) => {
                    unclear.push(format!("{name} ({why})"));
                    continue;
                }
            };
            let granted = p::grants_product(guide, id, token.granted.as_ref());
            match s.get(&path, token.access_token.expose_secret()).await {
                Ok(a) => match p::interpret_probe(&a, granted) {
                    p::Probe::Answers => answered.push(name),
                    p::Probe::Unclear(why) => unclear.push(format!("{name} ({why})")),
                },
                Err((_, why)) => unclear.push(format!("{name} ({why})")),
            }
        }
        let mut detail = Vec::new();
        if !answered.is_empty() {
            detail.push(format!("answered in {region}: {}", answered.join(", ")));
        }
        if !unclear.is_empty() {
            detail.push(format!("not checked: {}", unclear.join(", ")));
        }
        if answered.is_empty() {
            t.end("probes", CheckState::NotAvailable, format!("n/a: {}", detail.join("; ")), None);
        } else {
            t.pass("probes", detail.join("; "));
        }
    }
    t.finish(hint)
}
