//! The rules the TUI and plain mode share, tested once on the guide state both drive: the name a
//! profile is saved under (valid, never another profile's, an edited profile keeping its own) and
//! the name suggested for it; where the secret is kept (an edited profile keeping its reference).

use super::test_support::*;
use super::*;
use crate::profile::store::SaveMode;
use crate::providers::ProviderId;

#[test]
fn a_guide_never_replaces_another_profile() {
    let mut g = GuideState::new(ProviderId::ThreeCx);
    g.prefill("domain", Some("https://pbx.example.com:5001/webclient"));
    g.prefill("client_id", Some("900"));
    g.prefill("api_key", Some("key-abc"));
    let taken = vec!["pbx".to_string(), "office".to_string()];
    assert_eq!(g.suggested_name(&taken), "pbx-2", "from the domain, not a taken one");
    let new = NewDefaults::default();
    let refused = g.save_as("office", &taken, &new).expect_err("taken");
    assert!(refused.contains("already exists: choose another name"), "{refused}");
    assert!(g.save_as("bad name", &taken, &new).expect_err("invalid").starts_with("Profile name:"));
    let (p, mode, _) = g.save_as("lab", &taken, &new).expect("free");
    assert_eq!((p.name.as_str(), mode), ("lab", SaveMode::Create));
    // Editing "office": its own name is no conflict, and saving replaces it.
    g.editing = Some(pbx("office"));
    let (_, mode, _) = g.save_as("office", &taken, &new).expect("its own name");
    assert_eq!(mode, SaveMode::Replace { old: "office".into() });
}

#[test]
fn an_edited_profile_keeps_its_reference_and_a_new_one_may_store_one() {
    use crate::profile::schema::Value;
    use crate::profile::secret_ref::SecretRef;
    let mut p = pbx("office");
    let var = SecretRef::Env("OFFICE_KEY".into());
    p.values.set("api_key", Value::Ref(var.clone()));
    let g = GuideState::edit(&p);
    let new = NewDefaults::default();
    assert_eq!(g.field("api_key").map(Field::value), Some(""), "never the reference as a secret");
    assert_eq!(g.keeping.field.value(), "env:OFFICE_KEY");
    // Not retyped: the check reads the reference, and the save keeps it.
    let built = g.build_profile("office", &new).expect("builds without the secret retyped");
    assert_eq!(built.values.secret_ref("api_key"), Some(&var));
    let (_, _, keep) = g.save_as("office", &[], &new).expect("saves");
    let keep = keep.expect("a reference to settle");
    assert_eq!((keep.to.as_ref(), keep.checked_account.as_str()), (Some(&var), "office/api_key"));
    let rows = g.review_rows();
    assert!(rows.iter().any(|(k, v)| k == "Secret kept" && v == "read at each use from env OFFICE_KEY"), "{rows:?}");
    assert!(rows.iter().any(|(_, v)| v.starts_with("not retyped")), "{rows:?}");

    // A new profile: the typed key stays in the file unless the review names a reference.
    let mut g = GuideState::new(ProviderId::ThreeCx);
    g.prefill("domain", Some("pbx.example.com"));
    g.prefill("client_id", Some("900"));
    g.prefill("api_key", Some("key-abc"));
    assert!(g.save_as("lab", &[], &new).expect("file").2.is_none(), "nothing to settle");
    g.keeping.field = Field::new("keep", crate::guide::FieldKind::Path, "keyring");
    let keep = g.save_as("lab", &[], &new).expect("keyring").2.expect("settled first");
    assert_eq!(keep.to, Some(SecretRef::Keyring));
    assert!(matches!(keep.checked, Value::Secret(_)), "the typed key is what gets stored");
    g.keeping.field = Field::new("keep", crate::guide::FieldKind::Path, "pass:office");
    let refused = g.save_as("lab", &[], &new).expect_err("not a reference");
    assert!(refused.contains("give keyring, env:VAR or command:PROGRAM ARG"), "{refused}");
    assert!(!refused.contains("pass:office"), "what was typed is never quoted (it may be a key): {refused}");
    assert!(g.review_rows().iter().any(|(_, v)| v.contains("give keyring, env:VAR")), "the review says so too");
}

#[test]
fn an_edited_profile_is_checked_under_its_own_name() {
    // A keyring reference reads the account `<profile>/api_key`: the check must use "office".
    let mut p = pbx("office");
    p.values.set("api_key", crate::profile::schema::Value::Ref(crate::profile::secret_ref::SecretRef::Keyring));
    let mut g = GuideState::edit(&p);
    let (mut attempt, new) = (0, NewDefaults::default());
    let mut ctx = Ctx { attempt: &mut attempt, taken: vec![], new, saved: vec![] };
    let fx = g.start_validation(&mut ctx);
    let Some(Effect::Validate { profile, .. }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(profile.name, "office");
}
