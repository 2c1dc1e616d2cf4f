//! 3CX service principals over the network: list them, or generate an app token for one. Each call
//! signs in with the profile's own key (the `dns`, `connect` and `token` steps of validation, with
//! their code and their fixes), then makes one XAPI request on the same TLS connection; answers are
//! read by `providers::principals`. Plain data in, plain data out, so the CLI and the TUI can both
//! call these.
//!
//! The list may come in pages (`@odata.nextLink`): every page is read, on the same connection,
//! only from the host the profile names.
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

/// Every service principal of the PBX `cx` signs in to, from every page. `opts` must already hold
/// the profile's CA file ([`Options::for_profile`]).
pub async fn list(cx: &ThreeCx, opts: &Options) -> Result<Vec<Principal>, Problem> {
    signed_in(cx, opts, async |s: &Session, bearer: &str| {
        let mut all = Vec::new();
        let mut path = p::LIST_PATH.to_string();
        for _ in 0..p::MAX_PAGES {
            let answer = s.get(&path, bearer).await.map_err(|f| p::refused(Step::List, f))?;
            let page = p::interpret_page(&answer)?;
            all.extend(page.principals);
            let Some(link) = page.next else { return Ok(all) };
            path = next_path(&s.base, &path, &link, s.host())
                .map_err(|other| p::next_page_elsewhere(&other, all.len()))?;
        }
        Err(p::too_many_pages(all.len()))
    })
    .await
}

/// The path and query of the next page, `link` resolved against the page just read (`base` +
/// `path`), as OData resolves a relative `@odata.nextLink`; `Err` with the other host when the link
/// names another host than `host`. The request always goes to `base`, the address the profile
/// names, whatever scheme or port an absolute link writes: a PBX behind its own reverse proxy may
/// write its links with the inner scheme or without the port, and the token never goes to an
/// address taken from an answer.
fn next_path(base: &str, path: &str, link: &str, host: &str) -> Result<String, String> {
    let current = reqwest::Url::parse(&format!("{base}{path}")).map_err(|_| "an unreadable address".to_string())?;
    let next = current.join(link).map_err(|_| "an unreadable address".to_string())?;
    let named = next.host_str().unwrap_or("no host");
    let same = named.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').eq_ignore_ascii_case(host);
    if !same || !matches!(next.scheme(), "https" | "http") {
        return Err(named.to_string());
    }
    Ok(match next.query() {
        Some(q) => format!("{}?{q}", next.path()),
        None => next.path().to_string(),
    })
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

#[cfg(test)]
mod tests {
    use super::next_path;

    const BASE: &str = "https://pbx.example.com:5001";
    const FIRST: &str = "/xapi/v1/ServicePrincipals?$select=Id,Number";

    fn next(link: &str) -> Result<String, String> {
        next_path(BASE, FIRST, link, "pbx.example.com")
    }

    #[test]
    fn relative_and_same_host_links_are_followed_on_the_profiles_address() {
        let want = Ok("/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2".to_string());
        for link in [
            "https://pbx.example.com:5001/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
            "https://PBX.example.com./xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
            "http://pbx.example.com:5000/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
            "/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
            "ServicePrincipals?$select=Id,Number&$skip=2",
            "?$select=Id,Number&$skip=2",
            "//pbx.example.com/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
        ] {
            assert_eq!(next(link), want, "{link}");
        }
        assert_eq!(next_path("https://[::1]:5001", FIRST, "https://[::1]/xapi/v1/X", "::1"), Ok("/xapi/v1/X".into()));
    }

    #[test]
    fn links_to_another_host_are_refused() {
        assert_eq!(
            next("https://collector.example/xapi/v1/ServicePrincipals?$skip=2"),
            Err("collector.example".into())
        );
        assert_eq!(next("//evil.example/x"), Err("evil.example".into()));
        assert_eq!(next("https://pbx.example.com.evil.example/x"), Err("pbx.example.com.evil.example".into()));
        assert_eq!(next("https://user@evil.example/x"), Err("evil.example".into()));
        assert!(next("ftp://pbx.example.com/x").is_err());
        assert!(next("data:text/plain,hi").is_err());
    }
}
