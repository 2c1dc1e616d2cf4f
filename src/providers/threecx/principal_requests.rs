//! 3CX service principals over the network: list them, or generate an app token for one. Each call
//! signs in with the profile's own key (the `dns`, `connect` and `token` steps of validation, with
//! their code and their fixes), then makes one XAPI request on the same TLS connection; answers are
//! read by `providers::threecx::principals`. Plain data in, plain data out, so the CLI and the TUI can both
//! call these.
//!
//! The list may come in pages (`@odata.nextLink`): every page is read, on the same connection,
//! always from the address the profile names. A PBX older than 20.0.9 refuses the `IsSystem`
//! field with OData's 400: the list is asked once more without it, and each principal says so.
//!
//! Never part of validation: what `GenerateAppToken` does to the principal's current key is not
//! documented (it may replace it), so only an explicit, confirmed request may call it.

use secrecy::{ExposeSecret, SecretString};

use super::principals::{self as p, Principal, Problem, Step};
use super::{ThreeCx, check as threecx};
use crate::report::{CheckState, FailureKind, Report};
use crate::validate::session::Session;
use crate::validate::{Options, Progress, Tracker};

/// Every service principal of the PBX `cx` signs in to, from every page. `opts` must already hold
/// the profile's CA file ([`Options::for_profile`]).
/// `waiting` hears what the sign-in waits for (another pbxlink holding the Client ID's token).
pub async fn list(
    cx: &ThreeCx,
    opts: &Options,
    waiting: &mut (dyn FnMut(&str) + Send),
) -> Result<Vec<Principal>, Problem> {
    signed_in(cx, opts, waiting, async |s: &Session, bearer: &str| {
        let mut all = Vec::new();
        let mut path = p::LIST_PATH.to_string();
        let mut note = None;
        for _ in 0..p::MAX_PAGES {
            let mut answer = s.get(&path, bearer).await.map_err(|f| p::refused(Step::List, f))?;
            if answer.status == 400 && all.is_empty() && note.is_none() {
                // A V20 before 20.0.9 has no IsSystem: ask what it has, and say what is missing.
                path = p::LIST_PATH_BEFORE_20_0_9.to_string();
                note = Some(p::SYSTEM_NOT_SHOWN);
                answer = s.get(&path, bearer).await.map_err(|f| p::refused(Step::List, f))?;
            }
            let page = p::interpret_page(&answer)?;
            all.extend(page.principals.into_iter().map(|pr| p::Principal { is_system_note: note, ..pr }));
            let Some(link) = page.next else { return Ok(all) };
            path = next_path(&s.base, &path, &link)
                .map_err(|NotAWebLink(what)| p::next_page_unreadable(&what, all.len()))?;
        }
        Err(p::too_many_pages(all.len()))
    })
    .await
}

/// A next-page link that is not a web address, and what it is instead ("a data address").
#[derive(Debug, PartialEq, Eq)]
pub struct NotAWebLink(pub String);

/// The path and query of the next page, `link` resolved against the page just read (`base` +
/// `path`), as OData resolves a relative `@odata.nextLink`; `Err` with the link's scheme when it is
/// not a web address. Only its path and query are used: the request always goes to `base`, the
/// address the profile names, so the token never goes to an address taken from an answer. A real
/// PBX writes its links with its own FQDN (as in `@odata.context`), which may not be the name or
/// address the profile uses: the host of the link is not judged.
pub fn next_path(base: &str, path: &str, link: &str) -> Result<String, NotAWebLink> {
    let unreadable = || NotAWebLink("an unreadable address".into());
    let current = reqwest::Url::parse(&format!("{base}{path}")).map_err(|_| unreadable())?;
    let next = current.join(link).map_err(|_| unreadable())?;
    if !matches!(next.scheme(), "https" | "http") {
        return Err(NotAWebLink(format!("a {} address", next.scheme())));
    }
    Ok(match next.query() {
        Some(q) => format!("{}?{q}", next.path()),
        None => next.path().to_string(),
    })
}

/// Asks the PBX for a new app token for principal `id`. The PBX may replace that principal's
/// current key with it: call only after the user confirmed.
pub async fn generate_app_token(
    cx: &ThreeCx,
    id: i32,
    opts: &Options,
    waiting: &mut (dyn FnMut(&str) + Send),
) -> Result<SecretString, Problem> {
    signed_in(cx, opts, waiting, async |s: &Session, bearer: &str| {
        let answer = s.post_empty(&p::generate_path(id), bearer).await.map_err(|f| p::refused(Step::Generate, f))?;
        p::interpret_app_token(&answer)
    })
    .await
}

/// Signs in as validation does, then runs `request` with the session and the access token. The
/// sign-in's checks go to a scratch tracker: only a check held up (waiting for the token's lock)
/// is passed on, to `waiting`, and the verdict and fix are kept.
pub(super) async fn signed_in<T>(
    cx: &ThreeCx,
    opts: &Options,
    waiting: &mut (dyn FnMut(&str) + Send),
    request: impl AsyncFnOnce(&Session, &str) -> Result<T, Problem>,
) -> Result<T, Problem> {
    let guide = super::guide();
    let plan: Vec<(&'static str, String)> =
        ["dns", "connect", "token"].into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut relay = |p: Progress| {
        if let Progress::Update(c) = p
            && c.state == CheckState::Running
            && !c.detail.is_empty()
        {
            waiting(&c.detail);
        }
    };
    let mut t = Tracker::new(&plan, &mut relay);
    let Some((s, token)) = threecx::sign_in(&mut t, cx, opts).await else {
        return Err(sign_in_problem(t.finish(|at, k| guide.hint_at(at, k))));
    };
    // What the PBX said goes into the problem's detail: without the secrets the requests carried.
    request(&s, token.access_token.expose_secret()).await.map_err(|p| Problem { detail: s.redact(&p.detail), ..p })
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

    fn next(link: &str) -> Result<String, super::NotAWebLink> {
        next_path(BASE, FIRST, link)
    }

    #[test]
    fn links_are_followed_on_the_profiles_own_address() {
        let want = Ok("/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2".to_string());
        for link in [
            "https://pbx.example.com:5001/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
            "https://PBX.example.com./xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
            "http://pbx.example.com:5000/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
            // A PBX names itself by its FQDN, which need not be the profile's address: only the
            // path and query are used, on the profile's address.
            "https://pbx-fqdn.my3cx.example/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
            "/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
            "ServicePrincipals?$select=Id,Number&$skip=2",
            "?$select=Id,Number&$skip=2",
            "//pbx.example.com/xapi/v1/ServicePrincipals?$select=Id,Number&$skip=2",
        ] {
            assert_eq!(next(link), want, "{link}");
        }
        assert_eq!(next_path("https://[::1]:5001", FIRST, "https://[::1]/xapi/v1/X"), Ok("/xapi/v1/X".into()));
    }

    #[test]
    fn links_that_are_not_web_addresses_are_refused() {
        assert!(next("ftp://pbx.example.com/x").is_err());
        assert!(next("data:text/plain,hi").is_err());
    }
}
