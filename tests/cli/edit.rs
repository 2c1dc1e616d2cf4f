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
