//! A loopback simulator of the vendors' APIs, over real HTTPS with a throw-away CA. `pbxlink demo`
//! runs the whole TUI against it, and the tests validate against it with real TLS and sockets.
//!
//! It implements what is known of each API (see `threecx.rs`), keeps a log of the requests it saw
//! (method and path only: never bodies or headers, which carry secrets) and counts TLS handshakes,
//! so tests can check "one connection per validation" and "no forbidden call was made".

mod cxengine;
mod eightbyeight;
mod threecx;
mod tls;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Request, Response, body::Incoming};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use cxengine::CxEngineAccount;
pub use eightbyeight::{DOCUMENTED_PRODUCTS, EightByEightAccount, Grants, Tenant};
pub use threecx::{Behaviour, ThreeCxAccount};

/// What the simulator knows: its accounts and the tokens it has issued.
#[derive(Default)]
struct State {
    threecx: Vec<ThreeCxAccount>,
    eightbyeight: Vec<EightByEightAccount>,
    cxengine: Vec<CxEngineAccount>,
    /// client id → the one active token (3CX keeps one per client).
    tokens: Mutex<HashMap<String, String>>,
    /// 3CX client id (a service principal's Number) → its current API key. Starts as each
    /// account's key; generating an app token replaces it, so the old key stops working.
    keys: Mutex<HashMap<String, String>>,
    /// 3CX client id → when it last got a token (seconds since the epoch), for `LastUsed`.
    last_used: Mutex<HashMap<String, u64>>,
    log: Mutex<Vec<String>>,
    handshakes: AtomicUsize,
    /// Connections open now, and the most ever open at once.
    open: AtomicUsize,
    max_open: AtomicUsize,
    /// Validations in progress (from a token issued to the SystemStatus read that ends a 3CX
    /// validation), and the most at once: unlike connections, this has no closing lag.
    sessions: AtomicUsize,
    max_sessions: AtomicUsize,
    /// The CRM template 3CX's CRM integration has selected (`None`: none selected).
    crm_template: Mutex<Option<String>>,
    /// How long each XAPI read waits before it is answered (ms): widens the moment between a
    /// token and its use, so tests can show what another holder of the Client ID does there.
    read_delay_ms: std::sync::atomic::AtomicU64,
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    pub addr: SocketAddr,
    /// PEM of the throw-away CA that signed the server certificate.
    pub ca_pem: String,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Simulator {
    /// Starts on 127.0.0.1 on a free port, in the current tokio runtime.
    pub async fn start(threecx: Vec<ThreeCxAccount>) -> Result<Simulator> {
        Self::start_with(threecx, Vec::new()).await
    }

    /// Starts with 3CX and 8x8 accounts.
    pub async fn start_with(threecx: Vec<ThreeCxAccount>, eightbyeight: Vec<EightByEightAccount>) -> Result<Simulator> {
        Self::start_all(threecx, eightbyeight, Vec::new()).await
    }

    /// Starts with accounts of every vendor.
    pub async fn start_all(
        threecx: Vec<ThreeCxAccount>,
        eightbyeight: Vec<EightByEightAccount>,
        cxengine: Vec<CxEngineAccount>,
    ) -> Result<Simulator> {
        let certs = tls::make()?;
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.context("simulator: cannot listen on 127.0.0.1")?;
        let addr = listener.local_addr()?;
        let crm_template = Mutex::new(Some(DEMO_TEMPLATE_NAME.to_string()));
        let keys = threecx.iter().map(|a| (a.client_id.clone(), a.api_key().to_string())).collect();
        let state = Arc::new(State {
            threecx,
            eightbyeight,
            cxengine,
            crm_template,
            keys: Mutex::new(keys),
            ..State::default()
        });
        let acceptor = TlsAcceptor::from(certs.server_config);
        let st = state.clone();
        let task = tokio::spawn(async move {
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
        });
        Ok(Simulator { addr, ca_pem: certs.ca_pem, state, task })
    }

    /// The simulator with the demo accounts of [`demo_accounts`].
    pub async fn demo() -> Result<Simulator> {
        Self::start_all(demo_accounts(), demo_8x8_accounts(), demo_cx_engine_accounts()).await
    }

    /// The address a user types as the 3CX domain.
    pub fn domain(&self) -> String {
        format!("localhost:{}", self.addr.port())
    }

    /// Which CRM template 3CX reports as selected (`None`: none); the sample's by default.
    pub fn set_crm_template(&self, name: Option<&str>) {
        if let Ok(mut t) = self.state.crm_template.lock() {
            *t = name.map(str::to_string);
        }
    }

    /// Delays every XAPI read by `ms` (0: none), as a slow PBX would.
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

    /// The most validations that were between their token and their SystemStatus read at once.
    pub fn max_concurrent_validations(&self) -> usize {
        self.state.max_sessions.load(Ordering::SeqCst)
    }
}

/// The demo accounts, one per outcome worth seeing. Their keys are public by design: the demo
/// shows them on screen.
pub fn demo_accounts() -> Vec<ThreeCxAccount> {
    vec![
        ThreeCxAccount::new("900", "demo-key-900", Behaviour::Good),
        ThreeCxAccount::new("901", "demo-key-901", Behaviour::NoXapiAccess),
        ThreeCxAccount::new("902", "demo-key-902", Behaviour::LowRole),
        ThreeCxAccount::new("903", "demo-key-903", Behaviour::OldVersion),
        ThreeCxAccount::new("904", "demo-key-904", Behaviour::NoLicence),
    ]
}

/// A sample 3CX CRM template shaped like CX-Engine's (the demo offers it; tests use it).
pub const DEMO_TEMPLATE: &str = include_str!("../../assets/demo/CXEngine.xml");
/// Its `<Crm Name>`, which the simulated 3CX reports as selected.
pub const DEMO_TEMPLATE_NAME: &str = "CX-Engine";

/// The CX-Engine demo API client.
pub fn demo_cx_engine_accounts() -> Vec<CxEngineAccount> {
    vec![
        CxEngineAccount::new("7", "demo-cx-engine-secret"),
        CxEngineAccount::new("8", "demo-cx-engine-code-only").code_only(),
    ]
}

/// The 8x8 demo accounts: one per product outcome. Like real ones, the Client IDs (the Admin
/// Console's Key) start with `eght_` and the secrets do not.
pub fn demo_8x8_accounts() -> Vec<EightByEightAccount> {
    vec![
        EightByEightAccount::new("eght_demo_app", "demo-8x8-secret-all", Grants::All),
        EightByEightAccount::new("eght_demo_nochat", "demo-8x8-secret-nochat", Grants::NoChat),
        EightByEightAccount::new("eght_demo_storage", "demo-8x8-secret-storage", Grants::StorageOnly),
        EightByEightAccount::new("eght_demo_jwt", "demo-8x8-secret-jwt", Grants::JwtOnly),
        EightByEightAccount::new("eght_demo_europe", "demo-8x8-secret-europe", Grants::All).in_europe(),
    ]
}

type Resp = Response<Full<Bytes>>;

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
    if delay > 0 && parts.method == hyper::Method::GET && parts.uri.path().starts_with("/xapi/") {
        // The token is looked at after the wait, as a PBX checks it when it gets to the request.
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let body = match Limited::new(body, 64 * 1024).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(json(413, r#"{"error":"too_large"}"#)),
    };
    // Only a simulator with CX-Engine clients serves /oauth/token: without, it is a host where
    // that endpoint does not exist (404), as on a 3CX box.
    if parts.uri.path() == "/oauth/token" && !st.cxengine.is_empty() {
        return Ok(cxengine::route(&st.cxengine, &parts, &body));
    }
    if eightbyeight::handles(parts.uri.path()) {
        return Ok(eightbyeight::route(&st.eightbyeight, &parts, &body));
    }
    Ok(threecx::route(&st, &parts, &body))
}

fn json(status: u16, body: impl Into<String>) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body.into())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}
