//! `{ keyring = true }` through the real binary and a real Secret Service (gnome-keyring on a
//! private D-Bus, tests/common/secret_service.rs): `add` validates the key, then stores it in the
//! keyring and only the reference in the file; what it stored is what secret-tool reads; an entry
//! a user stored with secret-tool validates; rename moves the entry; remove leaves it and says so;
//! a missing entry or no keyring at all is a configuration error naming what is missing, and
//! nothing is asked of the PBX.

use super::*;
use crate::common::secret_service::SecretService;

/// `args` run with the keyring's bus (and `extra`) in the environment.
fn run_with(e: &Env, kr: &SecretService, args: &[&str], stdin: Option<&str>) -> crate::common::sandbox::Out {
    let env = kr.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    e.run(args, stdin, &env)
}

fn add_args<'a>(e: &'a Env, d: &'a str, ca: &'a str, name: &'a str) -> Vec<&'a str> {
    let _ = e;
    vec!["--ca-file", ca, "add", "3cx", "--non-interactive", "--name", name, "--domain", d, "--client-id", "900"]
}

#[test]
fn add_stores_a_working_key_in_the_keyring_and_only_the_reference_in_the_file() {
    let (e, kr) = (Env::new(), SecretService::start());
    let (d, ca) = (e.sim.domain(), e.ca.to_string_lossy().to_string());
    let keyring = ["--api-key-ref", "keyring", "--api-key-stdin"];

    // A wrong key is refused by validation: nothing in the keyring, nothing saved.
    let o = run_with(&e, &kr, &[&add_args(&e, &d, &ca, "office")[..], &keyring].concat(), Some(WRONG));
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("Nothing was saved."), "{}", o.stderr);
    assert_eq!(kr.lookup("office/api_key"), None, "a rejected key is not stored");

    let o = run_with(&e, &kr, &[&add_args(&e, &d, &ca, "office")[..], &keyring].concat(), Some(GOOD));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("Stored the api_key in the OS keyring (service pbxlink, account office/api_key)"),
        "{}",
        o.stderr
    );
    assert_eq!(kr.lookup("office/api_key").as_deref(), Some(GOOD), "secret-tool reads what pbxlink stored");
    let text = std::fs::read_to_string(e.config()).expect("read");
    assert!(text.contains("api_key = { keyring = true }") && !text.contains(GOOD), "{text}");

    let o = run_with(&e, &kr, &["validate", "office", "--json"], None);
    assert_eq!(o.code, 0, "validated with the key read from the keyring: {}\n{}", o.stdout, o.stderr);
    let o = run_with(&e, &kr, &["show", "office", "--json"], None);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["secret_sources"]["api_key"], "keyring (service pbxlink, account office/api_key)", "{v:#}");
    assert_eq!(v["api_key"]["keyring"], true, "{v:#}");
    let o = run_with(&e, &kr, &["list", "--json"], None);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["profiles"][0]["secrets"]["api_key"], "keyring (service pbxlink, account office/api_key)");

    // rename moves the entry with the profile.
    let o = run_with(&e, &kr, &["rename", "office", "hq"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("from account office/api_key to hq/api_key"), "{}", o.stderr);
    assert_eq!(kr.lookup("hq/api_key").as_deref(), Some(GOOD));
    assert_eq!(kr.lookup("office/api_key"), None, "the old entry is gone");
    assert_eq!(run_with(&e, &kr, &["validate", "hq"], None).code, 0);

    // An entry already under the new name (one a removed profile left) is never replaced.
    kr.store("branch/api_key", OTHER);
    let before = std::fs::read_to_string(e.config()).expect("read");
    let o = run_with(&e, &kr, &["rename", "hq", "branch"], None);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("already holds an entry for account branch/api_key"), "{}", o.stderr);
    assert_eq!(kr.lookup("branch/api_key").as_deref(), Some(OTHER), "the existing entry is untouched");
    assert_eq!(kr.lookup("hq/api_key").as_deref(), Some(GOOD));
    assert_eq!(std::fs::read_to_string(e.config()).expect("read"), before, "nothing renamed");

    // remove keeps the key (the .bak file still names it) and says how to delete it.
    let o = run_with(&e, &kr, &["remove", "hq", "--yes"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("secret-tool clear service pbxlink username hq/api_key"), "{}", o.stderr);
    assert_eq!(kr.lookup("hq/api_key").as_deref(), Some(GOOD), "never deleted with a profile line");
}

