//! Network faults the simulator does not play, each against a small purpose-built server in this
//! file: an expired and a not-yet-valid certificate, a server that stalls in the middle of a body,
//! 429 with Retry-After, 502 and 503, a token endpoint answering broken JSON, redirects whose
//! target must never be contacted, and an unknown host. Each is checked twice, through the
//! library API (`validate::validate`) and through `pbxlink validate --json` (failure kind and exit
//! code), and each must end within its timeout plus a generous margin: a bound, not a benchmark.

use pbxlink::providers::threecx::ThreeCx;
use pbxlink::report::{CheckState, FailureKind, Report};
use pbxlink::validate::Options;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use secrecy::SecretString;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "fault-key-3e9d1c7b5a20";
/// The timeout every case runs with (connect and request), in seconds.
const TIMEOUT: u64 = 2;
/// How far past the timeout a case may end: generous, so that a loaded machine does not fail it.
// Generous: a loaded 2-core machine starting a debug binary in parallel with other tests.
const MARGIN: Duration = Duration::from_secs(4);

/// How a test server answers.
#[derive(Clone)]
enum Reply {
    /// Every request gets these bytes (a whole HTTP/1.1 response); the connection stays open.
    Canned(Vec<u8>),
    /// The first request gets these bytes (headers and part of a body), then nothing, ever.
    Stall(Vec<u8>),
    /// Each request gets these bytes, then the TCP connection closes: with TLS's close_notify
    /// (`true`) or without it, as an HTTP/1.0 server that ends its answer by closing may.
    Close(Vec<u8>, bool),
    /// The bytes, one every this many milliseconds: a slow answer, but a whole and valid one.
    Trickle(Vec<u8>, u64),
}

fn response(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut r = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str("\r\n");
    r.push_str(body);
    r.into_bytes()
}

type Ymd = (i32, u8, u8);

const JSON: (&str, &str) = ("Content-Type", "application/json");

/// A TLS server on 127.0.0.1 that counts what reaches it. Dropping it stops it and every
/// connection it holds.
struct Server {
    port: u16,
    /// TCP connections accepted: a redirect target must see none.
    connections: Arc<AtomicUsize>,
    /// Whole requests read (after a TLS handshake).
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A throw-away CA (trusted through a CA file, as a user would with `--ca-file`), the runtime the
/// servers run on, and a directory for the CA file, the profiles file and the state.
struct Lab {
    rt: tokio::runtime::Runtime,
    issuer: Issuer<'static, KeyPair>,
    dir: tempfile::TempDir,
    ca: PathBuf,
}

impl Lab {
    fn new() -> Lab {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "pbxlink fault tests CA (throw-away)");
        ca.distinguished_name = dn;
        let ca_pem = ca.self_signed(&ca_key).expect("CA certificate").pem();
        let dir = tempfile::tempdir().expect("tempdir");
        let ca_path = dir.path().join("ca.pem");
        std::fs::write(&ca_path, ca_pem).expect("write CA");
        Lab { rt, issuer: Issuer::new(ca, ca_key), dir, ca: ca_path }
    }

