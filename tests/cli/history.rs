//! Results over time through the real binary: `pbxlink history` (text and JSON), since when a
//! verdict holds in `list` and `list --json`, the history bounded and whole under two runs at once.

use super::*;

#[test]
fn the_history_and_since_when_a_verdict_holds() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(&e.profile("office", &d, "900", GOOD, true));
    for _ in 0..2 {
        assert_eq!(e.run(&["validate", "office"], None, &[]).code, 0);
    }
    e.write_config(&e.profile("office", &d, "900", WRONG, true));
    for _ in 0..2 {
        // A second apart: "since" says something only when it is earlier than the last check.
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(e.run(&["validate", "office"], None, &[]).code, 3);
    }

    let o = e.run(&["history", "office"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "a header and four results: {}", o.stdout);
    assert!(lines[0].starts_with("WHEN (UTC) ") && lines[0].contains(" RESULT "), "{}", o.stdout);
    let verdict = |l: &str| l.split_whitespace().nth(2).unwrap_or_default().to_string();
    assert_eq!(lines[1..].iter().map(|l| verdict(l)).collect::<Vec<_>>(), ["ok", "ok", "unauthorized", "unauthorized"]);

    let o = e.run(&["history", "office", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let results = v["results"].as_array().expect("results").clone();
    assert_eq!(results.len(), 4);
    let failing_from = results[2]["checked_at"].as_u64().expect("time");
    assert_eq!(results[3]["since"].as_u64(), Some(failing_from), "{v:#}");
    assert_eq!(results[1]["since"], results[0]["checked_at"], "{v:#}");

    let o = e.run(&["list", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["profiles"][0]["last"]["since"].as_u64(), Some(failing_from), "{v:#}");
    let o = e.run(&["list"], None, &[]);
    assert!(o.stdout.contains("unauthorized (just now), failing since "), "{}", o.stdout);
    assert!(o.stdout.trim_end().ends_with(" UTC"), "{}", o.stdout);

    assert_eq!(e.run(&["history", "nobody"], None, &[]).code, 2);
    for s in SECRETS {
        let results = pbxlink::profile::results::Results::of(&e.state(), &e.config());
        let files = std::fs::read_dir(results.file().with_file_name("history")).expect("history dir");
        for f in files.flatten() {
            assert!(!std::fs::read_to_string(f.path()).expect("read").contains(s), "a secret in {:?}", f.path());
        }
    }
}

#[test]
fn two_runs_at_once_lose_no_result() {
    let keys: Vec<String> = (0..6).map(|i| format!("k{i}-{OTHER}")).collect();
    let e = Env::with((0..6).map(|i| ThreeCxAccount::new(&format!("c{i}"), &keys[i], Behaviour::Good)).collect());
    let d = e.sim.domain();
    e.write_config(
        &(0..6).map(|i| e.profile(&format!("p{i}"), &d, &format!("c{i}"), &keys[i], true)).collect::<String>(),
    );
    for _ in 0..3 {
        let runs: Vec<std::process::Child> =
            (0..2).map(|_| e.command(&["validate", "--all"]).spawn().expect("spawn")).collect();
        for r in runs {
            assert!(r.wait_with_output().expect("wait").status.success());
        }
    }
    for i in 0..6 {
        let o = e.run(&["history", &format!("p{i}"), "--json"], None, &[]);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("whole JSON");
        assert_eq!(v["results"].as_array().map(Vec::len), Some(6), "p{i}: {v:#}");
    }
}

/// Results belong to their profiles file: another file's "office" was never checked, whatever
/// the first file's "office" did.
#[test]
fn another_profiles_file_never_shows_this_ones_results() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(&e.profile("office", &d, "900", WRONG, true));
    assert_eq!(e.run(&["validate", "office"], None, &[]).code, 3);
    let other = e.config().with_file_name("other.toml");
    std::fs::write(&other, e.profile("office", &d, "900", GOOD, true)).expect("other file");
    let other_arg = other.display().to_string();
    let o = e.run(&["--config", &other_arg, "list", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert!(v["profiles"][0]["last"].is_null(), "never checked in this file: {v:#}");
    let o = e.run(&["--config", &other_arg, "list"], None, &[]);
    assert!(!o.stdout.contains("unauthorized"), "{}", o.stdout);
    let o = e.run(&["--config", &other_arg, "history", "office", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["results"].as_array().map(Vec::len), Some(0), "{v:#}");
    // Each file keeps its own from now on.
    assert_eq!(e.run(&["--config", &other_arg, "validate", "office"], None, &[]).code, 0);
    let o = e.run(&["list"], None, &[]);
    assert!(o.stdout.contains("unauthorized"), "the first file's own result stays: {}", o.stdout);
}
