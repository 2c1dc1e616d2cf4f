//! Every screen drawn on ratatui's `TestBackend`, at 80x24 and at the minimum size 60x16, compared
//! with reviewed insta snapshots. States are reached the way a user reaches them: by feeding the
//! wizard the same messages the terminal would.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pbxlink::files::complete::Completion;
use pbxlink::profile::Profile;
use pbxlink::profile::checked_file::FileCheck as Inspection;
use pbxlink::profile::results::LastResult;
use pbxlink::profile::store::Entry;
use pbxlink::providers::ProviderId;
use pbxlink::providers::cxengine::template_xml as crm_template;
use pbxlink::providers::threecx::ThreeCx;
use pbxlink::providers::threecx::principals::{Principal, Problem};
use pbxlink::report::{Check, CheckState, FailureKind, Report};
use pbxlink::simulator::DEMO_TEMPLATE;
use pbxlink::ui::{self, Theme};
use pbxlink::wizard::{DemoInfo, HomeData, Msg, ValidationEvent, Wizard};
use ratatui::{Terminal, backend::TestBackend};
use rstest::rstest;
use secrecy::SecretString;

#[path = "support/svg.rs"]
mod svg;

const KEY: &str = "Zq8-secret-api-key-41";
const NOW: u64 = 1_700_000_000;

fn k(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}
fn typed(w: &mut Wizard, s: &str) {
    for c in s.chars() {
        w.update(k(KeyCode::Char(c)));
    }
}

fn p(name: &str, domain: &str) -> Profile {
    ThreeCx { domain: domain.into(), client_id: "900".into(), api_key: SecretString::from(KEY) }.profile(name, None)
}

fn home_data(entries: Vec<Entry>) -> HomeData {
    let mut d = HomeData { entries, now: NOW, ..HomeData::default() };
    d.results.insert(
        "office".into(),
        LastResult { ok: true, failure: None, checked_at: NOW - 7200, detail: "ok".into(), since: None },
    );
    d.results.insert(
        "branch".into(),
        LastResult {
            ok: false,
            failure: Some("unauthorized".into()),
            checked_at: NOW - 3 * 86_400,
            detail: "HTTP 401".into(),
            since: Some(NOW - 5 * 86_400),
        },
    );
    d
}

fn several() -> Vec<Entry> {
    vec![
        Entry::Ok(p("office", "mycompany.3cx.us")),
        Entry::Ok(p("branch", "pbx.branch-office.example.com:5001")),
        Entry::Ok(p("lab", "10.0.0.5:5001")),
        Entry::Invalid { name: "old".into(), reason: "missing \"api_key\"".into() },
    ]
}

fn checks(states: &[CheckState]) -> Vec<Check> {
    let plan = [
        ("dns", "Find the PBX (DNS)", "mycompany.3cx.us is 192.0.2.10"),
        ("connect", "Connect (TCP and TLS)", "mycompany.3cx.us: TLS verified"),
        ("token", "Get a token (POST /connect/token)", "token issued, valid for 60 min (its exp claim)"),
        ("access", "Read the API (SystemStatus or Defs)", "XAPI answers; 3CX version 20.0.9.995"),
        (
            "details",
            "System details (SystemStatus)",
            "version 20.0.9.995, licence 3CXPSENT, extensions 12/40 registered",
        ),
    ];
    plan.iter()
        .zip(states)
        .map(|((id, title, detail), s)| Check {
            id,
            title: title.to_string(),
            state: *s,
            ms: if s.is_done() { 12 } else { 0 },
            detail: if matches!(s, CheckState::Passed) {
                detail.to_string()
            } else if let CheckState::Failed(_) = s {
                "HTTP 401: The request requires valid user authentication.".into()
            } else {
                String::new()
            },
        })
        .collect()
}

fn to_step(w: &mut Wizard, step: &str) {
    w.update(Msg::Loaded(Box::new(home_data(vec![]))));
    w.update(k(KeyCode::Char('a')));
    w.update(k(KeyCode::Enter));
    if step == "prereqs" {
        return;
    }
    w.update(k(KeyCode::Char(' ')));
    w.update(k(KeyCode::Down));
    w.update(k(KeyCode::Char(' ')));
    w.update(k(KeyCode::Enter));
    if step == "domain" {
        return;
    }
    w.update(Msg::Paste("https://MyCompany.3cx.us/webclient/#/people\n".into()));
    w.update(k(KeyCode::Enter));
    if step == "integration" {
        return;
    }
    w.update(k(KeyCode::Enter));
    if step == "key_once" {
        return;
    }
    w.update(k(KeyCode::Char(' ')));
    w.update(k(KeyCode::Enter));
    if step == "credentials" {
        return;
    }
    typed(w, "900");
    w.update(k(KeyCode::Tab));
    w.update(Msg::Paste(KEY.into()));
    w.update(k(KeyCode::Enter));
}

