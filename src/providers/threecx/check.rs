//! The 3CX validation sequence: DNS, connect (TCP + TLS), token, then one authenticated read that
//! also gives the optional system details (SystemStatus), or, where the role may not read those,
//! the read every role may make (Defs). Answers are interpreted by the pure functions of `providers::threecx`.
//!
//! 3CX keeps one active token per Client ID. Every sign-in takes the Client ID's lock across
//! processes (`token_lock`) before asking for a token and keeps it as long as its session, so
//! pbxlinks wait for each other instead of ending each other's tokens. A read that answers 401
//! right after a token was issued may mean someone else (another program, a pbxlink elsewhere)
//! took a new token: a token is asked again once, under the lock, never in a loop (each new token
//! ends the other holder's again). Only a second token that reads proves another holder; a second
//! one refused at once too is `token_refused` (no verdict, no holder claimed), never a rejected
//! key. When the XAPI refuses a token, Call Control is asked (`GET /callcontrol`, as 3CX documents
//! it), so that an integration with Call Control alone is told as such.
//!
//! A 403 may come from 3CX's Console Restrictions, an allow-list of client IP addresses, so the
//! detail of a 403 says which address the PBX saw this machine as, when that is known.

use secrecy::ExposeSecret;

use super::{self as p, Details, ThreeCx};
use crate::report::{CheckState, FailureKind, Report};
use crate::validate::session::{self, Session};
use crate::validate::{Options, Progress, Tracker, token_lock};

