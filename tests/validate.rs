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
    assert_eq!(e.sim.requests(), vec!["POST /connect/token", "GET /xapi/v1/Defs", "GET /xapi/v1/SystemStatus"]);
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
    assert!(r.hint.as_deref().is_some_and(|h| h.contains("delete the integration")));
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
    // 401 after a token was issued: the key worked; the token was taken. Asked again once (a
    // second token), then reported as an ended token: no verdict, never a rejected key.
    let before = e.sim.requests().len();
    let (r, _) = run(&profile(&e.sim.domain(), "909", SECRET), &e.opts).await;
    assert_eq!(r.failure, Some(FailureKind::TokenEnded), "{r:#?}");
    assert!(!r.failure.is_some_and(|k| k.is_rejection()), "exit 4, not 3");
    assert_eq!(state(&r, "token"), CheckState::Passed);
    assert!(detail(&r, "access").contains("another holder of the Client ID"), "{}", detail(&r, "access"));
    assert!(
        r.hint.as_deref().is_some_and(|h| h.contains("one active token") && h.contains("do not delete it")),
        "{:?}",
        r.hint
    );
    let asked: Vec<String> = e.sim.requests()[before..].to_vec();
    assert_eq!(
        asked,
        vec!["POST /connect/token", "GET /xapi/v1/Defs", "POST /connect/token", "GET /xapi/v1/Defs"],
        "one retry, never a loop"
    );
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
    assert!(detail(&r, "token").contains("not a 3CX token"), "{}", detail(&r, "token"));
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
    assert!(detail(&r, "details").starts_with("n/a"));
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

mod eightbyeight {
    use super::*;
    use pbxlink::providers::eightbyeight::EightByEight;
    use pbxlink::providers::eightbyeight::simulated::Grants;

    const SECRET8: &str = "s3cret-8x8-value-77aa";

    async fn sim() -> (Simulator, tempfile::TempDir, Options) {
        let sim = start(
            vec![],
            vec![
                EightByEightAccount::new("all", SECRET8, Grants::All),
                EightByEightAccount::new("nochat", SECRET8, Grants::NoChat),
                EightByEightAccount::new("jwt", SECRET8, Grants::JwtOnly),
                EightByEightAccount::new("odd", SECRET8, Grants::Unrecognised),
                EightByEightAccount::new("storage", SECRET8, Grants::StorageOnly),
                EightByEightAccount::new("eu", SECRET8, Grants::All).in_europe(),
            ],
            vec![],
        )
        .await
        .expect("simulator");
        let (dir, opts) = trusting(&sim);
        (sim, dir, opts)
    }

    fn profile(base: &str, client: &str, secret: &str, products: &[&str]) -> Profile {
        EightByEight {
            client_id: client.into(),
            client_secret: SecretString::from(secret.to_string()),
            products: products.iter().map(|p| p.to_string()).collect(),
            base_url: Some(base.into()),
            region: None,
        }
        .profile("cc", None)
    }

    async fn check(p: &Profile, opts: &Options) -> Report {
        let r = pbxlink::providers::validate(p, opts, &mut |_| {}).await;
        assert!(!format!("{r:?}").contains(SECRET8), "the secret leaked into the report");
        r
    }

    #[tokio::test]
    async fn every_product_granted() {
        let (sim, _d, opts) = sim().await;
        let r = check(&profile(&sim.domain(), "all", SECRET8, &["cloud-storage", "cc-chat"]), &opts).await;
        assert!(r.ok(), "{r:#?}");
        assert!(
            detail(&r, "products").contains("Cloud Storage Service, Contact Center Chat"),
            "{}",
            detail(&r, "products")
        );
        assert_eq!(detail(&r, "token"), "token issued, valid for 30 min", "expires_in came as the string \"1799\"");
        assert_eq!(sim.requests(), vec!["POST /oauth/v2/token"]);
        assert_eq!(sim.handshakes(), 1);
    }

