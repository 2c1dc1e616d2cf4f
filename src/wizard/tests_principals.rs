//! Pure transition tests of the service principals screen: the list, a confirmation that cannot
//! be skipped, the token shown once (never in Debug), copy, and save after a validation.

use crossterm::event::KeyCode;
use secrecy::{ExposeSecret, SecretString};

use super::test_support::*;
use super::*;
use crate::profile::Profile;
use crate::profile::store::{Entry, SaveMode};
use crate::providers::eightbyeight::EightByEight;
use crate::providers::threecx::ThreeCx;
use crate::providers::threecx::principals::{Principal, Problem};
use crate::report::{Check, CheckState, FailureKind, Report};

const TOKEN: &str = "app-token-5e6f7a8b9c0d";

fn principal(id: i32, number: &str) -> Principal {
    Principal {
        id,
        number: Some(number.into()),
        xapi_enabled: Some(true),
        call_control_enabled: Some(false),
        is_system: Some(false),
        is_system_note: None,
        last_used: None,
    }
}

fn screen(w: &Wizard) -> &Principals {
    match &w.screen {
        Screen::Principals(p) => p,
        other => panic!("not on the principals screen: {other:?}"),
    }
}

/// Home with a 3CX profile and an 8x8 one; `p` on the 3CX one, its list loaded.
fn listed() -> Wizard {
    let mut w = Wizard::new("/tmp/p.toml");
    let x8 = EightByEight {
        client_id: "c".into(),
        client_secret: SecretString::from("s"),
        products: vec!["cc-chat".into()],
        base_url: None,
        region: None,
    }
    .profile("eight", None);
    let office = Profile { ca_file: Some("/etc/pbx-ca.pem".into()), ..pbx("office") };
    let entries = vec![Entry::Ok(x8), Entry::Ok(office)];
    w.update(Msg::Loaded(Box::new(HomeData { entries, now: 1, ..HomeData::default() })));
    assert!(w.update(key(KeyCode::Char('p'))).is_empty(), "an 8x8 profile has no principals");
    assert!(w.home.status.as_deref().unwrap_or_default().contains("3CX"));
    w.update(key(KeyCode::Down));
    let fx = w.update(key(KeyCode::Char('p')));
    let Some(Effect::ListPrincipals { attempt, profile }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(profile.name, "office");
    assert!(w.busy(), "the spinner runs while the list loads");
    let attempt = *attempt;
    w.update(Msg::Principals { attempt: attempt - 1, result: Ok(vec![]) });
    assert!(screen(&w).list.is_none(), "a stale answer is dropped");
    // A wait for another pbxlink's token is shown until the answer comes; a stale one is not.
    w.update(Msg::PrincipalsWaiting { attempt: attempt - 1, detail: "old".into() });
    assert_eq!(screen(&w).waiting, None);
    w.update(Msg::PrincipalsWaiting { attempt, detail: "waiting for pbxlink validate (pid 7)".into() });
    assert_eq!(screen(&w).waiting.as_deref(), Some("waiting for pbxlink validate (pid 7)"));
    let list = vec![principal(1, "800"), principal(2, "900"), principal(3, "901")];
    w.update(Msg::Principals { attempt, result: Ok(list) });
    assert_eq!(screen(&w).selected, 1, "the profile's own principal is selected first");
    assert_eq!(screen(&w).waiting, None, "the wait is over once the answer came");
    w
}

#[test]
fn the_confirmation_cannot_be_skipped() {
    let mut w = listed();
    w.update(key(KeyCode::Down));
    assert!(w.update(key(KeyCode::Char('g'))).is_empty());
    assert!(matches!(screen(&w).stage, PrincipalsStage::Confirm { ref principal, .. } if principal.id == 3));
    // Enter alone, or anything but "yes", generates nothing.
    assert!(w.update(key(KeyCode::Enter)).is_empty());
    typed(&mut w, "y");
    assert!(w.update(key(KeyCode::Enter)).is_empty());
    assert!(screen(&w).message.as_deref().unwrap_or_default().contains("Type yes"));
    w.update(key(KeyCode::Esc));
    assert!(matches!(screen(&w).stage, PrincipalsStage::List));
    assert_eq!(screen(&w).message.as_deref(), Some("Nothing generated."));
    // `?` is typed inside the answer, not help.
    w.update(key(KeyCode::Char('g')));
    w.update(key(KeyCode::Char('?')));
    assert!(!w.help);
    w.update(key(KeyCode::Backspace));
    typed(&mut w, "yes");
    let fx = w.update(key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::GenerateAppToken { id: 3, profile, .. }] if profile.name == "office"), "{fx:?}");
    assert!(matches!(screen(&w).stage, PrincipalsStage::Generating { .. }));
    assert!(w.update(key(KeyCode::Esc)).is_empty(), "the request is out: Esc waits for its answer");
}

