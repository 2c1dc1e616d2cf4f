//! Builds the HTTP client for one validation: rustls with the roots from `tls` (system plus CA files),
//! timeouts always set, redirects off, HTTPS only, DNS answers pinned to what the `dns` check
//! found, and a connector layer that records how long each connection (TCP + TLS) took.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::Options;

/// Connection set-up times, one per connection made. One entry per validation is the goal.
#[derive(Clone, Default)]
pub struct Connections(Arc<Mutex<Vec<Duration>>>, Arc<AtomicBool>);

impl Connections {
    pub fn first(&self) -> Option<Duration> {
        self.0.lock().ok().and_then(|v| v.first().copied())
    }

    fn push(&self, d: Duration) {
        if let Ok(mut v) = self.0.lock() {
            v.push(d);
        }
    }

    fn any(&self) -> bool {
        self.0.lock().map(|v| !v.is_empty()).unwrap_or(false)
    }

    /// The validation is over: a connection attempt still waiting is dropped, never made.
    pub fn finish(&self) {
        self.1.store(true, Ordering::SeqCst);
    }

    fn finished(&self) -> bool {
        self.1.load(Ordering::SeqCst)
    }
}

/// Marks the validation over when dropped, whichever way the validation returns.
pub struct FinishOnDrop(pub Connections);

impl Drop for FinishOnDrop {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// How long a second connection attempt waits for the first connection to come back to the pool.
/// hyper starts a new connection as soon as a request finds no idle one, even when the previous
/// response's connection is about to become idle, and finishes it in the background: one more
/// TLS handshake for nothing. Waiting a little lets the pooled connection win; the attempt is then
/// dropped before it connects. If the server really closed the first connection, the request
/// goes ahead after this delay.
const SECOND_CONNECTION_GRACE: Duration = Duration::from_millis(100);

#[derive(Clone)]
struct TimingLayer(Connections);

impl<S> tower_layer::Layer<S> for TimingLayer {
    type Service = Timed<S>;
    fn layer(&self, inner: S) -> Timed<S> {
        Timed { inner, log: self.0.clone() }
    }
}

#[derive(Clone)]
struct Timed<S> {
    inner: S,
    log: Connections,
}

impl<S, R> tower_service::Service<R> for Timed<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
    S::Error: From<std::io::Error>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        // The connector's future is lazy: nothing is connected until it is polled.
        let fut = self.inner.call(req);
        let log = self.log.clone();
        Box::pin(async move {
            if log.any() {
                tokio::time::sleep(SECOND_CONNECTION_GRACE).await;
                if log.finished() {
                    return Err(std::io::Error::other("validation finished; connection not needed").into());
                }
            }
            let started = Instant::now();
            let r = fut.await;
            if r.is_ok() {
                log.push(started.elapsed());
            }
            r
        })
    }
}

/// Why a client could not be built (a CA file that cannot be read is the usual one).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Tls(#[from] super::tls::TlsSetupError),
    #[error("could not set up TLS (is the system CA store readable?)")]
    Client,
}

/// The client for one host. `pinned` are the addresses the `dns` check resolved, so reqwest does
/// not resolve again.
pub fn build(
    opts: &Options,
    host: &str,
    pinned: &[SocketAddr],
) -> Result<(reqwest::Client, Connections, super::tls::Seen), BuildError> {
    let conns = Connections::default();
    let mut b = reqwest::Client::builder()
        .user_agent(concat!("pbxlink/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .https_only(true)
        .http1_only()
        .connect_timeout(opts.connect_timeout)
        .timeout(opts.request_timeout)
        .pool_max_idle_per_host(1)
        .connector_layer(TimingLayer(conns.clone()));
    if !pinned.is_empty() {
        b = b.resolve_to_addrs(host, pinned);
    }
    if opts.no_proxy {
        b = b.no_proxy();
    }
    let (tls, seen) = super::tls::client_config(&opts.ca_files)?;
    b = b.use_preconfigured_tls(tls);
    let client = b.build().map_err(|_| BuildError::Client)?;
    Ok((client, conns, seen))
}

/// A plain client trusting `ca_pem` only, for tests that talk to the simulator directly.
pub fn http_client_for_tests(ca_pem: &[u8]) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(super::tls::config_trusting_only(ca_pem))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}
