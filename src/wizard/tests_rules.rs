//! The rules the TUI and plain mode share, tested once on the guide state both drive: the name a
//! profile is saved under (valid, never another profile's, an edited profile keeping its own) and
//! the name suggested for it.

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
    let (p, mode) = g.save_as("lab", &taken, &new).expect("free");
    assert_eq!((p.name.as_str(), mode), ("lab", SaveMode::Create));
    // Editing "office": its own name is no conflict, and saving replaces it.
    g.editing = Some(pbx("office"));
    let (_, mode) = g.save_as("office", &taken, &new).expect("its own name");
    assert_eq!(mode, SaveMode::Replace { old: "office".into() });
}
