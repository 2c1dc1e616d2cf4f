//! The part every vendor's validation shares: the `dns` check, the client for one host, the first
//! request (which also ends the `connect` check with its own timing), and reading answers with a
//! bound. A session is one TLS connection that every request of the validation reuses. It also
//! remembers what the server saw of this machine (the connection's local address, or the proxy),
//! for the fixes that depend on it.

use std::net::SocketAddr;
use std::sync::Mutex;

use hyper_util::client::legacy::connect::HttpInfo;

use reqwest::header::{ACCEPT, CONTENT_LENGTH};

use super::client::{self, Connections, FinishOnDrop};
use super::errors::{classify, proxy_failure};
use super::proxy::Proxy;
use super::{Answer, Options, Tracker};
use crate::host::{HostPort, normalise_host};
use crate::report::{CheckState, FailureKind};
use secrecy::{ExposeSecret, SecretString};

/// The most of a validation's answer read: a token or a status is a few hundred bytes, a page of
/// principals a few KiB. A longer answer is said to be too long, never read as a broken one.
const BODY_LIMIT: usize = 1024 * 1024;

/// The most of one answer `pbxlink api` reads (a caller's export may be large).
pub const API_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// A request a vendor's sequence has built, to be sent by [`Session::first`] or
/// [`Session::send_plain`]; the reqwest types stay inside the engine.
pub struct Request(reqwest::RequestBuilder);

pub struct Session {
    client: reqwest::Client,
    /// `https://host[:port]`, for building request URLs.
    pub base: String,
    hp: HostPort,
    via_proxy: Option<Proxy>,
    /// The local address of the connection that carried the last answer (none through a proxy's
    /// tunnel, where it would be the address towards the proxy).
    local: Mutex<Option<SocketAddr>>,
    conns: Connections,
    /// The one-token lock of the Client ID this session signs in with, held as long as the
    /// session (its token) lives.
    hold: Option<super::token_lock::TokenLock>,
    _finish: FinishOnDrop,
    timeout_secs: u64,
    connect_secs: u64,
    /// The certificate the server presented (kept by the TLS verifier).
    seen: super::tls::Seen,
    thresholds: crate::report::Thresholds,
    /// When the whole conversation must be over: one deadline per validation (its `--timeout`),
    /// so three requests never take three times as long. Reset once the Client ID's lock is held
    /// (the wait for another pbxlink is bounded on its own).
    deadline: std::time::Instant,
    /// What this session's requests carried (secret form fields, Basic credentials, bearer
    /// tokens), shared with the validation's tracker: see [`crate::redact`].
    redactor: crate::redact::Redactor,
}

/// OAuth's form fields that carry a secret (RFC 6749, RFC 7523): added to the redactor when sent.
const SECRET_FIELDS: [&str; 6] =
    ["client_secret", "password", "refresh_token", "code", "code_verifier", "client_assertion"];

/// Resolves `address` (the `dns` check) and builds the client; starts the `connect` check. `None`
/// when a check failed (it is already marked on `t`).
pub async fn open(t: &mut Tracker<'_>, address: &str, opts: &Options) -> Option<Session> {
    t.redactor = opts.redactor.clone();
    t.start("dns");
    let hp = match normalise_host(address) {
        Ok(h) => h,
        Err(e) => {
            t.fail("dns", FailureKind::Dns, format!("the address \"{address}\" is not valid: {e}"));
            return None;
        }
    };
    let via_proxy = if opts.no_proxy { None } else { super::proxy::proxy_for(&hp.to_string()) };
    let pinned: Vec<SocketAddr> = if let Some(proxy) = &via_proxy {
        let d = if hp.is_ip() {
            format!("an IP address: no lookup needed (connecting through the proxy {proxy})")
        } else {
            format!("through the proxy {proxy}, which resolves {}", hp.host)
        };
        t.pass("dns", d);
        Vec::new()
    } else if hp.is_ip() {
        t.pass("dns", "an IP address: no lookup needed".into());
        Vec::new()
    } else {
        let lookup = tokio::net::lookup_host((hp.host.as_str(), hp.port_or_default()));
        match tokio::time::timeout(opts.connect_timeout, lookup).await {
            Ok(Ok(addrs)) => {
                let v: Vec<SocketAddr> = addrs.collect();
                if v.is_empty() {
                    t.fail("dns", FailureKind::Dns, format!("{} has no address", hp.host));
                    return None;
                }
                let shown: Vec<String> = v.iter().take(2).map(|a| a.ip().to_string()).collect();
                t.pass("dns", format!("{} is {}", hp.host, shown.join(", ")));
                v
            }
            Ok(Err(_)) => {
                t.fail("dns", FailureKind::Dns, format!("{} was not found", hp.host));
                return None;
            }
            Err(_) => {
                let secs = opts.connect_timeout.as_secs();
                t.fail("dns", FailureKind::Timeout, format!("looking up {} took over {secs} s", hp.host));
                return None;
            }
        }
    };
    t.start("connect");
    let (client, conns, seen) = match client::build(opts, &hp.host, &pinned) {
        Ok(c) => c,
        Err(e) => {
            t.fail("connect", FailureKind::Tls, e.to_string());
            return None;
        }
    };
    Some(Session {
        client,
        base: hp.https_base(),
        hp,
        via_proxy,
        local: Mutex::new(None),
        hold: None,
        _finish: FinishOnDrop(conns.clone()),
        conns,
        timeout_secs: opts.request_timeout.as_secs(),
        connect_secs: opts.connect_timeout.as_secs(),
        seen,
        thresholds: opts.thresholds,
        redactor: opts.redactor.clone(),
        deadline: std::time::Instant::now() + opts.request_timeout,
    })
}