fn render(w: &mut Wizard, width: u16, height: u16) -> String {
    w.update(Msg::Resize(width, height));
    let mut term = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    term.draw(|f| ui::draw(f, w, &Theme::default())).expect("draw");
    format!("{}", term.backend())
}

/// With `PBXLINK_SCREENSHOTS=DIR` (set by `scripts/screenshots`), also writes the screen as
/// `DIR/NAME.svg`, with its colours.
fn picture(w: &mut Wizard, name: &str, width: u16, height: u16) {
    let Some(dir) = std::env::var_os("PBXLINK_SCREENSHOTS") else { return };
    w.update(Msg::Resize(width, height));
    let mut term = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    term.draw(|f| ui::draw(f, w, &Theme::default())).expect("draw");
    let svg = svg::render(term.backend().buffer(), &format!("pbxlink: {name}"));
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.svg")), svg).expect("write screenshot");
}

#[rstest]
fn screen(
    #[values(
        "home_loading",
        "home_empty",
        "home_profiles",
        "home_confirm_remove",
        "home_file_error",
        "help",
        "demo_home",
        "demo_help",
        "prereqs",
        "prereqs_refused",
        "domain_empty",
        "domain_pasted",
        "domain_refused",
        "integration",
        "key_once",
        "credentials",
        "credentials_revealed",
        "credentials_missing",
        "validate_running",
        "validate_waiting",
        "validate_ok",
        "validate_ok_health",
        "validate_failed",
        "review",
        "done",
        "revalidate",
        "revalidate_all",
        "choose_provider",
        "x8_products",
        "x8_secret_once",
        "x8_credentials",
        "x8_validate_missing",
        "x8_prereqs",
        "x8_create_app",
        "x8_review",
        "cx_method",
        "cx_method_password",
        "cx_url",
        "cx_api_client",
        "cx_template_empty",
        "cx_template_candidates",
        "cx_template_bad_name",
        "cx_template_broken",
        "cx_threecx",
        "cx_test_warning",
        "cx_link",
        "cx_validate_ok",
        "cx_validate_crm_failed",
        "cx_review",
        "cx_demo_template",
        "principals_loading",
        "principals_waiting",
        "principals_forbidden",
        "principals_list",
        "principals_confirm",
        "principals_token",
        "principals_token_name",
        "principals_saved"
    )]
    name: &str,
    #[values((80, 24), (60, 16))] size: (u16, u16),
) {
    let mut w = state(name);
    let text = render(&mut w, size.0, size.1);
    if name != "credentials_revealed" {
        assert!(!text.contains(KEY), "{name}: the API key is on screen unmasked");
    } else {
        assert!(text.contains(KEY), "revealing must show the key");
    }
    if size == (80, 24) {
        picture(&mut w, name, 80, 24);
    }
    insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), text);
}

#[test]
fn too_small_shows_enlarge_message() {
    let mut w = state("credentials");
    let text = render(&mut w, 40, 12);
    assert!(text.contains("Enlarge it to at least 60x16"), "{text}");
    picture(&mut w, "too_small", 40, 12);
    insta::assert_snapshot!("too_small_40x12", text);
    // And it comes back when the window grows.
    let text = render(&mut w, 80, 24);
    assert!(text.contains("API key"));
}

#[test]
fn ascii_theme_has_no_non_ascii_characters() {
    let mut w = state("validate_failed");
    w.update(Msg::Resize(80, 24));
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    term.draw(|f| ui::draw(f, &w, &Theme { color: false, ascii: true })).expect("draw");
    let text = format!("{}", term.backend());
    let bad: Vec<char> = text.chars().filter(|c| !c.is_ascii()).collect();
    assert!(bad.is_empty(), "non-ASCII: {bad:?}\n{text}");
}

#[path = "screens/states.rs"]
mod states;
use states::*;
#[path = "screens/cx_states.rs"]
mod cx_states;
use cx_states::*;
