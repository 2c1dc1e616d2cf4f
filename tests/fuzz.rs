//! Bad input, fuzzed with proptest: everything a user pastes or types (and every file name and
//! template a disk may hold) goes through the checks below thousands of times. For each: it never
//! panics, and every input is either accepted in a normal form (normalising it again gives the
//! same result; no control characters, no stray whitespace) or refused with a non-empty reason
//! that is itself safe to print (no control characters that could move a terminal's cursor).
//!
//! Each property prints how many cases it tried and how many were accepted (`--nocapture`); the
//! README's Reliability section quotes those numbers.

use pbxlink::files::complete::{complete_in, expand_home};
use pbxlink::host::normalise_host;
use pbxlink::providers::cxengine::template_xml::{check_file_name, check_xml};
use pbxlink::wizard::clean_paste;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The longest text a guide field keeps (`wizard::field::MAX_LEN`).
const FIELD_MAX: usize = 4096;

/// Runs `property` over `cases` inputs from `strategy`; the property returns whether the input
/// was accepted (`labels`: what accepted and refused mean for it). Prints the counts.
fn fuzz<S: Strategy>(
    name: &str,
    labels: (&str, &str),
    cases: u32,
    strategy: S,
    property: impl Fn(S::Value) -> Result<bool, TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let (tried, accepted) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let result = runner.run(&strategy, |input| {
        tried.fetch_add(1, Ordering::Relaxed);
        if property(input)? {
            accepted.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    let (tried, accepted) = (tried.into_inner(), accepted.into_inner());
    assert!(tried >= cases as usize, "{name}: only {tried} cases ran");
    println!("fuzz {name}: {tried} cases, {accepted} {}, {} {}", labels.0, tried - accepted, labels.1);
}

const ACCEPTED: (&str, &str) = ("accepted", "refused");

/// Text a reason may show: no control character (a refused input is echoed escaped, never raw).
fn printable(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// Pieces that real pastes are made of, and the hostile ones: terminal escape sequences
/// (bracketed-paste markers, a title change, clear screen), control and invisible characters,
/// unicode look-alikes, URL syntax, and long runs.
fn piece() -> BoxedStrategy<String> {
    let fixed: Vec<&'static str> = vec![
        "https://",
        "HTTPS://",
        "http://",
        "ftp://",
        "//",
        "pbx",
        "mycompany.3cx.us",
        "example.com",
        ".",
        "..",
        ":",
        ":5001",
        ":0",
        ":99999",
        "/",
        "/webclient/#/login",
        "?x=1",
        "#",
        "@",
        "user:pw@",
        "[",
        "]",
        "[::1]",
        "2001:db8::1",
        "_",
        "-",
        "%41",
        "\\",
        " ",
        "\u{1b}[200~",
        "\u{1b}[201~",
        "\u{1b}]0;pwned\u{7}",
        "\u{1b}[2J",
        "\r\n",
        "\n",
        "\r",
        "\t",
        "\0",
        "\u{7f}",
        "\u{85}",
        "\u{200b}",
        "\u{202e}",
        "\u{2066}",
        "\u{feff}",
        "\u{ad}",
        "\u{2028}",
        "\u{3000}",
        "bücher",
        "ＰＢＸ",
        "xn--",
        "xn--bcher-kva",
        "ß",
        "İ",
        "\u{301}",
        "🙂",
        "192.168.0.1",
        "999",
        "0x7f",
        "~",
        "~/",
        "../",
        "CXEngine",
        ".xml",
        " (1)",
    ];
    prop_oneof![
        6 => proptest::sample::select(fixed).prop_map(str::to_string),
        2 => "[a-z0-9]{1,12}",
        1 => "[a-z]{60,70}",
        1 => "\\PC{1,8}",
        1 => any::<char>().prop_map(String::from),
    ]
    .boxed()
}

/// Inputs: pieces glued together, arbitrary characters, and very long pastes (past every bound).
fn hostile() -> BoxedStrategy<String> {
    prop_oneof![
        8 => vec(piece(), 0..16).prop_map(|v| v.concat()),
        2 => vec(any::<char>(), 0..64).prop_map(String::from_iter),
        1 => ("[a-z.]{1,12}", 150..800usize).prop_map(|(s, n)| s.repeat(n)),
        1 => (vec(piece(), 1..6), 200..1200usize).prop_map(|(v, n)| v.concat().repeat(n)),
    ]
    .boxed()
}

/// Addresses as browsers show them (scheme, labels, port, path), some with one hostile piece
/// spliced in somewhere: most are accepted, so the accepting path is fuzzed as hard as refusals.
fn url() -> BoxedStrategy<String> {
    let label = "[a-zA-Z0-9]([a-zA-Z0-9-]{0,12}[a-zA-Z0-9])?|bücher|ＰＢＸ|xn--bcher-kva";
    let host = prop_oneof![
        4 => vec(label, 1..5).prop_map(|v| v.join(".")),
        1 => (0..=255u8, 0..=255u8, 0..=255u8, 0..=255u8).prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        1 => any::<[u16; 8]>().prop_map(|a| format!("[{}]", std::net::Ipv6Addr::from(a))),
    ];
    let scheme = proptest::sample::select(vec!["", "", "https://", "HTTPS://", "  https://"]);
    let port = prop_oneof![2 => Just(String::new()), 1 => (1..=65535u32).prop_map(|p| format!(":{p}"))];
    let tail = proptest::sample::select(vec!["", "", "/", "/webclient/#/login", "?a=b", "#x", ".", "./", "  "]);
    let clean = (scheme, host, port, tail).prop_map(|(s, h, p, t)| format!("{s}{h}{p}{t}"));
    prop_oneof![
        3 => clean.clone(),
        1 => (clean, any::<proptest::sample::Index>(), piece()).prop_map(|(mut u, at, bad)| {
            let mut i = at.index(u.len() + 1);
            while !u.is_char_boundary(i) {
                i -= 1;
            }
            u.insert_str(i, &bad);
            u
        }),
    ]
    .boxed()
}

#[test]
fn the_host_normaliser_accepts_a_normal_form_or_says_why() {
    fuzz("normalise_host", ACCEPTED, 10_000, prop_oneof![1 => hostile(), 1 => url()], |s| match normalise_host(&s) {
        Ok(h) => {
            let shown = h.to_string();
            prop_assert!(!shown.is_empty() && !h.host.is_empty(), "{s:?}");
            prop_assert!(shown.is_ascii(), "{s:?} gave {shown:?}");
            prop_assert!(!shown.chars().any(|c| c.is_control() || c.is_whitespace()), "{s:?} gave {shown:?}");
            let again = normalise_host(&shown);
            prop_assert_eq!(again.as_ref(), Ok(&h), "{:?} gave {:?}, which does not re-parse to itself", s, shown);
            Ok(true)
        }
        Err(e) => {
            prop_assert!(!e.reason.trim().is_empty() && !e.fix.trim().is_empty(), "{s:?}");
            prop_assert!(printable(&e.to_string()), "{s:?}: {e}");
            Ok(false)
        }
    });
}

#[test]
fn profile_names_are_words_or_refused_with_a_reason() {
    let names = prop_oneof![1 => hostile(), 1 => "[a-zA-Z0-9_-]{0,70}"];
    fuzz("check_name", ACCEPTED, 5_000, names, |s| match pbxlink::profile::check_name(&s) {
        Ok(()) => {
            prop_assert!((1..=64).contains(&s.chars().count()), "{s:?}");
            prop_assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{s:?}");
            Ok(true)
        }
        Err(why) => {
            prop_assert!(!why.trim().is_empty() && printable(&why), "{s:?}: {why:?}");
            Ok(false)
        }
    });
}

#[test]
fn template_file_names_are_checked_and_echoed_safely() {
    let names = prop_oneof![
        2 => hostile(),
        1 => "[a-zA-Z0-9._-]{0,30}\\.(xml|XML|xml\\.txt)",
        1 => (hostile(), Just(".xml")).prop_map(|(s, x)| s + x),
    ];
    fuzz("check_file_name", ACCEPTED, 5_000, names, |s| match check_file_name(&s) {
        Ok(()) => {
            prop_assert!(s.to_ascii_lowercase().ends_with(".xml"), "{s:?}");
            prop_assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')), "{s:?}");
            Ok(true)
        }
        Err(why) => {
            prop_assert!(!why.trim().is_empty() && printable(&why), "{s:?}: {why:?}");
            Ok(false)
        }
    });
}

/// A real template with random damage: cuts, and hostile or XML-meaningful text spliced in.
fn damaged_template() -> BoxedStrategy<String> {
    let xmlish: Vec<&'static str> = vec![
        "<",
        ">",
        "/>",
        "</Crm>",
        "<Crm>",
        "&",
        "&amp;",
        "&#10;",
        "&#x1b;",
        "&#0;",
        "&#xFFFF;",
        "\"",
        "'",
        "=",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "<?xml version=\"1.0\"?>",
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>",
        " Version=\"x\"",
        " Type=\"Magic\"",
        " Name=\"\"",
        "<Parameter Name=\"ClientId\" Type=\"String\"/>",
    ];
    let splice = prop_oneof![
        2 => proptest::sample::select(xmlish).prop_map(str::to_string),
        1 => piece(),
    ];
    let edits = vec((any::<proptest::sample::Index>(), 0..40usize, splice), 0..8);
    (Just(pbxlink::simulator::DEMO_TEMPLATE.to_string()), edits)
        .prop_map(|(mut text, edits)| {
            for (at, cut, insert) in edits {
                let mut i = at.index(text.len() + 1);
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                let mut end = (i + cut).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.replace_range(i..end, &insert);
            }
            text
        })
        .boxed()
}

#[test]
fn template_checks_report_problems_with_lines_never_panicking() {
    let texts = prop_oneof![4 => damaged_template(), 1 => hostile()];
    fuzz("check_xml", ("clean", "with problems"), 3_000, texts, |text| {
        let problems = check_xml(&text);
        let lines = text.lines().count() as u32 + 1;
        for p in &problems {
            prop_assert!(!p.message.trim().is_empty(), "{text:?}");
            prop_assert!(printable(&p.message), "{:?} from {text:?}", p.message);
            prop_assert!(p.line <= lines, "line {} of {lines}: {text:?}", p.line);
        }
        prop_assert!(problems.windows(2).all(|w| w[0].line <= w[1].line), "problems out of line order");
        Ok(problems.is_empty())
    });
}

/// A directory with the names a Downloads folder can hold, hostile ones included.
fn downloads() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    let p = d.path();
    for f in ["CXEngine.xml", "CXEngine (1).xml", "CX Engine.xml", "ümlaut.xml", "a\nb.xml", "\u{1b}[2J.xml", ".hidden"]
    {
        std::fs::write(p.join(f), "<Crm/>").expect("file");
    }
    std::fs::create_dir_all(p.join("Downloads/nested")).expect("dir");
    for i in 0..60 {
        std::fs::write(p.join(format!("Downloads/CX{i:02}.xml")), "x").expect("file");
    }
    std::os::unix::fs::symlink(p.join("loop"), p.join("loop")).expect("a symlink to itself");
    std::os::unix::fs::symlink(p.join("Downloads"), p.join("link-to-downloads")).expect("symlink");
    d
}

#[test]
fn tab_completion_only_ever_extends_what_was_typed() {
    let d = downloads();
    let root = d.path().to_string_lossy().to_string();
    let typed = prop_oneof![
        2 => hostile(),
        2 => (Just(root.clone()), vec(piece(), 0..4)).prop_map(|(r, v)| format!("{r}/{}", v.concat())),
        2 => proptest::sample::select(vec![
            "~/", "~/Down", "~/Downloads/CX", "~/Downloads/CX0", "~/Downloads/n", "~/CX", "~/CXEngine", "~/CX E", "~/ü",
            "~/link", "~/link-to-downloads/CX1", "~/loop", "~/a", "~/\u{1b}", "~/.h", "~/./CX", "~/../",
        ])
        .prop_map(str::to_string),
        2 => (proptest::sample::select(vec!["~/", "~/Downloads/", "~/Downloads/CX", "~/C", "~/l", "~/.", "~"]), vec(piece(), 0..3))
            .prop_map(|(p, v)| format!("{p}{}", v.concat())),
    ];
    let home = d.path().to_path_buf();
    fuzz("complete_in", ("completed", "left as typed"), 3_000, typed, |typed| {
        let c = complete_in(&typed, Some(&home));
        prop_assert!(c.text.starts_with(&typed), "{typed:?} became {:?}", c.text);
        prop_assert!(c.candidates.len() <= 41, "{} candidates", c.candidates.len());
        if c.candidates.len() > 1 {
            let last = typed.rsplit('/').next().unwrap_or("");
            for n in c.candidates.iter().filter(|n| !n.starts_with('…')) {
                prop_assert!(n.starts_with(last), "{n:?} offered for {typed:?}");
            }
        }
        Ok(c.text != typed)
    });
}

#[test]
fn home_expansion_touches_only_a_leading_tilde() {
    let typed = prop_oneof![2 => hostile(), 1 => vec(piece(), 0..6).prop_map(|v| format!("~/{}", v.concat()))];
    let home = PathBuf::from("/home/someone");
    fuzz("expand_home", ("expanded", "left as typed"), 5_000, typed, |typed| {
        let with = expand_home(&typed, Some(&home));
        let without = expand_home(&typed, None);
        prop_assert_eq!(&without, &PathBuf::from(&typed));
        if typed == "~" || typed.starts_with("~/") {
            prop_assert!(with.starts_with(&home), "{typed:?} gave {with:?}");
            Ok(true)
        } else {
            prop_assert_eq!(&with, Path::new(&typed));
            Ok(false)
        }
    });
}

#[test]
fn pasted_text_becomes_one_clean_line() {
    let pasted = prop_oneof![
        3 => hostile(),
        1 => ("[ -~]{0,40}", 100..400usize).prop_map(|(s, n)| format!("{s}\r\n").repeat(n)),
    ];
    fuzz("clean_paste", ("kept a line", "left nothing"), 5_000, pasted, |text| {
        let once = clean_paste(&text);
        prop_assert!(!once.chars().any(char::is_control), "{text:?} gave {once:?}");
        prop_assert_eq!(once.trim(), once.as_str());
        prop_assert!(once.chars().count() <= FIELD_MAX);
        prop_assert_eq!(clean_paste(&once), once.clone(), "not idempotent for {:?}", text);
        Ok(!once.is_empty())
    });
}

#[test]
fn known_hostile_templates_are_refused_quickly() {
    // Entity expansion (a "billion laughs") and deep nesting must be refused, not expanded.
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\"><!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\"><!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\"><!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\"><!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\"><!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\"><!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]><Crm Name=\"&lol9;\"/>";
    let started = std::time::Instant::now();
    let p = check_xml(laughs);
    assert!(p.len() == 1 && p[0].message.starts_with("not well-formed XML"), "{p:?}");
    let deep = format!("<Crm>{}{}</Crm>", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let p = check_xml(&deep);
    assert!(p.iter().any(|p| p.message == "<Crm> has no Name (the name 3CX shows for the template)"), "{p:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "took {:?}", started.elapsed());
}
