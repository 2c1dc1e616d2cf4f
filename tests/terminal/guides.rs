//! Whole guides in a real terminal (tmux): 3CX, and the demo's 3CX, 8x8 and CX-Engine guides and
//! app token, from the first key to the saved profile.

use super::*;

#[test]
fn whole_3cx_guide_in_a_real_terminal() {
    let s = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let ca = d.join("ca.pem");
    std::fs::write(&ca, &s.sim.ca_pem).expect("ca");
    let config = d.join("cfg/profiles.toml");
    let state = d.join("state");
    let pane = Pane::start(
        d,
        &["--config", &config.to_string_lossy(), "--ca-file", &ca.to_string_lossy(), "add", "3cx"],
        &[("PBXLINK_STATE_DIR", &state.to_string_lossy()), ("PBXLINK_LOG", "debug")],
        80,
        24,
    );
    pane.wait_for("Before you start");
    pane.keys(&["Space", "Down", "Space", "Enter"]);
    pane.wait_for("Find your 3CX domain");
    // A URL copied from the browser, with surrounding blanks and a trailing newline: the newline
    // must not act as Enter.
    pane.paste(&format!("  https://{}/webclient/#/login\n", s.sim.domain()));
    pane.wait_for(&format!("will connect to https://{}", s.sim.domain()));
    assert!(pane.screen().contains("Find your 3CX domain"), "the paste must not submit");
    pane.keys(&["Enter"]);
    pane.wait_for("Create the API integration");
    pane.keys(&["Enter"]);
    pane.wait_for("shown only once");
    pane.keys(&["Enter"]);
    pane.wait_for("Tick the box with Space");
    pane.keys(&["Space", "Enter"]);
    pane.wait_for("Enter the Client ID and API key");
    pane.text("900");
    pane.keys(&["Tab"]);
    pane.paste(&format!("{SECRET}\r\n"));
    let screen = pane.wait_for(&format!("({} characters, hidden)", SECRET.len()));
    assert!(!screen.contains(SECRET));
    pane.keys(&["C-r"]);
    assert!(pane.wait_for(SECRET).contains(SECRET), "Ctrl-R reveals");
    pane.keys(&["C-r"]);
    pane.wait_for("characters, hidden");
    pane.seen.borrow_mut().clear(); // the one screen that showed the key on purpose
    pane.keys(&["Enter"]);
    let checks = pane.wait_for("The link works");
    assert_eq!(checks.matches('✓').count(), 6, "five checks and the verdict:\n{checks}");
    assert!(checks.contains("3CX version 20.0.9.995"));
    pane.keys(&["Enter"]);
    pane.wait_for("Review and save");
    pane.keys(&["C-u"]);
    pane.text("office");
    pane.keys(&["Enter"]);
    pane.wait_for("Saved profile \"office\"");
    pane.keys(&["Enter"]);
    assert_eq!(pane.exit_code(), 0);
    pane.assert_restored();

    let text = std::fs::read_to_string(&config).expect("profile written");
    assert!(text.contains("[profiles.office]"), "{text}");
    assert!(text.contains(&format!("domain = \"{}\"", s.sim.domain())), "{text}");
    assert!(text.contains(&format!("api_key = \"{SECRET}\"")));
    assert_eq!(mode(&config), 0o600);
    assert_eq!(mode(config.parent().expect("dir")), 0o700);
    // The key shows nowhere else: no screen, no log, not on the terminal after exit.
    for (i, screen) in pane.seen.borrow().iter().enumerate() {
        assert!(!screen.contains(SECRET), "screen {i} shows the key:\n{screen}");
    }
    let log = std::fs::read_to_string(state.join("pbxlink.log")).expect("log");
    assert!(log.contains("validation finished"), "{log}");
    assert!(!log.contains(SECRET), "the log holds the key");
    let results =
        std::fs::read_to_string(pbxlink::profile::results::Results::of(&state, &config).file()).expect("results");
    assert!(results.contains("\"office\"") && !results.contains(SECRET));
    assert!(pane.screen().contains("Saved profile \"office\""));
}

