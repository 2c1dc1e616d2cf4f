//! What the wizard's transition tests share: key presses, typing, loading the home screen, and
//! looking at the guide on screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::profile::Profile;
use crate::profile::store::Entry;
use crate::providers::threecx::ThreeCx;
use crate::report::{Check, CheckState, Report};
use secrecy::SecretString;

pub fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn typed(w: &mut Wizard, s: &str) {
    for c in s.chars() {
        w.update(ch(c));
    }
}

pub fn loaded(w: &mut Wizard, entries: Vec<Entry>) {
    w.update(Msg::Loaded(Box::new(HomeData { entries, now: 1000, ..HomeData::default() })));
}

pub fn guide(w: &Wizard) -> &GuideState {
    match &w.screen {
        Screen::Guide(g) => g,
        other => panic!("not in a guide: {other:?}"),
    }
}

pub fn step_id(w: &Wizard) -> &str {
    &guide(w).current().id
}

/// A saved 3CX profile at pbx.example.com, client 900.
pub fn pbx(name: &str) -> Profile {
    ThreeCx { domain: "pbx.example.com".into(), client_id: "900".into(), api_key: SecretString::from("key-abc") }
        .profile(name, None)
}

/// A saved 3CX profile at pbx.example.com:5001, client 900.
pub fn profile(name: &str) -> Profile {
    ThreeCx { domain: "pbx.example.com:5001".into(), client_id: "900".into(), api_key: SecretString::from("key-abc") }
        .profile(name, None)
}

/// A report of one passed check.
pub fn ok_report() -> Report {
    Report {
        checks: vec![Check {
            id: "access",
            title: "t".into(),
            state: CheckState::Passed,
            ms: 1,
            detail: "XAPI answers".into(),
        }],
        failure: None,
        hint: None,
        ms: 5,
        health: None,
    }
}
