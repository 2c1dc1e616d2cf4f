//! The exchange format on its own: cells to profiles (quoting, lists, thresholds, references, a
//! byte-order mark), errors that name the row and never the secret, and export read back.
use super::*;
use secrecy::ExposeSecret;

fn schemas() -> &'static [&'static Schema] {
    &super::super::test_schemas::BOTH
}

fn rows(text: &str) -> Vec<Row> {
    csv_rows(text, schemas()).expect("readable")
}

const SECRET: &str = "cell-secret-1a2b3c";

#[test]
fn cells_become_the_fields_the_profiles_file_holds() {
    let text = format!(
        "Name,Provider,Base-URL,Client_ID,Client_Secret,Products,warn_days,Domain,API_Key\n\
         store,8x8,api.8x8.com,app,\"{SECRET}\",\"cloud-storage, cc-chat\",45,,\n\
         office,3cx,,900,,,,pbx.example.com,command:pass show pbx/office\n"
    );
    let got = rows(&text);
    assert_eq!(got.len(), 2);
    let store = got[0].profile.as_ref().expect("8x8 row");
    assert_eq!(store.values.list("products"), ["cloud-storage", "cc-chat"]);
    assert_eq!(store.values.secret("client_secret").map(|s| s.expose_secret().to_string()).as_deref(), Some(SECRET));
    assert_eq!(store.thresholds.warn_days, Some(45));
    let office = got[1].profile.as_ref().expect("3cx row");
    let argv = ["pass", "show", "pbx/office"].map(String::from).to_vec();
    assert_eq!(office.values.secret_ref("api_key"), Some(&super::super::secret_ref::SecretRef::Command(argv)));
    assert_eq!(got[1].at, "row 3");
}

#[test]
fn a_bad_row_names_itself_and_its_field_never_the_secret() {
    let text = format!(
        "\u{feff}name,provider,domain,client_id,api_key,base_url,warn_days\n\
         a,3cx,pbx.example.com,900,{SECRET},api.8x8.com,\n\
         b,3cx,pbx.example.com,900,{SECRET},,soon\n\
         c,9x9,pbx.example.com,900,{SECRET},,\n\
         d,3cx,pbx.example.com,,{SECRET},,\n"
    );
    let got = csv_rows(text.strip_prefix('\u{feff}').unwrap_or(&text), schemas()).expect("readable");
    let errors: Vec<String> = got.iter().map(|r| r.profile.as_ref().expect_err("refused").to_string()).collect();
    assert!(errors[0].contains("base_url: not a field of 3cx profiles"), "{}", errors[0]);
    assert!(errors[1].contains("warn_days \"soon\": a whole number of days"), "{}", errors[1]);
    assert!(errors[2].contains("provider \"9x9\" is not one of 3cx"), "{}", errors[2]);
    assert!(errors[3].contains("missing \"client_id\""), "{}", errors[3]);
    for e in &errors {
        assert!(!e.contains(SECRET), "{e}");
    }
}

#[test]
fn what_export_writes_reads_back_the_same() {
    let text = "name,provider,domain,client_id,api_key,ca_file,crit_days\n\
                office,3cx,pbx.example.com:5001,900,env:OFFICE_KEY,\"/etc/ssl/my, ca.pem\",3\n\
                branch,3cx,b.example.com,901,keyring,,\n";
    let first: Vec<Profile> = rows(text).into_iter().map(|r| r.profile.expect("row")).collect();
    for format in [Format::Csv, Format::Toml] {
        let (written, left_out) = write(&first, format, schemas());
        assert!(left_out.is_empty(), "references are written: {left_out:?}");
        let again = match format {
            Format::Csv => csv_rows(&written, schemas()),
            Format::Toml => toml_rows(&written, schemas()),
        };
        let again: Vec<Profile> = again.expect("readable").into_iter().map(|r| r.profile.expect("row")).collect();
        let (w2, _) = write(&again, format, schemas());
        assert_eq!(written, w2, "{format:?} round trip");
        assert_eq!(again[0].ca_file.as_deref(), Some(Path::new("/etc/ssl/my, ca.pem")), "{written}");
        assert_eq!(again[0].thresholds.crit_days, Some(3));
    }
    // A secret itself is left out, and said so.
    let secret = format!("name,provider,domain,client_id,api_key\nx,3cx,pbx.example.com,900,{SECRET}\n");
    let profiles: Vec<Profile> = rows(&secret).into_iter().map(|r| r.profile.expect("row")).collect();
    let (written, left_out) = write(&profiles, Format::Csv, schemas());
    assert_eq!(left_out, vec![LeftOut::Secret { name: "x".into(), key: "api_key" }]);
    assert!(!written.contains(SECRET), "{written}");
}

