//! `pbxlink add` with the real binary: every secret source, refusals that save nothing, no terminal,
//! comments kept, and the flags derived from each vendor's fields.

use super::*;

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