pub async fn run(cx: &ThreeCx, opts: &Options, progress: &mut (dyn FnMut(Progress) + Send)) -> Report {
    let guide = super::guide();
    let plan: Vec<(&'static str, String)> =
        ["dns", "connect", "token", "access", "details"].into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut t = Tracker::new(&plan, progress);
    let hint = |at: &str, k: FailureKind| guide.hint_at(at, k);

    let Some((s, mut token)) = sign_in(&mut t, cx, opts).await else { return t.finish(hint) };

    t.start("access");
    // SystemStatus first. A 2xx JSON answer from it is an XAPI read that worked with this token,
    // which is all `access` asks, and it carries the details and the health too: one read after
    // the token, the floor of round trips. Anything else, and `Defs?$select=Id`, the read every
    // role may make, decides `access` as before (which reads a low-privilege role may make is not
    // documented, so a refused SystemStatus says nothing about the link).
    let mut status = s.get(p::DETAILS_PATH, token.access_token.expose_secret()).await;
    if let Some(detail) = status.as_ref().ok().and_then(p::access_from_status) {
        t.pass("access", detail);
    } else {
        let access = async |token: &p::Token| {
            s.get(p::ACCESS_PATH, token.access_token.expose_secret()).await.and_then(|a| p::interpret_access(&a))
        };
        let (mut answer, mut renewed) = (access(&token).await, false);
        if matches!(answer, Err((FailureKind::TokenEnded, _))) {
            // Once: a token taken by another holder in between would explain a 401 here. Only a
            // second token that reads proves it; one refused at once too proves no other holder.
            match token_again(&s, cx).await {
                Ok(fresh) => {
                    token = fresh;
                    renewed = true;
                    answer = match access(&token).await {
                        Ok(d) => {
                            Ok(format!("{d} (with a second token: another holder of the Client ID ended the first)"))
                        }
                        Err((FailureKind::TokenEnded, _)) => Err((FailureKind::TokenRefused, refused_twice(&s))),
                        Err(f) => Err(f),
                    };
                }
                Err(f) => answer = Err(f),
            }
        }
        match answer {
            Ok(detail) => t.pass("access", detail),
            Err((kind, detail)) => {
                let mut detail = with_origin(&s, kind, detail);
                // The same integration may have Call Control without the Configuration API (CTI
                // and home-automation tools use just that): ask Call Control as 3CX documents it,
                // so the fix says what the key can do. The verdict stays: pbxlink needs the XAPI.
                if matches!(kind, FailureKind::Forbidden | FailureKind::TokenRefused)
                    && let Ok(a) = s.get(p::CALL_CONTROL_PATH, token.access_token.expose_secret()).await
                    && let Some(cc) = p::interpret_call_control(&a)
                {
                    detail = format!("{detail}; {cc}, so the key works for Call Control");
                    t.blame = Some("callcontrol");
                }
                t.fail("access", kind, detail);
                return t.finish(hint);
            }
        }
        if renewed {
            // The first token's SystemStatus answer is stale: read it with the new one.
            status = s.get(p::DETAILS_PATH, token.access_token.expose_secret()).await;
        }
    }

    t.start("details");
    match status {
        Ok(a) => match p::interpret_details(&a) {
            Details::Found(d) => {
                // The same answer tells the system's health: no request of its own.
                if let Some(h) = p::health::health(&a.body, crate::clock::now_secs(), &opts.thresholds) {
                    t.merge_health(h);
                }
                t.pass("details", d)
            }
            Details::NotAvailable(d) => t.end("details", CheckState::NotAvailable, d, None),
        },
        Err((_, detail)) => t.end("details", CheckState::NotAvailable, format!("n/a: {detail}"), None),
    }
    t.finish(hint)
}

/// The `dns`, `connect` and `token` checks every 3CX conversation starts with (validation, and the
/// service principal requests): the session, and a token for `cx`. `None` when a check failed; it
/// is already marked on `t`.
pub async fn sign_in(t: &mut Tracker<'_>, cx: &ThreeCx, opts: &Options) -> Option<(Session, p::Token)> {
    let mut s = session::open(t, &cx.domain, opts).await?;
    if let Some(cfg) = &opts.lock {
        let wait = opts.request_timeout;
        let said = |holder: &str| {
            format!("waiting for {holder} to finish with this Client ID's token (3CX keeps one per Client ID)")
        };
        match token_lock::acquire(cfg, &token_key(cx), wait, |holder| t.waiting("token", said(holder))).await {
            Ok(lock) => s.hold(lock),
            Err(holder) => {
                let secs = wait.as_secs();
                let why =
                    format!("waited {secs} s for {holder}, which holds this Client ID's token; no token was asked for");
                t.fail("token", FailureKind::TokenBusy, why);
                return None;
            }
        }
    }
    let req = s.form_post(p::TOKEN_PATH, &token_form(cx), None);
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

/// A new token for `cx` alone (`pbxlink token`): the sign-in's checks, with its session (and the
/// Client ID's one-token lock) kept until the caller drops it. `Err`: the report of the check that
/// failed, with its fix.
pub async fn issue(cx: &ThreeCx, opts: &Options) -> Result<(Session, p::Token), Report> {
    let guide = super::guide();
    let plan: Vec<(&'static str, String)> =
        ["dns", "connect", "token"].into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut quiet = |_: Progress| {};
    let mut t = Tracker::new(&plan, &mut quiet);
    match sign_in(&mut t, cx, opts).await {
        Some(signed_in) => Ok(signed_in),
        None => Err(t.finish(|at, k| guide.hint_at(at, k))),
    }
}

/// Whether `token` (one pbxlink kept) still reads: another holder of the Client ID may have ended
/// it since. The cheapest authenticated read; anything but a 200 means "ask for a new one".
pub async fn still_reads(cx: &ThreeCx, opts: &Options, token: &str) -> bool {
    let mut quiet = |_: Progress| {};
    let mut t = Tracker::new(&[("dns", String::new()), ("connect", String::new())], &mut quiet);
    let Some(s) = session::open(&mut t, &cx.domain, opts).await else { return false };
    s.get(p::ACCESS_PATH, token).await.is_ok_and(|a| a.status == 200)
}

/// The key of `cx`'s one-token lock and validation group: the PBX and the Client ID.
pub fn token_key(cx: &ThreeCx) -> String {
    token_key_of(&cx.domain, &cx.client_id)
}

/// [`token_key`] of a PBX address and Client ID (a profile whose key is read at use has no
/// [`ThreeCx`] until then, and its token group is the same).
pub fn token_key_of(domain: &str, client_id: &str) -> String {
    // `pbx` and `pbx:443` are one PBX: the key names the port either way.
    let pbx = crate::host::normalise_host(domain)
        .map(|h| format!("{}:{}", h.host, h.port_or_default()))
        .unwrap_or_else(|_| domain.to_ascii_lowercase());
    format!("3cx {pbx} {client_id}")
}

fn token_form(cx: &ThreeCx) -> [(&'static str, &str); 3] {
    [
        ("client_id", cx.client_id.as_str()),
        ("client_secret", cx.api_key.expose_secret()),
        ("grant_type", "client_credentials"),
    ]
}

/// A second token on the same session (still under its lock).
async fn token_again(s: &Session, cx: &ThreeCx) -> Result<p::Token, crate::validate::Failure> {
    let req = s.form_post(p::TOKEN_PATH, &token_form(cx), None);
    p::interpret_token(&s.send_plain(req).await?)
}

/// What two refused tokens in a row prove, and only that.
fn refused_twice(s: &Session) -> String {
    let lock = if s.holds_lock() { ", the second taken under pbxlink's lock on the Client ID" } else { "" };
    format!("HTTP 401 for two tokens in a row{lock}: 3CX accepts the key but refuses its tokens at the XAPI")
}

/// A 403's detail with the address the PBX saw (the fixes of both 403s name IP restrictions).
fn with_origin(s: &Session, kind: FailureKind, detail: String) -> String {
    match (kind, s.seen_as("the PBX")) {
        (FailureKind::Forbidden, Some(seen)) => format!("{detail}; {seen}"),
        _ => detail,
    }
}
