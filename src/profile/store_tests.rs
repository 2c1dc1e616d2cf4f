//! The store's tests, on a 3CX-like schema of their own: keeping comments, order and other
//! profiles, atomic 0600 writes, locks, broken files.
use super::*;
use crate::profile::schema::{Value, Values};
use crate::profile::test_schemas::PBX as TEST;
use secrecy::SecretString;

static SCHEMAS: [&Schema; 1] = [&TEST];

impl Store {
    fn test(path: impl Into<PathBuf>) -> Store {
        Store::new(path, &SCHEMAS)
    }
}

fn p(name: &str, domain: &str) -> Profile {
    let mut v = Values::default();
    v.set("domain", Value::Text(domain.into()));
    v.set("client_id", Value::Text("900".into()));
    v.set("api_key", Value::Secret(SecretString::from("k-123")));
    Profile::new(name, &TEST, v, None)
}

const HAND_WRITTEN: &str = "# my PBXs\n\n[profiles.office] # the main one\nprovider = \"3cx\"\ndomain = \"a.3cx.us\"   # hosted\nclient_id = \"900\"\napi_key = \"old\"\nnote = \"kept\"\n\n# branch office\n[profiles.branch]\nprovider = \"3cx\"\ndomain = \"b.3cx.us\"\nclient_id = \"901\"\napi_key = \"b\"\n";

#[test]
fn save_keeps_comments_order_and_other_profiles() {
    let d = tempfile::tempdir().expect("tempdir");
    let path = d.path().join("profiles.toml");
    fs::write(&path, HAND_WRITTEN).expect("write");
    let s = Store::test(&path);
    s.save(&p("office", "new.3cx.us"), &SaveMode::Replace { old: "office".into() }).expect("save");
    let after = fs::read_to_string(&path).expect("read");
    let want =
        HAND_WRITTEN.replace("\"a.3cx.us\"", "\"new.3cx.us\"").replace("api_key = \"old\"", "api_key = \"k-123\"");
    assert_eq!(after, want);
    s.save(&p("third", "c.3cx.us"), &SaveMode::Create).expect("create");
    let after = fs::read_to_string(&path).expect("read");
    assert!(after.starts_with(&want), "existing text must stay byte for byte:\n{after}");
    assert!(
        after.ends_with(
            "[profiles.third]\nprovider = \"3cx\"\ndomain = \"c.3cx.us\"\nclient_id = \"900\"\napi_key = \"k-123\"\n"
        ),
        "{after}"
    );
    assert_eq!(s.load().expect("load").names(), vec!["office", "branch", "third"]);
}

#[test]
fn crlf_and_a_byte_order_mark_are_kept() {
    let d = tempfile::tempdir().expect("tempdir");
    let path = d.path().join("profiles.toml");
    let windows = format!("\u{feff}{}", HAND_WRITTEN.replace('\n', "\r\n"));
    fs::write(&path, &windows).expect("write");
    let s = Store::test(&path);
    s.save(&p("third", "c.3cx.us"), &SaveMode::Create).expect("create");
    let after = fs::read_to_string(&path).expect("read");
    assert!(after.starts_with(&windows), "existing text must stay byte for byte:\n{after:?}");
    assert!(after.ends_with("[profiles.third]\r\nprovider = \"3cx\"\r\ndomain = \"c.3cx.us\"\r\nclient_id = \"900\"\r\napi_key = \"k-123\"\r\n"), "{after:?}");
    assert!(s.remove("third").expect("remove"));
    assert_eq!(fs::read_to_string(&path).expect("read"), windows);
}

#[test]
fn create_refuses_an_existing_name() {
    let d = tempfile::tempdir().expect("tempdir");
    let s = Store::test(d.path().join("profiles.toml"));
    s.save(&p("office", "a.3cx.us"), &SaveMode::Create).expect("save");
    let e = s.save(&p("office", "b.3cx.us"), &SaveMode::Create).expect_err("must refuse");
    assert!(e.to_string().contains("already exists"));
}

#[test]
fn invalid_file_is_reported_with_line_and_untouched() {
    let d = tempfile::tempdir().expect("tempdir");
    let path = d.path().join("profiles.toml");
    let bad = "[profiles.a]\nprovider = \"3cx\"\ndomain = \n";
    fs::write(&path, bad).expect("write");
    let s = Store::test(&path);
    let e = s.load().expect_err("invalid").to_string();
    assert!(e.contains("profiles.toml:3:"), "{e}");
    assert!(s.save(&p("x", "x.3cx.us"), &SaveMode::Create).is_err());
    assert_eq!(fs::read_to_string(&path).expect("read"), bad);
}

#[test]
fn remove_and_rename() {
    let d = tempfile::tempdir().expect("tempdir");
    let path = d.path().join("profiles.toml");
    fs::write(&path, HAND_WRITTEN).expect("write");
    let s = Store::test(&path);
    s.save(&p("hq", "a.3cx.us"), &SaveMode::Replace { old: "office".into() }).expect("rename");
    // A rename keeps the table where it was in the file.
    assert_eq!(s.load().expect("load").names(), vec!["hq", "branch"]);
    assert!(s.remove("branch").expect("remove"));
    assert!(!s.remove("branch").expect("remove twice"));
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains("# the main one") && text.contains("note = \"kept\""), "{text}");
}

