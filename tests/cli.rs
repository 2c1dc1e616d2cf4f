//! The real binary's non-interactive commands against the simulator over real HTTPS: every failure
//! kind reaches the right JSON `failure` and exit code, Nagios lines, scripted `add` with each
//! secret source, profiles files kept intact, bounded concurrency, and no secret in any output,
//! log or state file.

mod common;

use common::sandbox::{Guarded, Sandbox};
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

const GOOD: &str = "key-good-8f3a2c91d7e4";
const WRONG: &str = "key-wrong-55c0a1b2c3d4";
const OTHER: &str = "key-other-0a9b8c7d6e5f";
const SECRETS: [&str; 4] = [GOOD, WRONG, OTHER, "cli-8x8-secret-4b5c6d7e8f"];

/// The shared sandbox (tests/common/sandbox.rs), checked for leaked secrets when a test ends.
type Env = Guarded;

fn accounts() -> Vec<ThreeCxAccount> {
    vec![
        ThreeCxAccount::new("900", GOOD, Behaviour::Good),
        ThreeCxAccount::new("901", OTHER, Behaviour::NoXapiAccess),
        ThreeCxAccount::new("902", OTHER, Behaviour::LowRole),
        ThreeCxAccount::new("904", OTHER, Behaviour::NoLicence),
        ThreeCxAccount::new("905", OTHER, Behaviour::RateLimited),
        ThreeCxAccount::new("906", OTHER, Behaviour::ServerError),
        ThreeCxAccount::new("907", OTHER, Behaviour::NotThreeCx),
    ]
}

/// Guards `sandbox` with this file's secrets.
fn guarded(sandbox: Sandbox) -> Env {
    Guarded { sandbox, secrets: SECRETS.to_vec() }
}

impl Guarded {
    fn new() -> Env {
        Self::with(accounts())
    }

    fn with(accounts: Vec<ThreeCxAccount>) -> Env {
        guarded(Sandbox::start(accounts, vec![], vec![]))
    }

    fn profile(&self, name: &str, domain: &str, client: &str, key: &str, with_ca: bool) -> String {
        self.profile_3cx(name, domain, client, key, with_ca)
    }

    fn validate_json(&self, name: &str, extra: &[&str]) -> (i32, serde_json::Value) {
        let mut args = vec!["validate", name, "--json", "--timeout", "2"];
        args.extend_from_slice(extra);
        let o = self.run(&args, None, &[]);
        let v: serde_json::Value =
            serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", o.stdout, o.stderr));
        (o.code, v)
    }
}

#[test]
fn add_with_each_secret_source() {
    let e = Env::new();
    let d = e.sim.domain();
    let ca = e.ca.to_string_lossy().to_string();
    let base = |name: &'static str| {
        vec![
            "--ca-file".to_string(),
            ca.clone(),
            "add".into(),
            "3cx".into(),
            "--non-interactive".into(),
            "--name".into(),
            name.into(),
            "--domain".into(),
            format!("https://{d}/webclient/"),
            "--client-id".into(),
            "900".into(),
        ]
    };
    let args = |v: &[String]| v.to_vec();

    let mut a = args(&base("piped"));
    a.push("--api-key-stdin".into());
    let o = e.run(&a.iter().map(String::as_str).collect::<Vec<_>>(), Some(&format!("{GOOD}\n")), &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);

    let keyfile = e.dir.path().join("key.txt");
    std::fs::write(&keyfile, format!("{GOOD}\n")).expect("key file");
    std::fs::set_permissions(&keyfile, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let mut a = args(&base("filed"));
    a.extend(["--api-key-file".into(), keyfile.to_string_lossy().into()]);
    let o = e.run(&a.iter().map(String::as_str).collect::<Vec<_>>(), None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("readable by other users"), "{}", o.stderr);

    let mut a = args(&base("env"));
    a.extend(["--api-key-env".into(), "PBX_KEY".into()]);
    let o = e.run(&a.iter().map(String::as_str).collect::<Vec<_>>(), None, &[("PBX_KEY", GOOD)]);
    assert_eq!(o.code, 0, "{}", o.stderr);

    let text = std::fs::read_to_string(e.config()).expect("config");
    for n in ["piped", "filed", "env"] {
        assert!(text.contains(&format!("[profiles.{n}]")), "{text}");
    }
    assert!(text.contains(&format!("domain = \"{d}\"")), "the URL was normalised: {text}");
    assert_eq!(std::fs::metadata(e.config()).expect("meta").permissions().mode() & 0o777, 0o600);

    // No key at all, and a key as a flag value, are both refused.
    let o = e.run(&["add", "3cx", "--non-interactive", "--name", "x", "--domain", &d, "--client-id", "900"], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("never as a flag value"), "{}", o.stderr);
    let o = e.run(
        &["add", "3cx", "--non-interactive", "--name", "x", "--domain", &d, "--client-id", "900", "--api-key", "abc"],
        None,
        &[],
    );
    assert_eq!(o.code, 2, "there is no --api-key flag");
}

