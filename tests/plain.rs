//! Plain mode (`--plain`, `ACCESSIBLE=1`) with the real binary: answers piped on stdin against the
//! simulator for every guide (refusals retyped, a wrong key failing with its fix, retry and back,
//! the CX-Engine password grant refused, a template copied), end of input saving nothing, the home
//! menu; and in a real terminal (tmux, `TERM=dumb`) the typed secret never echoed, even when
//! Ctrl-C interrupts it. No output holds an escape sequence or a secret.

use crate::common::Pane;
use crate::common::sandbox::{Guarded, Out, Sandbox};
use pbxlink::providers::cxengine::simulated::CxEngineAccount;
use pbxlink::providers::eightbyeight::simulated::{EightByEightAccount, Grants};
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const GOOD: &str = "plain-good-key-7c1e9a";
const WRONG: &str = "plain-wrong-key-2b8d4f";
const CX_SECRET: &str = "plain-cx-secret-5e0b3d";
const X8_SECRET: &str = "plain-8x8-secret-3f9a1c";

/// The shared sandbox (tests/common/sandbox.rs), checked for leaked secrets when a test ends.
type Env = Guarded;

/// Guards `sandbox` with this file's secrets.
fn guarded(sandbox: Sandbox) -> Env {
    Guarded { sandbox, secrets: vec![GOOD, WRONG, CX_SECRET, X8_SECRET] }
}

impl Guarded {
    /// The sandbox plain mode's tests share: one account of each vendor.
    fn plain() -> Env {
        guarded(Sandbox::start(
            vec![ThreeCxAccount::new("900", GOOD, Behaviour::Good)],
            vec![EightByEightAccount::new("app", X8_SECRET, Grants::All)],
            vec![CxEngineAccount::new("7", CX_SECRET)],
        ))
    }

