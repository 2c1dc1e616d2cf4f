//! The whole app in one piece, on ratatui's `TestBackend`: the real driver loop (`tui::drive`), the
//! real effects (the profiles file, the last results, validations over real HTTPS against the
//! simulator), key presses and pastes sent as the terminal would send them, and every frame the
//! loop draws kept, so tests wait for what the user would see and snapshot it
//! (`tests/common/app.rs`).

use crate::common::app::{App, SECRET};
use crossterm::event::KeyCode;
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount, ThreeCxSite};
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

#[test]
fn a_3cx_link_from_the_home_screen_to_a_saved_profile() {
    let mut app = App::start(None);
    app.wait_for("No profiles yet");
    // A URL copied from the browser, with blanks and a newline around it: cut to host and port.
    app.through_3cx_guide(&format!("  https://{}/webclient/#/login\n", app.sim.domain()), SECRET);
    // The validation runs on the real executor, over HTTPS, while the loop keeps drawing.
    let checks = app.wait_for("The link works");
    assert!(checks.contains("3CX version 20.0.9.995"), "{checks}");
    app.key(KeyCode::Enter);
    app.wait_for("Review and save");
    app.ctrl('u');
    app.text("office");
    let review = app.wait_for("office");
    insta::assert_snapshot!("app_3cx_review", app.stable(&review));
    app.key(KeyCode::Enter);
    app.wait_for("Saved profile \"office\"");
    app.key(KeyCode::Enter);
    // Back home, the new profile with the verdict just recorded.
    let home = app.wait_for("ok just now");
    insta::assert_snapshot!("app_3cx_home_after_save", app.stable(&home));
    app.key(KeyCode::Char('q'));
    let ended = app.ended();
    assert_eq!(ended.saved, vec!["office".to_string()]);
    assert_eq!(ended.signal, None);
    app.assert_secret_never_shown();

    let config = app.config();
    let text = std::fs::read_to_string(&config).expect("profile written");
    assert!(text.contains("[profiles.office]") && text.contains(&format!("api_key = \"{SECRET}\"")), "{text}");
    assert_eq!(std::fs::metadata(&config).expect("meta").permissions().mode() & 0o777, 0o600);
    // One validation: its token, the version, the status; nothing else was asked of the PBX.
    assert_eq!(app.sim.requests(), vec!["POST /connect/token", "GET /xapi/v1/SystemStatus"], "requests");
}

#[test]
fn a_refused_key_is_said_on_revalidation_and_the_profile_is_kept() {
    let profiles = "# my office PBX\n[profiles.office]\nprovider = \"3cx\"\ndomain = \"DOMAIN\"\nclient_id = \"900\"\napi_key = \"not-the-key-0000\"\nca_file = \"CA\"\n";
    let mut app = App::start(Some(profiles));
    app.wait_for("office");
    app.key(KeyCode::Char('v'));
    let failed = app.wait_for("✗ Failed: unauthorized");
    assert!(failed.contains("3CX rejected the Client ID or API key") && failed.contains("r again"), "{failed}");
    app.key(KeyCode::Esc);
    // Home again, with the verdict just recorded beside the profile, which is left as it was.
    // (The home screen shows first with what it had, then the reload with the recorded result.)
    let home = app.wait_for("✗ unauthorized just now");
    insta::assert_snapshot!("app_3cx_home_after_refusal", app.stable(&home));
    app.key(KeyCode::Char('q'));
    assert!(app.ended().saved.is_empty());
    let after = std::fs::read_to_string(app.config()).expect("profiles");
    assert_eq!(
        after,
        profiles.replace("DOMAIN", &app.sim.domain()).replace("CA", &app.dir.path().join("ca.pem").to_string_lossy())
    );
}

