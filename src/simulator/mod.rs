//! A loopback simulator of the vendors' APIs, over real HTTPS with a throw-away CA. `pbxlink demo`
//! runs the whole TUI against it, and the tests validate against it with real TLS and sockets.
//!
//! This is the server and knows no vendor: each vendor's unit brings a [`Site`] (its routes, its
//! accounts, the vendor's documented answers word for word, in `providers/<vendor>/simulated.rs`).
//! The server keeps a log of the requests it saw (method and path only: never bodies or headers,
//! which carry secrets) and counts TLS handshakes and connections, so tests can check "one
//! connection per validation" and "no forbidden call was made".

mod tls;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::http::request::Parts;
use hyper::{Request, Response, body::Incoming};
use hyper_util::rt::TokioIo;
use std::any::Any;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Makes the certificates of simulators started from now on also name `n` loopback addresses from
/// 127.0.1.0 on: the benchmark's PBXs on many hosts.
pub fn name_extra_hosts(n: usize) {
    tls::EXTRA_HOSTS.store(n, std::sync::atomic::Ordering::Relaxed);
}

/// One vendor's part of the simulator.
pub trait Site: Any + Send + Sync {
    /// The answer to a request that is this vendor's; `None` passes it to the next site. A site
    /// claims only its own paths, so the order of the sites does not matter.
    fn answer(&self, parts: &Parts, body: &Bytes) -> Option<Resp>;

    /// Whether [`Simulator::set_read_delay`] holds this request back (a slow PBX's reads).
    fn delayed(&self, _parts: &Parts) -> bool {
        false
    }
}

/// What the server knows: the sites, and what it has seen.
#[derive(Default)]
struct State {
    sites: Vec<Arc<dyn Site>>,
    log: Mutex<Vec<String>>,
    handshakes: AtomicUsize,
    /// Connections open now, and the most ever open at once.
    open: AtomicUsize,
    max_open: AtomicUsize,
    /// How long each read a site calls slow waits before it is answered (ms): widens the moment
    /// between a token and its use, so tests can show what another holder of a Client ID does.
    read_delay_ms: AtomicU64,
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    /// The first listener's address.
    pub addr: SocketAddr,
    /// Every listener's, in the order of their certificates.
    addrs: Vec<SocketAddr>,
    /// PEM of the throw-away CA that signed the server certificate.
    pub ca_pem: String,
    state: Arc<State>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Days left on the simulator's certificate unless asked otherwise: a fresh Let's Encrypt
/// certificate (what 3CX installs for its FQDNs) lasts 90.
pub const CERT_DAYS: i64 = 89;

impl Drop for Simulator {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Simulator {
    /// Starts on 127.0.0.1 on a free port, in the current tokio runtime, serving these sites with
    /// a certificate of [`CERT_DAYS`] days left.
    pub async fn start(sites: Vec<Arc<dyn Site>>) -> Result<Simulator> {
        Self::start_with_certificates(sites, &[CERT_DAYS]).await
    }

    /// [`start`](Self::start), listening on one port per entry of `days_left`, each presenting a
    /// certificate with that many days left (negative: ended that long ago), all signed by the
    /// same CA and serving the same sites: one PBX reached at hosts whose certificates differ.
    pub async fn start_with_certificates(sites: Vec<Arc<dyn Site>>, days_left: &[i64]) -> Result<Simulator> {
        let certs = tls::make(days_left)?;
        let state = Arc::new(State { sites, ..State::default() });
        let (mut addrs, mut tasks) = (Vec::new(), Vec::new());
        for config in certs.server_configs {
            let listener =
                TcpListener::bind(("127.0.0.1", 0)).await.context("simulator: cannot listen on 127.0.0.1")?;
            addrs.push(listener.local_addr()?);
            tasks.push(tokio::spawn(listen(listener, TlsAcceptor::from(config), state.clone())));
        }
        let addr = *addrs.first().context("simulator: no certificate to listen with")?;
        Ok(Simulator { addr, addrs, ca_pem: certs.ca_pem, state, tasks })
    }

