//! 3CX service principals over the network: list them, or generate an app token for one. Each call
//! signs in with the profile's own key (the `dns`, `connect` and `token` steps of validation, with
//! their code and their fixes), then makes one XAPI request on the same TLS connection; answers are
//! read by `providers::principals`. Plain data in, plain data out, so the CLI and the TUI can both
//! call these.
//!
//! Never part of validation: what `GenerateAppToken` does to the principal's current key is not
//! documented (it may replace it), so only an explicit, confirmed request may call it.

use secrecy::{ExposeSecret, SecretString};

use super::session::Session;
use super::{Options, Progress, Tracker, threecx};
use crate::profile::ThreeCx;
use crate::providers::ProviderId;
use crate::providers::principals::{self as p, Principal, Problem, Step};
use crate::report::{CheckState, FailureKind, Report};

/// Every service principal of the PBX `cx` signs in to. `opts` must already hold the profile's CA
/// file ([`Options::for_profile`]).
pub async fn list(cx: &ThreeCx, opts: &Options) -> Result<Vec<Principal>, Problem> {
    signed_in(cx, opts, async |s: &Session, bearer: &str| {
        let answer = s.get(p::LIST_PATH, bearer).await.map_err(|f| p::refused(Step::List, f))?;
        p::interpret_list(&answer)
    })
    .await
}

/// Asks the PBX for a new app token for principal `id`. The PBX may replace that principal's
/// current key with it: call only after the user confirmed.
pub async fn generate_app_token(cx: &ThreeCx, id: i32, opts: &Options) -> Result<SecretString, Problem> {
    signed_in(cx, opts, async |s: &Session, bearer: &str| {
        let answer = s.post_empty(&p::generate_path(id), bearer).await.map_err(|f| p::refused(Step::Generate, f))?;
        p::interpret_app_token(&answer)
    })
    .await
}

/// Signs in as validation does, then runs `request` with the session and the access token. The
/// sign-in's checks go to a scratch tracker nobody watches: only its verdict and fix are kept.
async fn signed_in<T>(
    cx: &ThreeCx,
    opts: &Options,
    request: impl AsyncFnOnce(&Session, &str) -> Result<T, Problem>,
) -> Result<T, Problem> {
    let guide = ProviderId::ThreeCx.guide();
    let plan: Vec<(&'static str, String)> =
        ["dns", "connect", "token"].into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut quiet = |_: Progress| {};
    let mut t = Tracker::new(&plan, &mut quiet);
    let Some((s, token)) = threecx::sign_in(&mut t, cx, opts).await else {
        return Err(sign_in_problem(t.finish(|at, k| guide.hint_at(at, k))));
    };
    request(&s, token.access_token.expose_secret()).await
}

/// The failed sign-in check of `r` as a problem, with the validation's own fix for it.
fn sign_in_problem(r: Report) -> Problem {
    let failed = r.checks.iter().find(|c| matches!(c.state, CheckState::Failed(_)));
    Problem {
        step: None,
        kind: r.failure.unwrap_or(FailureKind::BadResponse),
        detail: failed.map_or_else(|| "signing in failed".to_string(), |c| format!("{}: {}", c.title, c.detail)),
        fix: r.hint.unwrap_or_default(),
    }
}
