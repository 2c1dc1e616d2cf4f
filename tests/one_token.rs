//! 3CX keeps one active token per Client ID: a new token ends the one anybody else holds, and the
//! simulator does the same. These tests run real pbxlink processes at once over profiles that share
//! a Client ID, and a helper that keeps taking tokens as another program would, and check that no
//! working key is ever reported "unauthorized": pbxlinks wait for each other (a lock across
//! processes), a token ended by someone else is asked again once, and a second one refused too is
//! `token_refused` (no verdict, no other holder claimed), never a rejection.

use crate::common::sandbox::{Guarded, Sandbox};
use pbxlink::providers::cxengine::simulated::CxEngineAccount;
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

const KEY: &str = "key-one-token-5e6f7a8b9c";
const CX_SECRET: &str = "cx-one-token-1a2b3c4d5e";

fn env() -> Guarded {
    let sandbox = Sandbox::start(
        vec![ThreeCxAccount::new("900", KEY, Behaviour::Good)],
        vec![],
        vec![CxEngineAccount::new("7", CX_SECRET)],
    );
    Guarded { sandbox, secrets: vec![KEY, CX_SECRET] }
}

/// Three profiles of the one working Client ID, as an admin's setup might have them.
fn three_profiles(e: &Guarded) {
    let d = e.sim.domain();
    e.write_config(&["office", "office-copy", "monitoring"].map(|n| e.profile_3cx(n, &d, "900", KEY, true)).concat());
}

