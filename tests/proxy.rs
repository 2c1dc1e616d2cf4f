//! Proxies, through the real binary (`pbxlink validate --json`) against the simulator over real
//! HTTPS, with the proxy variables set on the child process only: `NO_PROXY` decided as reqwest
//! decides it (a CIDR entry included), a proxy that refuses connections, one that refuses the
//! tunnel (403) or the credentials (407), and a working CONNECT proxy. A failing proxy is blamed
//! with its own fix, never the PBX's port or firewall; its credentials are never shown.

use crate::common::sandbox::{Guarded, Out, Sandbox};
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

const KEY: &str = "proxy-key-5b1e9d3c7a20";
const PROXY_PASSWORD: &str = "proxy-pw-8c2f4a6e0d13";

/// Every variable that can choose a proxy, cleared on the child before the test sets its own.
const PROXY_VARS: [&str; 9] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

/// A sandbox with a good 3CX account (profile `pbx`) and one without API access (profile
/// `noapi`), at `127.0.0.1:<port>`, trusting the simulator's CA.
fn sandbox() -> Guarded {
    let accounts = vec![
        ThreeCxAccount::new("900", KEY, Behaviour::Good),
        ThreeCxAccount::new("901", KEY, Behaviour::NoXapiAccess),
    ];
    let s = Sandbox::start(accounts, vec![], vec![]);
    let domain = format!("127.0.0.1:{}", s.sim.addr.port());
    s.write_config(
        &[s.profile_3cx("pbx", &domain, "900", KEY, true), s.profile_3cx("noapi", &domain, "901", KEY, true)].concat(),
    );
    Guarded { sandbox: s, secrets: vec![KEY, PROXY_PASSWORD] }
}

/// `pbxlink validate pbx --json` with exactly these proxy variables.
fn validate(s: &Sandbox, env: &[(&str, &str)]) -> (Out, serde_json::Value) {
    validate_profile(s, "pbx", env)
}

fn validate_profile(s: &Sandbox, name: &str, env: &[(&str, &str)]) -> (Out, serde_json::Value) {
    let mut cmd = s.command(&["validate", name, "--json"]);
    for v in PROXY_VARS {
        cmd.env_remove(v);
    }
    cmd.envs(env.iter().copied());
    let o = s.output(cmd, None, &format!("validate with {env:?}"), false, |_| {});
    let v = serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", o.stdout, o.stderr));
    (o, v)
}

fn check(v: &serde_json::Value, name: &str) -> String {
    let checks = v["profiles"][0]["checks"].as_array().cloned().unwrap_or_default();
    let c = checks.iter().find(|c| c["name"] == name).cloned().unwrap_or_default();
    c["detail"].as_str().unwrap_or_default().to_string()
}

fn hint(v: &serde_json::Value) -> String {
    v["profiles"][0]["hint"].as_str().unwrap_or_default().to_string()
}

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
fn refused_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// How the test proxy answers a CONNECT.
#[derive(Clone, Copy)]
enum Answer {
    /// This status line and headers, then the connection is closed.
    Refuse(&'static str),
    /// Opens the tunnel to the requested host and port.
    Tunnel,
}

/// A tiny HTTP proxy on 127.0.0.1 that reads CONNECT requests; it keeps each request's head.
struct TestProxy {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
}

impl TestProxy {
    fn start(answer: Answer) -> TestProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let kept = heads.clone();
        // Detached: it ends with the test process.
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let kept = kept.clone();
                std::thread::spawn(move || serve(conn, answer, &kept));
            }
        });
        TestProxy { port, heads }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

