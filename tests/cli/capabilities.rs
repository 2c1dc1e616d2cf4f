//! `validate --capabilities` through the real binary: one GET per read, `$top=1`, never anything
//! else (the simulator's request log); the refusals of a System Admin key and the role they point
//! to; a key that does not sign in; plain `validate` never asks any of it.

use super::*;

const READS: [&str; 7] = [
    "GET /xapi/v1/Users",
    "GET /xapi/v1/Trunks",
    "GET /xapi/v1/CallHistoryView",
    "GET /xapi/v1/ActiveCalls",
    "GET /xapi/v1/Recordings",
    "GET /xapi/v1/ServicePrincipals",
    "GET /xapi/v1/SystemStatus",
];

fn env() -> Env {
    let e = Env::with(vec![
        ThreeCxAccount::new("900", GOOD, Behaviour::Good),
        ThreeCxAccount::new("908", GOOD, Behaviour::SystemAdmin),
    ]);
    let d = e.sim.domain();
    let cc = format!(
        "[profiles.cc]\nprovider = \"8x8\"\nclient_id = \"x\"\nclient_secret = \"{}\"\nproducts = [\"cloud-storage\"]\n",
        SECRETS[3]
    );
    let profiles = [
        e.profile("owner", &d, "900", GOOD, true),
        e.profile("admin", &d, "908", GOOD, true),
        e.profile("wrong", &d, "900", WRONG, true),
        cc,
    ];
    e.write_config(&profiles.concat());
    e
}

#[test]
fn a_system_admin_key_is_told_which_reads_it_lacks_with_reads_only() {
    let e = env();
    let o = e.run(&["validate", "admin", "--capabilities"], None, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let row =
        |label: &str| o.stdout.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_default().to_string();
    assert!(row("Users").ends_with("can read"), "{}", o.stdout);
    assert!(row("Call history").ends_with("refused (403)"), "{}", o.stdout);
    assert!(row("Recordings").ends_with("refused (403)"), "{}", o.stdout);
    assert!(row("System status").ends_with("can read"), "{}", o.stdout);
    assert!(
        o.stdout.contains("→ probably needs the System Owner role: independent clients report that 3CX refuses call history and recordings to System Admin"),
        "{}",
        o.stdout
    );
    // The token, then each read once, in order: GETs only.
    let log = e.sim.requests();
    assert_eq!(log[0], "POST /connect/token");
    assert_eq!(log[1..], READS, "{log:?}");

    let (code, v) = e.validate_json("owner", &["--capabilities"]);
    assert_eq!(code, 0);
    let p = &v["profiles"][0];
    assert_eq!(p["ok"], true);
    assert_eq!(p["missing_role"], serde_json::Value::Null, "{p:#}");
    let caps = p["capabilities"].as_array().expect("capabilities");
    assert_eq!(caps.len(), 7);
    assert!(caps.iter().all(|c| c["access"] == "can_read"), "{p:#}");
    assert_eq!(caps[0]["request"], "GET /xapi/v1/Users?$top=1");
}

#[test]
fn a_key_that_does_not_sign_in_fails_as_validate_does_and_other_vendors_are_not_asked() {
    let e = env();
    let o = e.run(&["validate", "wrong", "--capabilities"], None, &[]);
    assert_eq!(o.code, 3, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("fix: "), "{}", o.stderr);
    let (code, v) = e.validate_json("wrong", &["--capabilities"]);
    assert_eq!(code, 3);
    assert_eq!(v["profiles"][0]["failure"], "unauthorized", "{v:#}");
    assert_eq!(e.sim.requests().iter().filter(|r| r.starts_with("GET ")).count(), 0, "no read without a token");

    let o = e.run(&["validate", "cc", "--capabilities"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("cc: not asked: capability reads are 3CX's"), "{}", o.stderr);
    assert!(e.run(&["validate", "admin", "--capabilities", "--nagios"], None, &[]).code == 2);

    // --all: every profile has its entry, a broken one too; the rejected key's 3 wins.
    let mut text = std::fs::read_to_string(e.config()).expect("read");
    text.push_str("[profiles.broken]\nprovider = \"3cx\"\n");
    e.write_config(&text);
    let (code, v) = e.validate_json("--all", &["--capabilities"]);
    assert_eq!(code, 3, "{v:#}");
    let by =
        |n: &str| v["profiles"].as_array().and_then(|a| a.iter().find(|p| p["name"] == n).cloned()).unwrap_or_default();
    assert_eq!(by("broken")["failure"], "invalid_profile", "{v:#}");
    assert!(by("cc")["not_asked"].as_str().is_some_and(|w| w.contains("3CX's")), "{v:#}");
    assert_eq!(by("admin")["ok"], true);
}

#[test]
fn plain_validate_asks_none_of_the_capability_reads() {
    let e = env();
    let o = e.run(&["validate", "admin"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert_eq!(e.sim.requests(), vec!["POST /connect/token", "GET /xapi/v1/SystemStatus"]);
}