fn with_token() -> Wizard {
    let mut w = listed();
    w.update(key(KeyCode::Char('g')));
    typed(&mut w, "yes");
    w.update(key(KeyCode::Enter));
    let attempt = screen(&w).attempt;
    w.update(Msg::AppToken { attempt: attempt - 1, result: Ok(SecretString::from("stale".to_string())) });
    assert!(matches!(screen(&w).stage, PrincipalsStage::Generating { .. }), "a stale answer is dropped");
    w.update(Msg::AppToken { attempt, result: Ok(SecretString::from(TOKEN.to_string())) });
    assert!(matches!(screen(&w).stage, PrincipalsStage::Token(_)));
    w
}

#[test]
fn the_token_is_shown_once_and_leaving_asks_first() {
    let mut w = with_token();
    assert!(!format!("{w:?}").contains(TOKEN), "the token never prints in Debug");
    assert!(w.update(key(KeyCode::Esc)).is_empty());
    assert!(matches!(w.screen, Screen::Principals(_)), "the first Esc warns");
    assert!(screen(&w).message.as_deref().unwrap_or_default().contains("shown only once"));
    let fx = w.update(key(KeyCode::Char('c')));
    assert!(matches!(&fx[..], [Effect::CopyToClipboard(t)] if t.expose_secret() == TOKEN), "{fx:?}");
    w.update(key(KeyCode::Esc));
    assert!(matches!(w.screen, Screen::Home), "copied: Esc leaves");
}

#[test]
fn a_token_is_saved_only_after_it_validates() {
    let mut w = with_token();
    w.update(key(KeyCode::Char('s')));
    let PrincipalsStage::Token(t) = &screen(&w).stage else { panic!() };
    let suggested = t.name.as_ref().map(|f| f.value().to_string()).unwrap_or_default();
    assert_eq!(suggested, "office-900");
    // An 8x8 profile's name is refused.
    for _ in 0..suggested.len() {
        w.update(key(KeyCode::Backspace));
    }
    typed(&mut w, "eight");
    assert!(w.update(key(KeyCode::Enter)).is_empty());
    assert!(screen(&w).message.as_deref().unwrap_or_default().contains("8x8 profile"));
    for _ in 0..5 {
        w.update(key(KeyCode::Backspace));
    }
    typed(&mut w, "office");
    let fx = w.update(key(KeyCode::Enter));
    let Some(Effect::Validate { attempt, profile, linked: None }) = fx.first() else { panic!("{fx:?}") };
    let Some(x) = ThreeCx::of(profile) else { panic!() };
    assert_eq!((x.domain.as_str(), x.client_id.as_str()), ("pbx.example.com", "900"));
    assert_eq!(x.api_key.expose_secret(), TOKEN);
    assert_eq!(profile.ca_file.as_deref(), Some(std::path::Path::new("/etc/pbx-ca.pem")));
    let attempt = *attempt;
    // A failed validation saves nothing and says why.
    let bad = Report {
        checks: vec![],
        failure: Some(FailureKind::Unauthorized),
        hint: Some("fix it".into()),
        ms: 1,
        health: None,
    };
    assert!(w.update(Msg::Validation { attempt, event: ValidationEvent::Done(bad) }).is_empty());
    assert!(screen(&w).message.as_deref().unwrap_or_default().contains("not saved"));
    let fx = w.update(key(KeyCode::Enter));
    let Some(Effect::Validate { attempt, .. }) = fx.first() else { panic!("{fx:?}") };
    let good = Report {
        checks: vec![Check { id: "access", title: "t".into(), state: CheckState::Passed, ms: 1, detail: "ok".into() }],
        failure: None,
        hint: None,
        ms: 1,
        health: None,
    };
    let fx = w.update(Msg::Validation { attempt: *attempt, event: ValidationEvent::Done(good) });
    assert!(
        matches!(&fx[..], [Effect::Save { mode: SaveMode::Replace { old }, .. }] if old == "office"),
        "naming an existing 3CX profile replaces its key: {fx:?}"
    );
    let fx = w.update(Msg::Saved(Ok("/tmp/p.toml".into())));
    assert!(fx.iter().any(|f| matches!(f, Effect::Record { name, .. } if name == "office")), "{fx:?}");
    w.update(key(KeyCode::Esc));
    assert!(matches!(w.screen, Screen::Home), "saved: Esc leaves at once");
}

#[test]
fn a_refused_list_shows_the_fix() {
    let mut w = Wizard::new("/tmp/p.toml");
    w.update(Msg::Loaded(Box::new(HomeData {
        entries: vec![Entry::Ok(pbx("office"))],
        now: 1,
        ..HomeData::default()
    })));
    w.update(key(KeyCode::Char('p')));
    let attempt = screen(&w).attempt;
    let problem = Problem {
        step: None,
        kind: FailureKind::Forbidden,
        detail: "listing service principals: HTTP 403".into(),
        fix: "System Owner or System Admin".into(),
    };
    w.update(Msg::Principals { attempt, result: Err(problem) });
    assert!(w.update(key(KeyCode::Char('g'))).is_empty(), "nothing to generate for");
    let fx = w.update(key(KeyCode::Char('r')));
    assert!(matches!(fx.first(), Some(Effect::ListPrincipals { .. })), "r reloads");
}
