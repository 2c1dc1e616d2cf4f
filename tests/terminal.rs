//! The real binary in a real terminal (tmux): the whole 3CX guide with typed keys and a bracketed
//! paste, the demo, and the terminal restored after every way out (Ctrl-C, SIGTERM, SIGHUP,
//! SIGINT, a panic), plus resize. The API key must appear on no screen, in no log, on no output.

use crate::common::Pane;
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount, ThreeCxSite};
use pbxlink::simulator::Simulator;
use std::os::unix::fs::PermissionsExt;

const SECRET: &str = "Tq9-e2e-secret-API-key-5d1c";

struct Sim {
    sim: Simulator,
    _rt: tokio::runtime::Runtime,
}

fn simulator() -> Sim {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let pbx = ThreeCxSite::new(vec![ThreeCxAccount::new("900", SECRET, Behaviour::Good)]);
    let sim = rt.block_on(Simulator::start(vec![std::sync::Arc::new(pbx)])).expect("simulator");
    Sim { sim, _rt: rt }
}

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

/// The simulator's address, as the demo banner shows it.
fn demo_domain(screen: &str) -> String {
    screen.split("domain ").nth(1).and_then(|r| r.split_whitespace().next()).expect("demo domain on screen").to_string()
}

/// The demo in a 100x30 pane writing to `dir/demo.toml`, with a 3CX profile "office" added through
/// the guide: the pane, the profiles file and the simulator's address.
fn demo_with_office(dir: &std::path::Path) -> (Pane, std::path::PathBuf, String) {
    let config = dir.join("demo.toml");
    let pane = Pane::start(dir, &["--config", config.to_str().expect("utf8"), "demo"], &[], 100, 30);
    let domain = demo_domain(&pane.wait_for("No profiles yet"));
    add_demo_3cx(&pane, &domain, Some("office"));
    (pane, config, domain)
}

/// The 3CX demo guide, typed as a user would, saving profile `name` (or the suggested name).
fn add_demo_3cx(pane: &Pane, domain: &str, name: Option<&str>) {
    pane.keys(&["a"]);
    pane.wait_for("Link a new account");
    pane.keys(&["Enter"]);
    pane.wait_for("Before you start");
    pane.keys(&["Space", "Down", "Space", "Enter"]);
    pane.wait_for("Find your 3CX domain");
    pane.text(domain);
    pane.keys(&["Enter"]);
    pane.wait_for("Create the API integration");
    pane.keys(&["Enter", "Space", "Enter"]);
    pane.wait_for("Enter the Client ID");
    pane.text("900");
    pane.keys(&["Tab"]);
    pane.text("demo-key-900");
    pane.keys(&["Enter"]);
    pane.wait_for("The link works");
    pane.keys(&["Enter"]);
    pane.wait_for("Review and save");
    if let Some(name) = name {
        for _ in 0..20 {
            pane.keys(&["BSpace"]);
        }
        pane.text(name);
    }
    pane.keys(&["Enter"]);
    pane.wait_for("Saved profile");
    pane.keys(&["Enter"]);
    pane.wait_for("ok just now");
}

fn home_pane(dir: &std::path::Path, env: &[(&str, &str)]) -> Pane {
    pane_with_office(dir, "pbx.example.com", env)
}

/// The home screen over a profiles file (with a comment, 0600) holding one 3CX profile "office"
/// at `domain`, with its own state directory.
fn pane_with_office(dir: &std::path::Path, domain: &str, env: &[(&str, &str)]) -> Pane {
    let config = dir.join("profiles.toml");
    let text = format!(
        "# kept\n[profiles.office]\nprovider = \"3cx\"\ndomain = \"{domain}\"\nclient_id = \"900\"\napi_key = \"k\"\n"
    );
    std::fs::write(&config, text).expect("config");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let state = dir.join("state");
    let mut all = vec![("PBXLINK_STATE_DIR", state.to_str().expect("utf8"))];
    all.extend_from_slice(env);
    let pane = Pane::start(dir, &["--config", config.to_str().expect("utf8")], &all, 80, 24);
    pane.wait_for("office");
    pane
}

