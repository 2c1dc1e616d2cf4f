//! `validate --all` at scale: the job bound, a dead PBX holding up nobody, proxies, the version
//! line, and one 3CX client validated one profile at a time.

use super::*;

#[test]
fn many_profiles_validate_concurrently_within_the_job_bound() {
    let n = 200;
    let keys: Vec<String> = (0..n).map(|i| format!("k{i:03}-{OTHER}")).collect();
    let accounts = (0..n).map(|i| ThreeCxAccount::new(&format!("c{i}"), &keys[i], Behaviour::Good)).collect();
    let e = Env::with(accounts);
    let d = e.sim.domain();
    let cfg: String = (0..n).map(|i| e.profile(&format!("p{i}"), &d, &format!("c{i}"), &keys[i], true)).collect();
    e.write_config(&cfg);
    let started = Instant::now();
    let o = e.run(&["validate", "--all", "--json", "--jobs", "6"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["profiles"].as_array().map(Vec::len), Some(n));
    assert!(v["profiles"].as_array().is_some_and(|a| a.iter().all(|p| p["ok"] == true)));
    let most = pbxlink::providers::threecx::simulated::ThreeCxSite::of(&e.sim).max_concurrent_validations();
    assert!((2..=6).contains(&most), "concurrent, and at most 6 at once: saw {most}");
    assert_eq!(e.sim.handshakes(), n, "one TLS connection per profile");
    assert!(started.elapsed() < Duration::from_secs(60));
    for k in &keys {
        assert!(!o.stdout.contains(k.as_str()) && !o.stderr.contains(k.as_str()));
    }
}

#[test]
fn a_dead_pbx_holds_up_nobody_beyond_its_timeout() {
    let n = 20;
    let keys: Vec<String> = (0..n).map(|i| format!("k{i:02}-{OTHER}")).collect();
    let e = Env::with((0..n).map(|i| ThreeCxAccount::new(&format!("c{i}"), &keys[i], Behaviour::Good)).collect());
    let d = e.sim.domain();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("127.0.0.1:{}", silent.local_addr().expect("addr").port());
    let mut cfg = e.profile("dead", &dead, "900", GOOD, true);
    cfg.extend((0..n).map(|i| e.profile(&format!("p{i}"), &d, &format!("c{i}"), &keys[i], true)));
    e.write_config(&cfg);
    let started = Instant::now();
    let o = e.run(&["validate", "--all", "--json", "--jobs", "2", "--timeout", "2"], None, &[]);
    let took = started.elapsed();
    assert_eq!(o.code, 4, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let ok = v["profiles"].as_array().map(|a| a.iter().filter(|p| p["ok"] == true).count());
    assert_eq!(ok, Some(n), "every live PBX was validated");
    assert_eq!(v["profiles"][0]["failure"], "timeout");
    // The dead one occupies one of two jobs for its 2 s; the others share the second job.
    assert!(took < Duration::from_secs(6), "took {took:?}");
    drop(silent);
}

#[test]
fn proxies_are_used_and_named_unless_no_proxy() {
    let e = Env::new();
    e.write_config(&e.profile("good", &e.sim.domain(), "900", GOOD, true));
    // A proxy that refuses connections: through it, nothing can be reached.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let proxy = format!("http://user:pw@127.0.0.1:{dead}");
    let env = [("HTTPS_PROXY", proxy.as_str()), ("NO_PROXY", ""), ("no_proxy", "")];
    let o = e.run(&["validate", "good", "--json"], None, &env);
    assert_eq!(o.code, 4, "{}", o.stdout);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let dns = v["profiles"][0]["checks"][0]["detail"].as_str().unwrap_or_default().to_string();
    assert!(dns.contains(&format!("through the proxy 127.0.0.1:{dead}")), "{dns}");
    assert!(!o.stdout.contains("user:pw"), "the proxy's credentials are never shown");
    let o = e.run(&["--no-proxy", "validate", "good"], None, &env);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

#[test]
fn version_names_the_commit_and_tls_and_log_file_is_honoured() {
    let e = Env::new();
    let o = e.run(&["--version"], None, &[]);
    assert!(o.stdout.contains("commit ") && o.stdout.contains("TLS rustls with ring"), "{}", o.stdout);
    e.write_config(&e.profile("good", &e.sim.domain(), "900", GOOD, true));
    let log = e.dir.path().join("logs/custom.log");
    let o = e.run(&["--log-file", log.to_str().expect("utf8"), "validate", "good"], None, &[]);
    assert_eq!(o.code, 0);
    let text = std::fs::read_to_string(&log).expect("the log went to --log-file");
    assert!(text.contains("validation finished") && text.contains("good"), "{text}");
    assert!(!e.state().join("pbxlink.log").exists(), "and not to the default place");
}

#[test]
fn profiles_of_one_3cx_client_are_validated_one_after_another() {
    let e = Env::new();
    let d = e.sim.domain();
    let cfg: String = (0..4).map(|i| e.profile(&format!("same{i}"), &d, "900", GOOD, true)).collect();
    e.write_config(&cfg);
    let o = e.run(&["validate", "--all", "--json", "--jobs", "4"], None, &[]);
    assert_eq!(o.code, 0, "each must keep its token until it is done: {}", o.stdout);
    assert_eq!(pbxlink::providers::threecx::simulated::ThreeCxSite::of(&e.sim).max_concurrent_validations(), 1);
}
