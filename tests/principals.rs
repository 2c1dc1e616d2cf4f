//! `pbxlink 3cx principals` and `pbxlink 3cx app-token`, the real binary against the simulator over
//! real HTTPS: the table and JSON with the profile's own principal marked, a low role refused with
//! the roles named, no token generated without a confirmation (and never by validation), the token
//! alone on stdout, the old key rotated away, `--save-to` validating before saving, and the token in
//! no log, no stderr and no file beside `profiles.toml` but that file itself.

use crate::common::Pane;
use crate::common::sandbox::{Out, Sandbox};
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount};
use std::os::unix::fs::PermissionsExt;

const ADMIN: &str = "key-admin-7c1e5a9b3d2f";
const APP: &str = "key-app-4e8d2b6f0a1c";
const OTHER: &str = "key-other-9a3c5e7b1d0f";

const GENERATE: &str = "/Pbx.GenerateAppToken";

/// The simulator's principals: Id 1 is 900 (the admin profile's own), 2 is 901 (no XAPI access), 3
/// is 902 (a low role), 4 is 903 (an app that works), then the system principals 5 and 6.
fn accounts() -> Vec<ThreeCxAccount> {
    vec![
        ThreeCxAccount::new("900", ADMIN, Behaviour::Good),
        ThreeCxAccount::new("901", OTHER, Behaviour::NoXapiAccess),
        ThreeCxAccount::new("902", OTHER, Behaviour::LowRole),
        ThreeCxAccount::new("903", APP, Behaviour::Good),
    ]
}

/// The shared sandbox (tests/common/sandbox.rs) with the admin, low-role and app profiles.
struct Env(Sandbox);

impl std::ops::Deref for Env {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.0
    }
}

impl Env {
    fn new() -> Env {
        let e = Env(Sandbox::start(accounts(), vec![], vec![]));
        let d = e.sim.domain();
        // The simulator's CA is given with `--ca-file` on each run, not stored.
        e.write_config(
            &[
                e.profile_3cx("admin", &d, "900", ADMIN, false),
                e.profile_3cx("low", &d, "902", OTHER, false),
                e.profile_3cx("app", &d, "903", APP, false),
            ]
            .concat(),
        );
        e
    }

    /// Runs pbxlink with the simulator's CA and the log in `--log-file`; stdin is not a terminal.
    /// Its stdout may hold a token, so only its stderr is kept for the leak checks.
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Out {
        let (ca, log) = (self.ca.to_string_lossy().to_string(), self.log().to_string_lossy().to_string());
        let mut cmd = self.command(&["--ca-file", &ca, "--log-file", &log]);
        cmd.args(args);
        self.output(cmd, stdin.map(str::as_bytes), &format!("{args:?}"), true, |_| {})
    }

    /// Like `run`, and its stdout may show no secret either.
    fn run_quiet(&self, args: &[&str], stdin: Option<&str>) -> Out {
        let o = self.run(args, stdin);
        self.outputs.borrow_mut().push((format!("stdout of {args:?}"), o.stdout.clone()));
        o
    }

    fn generate_calls(&self) -> usize {
        self.sim.requests().iter().filter(|r| r.contains(GENERATE)).count()
    }

    /// `token` is in none of the outputs kept, the log, the state files, nor any file beside
    /// profiles.toml; and in profiles.toml only when `saved`.
    fn assert_token_kept_to_stdout(&self, token: &str, saved: bool) {
        assert!(self.log().exists(), "the log was written");
        let mut texts = self.texts();
        let mut files = vec![self.log()];
        files.extend(
            std::fs::read_dir(self.config().parent().expect("dir")).into_iter().flatten().flatten().map(|e| e.path()),
        );
        for f in files.iter().filter(|f| **f != self.config()) {
            texts
                .push((f.display().to_string(), String::from_utf8_lossy(&std::fs::read(f).unwrap_or_default()).into()));
        }
        for (what, text) in &texts {
            assert!(!text.contains(token), "the token leaked into {what}:\n{text}");
        }
        let config = std::fs::read_to_string(self.config()).expect("config");
        assert_eq!(config.contains(token), saved, "{config}");
    }
}

fn one_token_line(o: &Out) -> String {
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout must hold the token alone: {:?}\n{}", o.stdout, o.stderr);
    let token = lines[0];
    assert!(token.len() >= 32 && token.chars().all(|c| c.is_ascii_alphanumeric()), "{token:?}");
    token.to_string()
}

