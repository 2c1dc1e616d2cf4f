//! The WHATWG URL test data (`tests/urltestdata.json`, shipped in the `url` crate that is already
//! in the dependency graph, found with `cargo metadata`; never copied into this repository) run
//! through pbxlink's host normaliser, and compared with the spec's verdict: a failure, or the
//! hostname and port it expects for an http or https URL.
//!
//! pbxlink is stricter on purpose (HTTPS only, no credentials in the address, no `_`, no control
//! or invisible characters, ...), and it reads a bare `name` or `name:5001` as a host where the
//! spec needs a scheme. Every difference is listed, under its one-line reason, in
//! `tests/data/whatwg-host-differences.txt`: regenerated with `PBXLINK_UPDATE_WHATWG=1`, checked
//! otherwise, so that a change of behaviour shows up as a diff.

use pbxlink::host::normalise_host;
use std::collections::BTreeMap;
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};

const DIFFERENCES: &str = "tests/data/whatwg-host-differences.txt";

/// `tests/urltestdata.json` of the `url` package in this project's dependency graph, and its
/// version; or why it cannot be found.
fn find_test_data() -> Result<(PathBuf, String), String> {
    let cargo = std::env::var("CARGO").ok().or(option_env!("CARGO").map(str::to_string)).unwrap_or("cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let run = |offline: bool| {
        let mut c = std::process::Command::new(&cargo);
        c.args(["metadata", "--format-version", "1", "--manifest-path"]).arg(&manifest);
        if offline {
            c.arg("--offline");
        }
        c.output()
    };
    let out = match run(true) {
        Ok(o) if o.status.success() => o,
        _ => run(false).map_err(|e| format!("cannot run {cargo} metadata: {e}"))?,
    };
    if !out.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: not JSON: {e}"))?;
    let url = meta["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "url"))
        .ok_or("the url package is not in the dependency graph")?;
    let dir = url["manifest_path"].as_str().and_then(|m| Path::new(m).parent()).ok_or("url has no manifest path")?;
    let data = dir.join("tests/urltestdata.json");
    if !data.is_file() {
        return Err(format!("{} does not exist (the url package was published without its tests?)", data.display()));
    }
    Ok((data, url["version"].as_str().unwrap_or("?").to_string()))
}

/// What a case says about where one would connect.
#[derive(Debug, Clone, PartialEq)]
enum Verdict {
    Refused(String),
    /// An http(s) URL's hostname (IPv6 in brackets) and effective port.
    Host {
        scheme: &'static str,
        host: String,
        port: u16,
    },
    /// A valid URL of another scheme (`file:`, `mailto:`, ...): nothing to connect to over HTTPS.
    OtherScheme(String),
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Refused(why) if why.is_empty() => write!(f, "failure"),
            Verdict::Refused(why) => write!(f, "refused ({why})"),
            Verdict::Host { scheme, host, port } => write!(f, "{scheme} {host} port {port}"),
            Verdict::OtherScheme(s) => write!(f, "a {s} URL"),
        }
    }
}

fn spec_verdict(case: &serde_json::Value) -> Verdict {
    if case["failure"] == true {
        return Verdict::Refused(String::new());
    }
    let protocol = case["protocol"].as_str().unwrap_or("");
    let scheme = match protocol {
        "https:" => "https",
        "http:" => "http",
        other => return Verdict::OtherScheme(other.to_string()),
    };
    let default = if scheme == "https" { 443 } else { 80 };
    let port = case["port"].as_str().and_then(|p| p.parse().ok()).unwrap_or(default);
    Verdict::Host { scheme, host: case["hostname"].as_str().unwrap_or("").to_string(), port }
}

fn pbxlink_verdict(input: &str) -> Verdict {
    match normalise_host(input) {
        Ok(h) => {
            let host = if h.host.contains(':') { format!("[{}]", h.host) } else { h.host.clone() };
            Verdict::Host { scheme: "https", host, port: h.port_or_default() }
        }
        Err(e) => Verdict::Refused(e.reason),
    }
}

/// Same host (IPv6 compared as addresses: `[::ffff:192.0.2.1]` is `[::ffff:c000:201]`) and port.
fn same_target(a: &str, ap: u16, b: &str, bp: u16) -> bool {
    let v6 = |h: &str| h.strip_prefix('[').and_then(|h| h.strip_suffix(']')).and_then(|h| h.parse::<Ipv6Addr>().ok());
    ap == bp && (a == b || v6(a).is_some_and(|x| v6(b) == Some(x)))
}

const SPECIAL: [&str; 6] = ["http", "https", "ws", "wss", "ftp", "file"];

