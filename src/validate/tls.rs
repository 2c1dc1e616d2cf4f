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
        let found = rustls_native_certs::load_native_certs();
        let mut store = RootCertStore::empty();
        let (added, _ignored) = store.add_parsable_certificates(found.certs);
        if added > 0 {
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

/// A TLS client configuration trusting the system roots and `extra` CA files.
pub fn client_config(extra: &[PathBuf]) -> Result<rustls::ClientConfig, String> {
    let mut store = system_roots().store.clone();
    for path in extra {
        let pem = std::fs::read(path).map_err(|e| format!("cannot read CA file {}: {e}", path.display()))?;
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|_| format!("CA file {} is not PEM certificates", path.display()))?;
        if certs.is_empty() {
            return Err(format!("CA file {} holds no certificate", path.display()));
        }
        for c in certs {
            store
                .add(c)
                .map_err(|e| format!("CA file {}: a certificate cannot be used as a CA ({e})", path.display()))?;
        }
    }
    config_for(store)
}

/// ring, not aws-lc: aws-lc seeds its generator from CPU jitter on first use, which costs about
/// 70 ms of CPU in every process, more than the whole validation on a LAN.
fn config_for(store: RootCertStore) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?
        .with_root_certificates(store)
        .with_no_client_auth();
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