    #[tokio::test]
    async fn a_missing_product_is_flagged_with_the_fix() {
        let (sim, _d, opts) = sim().await;
        let r = check(&profile(&sim.domain(), "nochat", SECRET8, &["cloud-storage", "cc-chat"]), &opts).await;
        assert_eq!(r.failure, Some(FailureKind::Forbidden));
        assert_eq!(detail(&r, "products"), "not granted: Contact Center Chat");
        assert!(r.hint.as_deref().is_some_and(|h| h.contains("API Management")), "{:?}", r.hint);
    }

    #[tokio::test]
    async fn products_read_from_the_jwt_when_not_listed() {
        let (sim, _d, opts) = sim().await;
        let r = check(&profile(&sim.domain(), "jwt", SECRET8, &["quality-management"]), &opts).await;
        assert!(r.ok(), "{r:#?}");
        assert!(detail(&r, "products").contains("services claim"), "{}", detail(&r, "products"));
    }

    #[tokio::test]
    async fn an_unrecognised_product_list_is_shown_not_failed() {
        let (sim, _d, opts) = sim().await;
        let r = check(&profile(&sim.domain(), "odd", SECRET8, &["cc-chat"]), &opts).await;
        assert!(r.ok(), "{r:#?}");
        assert_eq!(state(&r, "products"), CheckState::NotAvailable);
        assert!(detail(&r, "products").contains("vcc"));
    }

    fn with_region(mut p: Profile, region: &str) -> Profile {
        if let Some(mut e) = EightByEight::of(&p) {
            e.region = Some(region.into());
            p = e.profile(&p.name, p.ca_file.clone());
        }
        p
    }

    const ALL_PRODUCTS: [&str; 5] =
        ["cc-realtime-analytics", "cc-historical-analytics", "cloud-storage", "quality-management", "cc-chat"];

    /// The case that used to fail a working link: a European tenant with `region = "uk"`. The
    /// analytics prefix of a uk tenant is written nowhere, so those APIs are not asked at a guessed
    /// address; Cloud Storage's uk address is documented and answers.
    #[tokio::test]
    async fn a_european_tenant_is_not_failed_on_a_guess() {
        let (sim, _d, opts) = sim().await;
        let r = check(&with_region(profile(&sim.domain(), "eu", SECRET8, &ALL_PRODUCTS), "uk"), &opts).await;
        assert!(r.ok(), "{r:#?}");
        assert_eq!(state(&r, "probes"), CheckState::Passed);
        let d = detail(&r, "probes");
        assert!(d.starts_with("answered in uk: Cloud Storage Service; not checked: "), "{d}");
        assert!(d.contains("CC Realtime Analytics (8x8 documents no analytics address for region uk)"), "{d}");
        assert!(d.contains("Quality Management (its API requires a pbx header"), "{d}");
        assert!(d.contains("Contact Center Chat (its API needs the tenant id"), "{d}");
        let asked: Vec<String> = sim.requests().into_iter().filter(|r| r.starts_with("GET ")).collect();
        assert_eq!(
            asked,
            vec!["GET /storage/uk/v3/buckets"],
            "no request to a guessed address, no QM request without its header"
        );
        assert_eq!(sim.handshakes(), 1, "the probes reuse the token's connection");
    }

    #[tokio::test]
    async fn analytics_are_asked_at_their_documented_regional_prefix() {
        let (sim, _d, opts) = sim().await;
        let products = ["cc-realtime-analytics", "cc-historical-analytics", "cloud-storage"];
        let r = check(&with_region(profile(&sim.domain(), "eu", SECRET8, &products), "eu"), &opts).await;
        assert!(r.ok(), "{r:#?}");
        let d = detail(&r, "probes");
        assert!(d.starts_with("answered in eu: CC Realtime Analytics, CC Historical Analytics; not checked: Cloud Storage Service (8x8 documents no Cloud Storage address for region eu)"), "{d}");
        assert!(sim.requests().contains(&"GET /eu/analytics/cc/v5/realtime-metrics/queues".to_string()));
        let us = check(&with_region(profile(&sim.domain(), "all", SECRET8, &products), "us-west"), &opts).await;
        assert_eq!(
            detail(&us, "probes"),
            "answered in us-west: CC Realtime Analytics, CC Historical Analytics, Cloud Storage Service"
        );
    }