#[test]
fn demo_from_start_to_saved_profile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pane = Pane::start(dir.path(), &["demo"], &[], 80, 24);
    let home = pane.wait_for("No profiles yet");
    let domain = demo_domain(&home);
    assert!(home.contains("demo-key-900"), "demo credentials are shown");
    add_demo_3cx(&pane, &domain, None);
    let home = pane.screen();
    assert!(home.contains("ok just now"));
    assert!(home.contains(&domain));
    pane.keys(&["q"]);
    assert_eq!(pane.exit_code(), 0);
    pane.assert_restored();
    let out = pane.screen();
    let path = out
        .split("Demo profiles were written to ")
        .nth(1)
        .and_then(|r| r.lines().next())
        .expect("path printed at exit")
        .trim()
        .to_string();
    let text = std::fs::read_to_string(&path).expect("demo profile");
    assert!(text.contains("client_id = \"900\""), "{text}");
    let _ = std::fs::remove_dir_all(std::path::Path::new(&path).parent().expect("demo dir"));
}

#[test]
fn demo_8x8_from_start_to_saved_profile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("demo.toml");
    let pane = Pane::start(dir.path(), &["--config", config.to_str().expect("utf8"), "demo"], &[], 80, 24);
    pane.wait_for("No profiles yet");
    pane.keys(&["a"]);
    pane.wait_for("Link a new account");
    pane.keys(&["Down", "Enter"]);
    let screen = pane.wait_for("8x8 setup");
    let (id, secret) = {
        let banner = screen.lines().nth(1).expect("banner").to_string();
        let id = banner
            .split("Client ID ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("id on banner")
            .to_string();
        let secret = banner
            .split("Client Secret ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("secret on banner")
            .to_string();
        (id, secret)
    };
    pane.keys(&["Space", "Enter"]);
    pane.wait_for("Create the API app");
    pane.keys(&["Enter"]);
    pane.wait_for("Choose the products");
    pane.keys(&["Down", "Down", "Space", "Enter"]);
    pane.wait_for("Copy the Client ID and Client Secret");
    pane.keys(&["Space", "Enter"]);
    pane.wait_for("Enter the Client ID and Client Secret");
    pane.text(&id);
    pane.keys(&["Tab"]);
    pane.paste(&format!("{secret}\n"));
    pane.keys(&["Enter"]);
    let checks = pane.wait_for("The link works");
    assert!(checks.contains("granted: Cloud Storage Service"), "{checks}");
    pane.keys(&["Enter"]);
    pane.wait_for("Review and save");
    pane.keys(&["Enter"]);
    pane.wait_for("Saved profile");
    pane.keys(&["Enter"]);
    pane.wait_for("ok just now");
    pane.keys(&["q"]);
    assert_eq!(pane.exit_code(), 0);
    pane.assert_restored();
    let text = std::fs::read_to_string(&config).expect("profile");
    assert!(text.contains("provider = \"8x8\"") && text.contains("products = [\"cloud-storage\"]"), "{text}");
    assert_eq!(mode(&config), 0o600);
}

#[test]
fn demo_cx_engine_with_template_copy_and_linked_3cx() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pane, config, domain) = demo_with_office(dir.path());

    pane.keys(&["a"]);
    pane.wait_for("Link a new account");
    pane.keys(&["Down", "Down", "Enter"]);
    pane.wait_for("Choose the method");
    pane.keys(&["Down", "Down", "Enter"]);
    pane.wait_for("does not support the password grant");
    pane.keys(&["Up", "Up", "Enter"]);
    pane.wait_for("Your CX-Engine address");
    pane.text(&format!("https://{domain}/crm/settings"));
    pane.keys(&["Enter"]);
    pane.wait_for("Create the API client");
    pane.text("7");
    pane.keys(&["Tab"]);
    pane.paste("demo-cx-engine-secret\n");
    pane.keys(&["Tab"]);
    pane.text("7");
    pane.keys(&["Enter"]);
    let screen = pane.wait_for("The 3CX template");
    // The demo names its sample template on the banner; Tab completes the rest of its name.
    let template = screen
        .split("DEMO · template ")
        .nth(1)
        .and_then(|r| r.lines().next())
        .expect("template path on the banner")
        .trim()
        .to_string();
    let downloads = template.rsplit_once('/').expect("a directory").0.to_string();
    pane.text(&format!("{downloads}/CX"));
    pane.keys(&["Tab"]);
    pane.wait_for("CX Engine (1).xml");
    pane.keys(&["Enter"]);
    pane.wait_for("contains a space");
    pane.keys(&["Enter"]);
    let threecx = pane.wait_for("Add the template in 3CX");
    assert!(threecx.contains("upload CXEngine.xml"), "{threecx}");
    pane.keys(&["Enter"]);
    pane.wait_for("Before you use Test");
    pane.keys(&["Enter"]);
    pane.wait_for("Tick the box with Space");
    pane.keys(&["Space", "Enter"]);
    pane.wait_for("Link your 3CX profile");
    pane.keys(&["Down", "Enter"]);
    let checks = pane.wait_for("The link works");
    assert!(checks.contains("3CX uses \"CX-Engine\""), "{checks}");
    assert!(
        checks.contains("takes a token for the linked 3CX"),
        "the one-token warning is shown when linked: {checks}"
    );
    pane.keys(&["Enter"]);
    pane.wait_for("Review and save");
    pane.keys(&["Enter"]);
    pane.wait_for("Saved profile");
    pane.keys(&["Enter"]);
    pane.wait_for("cx-engine");
    pane.keys(&["q"]);
    assert_eq!(pane.exit_code(), 0);
    pane.assert_restored();

    let text = std::fs::read_to_string(&config).expect("profiles");
    let copy = format!("{downloads}/CXEngine.xml");
    assert!(
        text.contains("provider = \"cx-engine\"") && text.contains("auth_method = \"authorization_code\""),
        "{text}"
    );
    assert!(
        text.contains(&format!("template_path = \"{copy}\"")) && text.contains("pbx_profile = \"office\""),
        "{text}"
    );
    assert_eq!(
        std::fs::read(&template).expect("original kept"),
        std::fs::read(&copy).expect("copy written"),
        "the copy has the original's bytes, and the original is still there"
    );
    assert_eq!(mode(&config), 0o600);
    let _ = std::fs::remove_dir_all(std::path::Path::new(&downloads).parent().expect("demo dir"));
}