/// The input as the spec sees it before parsing: C0 controls and spaces trimmed, tabs and
/// newlines removed.
fn spec_preprocess(input: &str) -> String {
    input.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect()
}

fn scheme_of(s: &str) -> Option<(String, &str)> {
    let (scheme, rest) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then(|| (scheme.to_ascii_lowercase(), rest))
}

/// Whether the spec's verdict depends only on the input: true without a base, and for an input
/// with its own scheme and authority. pbxlink reads every input on its own, so a case that is
/// relative to its base says nothing about it.
fn independent_of_base(case: &serde_json::Value) -> bool {
    let Some(base) = case["base"].as_str() else { return true };
    let input = spec_preprocess(case["input"].as_str().unwrap_or(""));
    let Some((scheme, rest)) = scheme_of(&input) else { return false };
    let base_scheme = scheme_of(base).map(|(s, _)| s);
    let special = SPECIAL.contains(&scheme.as_str());
    let slashes =
        rest.starts_with("//") || rest.starts_with("\\\\") || rest.starts_with("/\\") || rest.starts_with("\\/");
    !special || base_scheme.as_deref() != Some(scheme.as_str()) || slashes
}

/// Why pbxlink and the spec disagree, as a short key and a one-line reason.
fn category(input: &str, spec: &Verdict, ours: &Verdict) -> (&'static str, &'static str) {
    let pre = spec_preprocess(input);
    match (spec, ours) {
        (Verdict::Refused(_), Verdict::Host { .. }) if !pre.contains("://") => (
            "bare-host",
            "a bare host or host:port with no scheme: pbxlink takes what users type; the spec needs a scheme (it reads name:5001 as a scheme)",
        ),
        (Verdict::OtherScheme(_), Verdict::Host { .. }) => (
            "bare-host",
            "a bare host or host:port with no scheme: pbxlink takes what users type; the spec needs a scheme (it reads name:5001 as a scheme)",
        ),
        (Verdict::Refused(_), Verdict::Host { .. }) => {
            ("accepts-more", "pbxlink accepts an address the spec refuses (see each line)")
        }
        (Verdict::Host { host: a, .. }, Verdict::Host { host: b, .. }) if a.trim_end_matches('.') == b => {
            ("trailing-dot", "a trailing dot is dropped: certificate name checks fail with it")
        }
        (Verdict::Host { .. }, Verdict::Host { .. }) => ("other-host", "both accept but read another host or port"),
        (Verdict::Host { .. }, Verdict::Refused(why)) => refusal(why, &pre),
        _ => ("other", "unclassified"),
    }
}

/// The reason pbxlink refused an address the spec accepts.
fn refusal(why: &str, pre: &str) -> (&'static str, &'static str) {
    let has = |s: &str| why.contains(s);
    // `http:host`, `http:/host`, `http:@host`: a special scheme without its `//`, which the spec
    // tolerates and pbxlink reads as `host:port`.
    let no_slashes = scheme_of(pre).is_some_and(|(s, rest)| SPECIAL.contains(&s.as_str()) && !rest.starts_with("//"));
    if has("control character") {
        ("control", "control characters (tab, newline, ...): the spec strips them silently, pbxlink refuses the paste")
    } else if has("invisible character") {
        (
            "invisible",
            "invisible characters: the spec maps or drops them, pbxlink refuses (they hide where it connects)",
        )
    } else if has("backslash") {
        ("backslash", "a backslash is refused (the spec reads it as /): use forward slashes")
    } else if no_slashes {
        ("no-slashes", "a scheme without // (http:host, http:/host): pbxlink reads the text before the colon as a host")
    } else if has("scheme \"http\"") {
        ("http", "http:// is refused: the APIs need HTTPS, and a key must never travel in the clear")
    } else if has("scheme") {
        ("scheme", "a scheme other than https (in any spelling the spec tolerates) is refused")
    } else if has("user:password@") {
        ("userinfo", "user:password@ is refused: credentials never go in the address")
    } else if has("\"_\"") {
        ("underscore", "_ is not a host name character (STD3 rules): refused")
    } else if has("space") {
        ("space", "a space inside the address is refused")
    } else if has("port is empty") {
        ("empty-port", "an empty port after the colon is refused (the spec ignores it)")
    } else if has("neither an IPv4") {
        ("ipv4-forms", "IPv4 shorthand, hex and octal forms (0x7f.1, 127.1): refused as ambiguous")
    } else if has("empty label") || has("no host") || has("no host name") {
        ("empty-label", "an empty label or an empty host (.., a leading dot, /// ): refused")
    } else if pre.contains('%') && has("not a valid host name") {
        ("percent", "percent-encoding in the host is refused (the spec decodes it)")
    } else if has("not a valid host name") {
        ("std3", "characters outside letters, digits, - and . in a host name (STD3 rules, strict IDNA): refused")
    } else if has("IPv6") || has("colons") || has("after ]") {
        ("ipv6", "an IPv6 form the spec repairs or accepts (embedded IPv4, stray text): refused")
    } else if has("far too long") {
        ("long", "longer than 2048 characters: refused")
    } else {
        ("other", "unclassified")
    }
}

