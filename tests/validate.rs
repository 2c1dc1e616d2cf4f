//! Validation against the simulator over real HTTPS on loopback: every outcome the 3CX guide
//! knows, each with its failure kind, plus the transport failures that must never look like bad
//! credentials.

use pbxlink::profile::Profile;
use pbxlink::providers::cxengine::simulated::{CxEngineAccount, CxEngineSite};
use pbxlink::providers::eightbyeight::simulated::{EightByEightAccount, EightByEightSite};
use pbxlink::providers::threecx::ThreeCx;
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount, ThreeCxSite};
use pbxlink::report::{CheckState, FailureKind, Report};
use pbxlink::simulator::{Simulator, Site};
use pbxlink::validate::{Options, Progress};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "s3cr3t-Key-7f2a9c41e0";

struct Env {
    sim: Simulator,
    _dir: tempfile::TempDir,
    opts: Options,
}

/// A simulator with these accounts of each vendor.
async fn start(
    threecx: Vec<ThreeCxAccount>,
    eightbyeight: Vec<EightByEightAccount>,
    cxengine: Vec<CxEngineAccount>,
) -> anyhow::Result<Simulator> {
    let sites: Vec<Arc<dyn Site>> = vec![
        Arc::new(ThreeCxSite::new(threecx)),
        Arc::new(EightByEightSite::new(eightbyeight)),
        Arc::new(CxEngineSite::new(cxengine)),
    ];
    Simulator::start(sites).await
}

async fn env() -> Env {
    let sim = start(
        vec![
            ThreeCxAccount::new("900", SECRET, Behaviour::Good),
            ThreeCxAccount::new("901", SECRET, Behaviour::NoXapiAccess),
            ThreeCxAccount::new("902", SECRET, Behaviour::LowRole),
            ThreeCxAccount::new("903", SECRET, Behaviour::OldVersion),
            ThreeCxAccount::new("908", SECRET, Behaviour::Blocked),
            ThreeCxAccount::new("909", SECRET, Behaviour::TokenTaken),
            ThreeCxAccount::new("912", SECRET, Behaviour::RefusesTokens),
            ThreeCxAccount::new("913", SECRET, Behaviour::CallControlOnly),
            ThreeCxAccount::new("914", SECRET, Behaviour::CallControlRefusesXapiTokens),
            ThreeCxAccount::new("910", SECRET, Behaviour::RedirectsAway),
            ThreeCxAccount::new("911", SECRET, Behaviour::HugeBody),
        ],
        vec![],
        vec![],
    )
    .await
    .expect("simulator");
    let (dir, opts) = trusting(&sim);
    Env { sim, _dir: dir, opts }
}

/// Options that trust the simulator's throw-away CA (written to a temp dir kept with them), with
/// short timeouts.
fn trusting(sim: &Simulator) -> (tempfile::TempDir, Options) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &sim.ca_pem).expect("write CA");
    let opts = Options {
        ca_files: vec![ca],
        connect_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(3),
        ..Options::default()
    };
    (dir, opts)
}

fn profile(domain: &str, client: &str, key: &str) -> Profile {
    ThreeCx { domain: domain.into(), client_id: client.into(), api_key: SecretString::from(key.to_string()) }
        .profile("t", None)
}

/// Runs a validation, collecting the progress events, and checks that the secret appears nowhere
/// in what it reports.
async fn run(p: &Profile, opts: &Options) -> (Report, Vec<Progress>) {
    let mut events = Vec::new();
    let report = pbxlink::providers::validate(p, opts, &mut |e| events.push(e)).await;
    let all = format!("{report:?} {events:?} {:?}", report.hint);
    assert!(!all.contains(SECRET), "the secret leaked into the report: {all}");
    (report, events)
}

fn state(r: &Report, id: &str) -> CheckState {
    r.checks.iter().find(|c| c.id == id).map(|c| c.state).unwrap_or(CheckState::Pending)
}

fn detail(r: &Report, id: &str) -> String {
    r.checks.iter().find(|c| c.id == id).map(|c| c.detail.clone()).unwrap_or_default()
}

