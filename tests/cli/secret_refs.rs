//! Secrets kept where users keep them, through the real binary: a profile whose key is an
//! environment variable or a command's output validates, saves no secret, says where each secret
//! comes from, and when the reference cannot be read says what is missing (exit 2) without asking
//! the server anything.

use super::*;

fn with_ref(e: &Env, name: &str, reference: &str) -> String {
    e.profile(name, &e.sim.domain(), "900", "X", true).replace("api_key = \"X\"", &format!("api_key = {reference}"))
}

#[test]
fn a_key_from_the_environment_or_a_command_validates_and_is_never_stored() {
    let e = Env::new();
    let keyfile = e.dir.path().join("office.key");
    std::fs::write(&keyfile, format!("{GOOD}\n")).expect("key file");
    let command = format!("{{ command = [\"cat\", \"{}\"] }}", keyfile.display());
    e.write_config(&[with_ref(&e, "envkey", "{ env = \"OFFICE_KEY\" }"), with_ref(&e, "cmdkey", &command)].concat());
    let o = e.run(&["validate", "envkey", "cmdkey"], None, &[("OFFICE_KEY", GOOD)]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(!std::fs::read_to_string(e.config()).expect("read").contains(GOOD), "no secret in the file");

    let o = e.run(&["show", "envkey"], None, &[]);
    assert!(o.stdout.contains("api_key = { env = \"OFFICE_KEY\" }  # read at each use, never stored"), "{}", o.stdout);
    let o = e.run(&["show", "cmdkey", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["api_key"]["command"][0], "cat", "{v:#}");
    assert!(v["secret_sources"]["api_key"].as_str().is_some_and(|s| s.starts_with("command cat ")), "{v:#}");
    let o = e.run(&["list", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["profiles"][0]["secrets"]["api_key"], "env OFFICE_KEY", "{v:#}");

    // `set` keeps the reference as it is.
    let o = e.run(&["set", "envkey", "warn_days=45"], None, &[("OFFICE_KEY", GOOD)]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(std::fs::read_to_string(e.config()).expect("read").contains("api_key = { env = \"OFFICE_KEY\" }"));
}

#[test]
fn a_reference_that_cannot_be_read_says_what_is_missing_and_asks_nothing() {
    let e = Env::new();
    let failing =
        "{ command = [\"sh\", \"-c\", \"echo 'Error: pbx/office is not in the password store.' >&2; exit 1\"] }";
    e.write_config(
        &[with_ref(&e, "envkey", "{ env = \"PBXLINK_TEST_UNSET_KEY\" }"), with_ref(&e, "cmdkey", failing)].concat(),
    );
    let o = e.run(&["validate", "envkey"], None, &[]);
    assert_eq!(o.code, 2, "a configuration problem: {}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(
            "secret_unavailable at secret: api_key: the environment variable PBXLINK_TEST_UNSET_KEY is not set"
        ),
        "{}",
        o.stdout
    );
    let (code, v) = e.validate_json("cmdkey", &[]);
    assert_eq!(code, 2);
    let p = &v["profiles"][0];
    assert_eq!(p["failure"], "secret_unavailable", "{p:#}");
    assert!(p.to_string().contains("exited with 1: Error: pbx/office is not in the password store."), "{p:#}");
    let o = e.run(&["validate", "--all", "--nagios"], None, &[]);
    assert_eq!(o.code, 3, "UNKNOWN: pbxlink could not try: {}", o.stdout);
    assert!(e.sim.requests().is_empty(), "nothing was asked of the PBX: {:?}", e.sim.requests());
    // pass's format: the password, then more lines. Sent whole it would read as a wrong key.
    let multi = "{ command = [\"printf\", \"k3y-value\\nuser: admin\\n\"] }";
    e.write_config(&with_ref(&e, "multi", multi));
    let o = e.run(&["validate", "multi"], None, &[]);
    assert_eq!(o.code, 2, "never a rejected key: {}", o.stdout);
    assert!(o.stdout.contains("is not one secret"), "{}", o.stdout);
    e.write_config(
        &[with_ref(&e, "envkey", "{ env = \"PBXLINK_TEST_UNSET_KEY\" }"), with_ref(&e, "cmdkey", failing)].concat(),
    );
    let o = e.run(&["validate", "cmdkey", "--capabilities"], None, &[]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("not in the password store"), "{}", o.stderr);
}

#[test]
fn add_keeps_a_reference_not_the_secret() {
    let e = Env::new();
    let d = e.sim.domain();
    let ca = e.ca.to_string_lossy().to_string();
    let args =
        ["--ca-file", &ca, "add", "3cx", "--non-interactive", "--name", "office", "--domain", &d, "--client-id", "900"];
    let o = e.run(&[&args[..], &["--api-key-ref", "env:OFFICE_KEY"]].concat(), None, &[("OFFICE_KEY", GOOD)]);
    assert_eq!(o.code, 0, "validated through the reference: {}", o.stderr);
    let text = std::fs::read_to_string(e.config()).expect("read");
    assert!(text.contains("api_key = { env = \"OFFICE_KEY\" }") && !text.contains(GOOD), "{text}");
    let o = e.run(&[&args[..], &["--api-key-ref", "env:OFFICE_KEY", "--force"]].concat(), None, &[]);
    assert_eq!(o.code, 2, "the variable unset: nothing to validate with: {}", o.stderr);
    assert!(o.stderr.contains("OFFICE_KEY is not set"), "{}", o.stderr);
    let o = e.run(&[&args[..], &["--api-key-ref", "pass:office", "--force"]].concat(), None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("give env:VAR, command:PROGRAM ARG... or keyring"), "{}", o.stderr);
    // A reference given as the secret itself is never run nor read: only -ref says "reference".
    let before = e.sim.requests().len();
    for text in ["env:OFFICE_KEY\n", "command:id\n", "keyring\n"] {
        let o = e.run(&[&args[..], &["--api-key-stdin", "--force"]].concat(), Some(text), &[("OFFICE_KEY", GOOD)]);
        assert_eq!(o.code, 2, "{text:?}: {}", o.stderr);
        assert!(o.stderr.contains("looks like a reference") && o.stderr.contains("--api-key-ref"), "{}", o.stderr);
    }
    assert_eq!(e.sim.requests().len(), before, "nothing was sent");
}

/// Plain mode asks where to keep the secret once; again only after a save that could not keep it
/// there (a reference giving another secret), never after a refused name.
#[test]
fn plain_mode_asks_again_where_to_keep_the_secret_only_after_a_failed_save() {
    let e = Env::new();
    e.write_config(&e.profile("office", &e.sim.domain(), "900", GOOD, true));
    let answers = [
        "yes",
        "yes",
        &e.sim.domain(),
        "",
        "yes",
        "900",
        GOOD,
        "command:echo another-key-0", // gives another secret than the one checked: not saved
        "office",                     // taken: refused, keep not asked again
        "lab",
        "profiles.toml", // asked again after "Not saved"
        "lab",
    ];
    let stdin = answers.iter().map(|a| format!("{a}\n")).collect::<String>();
    let ca = e.ca.display().to_string();
    let o = e.run(&["--plain", "--ca-file", &ca, "add", "3cx"], Some(&stdin), &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let out = &o.stdout;
    assert!(out.contains("already exists: choose another name"), "{out}");
    assert!(out.contains("Not saved: api_key: command echo another-key-0 gives another secret"), "{out}");
    assert_eq!(out.matches("Keep the secret [").count(), 2, "{out}");
    assert!(out.contains("Saved profile \"lab\""), "{out}");
    let text = std::fs::read_to_string(e.config()).expect("read");
    assert!(text.contains("[profiles.lab]") && text.contains(&format!("api_key = \"{GOOD}\"")), "{text}");
}

/// A profiles file another user owns is data: its references are not read (its owner could make
/// pbxlink, often root, run a program or send a variable), until the user says so.
#[test]
fn a_profiles_file_another_user_owns_runs_nothing() {
    if rustix::process::geteuid().as_raw() != 0 {
        eprintln!("skipped: giving a file to another user needs root (CI runs as root)");
        return;
    }
    let e = Env::new();
    let marker = e.dir.path().join("ran");
    let text = e.profile("office", &e.sim.domain(), "900", GOOD, true).replace(
        &format!("api_key = \"{GOOD}\""),
        &format!("api_key = {{ command = [\"touch\", \"{}\"] }}", marker.display()),
    );
    e.write_config(&text);
    std::os::unix::fs::chown(e.config(), Some(4242), None).expect("chown");
    let o = e.run(&["validate", "office", "--json"], None, &[]);
    assert_eq!(o.code, 2, "{}\n{}", o.stdout, o.stderr);
    assert!(!marker.exists(), "a command from another user's file ran");
    assert!(
        o.stdout.contains("secret_unavailable") && o.stdout.contains("belongs to another user (uid 4242)"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("--allow-references"), "{}", o.stdout);
    let o = e.run(&["validate", "office", "--allow-references"], None, &[]);
    assert!(marker.exists(), "said so: the reference is read: {}{}", o.stdout, o.stderr);
}