    /// A server configuration whose leaf (for 127.0.0.1 and localhost) is valid between the two
    /// dates, (year, month, day) (`None`: rcgen's defaults, valid now).
    fn tls(&self, validity: Option<(Ymd, Ymd)>) -> Arc<rustls::ServerConfig> {
        let key = KeyPair::generate().expect("server key");
        let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).expect("server params");
        leaf.subject_alt_names.push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
        leaf.is_ca = IsCa::ExplicitNoCa;
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        if let Some(((y1, m1, d1), (y2, m2, d2))) = validity {
            leaf.not_before = rcgen::date_time_ymd(y1, m1, d1);
            leaf.not_after = rcgen::date_time_ymd(y2, m2, d2);
        }
        let cert = leaf.signed_by(&key, &self.issuer).expect("server certificate");
        let chain = vec![CertificateDer::from(cert.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("server config");
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(cfg)
    }

    fn serve(&self, tls: Arc<rustls::ServerConfig>, reply: Reply) -> Server {
        let listener = self.rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (connections, requests) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (c, r) = (connections.clone(), requests.clone());
        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
        let task = self.rt.spawn(async move {
            // Owned here, so that aborting the server also drops every connection it holds.
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((tcp, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let (acceptor, reply, requests) = (acceptor.clone(), reply.clone(), r.clone());
                conns.spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    while read_request(&mut tls).await {
                        requests.fetch_add(1, Ordering::SeqCst);
                        match &reply {
                            Reply::Canned(bytes) => {
                                if tls.write_all(bytes).await.is_err() {
                                    return;
                                }
                            }
                            Reply::Stall(bytes) => {
                                let _ = tls.write_all(bytes).await;
                                let _ = tls.flush().await;
                                std::future::pending::<()>().await;
                            }
                            Reply::Close(bytes, notify) => {
                                let _ = tls.write_all(bytes).await;
                                let _ = tls.flush().await;
                                if *notify {
                                    let _ = tls.shutdown().await;
                                } else {
                                    let _ = tls.get_mut().0.shutdown().await;
                                }
                                return;
                            }
                            Reply::Trickle(bytes, ms) => {
                                for b in bytes {
                                    if tls.write_all(&[*b]).await.is_err() || tls.flush().await.is_err() {
                                        return;
                                    }
                                    tokio::time::sleep(Duration::from_millis(*ms)).await;
                                }
                            }
                        }
                    }
                });
            }
        });
        Server { port, connections, requests, task }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("profiles.toml")
    }

    fn options(&self) -> Options {
        Options {
            ca_files: vec![self.ca.clone()],
            connect_timeout: Duration::from_secs(TIMEOUT),
            request_timeout: Duration::from_secs(TIMEOUT),
            no_proxy: true,
            ..Options::default()
        }
    }

    /// Validates a 3CX profile for `domain` through the library and through the CLI, and checks
    /// that both fail with `kind` at `check` with a detail containing `says`, and end in time.
    fn expect(&self, domain: &str, kind: FailureKind, check: &str, says: &str) {
        let p = ThreeCx { domain: domain.into(), client_id: "900".into(), api_key: SecretString::from(SECRET) }
            .profile("pbx", None);
        let bound = Duration::from_secs(TIMEOUT) + MARGIN;
        let started = Instant::now();
        let r = self.rt.block_on(pbxlink::providers::validate(&p, &self.options(), &mut |_| {}));
        let took = started.elapsed();
        assert!(!format!("{r:?}").contains(SECRET), "the secret leaked into the report");
        assert_eq!(r.failure, Some(kind), "{domain}: {r:#?}");
        assert_eq!(state(&r, check), CheckState::Failed(kind), "{r:#?}");
        assert!(detail(&r, check).contains(says), "{check}: {:?} lacks {says:?}", detail(&r, check));
        assert!(r.hint.as_deref().is_some_and(|h| !h.is_empty()), "a fix is given");
        assert!(took < bound, "the library took {took:?}");
        println!("library  {kind:<12} {took:>9.2?}  {check}: {}", detail(&r, check));

        std::fs::write(
            self.config(),
            format!(
                "[profiles.pbx]\nprovider = \"3cx\"\ndomain = \"{domain}\"\nclient_id = \"900\"\napi_key = \"{SECRET}\"\nca_file = \"{}\"\n",
                self.ca.display()
            ),
        )
        .expect("profiles");
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_pbxlink"))
            .args(["--no-proxy", "validate", "pbx", "--json", "--timeout", &TIMEOUT.to_string()])
            .env("PBXLINK_CONFIG", self.config())
            .env("PBXLINK_STATE_DIR", self.dir.path().join("state"))
            .stdin(Stdio::null())
            .output()
            .expect("run pbxlink");
        let took = started.elapsed();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET), "the secret leaked: {stdout}{stderr}");
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
        let p = &v["profiles"][0];
        assert_eq!(p["failure"], kind.as_str(), "{v:#}");
        let want_code = if kind.is_rejection() { 3 } else { 4 };
        assert_eq!(out.status.code(), Some(want_code), "{v:#}");
        let c = p["checks"].as_array().and_then(|a| a.iter().find(|c| c["name"] == check)).cloned().unwrap_or_default();
        assert!(c["detail"].as_str().is_some_and(|d| d.contains(says)), "{c:#}");
        assert!(p["hint"].as_str().is_some_and(|h| !h.is_empty()), "{v:#}");
        assert!(took < bound, "the CLI took {took:?}");
        println!("cli      {kind:<12} {took:>9.2?}  exit {}", want_code);
    }
}