    #[tokio::test]
    async fn a_refusal_where_the_region_may_be_wrong_is_not_checked() {
        let (sim, _d, opts) = sim().await;
        // A US tenant told it is in uk: its token is refused (401) at the uk address, while the
        // token grants the product. That proves nothing about the key.
        let r = check(&with_region(profile(&sim.domain(), "all", SECRET8, &["cloud-storage"]), "uk"), &opts).await;
        assert!(r.ok(), "{r:#?}");
        assert_eq!(state(&r, "probes"), CheckState::NotAvailable);
        assert!(detail(&r, "probes").contains("HTTP 401, although the token grants it"), "{}", detail(&r, "probes"));
        // The token's list is unrecognised and the API says 403: attached or another region? Unknown.
        let odd =
            check(&with_region(profile(&sim.domain(), "odd", SECRET8, &["cloud-storage"]), "us-east"), &opts).await;
        assert!(odd.ok(), "{odd:#?}");
        assert_eq!(state(&odd, "probes"), CheckState::NotAvailable);
        assert!(
            detail(&odd, "probes").contains("HTTP 403: the product may not be attached"),
            "{}",
            detail(&odd, "probes")
        );
    }

    #[tokio::test]
    async fn an_unknown_region_is_not_checked_not_failed() {
        let (sim, _d, opts) = sim().await;
        let p = with_region(profile(&sim.domain(), "all", SECRET8, &["cloud-storage"]), "mars");
        let r = check(&p, &opts).await;
        assert!(r.ok(), "{r:#?}");
        assert_eq!(state(&r, "probes"), CheckState::NotAvailable);
        assert_eq!(
            detail(&r, "probes"),
            "n/a: not checked: Cloud Storage Service (8x8 documents no Cloud Storage address for region mars)"
        );
        assert_eq!(sim.requests(), vec!["POST /oauth/v2/token"], "nothing sent to a made-up address");
    }

    /// 8x8 support's example: a Cloud Storage key whose list is "[storage]".
    #[tokio::test]
    async fn a_storage_only_key() {
        let (sim, _d, opts) = sim().await;
        let r = check(&profile(&sim.domain(), "storage", SECRET8, &["cloud-storage"]), &opts).await;
        assert!(r.ok(), "{r:#?}");
        assert_eq!(detail(&r, "products"), "granted: Cloud Storage Service (from api_product_list_json)");
        let chat = check(&profile(&sim.domain(), "storage", SECRET8, &["cloud-storage", "cc-chat"]), &opts).await;
        assert_eq!(chat.failure, Some(FailureKind::Forbidden));
        assert_eq!(detail(&chat, "products"), "not granted: Contact Center Chat");
        // Historical analytics' code is not documented: missing from the list, it is not checked.
        let hist = check(&profile(&sim.domain(), "storage", SECRET8, &["cc-historical-analytics"]), &opts).await;
        assert!(hist.ok(), "{hist:#?}");
        assert!(
            detail(&hist, "products").contains("not checked: CC Historical Analytics"),
            "{}",
            detail(&hist, "products")
        );
    }

    #[tokio::test]
    async fn a_wrong_secret_is_unauthorized() {
        let (sim, _d, opts) = sim().await;
        let r = check(&profile(&sim.domain(), "all", "wrong-8x8-secret", &["cc-chat"]), &opts).await;
        assert_eq!(r.failure, Some(FailureKind::Unauthorized));
        assert!(detail(&r, "token").contains("401"));
        assert!(r.hint.as_deref().is_some_and(|h| h.contains("regenerate")), "{:?}", r.hint);
        assert_eq!(state(&r, "products"), CheckState::Skipped);
    }
}

