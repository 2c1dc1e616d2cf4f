//! Plain mode and the TUI give the same answer to the same situation: one test per rule the two
//! front ends share (a name already taken, going back after a failed check, the suggested name, a
//! refused choice, the save and its recorded result). Each test puts both in the same situation on
//! the same simulator: the TUI's whole app on `TestBackend` with keys, plain mode's session with
//! typed answers (`tests/common/app.rs`), and compares what each says and does.

use crate::common::app::{App, SECRET};
use crossterm::event::KeyCode;
use pbxlink::providers::ProviderId;
use pbxlink::providers::cxengine::simulated::{CxEngineAccount, CxEngineSite};
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount, ThreeCxSite};
use std::sync::Arc;

const OFFICE: &str = "[profiles.office]\nprovider = \"3cx\"\ndomain = \"DOMAIN\"\nclient_id = \"900\"\napi_key = \"app-test-Key-4b1d9e77c2\"\nca_file = \"CA\"\n";
const WRONG: &str = "not-the-key-31f0";

/// The TUI from the home screen through the 3CX guide to the check of the credentials, with
/// `key` as the API key.
fn tui_to_check(app: &App, key: &str) {
    app.wait_for("saved profiles");
    app.through_3cx_guide(&app.sim.domain(), key);
}

/// Plain mode's answers through the same steps, up to the check.
fn plain_to_check(app: &App, key: &str) -> Vec<String> {
    ["yes", "yes", &app.sim.domain(), "", "yes", "900", key].iter().map(|s| s.to_string()).collect()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn a_name_already_taken_is_refused_alike_and_another_is_saved_with_its_result() {
    let refusal = "A profile named \"office\" already exists: choose another name.";
    let mut app = App::start(Some(OFFICE));
    tui_to_check(&app, SECRET);
    app.wait_for("The link works");
    app.key(KeyCode::Enter);
    app.wait_for("Review and save");
    app.ctrl('u');
    app.text("office");
    app.key(KeyCode::Enter);
    let tui = app.wait_for("already exists");
    app.ctrl('u');
    app.text("lab");
    app.key(KeyCode::Enter);
    app.wait_for("Saved profile \"lab\"");
    app.key(KeyCode::Enter);
    app.wait_for("ok just now");
    app.key(KeyCode::Char('q'));
    assert_eq!(app.ended().saved, vec!["lab".to_string()]);

    let mut answers = plain_to_check(&app, SECRET);
    // The secret in profiles.toml (Enter); "office" is taken, so the name alone again: "lab".
    answers.extend(["".into(), "office".into(), "lab".into()]);
    let (code, plain, plain_config) = app.plain(ProviderId::ThreeCx, Some(OFFICE), &refs(&answers));
    assert_eq!(code, 0, "{plain}");

    assert!(tui.contains(refusal), "TUI:\n{tui}");
    assert!(plain.contains(refusal), "plain:\n{plain}");
    app.assert_secret_never_shown();
    assert!(!plain.contains(SECRET), "plain mode said the key:\n{plain}");
    for (who, config) in [("TUI", app.config()), ("plain", plain_config.clone())] {
        let text = std::fs::read_to_string(&config).expect("profiles");
        let office = OFFICE.replace("DOMAIN", &app.sim.domain()).replace("CA", &app.ca().to_string_lossy());
        assert!(text.starts_with(&office), "{who}: the other profile is kept as it was:\n{text}");
        assert!(text.contains("[profiles.lab]") && text.contains(&format!("api_key = \"{SECRET}\"")), "{who}:\n{text}");
    }
    // Both recorded the check the saved profile passed.
    let results_of = |state: std::path::PathBuf, config: &std::path::Path| {
        std::fs::read_to_string(pbxlink::profile::results::Results::of(&state, config).file()).expect("results")
    };
    let tui_results = results_of(app.dir.path().join("state"), &app.config());
    let plain_results = results_of(plain_config.with_file_name("state"), &plain_config);
    for (who, r) in [("TUI", tui_results), ("plain", plain_results)] {
        let v: serde_json::Value = serde_json::from_str(&r).expect("results are JSON");
        assert_eq!(v["lab"]["ok"], serde_json::Value::Bool(true), "{who}: {r}");
    }
}

#[test]
fn going_back_after_a_failed_check_lands_on_the_credentials_with_the_values_kept() {
    let mut app = App::start(None);
    tui_to_check(&app, WRONG);
    app.wait_for("Failed: unauthorized");
    app.key(KeyCode::Esc);
    let tui = app.wait_for("Enter the Client ID and API key");
    assert!(tui.contains("900") && tui.contains(&format!("{} characters, hidden", WRONG.len())), "TUI:\n{tui}");
    app.key(KeyCode::Char('c')); // typed on the Client ID: it was kept, so this appends
    assert!(app.wait_for("900c").contains("900c"));
    app.signals.send(15).expect("signal");
    app.ended();

    let mut answers = plain_to_check(&app, WRONG);
    // b, then step 2 of the list (the credentials); Enter keeps the Client ID; no, a new key.
    answers.extend(["b".into(), "2".into(), "".into(), "no".into(), SECRET.into(), "".into(), "lab".into()]);
    let (code, plain, _) = app.plain(ProviderId::ThreeCx, None, &refs(&answers));
    assert_eq!(code, 0, "{plain}");
    let after_back = plain.split("Which step?").nth(1).expect("plain asked where to go back");
    assert!(after_back.contains("Step 5 of 7: Enter the Client ID and API key"), "plain:\n{plain}");
    assert!(after_back.contains("Client ID [900]:"), "the Client ID is kept:\n{plain}");
    assert!(after_back.contains(&format!("Keep the API key you typed ({} characters)", WRONG.len())), "{plain}");
    // Back never lands on the check itself: it runs again only after the values are answered.
    assert_eq!(plain.matches("Step 6 of 7").count(), 2, "{plain}");
}

#[test]
fn the_suggested_name_is_the_same() {
    // "localhost" is taken: both suggest the next free name from the domain.
    let taken = OFFICE.replace("[profiles.office]", "[profiles.localhost]");
    let mut app = App::start(Some(&taken));
    tui_to_check(&app, SECRET);
    app.wait_for("The link works");
    app.key(KeyCode::Enter);
    let review = app.wait_for("Review and save");
    app.signals.send(15).expect("signal");
    app.ended();
    let mut answers = plain_to_check(&app, SECRET);
    answers.extend(["".into(), "".into()]); // the secret in profiles.toml; Enter takes the suggestion
    let (code, plain, config) = app.plain(ProviderId::ThreeCx, Some(&taken), &refs(&answers));
    assert_eq!(code, 0, "{plain}");
    let suggested = plain.split("Profile name [").nth(1).and_then(|r| r.split(']').next()).expect("suggestion");
    assert_eq!(suggested, "localhost-2");
    assert!(review.contains(&format!("│ {suggested} ")), "the TUI offers the same name:\n{review}");
    let text = std::fs::read_to_string(config).expect("profiles");
    assert!(text.contains("[profiles.localhost-2]"), "{text}");
}

#[test]
fn a_choice_the_vendor_does_not_support_is_refused_with_the_same_reason() {
    let guide = ProviderId::CxEngine.guide();
    let password = guide.steps.iter().flat_map(|s| &s.choices).find(|c| c.id == "password").expect("password grant");
    let reason = password.refuse.clone().expect("refused");
    let first_words: String = reason.split(' ').take(6).collect::<Vec<_>>().join(" ");
    let sites: Vec<Arc<dyn pbxlink::simulator::Site>> = vec![
        Arc::new(ThreeCxSite::new(vec![ThreeCxAccount::new("900", SECRET, Behaviour::Good)])),
        Arc::new(CxEngineSite::new(vec![CxEngineAccount::new("7", "cx-secret-same-answers")])),
    ];
    let mut app = App::start_with(sites, None);
    app.wait_for("No profiles yet");
    app.key(KeyCode::Char('a'));
    app.wait_for("Link a new account");
    app.key(KeyCode::Down);
    app.key(KeyCode::Down);
    app.key(KeyCode::Enter);
    app.wait_for("Authorization Code");
    app.key(KeyCode::Down);
    app.key(KeyCode::Down);
    app.key(KeyCode::Enter);
    let tui = app.wait_for(&first_words);
    assert!(tui.contains("Authorization Code"), "the TUI stays on the choice:\n{tui}");
    app.signals.send(15).expect("signal");
    app.ended();
    // "3": the password grant, refused; then Ctrl-D (end of input) stops.
    let (code, plain, _) = app.plain(ProviderId::CxEngine, None, &["3"]);
    assert_ne!(code, 0);
    assert!(plain.contains(&reason), "plain gives the whole reason:\n{plain}");
    assert!(!plain.contains("Chosen: Password"), "{plain}");
}

#[test]
fn a_template_refused_only_for_its_name_gets_the_same_copy() {
    let sites: Vec<Arc<dyn pbxlink::simulator::Site>> =
        vec![Arc::new(CxEngineSite::new(vec![CxEngineAccount::new("7", "cx-secret-same-answers")]))];
    let mut app = App::start_with(sites, None);
    // One downloaded template (a name 3CX refuses) per front end.
    let download = |who: &str| {
        let dir = app.dir.path().join(who);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let file = dir.join("CX Engine (1).xml");
        std::fs::write(&file, pbxlink::simulator::DEMO_TEMPLATE).expect("template");
        file
    };
    let (tui_file, plain_file) = (download("tui"), download("plain"));
    let url = format!("https://{}", app.sim.domain());

    app.wait_for("No profiles yet");
    app.key(KeyCode::Char('a'));
    app.wait_for("Link a new account");
    for k in [KeyCode::Down, KeyCode::Down, KeyCode::Enter] {
        app.key(k);
    }
    app.wait_for("Choose the method");
    app.key(KeyCode::Enter);
    app.wait_for("Your CX-Engine address");
    app.paste(&url);
    app.key(KeyCode::Enter);
    app.wait_for("Create the API client");
    app.text("7");
    app.key(KeyCode::Tab);
    app.paste("cx-secret-same-answers");
    app.key(KeyCode::Tab);
    app.text("7");
    app.key(KeyCode::Enter);
    app.wait_for("The 3CX template");
    app.paste(&tui_file.to_string_lossy());
    app.key(KeyCode::Enter);
    let refused = app.wait_for("contains a space");
    app.key(KeyCode::Enter);
    let next = app.wait_for("Add the template in 3CX");
    assert!(next.contains("upload CXEngine.xml"), "TUI:\n{next}");
    app.signals.send(15).expect("signal");
    app.ended();

    let answers = ["1", &url, "7", "cx-secret-same-answers", "7", &plain_file.to_string_lossy(), "yes"];
    let (_, plain, _) = app.plain(ProviderId::CxEngine, None, &answers);
    assert!(plain.contains("contains a space"), "plain:\n{plain}");
    assert!(plain.contains("upload CXEngine.xml"), "plain moves on to the 3CX steps with the copy:\n{plain}");
    assert!(refused.contains("CX Engine (1).xml"), "{refused}");
    for original in [tui_file, plain_file] {
        let copy = original.with_file_name("CXEngine.xml");
        assert_eq!(std::fs::read_to_string(&copy).expect("the copy"), pbxlink::simulator::DEMO_TEMPLATE);
        assert_eq!(std::fs::read_to_string(&original).expect("the original"), pbxlink::simulator::DEMO_TEMPLATE);
    }
}