#[test]
fn the_format_comes_from_the_name_then_the_text() {
    assert_eq!(Format::of(Path::new("pbxs.TOML"), ""), Format::Toml);
    assert_eq!(Format::of(Path::new("pbxs.csv"), "[profiles.x]"), Format::Csv);
    assert_eq!(Format::of(Path::new("pbxs"), "# list\n[profiles.office]\n"), Format::Toml);
    assert_eq!(Format::of(Path::new("pbxs.txt"), "name,provider\n"), Format::Csv);
}

#[test]
fn a_reference_cell_is_read_in_any_case_and_a_bad_one_never_shown() {
    let text = format!(
        "name,provider,domain,client_id,api_key\n\
         a,3cx,pbx.example.com,900,Keyring\n\
         b,3cx,pbx.example.com,900,Env:OFFICE_KEY\n\
         c,3cx,pbx.example.com,900,env:OFFICE_KEY={SECRET}\n"
    );
    let got = rows(&text);
    let r = super::super::secret_ref::SecretRef::Keyring;
    assert_eq!(got[0].profile.as_ref().expect("a").values.secret_ref("api_key"), Some(&r));
    let r = super::super::secret_ref::SecretRef::Env("OFFICE_KEY".into());
    assert_eq!(got[1].profile.as_ref().expect("b").values.secret_ref("api_key"), Some(&r));
    let e = got[2].profile.as_ref().expect_err("c").to_string();
    assert!(e.contains("api_key: a reference is env:VAR") && !e.contains(SECRET), "{e}");
}

#[test]
fn a_command_with_spaced_arguments_goes_to_toml_not_to_a_csv_cell() {
    let toml = "[profiles.x]\nprovider = \"3cx\"\ndomain = \"pbx.example.com\"\nclient_id = \"900\"\napi_key = { command = [\"sh\", \"-c\", \"pass show pbx | head -n 1\"] }\n";
    let profiles: Vec<Profile> =
        toml_rows(toml, schemas()).expect("toml").into_iter().map(|r| r.profile.expect("row")).collect();
    let (csv, left_out) = write(&profiles, Format::Csv, schemas());
    assert_eq!(left_out, vec![LeftOut::Command { name: "x".into(), key: "api_key" }]);
    assert!(!csv.contains("pass show"), "{csv}");
    let (toml_out, left_out) = write(&profiles, Format::Toml, schemas());
    assert!(left_out.is_empty() && toml_out.contains("\"pass show pbx | head -n 1\""), "{toml_out}");
}

/// OWASP's CSV injection advice: a cell a spreadsheet would run (`=`, `+`, `-`, `@`, a tab, a
/// carriage return first) is written with a `'` before it, and read back exactly.
#[test]
fn cells_a_spreadsheet_would_run_are_guarded_and_read_back_exactly() {
    for (cell, written) in [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("''@x", "'''@x"),
        ("plain", "plain"),
        ("'quoted", "'quoted"),
        ("", ""),
    ] {
        assert_eq!(guard(cell), written, "{cell:?}");
        assert_eq!(unguard(&guard(cell)), cell, "{cell:?}");
    }
    let mut values = crate::profile::schema::Values::default();
    values.set("domain", Value::Text("pbx.example.com".into()));
    values.set("client_id", Value::Text("=cmd|'/Ccalc'!A0".into()));
    values.set("api_key", Value::Ref(crate::profile::secret_ref::SecretRef::Env("K".into())));
    let p = Profile::new("office", &super::super::test_schemas::PBX, values, None);
    let (text, _) = write(std::slice::from_ref(&p), Format::Csv, schemas());
    assert!(text.contains("'=cmd|"), "{text}");
    let back = rows(&text).remove(0).profile.expect("row");
    assert_eq!(back.values.text("client_id"), Some("=cmd|'/Ccalc'!A0"));
}

proptest::proptest! {
    #[test]
    fn guarding_reads_back_exactly_and_never_starts_a_formula(cell in "\\PC{0,12}") {
        let g = guard(&cell);
        proptest::prop_assert_eq!(unguard(&g), cell.as_str());
        proptest::prop_assert!(!g.chars().next().is_some_and(formula_start));
    }
}