fn serve(mut client: TcpStream, answer: Answer, kept: &Mutex<Vec<String>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let target = head.split_whitespace().nth(1).unwrap_or_default().to_string();
    if let Ok(mut k) = kept.lock() {
        k.push(head);
    }
    match answer {
        Answer::Refuse(status) => {
            let _ = client.write_all(format!("{status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes());
        }
        Answer::Tunnel => {
            let Ok(server) = TcpStream::connect(&target) else {
                let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                return;
            };
            if client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").is_err() {
                return;
            }
            let (mut c2, mut s2) = (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
            let up = std::thread::spawn(move || {
                let _ = std::io::copy(&mut c2, &mut s2);
                let _ = s2.shutdown(std::net::Shutdown::Write);
            });
            let (mut client, mut server) = (client, server);
            let _ = std::io::copy(&mut server, &mut client);
            let _ = client.shutdown(std::net::Shutdown::Write);
            let _ = up.join();
        }
    }
}

#[test]
fn a_no_proxy_cidr_entry_connects_directly_and_says_so() {
    let s = sandbox();
    let dead = format!("http://127.0.0.1:{}", refused_port());
    let (o, v) = validate(&s, &[("HTTPS_PROXY", &dead), ("NO_PROXY", "127.0.0.0/8")]);
    assert_eq!(o.code, 0, "the proxy is bypassed, as reqwest bypasses it: {v:#}");
    let connect = check(&v, "connect");
    assert!(connect.contains("TLS verified") && !connect.contains("proxy"), "{connect}");
    assert_eq!(check(&v, "dns"), "an IP address: no lookup needed", "{v:#}");
}

#[test]
fn a_proxy_that_refuses_connections_is_blamed_not_the_pbx() {
    let s = sandbox();
    let port = refused_port();
    let dead = format!("http://user:{PROXY_PASSWORD}@127.0.0.1:{port}");
    let (o, v) = validate(&s, &[("HTTPS_PROXY", &dead)]);
    assert_eq!(o.code, 4, "could not reach, not rejected: {v:#}");
    assert_eq!(v["profiles"][0]["failure"], "connect", "{v:#}");
    let connect = check(&v, "connect");
    assert!(
        connect.contains(&format!("could not connect to the proxy 127.0.0.1:{port}"))
            && connect.contains("connection refused"),
        "{connect}"
    );
    let h = hint(&v);
    assert!(
        h.contains("the proxy did not open the way to the PBX") && h.contains("NO_PROXY") && h.contains("--no-proxy"),
        "{h}"
    );
    assert!(!h.contains("Nothing answered on that address"), "the PBX's port hint: {h}");
    assert!(s.sim.requests().is_empty() && s.sim.handshakes() == 0, "the PBX was never reached");
    assert!(!o.stdout.contains("user:"), "{}", o.stdout);
}

#[test]
fn a_proxy_refusing_the_tunnel_is_blamed() {
    let s = sandbox();
    let proxy = TestProxy::start(Answer::Refuse("HTTP/1.1 403 Forbidden"));
    let (o, v) = validate(&s, &[("HTTPS_PROXY", &proxy.url()), ("NO_PROXY", "")]);
    assert_eq!(o.code, 4, "{v:#}");
    let target = format!("127.0.0.1:{}", s.sim.addr.port());
    let connect = check(&v, "connect");
    assert!(
        connect.contains(&format!("the proxy 127.0.0.1:{} did not open a tunnel to {target}", proxy.port))
            && connect.contains("403 would be its refusal"),
        "{connect}"
    );
    assert!(hint(&v).contains("the proxy did not open the way to the PBX"), "{}", hint(&v));
    let heads = proxy.heads();
    assert!(heads.len() == 1 && heads[0].starts_with(&format!("CONNECT {target} HTTP/1.1")), "{heads:?}");
    assert!(s.sim.requests().is_empty(), "{:?}", s.sim.requests());
}

#[test]
fn a_proxy_refusing_its_credentials_says_so_without_showing_them() {
    let s = sandbox();
    let proxy = TestProxy::start(Answer::Refuse("HTTP/1.1 407 Proxy Authentication Required"));
    let url = format!("http://alice:{PROXY_PASSWORD}@127.0.0.1:{}", proxy.port);
    let (o, v) = validate(&s, &[("HTTPS_PROXY", &url)]);
    assert_eq!(o.code, 4, "a proxy's refusal is not the PBX rejecting the key: {v:#}");
    let connect = check(&v, "connect");
    assert!(connect.contains("refused the user name and password of the proxy URL (HTTP 407"), "{connect}");
    assert!(!o.stdout.contains("alice") && !o.stderr.contains("alice"), "{}", o.stdout);
    let heads = proxy.heads();
    assert!(heads[0].to_ascii_lowercase().contains("proxy-authorization: basic "), "{heads:?}");

    let proxy = TestProxy::start(Answer::Refuse("HTTP/1.1 407 Proxy Authentication Required"));
    let (_, v) = validate(&s, &[("HTTPS_PROXY", &proxy.url())]);
    assert!(check(&v, "connect").contains("and the proxy URL has none"), "{v:#}");
}

#[test]
fn a_working_proxy_tunnels_and_is_named() {
    let s = sandbox();
    let proxy = TestProxy::start(Answer::Tunnel);
    let (o, v) = validate(&s, &[("HTTPS_PROXY", &proxy.url())]);
    assert_eq!(o.code, 0, "{v:#}");
    let named = format!("through the proxy 127.0.0.1:{}", proxy.port);
    assert!(check(&v, "connect").contains(&format!("TLS verified {named}")), "{v:#}");
    assert!(check(&v, "dns").contains(&named), "{v:#}");
    assert_eq!(proxy.heads().len(), 1, "one tunnel for the whole validation");
    assert_eq!(s.sim.requests(), vec!["POST /connect/token", "GET /xapi/v1/SystemStatus"]);

    // A 403 through the proxy: the PBX's Console Restrictions see the proxy's address.
    let (o, v) = validate_profile(&s, "noapi", &[("HTTPS_PROXY", &proxy.url())]);
    assert_eq!((o.code, v["profiles"][0]["failure"].as_str()), (3, Some("forbidden")), "{v:#}");
    let access = check(&v, "access");
    assert!(access.contains(&format!("{named}, so the PBX sees the proxy's address")), "{access}");
    assert!(!access.contains("connected from"), "{access}");
}