#[tokio::test]
async fn good_credentials_pass_every_check_over_one_connection() {
    let e = env().await;
    let (r, events) = run(&profile(&e.sim.domain(), "900", SECRET), &e.opts).await;
    assert!(r.ok(), "{r:#?}");
    for id in ["dns", "connect", "token", "access", "details"] {
        assert_eq!(state(&r, id), CheckState::Passed, "{id}: {r:#?}");
    }
    assert_eq!(detail(&r, "token"), "token issued, valid for 60 min (its exp claim)", "a JWT's own claims");
    assert!(detail(&r, "access").contains("20.0.9.995"));
    assert!(detail(&r, "details").contains("licence 3CXPSENT"));
    assert!(!detail(&r, "details").contains("SIMU-LATED"), "the licence key must never be shown");
    assert_eq!(e.sim.handshakes(), 1, "token and reads must share one TLS connection");
    assert_eq!(e.sim.requests(), vec!["POST /connect/token", "GET /xapi/v1/SystemStatus"]);
    // Progress: a plan first, then each check running before it ends.
    assert!(matches!(events.first(), Some(Progress::Plan(p)) if p.len() == 5));
    let running = events.iter().filter(|e| matches!(e, Progress::Update(c) if c.state == CheckState::Running)).count();
    assert!(running >= 4, "{events:?}");
}

#[tokio::test]
async fn wrong_key_is_unauthorized_with_3cx_fix() {
    let e = env().await;
    let (r, _) = run(&profile(&e.sim.domain(), "900", "wrong-key"), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::Unauthorized));
    assert!(matches!(state(&r, "token"), CheckState::Failed(FailureKind::Unauthorized)));
    assert!(detail(&r, "token").contains("401"));
    // What 3CX documents or its users report comes before the destructive step, named last.
    let hint = r.hint.clone().unwrap_or_default();
    let at = |s: &str| hint.find(s).unwrap_or_else(|| panic!("{s:?} in {hint}"));
    assert!(at("Conferencing API key") < at("Last resort"), "{hint}");
    assert!(at("IP Blocklist") < at("Last resort") && at("Last resort") < at("delete and re-create"), "{hint}");
    assert_eq!(state(&r, "access"), CheckState::Skipped);
}

#[tokio::test]
async fn unknown_client_is_unauthorized() {
    let e = env().await;
    let (r, _) = run(&profile(&e.sim.domain(), "999", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::Unauthorized));
}

#[tokio::test]
async fn api_access_not_ticked_is_forbidden() {
    let e = env().await;
    let (r, _) = run(&profile(&e.sim.domain(), "901", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::Forbidden));
    assert_eq!(state(&r, "token"), CheckState::Passed);
    assert!(matches!(state(&r, "access"), CheckState::Failed(FailureKind::Forbidden)));
    // The three documented causes of a 403 on every XAPI read, and the address the PBX saw: its
    // Console Restrictions are an allow-list of client addresses.
    let hint = r.hint.clone().unwrap_or_default();
    for cause in ["3CX Configuration API Access", "System Owner", "\"System Wide\"", "Console Restrictions"] {
        assert!(hint.contains(cause), "{cause}: {hint}");
    }
    let d = detail(&r, "access");
    assert!(d.contains("HTTP 403") && d.contains("this machine connected from 127.0.0.1 (the PBX sees"), "{d}");
}

#[tokio::test]
async fn the_same_kind_gets_the_fix_of_the_step_that_failed() {
    let e = env().await;
    // 403 on the token request: a firewall, not "the credentials work".
    let (r, _) = run(&profile(&e.sim.domain(), "908", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::Forbidden));
    assert!(
        r.hint.as_deref().is_some_and(|h| h.contains("firewall") && !h.contains("credentials work")),
        "{:?}",
        r.hint
    );
    // 401 after a token was issued: the key worked. Asked again once (a second token), which
    // reads: another holder had ended the first, as the detail says.
    let before = e.sim.requests().len();
    let (r, _) = run(&profile(&e.sim.domain(), "909", SECRET), &e.opts).await;
    assert!(r.ok(), "{r:#?}");
    assert!(
        detail(&r, "access").ends_with("(with a second token: another holder of the Client ID ended the first)"),
        "{}",
        detail(&r, "access")
    );
    let asked: Vec<String> = e.sim.requests()[before..].to_vec();
    assert_eq!(
        asked,
        vec![
            "POST /connect/token",
            "GET /xapi/v1/SystemStatus",
            "GET /xapi/v1/Defs",
            "POST /connect/token",
            "GET /xapi/v1/Defs",
            "GET /xapi/v1/SystemStatus"
        ],
        "one retry, never a loop"
    );
}

