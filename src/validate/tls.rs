//! Which certificates a validation trusts: any `--ca-file` or profile `ca_file`, and the system's
//! CA bundle (`validate/roots.rs`: `SSL_CERT_FILE`, `SSL_CERT_DIR`, the usual places). A chain is
//! trusted when it leads to either, as if they were one set: the CA files are tried first, and the
//! system bundle is read only when they do not vouch for the server, once per process, at the
//! first validation that needs it (never for a profile whose own CA signs its PBX, nor before the
//! first frame). A host without any CA bundle (a bare container) falls back to the Mozilla roots
//! compiled into pbxlink, and the validation that used them says so.

use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

const BUNDLED_NOTICE: &str = "no system CA bundle found: using the Mozilla roots built into pbxlink";

/// The system's trust, as one shared verifier.
struct SystemTrust {
    verifier: Arc<WebPkiServerVerifier>,
    /// Whether these are the bundled roots (the system had no usable CA bundle).
    bundled: bool,
}

fn system_trust() -> Result<&'static SystemTrust, rustls::Error> {
    static TRUST: OnceLock<Result<SystemTrust, String>> = OnceLock::new();
    let built = TRUST.get_or_init(|| {
        let mut store = super::roots::CertPaths::find().load();
        let bundled = store.is_empty();
        if bundled {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        webpki(store).map(|verifier| SystemTrust { verifier, bundled }).map_err(|e| e.to_string())
    });
    built.as_ref().map_err(|e| rustls::Error::General(e.clone()))
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

/// What a session's handshakes showed: the server certificate (DER) the last one presented,
/// trusted or not, and whether the built-in roots were what the chain was checked against.
#[derive(Debug, Default)]
pub struct Shown {
    cert: Mutex<Option<Vec<u8>>>,
    bundled: AtomicBool,
}

impl Shown {
    pub fn certificate(&self) -> Option<Vec<u8>> {
        self.cert.lock().ok()?.clone()
    }

    /// Said beside the connect check's result when the built-in roots were used.
    pub fn roots_notice(&self) -> Option<&'static str> {
        self.bundled.load(Ordering::Relaxed).then_some(BUNDLED_NOTICE)
    }
}

pub type Seen = Arc<Shown>;

/// WebPKI's verification against the CA files, then the system's roots, keeping the end-entity
/// certificate it was shown: the admin then sees what the server presented (subject, issuer,
/// fingerprint), also when it is not trusted.
#[derive(Debug)]
struct Keeping {
    /// The CA files' own verifier; `None` when there are none.
    extras: Option<Arc<WebPkiServerVerifier>>,
    seen: Seen,
}

impl ServerCertVerifier for Keeping {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut s) = self.seen.cert.lock() {
            *s = Some(end_entity.as_ref().to_vec());
        }
        let verify =
            |v: &WebPkiServerVerifier| v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        let first = match &self.extras {
            Some(x) => match verify(x) {
                Ok(ok) => return Ok(ok),
                Err(e) => Some(e),
            },
            None => None,
        };
        // The system's roots unusable (never so far: the built-in ones stand in for a missing
        // bundle): the CA files' own answer, if there was one, says more than that.
        let system = match system_trust() {
            Ok(s) => s,
            Err(e) => return Err(first.unwrap_or(e)),
        };
        self.seen.bundled.store(system.bundled, Ordering::Relaxed);
        verify(&system.verifier).map_err(|e| match first {
            // The chain led to a CA file's certificate and failed there for a reason of its own
            // (expired, wrong name): that reason, not the system's "unknown issuer".
            Some(f) if !unknown_issuer(&f) => f,
            _ => e,
        })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &algorithms())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &algorithms())
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        algorithms().supported_schemes()
    }
}

fn unknown_issuer(e: &rustls::Error) -> bool {
    matches!(e, rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer))
}

/// The signature algorithms of the one crypto provider (what WebPKI's verifier checks with).
fn algorithms() -> rustls::crypto::WebPkiSupportedAlgorithms {
    rustls::crypto::ring::default_provider().signature_verification_algorithms
}

/// The largest CA file read: a system bundle of every public CA is a few hundred KiB.
const MAX_CA_FILE: u64 = 8 * 1024 * 1024;

/// A TLS client configuration trusting `extra` CA files and the system roots, and the slot where
/// it keeps what the server presents.
pub fn client_config(extra: &[PathBuf]) -> Result<(rustls::ClientConfig, Seen), TlsSetupError> {
    let mut pems = Vec::with_capacity(extra.len());
    for path in extra {
        // A CA file named by a user or a profile: a regular file of a sane size, never a FIFO or
        // a device (which would hang or never end).
        let pem = crate::files::read_regular(path, MAX_CA_FILE)
            .map_err(|e| TlsSetupError::Unreadable { path: path.clone(), reason: e.to_string() })?;
        pems.push((path.clone(), pem));
    }
    let extras = if pems.is_empty() { None } else { Some(extras_verifier(&pems)?) };
    let seen = Seen::default();
    let cfg = builder()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Keeping { extras, seen: seen.clone() }))
        .with_no_client_auth();
    Ok((with_alpn(cfg), seen))
}

/// The verifier for these CA files (as read now), built once per distinct set and shared:
/// `validate --all` over a thousand PBXs would otherwise build a store for each validation
/// running at once. Keyed by the files' contents, so a CA file fixed during a TUI session is read
/// anew.
fn extras_verifier(pems: &[(PathBuf, Vec<u8>)]) -> Result<Arc<WebPkiServerVerifier>, TlsSetupError> {
    type Cache = Vec<(Vec<Vec<u8>>, Arc<WebPkiServerVerifier>)>;
    static CACHE: Mutex<Cache> = Mutex::new(Vec::new());
    let key: Vec<Vec<u8>> = pems.iter().map(|(_, pem)| pem.clone()).collect();
    if let Some((_, v)) = CACHE.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|(k, _)| *k == key) {
        return Ok(v.clone());
    }
    let mut store = RootCertStore::empty();
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
    let v = webpki(store)?;
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    // A few sets at most in one run (the global --ca-file, a profile's own); never unbounded.
    if cache.len() >= 16 {
        cache.remove(0);
    }
    cache.push((key, v.clone()));
    Ok(v)
}

fn webpki(store: RootCertStore) -> Result<Arc<WebPkiServerVerifier>, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
        .build()
        .map_err(|e| TlsSetupError::Rustls(e.to_string()))
}

/// ring, not aws-lc: aws-lc seeds its generator from CPU jitter on first use, which costs about
/// 70 ms of CPU in every process, more than the whole validation on a LAN.
fn builder() -> Result<rustls::ConfigBuilder<rustls::ClientConfig, rustls::WantsVerifier>, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Rustls(e.to_string()))
}

fn with_alpn(mut cfg: rustls::ClientConfig) -> rustls::ClientConfig {
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    // A configuration serves one host, for one validation: a second connection to it (a server
    // that closed the first) still resumes, without rustls's default room for 256 servers'
    // sessions, allocated with each configuration.
    cfg.resumption = rustls::client::Resumption::in_memory_sessions(4);
    cfg
}

/// A configuration trusting only the certificates in `ca_pem` (tests against the simulator).
pub fn config_trusting_only(ca_pem: &[u8]) -> rustls::ClientConfig {
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(CertificateDer::pem_slice_iter(ca_pem).filter_map(Result::ok));
    match builder() {
        Ok(b) => with_alpn(b.with_root_certificates(store).with_no_client_auth()),
        Err(e) => panic!("test TLS config: {e}"),
    }
}