    /// The binary with `--config` and `--ca-file` given as flags (a `PBXLINK_CONFIG` would make the
    /// demo keep away from that file), `answers` piped on stdin, one per line. No output of plain
    /// mode may hold an escape sequence.
    fn run(&self, args: &[&str], answers: &[&str], env: &[(&str, &str)]) -> Out {
        let (config, ca) = (self.config(), self.ca.clone());
        let mut cmd =
            self.command(&["--config", config.to_str().expect("utf8"), "--ca-file", ca.to_str().expect("utf8")]);
        cmd.args(args).env_remove("PBXLINK_CONFIG").envs(env.iter().copied());
        let input: String = answers.iter().map(|a| format!("{a}\n")).collect();
        let o = self.output(cmd, Some(input.as_bytes()), &format!("{args:?}"), false, |_| {});
        for text in [&o.stdout, &o.stderr] {
            assert!(!text.contains('\u{1b}'), "an escape sequence in plain mode:\n{text}");
        }
        o
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn plain_completes_a_3cx_setup_with_answers_typed_at_its_prompts() {
    let e = Env::plain();
    let domain = e.sim.domain();
    let url = format!("https://{domain}/webclient/#/login");
    let log = e.dir.path().join("plain.log");
    let answers = [
        "no", // refused: the licence is needed
        "yes",
        "yes",
        &format!("http://{domain}"), // refused: plain HTTP
        &url,                        // the browser's address, kept to its host and port
        "",                          // the API integration: Enter
        "yes",                       // the key is shown once
        "900",
        "", // an empty key is never accepted
        WRONG,
        "r", // the same wrong key, checked again
        "b",
        "2", // back to the credentials
        "",  // Enter keeps the Client ID
        "no",
        GOOD,
        "", // Enter: the key stays in profiles.toml
        "office",
    ];
    let o = e.run(&["--plain", "--log-file", log.to_str().expect("utf8"), "add", "3cx"], &answers, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let out = &o.stdout;
    assert!(out.contains("Step 1 of 7: Before you start") && out.contains("Answer yes to each item"), "{out}");
    assert!(!out.contains("Space") && !out.contains("Ctrl-R"), "no full-screen keys in plain mode:\n{out}");
    assert!(out.contains("Both must be true: without them the API cannot work."), "{out}");
    assert!(out.contains("3CX domain: scheme \"http\" is not supported"), "{out}");
    assert!(out.contains(&format!("will connect to https://{domain}")), "{out}");
    assert!(out.contains("API key: empty: paste or type it"), "{out}");
    assert_eq!(
        out.matches("FAIL Get a token (POST /connect/token)").count(),
        2,
        "failed, then failed on retry:\n{out}"
    );
    assert!(
        out.contains("Validation failed: unauthorized") && out.contains("Fix: 3CX rejected the Client ID or API key")
    );
    assert!(out.contains("Client ID [900]:") && out.contains("Keep the API key you typed"), "{out}");
    assert!(out.contains("ok   Read the API") && out.contains("The link works."), "{out}");
    assert!(out.contains(&format!("{} characters, hidden", GOOD.len())), "{out}");
    assert!(out.contains(&format!("Saved profile \"office\" in {}", e.config().display())), "{out}");

    let text = std::fs::read_to_string(e.config()).expect("saved");
    assert!(text.contains("[profiles.office]") && text.contains(&format!("domain = \"{domain}\"")), "{text}");
    assert!(text.contains(&format!("api_key = \"{GOOD}\"")) && text.contains("ca_file = "), "{text}");
    assert_eq!(mode(&e.config()), 0o600);
    let results = std::fs::read_to_string(pbxlink::profile::results::Results::of(&e.state(), &e.config()).file())
        .expect("results");
    assert!(results.contains("\"office\""), "{results}");
    let log = std::fs::read_to_string(&log).expect("--log-file is honoured");
    assert!(log.contains("validation finished") && log.contains("profile saved"), "{log}");
}

#[test]
fn add_8x8_keeps_the_base_url_given_on_the_command_line() {
    let e = Env::plain();
    let answers = ["yes", "", "1, 3", "yes", "app", X8_SECRET, "", "team"];
    let o = e.run(&["--plain", "add", "8x8", "--base-url", &e.sim.domain()], &answers, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let text = std::fs::read_to_string(e.config()).expect("profile");
    assert!(text.contains(&format!("base_url = \"{}\"", e.sim.domain())), "{text}");
    assert!(!o.stdout.contains(X8_SECRET) && !o.stderr.contains(X8_SECRET));
    // The soft hint is on the Client ID ("app" lacks eght_), never on the secret.
    assert!(o.stdout.contains("Note: 8x8 Client IDs start with eght_"), "{}", o.stdout);
    assert_eq!(o.stdout.matches("Note:").count(), 1, "{}", o.stdout);
    let o = e.run(&["--plain", "add", "8x8", "--base-url", "http://x"], &[], &[]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("--base-url http://x"), "{}", o.stderr);
}

#[test]
fn eightbyeight_products_are_chosen_by_number_in_the_plain_demo() {
    let e = Env::plain();
    let answers =
        ["1", "2", "yes", "", "0, 6", "", "1, 3", "yes", "eght_demo_app", "demo-8x8-secret-all", "", "team", "4"];
    let o = e.run(&["--plain", "demo"], &answers, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let out = &o.stdout;
    assert!(out.contains("3CX: Client ID 900, API key demo-key-900: works"), "the demo credentials come first:\n{out}");
    assert!(out.contains("\"0\" is not a number from 1 to 5."), "{out}");
    assert!(out.contains("Choose at least one product"), "{out}");
    assert!(out.contains("Chosen: CC Realtime Analytics, Cloud Storage Service"), "{out}");
    assert!(out.contains("The link works.") && out.contains("Saved profile \"team\""), "{out}");
    assert!(!out.contains("demo-8x8-secret-all characters"), "{out}");
    let text = std::fs::read_to_string(e.config()).expect("demo profile in --config");
    assert!(text.contains("provider = \"8x8\""), "{text}");
    assert!(text.contains("products = [\"cc-realtime-analytics\", \"cloud-storage\"]"), "{text}");
    assert!(o.stdout.contains(&format!("Demo profiles were written to {}", e.config().display())));
    // The demo's own directory (the template's grandparent) is temporary.
    let template = out.split("refuses): ").nth(1).and_then(|r| r.lines().next()).expect("template path");
    let demo_dir = Path::new(template).parent().and_then(Path::parent).expect("demo dir");
    let _ = std::fs::remove_dir_all(demo_dir);
}

#[test]
fn cx_engine_refuses_the_password_grant_and_copies_a_badly_named_template() {
    let e = Env::plain();
    let domain = e.sim.domain();
    let office = format!(
        "[profiles.office]\nprovider = \"3cx\"\ndomain = \"{domain}\"\nclient_id = \"900\"\napi_key = \"{GOOD}\"\nca_file = \"{}\"\n",
        e.ca.display()
    );
    e.write_config(&office);
    let downloads = e.dir.path().join("Downloads");
    std::fs::create_dir_all(&downloads).expect("mkdir");
    let template = downloads.join("CX Engine (1).xml");
    std::fs::write(&template, pbxlink::simulator::DEMO_TEMPLATE).expect("template");
    let answers = [
        "3", // the password grant: refused with the reason
        "1",
        &format!("https://{domain}/crm/settings"),
        "7",
        CX_SECRET,
        "7",
        template.to_str().expect("utf8"),
        "yes", // write the correctly named copy
        "",
        "yes",
        "1",      // link "office"
        "",       // the secret in profiles.toml
        "office", // taken: refused, as the full-screen guide refuses it
        "crm",    // asked again for the name alone, not where to keep the secret
    ];
    let o = e.run(&["--plain", "add", "cx-engine"], &answers, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let out = &o.stdout;
    assert!(out.contains("does not support the password grant"), "{out}");
    assert!(out.contains("Chosen: Authorization Code"), "{out}");
    assert!(out.contains("file name: \"CX Engine (1).xml\" contains a space"), "{out}");
    assert!(out.contains("upload CXEngine.xml") && out.contains("Client ID (7)"), "placeholders filled:\n{out}");
    assert!(out.contains("1  office"), "{out}");
    assert!(out.contains("3CX uses \"CX-Engine\"") && out.contains("Reading 3CX's CRM settings takes a token"));
    assert!(out.contains("A profile named \"office\" already exists: choose another name."), "{out}");
    assert!(!out.contains("Replace it?"), "a guide never replaces another profile: {out}");
    assert_eq!(out.matches("Keep the secret [").count(), 1, "asked once: {out}");
    let text = std::fs::read_to_string(e.config()).expect("profiles");
    assert!(text.starts_with(&office), "the 3CX profile is kept as it was:\n{text}");
    let copy = downloads.join("CXEngine.xml");
    assert!(text.contains("[profiles.crm]") && text.contains("auth_method = \"authorization_code\""), "{text}");
    assert!(text.contains(&format!("template_path = \"{}\"", copy.display())), "{text}");
    assert!(text.contains("pbx_profile = \"office\""), "{text}");
    assert_eq!(std::fs::read(&template).expect("original kept"), std::fs::read(&copy).expect("copy written"));
}

#[test]
fn end_of_input_mid_guide_saves_nothing() {
    let e = Env::plain();
    let domain = e.sim.domain();
    let o = e.run(&["--plain", "add", "3cx"], &["yes", "yes", &domain, "", "yes", "900", GOOD], &[]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("Input ended: stopped without saving this profile."), "{}", o.stderr);
    assert!(o.stdout.contains("The link works."), "it had validated: {}", o.stdout);
    assert!(!e.config().exists(), "nothing saved");

    // At the home menu, the end of input is simply the end (ACCESSIBLE selects plain mode).
    let o = e.run(&[], &[], &[("ACCESSIBLE", "1")]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("No profiles yet") && o.stdout.contains("1  Add an account"), "{}", o.stdout);
    // ACCESSIBLE=0 does not: the full-screen UI then needs a terminal, and points to --plain.
    let o = e.run(&[], &[], &[("ACCESSIBLE", "0")]);
    assert_eq!(o.code, 2, "a usage error, as for add");
    assert!(o.stderr.contains("needs a terminal") && o.stderr.contains("--plain"), "{}", o.stderr);
}

#[test]
fn plain_home_lists_profiles_and_validates_them() {
    let e = Env::plain();
    let domain = e.sim.domain();
    let profile = |name: &str, key: &str| {
        format!(
            "[profiles.{name}]\nprovider = \"3cx\"\ndomain = \"{domain}\"\nclient_id = \"900\"\napi_key = \"{key}\"\n"
        )
    };
    e.write_config(&(profile("office", GOOD) + &profile("branch", WRONG)));
    let o = e.run(&["--plain"], &["3", "2", "1", "4"], &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let out = &o.stdout;
    assert!(out.contains("NAME") && out.contains("never checked"), "{out}");
    assert!(out.contains("office: ok") && out.contains("branch: failed (unauthorized)"), "{out}");
    assert!(out.contains("Fix: 3CX rejected the Client ID or API key"), "{out}");
    assert!(out.contains("unauthorized (just now)"), "the list shows the last results:\n{out}");
}

/// `TERM=dumb` with `--plain` in a real terminal: the secret typed is not echoed, and the terminal
/// keeps its echo afterwards.
#[test]
fn dumb_terminal_types_a_3cx_setup_without_echoing_the_secret() {
    let e = Env::plain();
    let d = e.dir.path();
    let (config, ca, state) = (e.config(), e.ca.clone(), e.state());
    let args = ["--config", config.to_str().expect("utf8"), "--ca-file", ca.to_str().expect("utf8"), "--plain"];
    let pane = Pane::start(
        d,
        &[&args[..], &["add", "3cx"]].concat(),
        &[("TERM", "dumb"), ("PBXLINK_STATE_DIR", state.to_str().expect("utf8"))],
        100,
        40,
    );
    let answer = |wait: &str, typed: &str| {
        pane.wait_for(wait);
        pane.text(typed);
        pane.keys(&["Enter"]);
    };
    answer("Type yes when this is true:", "yes");
    pane.wait_for("I can sign in");
    answer("Type yes when this is true:", "yes");
    answer("3CX domain (", &e.sim.domain());
    answer("Press Enter to continue:", "");
    answer("shown only once", "yes");
    answer("Client ID (", "900");
    answer("API key (not shown as you type):", GOOD);
    let screen = pane.wait_for("characters, hidden");
    assert!(!screen.contains(GOOD), "the key was echoed:\n{screen}");
    answer("Keep the secret [profiles.toml]", "");
    answer("Profile name [", "office");
    pane.wait_for("Saved profile \"office\"");
    assert_eq!(pane.exit_code(), 0);
    pane.assert_restored();
    let styled = pane.tmux(&["capture-pane", "-p", "-e"]);
    assert!(!styled.contains("\u{1b}["), "no colour or cursor sequence:\n{styled}");
    for (i, screen) in pane.seen.borrow().iter().enumerate() {
        assert!(!screen.contains(GOOD), "screen {i} shows the key:\n{screen}");
    }
    assert!(std::fs::read_to_string(&config).expect("saved").contains("[profiles.office]"));
}

/// Ctrl-C (SIGINT) while a secret is typed: echo comes back, nothing is saved, exit 130.
#[test]
fn ctrl_c_at_the_secret_prompt_restores_echo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("profiles.toml");
    let pane = Pane::start(
        dir.path(),
        &[
            "--config",
            config.to_str().expect("utf8"),
            "--plain",
            "add",
            "3cx",
            "--domain",
            "pbx.example.com",
            "--client-id",
            "900",
        ],
        &[("TERM", "dumb")],
        100,
        40,
    );
    pane.wait_for("Type yes when this is true:");
    pane.text("yes");
    pane.keys(&["Enter"]);
    pane.wait_for("I can sign in");
    pane.text("yes");
    pane.keys(&["Enter"]);
    pane.wait_for("3CX domain [pbx.example.com]");
    pane.keys(&["Enter"]);
    pane.wait_for("Press Enter to continue:");
    pane.keys(&["Enter"]);
    pane.wait_for("shown only once");
    pane.text("yes");
    pane.keys(&["Enter"]);
    pane.wait_for("Client ID [900]");
    pane.keys(&["Enter"]);
    pane.wait_for("API key (not shown as you type):");
    pane.text("half-typed");
    // What Ctrl-C sends, to pbxlink alone: the pane's shell would take a real Ctrl-C too and close
    // the pane before its exit code is read.
    pane.kill("INT");
    assert_eq!(pane.exit_code(), 130);
    pane.assert_restored();
    assert!(pane.screen().contains("Interrupted."));
    assert!(!pane.screen().contains("half-typed"));
    assert!(!config.exists(), "nothing saved");
}

#[test]
fn a_crash_inside_a_validation_ends_plain_mode_instead_of_waiting_for_ever() {
    let e = Env::plain();
    let domain = e.sim.domain();
    let answers = ["yes", "yes", &domain, "", "yes", "900", GOOD];
    let o =
        e.run(&["--plain", "add", "3cx"], &answers, &[("PBXLINK_PANIC_IN_VALIDATION", "1"), ("RUST_BACKTRACE", "0")]);
    assert_eq!(o.code, 101, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("crashing on purpose inside a validation task"), "{}", o.stderr);
    assert!(!e.config().exists(), "nothing saved");
}

#[test]
fn a_template_copy_refused_is_offered_again_and_never_written_unasked() {
    let e = Env::plain();
    let dir = e.dir.path().join("Downloads");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let template = dir.join("CX Engine (1).xml");
    std::fs::write(&template, pbxlink::simulator::DEMO_TEMPLATE).expect("template");
    let path = template.to_str().expect("utf8");
    let url = format!("https://{}", e.sim.domain());
    // No copy, the same path again, no copy again; then end of input.
    let answers = ["1", &url, "7", CX_SECRET, "7", path, "no", path, "no"];
    let o = e.run(&["--plain", "add", "cx-engine"], &answers, &[]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    assert_eq!(o.stdout.matches("Write a correctly named copy").count(), 2, "{}", o.stdout);
    assert!(!dir.join("CXEngine.xml").exists(), "a copy was written without a yes");
}

/// The review keeps the checked key in the OS keyring when told to (a private gnome-keyring):
/// a reference it cannot read is refused and asked again, the file holds only `{ keyring = true }`,
/// and what secret-tool reads is the key that was checked.
#[cfg(feature = "keyring")]
#[test]
fn the_review_can_keep_the_key_in_the_os_keyring() {
    let (e, kr) = (Env::plain(), crate::common::secret_service::SecretService::start());
    let domain = e.sim.domain();
    let answers = ["yes", "yes", &domain, "", "yes", "900", GOOD, "pass:office", "keyring", "office"];
    let env = kr.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let o = e.run(&["--plain", "add", "3cx"], &answers, &env);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("give keyring, env:VAR or command:PROGRAM ARG"), "{}", o.stdout);
    assert!(o.stdout.contains("Saved profile \"office\""), "{}", o.stdout);
    let text = std::fs::read_to_string(e.config()).expect("saved");
    assert!(text.contains("api_key = { keyring = true }") && !text.contains(GOOD), "{text}");
    assert_eq!(kr.lookup("office/api_key").as_deref(), Some(GOOD));
    assert_eq!(e.run(&["validate", "office"], &[], &env).code, 0, "validated through the keyring");
}
