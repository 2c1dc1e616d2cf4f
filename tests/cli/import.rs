//! `pbxlink import` and `export` through the real binary against the simulator: rows validated
//! concurrently and saved in one write (the hand-written file kept), each row reported, exit 3 when
//! some were refused; no secret taken from a file others can read; `--no-validate` asks nothing;
//! export writes references and leaves secrets out, and what it writes imports again.

use super::*;

/// Writes `text` as the import file `name` with `mode`.
fn file(e: &Env, name: &str, text: &str, mode: u32) -> String {
    let path = e.dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    path.display().to_string()
}

fn csv(e: &Env, rows: &[&str]) -> String {
    let (d, ca) = (e.sim.domain(), e.ca.display().to_string());
    let mut text = "name,provider,domain,client_id,api_key,ca_file\n".to_string();
    for r in rows {
        text.push_str(&r.replace("{d}", &d).replace("{ca}", &ca));
        text.push('\n');
    }
    text
}

const KEPT: &str = "# my PBXs, by hand\n";

#[test]
fn rows_are_validated_and_those_that_pass_saved_in_one_write() {
    let e = Env::new();
    e.write_config(&format!("{KEPT}{}", e.profile("office", &e.sim.domain(), "900", GOOD, true)));
    let rows = [
        &format!("lab,3cx,{{d}},900,{GOOD},{{ca}}"),
        "envkey,3cx,{d},900,env:IMPORT_KEY,{ca}",
        &format!("wrongkey,3cx,{{d}},900,{WRONG},{{ca}}"),
        &format!("noxapi,3cx,{{d}},901,{OTHER},{{ca}}"),
        &format!("office,3cx,{{d}},900,{GOOD},{{ca}}"),
        &format!("spaced,3cx,pbx example.com,900,{GOOD},"),
        &format!("lab,3cx,{{d}},900,{GOOD},{{ca}}"),
        "\"quoted, name\",3cx,{d},900,keyring,",
    ];
    let path = file(&e, "pbxs.csv", &csv(&e, &rows), 0o600);
    let before = e.sim.requests().len();
    let o = e.run(&["import", &path, "--allow-references"], None, &[("IMPORT_KEY", GOOD)]);
    assert_eq!(o.code, 3, "some rows refused: {}\n{}", o.stdout, o.stderr);
    let out = &o.stdout;
    for (name, verdict) in [
        ("lab", "ok"),
        ("envkey", "ok"),
        ("wrongkey", "FAIL"),
        ("noxapi", "FAIL"),
        ("office", "FAIL"),
        ("spaced", "FAIL"),
    ] {
        assert!(out.lines().any(|l| l.starts_with(verdict) && l.contains(name)), "{name}: {verdict}\n{out}");
    }
    assert!(out.contains("unauthorized at token"), "{out}");
    assert!(out.contains("forbidden at"), "{out}");
    assert!(out.contains("row 6: a saved profile has this name"), "{out}");
    assert!(out.contains("row 7: domain \"pbx example.com\""), "{out}");
    assert!(out.contains("row 8: the name is given before, in row 2"), "{out}");
    assert!(out.contains("row 9: \",\" is not allowed in a name"), "{out}");
    assert!(o.stderr.contains("Saved 2 of 8 profiles"), "{}", o.stderr);
    assert!(o.stderr.contains("Not saved: wrongkey (row 4), noxapi (row 5)"), "{}", o.stderr);
    assert!(e.sim.requests().len() > before, "the rows were checked against the PBX");

    let text = std::fs::read_to_string(e.config()).expect("read");
    assert!(text.starts_with(KEPT), "the hand-written file is kept:\n{text}");
    assert!(text.contains("[profiles.lab]") && text.contains("[profiles.envkey]"), "{text}");
    assert!(text.contains("api_key = { env = \"IMPORT_KEY\" }"), "the reference, not the key:\n{text}");
    assert!(!text.contains("wrongkey") && !text.contains("noxapi") && !text.contains("spaced"), "{text}");
    assert_eq!(text.matches(GOOD).count(), 2, "office's and lab's keys only:\n{text}");
    assert_eq!(std::fs::metadata(e.config()).expect("meta").permissions().mode() & 0o777, 0o600);

    // The results are recorded, as validate records them.
    let o = e.run(&["list", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let lab = v["profiles"].as_array().expect("profiles").iter().find(|p| p["name"] == "lab").cloned();
    assert_eq!(lab.expect("lab listed")["last"]["ok"], true, "{v:#}");
}

#[test]
fn no_secret_is_taken_from_a_file_others_can_read() {
    let e = Env::new();
    let rows = [&format!("lab,3cx,{{d}},900,{GOOD},{{ca}}") as &str, "envkey,3cx,{d},900,env:IMPORT_KEY,{ca}"];
    let path = file(&e, "pbxs.csv", &csv(&e, &rows), 0o644);
    let o = e.run(&["import", &path, "--json", "--allow-references"], None, &[("IMPORT_KEY", GOOD)]);
    assert_eq!(o.code, 3, "{}\n{}", o.stdout, o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!((v["saved"].as_u64(), v["rejected"].as_u64()), (Some(1), Some(1)), "{v:#}");
    let lab = &v["rows"][0];
    assert_eq!(
        (lab["name"].as_str(), lab["saved"].as_bool(), lab["failure"].as_str()),
        (Some("lab"), Some(false), Some("invalid"))
    );
    let why = lab["detail"].as_str().expect("detail");
    assert!(why.contains("can be read by other users (mode 644)") && why.contains("chmod 600"), "{why}");
    assert_eq!((v["rows"][1]["name"].as_str(), v["rows"][1]["saved"].as_bool()), (Some("envkey"), Some(true)));
    let text = std::fs::read_to_string(e.config()).expect("read");
    assert!(!text.contains("[profiles.lab]") && text.contains("[profiles.envkey]"), "{text}");
}

#[test]
fn no_validate_asks_nothing_and_a_broken_file_saves_nothing() {
    let e = Env::new();
    let rows = [&format!("lab,3cx,{{d}},900,{WRONG},{{ca}}") as &str, "site-2,3cx,{d},900,command:pass show pbx/2,"];
    let path = file(&e, "pbxs.csv", &csv(&e, &rows), 0o600);
    let before = e.sim.requests().len();
    let o = e.run(&["import", &path, "--no-validate", "--allow-references"], None, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("not validated (--no-validate)"), "{}", o.stdout);
    assert_eq!(e.sim.requests().len(), before, "nothing asked of the PBX");
    let text = std::fs::read_to_string(e.config()).expect("read");
    assert!(text.contains("api_key = { command = [\"pass\", \"show\", \"pbx/2\"] }"), "{text}");

    // A second import of the same rows: each name is taken now.
    let o = e.run(&["import", &path, "--no-validate", "--allow-references"], None, &[]);
    assert_eq!(o.code, 3, "{}", o.stdout);
    assert!(o.stderr.contains("Nothing saved"), "{}", o.stderr);
    // With --replace they replace the saved ones.
    let o = e.run(&["import", &path, "--no-validate", "--replace", "--allow-references"], None, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let saved = std::fs::read_to_string(e.config()).expect("read");
    assert_eq!(saved.matches("[profiles.lab]").count(), 1, "replaced, not added twice:\n{saved}");

    for (text, says) in [
        ("name,domain\nx,pbx.example.com\n", "no \"provider\" column"),
        ("name,provider,colour\nx,3cx,red\n", "column \"colour\" is not a profile field"),
        ("[profiles.x]\nprovider = \"3cx\"\n[profiles.x]\n", "not valid TOML"),
    ] {
        let ext = if text.starts_with('[') { "toml" } else { "csv" };
        let bad = file(&e, &format!("bad.{ext}"), text, 0o600);
        let o = e.run(&["import", &bad], None, &[]);
        assert_eq!(o.code, 2, "{text}: {}", o.stderr);
        assert!(o.stderr.contains(says), "{text}: {}", o.stderr);
    }
    assert_eq!(std::fs::read_to_string(e.config()).expect("read"), saved, "a broken file saves nothing");
}

#[test]
fn export_writes_references_and_leaves_secrets_out_and_imports_again() {
    let e = Env::new();
    let with_ref = e
        .profile("envkey", &e.sim.domain(), "900", "X", true)
        .replace("api_key = \"X\"", "api_key = { env = \"IMPORT_KEY\" }");
    e.write_config(&format!("{}{with_ref}", e.profile("lab", &e.sim.domain(), "900", GOOD, true)));
    let o = e.run(&["export"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut lines = o.stdout.lines();
    assert_eq!(lines.next(), Some("name,provider,domain,client_id,api_key,ca_file"), "{}", o.stdout);
    let lab = lines.next().expect("lab");
    assert!(lab.starts_with("lab,3cx,") && lab.contains(",900,,"), "the key left out: {lab}");
    assert!(lines.next().expect("envkey").contains(",900,env:IMPORT_KEY,"), "{}", o.stdout);
    assert!(o.stderr.contains("Left out (kept in profiles.toml, never exported): lab's api_key"), "{}", o.stderr);

    let out = e.dir.path().join("all.toml");
    let o = e.run(&["export", "--output", out.to_str().expect("utf8")], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(std::fs::metadata(&out).expect("written").permissions().mode() & 0o777, 0o600);
    let toml = std::fs::read_to_string(&out).expect("read");
    assert!(toml.contains("[profiles.envkey]") && toml.contains("api_key = { env = \"IMPORT_KEY\" }"), "{toml}");
    assert!(!toml.contains(GOOD), "{toml}");

    // Into another profiles file: the row whose secret was left out must be given one.
    let other = e.dir.path().join("other.toml");
    let o = e.run(
        &["--config", other.to_str().expect("utf8"), "import", out.to_str().expect("utf8"), "--allow-references"],
        None,
        &[("IMPORT_KEY", GOOD)],
    );
    assert_eq!(o.code, 3, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("[profiles.lab]: missing \"api_key\""), "{}", o.stdout);
    let text = std::fs::read_to_string(&other).expect("saved");
    assert!(text.contains("[profiles.envkey]") && !text.contains("[profiles.lab]"), "{text}");

    let o = e.run(&["export", "nosuch"], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no profile named \"nosuch\""), "{}", o.stderr);
}

/// A connector row that links a 3CX row which was refused is refused too: no profile is saved
/// pointing at one that is not there. `--ca-file` is kept in the rows, as `add` keeps it, and a
/// relative `ca_file` is made absolute.
#[test]
fn a_link_to_a_refused_row_is_refused_and_the_ca_used_is_kept() {
    let e = Env::new();
    let text = "name,provider,domain,client_id,api_key,base_url,auth_method,client_secret,account_id,pbx_profile\n\
                office,3cx,pbx example.com,900,env:K,,,,,\n\
                crm,cx-engine,,7,,https://crm.example.com,client_credentials,env:K,7,office\n\
                lab,3cx,pbx.example.com,900,env:K,,,,,\n\
                crm-2,cx-engine,,7,,https://crm.example.com,client_credentials,env:K,7,lab\n";
    let path = file(&e, "links.csv", text, 0o600);
    let ca = e.ca.display().to_string();
    let o = e.run(&["--ca-file", &ca, "import", &path, "--no-validate", "--allow-references"], None, &[]);
    assert_eq!(o.code, 3, "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("crm (row 3): not saved: links \"office\", which is neither saved nor imported"),
        "{}",
        o.stdout
    );
    assert!(o.stderr.contains("Saved 2 of 4 profiles"), "{}", o.stderr);
    let saved = std::fs::read_to_string(e.config()).expect("read");
    assert!(saved.contains("[profiles.lab]") && saved.contains("[profiles.crm-2]"), "{saved}");
    assert!(!saved.contains("[profiles.crm]") && !saved.contains("[profiles.office]"), "{saved}");
    let real = std::fs::canonicalize(&e.ca).expect("ca");
    assert_eq!(saved.matches(&format!("ca_file = \"{}\"", real.display())).count(), 2, "{saved}");

    // Export never writes over the profiles file (or its backup).
    let config = e.config().display().to_string();
    let o = e.run(&["export", "--output", &config], None, &[]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("that is pbxlink's own file"), "{}", o.stderr);
    assert_eq!(std::fs::read_to_string(e.config()).expect("read"), saved);
}

/// A file someone else wrote is data: its `command:` cells are never run and its `env:` cells
/// never sent unless the user says so (`--allow-references`), and `--no-validate` does not bring
/// them in for the next cron run either. The rows are refused, named, with the reason.
#[test]
fn references_in_an_imported_file_are_taken_only_when_the_user_says_so() {
    let e = Env::new();
    let marker = e.dir.path().join("ran-as-root");
    let rows = [
        &format!("runs,3cx,{{d}},900,command:touch {},{{ca}}", marker.display()),
        "sends,3cx,{d},900,env:PBXLINK_TEST_AWS_SECRET,{ca}",
        &format!("plain,3cx,{{d}},900,{GOOD},{{ca}}"),
    ];
    let path = file(&e, "theirs.csv", &csv(&e, &rows), 0o600);
    for extra in [&[][..], &["--no-validate"]] {
        let mut args = vec!["import", path.as_str()];
        args.extend_from_slice(extra);
        let o = e.run(&args, None, &[("PBXLINK_TEST_AWS_SECRET", "aws-not-for-them-123")]);
        assert_eq!(o.code, 3, "{extra:?}: {}\n{}", o.stdout, o.stderr);
        assert!(!marker.exists(), "{extra:?}: the file's command ran");
        assert!(
            o.stdout.contains(&format!("the file asks to read api_key from command touch {}", marker.display()))
                && o.stdout.contains("api_key from env PBXLINK_TEST_AWS_SECRET")
                && o.stdout.contains("--allow-references"),
            "{}",
            o.stdout
        );
        let saved = std::fs::read_to_string(e.config()).unwrap_or_default();
        assert!(saved.contains("[profiles.plain]") && !saved.contains("runs") && !saved.contains("sends"), "{saved}");
        e.write_config("");
    }
    assert!(!e.sim.requests().iter().any(|r| r.contains("aws")), "nothing of the variable reached a server");
    // Said so: taken as they are (not validated here, so nothing runs yet).
    let o = e.run(&["import", &path, "--no-validate", "--allow-references"], None, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(!marker.exists());
    let saved = std::fs::read_to_string(e.config()).expect("saved");
    assert!(saved.contains("[profiles.runs]") && saved.contains("[profiles.sends]"), "{saved}");
}

/// OWASP's CSV injection advice: what `export` writes never starts a spreadsheet formula, and
/// `import` takes the cells back exactly.
#[test]
fn export_guards_formula_cells_and_import_takes_them_back() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(
        &e.profile("office", &d, "=HYPERLINK(evil)", GOOD, true)
            .replace(&format!("api_key = \"{GOOD}\""), "api_key = { env = \"K\" }"),
    );
    let o = e.run(&["export"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("'=HYPERLINK(evil)") && !o.stdout.contains(",=HYPERLINK"), "{}", o.stdout);
    let path = file(&e, "back.csv", &o.stdout, 0o600);
    e.write_config("");
    let o = e.run(&["import", &path, "--no-validate", "--allow-references"], None, &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let saved = std::fs::read_to_string(e.config()).expect("saved");
    assert!(saved.contains("client_id = \"=HYPERLINK(evil)\""), "{saved}");
}