/// The outcome of each profile of a `validate --json` document: its failure, "ok", or "ok again"
/// when it worked with a second token (another holder had ended the first).
fn outcomes(stdout: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let again = |p: &serde_json::Value| {
        p["checks"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["detail"].as_str().is_some_and(|d| d.contains("with a second token"))))
    };
    v["profiles"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| match p["failure"].as_str() {
                    Some(f) => f.to_string(),
                    None if again(p) => "ok again".to_string(),
                    None => "ok".to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `rounds` rounds of `n` `validate --all --json` processes started together; every outcome.
fn concurrent_rounds(e: &Guarded, rounds: usize, n: usize, separate_state: bool) -> Vec<String> {
    let mut all = Vec::new();
    for round in 0..rounds {
        let children: Vec<_> = (0..n)
            .map(|i| {
                let mut cmd = e.command(&["validate", "--all", "--json", "--timeout", "10"]);
                if separate_state {
                    // Each its own state directory, so no lock is shared: as pbxlinks on two machines.
                    cmd.env("PBXLINK_STATE_DIR", e.dir.path().join(format!("state-{round}-{i}")));
                }
                cmd.stdin(std::process::Stdio::null()).spawn().expect("spawn")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("wait");
            all.extend(outcomes(&String::from_utf8_lossy(&out.stdout)));
        }
    }
    all
}

#[test]
fn processes_sharing_a_client_id_never_report_a_working_key_rejected() {
    let e = env();
    three_profiles(&e);
    // A PBX that takes a moment over each read: the gap between a token and its use, where
    // another holder's new token ends it.
    e.sim.set_read_delay(15);
    let shared = concurrent_rounds(&e, 4, 4, false);
    assert_eq!(shared.len(), 48);
    assert!(shared.iter().all(|o| o == "ok"), "sharing the lock, every validation works: {shared:?}");
    // The control: without a shared lock the same runs do end each other's tokens; each is asked
    // again once, and what is refused twice is token_refused, never unauthorized.
    let apart = concurrent_rounds(&e, 2, 4, true);
    assert!(apart.iter().all(|o| ["ok", "ok again", "token_refused"].contains(&o.as_str())), "{apart:?}");
    assert!(apart.iter().any(|o| o != "ok"), "without the lock tokens are ended: {apart:?}");
}

/// Another program that keeps taking tokens for the same Client ID, as fast as it can.
struct TokenTaker {
    stop: Arc<AtomicBool>,
    taken: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TokenTaker {
    fn start(e: &Guarded) -> TokenTaker {
        let (stop, taken) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
        let (s, t) = (stop.clone(), taken.clone());
        let url = format!("https://{}/connect/token", e.sim.domain());
        let ca = e.sim.ca_pem.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                let client = pbxlink::validate::http_client_for_tests(ca.as_bytes());
                let form = [("client_id", "900"), ("client_secret", KEY), ("grant_type", "client_credentials")];
                while !s.load(Ordering::SeqCst) {
                    if client.post(&url).form(&form).send().await.is_ok_and(|r| r.status().is_success()) {
                        t.fetch_add(1, Ordering::SeqCst);
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            });
        });
        TokenTaker { stop, taken, thread: Some(thread) }
    }
}

impl Drop for TokenTaker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Every token refused at once, the second too, taken under pbxlink's lock: no other holder is
/// proven (a program taking tokens many times a second looks like a refusal), so no holder is
/// claimed: `token_refused`, no verdict on the key, never unauthorized.
#[test]
fn tokens_refused_twice_are_token_refused_never_unauthorized() {
    let e = env();
    e.write_config(&e.profile_3cx("office", &e.sim.domain(), "900", KEY, true));
    // Each read waits 60 ms; the other program takes a token every 5 ms: every token pbxlink gets
    // is ended before it is used, the retry's too.
    e.sim.set_read_delay(60);
    let taker = TokenTaker::start(&e);
    let o = e.run(&["validate", "office", "--json"], None, &[]);
    assert_eq!(o.code, 4, "no verdict, not a rejection: {}{}", o.stdout, o.stderr);
    assert_eq!(outcomes(&o.stdout), vec!["token_refused"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let hint = v["profiles"][0]["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("do not delete it") && hint.contains("its own API integration"), "{hint}");
    assert!(hint.contains("no other holder is proven"), "{hint}");
    let access = v["profiles"][0]["checks"].as_array().and_then(|c| c.iter().find(|c| c["name"] == "access")).cloned();
    let detail = access.and_then(|a| a["detail"].as_str().map(str::to_string)).unwrap_or_default();
    assert!(detail.starts_with("HTTP 401 for two tokens in a row, the second taken under pbxlink's lock"), "{detail}");
    assert!(!detail.contains("another holder"), "{detail}");
    // Refused at every run, whatever the cause: Nagios CRITICAL, not a passing WARNING.
    let o = e.run(&["validate", "office", "--nagios"], None, &[]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stdout.starts_with("PBXLINK CRITICAL - 1 of 1 profiles failed: office token_refused"), "{}", o.stdout);
    let o = e.run(&["validate", "office"], None, &[]);
    assert!(o.stdout.contains("token_refused at access") && !o.stdout.contains("unauthorized"), "{}", o.stdout);
    assert!(taker.taken.load(Ordering::SeqCst) > 0, "the other program did take tokens");
    drop(taker);
    // Alone again, the same key works.
    e.sim.set_read_delay(0);
    let o = e.run(&["validate", "office", "--json"], None, &[]);
    assert_eq!(outcomes(&o.stdout), vec!["ok"], "{}", o.stderr);
}

/// Another pbxlink validating "office" on a slow PBX (3 s a read): it holds the Client ID's token
/// for about 3 s, from a moment after it starts.
struct Holder(std::process::Child);

impl Holder {
    fn start(e: &Guarded) -> Holder {
        e.sim.set_read_delay(3000);
        let child = e.command(&["validate", "office", "--json"]).stdin(std::process::Stdio::null()).spawn();
        std::thread::sleep(Duration::from_millis(400));
        Holder(child.expect("spawn"))
    }

    /// Its validation worked: whoever waited for it never ended its token.
    fn undisturbed(self) {
        let out = self.0.wait_with_output().expect("holder");
        assert_eq!(outcomes(&String::from_utf8_lossy(&out.stdout)), vec!["ok"], "the holder was disturbed");
    }
}

#[test]
fn a_wait_for_another_pbxlink_is_bounded_and_names_it() {
    let e = env();
    e.write_config(&e.profile_3cx("office", &e.sim.domain(), "900", KEY, true));
    let first = Holder::start(&e);
    let o = e.run(&["validate", "office", "--nagios", "--timeout", "1"], None, &[]);
    assert_eq!(o.code, 1, "Nagios WARNING, never CRITICAL, for a wait: {}", o.stdout);
    let o = e.run(&["validate", "office", "--json", "--timeout", "1"], None, &[]);
    assert_eq!(o.code, 4, "{}{}", o.stdout, o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let p = &v["profiles"][0];
    assert_eq!(p["failure"], "token_busy", "its own no-verdict kind, never a failure of the key");
    let token =
        p["checks"].as_array().and_then(|c| c.iter().find(|c| c["name"] == "token")).cloned().unwrap_or_default();
    let detail = token["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("waited 1 s for pbxlink validate (pid ") && detail.contains("no token was asked for"),
        "{detail}"
    );
    assert!(
        p["hint"].as_str().unwrap_or_default().contains("Another pbxlink was using this Client ID's token"),
        "{p:#}"
    );
    first.undisturbed();
}

/// A CX-Engine profile linked to a 3CX profile takes that profile's lock for its read of 3CX.
#[test]
fn the_cx_engine_read_of_a_linked_3cx_waits_for_its_lock_too() {
    let e = env();
    let d = e.sim.domain();
    let cx = format!(
        "[profiles.crm]\nprovider = \"cx-engine\"\nbase_url = \"https://{d}\"\nauth_method = \"client_credentials\"\nclient_id = \"7\"\nclient_secret = \"{CX_SECRET}\"\naccount_id = \"7\"\npbx_profile = \"office\"\nca_file = \"{}\"\n",
        e.ca.display()
    );
    e.write_config(&[e.profile_3cx("office", &d, "900", KEY, true), cx].concat());
    let first = Holder::start(&e);
    let o = e.run(&["validate", "crm", "--json", "--timeout", "1"], None, &[]);
    assert_eq!(o.code, 4, "{}{}", o.stdout, o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let p = &v["profiles"][0];
    assert_eq!(p["failure"], "token_busy", "{p:#}");
    assert!(p["hint"].as_str().unwrap_or_default().contains("linked 3CX profile's token"), "{p:#}");
    first.undisturbed();
}

/// `3cx principals` waits for the lock too, and says for whom on stderr (stdout keeps the table).
#[test]
fn principals_wait_for_another_pbxlink_and_say_so() {
    let e = env();
    e.write_config(&e.profile_3cx("office", &e.sim.domain(), "900", KEY, true));
    let first = Holder::start(&e);
    // The holder's first read is under way; the reads after it answer at once.
    e.sim.set_read_delay(0);
    let o = e.run(&["3cx", "principals", "office"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("waiting for pbxlink validate (pid "), "{}", o.stderr);
    assert!(o.stdout.contains("900") && !o.stdout.contains("waiting"), "{}", o.stdout);
    first.undisturbed();
}
