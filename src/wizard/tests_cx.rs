//! Pure transition tests of the CX-Engine guide: the method choice (password refused), the https
//! URL, the template file (check, stale answers, safe copy, Tab completion), the 3CX link and the
//! profile it all builds.

use crossterm::event::KeyCode;
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;

use super::test_support::*;
use super::*;
use crate::files::complete::Completion;
use crate::profile::checked_file::{FileCheck as Inspection, FileNote as Problem};
use crate::profile::store::Entry;
use crate::providers::cxengine::AuthMethod;
use crate::providers::cxengine::CxEngine;

fn found(path: &str, name_problem: Option<&str>, problems: usize) -> Inspection {
    Inspection {
        path: PathBuf::from(path),
        name_problem: name_problem.map(str::to_string),
        problems: (0..problems).map(|i| Problem { line: i as u32 + 2, message: "broken".into() }).collect(),
        warnings: vec![],
        name: Some("CX-Engine".into()),
    }
}

/// A wizard in the CX-Engine guide at the template step, with 3CX profiles `pbxs` saved.
fn at_template(pbxs: &[&str]) -> Wizard {
    let mut w = Wizard::new("/tmp/p.toml");
    let entries = pbxs.iter().map(|n| Entry::Ok(pbx(n))).collect();
    w.update(Msg::Loaded(Box::new(HomeData { entries, now: 1000, ..HomeData::default() })));
    w.update(key(KeyCode::Char('a')));
    w.update(key(KeyCode::Down));
    w.update(key(KeyCode::Down));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "method");
    w.update(key(KeyCode::Enter));
    w.update(Msg::Paste("https://acme.cx-engine.app/crm".into()));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "api_client");
    typed(&mut w, "7");
    w.update(key(KeyCode::Tab));
    w.update(Msg::Paste("cx-secret-123456".into()));
    w.update(key(KeyCode::Tab));
    typed(&mut w, "12");
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "template");
    w
}

#[test]
fn the_password_grant_is_refused_with_the_reason() {
    let mut w = Wizard::new("/tmp/p.toml");
    w.update(Msg::Loaded(Box::default()));
    w.update(key(KeyCode::Char('a')));
    w.update(key(KeyCode::Down));
    w.update(key(KeyCode::Down));
    w.update(key(KeyCode::Enter));
    w.update(key(KeyCode::Down));
    w.update(key(KeyCode::Down));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "method", "a refused option is never taken");
    let m = guide(&w).message.clone().unwrap_or_default();
    assert!(m.contains("does not support the password grant"), "{m}");
    w.update(key(KeyCode::Up));
    assert_eq!(guide(&w).message, None, "moving clears the refusal");
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "url");
    assert_eq!(guide(&w).chosen_id(), Some("client_credentials"));
    // Going back opens the choice on what was chosen.
    w.update(key(KeyCode::Esc));
    assert_eq!((step_id(&w), guide(&w).focus), ("method", 1));
}

#[test]
fn only_an_https_url_passes() {
    let mut w = at_template(&[]);
    w.update(key(KeyCode::Esc));
    w.update(key(KeyCode::Esc));
    assert_eq!(step_id(&w), "url");
    w.update(Msg::Paste("http://acme.cx-engine.app".into()));
    w.update(key(KeyCode::Home));
    for _ in 0..40 {
        w.update(key(KeyCode::Delete));
    }
    typed(&mut w, "http://acme.cx-engine.app");
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "url");
    assert!(guide(&w).message.as_deref().unwrap_or_default().contains("http"), "{:?}", guide(&w).message);
}