#[test]
fn principals_table_and_json_mark_the_own_principal() {
    let e = Env::new();
    let o = e.run_quiet(&["3cx", "principals", "admin"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[0].contains("ID") && lines[0].contains("NUMBER") && lines[0].contains("LAST USED"), "{}", o.stdout);
    let own: Vec<&&str> = lines.iter().filter(|l| l.starts_with('*')).collect();
    assert_eq!(own.len(), 2, "one marked row and the legend: {}", o.stdout);
    assert!(own[0].contains(" 1  900 ") && own[0].contains("yes"), "{}", o.stdout);
    assert!(own[1].contains("profile \"admin\"") && own[1].contains("900"), "{}", o.stdout);
    assert!(
        lines.iter().any(|l| l.contains(" 2  901 ") && l.contains("  no  ")),
        "901 has no XAPI access: {}",
        o.stdout
    );

    let o = e.run_quiet(&["3cx", "principals", "admin", "--json"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!((v["schema"].as_u64(), v["profile"].as_str()), (Some(1), Some("admin")));
    assert_eq!((v["ok"].as_bool(), v["failure"].as_str()), (Some(true), None), "{v:#}");
    let list = v["principals"].as_array().expect("principals");
    assert_eq!(list.len(), 6, "{v}");
    let first = &list[0];
    assert_eq!(first["id"], 1);
    assert_eq!(first["number"], "900");
    assert_eq!((first["own"].as_bool(), first["xapi_enabled"].as_bool()), (Some(true), Some(true)));
    assert_eq!((first["call_control_enabled"].as_bool(), first["is_system"].as_bool()), (Some(false), Some(false)));
    assert!(first["last_used"].is_string(), "900 just got a token: {first}");
    assert_eq!(list.iter().filter(|p| p["own"] == true).count(), 1);
    assert_eq!(list[1]["xapi_enabled"], false);
    assert!(list[1]["last_used"].is_null());
    let system = &list[5];
    assert_eq!(system["is_system"], true);
    assert!(system["call_control_enabled"].is_null(), "a field the PBX left out is null: {system}");
    let log = std::fs::read_to_string(e.log()).expect("log");
    assert!(log.contains("service principals listed"), "{log}");
    assert_eq!(e.generate_calls(), 0);
    // The simulator pages its six principals two at a time: each listing read all three pages.
    let pages = e.sim.requests().iter().filter(|r| *r == "GET /xapi/v1/ServicePrincipals").count();
    assert_eq!(pages, 2 * 3, "{:?}", e.sim.requests());
}

#[test]
fn a_low_role_is_refused_with_the_roles_to_check() {
    let e = Env::new();
    for extra in [None, Some("--json")] {
        let mut args = vec!["3cx", "principals", "low"];
        args.extend(extra);
        let o = e.run_quiet(&args, None);
        assert_eq!(o.code, 3, "{}", o.stderr);
        if extra.is_some() {
            // A script still gets a document, with the failure kind and the fix.
            let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("a JSON document");
            assert_eq!((v["ok"].as_bool(), v["failure"].as_str()), (Some(false), Some("forbidden")), "{v:#}");
            assert!(v["hint"].as_str().is_some_and(|h| h.contains("System Owner")), "{v:#}");
            assert_eq!(v["principals"].as_array().map(Vec::len), Some(0));
        } else {
            assert!(o.stdout.is_empty(), "{}", o.stdout);
        }
        assert!(o.stderr.contains("HTTP 403") && o.stderr.contains("role is probably too low"), "{}", o.stderr);
        assert!(o.stderr.contains("fix:") && o.stderr.contains("System Owner or System Admin"), "{}", o.stderr);
    }
    // Generating with it is refused at the look-up, before anything is generated.
    let o = e.run_quiet(&["3cx", "app-token", "low", "--id", "4", "--yes"], None);
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert_eq!(e.generate_calls(), 0);
}

#[test]
fn usage_errors_come_before_any_request() {
    let e = Env::new();
    let d = e.sim.domain();
    let eight = "[profiles.eight]\nprovider = \"8x8\"\nclient_id = \"x\"\nclient_secret = \"eght_s\"\nproducts = [\"cloud-storage\"]\n";
    e.write_config(&[e.profile_3cx("admin", &d, "900", ADMIN, false), eight.to_string()].concat());
    let cases: &[(&[&str], &str)] = &[
        (&["3cx", "principals", "nope"], "no profile named \"nope\""),
        (&["3cx", "principals", "eight"], "not a 3CX profile (its provider is 8x8)"),
        (&["3cx", "app-token", "eight", "--id", "1", "--yes"], "not a 3CX profile (its provider is 8x8)"),
        (&["3cx", "app-token", "admin", "--id", "4", "--yes", "--save-to", "eight"], "not a 3CX profile"),
        (&["3cx", "app-token", "admin", "--id", "4", "--yes", "--save-to", "a b"], "--save-to"),
        (&["3cx", "app-token", "admin", "--id", "x", "--yes"], "invalid value"),
    ];
    for (args, said) in cases {
        let o = e.run_quiet(args, None);
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains(said), "{args:?}: {}", o.stderr);
    }
    assert!(e.sim.requests().is_empty(), "{:?}", e.sim.requests());
}

#[test]
fn app_token_without_yes_and_without_a_terminal_generates_nothing() {
    let e = Env::new();
    // Neither no stdin nor a piped "yes" is a terminal to confirm on.
    for stdin in [None, Some("yes\n")] {
        let o = e.run_quiet(&["3cx", "app-token", "admin", "--id", "4"], stdin);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(o.stdout.is_empty());
        assert!(o.stderr.contains("--yes") && o.stderr.contains("no terminal"), "{}", o.stderr);
    }
    assert_eq!(e.generate_calls(), 0, "{:?}", e.sim.requests());
    let o = e.run(&["validate", "app"], None);
    assert_eq!(o.code, 0, "the key still works: {}", o.stderr);
}

#[test]
fn app_token_prints_only_the_token_and_the_old_key_stops_working() {
    let e = Env::new();
    let o = e.run(&["3cx", "app-token", "admin", "--id", "4", "--yes"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let token = one_token_line(&o);
    assert!(o.stderr.contains("principal 4 (Number 903)"), "{}", o.stderr);
    assert_eq!(e.generate_calls(), 1);
    assert!(e.sim.requests().contains(&"POST /xapi/v1/ServicePrincipals(4)/Pbx.GenerateAppToken".to_string()));

    // The simulator replaced 903's key, as 3CX may: the saved one is refused now.
    let o = e.run_quiet(&["validate", "app", "--json"], None);
    assert_eq!(o.code, 3, "{}", o.stdout);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["profiles"][0]["failure"], "unauthorized");
    let log = std::fs::read_to_string(e.log()).expect("log");
    assert!(log.contains("app token generated") && log.contains("principal=4"), "{log}");
    e.assert_token_kept_to_stdout(&token, false);
}

#[test]
fn generating_for_the_own_principal_warns_that_the_profile_key_may_stop_working() {
    let e = Env::new();
    let o = e.run(&["3cx", "app-token", "admin", "--id", "1", "--yes"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let token = one_token_line(&o);
    assert!(o.stderr.contains("warning: profile \"admin\" signs in as this principal"), "{}", o.stderr);
    assert_eq!(e.run_quiet(&["validate", "admin"], None).code, 3);
    e.assert_token_kept_to_stdout(&token, false);
}

#[test]
fn save_to_validates_the_token_then_saves_it() {
    let e = Env::new();
    let o = e.run(&["3cx", "app-token", "admin", "--id", "4", "--yes", "--save-to", "rotated"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let token = one_token_line(&o);
    assert!(o.stderr.contains("Saved profile \"rotated\""), "{}", o.stderr);
    let saved = std::fs::read_to_string(e.config()).expect("config");
    let table = saved.split("[profiles.rotated]").nth(1).expect("the new profile");
    assert!(table.contains("client_id = \"903\"") && table.contains(&format!("api_key = \"{token}\"")), "{saved}");
    // The --ca-file of the run is kept, as `add` does, so the profile validates without it.
    assert!(table.contains("ca_file = "), "{saved}");
    assert_eq!(std::fs::metadata(e.config()).expect("meta").permissions().mode() & 0o777, 0o600);
    // Without --ca-file: the saved profile carries it.
    let o = e.0.run(&["validate", "rotated"], None, &[("PBXLINK_LOG", "off")]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    e.assert_token_kept_to_stdout(&token, true);

    // An existing 3CX profile named by --save-to is replaced: the user named it.
    let o = e.run(&["3cx", "app-token", "admin", "--id", "4", "--yes", "--save-to", "app"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let second = one_token_line(&o);
    assert_eq!(e.run_quiet(&["validate", "app"], None).code, 0);
    assert_eq!(e.run_quiet(&["validate", "rotated"], None).code, 3, "the first token was replaced");
    // (profiles.toml.bak now holds the first token: it is the previous profiles.toml.)
    e.assert_token_kept_to_stdout(&second, true);
}

#[test]
fn save_to_keeps_nothing_when_the_token_does_not_validate_but_still_prints_it() {
    let e = Env::new();
    // 901 has no Configuration API access: its new token is refused at the XAPI read.
    let o = e.run(&["3cx", "app-token", "admin", "--id", "2", "--yes", "--save-to", "noapi"], None);
    assert_eq!(o.code, 3, "{}", o.stderr);
    let token = one_token_line(&o);
    assert!(o.stderr.contains("NOT saved as \"noapi\"") && o.stderr.contains("forbidden"), "{}", o.stderr);
    assert!(!std::fs::read_to_string(e.config()).expect("config").contains("[profiles.noapi]"));
    e.assert_token_kept_to_stdout(&token, false);
}

#[test]
fn an_unknown_id_is_named_and_nothing_is_generated() {
    let e = Env::new();
    let o = e.run_quiet(&["3cx", "app-token", "admin", "--id", "99", "--yes"], None);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stdout.is_empty());
    assert!(o.stderr.contains("no service principal with Id 99") && o.stderr.contains("3cx principals admin"));
    assert_eq!(e.generate_calls(), 0);
}

#[test]
fn validation_never_generates_an_app_token() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(
        &[
            e.profile_3cx("admin", &d, "900", ADMIN, false),
            e.profile_3cx("noapi", &d, "901", OTHER, false),
            e.profile_3cx("low", &d, "902", OTHER, false),
            e.profile_3cx("app", &d, "903", APP, false),
            e.profile_3cx("wrong", &d, "903", OTHER, false),
        ]
        .concat(),
    );
    let o = e.run_quiet(&["validate", "--all", "--json"], None);
    assert_eq!(o.code, 3, "noapi and wrong are refused: {}", o.stdout);
    let requests = e.sim.requests();
    assert!(requests.iter().any(|r| r == "POST /connect/token"), "{requests:?}");
    assert!(!requests.iter().any(|r| r.contains("ServicePrincipals")), "{requests:?}");
}

#[test]
fn app_token_asks_in_a_terminal_and_only_yes_goes_ahead() {
    let e = Env::new();
    let config = e.config().to_string_lossy().to_string();
    let ca = e.ca.to_string_lossy().to_string();
    let state = e.state().to_string_lossy().to_string();
    let env = [("PBXLINK_STATE_DIR", state.as_str()), ("PBXLINK_LOG", "off")];
    let args = ["--config", &config, "--ca-file", &ca, "3cx", "app-token", "admin", "--id", "4"];
    let ask = "Generate a new app token for principal 4 (Number 903)? Its current key may stop working. Type yes:";

    let no = tempfile::tempdir().expect("tempdir");
    let pane = Pane::start(no.path(), &args, &env, 200, 20);
    pane.wait_for(ask);
    pane.text("y");
    pane.keys(&["Enter"]);
    assert_eq!(pane.exit_code(), 1);
    assert!(pane.screen().contains("Nothing generated."));
    assert_eq!(e.generate_calls(), 0, "\"y\" is not yes");

    let yes = tempfile::tempdir().expect("tempdir");
    let pane = Pane::start(yes.path(), &args, &env, 200, 20);
    pane.wait_for(ask);
    pane.text("yes");
    pane.keys(&["Enter"]);
    assert_eq!(pane.exit_code(), 0);
    assert_eq!(e.generate_calls(), 1);
    assert!(pane.screen().contains("printed on stdout"));
}

#[test]
fn sign_in_failures_carry_the_validation_fixes() {
    let e = Env::new();
    let d = e.sim.domain();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    e.write_config(
        &[
            e.profile_3cx("wrong", &d, "903", OTHER, false),
            e.profile_3cx("dead", &format!("127.0.0.1:{closed}"), "900", ADMIN, false),
        ]
        .concat(),
    );
    let o = e.run_quiet(&["3cx", "principals", "wrong"], None);
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("Get a token") && o.stderr.contains("HTTP 401"), "{}", o.stderr);
    assert!(o.stderr.contains("fix: 3CX rejected the Client ID or API key"), "{}", o.stderr);
    let o = e.run_quiet(&["3cx", "app-token", "dead", "--id", "1", "--yes"], None);
    assert_eq!(o.code, 4, "{}", o.stderr);
    assert!(o.stderr.contains("Connect") && o.stderr.contains("refused"), "{}", o.stderr);
    assert!(o.stdout.is_empty() && !o.stderr.contains("may have made a new token"), "{}", o.stderr);
    assert_eq!(e.generate_calls(), 0);
}

/// The calls the TUI will make through an effect: plain data in and out, the token a secret.
#[test]
fn library_calls_return_plain_data() {
    use pbxlink::providers::threecx::principal_requests as principals;
    use pbxlink::validate::Options;
    use secrecy::{ExposeSecret, SecretString};
    let e = Env::new();
    let cx = pbxlink::providers::threecx::ThreeCx {
        domain: e.sim.domain(),
        client_id: "900".into(),
        api_key: SecretString::from(ADMIN),
    };
    let opts = Options { ca_files: vec![e.ca.clone()], ..Options::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let list = rt.block_on(principals::list(&cx, &opts, &mut |_| {})).expect("list");
    assert_eq!(list.iter().filter(|p| p.is_own("900")).map(|p| p.id).collect::<Vec<_>>(), vec![1]);
    let token = rt.block_on(principals::generate_app_token(&cx, 4, &opts, &mut |_| {})).expect("token");
    assert!(!format!("{token:?}").contains(token.expose_secret()), "Debug never shows the token");
    let missing =
        rt.block_on(principals::generate_app_token(&cx, 99, &opts, &mut |_| {})).expect_err("no such principal");
    assert_eq!(missing.kind, pbxlink::report::FailureKind::NotFound);
    assert!(missing.detail.contains("No ServicePrincipal with Id 99"), "{missing:?}");
    let requests = e.sim.requests();
    assert_eq!(requests.iter().filter(|r| r.contains(GENERATE)).count(), 2, "{requests:?}");
    assert_eq!(e.sim.handshakes(), 3, "one TLS connection per call: {requests:?}");
}

/// 3CX's spec adds `IsSystem` to service principals in 20.0.9 (`MyPhoneEnabled` in 20.0.8): a
/// 20.0.5 or 20.0.8 PBX answers a `$select` naming it with OData's 400. The list is read on every
/// V20, and what the PBX's version does not have says so.
#[test]
fn principals_are_listed_on_a_v20_before_20_0_9() {
    for behaviour in [Behaviour::EarlyVersion, Behaviour::OldVersion] {
        let e = Env(Sandbox::start(vec![ThreeCxAccount::new("900", ADMIN, behaviour)], vec![], vec![]));
        e.write_config(&e.profile_3cx("admin", &e.sim.domain(), "900", ADMIN, false));
        let o = e.run_quiet(&["3cx", "principals", "admin"], None);
        assert_eq!(o.code, 0, "{behaviour:?}: {}{}", o.stdout, o.stderr);
        let lines: Vec<&str> = o.stdout.lines().collect();
        assert!(lines[1].starts_with("*  1  900 ") && lines[1].contains(" n/a "), "{behaviour:?}: {}", o.stdout);
        assert!(o.stdout.contains("SYSTEM n/a: not shown on 3CX before 20.0.9\n"), "{}", o.stdout);
        let asked: Vec<String> =
            e.sim.requests().into_iter().filter(|r| r.starts_with("GET /xapi/v1/ServicePrincipals")).collect();
        assert_eq!(asked.len(), 3, "the 400, then the two pages without IsSystem: {asked:?}");
        let o = e.run_quiet(&["3cx", "principals", "admin", "--json"], None);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
        let first = &v["principals"][0];
        assert_eq!(first["is_system"], serde_json::Value::Null, "{v:#}");
        assert_eq!(first["is_system_note"], "not shown on 3CX before 20.0.9", "{v:#}");
        assert_eq!(first["xapi_enabled"], true, "{v:#}");
    }
}