/// The second token refused at once too proves no other holder: `token_refused`, no verdict on
/// the key (exit 4), never `token_ended` claimed, never a rejection; Call Control is asked as
/// 3CX documents it, and refuses too (this integration has none).
#[tokio::test]
async fn two_refused_tokens_claim_no_other_holder() {
    let e = env().await;
    let before = e.sim.requests().len();
    let (r, _) = run(&profile(&e.sim.domain(), "912", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::TokenRefused), "{r:#?}");
    assert!(!r.failure.is_some_and(|k| k.is_rejection()), "exit 4, not 3");
    assert_eq!(state(&r, "token"), CheckState::Passed);
    let d = detail(&r, "access");
    assert_eq!(d, "HTTP 401 for two tokens in a row: 3CX accepts the key but refuses its tokens at the XAPI");
    let hint = r.hint.clone().unwrap_or_default();
    assert!(hint.contains("no other holder is proven") && hint.contains("do not delete it"), "{hint}");
    assert!(hint.contains("3CX Configuration API Access") && hint.contains("Console Restrictions"), "{hint}");
    let asked: Vec<String> = e.sim.requests()[before..].to_vec();
    assert_eq!(
        asked,
        vec![
            "POST /connect/token",
            "GET /xapi/v1/SystemStatus",
            "GET /xapi/v1/Defs",
            "POST /connect/token",
            "GET /xapi/v1/Defs",
            "GET /callcontrol"
        ],
        "one retry, never a loop"
    );
}

/// An integration with Call Control alone (CTI, home automation): the key works for Call
/// Control, which answers as 3CX documents; the verdict stays `forbidden` (pbxlink's checks need
/// the Configuration API), and the fix says what the key can do and what ticking the box grants.
#[tokio::test]
async fn a_call_control_only_integration_is_told_as_such() {
    let e = env().await;
    let (r, _) = run(&profile(&e.sim.domain(), "913", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::Forbidden), "{r:#?}");
    let d = detail(&r, "access");
    assert!(
        d.contains("HTTP 403")
            && d.ends_with("; Call Control answers (GET /callcontrol: 2 DNs), so the key works for Call Control"),
        "{d}"
    );
    let hint = r.hint.clone().unwrap_or_default();
    assert!(
        hint.starts_with("The key works for Call Control (it answered), but the Configuration API (XAPI) refuses it"),
        "{hint}"
    );
    assert!(hint.contains("grants the key much more than Call Control"), "{hint}");
    // Its XAPI answering 401 instead (3CX documents neither): refused twice, and still told so.
    let (r, _) = run(&profile(&e.sim.domain(), "914", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::TokenRefused), "{r:#?}");
    assert!(detail(&r, "access").ends_with("so the key works for Call Control"), "{}", detail(&r, "access"));
    assert!(r.hint.as_deref().is_some_and(|h| h.starts_with("The key works for Call Control")), "{:?}", r.hint);
    // An integration with neither: the three causes of a 403, without a word of Call Control.
    let (r, _) = run(&profile(&e.sim.domain(), "901", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::Forbidden));
    assert!(!detail(&r, "access").contains("Call Control"), "{}", detail(&r, "access"));
    assert!(r.hint.as_deref().is_some_and(|h| h.contains("Three known causes")), "{:?}", r.hint);
}

#[tokio::test]
async fn a_redirect_is_reported_and_never_followed() {
    let e = env().await;
    let (r, _) = run(&profile(&e.sim.domain(), "910", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::BadResponse), "{r:#?}");
    let d = detail(&r, "token");
    assert!(d.contains("redirected to https://collector.invalid") && d.contains("not followed"), "{d}");
    assert!(!d.contains("steal"), "the redirect's path is not shown: {d}");
    // Had it been followed, the lookup of collector.invalid would have taken its time and failed
    // as a dns/connect error instead; the simulator saw exactly one request.
    assert_eq!(e.sim.requests(), vec!["POST /connect/token"]);
}