#[test]
fn whatwg_url_test_data_against_the_host_normaliser() {
    let (path, version) = match find_test_data() {
        Ok(found) => found,
        Err(why) => {
            println!("SKIPPED: the WHATWG URL test data was not found: {why}");
            return;
        }
    };
    let text = std::fs::read_to_string(&path).expect("read urltestdata.json");
    let data: serde_json::Value = serde_json::from_str(&text).expect("urltestdata.json is JSON");
    let cases: Vec<&serde_json::Value> = data.as_array().expect("a list").iter().filter(|c| c.is_object()).collect();
    let (mut compared, mut skipped, mut agree) = (0, 0, 0);
    // category key -> (reason, lines)
    let mut diffs: BTreeMap<&str, (&str, Vec<String>)> = BTreeMap::new();
    for case in &cases {
        let input = case["input"].as_str().expect("input");
        if !independent_of_base(case) {
            skipped += 1;
            continue;
        }
        compared += 1;
        let spec = spec_verdict(case);
        let ours = pbxlink_verdict(input);
        let agrees = match (&spec, &ours) {
            (Verdict::Refused(_) | Verdict::OtherScheme(_), Verdict::Refused(_)) => true,
            (Verdict::Host { host: a, port: ap, .. }, Verdict::Host { host: b, port: bp, .. }) => {
                same_target(a, *ap, b, *bp)
            }
            _ => false,
        };
        if agrees {
            agree += 1;
            continue;
        }
        let (key, reason) = category(input, &spec, &ours);
        let base = case["base"].as_str().map(|b| format!(" (base {b})")).unwrap_or_default();
        let line = format!("{input:?}{base}\n    spec: {spec}\n    pbxlink: {ours}");
        diffs.entry(key).or_insert((reason, Vec::new())).1.push(line);
    }
    let differ = compared - agree;
    let mut out = format!(
        "# The WHATWG URL test data (urltestdata.json of the url crate {version}) through pbxlink's\n\
         # host normaliser (src/host.rs). Written by `PBXLINK_UPDATE_WHATWG=1 cargo test --test\n\
         # whatwg`, checked by `cargo test`. Cases relative to their base are skipped: pbxlink reads every\n\
         # input on its own. IPv6 addresses are compared as addresses; an explicit default port is the\n\
         # same target as none.\n\
         #\n\
         # {} cases: {compared} compared ({skipped} skipped as relative to their base), {agree} agree, {differ} differ.\n",
        cases.len()
    );
    for (key, (_, lines)) in &diffs {
        out.push_str(&format!("#   {:>4}  {key}\n", lines.len()));
    }
    for (key, (reason, lines)) in &diffs {
        out.push_str(&format!("\n## {key} ({}): {reason}\n\n", lines.len()));
        for l in lines {
            out.push_str(l);
            out.push('\n');
        }
    }
    println!(
        "WHATWG url {version}: {} cases, {compared} compared, {skipped} skipped, {agree} agree, {differ} differ",
        cases.len()
    );
    for (key, (_, lines)) in &diffs {
        println!("  {:>4}  {key}", lines.len());
    }
    assert!(!diffs.contains_key("other"), "unclassified differences: {:#?}", diffs.get("other"));
    assert!(compared > 500 && agree > compared / 3, "too few comparable cases: the data or the comparison broke");

    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIFFERENCES);
    if std::env::var_os("PBXLINK_UPDATE_WHATWG").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(committed.parent().expect("dir")).expect("mkdir");
        std::fs::write(&committed, &out).expect("write the differences");
        println!("wrote {DIFFERENCES}");
        return;
    }
    let want = std::fs::read_to_string(&committed).unwrap_or_default();
    if want != out {
        let first = want
            .lines()
            .zip(out.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(out.lines().count()));
        panic!(
            "pbxlink's verdicts on the WHATWG data changed (first difference at line {}):\n  committed: {:?}\n  now:       {:?}\n\
             If the change is intended, run PBXLINK_UPDATE_WHATWG=1 cargo test --test main whatwg:: and commit {DIFFERENCES}.",
            first + 1,
            want.lines().nth(first).unwrap_or("<end>"),
            out.lines().nth(first).unwrap_or("<end>")
        );
    }
}
