//! A throw-away certificate authority and the server certificate it signs, made fresh at every
//! start. The server gets a real leaf (CA:FALSE, serverAuth, SAN localhost/127.0.0.1/::1) because
//! rustls refuses a CA certificate used as a server's own, even when it is trusted.

use anyhow::{Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

pub struct Certs {
    /// The CA certificate, PEM: what a client must trust.
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

pub fn make() -> Result<Certs> {
    let ca_key = KeyPair::generate().context("CA key")?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).context("CA params")?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "pbxlink simulator CA (throw-away)");
    ca.distinguished_name = dn;
    let ca_cert = ca.self_signed(&ca_key).context("CA certificate")?;
    let issuer = Issuer::new(ca, ca_key);

    let leaf_key = KeyPair::generate().context("server key")?;
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).context("server params")?;
    leaf.subject_alt_names.push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
    leaf.subject_alt_names.push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "pbxlink simulator");
    leaf.distinguished_name = dn;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).context("server certificate")?;

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
    Ok(Certs { ca_pem: ca_cert.pem(), server_config: Arc::new(cfg) })
}