impl Session {
    /// Keeps `lock` until this session is dropped.
    pub fn hold(&mut self, lock: Option<super::token_lock::TokenLock>) {
        self.hold = lock;
        self.deadline = std::time::Instant::now() + std::time::Duration::from_secs(self.timeout_secs);
    }

    /// What is left of the conversation's time, for the next request (at least a moment, so
    /// that a request at the deadline fails as a timeout rather than not at all).
    fn left(&self) -> std::time::Duration {
        self.deadline.saturating_duration_since(std::time::Instant::now()).max(std::time::Duration::from_millis(1))
    }

    /// Whether this session holds a token lock (see [`Session::hold`]).
    pub fn holds_lock(&self) -> bool {
        self.hold.is_some()
    }

    /// A form POST to `path` (an OAuth token request), with HTTP Basic credentials when given.
    pub fn form_post(&self, path: &str, form: &[(&str, &str)], basic: Option<(&str, &SecretString)>) -> Request {
        let users: Vec<&str> = form.iter().filter(|(k, _)| *k == "client_id").map(|(_, v)| *v).collect();
        for (_, v) in form.iter().filter(|(k, _)| SECRET_FIELDS.contains(k)) {
            self.redactor.add(v, &users);
        }
        if let Some((user, password)) = basic {
            self.redactor.add(password.expose_secret(), &[user]);
        }
        let req = self.client.post(format!("{}{path}", self.base)).form(form);
        Request(match basic {
            Some((user, password)) => req.basic_auth(user, Some(password.expose_secret())),
            None => req,
        })
    }

    /// A request without a bearer token (a second token request), classified like the others.
    pub async fn send_plain(&self, Request(req): Request) -> Result<Answer, (FailureKind, String)> {
        match req.header(ACCEPT, "application/json").timeout(self.left()).send().await {
            Ok(r) => whole(self.read(r, BODY_LIMIT).await.map_err(|e| self.failed_read(&e))?),
            Err(e) => Err(classify(&e, true, self.timeout_secs)),
        }
    }