#[test]
fn c_on_a_finished_check_shows_what_the_key_may_read() {
    let profiles = "[profiles.admin]\nprovider = \"3cx\"\ndomain = \"DOMAIN\"\nclient_id = \"908\"\napi_key = \"KEY\"\nca_file = \"CA\"\n"
        .replace("KEY", SECRET);
    let pbx = ThreeCxSite::new(vec![ThreeCxAccount::new("908", SECRET, Behaviour::SystemAdmin)]);
    let mut app = App::start_with(vec![Arc::new(pbx)], Some(&profiles));
    app.wait_for("admin");
    app.key(KeyCode::Char('v'));
    let done = app.wait_for("The link works");
    assert!(done.contains("c capabilities"), "{done}");
    let validated = app.sim.requests().len();
    app.key(KeyCode::Char('c'));
    let caps = app.wait_for("probably needs the System Owner role");
    insta::assert_snapshot!("app_3cx_capabilities", app.stable(&caps));
    // Only reads, each once, after the validation's own requests.
    let reads: Vec<String> = app.sim.requests()[validated..].to_vec();
    assert_eq!(reads.len(), 8, "{reads:?}");
    assert!(reads[1..].iter().all(|r| r.starts_with("GET /xapi/v1/")), "{reads:?}");
    // c again: the checks are back; r checks again.
    app.key(KeyCode::Char('c'));
    app.wait_for("Read the API");
    app.key(KeyCode::Char('r'));
    let again = app.wait_for("The link works");
    assert!(!again.contains("What the key may read"), "{again}");
    app.key(KeyCode::Char('q'));
    app.key(KeyCode::Char('q'));
    app.ended();
    app.assert_secret_never_shown();
}

#[test]
fn h_on_a_finished_check_shows_every_health_fact() {
    let profiles = "[profiles.office]\nprovider = \"3cx\"\ndomain = \"DOMAIN\"\nclient_id = \"900\"\napi_key = \"KEY\"\nca_file = \"CA\"\n"
        .replace("KEY", SECRET);
    let mut app = App::start(Some(&profiles));
    app.wait_for("office");
    app.key(KeyCode::Char('v'));
    let done = app.wait_for("The link works");
    assert!(done.contains("h health"), "{done}");
    app.key(KeyCode::Char('h'));
    let facts = app.wait_for("What the system says");
    for fact in ["Certificate SHA-256", "3CXPSENT, active", "Trunks registered", "2 of 2", "Last backup"] {
        assert!(facts.contains(fact), "{fact} in\n{facts}");
    }
    app.key(KeyCode::PageDown);
    // Dates and the fingerprint change with every run: what is shown is checked, not snapshotted.
    let lower = app.wait_for("Last update");
    assert!(lower.contains("Version                  20.0.9.995"), "{lower}");
    assert!(!lower.contains("SIMU-LATED"), "never the licence key");
    app.key(KeyCode::Char('h'));
    app.wait_for("Read the API");
    app.key(KeyCode::Char('q'));
    app.key(KeyCode::Char('q'));
    app.ended();
    app.assert_secret_never_shown();
}

#[test]
fn a_key_that_cannot_be_read_is_said_on_every_screen_that_needs_it() {
    let profiles = "[profiles.office]\nprovider = \"3cx\"\ndomain = \"DOMAIN\"\nclient_id = \"900\"\napi_key = { env = \"PBXLINK_TEST_UNSET_KEY\" }\nca_file = \"CA\"\n";
    let mut app = App::start(Some(profiles));
    app.wait_for("office");
    app.key(KeyCode::Char('v'));
    let failed = app.wait_for("secret_unavailable");
    assert!(
        failed.contains("api_key: the environment variable") && failed.contains("PBXLINK_TEST_UNSET_KEY is not set"),
        "{failed}"
    );
    app.key(KeyCode::Esc);
    app.wait_for("saved profiles");
    app.key(KeyCode::Char('p'));
    let principals = app.wait_for("the environment variable PBXLINK_TEST_UNSET_");
    assert!(!principals.contains("Loading"), "{principals}");
    assert!(app.sim.requests().is_empty(), "nothing was sent: {:?}", app.sim.requests());
    app.key(KeyCode::Esc);
    app.key(KeyCode::Char('q'));
    app.ended();
}

