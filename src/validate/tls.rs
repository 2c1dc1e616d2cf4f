//! Which certificates a validation trusts: the system's CA bundle (honouring `SSL_CERT_FILE` and
//! `SSL_CERT_DIR`), plus any `--ca-file` or profile `ca_file`. The system bundle is read once per
//! process, not once per connection: on hosts with a hashed certificate directory that read costs
//! tens of milliseconds, which would otherwise dominate `validate --all`. A host without any CA
//! bundle (a bare container) falls back to the Mozilla roots compiled into pbxlink, and says so.

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

struct SystemRoots {
    store: RootCertStore,
    /// Set when the system had no usable CA bundle and the bundled roots are used instead.
    notice: Option<&'static str>,
}

fn system_roots() -> &'static SystemRoots {
    static ROOTS: OnceLock<SystemRoots> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let store = super::roots::CertPaths::find().load();
        if !store.is_empty() {
            return SystemRoots { store, notice: None };
        }
        let mut store = RootCertStore::empty();
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        SystemRoots { store, notice: Some("no system CA bundle found: using the Mozilla roots built into pbxlink") }
    })
}

/// Shown with the connect check when the bundled roots had to be used.
pub fn roots_notice() -> Option<&'static str> {
    system_roots().notice
}

/// Why no TLS client could be set up: a CA file (`--ca-file`, a profile's `ca_file`) that cannot be
/// used, or rustls refusing its own defaults. Each names the file and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot read CA file {}: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error("CA file {} is not PEM certificates", path.display())]
    NotPem { path: PathBuf },
    #[error("CA file {} holds no certificate", path.display())]
    Empty { path: PathBuf },
    #[error("CA file {}: a certificate cannot be used as a CA ({reason})", path.display())]
    NotACa { path: PathBuf, reason: String },
    #[error("TLS set-up failed: {0}")]
    Rustls(String),
}

/// The server certificate (DER) the last handshake of a session presented, trusted or not.
pub type Seen = Arc<std::sync::Mutex<Option<Vec<u8>>>>;

/// WebPKI's verifier, keeping the end-entity certificate it was shown: the admin then sees what
/// the server presented (subject, issuer, fingerprint), also when it is not trusted.
#[derive(Debug)]
struct Keeping {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    seen: Seen,
}

impl rustls::client::danger::ServerCertVerifier for Keeping {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if let Ok(mut s) = self.seen.lock() {
            *s = Some(end_entity.as_ref().to_vec());
        }
        self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A TLS client configuration trusting the system roots and `extra` CA files, and the slot where
/// it keeps the certificate the server presents.
pub fn client_config(extra: &[PathBuf]) -> Result<(rustls::ClientConfig, Seen), TlsSetupError> {
    let mut pems = Vec::with_capacity(extra.len());
    for path in extra {
        let pem =
            std::fs::read(path).map_err(|e| TlsSetupError::Unreadable { path: path.clone(), reason: e.to_string() })?;
        pems.push((path.clone(), pem));
    }
    let inner = verifier(&pems)?;
    let seen = Seen::default();
    Ok((config_with(inner, seen.clone())?, seen))
}

/// The verifier for the system roots plus these CA files (as read now), built once per distinct
/// set and shared: `validate --all` over a thousand PBXs would otherwise copy the whole trust
/// store for each validation running at once. Keyed by the files' contents, so a CA file fixed
/// during a TUI session is read anew.
fn verifier(pems: &[(PathBuf, Vec<u8>)]) -> Result<Arc<rustls::client::WebPkiServerVerifier>, TlsSetupError> {
    type Cache = Vec<(Vec<Vec<u8>>, Arc<rustls::client::WebPkiServerVerifier>)>;
    static CACHE: std::sync::Mutex<Cache> = std::sync::Mutex::new(Vec::new());
    let key: Vec<Vec<u8>> = pems.iter().map(|(_, pem)| pem.clone()).collect();
    if let Some((_, v)) = CACHE.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|(k, _)| *k == key) {
        return Ok(v.clone());
    }
    let mut store = system_roots().store.clone();
    for (path, pem) in pems {
        let at = || path.clone();
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .map_err(|_| TlsSetupError::NotPem { path: at() })?;
        if certs.is_empty() {
            return Err(TlsSetupError::Empty { path: at() });
        }
        for c in certs {
            store.add(c).map_err(|e| TlsSetupError::NotACa { path: at(), reason: e.to_string() })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let v = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
        .build()
        .map_err(|e| TlsSetupError::Rustls(e.to_string()))?;
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    // A few sets at most in one run (the global --ca-file, a profile's own); never unbounded.
    if cache.len() >= 16 {
        cache.remove(0);
    }
    cache.push((key, v.clone()));
    Ok(v)
}

/// ring, not aws-lc: aws-lc seeds its generator from CPU jitter on first use, which costs about
/// 70 ms of CPU in every process, more than the whole validation on a LAN.
fn builder() -> Result<rustls::ConfigBuilder<rustls::ClientConfig, rustls::WantsVerifier>, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Rustls(e.to_string()))
}

fn config_with(
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    seen: Seen,
) -> Result<rustls::ClientConfig, TlsSetupError> {
    let mut cfg = builder()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Keeping { inner, seen }))
        .with_no_client_auth();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}

fn config_for(store: RootCertStore) -> Result<rustls::ClientConfig, TlsSetupError> {
    let mut cfg = builder()?.with_root_certificates(store).with_no_client_auth();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}

/// A configuration trusting only the certificates in `ca_pem` (tests against the simulator).
pub fn config_trusting_only(ca_pem: &[u8]) -> rustls::ClientConfig {
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(CertificateDer::pem_slice_iter(ca_pem).filter_map(Result::ok));
    match config_for(store) {
        Ok(c) => c,
        Err(e) => panic!("test TLS config: {e}"),
    }
}