#[test]
fn validate_all_in_the_tui_never_races_one_3cx_client_against_itself() {
    let s = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &s.sim.ca_pem).expect("ca");
    let config = dir.path().join("profiles.toml");
    let cfg: String = (0..6)
        .map(|i| format!("[profiles.same{i}]\nprovider = \"3cx\"\ndomain = \"{}\"\nclient_id = \"900\"\napi_key = \"{SECRET}\"\nca_file = \"{}\"\n", s.sim.domain(), ca.display()))
        .collect();
    std::fs::write(&config, cfg).expect("config");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let state = dir.path().join("state");
    let pane = Pane::start(
        dir.path(),
        &["--config", config.to_str().expect("utf8")],
        &[("PBXLINK_STATE_DIR", state.to_str().expect("utf8"))],
        80,
        24,
    );
    pane.wait_for("same5");
    pane.keys(&["V"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let screen = pane.screen();
        if screen.matches("ok, ").count() == 6 {
            break;
        }
        assert!(!screen.contains("unauthorized"), "a good key was reported refused:\n{screen}");
        assert!(std::time::Instant::now() < deadline, "not all done:\n{screen}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(ThreeCxSite::of(&s.sim).max_concurrent_validations(), 1);
    pane.keys(&["Escape", "q"]);
    assert_eq!(pane.exit_code(), 0);
}

#[rstest::rstest]
#[case("TERM", 143)]
#[case("HUP", 129)]
#[case("INT", 130)]
fn signals_restore_the_terminal(#[case] signal: &str, #[case] code: i32) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pane = home_pane(dir.path(), &[]);
    pane.kill(signal);
    assert_eq!(pane.exit_code(), code);
    pane.assert_restored();
    let text = std::fs::read_to_string(dir.path().join("profiles.toml")).expect("config");
    assert!(text.starts_with("# kept\n"), "the profiles file is untouched");
}

/// An SSH drop for real: the terminal itself disappears (tmux closes the pty) while a guide has
/// values typed. The process must end promptly, and the profiles file stays as it was.
#[test]
fn the_terminal_vanishing_ends_the_process_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pane = home_pane(dir.path(), &[]);
    pane.keys(&["a"]);
    pane.wait_for("Link a new account");
    pane.keys(&["Enter", "Space", "Down", "Space", "Enter"]);
    pane.wait_for("Find your 3CX domain");
    pane.text("typed.example.org");
    let pid = pane.pid();
    pane.tmux(&["kill-server"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(std::time::Instant::now() < deadline, "pbxlink still runs after its terminal went away");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(dir.path().join("profiles.toml")).expect("config");
    assert!(text.starts_with("# kept\n") && !text.contains("typed.example.org"), "untouched: {text}");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "half-written files left: {left:?}");
}

#[test]
fn a_non_utf8_locale_gets_ascii_and_no_color_gets_no_colour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pane = home_pane(dir.path(), &[("LC_ALL", "C"), ("LANG", "C"), ("NO_COLOR", "1")]);
    pane.keys(&["?"]);
    pane.wait_for("Help");
    pane.keys(&["x", "a", "Enter"]);
    let screen = pane.wait_for("Before you start");
    let odd: Vec<char> = screen.chars().filter(|c| !c.is_ascii()).collect();
    assert!(odd.is_empty(), "non-ASCII on a C locale: {odd:?}\n{screen}");
    // With escapes: reverse video is allowed (it is not colour), colour sequences are not.
    let styled = pane.tmux(&["capture-pane", "-p", "-e"]);
    for sgr in ["[31m", "[32m", "[33m", "[36m", "[90m", "[43m", "38;5", "[1;31m"] {
        assert!(!styled.contains(sgr), "colour {sgr:?} despite NO_COLOR:\n{styled}");
    }
    pane.keys(&["C-c"]);
    assert_eq!(pane.exit_code(), 0);
}

#[test]
fn ctrl_c_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pane = home_pane(dir.path(), &[]);
    pane.keys(&["a"]);
    pane.wait_for("Link a new account");
    pane.keys(&["Enter"]);
    pane.wait_for("Before you start");
    pane.keys(&["C-c"]);
    assert_eq!(pane.exit_code(), 0);
    pane.assert_restored();
}

