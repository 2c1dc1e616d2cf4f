//! The secret leak sweep: every non-interactive command, run for real against the simulator with
//! this test's own secrets, debug logging on and a `--log-file`; then every stdout, every stderr,
//! the log, the state files, the files beside `profiles.toml` (but that file and its backup, which
//! hold the secrets by design) and the command lines (`/proc/<pid>/cmdline` of running pbxlink
//! processes) are searched for each secret, and for the forms it travels in (HTTP Basic). Zero hits.
//! The TUI's screens are covered by `tests/screens.rs` and `tests/terminal.rs`.

use base64::Engine;

use crate::common::sandbox::Sandbox;
use pbxlink::providers::cxengine::simulated::CxEngineAccount;
use pbxlink::providers::eightbyeight::simulated::{EightByEightAccount, Grants};
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount};
use std::cell::RefCell;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const KEY_3CX: &str = "leak-3cx-Key-a1b2c3d4e5f6";
const WRONG_3CX: &str = "leak-3cx-Wrong-z9y8x7w6v5";
const SECRET_8X8: &str = "leak-8x8-Secret-0f1e2d3c";
const WRONG_8X8: &str = "leak-8x8-Wrong-4b5a6978";
const SECRET_CX: &str = "leak-cx-Secret-9a8b7c6d5e4f";
const WRONG_CX: &str = "leak-cx-Wrong-3e2d1c0b9a8f";

/// The shared sandbox (tests/common/sandbox.rs), plus the command lines seen and a count.
struct Sweep {
    sandbox: Sandbox,
    /// Command lines read from /proc while pbxlink ran.
    cmdlines: RefCell<Vec<String>>,
    commands: RefCell<usize>,
}

impl std::ops::Deref for Sweep {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

impl Sweep {
    fn new() -> Sweep {
        let sandbox = Sandbox::start(
            vec![ThreeCxAccount::new("900", KEY_3CX, Behaviour::Good)],
            vec![EightByEightAccount::new("app", SECRET_8X8, Grants::All)],
            vec![CxEngineAccount::new("7", SECRET_CX)],
        );
        Sweep { sandbox, cmdlines: RefCell::new(Vec::new()), commands: RefCell::new(0) }
    }

