//! Link health through the real binary: the server certificate's days left in text, JSON and
//! Nagios, from a simulator whose hosts present certificates of chosen lifetimes.

use super::*;

#[test]
fn a_certificate_about_to_end_is_said_everywhere_and_the_link_stays_ok() {
    let accounts = vec![ThreeCxAccount::new("900", GOOD, Behaviour::Good)];
    let e = guarded(Sandbox::start_with_certificates(accounts, vec![], vec![], &[89, 5]));
    let (fresh, ending) = (e.sim.domain_at(0).expect("first"), e.sim.domain_at(1).expect("second"));
    e.write_config(
        &[e.profile("fresh", &fresh, "900", GOOD, true), e.profile("ending", &ending, "900", GOOD, true)].concat(),
    );

    let o = e.run(&["validate", "ending"], None, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.trim_start().starts_with("critical: the server certificate ends in 5 days (")),
        "{}",
        o.stdout
    );
    let o = e.run(&["validate", "fresh"], None, &[]);
    assert_eq!(o.stdout.lines().count(), 1, "89 days left says nothing: {}", o.stdout);

    let (_, v) = e.validate_json("ending", &[]);
    let facts = v["profiles"][0]["health"]["facts"].as_array().expect("facts").clone();
    let fact = |id: &str| facts.iter().find(|f| f["id"] == id).unwrap_or_else(|| panic!("{id} in {v:#}")).clone();
    assert_eq!(fact("certificate_expires")["number"], 5);
    assert_eq!(fact("certificate")["value"], "CN=pbxlink simulator");
    let sha = fact("certificate_sha256")["value"].as_str().expect("sha").to_string();
    assert_eq!(sha.split(':').count(), 32, "{sha}");
    // A different certificate at the other host: the fingerprint tells them apart.
    let (_, v) = e.validate_json("fresh", &[]);
    assert!(!v.to_string().contains(&sha), "{v:#}");

    let o = e.run(&["validate", "--all", "--nagios"], None, &[]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(
        o.stdout.starts_with("PBXLINK CRITICAL - 2 profiles ok; health: ending: the server certificate ends in 5 days"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("'ending_certificate_days'=5;30:;7:"), "{}", o.stdout);
    assert!(o.stdout.contains("'fresh_certificate_days'=89;30:;7:"), "{}", o.stdout);
    // Per run: under 3 days critical, 5 days is a warning.
    let o = e.run(&["validate", "ending", "--nagios", "--warn-days", "10", "--crit-days", "3"], None, &[]);
    assert_eq!(o.code, 1, "{}", o.stdout);
}

#[test]
fn a_profiles_own_thresholds_win_over_the_runs() {
    let accounts = vec![ThreeCxAccount::new("900", GOOD, Behaviour::Good)];
    let e = guarded(Sandbox::start_with_certificates(accounts, vec![], vec![], &[89]));
    let d = e.sim.domain();
    let own = e
        .profile("strict", &d, "900", GOOD, true)
        .replace("ca_file", "warn_days = 100 # renewals are slow here\nca_file");
    e.write_config(&[own, e.profile("usual", &d, "900", GOOD, true)].concat());

    let o = e.run(&["validate", "strict"], None, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("warning: the server certificate ends in 89 days"), "{}", o.stdout);
    let o = e.run(&["validate", "--all", "--nagios", "--warn-days", "10", "--crit-days", "5"], None, &[]);
    assert_eq!(o.code, 1, "the profile's 100 days win over the run's 10: {}", o.stdout);
    assert!(o.stdout.contains("'strict_certificate_days'=89;100:;5:"), "{}", o.stdout);
    assert!(o.stdout.contains("'usual_certificate_days'=89;10:;5:"), "{}", o.stdout);
    let (_, v) = e.validate_json("strict", &[]);
    assert_eq!(
        v["profiles"][0]["health"]["thresholds"],
        serde_json::json!({"warn_days": 100, "crit_days": 7, "backup_days": 14})
    );

    let o = e.run(&["show", "strict"], None, &[]);
    assert!(o.stdout.contains("\nwarn_days = 100\n"), "{}", o.stdout);
    let o = e.run(&["show", "strict", "--json"], None, &[]);
    assert!(o.stdout.contains("\"warn_days\": 100"), "{}", o.stdout);

    // A threshold that is not a number of days makes the profile invalid, saying what to write.
    let broken = std::fs::read_to_string(e.config()).expect("read").replace("warn_days = 100", "warn_days = \"soon\"");
    e.write_config(&broken);
    let o = e.run(&["validate", "strict"], None, &[]);
    assert_eq!(o.code, 2, "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(
            "warn_days = \"soon\": a threshold is a whole number of days from 0 to 3650, like warn_days = 45"
        ),
        "{}\n{}",
        o.stdout,
        o.stderr
    );
}

#[test]
fn health_prints_every_fact_under_the_line() {
    let e = Env::with(vec![ThreeCxAccount::new("900", GOOD, Behaviour::Good)]);
    e.write_config(&e.profile("office", &e.sim.domain(), "900", GOOD, true));
    let o = e.run(&["validate", "office", "--health"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for fact in [
        "      Licence: 3CXPSENT, active\n",
        "      Trunks registered: 2 of 2",
        "      Licence expires: ",
        "      Last backup: ",
        "      Disk: FreeDiskSpace 41000000000, TotalDiskSpace 80000000000, DiskUsage 49 (as sent; 3CX documents no unit)\n",
        "      Certificate: CN=pbxlink simulator\n",
        "      Certificate SHA-256: ",
    ] {
        assert!(o.stdout.contains(fact), "{fact:?} in\n{}", o.stdout);
    }
    assert!(!o.stdout.contains("SIMU-LATED"), "never the licence key");
    let plain = e.run(&["validate", "office"], None, &[]);
    assert_eq!(plain.stdout.lines().count(), 1, "without --health, one line: {}", plain.stdout);
}