    /// The site of type `T`, for its own knobs and counters (a vendor's test helpers use this).
    pub fn site<T: Site>(&self) -> Option<&T> {
        self.state.sites.iter().find_map(|s| (s.as_ref() as &dyn Any).downcast_ref::<T>())
    }

    /// The address a user types as the host (a 3CX domain, a base URL without its scheme).
    pub fn domain(&self) -> String {
        format!("localhost:{}", self.addr.port())
    }

    /// [`domain`](Self::domain) of the listener with the `i`th certificate asked of
    /// [`start_with_certificates`](Self::start_with_certificates) (0 is `domain()`).
    pub fn domain_at(&self, i: usize) -> Option<String> {
        self.addrs.get(i).map(|a| format!("localhost:{}", a.port()))
    }

    /// Delays the reads the sites call slow (3CX's XAPI reads) by `ms` (0: none).
    pub fn set_read_delay(&self, ms: u64) {
        self.state.read_delay_ms.store(ms, Ordering::SeqCst);
    }

    /// "METHOD /path" of every request so far.
    pub fn requests(&self) -> Vec<String> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn handshakes(&self) -> usize {
        self.state.handshakes.load(Ordering::SeqCst)
    }

    /// The most connections that were open at the same time (a closed connection is noticed a
    /// moment late, so this can exceed the client's bound by one).
    pub fn max_connections(&self) -> usize {
        self.state.max_open.load(Ordering::SeqCst)
    }
}

/// A sample 3CX CRM template shaped like CX-Engine's (the demo offers it; tests use it).
pub const DEMO_TEMPLATE: &str = include_str!("../../assets/demo/CXEngine.xml");

/// An answer.
pub type Resp = Response<Full<Bytes>>;

async fn listen(listener: TcpListener, acceptor: TlsAcceptor, st: Arc<State>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let st = st.clone();
        tokio::spawn(async move {
            let now = st.open.fetch_add(1, Ordering::SeqCst) + 1;
            st.max_open.fetch_max(now, Ordering::SeqCst);
            serve(st.clone(), acceptor, tcp).await;
            st.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

async fn serve(st: Arc<State>, acceptor: TlsAcceptor, tcp: tokio::net::TcpStream) {
    // Without this, Nagle's algorithm holds the server's handshake flight until the client's
    // delayed ACK (40 ms on Linux): every validation would look 40 ms slower than a real PBX.
    let _ = tcp.set_nodelay(true);
    let Ok(tls) = acceptor.accept(tcp).await else { return };
    st.handshakes.fetch_add(1, Ordering::SeqCst);
    let svc = hyper::service::service_fn(move |req| handle(st.clone(), req));
    let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), svc).await;
}

async fn handle(st: Arc<State>, req: Request<Incoming>) -> Result<Resp, std::convert::Infallible> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    if let Ok(mut l) = st.log.lock() {
        l.push(format!("{method} {path}"));
    }
    let (parts, body) = req.into_parts();
    let delay = st.read_delay_ms.load(Ordering::SeqCst);
    if delay > 0 && st.sites.iter().any(|s| s.delayed(&parts)) {
        // The token is looked at after the wait, as a server checks it when it gets to the request.
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let body = match Limited::new(body, 64 * 1024).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(json(413, r#"{"error":"too_large"}"#)),
    };
    // A path no site claims does not exist on this host (a CX-Engine token endpoint asked of a
    // 3CX box): 404, in the OData shape a 3CX box gives it.
    let answer = st.sites.iter().find_map(|s| s.answer(&parts, &body));
    Ok(answer.unwrap_or_else(|| json(404, r#"{"error":{"code":"NotFound","message":"Not found"}}"#)))
}

/// A JSON answer with this status.
pub fn json(status: u16, body: impl Into<String>) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body.into())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}
