//! The 8x8 validation sequence: DNS, connect (TCP + TLS), the token (HTTP Basic client
//! credentials), then the products the token grants against the ones chosen. Requests and
//! answers are interpreted by `providers::eightbyeight`.

use secrecy::ExposeSecret;

use super::session;
use super::{Options, Progress, Tracker};
use crate::profile::EightByEight;
use crate::providers::ProviderId;
use crate::providers::eightbyeight::{self as p, Products};
use crate::report::{CheckState, FailureKind, Report};

pub async fn run(e: &EightByEight, opts: &Options, progress: &mut (dyn FnMut(Progress) + Send)) -> Report {
    let guide = ProviderId::EightByEight.guide();
    let plan: Vec<(&'static str, String)> =
        ["dns", "connect", "token", "products"].into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut t = Tracker::new(&plan, progress);
    let hint = |at: &str, k: FailureKind| guide.hint_at(at, k);

    let Some(s) = session::open(&mut t, e.host(), opts).await else { return t.finish(hint) };
    let req = s
        .client
        .post(format!("{}{}", s.base, p::TOKEN_PATH))
        .basic_auth(&e.client_id, Some(e.client_secret.expose_secret()))
        .form(&[("grant_type", "client_credentials")]);
    let Some((answer, ms)) = s.first(&mut t, "token", req).await else { return t.finish(hint) };
    let token = match p::interpret_token(&answer) {
        Ok(tok) => {
            t.end("token", CheckState::Passed, format!("token issued, valid for {} min", tok.minutes), Some(ms));
            tok
        }
        Err((kind, detail)) => {
            t.failure.get_or_insert(kind);
            t.end("token", CheckState::Failed(kind), detail, Some(ms));
            return t.finish(hint);
        }
    };

    t.start("products");
    match p::compare(guide, &e.products, token.granted.as_ref()) {
        Products::AllGranted(d) => t.pass("products", d),
        Products::Unknown(d) => t.end("products", CheckState::NotAvailable, d, None),
        Products::Missing(names) => {
            t.fail("products", FailureKind::Forbidden, format!("not granted: {}", names.join(", ")))
        }
    }
    t.finish(hint)
}