#[tokio::test]
async fn a_huge_answer_is_read_with_a_bound() {
    let e = env().await;
    let started = std::time::Instant::now();
    let (r, _) = run(&profile(&e.sim.domain(), "911", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::BadResponse), "{r:#?}");
    // Said as what it is, too long, never as a broken answer.
    assert!(detail(&r, "token").contains("the answer is longer than 1024 KiB"), "{}", detail(&r, "token"));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn plain_http_on_the_tls_port_is_a_tls_failure() {
    let e = env().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut s, _)) = listener.accept().await {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").await;
        }
    });
    let (r, _) = run(&profile(&format!("127.0.0.1:{port}"), "900", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::Tls), "{r:#?}");
    assert!(detail(&r, "connect").contains("does not speak TLS"), "{}", detail(&r, "connect"));
    server.abort();
}

#[tokio::test]
async fn low_role_passes_with_details_not_available() {
    let e = env().await;
    let (r, _) = run(&profile(&e.sim.domain(), "902", SECRET), &e.opts).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(state(&r, "details"), CheckState::NotAvailable);
    assert_eq!(detail(&r, "details"), "n/a: HTTP 403, this role may not read SystemStatus");
    // A refused SystemStatus proves nothing about the link: Defs, which every role may read, decides.
    assert_eq!(detail(&r, "access"), "XAPI answers; 3CX version 20.0.9.995", "the version from Defs' header");
    assert_eq!(e.sim.requests(), vec!["POST /connect/token", "GET /xapi/v1/SystemStatus", "GET /xapi/v1/Defs"]);
    assert_eq!(e.sim.handshakes(), 1);
}

#[tokio::test]
async fn older_box_opaque_token_shows_expires_in_as_sent() {
    let e = env().await;
    let (r, _) = run(&profile(&e.sim.domain(), "903", SECRET), &e.opts).await;
    assert!(r.ok(), "{r:#?}");
    // No claims to read, and 3CX's clients disagree on the unit of expires_in: none is invented.
    assert_eq!(detail(&r, "token"), "token issued, expires_in 60");
    assert!(detail(&r, "access").contains("20.0.8"));
}

