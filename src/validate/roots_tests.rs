//! The system roots: the PEM stream reader on hand-made streams, the paths from the environment,
//! and the whole loader against rustls-native-certs on this machine's own certificates.

use super::*;
use rcgen::{CertificateParams, KeyPair};

/// A self-signed CA certificate (DER) named `cn`.
fn ca(cn: &str) -> Vec<u8> {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name.push(rcgen::DnType::CommonName, cn);
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.self_signed(&KeyPair::generate().expect("key")).expect("cert").der().to_vec()
}

/// `der` as a PEM block with `label`, 64 columns, lines ended by `eol`.
fn pem(label: &str, der: &[u8], eol: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let body: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).expect("ascii")).collect();
    format!("-----BEGIN {label}-----{eol}{}{eol}-----END {label}-----{eol}", body.join(eol))
}

fn read(text: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    each_certificate(text.as_bytes(), |d| out.push(d.to_vec()));
    out
}

#[test]
fn reads_every_certificate_in_order_with_any_line_ends_and_text_between() {
    let (a, b, c) = (ca("a"), ca("b"), ca("c"));
    let text = format!(
        "# a bundle\n{}junk between\n{}\n  {}",
        pem("CERTIFICATE", &a, "\n"),
        pem("CERTIFICATE", &b, "\r\n"),
        pem("CERTIFICATE", &c, "\n").replace('\n', " \n")
    );
    assert_eq!(read(&text), vec![a, b, c]);
}

#[test]
fn passes_over_other_blocks_and_a_broken_one_and_reads_on() {
    let (a, b) = (ca("a"), ca("b"));
    let broken = pem("CERTIFICATE", &a, "\n").replace("-----\n", "-----\n!!not base64!!\n");
    let unterminated = "-----BEGIN CERTIFICATE-----\nAAAA\n";
    let text = format!(
        "{}{}{broken}{unterminated}{}",
        pem("PRIVATE KEY", b"not a cert", "\n"),
        pem("TRUSTED CERTIFICATE", &a, "\n"),
        pem("CERTIFICATE", &b, "\n")
    );
    assert_eq!(read(&text), vec![b]);
}

#[test]
fn paths_from_the_environment_split_dirs_and_keep_a_missing_file() {
    let p = CertPaths::from_vars(Some("/no/such.pem".into()), Some("/a::/b".into()));
    assert_eq!(p, CertPaths { file: Some("/no/such.pem".into()), dirs: vec!["/a".into(), "/b".into()] });
    assert_eq!(CertPaths::from_vars(None, None), CertPaths::default());
}

#[test]
fn a_hashed_directory_gives_each_certificate_once_and_skips_what_is_not_a_ca() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (ca("a"), ca("b"));
    let bundle = dir.path().join("bundle.crt");
    std::fs::write(&bundle, pem("CERTIFICATE", &a, "\n") + &pem("CERTIFICATE", &b, "\n")).expect("write");
    let certs = dir.path().join("certs");
    std::fs::create_dir(&certs).expect("mkdir");
    std::fs::write(certs.join("a.pem"), pem("CERTIFICATE", &a, "\n")).expect("write");
    std::os::unix::fs::symlink(certs.join("a.pem"), certs.join("0123abcd.0")).expect("link");
    // The same certificate in another file (a copy, not a link) is still one anchor.
    std::fs::write(certs.join("copy.pem"), pem("CERTIFICATE", &b, "\n")).expect("write");
    std::fs::write(certs.join("README"), "not a certificate").expect("write");
    std::fs::write(certs.join("garbage.pem"), pem("CERTIFICATE", b"\x30\x03\x02\x01\x00", "\n")).expect("write");
    std::os::unix::fs::symlink(dir.path().join("gone.pem"), certs.join("dangling.0")).expect("link");
    let store = CertPaths { file: Some(bundle), dirs: vec![certs, dir.path().join("missing")] }.load();
    let mut subjects: Vec<_> = store.roots.iter().map(|r| r.subject.as_ref().to_vec()).collect();
    subjects.sort();
    let expected: Vec<_> = [&a, &b]
        .iter()
        .map(|d| {
            let mut one = RootCertStore::empty();
            one.add(CertificateDer::from(d.as_slice())).expect("anchor");
            one.roots[0].subject.as_ref().to_vec()
        })
        .collect();
    assert_eq!(subjects, expected);
}

/// The same anchors as rustls-native-certs finds, from the bundle and directories this machine
/// has (every machine that runs the tests has some): the reader is a faster way to the same
/// trust, not a different trust.
#[test]
fn finds_the_same_anchors_as_rustls_native_certs_on_this_system() {
    let probed = openssl_probe::probe();
    let paths = CertPaths { file: probed.cert_file, dirs: probed.cert_dir };
    assert!(paths.file.is_some() || !paths.dirs.is_empty(), "no CA bundle on this machine");
    let mut reference = RootCertStore::empty();
    if let Some(file) = &paths.file {
        reference.add_parsable_certificates(rustls_native_certs::load_certs_from_paths(Some(file), None).certs);
    }
    for dir in &paths.dirs {
        reference.add_parsable_certificates(rustls_native_certs::load_certs_from_paths(None, Some(dir)).certs);
    }
    let ours = paths.load();
    assert!(ours.len() > 50, "a system bundle holds more than {} roots", ours.len());
    let as_set = |s: &RootCertStore| s.roots.iter().cloned().collect::<HashSet<_>>();
    assert_eq!(as_set(&ours), as_set(&reference));
    assert_eq!(ours.len(), as_set(&ours).len(), "each anchor once");
}
