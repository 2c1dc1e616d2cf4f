//! Pure transition tests of the 8x8 guide: the products checklist, the credentials and the profile
//! they build, and editing a saved profile.

use crossterm::event::KeyCode;
use secrecy::{ExposeSecret, SecretString};

use super::test_support::*;
use super::*;
use crate::profile::store::Entry;
use crate::providers::eightbyeight::EightByEight;

fn to_8x8_products(w: &mut Wizard) {
    loaded(w, vec![]);
    w.update(ch('a'));
    w.update(key(KeyCode::Down));
    w.update(key(KeyCode::Enter));
    assert_eq!(guide(w).provider, crate::providers::ProviderId::EightByEight);
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(w), "create_app");
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(w), "products");
}

#[test]
fn eightbyeight_needs_a_product_and_validates_what_was_chosen() {
    let mut w = Wizard::new("p");
    to_8x8_products(&mut w);
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "products", "no product chosen");
    assert!(guide(&w).message.as_deref().is_some_and(|m| m.contains("at least one")));
    // Cloud Storage (3rd) and Contact Center Chat (5th).
    for k in [
        KeyCode::Down,
        KeyCode::Down,
        KeyCode::Char(' '),
        KeyCode::Down,
        KeyCode::Down,
        KeyCode::Char(' '),
        KeyCode::Enter,
    ] {
        w.update(key(k));
    }
    assert_eq!(step_id(&w), "secret_once");
    w.update(key(KeyCode::Char(' ')));
    w.update(key(KeyCode::Enter));
    assert_eq!(step_id(&w), "credentials");
    typed(&mut w, "app-id");
    w.update(key(KeyCode::Tab));
    w.update(Msg::Paste("s3cret\n".into()));
    let fx = w.update(key(KeyCode::Enter));
    let Some(Effect::Validate { profile, .. }) = fx.first() else { panic!("{fx:?}") };
    match EightByEight::of(profile) {
        Some(e) => {
            assert_eq!(e.client_id, "app-id");
            assert_eq!(e.client_secret.expose_secret(), "s3cret");
            assert_eq!(e.products, vec!["cloud-storage".to_string(), "cc-chat".to_string()]);
        }
        None => panic!("not this vendor"),
    }
}

#[test]
fn editing_an_8x8_profile_keeps_its_products_and_host() {
    let p = EightByEight {
        client_id: "id".into(),
        client_secret: SecretString::from("x8-secret"),
        products: vec!["quality-management".into()],
        base_url: Some("eu.example.net".into()),
        region: Some("uk".into()),
    }
    .profile("cc", None);
    let mut w = Wizard::new("p");
    loaded(&mut w, vec![Entry::Ok(p)]);
    w.update(ch('e'));
    let g = guide(&w);
    assert_eq!(g.chosen_products(), vec!["quality-management".to_string()]);
    let built = g.build_profile("cc", &NewDefaults::default()).expect("profile");
    match EightByEight::of(&built) {
        Some(e) => {
            assert_eq!((e.base_url.as_deref(), e.region.as_deref()), (Some("eu.example.net"), Some("uk")))
        }
        None => panic!("not this vendor"),
    }
}
