//! Pure transition tests: feed messages, check the screen and the effects. No I/O, no async.

use crossterm::event::KeyCode;
use secrecy::ExposeSecret;

use super::test_support::*;
use super::*;
use crate::guide::StepKind;
use crate::profile::store::{Entry, SaveMode};
use crate::providers::threecx::ThreeCx;
use crate::report::{FailureKind, Report};

/// `a` on the home screen, then the first provider (3CX) in the chooser.
fn open_3cx(w: &mut Wizard) {
    w.update(ch('a'));
    assert!(matches!(w.screen, Screen::ChooseProvider { .. }), "more than one provider: a chooser");
    w.update(key(KeyCode::Enter));
}

/// Walks a fresh wizard through the prerequisites to the domain step.
fn to_domain(w: &mut Wizard) {
    loaded(w, vec![]);
    open_3cx(w);
    assert_eq!(step_id(w), "prereqs");
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Down));
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(w), "domain");
}

/// Walks a fresh wizard to the credentials step, through every earlier step the way a user would.
fn to_credentials(w: &mut Wizard) {
    to_domain(w);
    w.update(Msg::Paste(" https://PBX.Example.com:5001/webclient/#/login\n".into()));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(w), "integration");
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(w), "key_once");
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(w), "credentials");
}

/// Types a Client ID and key on the credentials step and submits them.
fn submit(w: &mut Wizard, key_text: &str) -> Vec<Effect> {
    typed(w, "900");
    w.update(key(KeyCode::Tab));
    typed(w, key_text);
    w.update(key(KeyCode::Enter))
}

/// From the credentials step to the review step, through a validation that passes.
fn to_review(w: &mut Wizard, key_text: &str) {
    submit(w, key_text);
    w.update(Msg::Validation { attempt: w.attempt, event: ValidationEvent::Done(ok_report()) });
    w.update(key(KeyCode::Enter));
}

#[test]
fn start_loads_profiles_and_empty_home_offers_add() {
    let mut w = Wizard::new("/x/profiles.toml");
    assert!(matches!(w.start().as_slice(), [Effect::LoadProfiles]));
    loaded(&mut w, vec![]);
    assert!(w.home.loaded && w.home.rows.is_empty());
    open_3cx(&mut w);
    assert_eq!(step_id(&w), "prereqs");
}

#[test]
fn prerequisites_need_every_tick() {
    let mut w = Wizard::new("p");
    loaded(&mut w, vec![]);
    open_3cx(&mut w);
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "prereqs");
    assert!(guide(&w).message.as_deref().is_some_and(|m| m.contains("Tick")));
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "prereqs", "one tick of two is not enough");
}

#[test]
fn key_acknowledgement_cannot_be_passed_with_enter_alone() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    w.update(key(KeyCode::Esc));
    assert_eq!(step_id(&w), "key_once");
    // Going back keeps the tick; untick it and check Enter refuses.
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "key_once");
    assert!(guide(&w).message.is_some());
}

#[test]
fn domain_is_normalised_and_garbage_refused() {
    let mut w = Wizard::new("p");
    loaded(&mut w, vec![]);
    open_3cx(&mut w);
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Down));
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Enter));
    typed(&mut w, "https://user:pw@pbx.example.com");
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "domain");
    assert!(guide(&w).message.as_deref().is_some_and(|m| m.contains("user:password@")), "{:?}", guide(&w).message);
    // Ctrl-U clears the field (tui-input), then a pasted URL is accepted.
    w.update(ctrl('u'));
    w.update(Msg::Paste("https://PBX.example.com:5001/x".into()));
    assert_eq!(guide(&w).field("domain").map(|f| f.check()), Some(Ok("pbx.example.com:5001".to_string())));
}

#[test]
fn pasted_newline_is_not_enter() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    w.update(Msg::Paste("900\n".into()));
    assert_eq!(step_id(&w), "credentials");
    assert_eq!(guide(&w).field("client_id").map(|f| f.value().to_string()), Some("900".into()));
}