    /// Sends the first request. Ends `connect` (with the connection's own time) and starts `check`,
    /// which the caller ends from the answer; the returned milliseconds are the request's share.
    /// `None` when the request failed: `connect` or `check` is already marked.
    pub async fn first(&self, t: &mut Tracker<'_>, check: &str, Request(req): Request) -> Option<(Answer, u64)> {
        let sent = std::time::Instant::now();
        let answer = match req.header(ACCEPT, "application/json").timeout(self.left()).send().await {
            Ok(r) => self.read(r, BODY_LIMIT).await,
            Err(e) => Err(ReadFail::Http(e)),
        };
        let connect_ms = self.conns.first().map(|d| d.as_millis() as u64);
        let total_ms = sent.elapsed().as_millis() as u64;
        let hp = &self.hp;
        match answer {
            Ok(a) => {
                let cms = connect_ms.unwrap_or(0);
                if let Some(c) = self.certificate() {
                    t.merge_health(super::cert::health(&c, crate::clock::now_secs(), &self.thresholds));
                }
                t.end("connect", CheckState::Passed, self.verified(), Some(cms));
                t.start(check);
                match whole(a) {
                    Ok(a) => Some((a, total_ms.saturating_sub(cms))),
                    Err((kind, detail)) => {
                        t.fail(check, kind, detail);
                        None
                    }
                }
            }
            Err(e) => {
                // Before any connection was made, the proxy (if any) may be the one that failed:
                // then it is named, and the fix is the proxy's, not the server's.
                if let (Some(p), None, ReadFail::Http(e)) = (&self.via_proxy, connect_ms, &e)
                    && let Some(detail) = proxy_failure(e, p, &self.target())
                {
                    t.blame = Some("proxy");
                    t.end("connect", CheckState::Failed(FailureKind::Connect), detail, Some(total_ms));
                    t.failure.get_or_insert(FailureKind::Connect);
                    return None;
                }
                let (kind, detail) = match &e {
                    ReadFail::Http(e) => {
                        let secs = if connect_ms.is_some() { self.timeout_secs } else { self.connect_secs };
                        classify(e, connect_ms.is_some(), secs)
                    }
                    slow => self.failed_read(slow),
                };
                match connect_ms {
                    None => {
                        let via =
                            self.via_proxy.as_ref().map(|p| format!(" through the proxy {p}")).unwrap_or_default();
                        // A certificate refused: what the server presented, to compare with the PBX
                        // before trusting it with --ca-file.
                        let mut shown = match (kind, self.certificate()) {
                            (FailureKind::Tls, Some(c)) => format!(
                                "; it presented {} issued by {}, SHA-256 {}",
                                or_none(&c.subject),
                                or_none(&c.issuer),
                                c.sha256
                            ),
                            _ => String::new(),
                        };
                        if let Some(n) = self.seen.roots_notice() {
                            shown.push_str(&format!(" ({n})"));
                        }
                        t.end(
                            "connect",
                            CheckState::Failed(kind),
                            format!("{hp}{via}: {detail}{shown}"),
                            Some(total_ms),
                        );
                    }
                    Some(ms) => {
                        t.end("connect", CheckState::Passed, self.verified(), Some(ms));
                        t.start(check);
                        t.end(check, CheckState::Failed(kind), detail, Some(total_ms.saturating_sub(ms)));
                    }
                }
                t.failure.get_or_insert(kind);
                None
            }
        }
    }

    /// A GET with a bearer token; a transport failure is classified (never shown raw: it holds the URL).
    pub async fn get(&self, path: &str, bearer: &str) -> Result<Answer, (FailureKind, String)> {
        self.send(self.client.get(format!("{}{path}", self.base)), bearer).await
    }

    /// A POST without a body (an OData action), with a bearer token. `Content-Length: 0` is set by
    /// hand: hyper sends no length for an empty body, and some servers refuse a POST without one (411).
    pub async fn post_empty(&self, path: &str, bearer: &str) -> Result<Answer, (FailureKind, String)> {
        self.send(self.client.post(format!("{}{path}", self.base)).header(CONTENT_LENGTH, "0"), bearer).await
    }