    /// Runs pbxlink with `args` (after the global flags), the secret, if any, on stdin or in the
    /// environment; returns the exit code.
    fn run(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> i32 {
        for a in args {
            for s in all_secrets() {
                assert!(!a.contains(&s), "a secret was about to be passed as an argument: {args:?}");
            }
        }
        let (ca, log) = (self.ca.to_string_lossy().into_owned(), self.log().to_string_lossy().into_owned());
        let mut cmd = self.command(&["--ca-file", &ca, "--log-file", &log, "--no-proxy"]);
        cmd.args(args).envs(env.iter().copied());
        // While it waits for its stdin, the process is certainly alive: read its command line.
        let o = self.output(cmd, stdin.map(str::as_bytes), &format!("{args:?}"), false, |pid| {
            if let Ok(line) = std::fs::read(format!("/proc/{pid}/cmdline")) {
                self.cmdlines.borrow_mut().push(String::from_utf8_lossy(&line).replace('\0', " "));
            }
        });
        *self.commands.borrow_mut() += 1;
        o.code
    }
}

/// Each secret, and the forms it is sent in: HTTP Basic carries `client_id:secret` in base64.
fn all_secrets() -> Vec<String> {
    let mut v: Vec<String> =
        [KEY_3CX, WRONG_3CX, SECRET_8X8, WRONG_8X8, SECRET_CX, WRONG_CX].iter().map(|s| s.to_string()).collect();
    for s in [SECRET_8X8, WRONG_8X8] {
        v.push(base64::engine::general_purpose::STANDARD.encode(format!("app:{s}")));
    }
    // The simulated PBX's licence key, in every SystemStatus it answers: pbxlink never shows it.
    v.push("SIMU-LATED-LICE-NSE0".to_string());
    v
}

/// Every file under `dir` (recursively), but those `skip` names.
fn files_under(dir: &Path, skip: &[&Path]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let p = e.path();
        if skip.contains(&p.as_path()) {
            continue;
        }
        if p.is_dir() {
            out.extend(files_under(&p, skip));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn no_secret_in_any_output_log_state_file_or_command_line() {
    let s = Sweep::new();
    let d = s.sim.domain();
    let tpl = s.dir.path().join("CXEngine.xml");
    std::fs::write(&tpl, pbxlink::simulator::DEMO_TEMPLATE).expect("template");
    let tpl = tpl.to_string_lossy().into_owned();
    let key_file = s.dir.path().join("key.txt");
    std::fs::write(&key_file, format!("{KEY_3CX}\n")).expect("key file");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let key_file = key_file.to_string_lossy().into_owned();
    let add3 = |name: &str| {
        ["add", "3cx", "--non-interactive", "--name", name, "--domain", &d, "--client-id", "900"]
            .map(str::to_string)
            .to_vec()
    };
    let v = |a: Vec<String>, more: &[&str]| -> Vec<String> {
        a.into_iter().chain(more.iter().map(|m| m.to_string())).collect()
    };
    let run = |a: Vec<String>, stdin: Option<&str>, env: &[(&str, &str)]| {
        s.run(&a.iter().map(String::as_str).collect::<Vec<_>>(), stdin, env)
    };

    // add, for each provider and each secret source; a wrong secret fails and saves nothing.
    assert_eq!(run(v(add3("pbx"), &["--api-key-stdin"]), Some(KEY_3CX), &[]), 0);
    assert_eq!(run(v(add3("pbx-file"), &["--api-key-file", &key_file]), None, &[]), 0);
    assert_eq!(run(v(add3("pbx-env"), &["--api-key-env", "PBX_KEY"]), None, &[("PBX_KEY", KEY_3CX)]), 0);
    assert_eq!(run(v(add3("pbx-wrong"), &["--api-key-stdin"]), Some(WRONG_3CX), &[]), 3);
    // References, read at each use (and by every command below): an env var, a command, the keyring.
    #[cfg_attr(not(feature = "keyring"), allow(unused_mut))]
    let mut refs: Vec<(&str, String)> = vec![("PBX_REF", KEY_3CX.to_string())];
    #[cfg(feature = "keyring")]
    let keyring = crate::common::secret_service::SecretService::start();
    #[cfg(feature = "keyring")]
    refs.extend(keyring.env());
    let refs: Vec<(&str, &str)> = refs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(run(v(add3("pbx-ref-env"), &["--api-key-ref", "env:PBX_REF"]), None, &refs), 0);
    assert_eq!(run(v(add3("pbx-ref-cmd"), &["--api-key-ref", &format!("command:cat {key_file}")]), None, &refs), 0);
    #[cfg(feature = "keyring")]
    {
        assert_eq!(
            run(v(add3("pbx-keyring"), &["--api-key-ref", "keyring", "--api-key-stdin"]), Some(KEY_3CX), &refs),
            0
        );
        assert_eq!(
            run(v(add3("pbx-keyring-wrong"), &["--api-key-ref", "keyring", "--api-key-stdin"]), Some(WRONG_3CX), &refs),
            3
        );
        assert_eq!(keyring.lookup("pbx-keyring/api_key").as_deref(), Some(KEY_3CX));
    }
    let add8 = |name: &str| {
        let a = ["add", "8x8", "--non-interactive", "--name", name, "--client-id", "app", "--base-url", &d];
        v(a.map(str::to_string).to_vec(), &["--products", "cloud-storage,cc-chat"])
    };
    assert_eq!(run(v(add8("cc"), &["--client-secret-stdin"]), Some(SECRET_8X8), &[]), 0);
    assert_eq!(run(v(add8("cc-env"), &["--client-secret-env", "K8"]), None, &[("K8", SECRET_8X8)]), 0);
    assert_eq!(run(v(add8("cc-wrong"), &["--client-secret-stdin"]), Some(WRONG_8X8), &[]), 3);
    let url = format!("https://{d}/crm");
    let addcx = |name: &str| {
        let a = ["add", "cx-engine", "--non-interactive", "--name", name, "--base-url", &url];
        v(
            a.map(str::to_string).to_vec(),
            &[
                "--auth-method",
                "client_credentials",
                "--client-id",
                "7",
                "--account-id",
                "7",
                "--template",
                &tpl,
                "--pbx-profile",
                "pbx",
            ],
        )
    };
    assert_eq!(run(v(addcx("crm"), &["--client-secret-stdin"]), Some(SECRET_CX), &[]), 0);
    assert_eq!(run(v(addcx("crm-wrong"), &["--client-secret-env", "KCX"]), None, &[("KCX", WRONG_CX)]), 3);

    // A saved profile whose key is now wrong, so that validate reports a refusal too.
    let mut text = std::fs::read_to_string(s.config()).expect("config");
    text.push_str(&format!(
        "\n[profiles.stale]\nprovider = \"3cx\"\ndomain = \"{d}\"\nclient_id = \"900\"\napi_key = \"{WRONG_3CX}\"\nca_file = \"{}\"\n",
        s.ca.display()
    ));
    std::fs::write(s.config(), text).expect("write");

    // Import files (outside the searched directories: they hold secrets on purpose), one only its
    // owner can read and one others can, and where export writes (searched).
    let imports = s.dir.path().join("imports");
    std::fs::create_dir(&imports).expect("imports dir");
    let rows = format!(
        "name,provider,domain,client_id,api_key,ca_file\nimp-ok,3cx,{d},900,{KEY_3CX},{ca}\nimp-wrong,3cx,{d},900,{WRONG_3CX},{ca}\nimp-ref,3cx,{d},900,env:PBX_REF,{ca}\n",
        ca = s.ca.display()
    );
    let (imp, imp_open) = (imports.join("pbxs.csv"), imports.join("open.csv"));
    for (path, mode) in [(&imp, 0o600), (&imp_open, 0o644)] {
        std::fs::write(path, &rows).expect("import file");
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let (imp, imp_open) = (imp.display().to_string(), imp_open.display().to_string());
    let exported = s.config().with_file_name("exported.toml").display().to_string();
    for args in [
        &["validate", "--all"][..],
        &["validate", "--all", "--json"],
        &["validate", "--all", "--nagios"],
        &["validate", "pbx", "cc", "crm", "--json"],
        &["list"],
        &["list", "--json"],
        &["show", "pbx"],
        &["show", "cc", "--json"],
        &["show", "crm"],
        &["show", "stale", "--json"],
        &["show", "pbx-ref-cmd", "--json"],
        &["validate", "pbx-ref-env", "pbx-ref-cmd", "--json"],
        &["validate", "pbx-keyring", "--nagios"],
        &["rename", "pbx-keyring", "pbx-kr"],
        &["token", "pbx"],
        &["token", "pbx"],
        &["token", "stale"],
        &["token", "cc", "--fresh"],
        &["token", "pbx-ref-cmd"],
        &["api", "pbx", "/xapi/v1/ServicePrincipals", "--paginate"],
        &["api", "stale", "/xapi/v1/Defs"],
        &["api", "cc", "/storage/us-east/v3/objects"],
        &["validate", "pbx-kr"],
        &["import", &imp],
        &["import", &imp, "--json", "--replace"],
        &["import", &imp_open, "--json"],
        &["export"],
        &["export", "--output", &exported],
        &["paths"],
        &["3cx", "principals", "pbx"],
        &["3cx", "principals", "pbx", "--json"],
        &["3cx", "principals", "stale"],
        &["cx-engine", "check-template", &tpl],
        &["cx-engine", "check-template", &tpl, "--json"],
        &["remove", "pbx-file", "--yes"],
        &["remove", "stale", "--yes"],
    ] {
        let code = s.run(args, None, &refs);
        assert!((0..=4).contains(&code), "{args:?} exited {code}");
    }

    // Everything written: outputs, the log, the state files, and the files beside profiles.toml
    // (its lock; never a temp file) but the profiles file and its backup, which hold the secrets.
    let log = std::fs::read_to_string(s.log()).expect("the log");
    assert!(log.contains("DEBUG") || log.contains("validation finished"), "debug logging was on: {log}");
    let mut texts: Vec<(String, String)> = s.outputs.borrow().clone();
    texts.push(("the log".into(), log));
    let config = s.config();
    let bak = config.with_file_name("profiles.toml.bak");
    let log_path = s.log();
    let skip = [config.as_path(), bak.as_path(), log_path.as_path()];
    let mut files = files_under(&s.state(), &skip);
    files.extend(files_under(config.parent().expect("dir"), &skip));
    files.extend(files_under(&s.dir.path().join("logs"), &skip));
    assert!(files.iter().any(|f| f.ends_with("last-results.json")), "{files:?}");
    for f in &files {
        texts.push((f.display().to_string(), String::from_utf8_lossy(&std::fs::read(f).expect("read")).into()));
    }
    for (i, c) in s.cmdlines.borrow().iter().enumerate() {
        texts.push((format!("command line {i}"), c.clone()));
    }
    let mut hits = Vec::new();
    for (where_, text) in &texts {
        for secret in all_secrets() {
            if text.contains(&secret) {
                hits.push(format!("{secret} in {where_}:\n{text}"));
            }
        }
    }
    // The search itself works: the profiles file does hold the saved secrets.
    let saved = std::fs::read_to_string(&config).expect("config");
    assert!(saved.contains(KEY_3CX) && saved.contains(SECRET_8X8) && saved.contains(SECRET_CX));
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    println!(
        "leak sweep: {} commands, {} texts searched ({} outputs, {} files, {} command lines; {bytes} bytes) for {} secret forms: {} hits",
        s.commands.borrow(),
        texts.len(),
        s.outputs.borrow().len(),
        files.len() + 1,
        s.cmdlines.borrow().len(),
        all_secrets().len(),
        hits.len()
    );
    assert!(hits.is_empty(), "secrets leaked:\n{}", hits.join("\n---\n"));
}

/// A server that echoes every request it refuses (the form with the secret, the Basic and the
/// Bearer headers) in its error text, as some do: none of it reaches an output, the log or a
/// state file.
struct EchoSite;

/// The token the echoing server issues to Client ID `echo-ok`, then echoes back.
const ECHO_TOKEN: &str = "leak-echo-Token-7f6e5d4c3b2a";

impl pbxlink::simulator::Site for EchoSite {
    fn answer(&self, parts: &hyper::http::request::Parts, body: &bytes::Bytes) -> Option<pbxlink::simulator::Resp> {
        let auth = parts.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
        let echo =
            format!("{} {} authorization: {auth}; body: {}", parts.method, parts.uri, String::from_utf8_lossy(body));
        let said = |status: u16| {
            let body = serde_json::json!({"error": "invalid_client", "error_description": echo, "ErrorCode": "x", "Error": echo, "message": echo});
            pbxlink::simulator::json(status, body.to_string())
        };
        if parts.uri.path() == "/connect/token" && String::from_utf8_lossy(body).contains("client_id=echo-ok") {
            let token = serde_json::json!({"access_token": ECHO_TOKEN, "expires_in": 60});
            return Some(pbxlink::simulator::json(200, token.to_string()));
        }
        Some(said(if parts.method == hyper::Method::GET { 400 } else { 401 }))
    }
}

#[test]
fn a_server_that_echoes_requests_and_a_command_that_prints_its_secret_leak_nothing() {
    const ECHO_KEY: &str = "leak-echo-Key-1a2b3c4d5e6f";
    const ECHO_8X8: &str = "leak-echo-8x8-Secret-99aa88bb";
    const ECHO_CX: &str = "leak-echo-cx-Secret-77cc66dd";
    const CMD_SECRET: &str = "leak-cmd-Secret-5544332211";
    let s = Sandbox::start_sites(vec![std::sync::Arc::new(EchoSite)]);
    let d = s.sim.domain();
    let ca = s.ca.display().to_string();
    // The commands read their secret from a file, as `pass` reads its store: never in their argv.
    let store = s.dir.path().join("store.txt");
    std::fs::write(&store, format!("{CMD_SECRET}\n")).expect("store");
    let store = store.display();
    let profiles = format!(
        "[profiles.refused]\nprovider = \"3cx\"\ndomain = \"{d}\"\nclient_id = \"900\"\napi_key = \"{ECHO_KEY}\"\nca_file = \"{ca}\"\n\
         [profiles.read]\nprovider = \"3cx\"\ndomain = \"{d}\"\nclient_id = \"echo-ok\"\napi_key = {{ env = \"ECHO_KEY\" }}\nca_file = \"{ca}\"\n\
         [profiles.app]\nprovider = \"8x8\"\nbase_url = \"{d}\"\nclient_id = \"eght_app\"\nclient_secret = \"{ECHO_8X8}\"\nproducts = [\"cloud-storage\"]\nca_file = \"{ca}\"\n\
         [profiles.crm]\nprovider = \"cx-engine\"\nbase_url = \"https://{d}\"\nauth_method = \"client_credentials\"\nclient_id = \"7\"\nclient_secret = {{ env = \"ECHO_CX\" }}\naccount_id = \"7\"\nca_file = \"{ca}\"\n\
         [profiles.cmd]\nprovider = \"3cx\"\ndomain = \"{d}\"\nclient_id = \"900\"\napi_key = {{ command = [\"sh\", \"-c\", \"cat {store}; echo bad key $(cat {store}) here >&2; exit 1\"] }}\nca_file = \"{ca}\"\n\
         [profiles.cmd-stderr]\nprovider = \"3cx\"\ndomain = \"{d}\"\nclient_id = \"900\"\napi_key = {{ command = [\"sh\", \"-c\", \"echo the secret is $(cat {store}) >&2; exit 1\"] }}\nca_file = \"{ca}\"\n"
    );
    s.write_config(&profiles);
    let log = s.log().display().to_string();
    let env = [("ECHO_KEY", ECHO_KEY), ("ECHO_CX", ECHO_CX)];
    let mut outputs = Vec::new();
    for args in [
        &["validate", "--all"][..],
        &["validate", "--all", "--json"],
        &["validate", "--all", "--nagios"],
        &["validate", "--all", "--prometheus"],
        &["token", "refused"],
        &["api", "read", "/xapi/v1/Defs"],
        &["3cx", "principals", "read"],
        &["list", "--json"],
        &["history", "refused", "--json"],
    ] {
        let mut cmd = s.command(&["--log-file", &log]);
        cmd.args(args).envs(env);
        let out = cmd.output().expect("run");
        outputs.push((format!("{args:?}"), String::from_utf8_lossy(&out.stdout).to_string()));
        outputs.push((format!("stderr of {args:?}"), String::from_utf8_lossy(&out.stderr).to_string()));
    }
    // The echo did come back, and said what the server saw, without the secrets.
    let all: String = outputs.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.contains("client_secret=[redacted]") && all.contains("Basic [redacted]"), "{all}");
    assert!(all.contains("Bearer [redacted]"), "{all}");
    assert!(all.contains("bad key [redacted] here"), "the command's own words, without its secret: {all}");
    let mut texts = outputs;
    texts.push(("the log".into(), std::fs::read_to_string(s.log()).unwrap_or_default()));
    for f in files_under(&s.state(), &[]) {
        texts.push((f.display().to_string(), String::from_utf8_lossy(&std::fs::read(&f).expect("read")).into()));
    }
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("eght_app:{ECHO_8X8}"));
    let mut hits = Vec::new();
    for (where_, text) in &texts {
        for secret in [ECHO_KEY, ECHO_8X8, ECHO_CX, CMD_SECRET, ECHO_TOKEN, basic.as_str()] {
            if text.contains(secret) {
                hits.push(format!("{secret} in {where_}:\n{text}"));
            }
        }
    }
    println!("echo sweep: {} texts searched: {} hits", texts.len(), hits.len());
    assert!(hits.is_empty(), "secrets echoed back leaked:\n{}", hits.join("\n---\n"));
}