#[test]
fn a_signal_ends_the_session_with_its_number() {
    let mut app = App::start(None);
    app.wait_for("No profiles yet");
    app.signals.send(15).expect("signal");
    let ended = app.ended();
    assert_eq!(ended.signal, Some(15));
}

/// Editing a profile whose key is read through a reference: the key field starts empty, the check
/// reads the reference, the review says where the key comes from, and the save keeps the
/// reference: the file still holds no secret.
#[test]
fn editing_a_profile_keeps_its_secret_reference() {
    let keys = tempfile::tempdir().expect("key dir");
    let key_file = keys.path().join("office.key");
    std::fs::write(&key_file, format!("{SECRET}\n")).expect("key");
    let reference = format!("api_key = {{ command = [\"cat\", \"{}\"] }}", key_file.display());
    let profiles = format!(
        "# kept\n[profiles.office]\nprovider = \"3cx\"\ndomain = \"DOMAIN\"\nclient_id = \"900\"\n{reference}\nca_file = \"CA\"\n"
    );
    let mut app = App::start(Some(&profiles));
    app.wait_for("office");
    app.key(KeyCode::Char('e'));
    app.wait_for("3CX domain");
    // Enter through the edited steps: the values are the profile's, the key is not asked again.
    app.enter_until("Review and save");
    let review = app.wait_for("Secret kept");
    assert!(review.contains("not retyped"), "{review}");
    assert!(review.contains("read at each use from command cat"), "{review}");
    app.key(KeyCode::Enter);
    app.wait_for("Saved profile \"office\"");
    app.key(KeyCode::Enter);
    app.wait_for("ok just now");
    app.key(KeyCode::Char('q'));
    app.ended();
    app.assert_secret_never_shown();
    let text = std::fs::read_to_string(app.config()).expect("saved");
    assert!(text.contains(&reference) && !text.contains(SECRET), "{text}");
    assert!(text.starts_with("# kept"), "{text}");
    assert_eq!(app.sim.requests()[0], "POST /connect/token", "the check read the key through the reference");
}

/// Key rotation: a saved profile opened for editing, the new key pasted into the API key field
/// that holds the old one. The paste replaces it (as the first keystroke in a password field
/// does), never follows it; the check passes with the new key, the review says the secret
/// changed, and the file holds the new key alone.
#[test]
fn a_new_key_pasted_over_the_saved_one_replaces_it() {
    const OLD: &str = "key-rotated-away-0000";
    let profiles = format!(
        "[profiles.office]\nprovider = \"3cx\"\ndomain = \"DOMAIN\"\nclient_id = \"900\"\napi_key = \"{OLD}\"\nca_file = \"CA\"\n"
    );
    let mut app = App::start(Some(&profiles));
    app.wait_for("office");
    app.key(KeyCode::Char('e'));
    app.wait_for("3CX domain");
    app.enter_until("Enter the Client ID and API key");
    app.key(KeyCode::Tab);
    app.wait_for(&format!("({} characters, hidden)", OLD.chars().count()));
    app.paste(&format!("{SECRET}\n"));
    app.wait_for(&format!("({} characters, hidden)", SECRET.chars().count()));
    app.key(KeyCode::Enter);
    app.wait_for("The link works");
    app.key(KeyCode::Enter);
    let review = app.wait_for("Review and save");
    assert!(review.contains("changed: a new secret"), "{review}");
    app.key(KeyCode::Enter);
    app.wait_for("Saved profile \"office\"");
    app.key(KeyCode::Enter);
    app.wait_for("ok just now");
    app.key(KeyCode::Char('q'));
    app.ended();
    app.assert_secret_never_shown();
    let text = std::fs::read_to_string(app.config()).expect("saved");
    assert!(text.contains(&format!("api_key = \"{SECRET}\"\n")) && !text.contains(OLD), "{text}");
}
