//! `pbxlink set` and `pbxlink rename` through the real binary: only the keys named change, every
//! other key and comment stays; `set` validates first and changes nothing when that fails; a
//! secret is never a value; a rename takes its results, history and links along.

use super::*;

const HAND: &str = "# my PBXs\n[profiles.office] # the main one\nprovider = \"3cx\"\ndomain = \"DOMAIN\"   # hosted\nclient_id = \"900\"\napi_key = \"KEY\"\nca_file = \"CA\"\nnote = \"kept\"\n";

fn env() -> Env {
    let e = Env::new();
    let text = HAND.replace("DOMAIN", &e.sim.domain()).replace("KEY", GOOD).replace("CA", &e.ca.to_string_lossy());
    e.write_config(&text);
    e
}

fn file(e: &Env) -> String {
    std::fs::read_to_string(e.config()).expect("read")
}

#[test]
fn set_changes_only_what_it_names_and_validates_first() {
    let e = env();
    let before = file(&e);
    let o = e.run(&["set", "office", "warn_days=60", "client_id=900"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(file(&e), format!("{before}warn_days = 60\n"), "one key added, all else byte for byte");

    // A key that does not work: validation fails, nothing changes.
    let before = file(&e);
    let o = e.run(&["set", "office", "--api-key-stdin"], Some(WRONG), &[]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("Nothing was changed."), "{}", o.stderr);
    assert_eq!(file(&e), before);
    // --no-validate saves it as given; the secret goes only to the file.
    let o = e.run(&["set", "office", "--api-key-stdin", "--no-validate"], Some(OTHER), &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(file(&e), before.replace(GOOD, OTHER));

    let o = e.run(&["set", "office", &format!("api_key={GOOD}")], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("a secret is never a value on the command line"), "{}", o.stderr);
    assert!(!o.stderr.contains(GOOD), "the refused secret is not echoed");
    for (pair, says) in [
        ("region=uk", "\"region\" is not a 3CX field; it has domain, client_id"),
        ("domain=", "domain cannot be empty"),
        ("warn_days=soon", "warn_days=soon: a threshold is a whole number of days"),
        ("domain", "give each field as KEY=VALUE"),
        ("domain=http://", "domain: "),
    ] {
        let o = e.run(&["set", "office", pair, "--no-validate"], None, &[]);
        assert_eq!(o.code, 2, "{pair}");
        assert!(o.stderr.contains(says), "{pair}: {}", o.stderr);
    }
    // An optional key left empty is removed; the file keeps the rest.
    let o = e.run(&["set", "office", "ca_file=", "--no-validate"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!file(&e).contains("ca_file") && file(&e).contains("note = \"kept\""), "{}", file(&e));
    assert_eq!(e.run(&["set", "nobody", "domain=x.example"], None, &[]).code, 2);
}

#[test]
fn rename_takes_its_results_history_and_links_along() {
    let e = env();
    let crm = "\n[profiles.crm]\nprovider = \"cx-engine\"\nbase_url = \"https://crm.example.com\"\nauth_method = \"client_credentials\"\nclient_id = \"7\"\nclient_secret = \"cx-secret-value-1234\"\naccount_id = \"7\"\npbx_profile = \"office\"\n";
    e.write_config(&format!("{}{crm}", file(&e)));
    assert_eq!(e.run(&["validate", "office"], None, &[]).code, 0);
    let o = e.run(&["rename", "office", "hq"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("\"crm\" now links \"hq\""), "{}", o.stderr);
    let text = file(&e);
    assert!(text.contains("[profiles.hq] # the main one\n"), "the table moves with its comments: {text}");
    assert!(text.contains("pbx_profile = \"hq\"") && !text.contains("office"), "{text}");
    let o = e.run(&["history", "hq", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["results"].as_array().map(Vec::len), Some(1), "{v:#}");
    assert!(e.run(&["list"], None, &[]).stdout.contains("ok (just now)"));
    assert_eq!(e.run(&["rename", "hq", "crm"], None, &[]).code, 2, "a taken name");
    assert_eq!(e.run(&["rename", "hq", "a b"], None, &[]).code, 2, "a bad name");
}

#[test]
fn add_force_keeps_the_ca_file_it_was_not_given() {
    let e = env();
    let d = e.sim.domain();
    let o = e.run(
        &[
            "add",
            "3cx",
            "--non-interactive",
            "--name",
            "office",
            "--domain",
            &d,
            "--client-id",
            "900",
            "--api-key-stdin",
            "--force",
        ],
        Some(GOOD),
        &[],
    );
    assert_eq!(o.code, 0, "it validates, trusting the kept CA: {}", o.stderr);
    assert!(file(&e).contains(&format!("ca_file = \"{}\"", e.ca.display())), "{}", file(&e));
}

/// A rename killed at any moment is all or nothing for any reader: the profiles file names
/// either the old profile with its link or the new one with its link, and the results follow
/// the file (the next run finishes their move). A removal likewise, with a warning for the
/// profile that linked it; a busy results lock is exit 1 and changes nothing.
#[test]
fn a_killed_rename_or_removal_is_all_or_nothing() {
    let e = env();
    let crm = "\n[profiles.crm]\nprovider = \"cx-engine\"\nbase_url = \"https://crm.example.com\"\nauth_method = \"client_credentials\"\nclient_id = \"7\"\nclient_secret = \"cx-secret-value-1234\"\naccount_id = \"7\"\npbx_profile = \"office\"\n";
    let start = format!("{}{crm}", file(&e));
    let history = |name: &str| {
        let o = e.run(&["history", name, "--json"], None, &[]);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap_or_default();
        v["results"].as_array().map_or(0, Vec::len)
    };
    let (mut whole, mut none) = (0, 0);
    for round in 0..24u64 {
        e.write_config(&start);
        let state = e.state();
        let _ = std::fs::remove_dir_all(state.join("results"));
        assert_eq!(e.run(&["validate", "office"], None, &[]).code, 0);
        let mut child =
            e.command(&["rename", "office", "hq"]).stdin(std::process::Stdio::null()).spawn().expect("spawn");
        std::thread::sleep(Duration::from_micros(round * 700));
        let _ = child.kill();
        let _ = child.wait();
        let text = file(&e);
        let (old, new) = (text.contains("[profiles.office]"), text.contains("[profiles.hq]"));
        assert!(old != new, "round {round}: one name, never both or none:\n{text}");
        let link = if new { "pbx_profile = \"hq\"" } else { "pbx_profile = \"office\"" };
        assert!(text.contains(link), "round {round}: the link follows in the same write:\n{text}");
        let (here, gone) = if new { ("hq", "office") } else { ("office", "hq") };
        assert_eq!((history(here), history(gone)), (1, 0), "round {round}: the results follow the file");
        if new { whole += 1 } else { none += 1 }
    }
    println!("killed renames: {whole} done, {none} not done; every one whole");
    assert!(whole > 0, "the kills came too late to test anything");

    // A removal warns about the profile that linked it, and takes its results along.
    e.write_config(&start);
    let o = e.run(&["remove", "office", "--yes"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("\"crm\" links \"office\", which is gone"), "{}", o.stderr);
    e.write_config(&start);
    assert_eq!(history("office"), 0, "a later profile of the name starts afresh");
}
