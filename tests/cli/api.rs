//! `pbxlink api` with the real binary against the simulator: a GET's JSON on stdout with the
//! profile's token (kept and reused, a new one asked once when the kept one was ended), every page
//! with `--paginate`, an error answer on stdout with `validate`'s exit code, and nothing sent that
//! may change the PBX without `--yes` when there is no terminal to ask in.

use super::token::token_posts;
use super::*;

fn api(e: &Env, args: &[&str]) -> crate::common::sandbox::Out {
    e.run(&[&["api"][..], args].concat(), None, &[])
}

#[test]
fn a_get_prints_the_answer_with_the_profiles_token() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(&e.profile("office", &d, "900", GOOD, true));

    let o = api(&e, &["office", "/xapi/v1/Defs?$select=Id"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("the answer's JSON");
    assert!(v.is_object(), "{v}");
    assert_eq!(token_posts(&e), 1);
    // The kept token serves the next call; ended by another holder (validate's own token), a new
    // one is asked once and the request still answers.
    assert_eq!(api(&e, &["office", "/xapi/v1/Defs?$select=Id"]).code, 0);
    assert_eq!(token_posts(&e), 1, "kept: {:?}", e.sim.requests());
    assert_eq!(e.run(&["validate", "office"], None, &[]).code, 0);
    let before = token_posts(&e);
    let o = api(&e, &["office", "/xapi/v1/Defs?$select=Id"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(token_posts(&e), before + 1, "one new token after the 401");

    // Every page: the simulator writes two principals a page, nine in all.
    let o = api(&e, &["office", "/xapi/v1/ServicePrincipals", "--paginate"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("one document");
    assert_eq!(v["value"].as_array().map(Vec::len), Some(9), "{v:#}");
    let pages = e.sim.requests().iter().filter(|r| r.contains("ServicePrincipals")).count();
    assert_eq!(pages, 5, "each page asked once: {:?}", e.sim.requests());

    // A refusal: the answer on stdout, the status on stderr, exit as validate's.
    let o = api(&e, &["office", "/xapi/v1/NoSuchThing"]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("GET /xapi/v1/NoSuchThing"), "{}", o.stderr);
}

#[test]
fn nothing_that_may_change_the_pbx_is_sent_unasked() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(&e.profile("office", &d, "900", GOOD, true));
    let o = api(&e, &["office", "/xapi/v1/Users", "--method", "post", "--field", "Number=100"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("POST /xapi/v1/Users may change") && o.stderr.contains("--yes"), "{}", o.stderr);
    assert!(e.sim.requests().is_empty(), "nothing sent: {:?}", e.sim.requests());
    let o = api(&e, &["office", "/xapi/v1/Users", "--field", "Number=100"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--field builds a JSON body"), "{}", o.stderr);
    let o = api(&e, &["office", "xapi/v1/Users"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("give the API's own path"), "{}", o.stderr);

    let o = api(&e, &["office", "/xapi/v1/Users", "-X", "POST", "--field", "Number=100", "--yes"]);
    assert!(e.sim.requests().iter().any(|r| r.starts_with("POST /xapi/v1/Users")), "{:?}", e.sim.requests());
    assert!((0..=4).contains(&o.code), "{}", o.stderr);
}

/// A server whose answers never end: one answer longer than `api` reads, and a list whose next
/// page always comes, each page a MiB.
struct Endless;

impl pbxlink::simulator::Site for Endless {
    fn answer(&self, parts: &hyper::http::request::Parts, _: &bytes::Bytes) -> Option<pbxlink::simulator::Resp> {
        use pbxlink::simulator::json;
        Some(match parts.uri.path() {
            "/connect/token" => json(200, r#"{"access_token":"endless-token-0123456789","expires_in":60}"#),
            "/xapi/v1/Huge" => json(200, format!("[\"{}\"]", "x".repeat(65 * 1024 * 1024))),
            _ => {
                let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost");
                let page = serde_json::json!({"value": ["y".repeat(1024 * 1024)], "@odata.nextLink": format!("https://{host}/xapi/v1/Pages?$skip=1")});
                json(200, page.to_string())
            }
        })
    }
}

/// `api` never prints a cut answer as if whole, and `--paginate` stops at its bound: both say so
/// and exit 1, with nothing on stdout, and the process stays small.
#[test]
fn answers_past_the_bound_fail_loudly_and_print_nothing() {
    let e = guarded(Sandbox::start_sites(vec![std::sync::Arc::new(Endless)]));
    e.write_config(&e.profile("office", &e.sim.domain(), "900", GOOD, true));
    let o = api(&e, &["office", "/xapi/v1/Huge"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.is_empty() && o.stderr.contains("longer than 64 MiB: nothing printed"), "{}", o.stderr);
    let o = api(&e, &["office", "/xapi/v1/Pages", "--paginate"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.is_empty() && o.stderr.contains("the pages came to more than 64 MiB"), "{}", o.stderr);
}