#[test]
fn lenient_permissions_warn() {
    let d = tempfile::tempdir().expect("tempdir");
    let path = d.path().join("profiles.toml");
    fs::write(&path, HAND_WRITTEN).expect("write");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    let l = Store::test(&path).load().expect("load");
    assert!(l.warnings.iter().any(|w| w.contains("chmod 600")));
    Store::test(&path).save(&p("office", "a.3cx.us"), &SaveMode::Replace { old: "office".into() }).expect("save");
    assert_eq!(fs::metadata(&path).expect("meta").permissions().mode() & 0o777, 0o600);
}

#[test]
fn unknown_provider_is_kept_and_listed() {
    let d = tempfile::tempdir().expect("tempdir");
    let path = d.path().join("profiles.toml");
    fs::write(&path, "[profiles.x]\nprovider = \"future\"\n[profiles.y]\nprovider = \"3cx\"\n").expect("write");
    let l = Store::test(&path).load().expect("load");
    assert!(matches!(l.get("x"), Some(Entry::Ok(Profile { schema: None, .. }))));
    assert!(matches!(l.get("y"), Some(Entry::Invalid { reason, .. }) if reason.contains("domain")));
}

#[test]
fn a_profiles_own_thresholds_are_read_checked_and_kept() {
    let d = tempfile::tempdir().expect("tempdir");
    let path = d.path().join("profiles.toml");
    let own = "[profiles.office]\nprovider = \"3cx\"\ndomain = \"a.3cx.us\"\nclient_id = \"900\"\napi_key = \"k\"\nwarn_days = 60 # renews late\ncrit_days = 21\n";
    fs::write(&path, own).expect("write");
    let s = Store::test(&path);
    let Some(Entry::Ok(office)) = s.load().expect("load").get("office").cloned() else { panic!("office") };
    assert_eq!(office.thresholds.given(), vec![("warn_days", 60), ("crit_days", 21)]);
    // Saving the link again (the guide, `add --force`) holds no thresholds: the file keeps its own.
    s.save(&p("office", "b.3cx.us"), &SaveMode::Replace { old: "office".into() }).expect("save");
    let after = fs::read_to_string(&path).expect("read");
    assert_eq!(after, own.replace("a.3cx.us", "b.3cx.us").replace("\"k\"", "\"k-123\""));

    let refused = |extra: &str| {
        fs::write(&path, format!("{own}{extra}")).expect("write");
        match s.load().expect("load").get("office") {
            Some(Entry::Invalid { reason, .. }) => reason.clone(),
            other => panic!("{extra}: {other:?}"),
        }
    };
    let bad = refused("backup_days = -1\n");
    assert!(bad.contains("backup_days = -1: a threshold is a whole number of days from 0 to 3650"), "{bad}");
    assert!(refused("backup_days = \"14\"\n").contains("backup_days = \"14\": "), "a string is not a number");
    fs::write(&path, own.replace("crit_days = 21", "crit_days = 90")).expect("write");
    match s.load().expect("load").get("office") {
        Some(Entry::Invalid { reason, .. }) => {
            assert!(reason.contains("crit_days = 90 is more than warn_days = 60"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn save_all_writes_every_profile_at_once_or_none() {
    let d = tempfile::tempdir().expect("tempdir");
    let path = d.path().join("profiles.toml");
    fs::write(&path, HAND_WRITTEN).expect("write");
    let s = Store::test(&path);
    let (a, b) = (p("lab", "lab.3cx.us"), p("site-2", "s2.3cx.us"));
    s.save_all(&[(&a, SaveMode::Create), (&b, SaveMode::Create)]).expect("batch");
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.starts_with(HAND_WRITTEN), "the hand-written part is kept as it was:\n{text}");
    assert!(text.contains("[profiles.lab]") && text.contains("[profiles.site-2]"), "{text}");
    // One name taken: nothing of the batch is written.
    let c = p("site-3", "s3.3cx.us");
    let e = s.save_all(&[(&c, SaveMode::Create), (&a, SaveMode::Create)]).expect_err("lab exists");
    assert!(e.to_string().contains("\"lab\" already exists"), "{e}");
    assert_eq!(fs::read_to_string(&path).expect("read"), text, "the file is as it was");
}

/// A write the reader would refuse is refused before it is made: the file stays as it was, still
/// readable.
#[test]
fn a_save_that_would_pass_the_readers_limit_is_refused_and_changes_nothing() {
    let d = tempfile::tempdir().expect("tempdir");
    let path = d.path().join("profiles.toml");
    // A comment that brings the file to a few bytes under the limit.
    let filler = format!("# {}\n", "x".repeat(MAX_FILE as usize - 40));
    std::fs::write(&path, &filler).expect("write");
    let store = Store::test(&path);
    let mut values = Values::default();
    values.set("domain", Value::Text("pbx.example.com".into()));
    values.set("client_id", Value::Text("900".into()));
    values.set("api_key", Value::Secret(SecretString::from("a-key-value-123".to_string())));
    let p = Profile::new("office", &TEST, values, None);
    let e = store.save(&p, &SaveMode::Create).expect_err("over the limit");
    assert!(format!("{e:#}").contains("more than the 4 MiB a profiles file may hold; nothing was changed"), "{e:#}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), filler, "unchanged");
    assert!(store.load().is_ok(), "still readable");
}
