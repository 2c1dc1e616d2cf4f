//! Which certificates a validation trusts, through the real binary: the CA files (`--ca-file`, a
//! profile's `ca_file`) and the system bundle (`SSL_CERT_FILE`) act as one set, whichever of them
//! holds the simulator's CA; neither holding it is a TLS failure (exit 4) that shows what the
//! server presented, never a verdict on the credentials.

use super::*;

/// A CA certificate that signed nothing here, as PEM.
fn unrelated_ca(dir: &std::path::Path) -> std::path::PathBuf {
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name.push(rcgen::DnType::CommonName, "unrelated CA");
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = p.self_signed(&rcgen::KeyPair::generate().expect("key")).expect("cert");
    let path = dir.join("unrelated-ca.pem");
    std::fs::write(&path, cert.pem()).expect("write");
    path
}

#[test]
fn the_ca_files_and_the_system_bundle_are_one_set_of_trust() {
    let e = Guarded::new();
    let d = e.sim.domain();
    e.write_config(&e.profile("office", &d, "900", GOOD, false));
    let unrelated = unrelated_ca(e.dir.path());
    let (sim_ca, other) = (e.ca.to_str().expect("path"), unrelated.to_str().expect("path"));

    // The simulator's CA in the system bundle, an unrelated one given: the bundle decides.
    let o =
        e.run(&["--ca-file", other, "validate", "office"], None, &[("SSL_CERT_FILE", sim_ca), ("SSL_CERT_DIR", "")]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    // The other way round: the CA file decides.
    let o =
        e.run(&["--ca-file", sim_ca, "validate", "office"], None, &[("SSL_CERT_FILE", other), ("SSL_CERT_DIR", "")]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    // Neither: not trusted, what the server presented, and no word on the credentials.
    let sent = e.sim.requests().len();
    let o = e.run(
        &["--ca-file", other, "validate", "office", "--json"],
        None,
        &[("SSL_CERT_FILE", other), ("SSL_CERT_DIR", "")],
    );
    assert_eq!(o.code, 4, "{}\n{}", o.stdout, o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let p = &v["profiles"][0];
    assert_eq!(p["failure"], "tls", "{v:#}");
    let connect = p["checks"].as_array().expect("checks").iter().find(|c| c["name"] == "connect").expect("connect");
    let detail = connect["detail"].as_str().expect("detail");
    assert!(detail.contains("not trusted"), "{detail}");
    assert!(detail.contains("it presented CN=pbxlink simulator issued by CN=pbxlink simulator CA"), "{detail}");
    assert!(!detail.contains("Mozilla"), "a system bundle was there: {detail}");
    assert_eq!(e.sim.requests().len(), sent, "nothing is sent over an untrusted connection");
}

/// A CA file, or a secret command, that never ends is bounded: a FIFO or `/dev/zero` as `ca_file`
/// fails its profile at once (never hangs, never grows), a command printing without end is
/// stopped, and the other profiles of the run are validated as usual.
#[test]
fn endless_inputs_fail_their_profile_alone() {
    let e = Guarded::new();
    let d = e.sim.domain();
    let fifo = e.dir.path().join("ca.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()));
    let good = e.profile("good", &d, "900", GOOD, true);
    let fifo_ca = e.profile("fifo", &d, "900", GOOD, false) + &format!("ca_file = \"{}\"\n", fifo.display());
    let zero_ca = e.profile("zero", &d, "900", GOOD, false) + "ca_file = \"/dev/zero\"\n";
    let endless = e
        .profile("endless", &d, "900", GOOD, true)
        .replace(&format!("api_key = \"{GOOD}\""), "api_key = { command = [\"yes\"] }");
    e.write_config(&[good, fifo_ca, zero_ca, endless].concat());
    let started = Instant::now();
    let o = e.run(&["validate", "--all", "--nagios", "--timeout", "3"], None, &[]);
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stdout.contains("\nok   good ("), "the good profile was validated: {}", o.stdout);
    assert!(o.stdout.contains("ca.fifo") && o.stdout.contains("not a regular file"), "{}", o.stdout);
    assert!(o.stdout.contains("FAIL zero:") && o.stdout.contains("/dev/zero"), "{}", o.stdout);
    assert!(
        o.stdout.contains("FAIL endless: secret_unavailable") && o.stdout.contains("printed more than 64 KiB"),
        "{}",
        o.stdout
    );
}