#[test]
fn add_saves_nothing_when_rejected_and_refuses_to_replace() {
    let e = Env::new();
    let d = e.sim.domain();
    let ca = e.ca.to_string_lossy().to_string();
    let add = |name: &str, key: &str, extra: &[&str]| {
        let mut a = vec![
            "--ca-file",
            &ca,
            "add",
            "3cx",
            "--non-interactive",
            "--name",
            name,
            "--domain",
            &d,
            "--client-id",
            "900",
            "--api-key-stdin",
        ];
        a.extend_from_slice(extra);
        e.run(&a, Some(key), &[])
    };
    let o = add("office", WRONG, &[]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("unauthorized") && o.stderr.contains("Nothing was saved"), "{}", o.stderr);
    assert!(!e.config().exists(), "nothing saved");
    assert_eq!(add("office", GOOD, &[]).code, 0);
    let o = add("office", GOOD, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--force"), "{}", o.stderr);
    assert_eq!(add("office", GOOD, &["--force"]).code, 0);
    // Bad input gets the same normalisation messages as the TUI.
    let o = e.run(
        &[
            "add",
            "3cx",
            "--non-interactive",
            "--name",
            "y",
            "--domain",
            "http://pbx.example.com",
            "--client-id",
            "900",
            "--api-key-stdin",
        ],
        Some(GOOD),
        &[],
    );
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--domain: scheme \"http\" is not supported"), "{}", o.stderr);
}

#[test]
fn add_without_a_terminal_exits_at_once() {
    let e = Env::new();
    let started = Instant::now();
    // stdin is a pipe that is never written nor closed: the command must not wait on it.
    let mut child = e.command(&["add", "3cx"]).stdin(std::process::Stdio::piped()).spawn().expect("spawn");
    let _keep_stdin_open = child.stdin.take();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert_eq!(status.code(), Some(2));
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "add waited for input");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err).expect("read");
    assert!(err.contains("--non-interactive"), "{err}");
}

