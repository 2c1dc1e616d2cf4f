//! The 3CX validation sequence: DNS, connect (TCP + TLS), token, one authenticated read, then the
//! optional system details. Requests and answers are interpreted by `providers::threecx`.

use std::net::SocketAddr;

use reqwest::header::ACCEPT;
use secrecy::ExposeSecret;

use super::client::{self, BuildError};
use super::errors::classify;
use super::{Options, Progress, Tracker};
use crate::profile::ThreeCx;
use crate::providers::threecx::{self as p, Details};
use crate::providers::{Answer, ProviderId, host::normalise_host};
use crate::report::{CheckState, FailureKind, Report};

/// Bodies longer than this are cut: a token or a status is a few hundred bytes.
const BODY_LIMIT: usize = 256 * 1024;

pub async fn run(cx: &ThreeCx, opts: &Options, progress: &mut (dyn FnMut(Progress) + Send)) -> Report {
    let guide = ProviderId::ThreeCx.guide();
    let plan: Vec<(&'static str, String)> =
        ["dns", "connect", "token", "access", "details"].into_iter().map(|id| (id, guide.check_title(id))).collect();
    let mut t = Tracker::new(&plan, "3cx", progress);
    let hint = |at: &str, k: FailureKind| guide.hint_at(at, k);
    let timeout_secs = opts.request_timeout.as_secs();
    let connect_secs = opts.connect_timeout.as_secs();

    t.start("dns");
    let hp = match normalise_host(&cx.domain) {
        Ok(h) => h,
        Err(e) => {
            t.fail("dns", FailureKind::Dns, format!("the domain \"{}\" is not valid: {e}", cx.domain));
            return t.finish(hint);
        }
    };
    let port = hp.port_or_default();
    let via_proxy = super::proxy::proxy_for(&hp.host);
    let pinned: Vec<SocketAddr> = if let Some(proxy) = &via_proxy {
        t.pass("dns", format!("through the proxy {proxy}, which resolves {}", hp.host));
        Vec::new()
    } else if hp.is_ip() {
        t.pass("dns", "an IP address: no lookup needed".into());
        Vec::new()
    } else {
        match tokio::time::timeout(opts.connect_timeout, tokio::net::lookup_host((hp.host.as_str(), port))).await {
            Ok(Ok(addrs)) => {
                let v: Vec<SocketAddr> = addrs.collect();
                if v.is_empty() {
                    t.fail("dns", FailureKind::Dns, format!("{} has no address", hp.host));
                    return t.finish(hint);
                }
                let shown: Vec<String> = v.iter().take(2).map(|a| a.ip().to_string()).collect();
                t.pass("dns", format!("{} is {}", hp.host, shown.join(", ")));
                v
            }
            Ok(Err(_)) => {
                t.fail("dns", FailureKind::Dns, format!("{} was not found", hp.host));
                return t.finish(hint);
            }
            Err(_) => {
                t.fail(
                    "dns",
                    FailureKind::Timeout,
                    format!("looking up {} took over {} s", hp.host, opts.connect_timeout.as_secs()),
                );
                return t.finish(hint);
            }
        }
    };

    t.start("connect");
    let (client, conns) = match client::build(opts, &hp.host, &pinned) {
        Ok(c) => c,
        Err(BuildError(msg)) => {
            t.fail("connect", FailureKind::Tls, msg);
            return t.finish(hint);
        }
    };
    let _finish = client::FinishOnDrop(conns.clone());
    let base = hp.https_base();
    let form = [
        ("client_id", cx.client_id.as_str()),
        ("client_secret", cx.api_key.expose_secret()),
        ("grant_type", "client_credentials"),
    ];
    let sent = std::time::Instant::now();
    let res =
        client.post(format!("{base}{}", p::TOKEN_PATH)).header(ACCEPT, "application/json").form(&form).send().await;
    let answer = match res {
        Ok(r) => read_answer(r).await,
        Err(e) => Err(e),
    };
    let connect_ms = conns.first().map(|d| d.as_millis() as u64);
    let total_ms = sent.elapsed().as_millis() as u64;
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            let secs = if connect_ms.is_some() { timeout_secs } else { connect_secs };
            let (kind, detail) = classify(&e, connect_ms.is_some(), secs);
            match connect_ms {
                None => t.end("connect", CheckState::Failed(kind), format!("{hp}: {detail}"), Some(total_ms)),
                Some(ms) => {
                    t.end("connect", CheckState::Passed, format!("{hp}: TLS verified"), Some(ms));
                    t.start("token");
                    t.end("token", CheckState::Failed(kind), detail, Some(total_ms.saturating_sub(ms)));
                }
            }
            t.failure.get_or_insert(kind);
            return t.finish(hint);
        }
    };
    let cms = connect_ms.unwrap_or(0);
    let mut verified = format!("{hp}: TLS verified");
    if let Some(p) = &via_proxy {
        verified.push_str(&format!(" through the proxy {p}"));
    }
    if let Some(n) = super::tls::roots_notice() {
        verified.push_str(&format!(" ({n})"));
    }
    t.end("connect", CheckState::Passed, verified, Some(cms));
    t.start("token");
    let token = match p::interpret_token(&answer) {
        Ok(tok) => {
            t.end("token", CheckState::Passed, p::token_detail(&tok), Some(total_ms.saturating_sub(cms)));
            tok
        }
        Err((kind, detail)) => {
            t.failure.get_or_insert(kind);
            t.end("token", CheckState::Failed(kind), detail, Some(total_ms.saturating_sub(cms)));
            return t.finish(hint);
        }
    };

    t.start("access");
    let res = get(&client, &format!("{base}{}", p::ACCESS_PATH), token.access_token.expose_secret()).await;
    match res {
        Ok(a) => match p::interpret_access(&a) {
            Ok(detail) => t.pass("access", detail),
            Err((kind, detail)) => {
                t.fail("access", kind, detail);
                return t.finish(hint);
            }
        },
        Err(e) => {
            let (kind, detail) = classify(&e, true, timeout_secs);
            t.fail("access", kind, detail);
            return t.finish(hint);
        }
    }

    t.start("details");
    match get(&client, &format!("{base}{}", p::DETAILS_PATH), token.access_token.expose_secret()).await {
        Ok(a) => match p::interpret_details(&a) {
            Details::Found(d) => t.pass("details", d),
            Details::NotAvailable(d) => t.end("details", CheckState::NotAvailable, d, None),
        },
        Err(e) => {
            let (_, detail) = classify(&e, true, timeout_secs);
            t.end("details", CheckState::NotAvailable, format!("n/a: {detail}"), None);
        }
    }
    t.finish(hint)
}

async fn get(client: &reqwest::Client, url: &str, bearer: &str) -> Result<Answer, reqwest::Error> {
    let r = client.get(url).header(ACCEPT, "application/json").bearer_auth(bearer).send().await?;
    read_answer(r).await
}

/// The parts of a response the interpreters need, with the body read up to [`BODY_LIMIT`].
async fn read_answer(mut r: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let header = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut a = Answer {
        status: r.status().as_u16(),
        location: header("location"),
        retry_after: header("retry-after"),
        content_type: header("content-type"),
        version: header("x-3cx-version"),
        body: Vec::new(),
    };
    if (300..400).contains(&a.status) {
        return Ok(a);
    }
    while let Some(chunk) = r.chunk().await? {
        let room = BODY_LIMIT - a.body.len();
        if chunk.len() >= room {
            a.body.extend_from_slice(&chunk[..room]);
            break;
        }
        a.body.extend_from_slice(&chunk);
    }
    Ok(a)
}