mod cx_engine {
    use super::*;
    use pbxlink::providers::cxengine::AuthMethod;
    use pbxlink::providers::cxengine::CxEngine;

    const SECRET_CX: &str = "cx-secret-9f8e7d6c5b4a";

    fn profile(base: &str, client: &str, secret: &str) -> Profile {
        CxEngine {
            base_url: format!("https://{base}"),
            auth_method: AuthMethod::AuthorizationCode,
            client_id: client.into(),
            client_secret: SecretString::from(secret.to_string()),
            account_id: "7".into(),
            template_path: None,
            pbx_profile: None,
        }
        .profile("crm", None)
    }

    async fn env() -> (Simulator, tempfile::TempDir, Options) {
        let accounts = vec![CxEngineAccount::new("7", SECRET_CX), CxEngineAccount::new("8", SECRET_CX).code_only()];
        let sim = start(vec![], vec![], accounts).await.expect("simulator");
        let (dir, opts) = trusting(&sim);
        (sim, dir, opts)
    }

    fn with_method(mut p: Profile, m: AuthMethod) -> Profile {
        if let Some(mut c) = CxEngine::of(&p) {
            c.auth_method = m;
            p = c.profile(&p.name, p.ca_file.clone());
        }
        p
    }

    #[tokio::test]
    async fn client_credentials_token() {
        let (sim, _d, opts) = env().await;
        let r = pbxlink::providers::validate(&profile(&sim.domain(), "7", SECRET_CX), &opts, &mut |_| {}).await;
        assert!(r.ok(), "{r:#?}");
        // What was proven, and what only 3CX can prove.
        assert_eq!(detail(&r, "token"), "token issued, valid for 365 days: the API client's credentials work");
        assert_eq!(state(&r, "approval"), CheckState::NotAvailable);
        assert!(detail(&r, "approval").contains("only 3CX can prove"), "{}", detail(&r, "approval"));
        let cc = with_method(profile(&sim.domain(), "7", SECRET_CX), AuthMethod::ClientCredentials);
        let r = pbxlink::providers::validate(&cc, &opts, &mut |_| {}).await;
        assert!(r.ok(), "{r:#?}");
        assert_eq!(detail(&r, "token"), "token issued, valid for 365 days");
        assert!(r.checks.iter().all(|c| c.id != "approval"), "client credentials need no approval");
        assert_eq!(sim.requests(), vec!["POST /oauth/token"; 2]);
        // A wrong secret: for Client Credentials a rejection; for Authorization Code "not checked",
        // as CX-Engine's 401 invalid_client may also mean a client not allowed client credentials.
        let wrong = with_method(profile(&sim.domain(), "7", "wrong"), AuthMethod::ClientCredentials);
        let r = pbxlink::providers::validate(&wrong, &opts, &mut |_| {}).await;
        assert_eq!(r.failure, Some(FailureKind::Unauthorized));
        assert!(detail(&r, "token").contains("Client authentication failed"));
        let r = pbxlink::providers::validate(&profile(&sim.domain(), "7", "wrong"), &opts, &mut |_| {}).await;
        assert_eq!((r.failure, state(&r, "token")), (None, CheckState::NotAvailable), "{r:#?}");
        assert!(detail(&r, "token").contains("may also to a client allowed only Authorization Code"));
        assert!(!format!("{r:?}").contains(SECRET_CX));
    }