#[test]
fn an_empty_template_path_skips_and_the_link_is_validated() {
    let mut w = at_template(&["office", "lab"]);
    assert!(w.update(key(KeyCode::Enter)).is_empty(), "nothing to check");
    assert_eq!(step_id(&w), "threecx");
    let body = guide(&w).body(guide(&w).current());
    assert!(
        body.contains("Client ID (7)") && body.contains("Account ID (12)") && !body.contains("cx-secret"),
        "{body}"
    );
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "test_warning");
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "test_warning", "the warning must be acknowledged");
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "link");
    assert_eq!(guide(&w).link_options.len(), 2);
    w.update(key(KeyCode::Down));
    w.update(key(KeyCode::Down));
    let fx = w.update(key(KeyCode::Enter));
    let Some(Effect::Validate { profile, linked, .. }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(linked.as_ref().map(|p| p.name.as_str()), Some("lab"));
    let Some(c) = CxEngine::of(profile) else { panic!("{profile:?}") };
    assert_eq!(c.base_url, "https://acme.cx-engine.app");
    assert_eq!(c.auth_method, AuthMethod::AuthorizationCode);
    assert_eq!((c.client_id.as_str(), c.account_id.as_str()), ("7", "12"));
    assert_eq!(c.client_secret.expose_secret(), "cx-secret-123456");
    assert_eq!((c.template_path.clone(), c.pbx_profile.as_deref()), (None, Some("lab")));
    let debug = format!("{w:?} {fx:?}");
    assert!(!debug.contains("cx-secret-123456"), "the secret leaked into Debug output");
}

#[test]
fn no_saved_3cx_profile_means_no_link() {
    let mut w = at_template(&[]);
    w.update(key(KeyCode::Enter));
    w.update(key(KeyCode::Enter));
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Enter));
    assert_eq!((step_id(&w), guide(&w).link_count()), ("link", 1));
    w.update(key(KeyCode::Down));
    let fx = w.update(key(KeyCode::Enter));
    assert!(matches!(fx.first(), Some(Effect::Validate { linked: None, .. })), "{fx:?}");
    assert_eq!(guide(&w).pbx, None);
}

#[test]
fn a_template_is_checked_then_copied_when_only_its_name_is_wrong() {
    let mut w = at_template(&[]);
    let typed_path = "~/Downloads/CX Engine (1).xml";
    typed(&mut w, typed_path);
    let fx = w.update(key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::CheckFile { typed, .. }] if typed == typed_path), "{fx:?}");
    assert!(w.update(key(KeyCode::Enter)).is_empty(), "Enter waits for the check");
    // The answer for the file: only its name is wrong.
    let bad = found("/home/u/Downloads/CX Engine (1).xml", Some("contains a space"), 0);
    let fx = w.update(Msg::FileChecked { typed: typed_path.into(), result: Ok(bad) });
    assert!(fx.is_empty());
    assert_eq!(step_id(&w), "template", "a refused name does not continue");
    let fx = w.update(key(KeyCode::Enter));
    assert!(
        matches!(&fx[..], [Effect::CopyFile { from, .. }] if from == &PathBuf::from("/home/u/Downloads/CX Engine (1).xml")),
        "{fx:?}"
    );
    let fx = w.update(Msg::FileCopied(Ok(PathBuf::from("/home/u/Downloads/CXEngine.xml"))));
    assert!(
        matches!(&fx[..], [Effect::CheckFile { typed, .. }] if typed == "/home/u/Downloads/CXEngine.xml"),
        "{fx:?}"
    );
    let good = found("/home/u/Downloads/CXEngine.xml", None, 0);
    w.update(Msg::FileChecked { typed: "/home/u/Downloads/CXEngine.xml".into(), result: Ok(good) });
    assert_eq!(step_id(&w), "threecx", "a good file continues at once");
    assert_eq!(guide(&w).file_path(), Some(PathBuf::from("/home/u/Downloads/CXEngine.xml")));
    assert!(guide(&w).body(guide(&w).current()).contains("upload CXEngine.xml"));
}

#[test]
fn broken_templates_and_stale_answers_do_not_continue() {
    let mut w = at_template(&[]);
    typed(&mut w, "/t/CXEngine.xml");
    w.update(key(KeyCode::Enter));
    w.update(Msg::FileChecked { typed: "/t/CXEngine.xml".into(), result: Ok(found("/t/CXEngine.xml", None, 2)) });
    assert_eq!(step_id(&w), "template");
    let fx = w.update(key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::CheckFile { .. }]), "a broken file is checked again: {fx:?}");
    // The user typed on while a check ran: its answer is for another text and changes nothing.
    typed(&mut w, "x");
    w.update(Msg::FileChecked { typed: "/t/CXEngine.xml".into(), result: Ok(found("/t/CXEngine.xml", None, 0)) });
    assert_eq!(step_id(&w), "template");
    w.update(Msg::FileChecked { typed: "/t/CXEngine.xmlx".into(), result: Err("no file named".into()) });
    assert_eq!(step_id(&w), "template");
    assert!(matches!(guide(&w).file.found_for("/t/CXEngine.xmlx"), Some(Err(_))));
}