#[test]
fn every_failure_kind_has_its_json_failure_and_exit_code() {
    let e = Env::new();
    let d = e.sim.domain();
    let refused = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    // A server that accepts and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent_port = silent.local_addr().expect("addr").port();
    let mut cfg = String::from("# my PBXs\n");
    // name, domain, client id, key, trust the CA, expected failure, expected exit code
    type Case<'a> = (&'a str, &'a str, &'a str, &'a str, bool, Option<&'a str>, i32);
    let cases: &[Case] = &[
        ("good", d.as_str(), "900", GOOD, true, None, 0),
        ("lowrole", d.as_str(), "902", OTHER, true, None, 0),
        ("wrongkey", d.as_str(), "900", WRONG, true, Some("unauthorized"), 3),
        ("noapi", d.as_str(), "901", OTHER, true, Some("forbidden"), 3),
        ("nolicence", d.as_str(), "904", OTHER, true, Some("not_found"), 3),
        ("limited", d.as_str(), "905", OTHER, true, Some("rate_limited"), 4),
        ("broken", d.as_str(), "906", OTHER, true, Some("server_error"), 4),
        ("website", d.as_str(), "907", OTHER, true, Some("bad_response"), 4),
        ("untrusted", d.as_str(), "900", GOOD, false, Some("tls"), 4),
        ("refused", "", "900", GOOD, true, Some("connect"), 4),
        ("silent", "", "900", GOOD, true, Some("timeout"), 4),
        ("nxdomain", "pbx.nonexistent.invalid", "900", GOOD, true, Some("dns"), 4),
    ];
    for (name, domain, client, key, ca, _, _) in cases {
        let domain = match *name {
            "refused" => format!("127.0.0.1:{refused}"),
            "silent" => format!("127.0.0.1:{silent_port}"),
            _ => domain.to_string(),
        };
        cfg.push_str(&e.profile(name, &domain, client, key, *ca));
    }
    e.write_config(&cfg);
    for (name, _, _, _, _, failure, code) in cases {
        let started = Instant::now();
        let (got, v) = e.validate_json(name, &[]);
        let p = &v["profiles"][0];
        assert_eq!(v["schema"], 1);
        assert_eq!(p["name"], *name);
        let want_failure = match failure {
            Some(f) => serde_json::Value::from(*f),
            None => serde_json::Value::Null,
        };
        // A lookup of an unknown name may time out instead of failing where there is no resolver.
        if *name == "nxdomain" && p["failure"] == "timeout" {
            assert_eq!(got, 4);
            continue;
        }
        assert_eq!(p["failure"], want_failure, "{name}: {v:#}");
        assert_eq!(got, *code, "{name}: exit code");
        assert_eq!(p["ok"], failure.is_none());
        assert!(p["checks"].as_array().is_some_and(|c| !c.is_empty()));
        assert!(started.elapsed() < Duration::from_secs(6), "{name} took {:?}", started.elapsed());
        if failure.is_some() {
            assert!(p["hint"].as_str().is_some_and(|h| !h.is_empty()), "{name}: a fix is given");
        }
    }
    drop(silent);
    // validate never writes profiles.toml.
    assert_eq!(std::fs::read_to_string(e.config()).expect("config"), cfg);
    // And the last results are kept for `list` and the TUI.
    let list = e.run(&["list", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&list.stdout).expect("list json");
    let wrong = v["profiles"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["name"] == "wrongkey"))
        .cloned()
        .expect("wrongkey listed");
    assert_eq!(wrong["last"]["failure"], "unauthorized");
}

#[test]
fn nagios_lines_and_codes() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(
        &[
            e.profile("good", &d, "900", GOOD, true),
            e.profile("limited", &d, "905", OTHER, true),
            e.profile("bad", &d, "900", WRONG, true),
        ]
        .concat(),
    );
    let o = e.run(&["validate", "good", "--nagios"], None, &[]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.starts_with("PBXLINK OK - 1 profiles ok | ok=1;;;0;1 failed=0;;;0;1 "), "{}", o.stdout);
    assert_eq!(o.stdout.lines().count(), 1);
    let o = e.run(&["validate", "good", "limited", "--nagios"], None, &[]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.starts_with("PBXLINK WARNING - 1 of 2 profiles failed: limited rate_limited |"), "{}", o.stdout);
    let o = e.run(&["validate", "--all", "--nagios"], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stdout.starts_with("PBXLINK CRITICAL - 2 of 3 profiles failed:"), "{}", o.stdout);
    assert!(o.stdout.contains("'good_ms'="), "{}", o.stdout);
    let o = e.run(&["validate", "nosuch", "--nagios"], None, &[]);
    assert_eq!(o.code, 3);
    assert!(o.stdout.starts_with("PBXLINK UNKNOWN - no profile named \"nosuch\""), "{}", o.stdout);
}