fn state(r: &Report, id: &str) -> CheckState {
    r.checks.iter().find(|c| c.id == id).map(|c| c.state).unwrap_or(CheckState::Pending)
}

fn detail(r: &Report, id: &str) -> String {
    r.checks.iter().find(|c| c.id == id).map(|c| c.detail.clone()).unwrap_or_default()
}

/// Reads one request (head and `Content-Length` body); false when the client went away.
async fn read_request<S: AsyncReadExt + Unpin>(s: &mut S) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    true
}

fn local(s: &Server) -> String {
    format!("127.0.0.1:{}", s.port)
}

#[test]
fn an_expired_certificate_is_tls_and_says_expired() {
    let lab = Lab::new();
    let tls = lab.tls(Some(((2020, 1, 1), (2021, 1, 1))));
    let token = response("200 OK", &[JSON], r#"{"access_token":"x","expires_in":3600}"#);
    let s = lab.serve(tls, Reply::Canned(token));
    lab.expect(&local(&s), FailureKind::Tls, "connect", "certificate has expired: valid until 2021-01-01, ");
    assert_eq!(s.requests.load(Ordering::SeqCst), 0, "nothing may be sent over a rejected connection");
}

#[test]
fn a_certificate_not_valid_yet_is_tls_and_names_the_clock() {
    let lab = Lab::new();
    let tls = lab.tls(Some(((2090, 1, 1), (2091, 1, 1))));
    let s = lab.serve(tls, Reply::Canned(response("200 OK", &[JSON], "{}")));
    lab.expect(
        &local(&s),
        FailureKind::Tls,
        "connect",
        "not valid yet; check this machine's clock: the certificate starts on 2090-01-01",
    );
    assert_eq!(s.requests.load(Ordering::SeqCst), 0);
}

#[test]
fn a_server_stalling_mid_body_times_out() {
    let lab = Lab::new();
    // Headers promise 400 bytes; 24 come, then nothing.
    let mut bytes = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n".to_vec();
    bytes.extend_from_slice(br#"{"access_token":"abcdef"#);
    let s = lab.serve(lab.tls(None), Reply::Stall(bytes));
    let says = format!("the answer started, then stopped: the rest did not come within {TIMEOUT} s");
    lab.expect(&local(&s), FailureKind::Timeout, "token", &says);
    assert_eq!(s.requests.load(Ordering::SeqCst), 2, "one request from the library, one from the CLI");
}

#[test]
fn rate_limited_shows_retry_after() {
    let lab = Lab::new();
    let body = r#"{"error":"too_many_requests"}"#;
    let s = lab
        .serve(lab.tls(None), Reply::Canned(response("429 Too Many Requests", &[JSON, ("Retry-After", "120")], body)));
    lab.expect(&local(&s), FailureKind::RateLimited, "token", "HTTP 429 Too Many Requests; retry after 120 s");
}

#[test]
fn bad_gateway_and_unavailable_are_server_errors() {
    let lab = Lab::new();
    let s = lab.serve(
        lab.tls(None),
        Reply::Canned(response("502 Bad Gateway", &[("Content-Type", "text/html")], "<h1>502</h1>")),
    );
    lab.expect(&local(&s), FailureKind::ServerError, "token", "HTTP 502");
    let body = r#"{"error":"service_unavailable"}"#;
    let s = lab.serve(lab.tls(None), Reply::Canned(response("503 Service Unavailable", &[JSON], body)));
    lab.expect(&local(&s), FailureKind::ServerError, "token", "HTTP 503: service_unavailable");
}

#[test]
fn broken_json_from_the_token_endpoint_is_a_bad_response() {
    let lab = Lab::new();
    let s = lab
        .serve(lab.tls(None), Reply::Canned(response("200 OK", &[JSON], r#"{"access_token": "abc", "expires_in": "#)));
    lab.expect(&local(&s), FailureKind::BadResponse, "token", "not a 3CX token");
}

#[test]
fn a_redirect_target_never_receives_anything() {
    let lab = Lab::new();
    // The target is a working TLS server the client trusts: had the redirect been followed, it
    // would have received the request, and the form with the key in it.
    let target = lab.serve(lab.tls(None), Reply::Canned(response("200 OK", &[JSON], r#"{"access_token":"x"}"#)));
    for status in ["307 Temporary Redirect", "308 Permanent Redirect", "302 Found"] {
        let to = format!("https://127.0.0.1:{}/connect/token?from=pbxlink", target.port);
        let s = lab.serve(lab.tls(None), Reply::Canned(response(status, &[("Location", &to)], "")));
        let code = &status[..3];
        lab.expect(
            &local(&s),
            FailureKind::BadResponse,
            "token",
            &format!("HTTP {code}: redirected to https://127.0.0.1:"),
        );
        assert_eq!(s.requests.load(Ordering::SeqCst), 2, "the first server answered both runs");
    }
    assert_eq!(target.connections.load(Ordering::SeqCst), 0, "the redirect target was contacted");
}

#[test]
fn an_unknown_host_is_dns() {
    let lab = Lab::new();
    lab.expect("pbx.nonexistent.invalid:5001", FailureKind::Dns, "dns", "pbx.nonexistent.invalid was not found");
}

/// Malformed answers: something did answer, so the detail names what came back (never "nothing
/// answered, try domain:5001"), as a `bad_response` with no verdict on the key.
#[test]
fn malformed_answers_say_what_came_back() {
    let lab = Lab::new();
    let token = r#"{"access_token":"abcdef","expires_in":3600}"#;
    let http10 = format!("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{token}");
    let short = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{token}");
    let big_header = format!("HTTP/1.1 200 OK\r\nX-Big: {}\r\nContent-Length: 2\r\n\r\n{{}}", "a".repeat(512 * 1024));
    let escape = "HTTP/1.1 200 OK\r\nX-Note: \u{1b}[2J\r\nContent-Length: 2\r\n\r\n{}".to_string();
    let continues = "HTTP/1.1 100 Continue\r\n\r\n".repeat(20_000);
    let cases: Vec<(&str, Reply, &str)> = vec![
        (
            "http/1.0 without close_notify",
            Reply::Close(http10.into_bytes(), false),
            "closed the connection without ending TLS",
        ),
        ("a body shorter than its length", Reply::Close(short.into_bytes(), true), "before its answer was complete"),
        ("an oversized header", Reply::Canned(big_header.into_bytes()), "could not be read as HTTP"),
        ("not HTTP at all", Reply::Canned(b"SSH-2.0-OpenSSH_9.2\r\n".to_vec()), "could not be read as HTTP"),
        ("an escape in a header", Reply::Canned(escape.into_bytes()), "could not be read as HTTP"),
    ];
    for (what, reply, says) in cases {
        println!("{what}:");
        let s = lab.serve(lab.tls(None), reply);
        lab.expect(&local(&s), FailureKind::BadResponse, "token", says);
    }
    // Interim answers only: no answer came, and it is said as such (hyper reads 1xx and waits).
    let s = lab.serve(lab.tls(None), Reply::Canned(continues.into_bytes()));
    lab.expect(
        &local(&s),
        FailureKind::Timeout,
        "token",
        "no complete answer came within 2 s (nothing, or only interim 1xx answers)",
    );
}

/// A slow but whole answer (a byte every 20 ms, past the timeout) is told as slow, never as an
/// answer that "started, then stopped".
#[test]
fn a_slow_answer_is_not_one_that_stopped() {
    let lab = Lab::new();
    let body = format!(r#"{{"access_token":"abcdef","expires_in":3600,"pad":"{}"}}"#, "p".repeat(150));
    let bytes = response("200 OK", &[JSON], &body);
    let s = lab.serve(lab.tls(None), Reply::Trickle(bytes, 20));
    lab.expect(&local(&s), FailureKind::Timeout, "token", &format!("the answer was still coming after {TIMEOUT} s"));
}
