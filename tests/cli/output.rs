//! What the commands print: JSON failures and exit codes, Nagios lines, text and usage errors,
//! list/show/paths without secrets, a broken profiles file, a closed pipe, table widths.

use super::*;

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
        // A 404 says the address is not the API, never that the key is refused: no verdict.
        ("nolicence", d.as_str(), "904", OTHER, true, Some("not_found"), 4),
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
    // The plugin guidelines' layout: the status line, then a line per profile with the
    // per-profile perfdata after it.
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", o.stdout);
    assert!(lines[1].starts_with("ok   good (") && lines[1].contains(" | 'good_ms'="), "{}", o.stdout);
    let o = e.run(&["validate", "good", "limited", "--nagios"], None, &[]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.starts_with("PBXLINK WARNING - 1 of 2 profiles failed: limited rate_limited |"), "{}", o.stdout);
    let o = e.run(&["validate", "--all", "--nagios"], None, &[]);
    assert_eq!(o.code, 2);
    assert!(
        o.stdout.starts_with("PBXLINK CRITICAL - 2 of 3 profiles failed: bad unauthorized, limited rate_limited |"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("'good_ms'="), "{}", o.stdout);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[1].starts_with("FAIL bad: unauthorized at token: HTTP 401"), "failing first: {}", o.stdout);
    assert!(lines[2].starts_with("FAIL limited: rate_limited at token"), "{}", o.stdout);
    assert!(lines[3].starts_with("ok   good ("), "{}", o.stdout);
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
    // The run ends naming what failed, so a cron mail says it at its end.
    assert!(o.stderr.contains("\nfailing (1): bad (unauthorized)\n"), "{}", o.stderr);
    assert_eq!(e.run(&["validate"], None, &[]).code, 2, "names or --all are required");
    assert_eq!(e.run(&["validate", "nosuch"], None, &[]).code, 2);
    e.write_config("[profiles.x\n");
    let o = e.run(&["validate", "--all"], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("profiles.toml:1:"), "{}", o.stderr);
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
fn health_findings_are_said_in_text_and_json_and_leave_the_exit_code_alone() {
    let e = Env::with(vec![
        ThreeCxAccount::new("900", GOOD, Behaviour::Good),
        ThreeCxAccount::new("905", GOOD, Behaviour::LicenceEnding),
        ThreeCxAccount::new("906", GOOD, Behaviour::TrunkDown),
    ]);
    let d = e.sim.domain();
    let profiles = [
        e.profile("healthy", &d, "900", GOOD, true),
        e.profile("ending", &d, "905", GOOD, true),
        e.profile("trunk", &d, "906", GOOD, true),
    ];
    e.write_config(&profiles.concat());
    let o = e.run(&["validate", "ending"], None, &[]);
    assert_eq!(o.code, 0, "working credentials keep exit 0: {}\n{}", o.stdout, o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[0].starts_with("ok "), "{}", o.stdout);
    assert!(lines[1].trim_start().starts_with("critical: maintenance ended on "), "most serious first: {}", o.stdout);
    assert!(lines[2].trim_start().starts_with("warning: the licence ends in "), "{}", o.stdout);
    let o = e.run(&["validate", "healthy"], None, &[]);
    assert_eq!(o.stdout.lines().count(), 1, "a healthy PBX says nothing more: {}", o.stdout);

    let (code, v) = e.validate_json("ending", &[]);
    assert_eq!(code, 0);
    let p = &v["profiles"][0];
    assert_eq!(p["ok"], true);
    let findings = p["health"]["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 2, "{p:#}");
    assert!(findings.iter().any(|f| f["id"] == "maintenance_expires" && f["level"] == "critical"), "{p:#}");
    let facts = p["health"]["facts"].as_array().expect("facts");
    let expires = facts.iter().find(|f| f["id"] == "licence_expires").expect("licence_expires");
    assert!(matches!(expires["number"].as_i64(), Some(11..=12)), "{expires}");
    assert!(expires["at"].as_u64().is_some(), "{expires}");
    assert!(!v.to_string().contains("SIMU-LATED"), "the licence key is never printed");
    // Lax thresholds: 12 days is no longer worth a word; the ended maintenance still is.
    let (_, v) = e.validate_json("ending", &["--warn-days", "10", "--crit-days", "2"]);
    assert_eq!(v["profiles"][0]["health"]["findings"].as_array().map(Vec::len), Some(1));

    // Nagios: health findings are WARNING and CRITICAL of their own, with days left and trunks as
    // perfdata; a healthy PBX stays OK.
    let o = e.run(&["validate", "healthy", "--nagios"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.stdout.starts_with("PBXLINK OK - 1 profiles ok |"), "{}", o.stdout);
    assert!(
        o.stdout.contains("'healthy_licence_days'=") && o.stdout.contains("'healthy_trunks'=2;2:;;0;2"),
        "{}",
        o.stdout
    );
    let o = e.run(&["validate", "trunk", "--nagios"], None, &[]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout.starts_with("PBXLINK WARNING - 1 profiles ok; health: trunk: 1 of 2 trunks not registered |"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("'trunk_trunks'=1;2:;;0;2"), "{}", o.stdout);
    assert!(o.stdout.contains("'trunk_backup_age_days'=1;14;;0"), "{}", o.stdout);
    let o = e.run(&["validate", "trunk", "--nagios", "--backup-days", "0"], None, &[]);
    assert!(o.stdout.contains("the last backup is 1 day old (more than 0)"), "--backup-days: {}", o.stdout);
    let o = e.run(&["validate", "ending", "--nagios"], None, &[]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stdout.starts_with("PBXLINK CRITICAL - 1 profiles ok; health: ending: "), "{}", o.stdout);
    assert!(o.stdout.contains("'ending_maintenance_days'=-"), "{}", o.stdout);
    // --strict: a finding counts in validate's own codes (5); without it, never.
    assert_eq!(e.run(&["validate", "ending", "--strict"], None, &[]).code, 5);
    assert_eq!(e.run(&["validate", "healthy", "--strict"], None, &[]).code, 0);
    assert_eq!(e.run(&["validate", "trunk"], None, &[]).code, 0);

    let o = e.run(&["validate", "ending", "--warn-days", "5", "--crit-days", "9"], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--crit-days 9 is more than --warn-days 5"), "{}", o.stderr);
}

/// `validate --all` prints in the same order every run (by name, whatever the file's order or
/// which PBX answers first), so two cron mails differ only where a profile did.
#[test]
fn validate_all_prints_by_name_every_run() {
    let names = ["zulu", "alpha", "mike", "bravo", "yankee", "charlie"];
    // One integration each, so that they run at once (one Client ID's run one at a time).
    let e = Env::with(names.iter().map(|n| ThreeCxAccount::new(n, GOOD, Behaviour::Good)).collect());
    let d = e.sim.domain();
    e.write_config(&names.iter().map(|n| e.profile(n, &d, n, GOOD, true)).collect::<String>());
    // A slow PBX, so that profiles finish in whatever order the network gives.
    e.sim.set_read_delay(20);
    let mut sorted = names.to_vec();
    sorted.sort();
    for _ in 0..3 {
        let o = e.run(&["validate", "--all", "--jobs", "6"], None, &[]);
        let order: Vec<&str> = o.stdout.lines().filter_map(|l| l.split_whitespace().nth(1)).collect();
        assert_eq!(order, sorted, "{}", o.stdout);
    }
}

/// Nagios Core keeps 8 KB of a plugin's output: with 300 profiles the whole output stays within
/// it, names every failing profile, and says how many more it did not list.
#[test]
fn nagios_output_of_300_profiles_fits_and_names_every_failure() {
    // One integration each, so that they run at once (one Client ID's run one at a time).
    let e = Env::with((0..300).map(|i| ThreeCxAccount::new(&format!("c{i}"), GOOD, Behaviour::Good)).collect());
    let d = e.sim.domain();
    let failing = [17, 123, 250, 299];
    let profiles: String = (0..300)
        .map(|i| {
            let key = if failing.contains(&i) { WRONG } else { GOOD };
            e.profile(&format!("customer-{i:03}"), &d, &format!("c{i}"), key, true)
        })
        .collect();
    e.write_config(&profiles);
    let o = e.run(&["validate", "--all", "--nagios"], None, &[]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stdout.len() <= 8192, "{} bytes", o.stdout.len());
    let first = o.stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("PBXLINK CRITICAL - 4 of 300 profiles failed: customer-017 unauthorized, customer-123 unauthorized, customer-250 unauthorized, customer-299 unauthorized |"), "{first}");
    assert!(first.contains(" ok=296;;;0;300 failed=4;;;0;300 "), "{first}");
    for i in failing {
        assert!(o.stdout.contains(&format!("\nFAIL customer-{i:03}: unauthorized at token")), "{}", o.stdout);
    }
    assert!(o.stdout.contains(" more profiles not listed, to keep within 8192 bytes"), "{}", o.stdout);
    assert!(
        o.stdout
            .ends_with("(per-profile perfdata left out to keep within 8192 bytes; --nagios-max-bytes 0 keeps it)\n"),
        "{}",
        o.stdout
    );
    // No bound asked: every profile and its perfdata.
    let o = e.run(&["validate", "--all", "--nagios", "--nagios-max-bytes", "0"], None, &[]);
    assert!(o.stdout.len() > 8192 && o.stdout.contains("'customer-000_ms'="), "{} bytes", o.stdout.len());
    assert_eq!(o.stdout.lines().filter(|l| l.starts_with("ok   customer-")).count(), 296);
}

/// The log is moved aside past 1 MiB when a run starts, and only the 3 newest moved aside are
/// kept: a cron job every 5 minutes no longer grows it without end.
#[test]
fn the_log_is_rotated_by_size_and_bounded() {
    let e = Env::new();
    e.write_config(&e.profile("office", &e.sim.domain(), "900", GOOD, true));
    let log = e.state().join("pbxlink.log");
    std::fs::create_dir_all(e.state()).expect("state");
    for round in 0..5 {
        std::fs::write(&log, format!("round {round}\n{}", "x".repeat(1024 * 1024))).expect("big log");
        let mut cmd = e.command(&["validate", "office"]);
        cmd.env_remove("PBXLINK_LOG_FILE").env("PBXLINK_LOG", "info");
        assert!(cmd.output().expect("run").status.success());
    }
    let now = std::fs::read_to_string(&log).expect("log");
    assert!(now.len() < 64 * 1024 && now.contains("validation finished"), "a fresh log: {} bytes", now.len());
    let aside: Vec<String> =
        (1..=5).filter(|n| e.state().join(format!("pbxlink.log.{n}")).exists()).map(|n| n.to_string()).collect();
    assert_eq!(aside, ["1", "2", "3"], "three kept");
    let newest = std::fs::read_to_string(e.state().join("pbxlink.log.1")).expect("newest");
    assert!(newest.starts_with("round 4\n"), "the newest moved aside is the last round's");
}