    /// A client CX-Engine allows only the authorization-code grant answers `unauthorized_client`:
    /// for an Authorization Code profile that is "not checked", for a Client Credentials profile a
    /// method mismatch; never "rejected".
    #[tokio::test]
    async fn a_refused_grant_is_a_method_question_not_a_rejected_key() {
        let (sim, _d, opts) = env().await;
        let code = pbxlink::providers::validate(&profile(&sim.domain(), "8", SECRET_CX), &opts, &mut |_| {}).await;
        assert!(code.ok(), "{code:#?}");
        assert_eq!(state(&code, "token"), CheckState::NotAvailable);
        assert!(detail(&code, "token").contains("unauthorized_client"), "{}", detail(&code, "token"));
        let cc = with_method(profile(&sim.domain(), "8", SECRET_CX), AuthMethod::ClientCredentials);
        let r = pbxlink::providers::validate(&cc, &opts, &mut |_| {}).await;
        assert_eq!(r.failure, Some(FailureKind::Forbidden), "{r:#?}");
        let hint = r.hint.clone().unwrap_or_default();
        assert!(hint.contains("Choose Authorization Code") && !hint.contains("rejected"), "{hint}");
    }

    #[tokio::test]
    async fn a_host_without_oauth_names_the_url_tried() {
        // A 3CX-only simulator: /oauth/token answers 404 there.
        let sim = start(vec![], vec![], vec![]).await.expect("simulator");
        let (_dir, opts) = trusting(&sim);
        let r = pbxlink::providers::validate(&profile(&sim.domain(), "7", SECRET_CX), &opts, &mut |_| {}).await;
        assert_eq!(r.failure, Some(FailureKind::NotFound), "{r:#?}");
        assert!(
            detail(&r, "token").contains(&format!("https://{}/oauth/token", sim.domain())),
            "{}",
            detail(&r, "token")
        );
        assert!(r.hint.as_deref().is_some_and(|h| h.contains("not documented")));
    }

    /// A CX-Engine profile linked to a 3CX profile for client `client` (with its own CA file, as a
    /// saved profile would have), and that 3CX profile.
    fn linked(sim: &Simulator, dir: &std::path::Path, client: &str, template: Option<&str>) -> (Profile, Profile) {
        let mut cx = profile(&sim.domain(), "7", SECRET_CX);
        let template_path = template.map(|text| {
            let p = dir.join("CXEngine.xml");
            std::fs::write(&p, text).expect("template");
            p
        });
        if let Some(mut c) = CxEngine::of(&cx) {
            c.pbx_profile = Some("office".into());
            c.template_path = template_path;
            cx = c.profile(&cx.name, cx.ca_file.clone());
        }
        let mut pbx = super::profile(&sim.domain(), client, SECRET);
        pbx.name = "office".into();
        (cx, pbx)
    }

    async fn env_linked() -> (Simulator, tempfile::TempDir, Options) {
        let sim = start(
            vec![
                ThreeCxAccount::new("900", SECRET, Behaviour::Good),
                ThreeCxAccount::new("902", SECRET, Behaviour::LowRole),
            ],
            vec![],
            vec![CxEngineAccount::new("7", SECRET_CX)],
        )
        .await
        .expect("simulator");
        let (dir, opts) = trusting(&sim);
        (sim, dir, opts)
    }

    async fn linked_run(cx: &Profile, pbx: Option<&Profile>, opts: &Options) -> Report {
        let r = pbxlink::providers::validate_linked(cx, pbx, opts, &mut |_| {}).await;
        let all = format!("{r:?}");
        assert!(!all.contains(SECRET_CX) && !all.contains(SECRET), "a secret leaked: {all}");
        r
    }

    #[tokio::test]
    async fn a_linked_3cx_reports_the_template_it_uses_and_is_never_tested() {
        let (sim, dir, opts) = env_linked().await;
        let (cx, pbx) = linked(&sim, dir.path(), "900", Some(pbxlink::simulator::DEMO_TEMPLATE));
        let r = linked_run(&cx, Some(&pbx), &opts).await;
        assert!(r.ok(), "{r:#?}");
        assert_eq!(detail(&r, "crm"), "3CX uses \"CX-Engine\"; lookups: external calls on, DID calls off");
        let log = sim.requests();
        assert_eq!(log, vec!["POST /oauth/token", "POST /connect/token", "GET /xapi/v1/CrmIntegration"]);
        assert!(!log.iter().any(|l| l.contains("Pbx.Test")), "the CRM test endpoint must never be called");
        assert_eq!(sim.handshakes(), 2, "one connection per host");
    }

