//! Pure transition tests of the home screen: its keys, validate-all routing each result to its row
//! (stale ones dropped), and editing a profile.

use crossterm::event::KeyCode;

use super::test_support::*;
use super::*;
use crate::profile::store::{Entry, SaveMode};

#[test]
fn home_actions() {
    let mut w = Wizard::new("p");
    loaded(&mut w, vec![Entry::Ok(profile("a")), Entry::Ok(profile("b"))]);
    w.update(key(KeyCode::Down));
    let fx = w.update(key(KeyCode::Enter));
    assert!(matches!(&w.screen, Screen::Revalidate(r) if r.rows.len() == 1 && r.rows[0].0.name == "b"));
    assert!(matches!(fx.first(), Some(Effect::Validate { profile, .. }) if profile.name == "b"));
    let fx = w.update(Msg::Validation { attempt: w.attempt, event: ValidationEvent::Done(ok_report()) });
    assert!(matches!(fx.first(), Some(Effect::Record { name, .. }) if name == "b"));
    w.update(key(KeyCode::Esc));
    assert!(matches!(w.screen, Screen::Home));
    // The list is being read again (the result just recorded): a key waits for it, then acts on
    // the fresh list.
    w.update(ch('d'));
    assert!(matches!(w.screen, Screen::Home), "a key on a list about to change waits");
    loaded(&mut w, vec![Entry::Ok(profile("a")), Entry::Ok(profile("b"))]);
    assert!(matches!(&w.screen, Screen::ConfirmRemove { name } if name == "b"));
    assert!(!w.quitting);
    assert!(w.update(ch('n')).is_empty(), "anything but y keeps it");
    w.update(ch('d'));
    assert!(matches!(w.update(ch('y')).first(), Some(Effect::Remove { name }) if name == "b"));
    w.update(ch('e'));
    let g = guide(&w);
    assert_eq!((g.current().id.as_str(), g.field("api_key").map(|f| f.value())), ("domain", Some("key-abc")));
}

#[test]
fn validate_all_routes_each_result_to_its_row_and_drops_stale_ones() {
    let mut w = Wizard::new("p");
    loaded(
        &mut w,
        vec![
            Entry::Ok(profile("a")),
            Entry::Invalid { name: "bad".into(), reason: "x".into() },
            Entry::Ok(profile("c")),
        ],
    );
    let fx = w.update(ch('V'));
    let attempts: Vec<u64> = fx
        .iter()
        .filter_map(|f| if let Effect::Validate { attempt, .. } = f { Some(*attempt) } else { None })
        .collect();
    assert_eq!(attempts.len(), 2, "the broken profile is not validated");
    let fx = w.update(Msg::Validation { attempt: attempts[1], event: ValidationEvent::Done(ok_report()) });
    assert!(matches!(fx.first(), Some(Effect::Record { name, .. }) if name == "c"));
    assert!(w.busy(), "a is still running");
    // Esc cancels; a late result for a then changes nothing and records nothing.
    let fx = w.update(key(KeyCode::Esc));
    assert!(fx.iter().any(|f| matches!(f, Effect::CancelValidation)));
    assert!(w.update(Msg::Validation { attempt: attempts[0], event: ValidationEvent::Done(ok_report()) }).is_empty());
}

#[test]
fn edit_saves_as_replace() {
    let mut w = Wizard::new("p");
    loaded(&mut w, vec![Entry::Ok(profile("a"))]);
    w.update(ch('e'));
    for _ in 0..4 {
        w.update(key(KeyCode::Enter));
    }
    assert_eq!(step_id(&w), "credentials");
    w.update(key(KeyCode::Enter));
    w.update(key(KeyCode::Enter));
    w.update(Msg::Validation { attempt: w.attempt, event: ValidationEvent::Done(ok_report()) });
    w.update(key(KeyCode::Enter));
    assert_eq!(guide(&w).name.value(), "a");
    let fx = w.update(key(KeyCode::Enter));
    assert!(matches!(fx.first(), Some(Effect::Save { mode: SaveMode::Replace { old }, .. }) if old == "a"), "{fx:?}");
}

#[test]
fn quitting_never_waits_for_a_list_being_read() {
    let mut w = Wizard::new("p");
    w.start(); // the list is asked for, and no answer comes
    w.update(ch('v'));
    assert!(!w.quitting && matches!(w.screen, Screen::Home), "v waits for the list");
    let fx = w.update(ch('q'));
    assert!(w.quitting && fx.iter().any(|f| matches!(f, Effect::Exit)), "q does not");
}