#[test]
fn submit_credentials_starts_validation_and_stale_results_are_ignored() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    typed(&mut w, "900");
    w.update(key(KeyCode::Tab));
    w.update(Msg::Paste("  key-abc \n".into()));
    let fx = w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "validate");
    let Some(Effect::Validate { attempt, profile, .. }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(*attempt, 1);
    match ThreeCx::of(profile) {
        Some(x) => {
            assert_eq!(
                (x.domain.as_str(), x.client_id.as_str(), x.api_key.expose_secret()),
                ("pbx.example.com:5001", "900", "key-abc")
            );
        }
        None => panic!("not this vendor"),
    }
    assert!(w.busy());
    // Esc cancels and goes back; the key typed is still there.
    let fx = w.update(key(KeyCode::Esc));
    assert!(fx.iter().any(|f| matches!(f, Effect::CancelValidation)));
    assert_eq!(step_id(&w), "credentials");
    assert_eq!(guide(&w).field("api_key").map(|f| f.value().to_string()), Some("key-abc".into()));
    // A late result of the cancelled attempt changes nothing.
    w.update(Msg::Validation { attempt: 1, event: ValidationEvent::Done(ok_report()) });
    assert!(guide(&w).run.is_none(), "the cancelled run is gone and nothing came back to life");
    assert!(!w.busy(), "no spinner after a cancel");
    // Submitting again (Enter moves from the first field to the last, then submits) starts
    // attempt 3: 2 was used by the cancel.
    w.update(key(KeyCode::Enter));
    let fx = w.update(key(KeyCode::Enter));
    assert!(matches!(fx.first(), Some(Effect::Validate { attempt: 3, .. })));
}

#[test]
fn failed_validation_keeps_values_and_retries_with_r() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    typed(&mut w, "900");
    w.update(key(KeyCode::Tab));
    typed(&mut w, "wrong");
    w.update(key(KeyCode::Enter));
    let failed = Report {
        checks: vec![],
        failure: Some(FailureKind::Unauthorized),
        hint: Some("fix".into()),
        ms: 3,
        health: None,
    };
    w.update(Msg::Validation { attempt: 1, event: ValidationEvent::Done(failed) });
    assert!(!w.busy());
    assert!(w.update(key(KeyCode::Enter)).is_empty(), "Enter must not continue past a failure");
    assert_eq!(step_id(&w), "validate");
    let fx = w.update(ch('r'));
    assert!(matches!(fx.first(), Some(Effect::Validate { attempt: 2, .. })));
}

#[test]
fn review_saves_under_a_fresh_name_and_records_the_result() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    loaded(&mut w, vec![Entry::Ok(profile("pbx"))]);
    to_review(&mut w, "key-abc");
    assert_eq!(guide(&w).current().kind, StepKind::Review);
    // "pbx" is taken, so the suggestion is "pbx-2".
    assert_eq!(guide(&w).name.value(), "pbx-2");
    let fx = w.update(key(KeyCode::Enter));
    let Some(Effect::Save { profile, mode, .. }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!((profile.name.as_str(), mode), ("pbx-2", &SaveMode::Create));
    let fx = w.update(Msg::Saved(Ok("/x/profiles.toml".into())));
    assert!(matches!(fx.first(), Some(Effect::Record { name, .. }) if name == "pbx-2"));
    let fx = w.update(key(KeyCode::Enter));
    assert!(matches!(w.screen, Screen::Home));
    assert!(fx.iter().any(|f| matches!(f, Effect::LoadProfiles)));
}

#[test]
fn review_refuses_a_taken_or_bad_name() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    loaded(&mut w, vec![Entry::Ok(profile("office"))]);
    to_review(&mut w, "k");
    w.update(ctrl('u'));
    typed(&mut w, "office");
    assert!(w.update(key(KeyCode::Enter)).is_empty());
    assert!(guide(&w).message.as_deref().is_some_and(|m| m.contains("already exists")));
    w.update(ctrl('u'));
    typed(&mut w, "bad name");
    assert!(w.update(key(KeyCode::Enter)).is_empty());
    assert!(guide(&w).message.as_deref().is_some_and(|m| m.contains("not allowed")));
}

#[test]
fn save_failure_is_shown_and_nothing_is_lost() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    to_review(&mut w, "k");
    w.update(key(KeyCode::Enter));
    w.update(Msg::Saved(Err(crate::profile::store::StoreError("disk full".into()))));
    assert!(guide(&w).message.as_deref().is_some_and(|m| m.contains("disk full")));
    assert_eq!(guide(&w).current().kind, StepKind::Review);
    assert_eq!(guide(&w).field("api_key").map(|f| f.value().to_string()), Some("k".into()));
}