#[test]
fn text_output_and_usage_errors() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(&[e.profile("good", &d, "900", GOOD, true), e.profile("bad", &d, "900", WRONG, true)].concat());
    let o = e.run(&["validate", "--all"], None, &[]);
    assert_eq!(o.code, 3);
    assert!(o.stdout.lines().any(|l| l.starts_with("ok    good")), "{}", o.stdout);
    assert!(
        o.stdout.lines().any(|l| l.starts_with("FAIL  bad") && l.contains("unauthorized at token")),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("fix: 3CX rejected the Client ID or API key"));
    assert!(o.stderr.contains("1 of 2 profiles ok"));
    assert_eq!(e.run(&["validate"], None, &[]).code, 2, "names or --all are required");
    assert_eq!(e.run(&["validate", "nosuch"], None, &[]).code, 2);
    e.write_config("[profiles.x\n");
    let o = e.run(&["validate", "--all"], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("profiles.toml:1:"), "{}", o.stderr);
}

#[test]
fn comments_and_other_profiles_survive_add_and_remove() {
    let e = Env::new();
    let d = e.sim.domain();
    let original = format!(
        "# Managed by hand, do not reorder\n\n{}# the branch office\n{}",
        e.profile("hq", &d, "900", GOOD, true),
        e.profile("branch", "branch.example.com", "901", OTHER, false)
    );
    e.write_config(&original);
    let ca = e.ca.to_string_lossy().to_string();
    let o = e.run(
        &[
            "--ca-file",
            &ca,
            "add",
            "3cx",
            "--non-interactive",
            "--name",
            "lab",
            "--domain",
            &d,
            "--client-id",
            "900",
            "--api-key-stdin",
        ],
        Some(GOOD),
        &[],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let after = std::fs::read_to_string(e.config()).expect("read");
    assert!(after.starts_with(&original), "existing text changed:\n{after}");
    let o = e.run(&["remove", "lab"], None, &[]);
    assert_eq!(o.code, 2, "no terminal to confirm on: --yes needed");
    let o = e.run(&["remove", "lab", "--yes"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(std::fs::read_to_string(e.config()).expect("read"), original);
    assert!(e.config().with_file_name("profiles.toml.bak").exists());
}

#[test]
fn list_show_and_paths_never_show_a_secret() {
    let e = Env::new();
    e.write_config(&e.profile("hq", "pbx.example.com:5001", "900", GOOD, false));
    let o = e.run(&["show", "hq"], None, &[]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains(&format!("api_key = \"…{}\"  # redacted", &GOOD[GOOD.len() - 4..])), "{}", o.stdout);
    let o = e.run(&["show", "hq", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["api_key"], format!("…{}", &GOOD[GOOD.len() - 4..]));
    assert_eq!(v["domain"], "pbx.example.com:5001");
    let o = e.run(&["list"], None, &[]);
    assert!(o.stdout.contains("hq") && o.stdout.contains("never checked"), "{}", o.stdout);
    let o = e.run(&["paths"], None, &[]);
    assert!(o.stdout.contains(&e.config().display().to_string()) && o.stdout.contains("last-results.json"));
    assert_eq!(e.run(&["show", "nosuch"], None, &[]).code, 2);
    let o = e.run(&["completions", "bash"], None, &[]);
    assert!(o.code == 0 && o.stdout.contains("pbxlink"));
    let o = e.run(&["man"], None, &[]);
    assert!(o.code == 0 && o.stdout.contains(".TH pbxlink"));
}

/// One exit-code contract: a profiles file that cannot be read or parsed is exit 2 from every
/// command, the interactive ones included (in a terminal: tests/terminal.rs); the full screen
/// without a terminal is exit 2 too.
#[test]
fn a_broken_profiles_file_exits_2_from_every_command() {
    let e = Env::new();
    e.write_config("[profiles.x\n");
    let add = [
        "add",
        "3cx",
        "--non-interactive",
        "--name",
        "n",
        "--domain",
        "pbx.example.com",
        "--client-id",
        "900",
        "--api-key-stdin",
    ];
    let commands: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--plain"],
        vec!["--plain", "add", "3cx"],
        add.to_vec(),
        vec!["list"],
        vec!["show", "x"],
        vec!["remove", "x", "--yes"],
        vec!["validate", "--all"],
        vec!["3cx", "principals", "x"],
    ];
    for args in commands {
        let o = e.run(&args, Some("yes\n"), &[]);
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains("profiles.toml:1:"), "{args:?} names the file and line: {}", o.stderr);
    }
    e.write_config("");
    let o = e.run(&[], None, &[]);
    assert_eq!(o.code, 2, "bare pbxlink without a terminal is a usage error, like add: {}", o.stderr);
    assert!(o.stderr.contains("--plain"), "{}", o.stderr);
}

/// A reader that goes away (`pbxlink man | head`) is no error: nothing on stderr, exit 0.
#[test]
fn a_closed_pipe_is_not_an_error() {
    let e = Env::new();
    e.write_config(&e.profile("hq", "pbx.example.com:5001", "900", GOOD, false));
    for args in [vec!["man"], vec!["completions", "bash"], vec!["list"], vec!["show", "hq", "--json"]] {
        let mut cmd = e.command(&args);
        cmd.stdin(std::process::Stdio::null());
        let mut child = cmd.spawn().expect("spawn");
        // Closing the read end before the command writes: its first write gets EPIPE.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("Broken pipe") && !err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

#[test]
fn paths_names_the_log_file_chosen_and_show_json_has_a_schema() {
    let e = Env::new();
    e.write_config(&e.profile("hq", "pbx.example.com:5001", "900", GOOD, false));
    let o = e.run(&["paths"], None, &[("PBXLINK_LOG_FILE", "/var/log/pbxlink/checks.log")]);
    assert!(o.stdout.contains("log       /var/log/pbxlink/checks.log"), "{}", o.stdout);
    let o = e.run(&["--log-file", "/tmp/x.log", "paths"], None, &[]);
    assert!(o.stdout.contains("log       /tmp/x.log"), "{}", o.stdout);
    let o = e.run(&["show", "hq", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["schema"], 1, "{v:#}");
}

/// A 24-character name or a long domain widens its column instead of breaking the table.
#[test]
fn tables_size_their_columns_to_the_content() {
    let e = Env::new();
    let d = e.sim.domain();
    let long = "a-profile-name-of-24-chr";
    e.write_config(
        &[
            e.profile(long, "a-rather-long-pbx-host-name.branch-office.example.com:5001", "900", GOOD, true),
            e.profile("b", &d, "900", GOOD, true),
        ]
        .concat(),
    );
    let column = |text: &str, needle: &str| -> Vec<usize> { text.lines().filter_map(|l| l.find(needle)).collect() };
    let o = e.run(&["list"], None, &[]);
    let at: Vec<usize> = column(&o.stdout, "never checked");
    assert_eq!(at.len(), 2, "{}", o.stdout);
    assert_eq!(at[0], at[1], "{}", o.stdout);
    assert_eq!(column(&o.stdout, "3cx").iter().collect::<std::collections::BTreeSet<_>>().len(), 1, "{}", o.stdout);
    let o = e.run(&["validate", "--all", "--timeout", "2"], None, &[]);
    let providers = column(&o.stdout, " 3cx ");
    assert_eq!(providers.len(), 2, "{}", o.stdout);
    assert_eq!(providers[0], providers[1], "{}", o.stdout);
}

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

mod eightbyeight {
    use super::*;
    use pbxlink::providers::eightbyeight::simulated::{EightByEightAccount, Grants};

    const SECRET8: &str = "cli-8x8-secret-4b5c6d7e8f";

    fn env() -> (Env, String) {
        let x8 = vec![
            EightByEightAccount::new("app", SECRET8, Grants::All),
            EightByEightAccount::new("nochat", SECRET8, Grants::NoChat),
            EightByEightAccount::new("eght_cli_app", SECRET8, Grants::All),
        ];
        let e = guarded(Sandbox::start(vec![], x8, vec![]));
        let domain = e.sim.domain();
        (e, domain)
    }

    /// `pbxlink add 8x8 --non-interactive` against the simulator, the secret on stdin.
    fn add_8x8(e: &Env, base: &str, name: &str, client: &str, products: &str) -> common::sandbox::Out {
        let ca = e.ca.to_string_lossy().to_string();
        let args = [
            "--ca-file",
            &ca,
            "add",
            "8x8",
            "--non-interactive",
            "--name",
            name,
            "--client-id",
            client,
            "--products",
            products,
            "--base-url",
            base,
            "--client-secret-stdin",
        ];
        e.run(&args, Some(&format!("{SECRET8}\n")), &[])
    }

    /// `--products` takes the names the Admin Console shows, in any case; the soft eght_ hint is on
    /// the Client ID (8x8's Key), never on the secret.
    #[test]
    fn products_by_name_and_the_client_id_hint() {
        let (e, base) = env();
        let add = |name: &str, client: &str, products: &str| add_8x8(&e, &base, name, client, products);
        let o = add("named", "app", "CC Realtime Analytics,cloud storage service");
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stderr.contains("note: 8x8 Client IDs start with eght_ (the app's Key)"), "{}", o.stderr);
        assert!(!o.stderr.contains("secrets usually start"), "{}", o.stderr);
        let text = std::fs::read_to_string(e.config()).expect("config");
        assert!(text.contains("products = [\"cc-realtime-analytics\", \"cloud-storage\"]"), "{text}");
        let o = add("eght", "eght_cli_app", "Cloud Storage Service");
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(!o.stderr.contains("note:"), "a Client ID with eght_ gets no hint: {}", o.stderr);
    }

    #[test]
    fn scripted_add_validate_show_for_8x8() {
        let (e, base) = env();
        let add = |name: &str, client: &str, products: &str| add_8x8(&e, &base, name, client, products);
        let o = add("cc", "app", "cloud-storage,cc-chat");
        assert_eq!(o.code, 0, "{}", o.stderr);
        let o = add("partial", "nochat", "cloud-storage,cc-chat");
        assert_eq!(o.code, 3, "a missing product is an access rejection: {}", o.stderr);
        assert!(
            o.stderr.contains("not granted: Contact Center Chat") && o.stderr.contains("Nothing was saved"),
            "{}",
            o.stderr
        );
        let o = add("bad", "app", "cloud-storage,telepathy");
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("unknown product \"telepathy\""), "{}", o.stderr);
        // The 3CX secret flags are refused for 8x8, with the right name.
        let o = e.run(
            &[
                "add",
                "8x8",
                "--non-interactive",
                "--name",
                "x",
                "--client-id",
                "app",
                "--products",
                "cc-chat",
                "--api-key-env",
                "K",
            ],
            None,
            &[("K", SECRET8)],
        );
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("--client-secret-stdin"), "{}", o.stderr);

        let text = std::fs::read_to_string(e.config()).expect("config");
        assert!(
            text.contains("provider = \"8x8\"") && text.contains("products = [\"cloud-storage\", \"cc-chat\"]"),
            "{text}"
        );
        assert!(text.contains(&format!("base_url = \"{base}\"")), "{text}");
        let (code, v) = e.validate_json("cc", &[]);
        assert_eq!(code, 0, "{v:#}");
        assert_eq!(v["profiles"][0]["provider"], "8x8");
        assert_eq!(v["profiles"][0]["checks"][3]["name"], "products");
        let o = e.run(&["show", "cc"], None, &[]);
        assert!(o.stdout.contains("client_secret = \"…7e8f\"  # redacted"), "{}", o.stdout);
        let o = e.run(&["list"], None, &[]);
        assert!(o.stdout.contains("8x8") && o.stdout.contains("ok ("), "{}", o.stdout);
    }
}

#[test]
fn check_template_reports_each_problem_with_its_line_and_never_changes_the_file() {
    let e = Env::new();
    let good = "<Crm Country=\"\" Name=\"CX-Engine\" Version=\"3\">\n<Number Prefix=\"AsIs\"/>\n<Connection MaxConcurrentRequests=\"2\"/>\n<Parameters><Parameter Name=\"ClientId\" Type=\"String\"/></Parameters>\n<Authentication Type=\"No\"/>\n<Scenarios><Scenario Id=\"\"/></Scenarios>\n</Crm>\n";
    let ok_path = e.dir.path().join("CXEngine.xml");
    std::fs::write(&ok_path, good).expect("write");
    let o = e.run(&["cx-engine", "check-template", ok_path.to_str().expect("utf8")], None, &[]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("a valid 3CX CRM template"));

    let sub = e.dir.path().join("dl");
    std::fs::create_dir(&sub).expect("mkdir");
    let bad_path = sub.join("CXEngine (2).xml");
    let broken =
        good.replace("Type=\"No\"", "Type=\"Magic\"").replace("<Connection MaxConcurrentRequests=\"2\"/>\n", "");
    std::fs::write(&bad_path, &broken).expect("write");
    let o =
        e.run(&["cx-engine", "check-template", bad_path.to_str().expect("utf8"), "--json", "--write-copy"], None, &[]);
    assert_eq!(o.code, 2);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert!(v["name_problem"].as_str().is_some_and(|n| n.contains("a space")));
    let lines: Vec<(u64, String)> = v["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| (p["line"].as_u64().unwrap_or(0), p["message"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (1, "<Connection> is missing".to_string()),
            (4, "<Authentication Type=\"Magic\"> is not one of No, Basic, Scenario".to_string())
        ]
    );
    assert_eq!(std::fs::read_to_string(&bad_path).expect("original"), broken, "the original is never touched");
    assert_eq!(std::fs::read_to_string(sub.join("CXEngine.xml")).expect("copy"), broken);

    let not_xml = e.dir.path().join("page.xml");
    std::fs::write(&not_xml, "<html><body>Download</body></html>").expect("write");
    let o = e.run(&["cx-engine", "check-template", not_xml.to_str().expect("utf8")], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stdout.contains("not <Crm>: this is not a 3CX CRM template"), "{}", o.stdout);
}

mod cx_engine {
    use super::*;
    use pbxlink::providers::cxengine::simulated::CxEngineAccount;

    const SECRET_CX: &str = "cx-cli-secret-1a2b3c4d5e";

    #[test]
    fn scripted_add_checks_the_template_and_the_linked_pbx() {
        let e = guarded(Sandbox::start(
            vec![ThreeCxAccount::new("900", GOOD, Behaviour::Good)],
            vec![],
            vec![CxEngineAccount::new("7", SECRET_CX)],
        ));
        let url = format!("https://{}/some/page", e.sim.domain());
        let ca = e.ca.clone();
        e.write_config(&e.profile("pbx", &e.sim.domain(), "900", GOOD, true));
        let good_tpl = e.dir.path().join("CXEngine.xml");
        std::fs::write(&good_tpl, pbxlink::simulator::DEMO_TEMPLATE).expect("tpl");
        let bad_tpl = e.dir.path().join("CX Engine.xml");
        std::fs::write(&bad_tpl, "<Crm/>").expect("tpl");
        let ca_s = ca.to_string_lossy().to_string();
        let add = |name: &str, method: &str, tpl: &std::path::Path, pbx: &str, secret: &str| {
            e.run(
                &[
                    "--ca-file",
                    &ca_s,
                    "add",
                    "cx-engine",
                    "--non-interactive",
                    "--name",
                    name,
                    "--base-url",
                    &url,
                    "--auth-method",
                    method,
                    "--client-id",
                    "7",
                    "--account-id",
                    "7",
                    "--template",
                    tpl.to_str().expect("utf8"),
                    "--pbx-profile",
                    pbx,
                    "--client-secret-stdin",
                ],
                Some(secret),
                &[],
            )
        };
        let o = add("crm", "authorization_code", &good_tpl, "pbx", SECRET_CX);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let o = add("crm2", "password", &good_tpl, "pbx", SECRET_CX);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("does not support the password grant"), "{}", o.stderr);
        let o = add("crm3", "client_credentials", &bad_tpl, "pbx", SECRET_CX);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("contains a space") && o.stderr.contains("<Number> is missing"), "{}", o.stderr);
        let o = add("crm4", "client_credentials", &good_tpl, "nosuch", SECRET_CX);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("is not a 3CX profile"), "{}", o.stderr);
        let o = add("crm5", "client_credentials", &good_tpl, "pbx", "wrong");
        assert_eq!(o.code, 3, "{}", o.stderr);

        let text = std::fs::read_to_string(e.config()).expect("config");
        assert!(
            text.contains("provider = \"cx-engine\"")
                && text.contains(&format!("base_url = \"https://{}\"", e.sim.domain())),
            "{text}"
        );
        assert!(
            text.contains("auth_method = \"authorization_code\"") && text.contains("pbx_profile = \"pbx\""),
            "{text}"
        );
        let (code, v) = e.validate_json("crm", &[]);
        assert_eq!(code, 0, "{v:#}");
        // The linked 3CX profile's CRM settings were read back, and its test endpoint never called.
        let checks = v["profiles"][0]["checks"].as_array().cloned().unwrap_or_default();
        let crm = checks.iter().find(|c| c["name"] == "crm").cloned().unwrap_or_default();
        assert_eq!(crm["state"], "passed", "{v:#}");
        assert!(crm["detail"].as_str().is_some_and(|d| d.contains("\"CX-Engine\"")), "{crm:#}");
        assert!(!e.sim.requests().iter().any(|r| r.contains("Pbx.Test")));
        // 3CX no longer uses the template: the connector is reported broken on the 3CX side.
        pbxlink::providers::threecx::simulated::ThreeCxSite::of(&e.sim).set_crm_template(None);
        let (code, v) = e.validate_json("crm", &[]);
        assert_eq!((code, v["profiles"][0]["failure"].as_str()), (3, Some("not_found")), "{v:#}");
        pbxlink::providers::threecx::simulated::ThreeCxSite::of(&e.sim)
            .set_crm_template(Some(pbxlink::providers::threecx::simulated::DEMO_TEMPLATE_NAME));
        let o = e.run(&["show", "crm"], None, &[]);
        assert!(o.stdout.contains("client_secret = \"…4d5e\"  # redacted"), "{}", o.stdout);
        e.assert_none_of(&[SECRET_CX]);
        // Without a terminal, the guide says to use --non-interactive and its flags.
        let o = e.run(&["add", "cx-engine"], None, &[]);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("--non-interactive") && o.stderr.contains("--base-url"), "{}", o.stderr);
    }
}

