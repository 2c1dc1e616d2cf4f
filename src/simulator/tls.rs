//! A throw-away certificate authority and the server certificates it signs, made fresh at every
//! start, one per listener, each ending when the listener asks (days from now: a PBX whose
//! certificate is about to end, or ended). The server gets a real leaf (CA:FALSE, serverAuth, SAN
//! localhost/127.0.0.1/::1) because rustls refuses a CA certificate used as a server's own, even
//! when it is trusted.

use anyhow::{Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

/// How many loopback addresses from 127.0.1.0 on the server certificates also name (the
/// benchmark's thousand PBXs on a thousand hosts, each behind its own address of a delay link);
/// set once by `pbxlink simulator --hosts N` before the simulator starts, 0 otherwise.
pub static EXTRA_HOSTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The `i`th of those addresses: 127.0.1.0, 127.0.1.1, ... 127.0.2.0, ...
fn extra_host(i: usize) -> std::net::Ipv4Addr {
    std::net::Ipv4Addr::new(127, 0, (1 + i / 256) as u8, (i % 256) as u8)
}

pub struct Certs {
    /// The CA certificate, PEM: what a client must trust.
    pub ca_pem: String,
    /// One server configuration per lifetime asked, in that order.
    pub server_configs: Vec<Arc<rustls::ServerConfig>>,
}

/// The CA, and a server certificate ending in each of `days_left` days (negative: ended).
pub fn make(days_left: &[i64]) -> Result<Certs> {
    let ca_key = KeyPair::generate().context("CA key")?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).context("CA params")?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "pbxlink simulator CA (throw-away)");
    ca.distinguished_name = dn;
    let ca_cert = ca.self_signed(&ca_key).context("CA certificate")?;
    let issuer = Issuer::new(ca, ca_key);
    let server_configs = days_left.iter().map(|&d| server(&issuer, d)).collect::<Result<_>>()?;
    Ok(Certs { ca_pem: ca_cert.pem(), server_configs })
}

fn server(issuer: &Issuer<'_, KeyPair>, days_left: i64) -> Result<Arc<rustls::ServerConfig>> {
    let leaf_key = KeyPair::generate().context("server key")?;
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).context("server params")?;
    leaf.subject_alt_names.push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
    leaf.subject_alt_names.push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
    let extra = EXTRA_HOSTS.load(std::sync::atomic::Ordering::Relaxed).min(250 * 256);
    leaf.subject_alt_names.extend((0..extra).map(|i| SanType::IpAddress(extra_host(i).into())));
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "pbxlink simulator");
    leaf.distinguished_name = dn;
    end_after(&mut leaf, days_left);
    let leaf_cert = leaf.signed_by(&leaf_key, issuer).context("server certificate")?;

    let chain = vec![CertificateDer::from(leaf_cert.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("server TLS config")?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// Midnight UTC at the end of the day `days_left` days from now: a client counting whole days
/// left, as pbxlink does, sees exactly `days_left`.
fn end_after(leaf: &mut CertificateParams, days_left: i64) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let date = crate::report::utc_date((now + (days_left + 1) * 86_400).max(0) as u64);
    let part = |r: std::ops::Range<usize>| -> i64 { date.get(r).and_then(|p| p.parse().ok()).unwrap_or(1) };
    leaf.not_after = rcgen::date_time_ymd(part(0..4) as i32, part(5..7) as u8, part(8..10) as u8);
}
