//! `pbxlink token` with the real binary against the simulator: the token alone on stdout and the
//! one-token note on stderr; a second call hands out the kept token (tried first, no new token
//! asked for), `--fresh` asks for one; the kept file is private and holds no key; a refused key,
//! an unknown profile and an unreadable reference exit as `validate` does, with nothing on stdout.

use super::*;

fn token(e: &Env, args: &[&str]) -> crate::common::sandbox::Out {
    e.run(&[&["token"][..], args].concat(), None, &[])
}

/// How many 3CX tokens were asked for.
pub(super) fn token_posts(e: &Env) -> usize {
    e.sim.requests().iter().filter(|r| r.starts_with("POST /connect/token")).count()
}

#[test]
fn a_token_alone_on_stdout_kept_for_the_next_call() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(&(e.profile("office", &d, "900", GOOD, true) + &e.profile("stale", &d, "900", WRONG, true)));

    let o = token(&e, &["office"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let first = o.stdout.trim_end_matches('\n').to_string();
    assert!(!first.is_empty() && !first.contains(char::is_whitespace), "one token, one line: {:?}", o.stdout);
    assert!(o.stderr.contains("3CX keeps one token per Client ID"), "{}", o.stderr);
    assert_eq!(token_posts(&e), 1);

    // Kept: tried with the cheapest read, handed out again, no new token asked for.
    let o = token(&e, &["office"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout.trim_end(), first, "the kept token");
    assert!(o.stderr.contains("a token issued before"), "{}", o.stderr);
    assert_eq!(token_posts(&e), 1, "no new token: {:?}", e.sim.requests());

    let o = token(&e, &["office", "--fresh"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let fresh = o.stdout.trim_end().to_string();
    assert_ne!(fresh, first, "--fresh asks for a new one");
    assert_eq!(token_posts(&e), 2);

    let kept: Vec<_> = std::fs::read_dir(e.state().join("tokens"))
        .expect("tokens dir")
        .filter_map(|f| f.ok().map(|f| f.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::metadata(&kept[0]).expect("meta").permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&kept[0]).expect("read");
    assert!(text.contains(&fresh) && !text.contains(GOOD), "the token, never the key");

    // A token ended by another holder is never handed out: the read fails, a new one is asked.
    let other = token(&e, &["stale"]);
    assert_eq!(other.code, 3, "a refused key: {}", other.stderr);
    assert!(other.stdout.is_empty(), "nothing on stdout: {:?}", other.stdout);
    assert!(other.stderr.contains("fix:"), "{}", other.stderr);

    let o = token(&e, &["nobody"]);
    assert_eq!(o.code, 2);
    assert!(o.stdout.is_empty() && o.stderr.contains("no profile named \"nobody\""), "{}", o.stderr);
}

#[test]
fn an_ended_kept_token_is_replaced_and_a_missing_secret_is_named() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(&e.profile("office", &d, "900", GOOD, true));
    let first = token(&e, &["office"]).stdout.trim_end().to_string();
    // `validate` takes a token of its own: with 3CX, the kept one ends.
    assert_eq!(e.run(&["validate", "office"], None, &[]).code, 0);
    let o = token(&e, &["office"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_ne!(o.stdout.trim_end(), first, "an ended token is never handed out");
    assert!(o.stderr.contains("3CX keeps one token"), "a new one: {}", o.stderr);

    let text = e
        .profile("office", &d, "900", "X", true)
        .replace("api_key = \"X\"", "api_key = { env = \"PBXLINK_NO_SUCH_KEY\" }");
    e.write_config(&text);
    let before = e.sim.requests().len();
    let o = token(&e, &["office"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("PBXLINK_NO_SUCH_KEY") && o.stdout.is_empty(), "{}", o.stderr);
    assert_eq!(e.sim.requests().len(), before, "nothing asked of the PBX");
}