#[tokio::test]
async fn one_active_token_per_client() {
    let e = env().await;
    let c = pbxlink::validate::http_client_for_tests(e.sim.ca_pem.as_bytes());
    let base = format!("https://{}", e.sim.domain());
    let token = |c: reqwest::Client| {
        let base = base.clone();
        async move {
            let r = c
                .post(format!("{base}/connect/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("client_id=900&client_secret={SECRET}&grant_type=client_credentials"))
                .send()
                .await
                .expect("token");
            let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("json");
            v["access_token"].as_str().expect("access_token").to_string()
        }
    };
    let first = token(c.clone()).await;
    let second = token(c.clone()).await;
    let status = |t: String| {
        let c = c.clone();
        let base = base.clone();
        async move { c.get(format!("{base}/xapi/v1/Defs")).bearer_auth(t).send().await.expect("defs").status().as_u16() }
    };
    assert_eq!(status(second).await, 200);
    assert_eq!(status(first).await, 401, "a new token ends the previous one");
}

#[tokio::test]
async fn token_endpoint_accepts_multipart_like_3cx_sample() {
    let e = env().await;
    let c = pbxlink::validate::http_client_for_tests(e.sim.ca_pem.as_bytes());
    let b = "XyZboundary";
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\n900\r\n--{b}\r\nContent-Disposition: form-data; name=\"client_secret\"\r\n\r\n{SECRET}\r\n--{b}\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--{b}--\r\n"
    );
    let r = c
        .post(format!("https://{}/connect/token", e.sim.domain()))
        .header("content-type", format!("multipart/form-data; boundary={b}"))
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn untrusted_certificate_is_tls_not_credentials() {
    let e = env().await;
    let opts = Options { ca_files: vec![], ..e.opts.clone() };
    let (r, _) = run(&profile(&e.sim.domain(), "900", SECRET), &opts).await;
    assert_eq!(r.failure, Some(FailureKind::Tls), "{r:#?}");
    assert!(detail(&r, "connect").contains("not trusted"), "{}", detail(&r, "connect"));
    // What the server presented, to compare with the PBX before trusting it with --ca-file.
    let shown = detail(&r, "connect");
    assert!(shown.contains("it presented CN=pbxlink simulator issued by CN=pbxlink simulator CA"), "{shown}");
    let sha = shown.split("SHA-256 ").nth(1).expect("the fingerprint");
    assert_eq!(sha.len(), 95, "32 bytes as hex pairs with colons: {sha}");
    assert!(r.hint.as_deref().is_some_and(|h| h.contains("--ca-file")));
    assert!(e.sim.requests().is_empty(), "no request may be sent over an untrusted connection");
}

#[tokio::test]
async fn wrong_name_on_certificate_is_tls() {
    let e = env().await;
    // 127.0.0.2 reaches the same listener on Linux loopback but is not in the certificate.
    let domain = format!("127.0.0.2:{}", e.sim.addr.port());
    let (r, _) = run(&profile(&domain, "900", SECRET), &e.opts).await;
    if r.failure == Some(FailureKind::Connect) {
        return; // this host's loopback does not route 127.0.0.2
    }
    assert_eq!(r.failure, Some(FailureKind::Tls), "{r:#?}");
    assert!(detail(&r, "connect").contains("not valid for this name"), "{}", detail(&r, "connect"));
}

#[tokio::test]
async fn refused_port_is_connect_with_5001_hint() {
    let e = env().await;
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let (r, _) = run(&profile(&format!("127.0.0.1:{free}"), "900", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::Connect), "{r:#?}");
    assert!(detail(&r, "connect").contains("refused"));
    assert!(r.hint.as_deref().is_some_and(|h| h.contains("5001")));
}

#[tokio::test]
async fn unknown_host_is_dns() {
    let e = env().await;
    let (r, _) = run(&profile("pbx.nonexistent.invalid", "900", SECRET), &e.opts).await;
    assert!(matches!(r.failure, Some(FailureKind::Dns) | Some(FailureKind::Timeout)), "{r:#?}");
    assert_ne!(r.failure, Some(FailureKind::Unauthorized));
}

#[tokio::test]
async fn silent_server_times_out_within_the_bound() {
    let e = env().await;
    // Accepts TCP and never answers the TLS handshake.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let opts = Options {
        connect_timeout: Duration::from_millis(800),
        request_timeout: Duration::from_millis(800),
        ..e.opts.clone()
    };
    let started = std::time::Instant::now();
    let (r, _) = run(&profile(&format!("127.0.0.1:{port}"), "900", SECRET), &opts).await;
    assert_eq!(r.failure, Some(FailureKind::Timeout), "{r:#?}");
    assert!(started.elapsed() < Duration::from_secs(3), "bounded by the timeouts");
    hold.abort();
}

#[path = "validate/certificates.rs"]
mod certificates;
#[path = "validate/cx_engine.rs"]
mod cx_engine;
#[path = "validate/eightbyeight.rs"]
mod eightbyeight;
#[path = "validate/health.rs"]
mod health;

/// One deadline per validation: a PBX slow over each read (the role that may not read
/// SystemStatus makes two reads) ends at `--timeout`, not at twice or three times it.
#[tokio::test]
async fn a_validation_has_one_deadline_not_one_per_request() {
    let e = env().await;
    let opts = Options { request_timeout: Duration::from_secs(2), ..e.opts.clone() };
    e.sim.set_read_delay(1800);
    let started = std::time::Instant::now();
    let (r, _) = run(&profile(&e.sim.domain(), "902", SECRET), &opts).await;
    let took = started.elapsed();
    assert_eq!(r.failure, Some(FailureKind::Timeout), "{r:#?}");
    assert_eq!(state(&r, "access"), CheckState::Failed(FailureKind::Timeout));
    assert!(took < Duration::from_millis(3200), "ended at the one deadline (2 s), not per request (3.6 s): {took:?}");
}