/// The home screen with one profile whose PBX accepts connections and never answers, its
/// validation started: it stays "checking" for the whole connect timeout. The listener must live
/// as long as the pane.
fn validating_pane(dir: &std::path::Path, env: &[(&str, &str)]) -> (Pane, std::net::TcpListener) {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = silent.local_addr().expect("addr").port();
    let pane = pane_with_office(dir, &format!("127.0.0.1:{port}"), env);
    pane.keys(&["Enter"]);
    (pane, silent)
}

#[rstest::rstest]
#[case::ctrl_c("C-c", 0)]
#[case::sigterm("TERM", 143)]
#[case::sighup("HUP", 129)]
fn quitting_during_a_validation_restores_the_terminal(#[case] how: &str, #[case] code: i32) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pane, _silent) = validating_pane(dir.path(), &[]);
    pane.wait_for("Connect (TCP and TLS)");
    if how.starts_with("C-") {
        pane.keys(&[how]);
    } else {
        pane.kill(how);
    }
    assert_eq!(pane.exit_code(), code);
    pane.assert_restored();
    let text = std::fs::read_to_string(dir.path().join("profiles.toml")).expect("config");
    assert!(text.starts_with("# kept\n"), "the profiles file is untouched");
}

#[test]
fn a_panic_in_a_validation_task_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pane, _silent) = validating_pane(dir.path(), &[("PBXLINK_PANIC_IN_VALIDATION", "1"), ("RUST_BACKTRACE", "0")]);
    assert_eq!(pane.exit_code(), 101);
    pane.assert_restored();
    assert!(pane.screen().contains("crashing on purpose inside a validation task"), "{}", pane.screen());
}

#[test]
fn a_panic_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pane = home_pane(dir.path(), &[("PBXLINK_PANIC_ON_KEY", "1"), ("RUST_BACKTRACE", "0")]);
    pane.keys(&["x"]);
    assert_eq!(pane.exit_code(), 101);
    pane.assert_restored();
    let screen = pane.screen();
    assert!(screen.contains("crashing on purpose"), "the panic message is shown after restore:\n{screen}");
}

#[test]
fn resize_shows_enlarge_message_and_comes_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pane = home_pane(dir.path(), &[]);
    pane.tmux(&["resize-window", "-x", "40", "-y", "12"]);
    pane.wait_for("Enlarge it to at least 60x16");
    pane.tmux(&["resize-window", "-x", "60", "-y", "16"]);
    pane.wait_for("office");
    pane.keys(&["q"]);
    assert_eq!(pane.exit_code(), 0);
}

#[test]
fn interactive_commands_refuse_without_a_terminal() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pbxlink"))
        .args(["--config", "/nonexistent/p.toml", "add", "3cx"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal") && err.contains("--non-interactive"), "{err}");
}

/// In a real terminal too, a profiles file that cannot be read is exit 2 before anything is typed,
/// for the home screen and for the guide (a key shown only once must never be typed for nothing).
#[test]
fn a_broken_profiles_file_exits_2_in_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("profiles.toml");
    std::fs::write(&config, "[profiles.x\n").expect("config");
    for args in [vec!["add", "3cx"], vec![]] {
        let mut all = vec!["--config", config.to_str().expect("utf8")];
        all.extend(args.iter());
        let pane = Pane::start(dir.path(), &all, &[], 80, 24);
        let screen = pane.wait_for("__EXIT=");
        assert!(screen.contains("profiles.toml:1:"), "{args:?}: {screen}");
        assert_eq!(pane.exit_code(), 2, "{args:?}: {screen}");
    }
}

#[path = "terminal/guides.rs"]
mod guides;