/// `add`'s flags come from each vendor's profile fields: a flag another vendor uses is refused by
/// name (it would otherwise be silently ignored), a secret from the wrong family says what this
/// vendor calls its secret, and what is missing is named with its flag. Nothing is saved.
#[test]
fn add_flags_are_the_vendors_fields() {
    let env = Env::new();
    let o = env.run(
        &[
            "add",
            "3cx",
            "--non-interactive",
            "--name",
            "x",
            "--domain",
            "a.3cx.us",
            "--client-id",
            "9",
            "--region",
            "uk",
        ],
        None,
        &[],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("--region is not a 3CX setting") && o.stderr.contains("--api-key-stdin"), "{}", o.stderr);
    let o = env.run(
        &[
            "add",
            "8x8",
            "--non-interactive",
            "--name",
            "x",
            "--client-id",
            "eght_a",
            "--products",
            "cc-chat",
            "--api-key-env",
            "K",
        ],
        None,
        &[("K", "secret-value-123")],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("8x8 calls its secret the Client Secret: use --client-secret-stdin"), "{}", o.stderr);
    let o = env.run(
        &[
            "add",
            "cx-engine",
            "--non-interactive",
            "--name",
            "x",
            "--base-url",
            "https://a.example",
            "--client-id",
            "7",
        ],
        None,
        &[],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("--non-interactive needs --auth-method"), "{}", o.stderr);
    let help = env.run(&["add", "--help"], None, &[]);
    assert!(
        help.stdout.contains("--client-secret-env <VAR>") && help.stdout.contains("(8x8, CX-Engine)"),
        "{}",
        help.stdout
    );
    assert!(env.run(&["list", "--json"], None, &[]).stdout.contains("\"profiles\": []"));
}