#[test]
fn tab_completes_a_path_and_a_late_completion_is_dropped() {
    let mut w = at_template(&[]);
    typed(&mut w, "~/Dow");
    let fx = w.update(key(KeyCode::Tab));
    assert!(matches!(&fx[..], [Effect::CompletePath { typed }] if typed == "~/Dow"), "{fx:?}");
    w.update(Msg::Completed {
        typed: "~/Dow".into(),
        completion: Completion { text: "~/Downloads/".into(), candidates: vec!["a.xml".into(), "b.xml".into()] },
    });
    assert_eq!(guide(&w).field("template_path").map(|f| f.value()), Some("~/Downloads/"));
    assert_eq!(guide(&w).file.candidates.len(), 2);
    typed(&mut w, "a");
    assert!(guide(&w).file.candidates.is_empty(), "typing hides the candidates");
    w.update(key(KeyCode::Tab));
    w.update(Msg::Completed {
        typed: "~/Downloads/x".into(),
        completion: Completion { text: "~/Downloads/xyz.xml".into(), candidates: vec![] },
    });
    assert_eq!(guide(&w).field("template_path").map(|f| f.value()), Some("~/Downloads/a"), "stale: dropped");
}

#[test]
fn editing_a_cx_engine_profile_keeps_every_value() {
    let p = CxEngine {
        base_url: "https://acme.cx-engine.app".into(),
        auth_method: AuthMethod::ClientCredentials,
        client_id: "7".into(),
        client_secret: SecretString::from("cx-secret-123456"),
        account_id: "12".into(),
        template_path: Some(PathBuf::from("/t/CXEngine.xml")),
        pbx_profile: Some("office".into()),
    }
    .profile("crm", None);
    let g = GuideState::edit(&p);
    assert_eq!((g.current().id.as_str(), g.focus), ("method", 1), "opens on the method, as saved");
    let built = g.build_profile("crm", &NewDefaults::default()).expect("builds");
    let Some(c) = CxEngine::of(&built) else { panic!() };
    assert_eq!(c.auth_method, AuthMethod::ClientCredentials);
    assert_eq!(c.template_path, Some(PathBuf::from("/t/CXEngine.xml")));
    assert_eq!(c.pbx_profile.as_deref(), Some("office"));
    assert_eq!(c.client_secret.expose_secret(), "cx-secret-123456");
    // Through the home screen: the method can be changed, and Esc on it leaves the edit.
    let mut w = Wizard::new("/tmp/p.toml");
    w.update(Msg::Loaded(Box::new(HomeData { entries: vec![Entry::Ok(p)], now: 1, ..HomeData::default() })));
    w.update(key(KeyCode::Char('e')));
    w.update(key(KeyCode::Up));
    w.update(key(KeyCode::Enter));
    assert_eq!((step_id(&w), guide(&w).chosen_id()), ("url", Some("authorization_code")));
    w.update(key(KeyCode::Esc));
    assert_eq!(step_id(&w), "method");
    w.update(key(KeyCode::Esc));
    assert_eq!(guide(&w).phase, crate::wizard::Phase::ConfirmingDiscard, "leaving an edit asks first");
    w.update(key(KeyCode::Esc));
    assert!(matches!(w.screen, Screen::Home), "{:?}", w.screen);
}

/// `add cx-engine --auth-method client_credentials` opens the method step on that method, in the
/// TUI and plain mode alike (both prefill the guide the same way); the step still asks.
#[test]
fn a_method_given_as_a_flag_is_chosen_in_advance() {
    let mut g = GuideState::new(ProviderId::CxEngine);
    assert_eq!(g.chosen_id(), None);
    g.prefill("auth_method", Some("client_credentials"));
    assert_eq!(g.chosen_id(), Some("client_credentials"));
    g.prefill("auth_method", Some("no-such-method"));
    assert_eq!(g.chosen_id(), Some("client_credentials"), "an unknown id changes nothing");
}