/// The flags of `stty -a` that a shell's line mode needs.
fn cooked(stty: &str) -> bool {
    let words: Vec<&str> = stty.split_whitespace().collect();
    ["icanon", "echo", "isig"].iter().all(|f| words.contains(f))
}

/// Ctrl-Z and a shell's `kill -TSTP` suspend the full-screen UI as any full-screen program: the
/// shell gets its screen and line mode back, and `fg` brings the UI back, drawn whole, taking
/// keys again.
#[test]
fn ctrl_z_and_sigtstp_suspend_and_fg_brings_it_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("profiles.toml");
    std::fs::write(&config, "# kept\n").expect("config");
    let pane = Pane::shell(dir.path(), &[("PBXLINK_STATE_DIR", &dir.path().join("state").to_string_lossy())], 100, 30);
    pane.run(&["--config", &config.to_string_lossy()]);
    pane.wait_for("No profiles yet");
    for how in ["C-z", "TSTP"] {
        if how == "C-z" {
            pane.keys(&["C-z"]);
        } else {
            pane.kill("TSTP");
        }
        pane.wait_for("Stopped");
        let (alt, cursor) = pane.modes();
        assert!(!alt && cursor, "{how}: the shell's screen and cursor are back");
        assert!(cooked(&pane.shell_stty()), "{how}: the shell's line mode is back");
        pane.text("fg");
        pane.keys(&["Enter"]);
        pane.wait_for("No profiles yet");
        assert!(pane.modes().0, "{how}: full screen again");
        pane.keys(&["?"]);
        pane.wait_for("Help");
        pane.keys(&["Escape"]);
        pane.wait_for("No profiles yet");
    }
    pane.keys(&["q"]);
    pane.wait_for("$");
    assert!(cooked(&pane.shell_stty()));
}

/// SIGQUIT ends the full-screen UI like SIGTERM: restored, exit 128+3.
#[test]
fn sigquit_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pane = home_pane(dir.path(), &[]);
    pane.kill("QUIT");
    assert_eq!(pane.exit_code(), 131);
    pane.assert_restored();
}

/// Plain mode's secret prompt (echo off): SIGQUIT ends with echo back on; Ctrl-Z gives the shell
/// its echo, and `fg` comes back to the prompt, still not echoing what is typed.
#[test]
fn plain_secret_prompt_gives_echo_back_on_sigquit_and_ctrl_z() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = simulator();
    let config = dir.path().join("profiles.toml");
    let state = dir.path().join("state");
    let pane = Pane::shell(dir.path(), &[("PBXLINK_STATE_DIR", &state.to_string_lossy())], 100, 30);
    let domain = s.sim.domain();
    let start = |pane: &Pane| {
        pane.run(&["--plain", "--config", &config.to_string_lossy(), "add", "3cx"]);
        for (prompt, answer) in [
            ("Type yes when this is true:", "yes"),
            ("Type yes when this is true:", "yes"),
            ("3CX domain (", domain.as_str()),
        ] {
            pane.wait_for(prompt);
            pane.text(answer);
            pane.keys(&["Enter"]);
        }
        pane.wait_for("Press Enter to continue:");
        pane.keys(&["Enter"]);
        pane.wait_for("shown only once");
        pane.text("yes");
        pane.keys(&["Enter"]);
        pane.wait_for("Client ID (");
        pane.text("900");
        pane.keys(&["Enter"]);
        pane.wait_for("API key (not shown as you type):");
    };
    start(&pane);
    pane.keys(&["C-z"]);
    pane.wait_for("Stopped");
    assert!(cooked(&pane.shell_stty()), "the shell's echo is back while stopped");
    pane.text("fg");
    pane.keys(&["Enter"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    pane.text("not-shown-1234");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!pane.screen().contains("not-shown-1234"), "echo is off again at the prompt");
    // The line typed, unsent, is dropped (the terminal's kill-line), so the shell does not get it.
    pane.keys(&["C-u"]);
    pane.kill("QUIT");
    pane.wait_for("Interrupted.");
    assert!(cooked(&pane.shell_stty()), "SIGQUIT at the secret prompt leaves echo on");
}