    /// `pbxlink api`'s request: any method, with a bearer token and, when given, a JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: &str,
        json: Option<&serde_json::Value>,
    ) -> Result<Answer, (FailureKind, String)> {
        let req = self.client.request(method.clone(), format!("{}{path}", self.base));
        let req = match json {
            Some(v) => req.header(reqwest::header::CONTENT_TYPE, "application/json").body(v.to_string()),
            // See `post_empty`: a bodiless POST, PUT or PATCH still says its length.
            None if method != reqwest::Method::GET => req.header(CONTENT_LENGTH, "0"),
            None => req,
        };
        // Read to its own, larger bound (the caller says when the answer went past it), each page
        // of a listing in its own time: a script's call is not a validation.
        let own = std::time::Duration::from_secs(self.timeout_secs);
        self.send_bounded(req, bearer, API_BODY_LIMIT, own).await
    }

    async fn send(&self, req: reqwest::RequestBuilder, bearer: &str) -> Result<Answer, (FailureKind, String)> {
        whole(self.send_bounded(req, bearer, BODY_LIMIT, self.left()).await?)
    }

    async fn send_bounded(
        &self,
        req: reqwest::RequestBuilder,
        bearer: &str,
        limit: usize,
        time: std::time::Duration,
    ) -> Result<Answer, (FailureKind, String)> {
        self.redactor.add(bearer, &[]);
        match req.header(ACCEPT, "application/json").bearer_auth(bearer).timeout(time).send().await {
            Ok(r) => self.read(r, limit).await.map_err(|e| self.failed_read(&e)),
            Err(e) => Err(classify(&e, true, self.timeout_secs)),
        }
    }

    /// `text` (made from an answer) without any secret this session's requests carried.
    pub fn redact(&self, text: &str) -> String {
        self.redactor.redact(text)
    }

    /// What `who` (the server, in the vendor's word) saw this machine as, for a fix that depends
    /// on the client's address (an IP allow-list): the proxy, or the local address of the
    /// connection. Behind a NAT the server sees the NAT's address instead, which pbxlink cannot know.
    pub fn seen_as(&self, who: &str) -> Option<String> {
        if let Some(p) = &self.via_proxy {
            return Some(format!(
                "this machine reached {who} through the proxy {p}, so {who} sees the proxy's address, not this machine's"
            ));
        }
        let local = self.local.lock().ok().and_then(|l| *l)?;
        Some(format!(
            "this machine connected from {} ({who} sees that address, or a NAT's if one is in between)",
            local.ip()
        ))
    }

    /// `host:port` as a proxy is asked to connect to it (the port always given).
    fn target(&self) -> String {
        let hp = HostPort { host: self.hp.host.clone(), port: Some(self.hp.port_or_default()) };
        hp.to_string()
    }

    /// What a failed read of an answer was, in words.
    fn failed_read(&self, f: &ReadFail) -> (FailureKind, String) {
        match f {
            ReadFail::Http(e) => classify(e, true, self.timeout_secs),
            ReadFail::Slow { got } => (
                FailureKind::Timeout,
                format!(
                    "the answer was still coming after {} s ({got} bytes so far): too slow, not stopped; retry, or allow more with --timeout",
                    self.timeout_secs
                ),
            ),
        }
    }

    /// Notes the connection's local address, then reads the answer, up to `limit` bytes.
    async fn read(&self, r: reqwest::Response, limit: usize) -> Result<Answer, ReadFail> {
        if self.via_proxy.is_none()
            && let Some(info) = r.extensions().get::<HttpInfo>()
            && let Ok(mut l) = self.local.lock()
        {
            *l = Some(info.local_addr());
        }
        read_answer(r, limit).await
    }

    /// The certificate the server presented, when one was shown and can be read.
    fn certificate(&self) -> Option<super::cert::CertInfo> {
        let der = self.seen.certificate()?;
        super::cert::describe(&der)
    }

    fn verified(&self) -> String {
        let mut s = format!("{}: TLS verified", self.hp);
        if let Some(p) = &self.via_proxy {
            s.push_str(&format!(" through the proxy {p}"));
        }
        if let Some(n) = self.seen.roots_notice() {
            s.push_str(&format!(" ({n})"));
        }
        s
    }
}

/// A validation's answer read whole, or what it was instead: longer than any answer pbxlink reads.
fn whole(a: Answer) -> Result<Answer, (FailureKind, String)> {
    if !a.truncated {
        return Ok(a);
    }
    Err((
        FailureKind::BadResponse,
        format!(
            "HTTP {}: the answer is longer than {} KiB, more than this request's answer is: not read",
            a.status,
            BODY_LIMIT / 1024
        ),
    ))
}

/// Why an answer could not be read: the transport said, or the time ran out while its body was
/// still coming (bytes within the last second), which is slow, not stopped.
enum ReadFail {
    Http(reqwest::Error),
    Slow { got: usize },
}

/// How recently a byte must have come for an answer that runs out of time to be a slow one.
const STILL_COMING: std::time::Duration = std::time::Duration::from_secs(1);

/// The parts of a response the interpreters need, with the body read up to `limit` bytes.
async fn read_answer(mut r: reqwest::Response, limit: usize) -> Result<Answer, ReadFail> {
    let header = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut a = Answer {
        status: r.status().as_u16(),
        location: header("location"),
        retry_after: header("retry-after"),
        content_type: header("content-type"),
        version: header("x-3cx-version"),
        body: Vec::new(),
        truncated: false,
    };
    if (300..400).contains(&a.status) {
        return Ok(a);
    }
    let mut last = std::time::Instant::now();
    loop {
        let chunk = match r.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) if e.is_timeout() && !a.body.is_empty() && last.elapsed() < STILL_COMING => {
                return Err(ReadFail::Slow { got: a.body.len() });
            }
            Err(e) => return Err(ReadFail::Http(e)),
        };
        last = std::time::Instant::now();
        let room = limit - a.body.len();
        if chunk.len() > room {
            a.body.extend_from_slice(&chunk[..room]);
            a.truncated = true;
            break;
        }
        a.body.extend_from_slice(&chunk);
    }
    Ok(a)
}

/// A name as shown, or what stands for an empty one.
fn or_none(name: &str) -> &str {
    if name.is_empty() { "(no name)" } else { name }
}
