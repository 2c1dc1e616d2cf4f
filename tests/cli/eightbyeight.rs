//! 8x8 from the command line: products by name, the Client ID hint, scripted add/validate/show.

use super::*;

use pbxlink::providers::eightbyeight::simulated::{EightByEightAccount, Grants};

const SECRET8: &str = "cli-8x8-secret-4b5c6d7e8f";

fn env() -> (Env, String) {
    let x8 = vec![
        EightByEightAccount::new("app", SECRET8, Grants::All),
        EightByEightAccount::new("nochat", SECRET8, Grants::NoChat),
        EightByEightAccount::new("eght_cli_app", SECRET8, Grants::All),
    ];
    let e = guarded(Sandbox::start(vec![], x8, vec![]));
    let domain = e.sim.domain();
    (e, domain)
}

/// `pbxlink add 8x8 --non-interactive` against the simulator, the secret on stdin.
fn add_8x8(e: &Env, base: &str, name: &str, client: &str, products: &str) -> crate::common::sandbox::Out {
    let ca = e.ca.to_string_lossy().to_string();
    let args = [
        "--ca-file",
        &ca,
        "add",
        "8x8",
        "--non-interactive",
        "--name",
        name,
        "--client-id",
        client,
        "--products",
        products,
        "--base-url",
        base,
        "--client-secret-stdin",
    ];
    e.run(&args, Some(&format!("{SECRET8}\n")), &[])
}

/// `--products` takes the names the Admin Console shows, in any case; the soft eght_ hint is on
/// the Client ID (8x8's Key), never on the secret.
#[test]
fn products_by_name_and_the_client_id_hint() {
    let (e, base) = env();
    let add = |name: &str, client: &str, products: &str| add_8x8(&e, &base, name, client, products);
    let o = add("named", "app", "CC Realtime Analytics,cloud storage service");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("note: 8x8 Client IDs start with eght_ (the app's Key)"), "{}", o.stderr);
    assert!(!o.stderr.contains("secrets usually start"), "{}", o.stderr);
    let text = std::fs::read_to_string(e.config()).expect("config");
    assert!(text.contains("products = [\"cc-realtime-analytics\", \"cloud-storage\"]"), "{text}");
    let o = add("eght", "eght_cli_app", "Cloud Storage Service");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stderr.contains("note:"), "a Client ID with eght_ gets no hint: {}", o.stderr);
}

#[test]
fn scripted_add_validate_show_for_8x8() {
    let (e, base) = env();
    let add = |name: &str, client: &str, products: &str| add_8x8(&e, &base, name, client, products);
    let o = add("cc", "app", "cloud-storage,cc-chat");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = add("partial", "nochat", "cloud-storage,cc-chat");
    assert_eq!(o.code, 3, "a missing product is an access rejection: {}", o.stderr);
    assert!(
        o.stderr.contains("not granted: Contact Center Chat") && o.stderr.contains("Nothing was saved"),
        "{}",
        o.stderr
    );
    let o = add("bad", "app", "cloud-storage,telepathy");
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown product \"telepathy\""), "{}", o.stderr);
    // The 3CX secret flags are refused for 8x8, with the right name.
    let o = e.run(
        &[
            "add",
            "8x8",
            "--non-interactive",
            "--name",
            "x",
            "--client-id",
            "app",
            "--products",
            "cc-chat",
            "--api-key-env",
            "K",
        ],
        None,
        &[("K", SECRET8)],
    );
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--client-secret-stdin"), "{}", o.stderr);

    let text = std::fs::read_to_string(e.config()).expect("config");
    assert!(
        text.contains("provider = \"8x8\"") && text.contains("products = [\"cloud-storage\", \"cc-chat\"]"),
        "{text}"
    );
    assert!(text.contains(&format!("base_url = \"{base}\"")), "{text}");
    let (code, v) = e.validate_json("cc", &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["profiles"][0]["provider"], "8x8");
    assert_eq!(v["profiles"][0]["checks"][3]["name"], "products");
    let o = e.run(&["show", "cc"], None, &[]);
    assert!(o.stdout.contains("client_secret = \"…7e8f\"  # redacted"), "{}", o.stdout);
    let o = e.run(&["list"], None, &[]);
    assert!(o.stdout.contains("8x8") && o.stdout.contains("ok ("), "{}", o.stdout);
}

#[test]
fn token_prints_an_8x8_token_and_keeps_it_for_its_lifetime() {
    let (e, base) = env();
    assert_eq!(add_8x8(&e, &base, "cc", "app", "cloud-storage").code, 0);
    let posts = || e.sim.requests().iter().filter(|r| r.starts_with("POST /oauth")).count();
    let before = posts();
    let o = e.run(&["token", "cc"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let first = o.stdout.trim_end().to_string();
    assert!(!first.is_empty() && !o.stderr.contains("3CX"), "{}", o.stderr);
    assert_eq!(posts(), before + 1);
    let o = e.run(&["token", "cc"], None, &[]);
    assert_eq!((o.code, o.stdout.trim_end()), (0, first.as_str()), "8x8 states its lifetime (1799 s): kept");
    assert_eq!(posts(), before + 1, "no new token");
}

#[test]
fn api_calls_an_8x8_api_at_the_profiles_base_url_with_its_token() {
    let (e, base) = env();
    assert_eq!(add_8x8(&e, &base, "cc", "app", "cloud-storage").code, 0);
    let o = e.run(&["api", "cc", "/storage/us-east/v3/objects"], None, &[]);
    assert_eq!((o.code, o.stdout.trim()), (0, "[]"), "{}", o.stderr);
    assert!(
        e.sim.requests().iter().any(|r| r.starts_with("GET /storage/us-east/v3/objects")),
        "{:?}",
        e.sim.requests()
    );
    // A path 8x8 does not serve: its answer on stdout, exit as validate's for a 404 (4: the
    // address, not the key).
    let o = e.run(&["api", "cc", "/nowhere"], None, &[]);
    assert_eq!(o.code, 4, "{}", o.stderr);
    assert!(o.stderr.contains("GET /nowhere"), "{}", o.stderr);
}