#[test]
fn ctrl_c_quits_from_anywhere_and_cancels_a_validation() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    submit(&mut w, "k");
    let fx = w.update(ctrl('c'));
    assert!(matches!(fx.as_slice(), [Effect::CancelValidation, Effect::Exit]));
    assert!(w.quitting);
}

#[test]
fn help_opens_with_question_mark_but_not_inside_a_secret() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    w.update(ch('?'));
    assert!(w.help);
    w.update(ch('x'));
    assert!(!w.help);
    w.update(key(KeyCode::Tab));
    w.update(ch('?'));
    assert!(!w.help);
    assert_eq!(guide(&w).field("api_key").map(|f| f.value()), Some("?"));
    w.update(key(KeyCode::F(1)));
    assert!(w.help);
}

#[test]
fn reveal_toggles_and_resets_on_step_change() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    w.update(ctrl('r'));
    assert!(guide(&w).reveal);
    w.update(key(KeyCode::Esc));
    assert!(!guide(&w).reveal);
}

#[test]
fn spinner_moves_only_while_busy() {
    let mut w = Wizard::new("p");
    w.update(Msg::Tick);
    assert_eq!(w.spinner, 0);
    to_credentials(&mut w);
    submit(&mut w, "k");
    w.update(Msg::Tick);
    assert_eq!(w.spinner, 1);
}

#[test]
fn add_command_exits_when_the_guide_ends() {
    let mut w = Wizard::new("p");
    w.open_guide(crate::providers::ProviderId::ThreeCx);
    w.exit_after_guide = true;
    let fx = w.update(key(KeyCode::Esc));
    assert!(fx.iter().any(|f| matches!(f, Effect::Exit)));
}

#[test]
fn leaving_the_guide_asks_before_discarding_what_was_typed() {
    let mut w = Wizard::new("p");
    to_credentials(&mut w);
    // Back to the first step (the domain is typed), then Esc once more: asks.
    for _ in 0..4 {
        w.update(key(KeyCode::Esc));
    }
    assert_eq!(step_id(&w), "prereqs");
    w.update(key(KeyCode::Esc));
    assert!(matches!(w.screen, Screen::Guide(_)), "the first Esc only asks");
    assert!(guide(&w).message.as_deref().is_some_and(|m| m.contains("discard")));
    // Any other key keeps it; then Esc asks again, and a second Esc leaves.
    w.update(ch('x'));
    assert!(guide(&w).message.is_none());
    w.update(key(KeyCode::Esc));
    w.update(key(KeyCode::Esc));
    assert!(matches!(w.screen, Screen::Home));
}

#[test]
fn an_empty_guide_is_left_with_one_esc() {
    let mut w = Wizard::new("p");
    loaded(&mut w, vec![]);
    open_3cx(&mut w);
    w.update(key(KeyCode::Esc));
    assert!(matches!(w.screen, Screen::Home));
}

#[test]
fn message_debug_never_shows_typed_text() {
    let shown = format!("{:?} {:?}", Msg::Paste("hunter2-pasted".into()), ch('z'));
    assert!(!shown.contains("hunter2") && !shown.contains('z'), "{shown}");
}

#[test]
fn signal_quit() {
    let mut w = Wizard::new("p");
    assert!(matches!(w.update(Msg::Quit).as_slice(), [Effect::Exit]));
}

/// `a`, then 8x8 (second in the chooser), to its products step.
/// A paste of several lines into a one-line field keeps the first and says so; one line (with its
/// newline) says nothing.
#[test]
fn a_multi_line_paste_says_it_kept_the_first_line() {
    let mut w = Wizard::new("p");
    to_domain(&mut w);
    w.update(Msg::Paste("pbx.example.com\n".into()));
    assert_eq!(guide(&w).message, None);
    w.update(Msg::Paste("\nsecond\nthird line\n".into()));
    let m = guide(&w).message.clone().unwrap_or_default();
    assert!(m.contains("had 2 lines") && m.contains("kept the first"), "{m}");
    assert_eq!(
        guide(&w).fields.iter().find(|f| f.id == "domain").map(|f| f.value().to_string()).as_deref(),
        Some("pbx.example.comsecond")
    );
}