#[test]
fn an_entry_stored_with_secret_tool_is_used_and_a_missing_one_is_named() {
    let (e, kr) = (Env::new(), SecretService::start());
    let (d, ca) = (e.sim.domain(), e.ca.to_string_lossy().to_string());
    // `-ref keyring` alone: the entry must already be there, and validation reads it.
    let o = run_with(&e, &kr, &[&add_args(&e, &d, &ca, "office")[..], &["--api-key-ref", "keyring"]].concat(), None);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("the OS keyring holds no secret for service pbxlink, account office/api_key"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("pbxlink set office --api-key-ref keyring --api-key-stdin"), "{}", o.stderr);
    assert!(e.sim.requests().is_empty(), "nothing asked of the PBX: {:?}", e.sim.requests());

    kr.store("office/api_key", GOOD);
    let o = run_with(&e, &kr, &[&add_args(&e, &d, &ca, "office")[..], &["--api-key-ref", "keyring"]].concat(), None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!std::fs::read_to_string(e.config()).expect("read").contains(GOOD));
    assert_eq!(run_with(&e, &kr, &["validate", "office"], None).code, 0);

    // `set` replaces the stored key only once the new one validates.
    let o = run_with(&e, &kr, &["set", "office", "--api-key-ref", "keyring", "--api-key-stdin"], Some(WRONG));
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert_eq!(kr.lookup("office/api_key").as_deref(), Some(GOOD), "a rejected key replaces nothing");
    // A new key for a profile that keeps it in the keyring stays there, without -ref again.
    let o = run_with(&e, &kr, &["set", "office", "--api-key-stdin"], Some(GOOD));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("Stored the api_key in the OS keyring"), "{}", o.stderr);
    let text = std::fs::read_to_string(e.config()).expect("read");
    assert!(text.contains("api_key = { keyring = true }") && !text.contains(GOOD), "{text}");

    // The entry deleted behind pbxlink's back: exit 2, named, the PBX not asked.
    let requests = e.sim.requests().len();
    let o = kr_clear(&kr, "office/api_key");
    assert!(o, "secret-tool clear");
    let (code, v) = {
        let o = run_with(&e, &kr, &["validate", "office", "--json"], None);
        (o.code, serde_json::from_str::<serde_json::Value>(&o.stdout).expect("json"))
    };
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(v["profiles"][0]["failure"], "secret_unavailable", "{v:#}");
    assert!(v.to_string().contains("account office/api_key"), "{v:#}");
    assert_eq!(e.sim.requests().len(), requests, "nothing more asked of the PBX");
}

fn kr_clear(kr: &SecretService, account: &str) -> bool {
    std::process::Command::new("secret-tool")
        .args(["clear", "service", "pbxlink", "username", account])
        .env_clear()
        .env("HOME", kr.home())
        .env("DBUS_SESSION_BUS_ADDRESS", &kr.address)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn without_a_keyring_it_says_so_and_names_the_alternatives() {
    let e = Env::new();
    let (d, ca) = (e.sim.domain(), e.ca.to_string_lossy().to_string());
    let nowhere = SecretService::nowhere(e.dir.path());
    for env in [vec![], vec![("DBUS_SESSION_BUS_ADDRESS", nowhere.as_str())]] {
        let args = [&add_args(&e, &d, &ca, "office")[..], &["--api-key-ref", "keyring", "--api-key-stdin"]].concat();
        let o = e.run(&args, Some(GOOD), &env);
        assert_eq!(o.code, 2, "{env:?}: {}", o.stderr);
        assert!(
            o.stderr.contains("api_key could not be stored in the OS keyring: no OS keyring is reachable"),
            "{}",
            o.stderr
        );
        assert!(o.stderr.contains("--api-key-ref env:VAR | command:PROGRAM ARG..."), "{}", o.stderr);
        assert!(o.stderr.contains("Nothing was saved."), "{}", o.stderr);
        assert!(!e.config().exists() || !std::fs::read_to_string(e.config()).expect("read").contains("office"));
    }
    e.write_config(
        &e.profile("office", &d, "900", "X", true).replace("api_key = \"X\"", "api_key = { keyring = true }"),
    );
    let requests = e.sim.requests().len();
    let o = e.run(&["validate", "office"], None, &[("DBUS_SESSION_BUS_ADDRESS", nowhere.as_str())]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stdout.contains("no OS keyring is reachable"), "{}", o.stdout);
    assert_eq!(e.sim.requests().len(), requests, "nothing asked of the PBX");

    // A reference read at each use takes no secret now.
    let args = [&add_args(&e, &d, &ca, "other")[..], &["--api-key-ref", "env:K", "--api-key-stdin"]].concat();
    let o = e.run(&args, Some(GOOD), &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--api-key-ref env:K reads the API key at each use"), "{}", o.stderr);
}