#[test]
fn demo_app_token_confirmed_then_saved_and_validated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pane, config, _domain) = demo_with_office(dir.path());
    pane.keys(&["p"]);
    let list = pane.wait_for("signs in with");
    assert!(list.contains("*  1  900"), "the profile's own principal is marked: {list}");
    pane.keys(&["g"]);
    pane.wait_for("Generate an app token?");
    pane.keys(&["Enter"]);
    pane.wait_for("Type yes and press Enter to generate, or Esc");
    pane.text("yes");
    pane.keys(&["Enter"]);
    let shown = pane.wait_for("New app token (shown once)");
    assert!(shown.contains("characters, hidden"), "masked until revealed: {shown}");
    // Copy goes through the terminal (OSC 52): tmux, allowed to, keeps it as its paste buffer.
    pane.tmux(&["set-option", "-g", "set-clipboard", "on"]);
    pane.keys(&["c"]);
    pane.wait_for("Sent to your terminal's clipboard");
    pane.keys(&["C-r"]);
    let revealed = pane.wait_for("Ctrl-R hide");
    let token = revealed
        .split("(Number 900) on ")
        .nth(1)
        .and_then(|r| r.lines().nth(2))
        .map(|l| l.trim_matches(|c: char| c == '│' || c.is_whitespace()).to_string())
        .expect("the revealed token");
    assert_eq!(pane.tmux(&["show-buffer"]).trim(), token, "the clipboard holds the token");
    pane.keys(&["C-r"]);
    pane.keys(&["s"]);
    pane.wait_for("Profile name: Enter validates and saves");
    for _ in 0..20 {
        pane.keys(&["BSpace"]);
    }
    pane.text("office");
    pane.keys(&["Enter"]);
    pane.wait_for("Saved the token as profile");
    pane.keys(&["Escape"]);
    pane.wait_for("saved profiles");
    // The saved token signs in: the old key was replaced on the PBX and in the profile.
    pane.keys(&["Enter"]);
    pane.wait_for("The link works");
    pane.keys(&["Escape", "q"]);
    assert_eq!(pane.exit_code(), 0);
    pane.assert_restored();
    let text = std::fs::read_to_string(&config).expect("profiles");
    assert!(!text.contains("demo-key-900"), "the old key is gone from the profile: {text}");
    assert_eq!(mode(&config), 0o600);
}