    #[tokio::test]
    async fn the_3cx_side_says_what_is_missing_there() {
        let (sim, dir, opts) = env_linked().await;
        // Nothing selected in 3CX yet.
        ThreeCxSite::of(&sim).set_crm_template(None);
        let (cx, pbx) = linked(&sim, dir.path(), "900", None);
        let r = linked_run(&cx, Some(&pbx), &opts).await;
        assert_eq!(r.failure, Some(FailureKind::NotFound), "{r:#?}");
        assert_eq!(detail(&r, "crm"), format!("3CX {}: no CRM template is selected", sim.domain()));
        assert!(r.hint.as_deref().is_some_and(|h| h.contains("Add Template")), "{:?}", r.hint);
        // Another CRM's template is selected: compared with the template file's own name.
        ThreeCxSite::of(&sim).set_crm_template(Some("Salesforce"));
        let (cx, pbx) = linked(&sim, dir.path(), "900", Some(pbxlink::simulator::DEMO_TEMPLATE));
        let r = linked_run(&cx, Some(&pbx), &opts).await;
        assert_eq!(r.failure, Some(FailureKind::NotFound));
        assert!(detail(&r, "crm").ends_with("the CRM template in use is \"Salesforce\", not \"CX-Engine\""));
        // A role that may not read it.
        let (cx, pbx) = linked(&sim, dir.path(), "902", None);
        let r = linked_run(&cx, Some(&pbx), &opts).await;
        assert_eq!(r.failure, Some(FailureKind::Forbidden));
        assert!(r.hint.as_deref().is_some_and(|h| h.contains("System Owner")), "{:?}", r.hint);
        // The 3CX profile's key is refused: named as the 3CX side's problem, not CX-Engine's.
        let (cx, mut pbx) = linked(&sim, dir.path(), "900", None);
        if let Some(mut x) = ThreeCx::of(&pbx) {
            x.api_key = SecretString::from("wrong-key".to_string());
            pbx = x.profile(&pbx.name, pbx.ca_file.clone());
        }
        let r = linked_run(&cx, Some(&pbx), &opts).await;
        assert_eq!(r.failure, Some(FailureKind::Unauthorized));
        assert_eq!(state(&r, "token"), CheckState::Passed, "CX-Engine's own token was fine");
        assert!(
            detail(&r, "crm").starts_with(&format!("3CX {}: token: HTTP 401", sim.domain())),
            "{}",
            detail(&r, "crm")
        );
        assert!(r.hint.as_deref().is_some_and(|h| h.contains("3CX profile")), "{:?}", r.hint);
    }

    #[tokio::test]
    async fn a_missing_linked_profile_is_not_a_failure_of_the_connector() {
        let (sim, dir, opts) = env_linked().await;
        let (cx, _) = linked(&sim, dir.path(), "900", None);
        let r = linked_run(&cx, None, &opts).await;
        assert!(r.ok(), "{r:#?}");
        assert_eq!(state(&r, "crm"), CheckState::NotAvailable);
        assert!(detail(&r, "crm").contains("no saved 3CX profile named \"office\""));
        // A failed CX-Engine token skips the 3CX read (no needless token taken there).
        let (mut cx, pbx) = linked(&sim, dir.path(), "900", None);
        if let Some(mut c) = CxEngine::of(&cx) {
            c.client_secret = SecretString::from("wrong".to_string());
            c.auth_method = AuthMethod::ClientCredentials;
            cx = c.profile(&cx.name, cx.ca_file.clone());
        }
        let before = sim.requests().len();
        let r = linked_run(&cx, Some(&pbx), &opts).await;
        assert_eq!((r.failure, state(&r, "crm")), (Some(FailureKind::Unauthorized), CheckState::Skipped));
        assert_eq!(sim.requests()[before..], ["POST /oauth/token".to_string()]);
    }
}
