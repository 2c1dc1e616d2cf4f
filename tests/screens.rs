//! Every screen drawn on ratatui's `TestBackend`, at 80x24 and at the minimum size 60x16, compared
//! with reviewed insta snapshots. States are reached the way a user reaches them: by feeding the
//! wizard the same messages the terminal would.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pbxlink::profile::Profile;
use pbxlink::profile::results::LastResult;
use pbxlink::profile::store::Entry;
use pbxlink::providers::ProviderId;
use pbxlink::providers::threecx::ThreeCx;
use pbxlink::providers::threecx::principals::{Principal, Problem};
use pbxlink::report::{Check, CheckState, FailureKind, Report};
use pbxlink::simulator::DEMO_TEMPLATE;
use pbxlink::template_file::crm as crm_template;
use pbxlink::template_file::{Completion, Inspection};
use pbxlink::ui::{self, Theme};
use pbxlink::wizard::{DemoInfo, HomeData, Msg, ValidationEvent, Wizard};
use ratatui::{Terminal, backend::TestBackend};
use rstest::rstest;
use secrecy::SecretString;

mod support {
    pub mod svg;
}

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
    d.results
        .insert("office".into(), LastResult { ok: true, failure: None, checked_at: NOW - 7200, detail: "ok".into() });
    d.results.insert(
        "branch".into(),
        LastResult {
            ok: false,
            failure: Some("unauthorized".into()),
            checked_at: NOW - 3 * 86_400,
            detail: "HTTP 401".into(),
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
        ("access", "Read through the API (GET /xapi/v1/Defs)", "XAPI answers; 3CX version 20.0.9.995"),
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

fn state(name: &str) -> Wizard {
    let mut w = Wizard::new("/home/admin/.config/pbxlink/profiles.toml");
    match name {
        "home_loading" => {}
        "home_empty" => {
            w.update(Msg::Loaded(Box::new(home_data(vec![]))));
        }
        "home_profiles" => {
            let mut d = home_data(several());
            d.warnings.push("/home/admin/.config/pbxlink/profiles.toml is readable by other users (mode 644); it holds secrets: run chmod 600 /home/admin/.config/pbxlink/profiles.toml".into());
            w.update(Msg::Loaded(Box::new(d)));
            w.update(k(KeyCode::Down));
        }
        "home_confirm_remove" => {
            w.update(Msg::Loaded(Box::new(home_data(several()))));
            w.update(k(KeyCode::Char('d')));
        }
        "home_file_error" => {
            w.update(Msg::Loaded(Box::new(HomeData {
                error: Some("/home/admin/.config/pbxlink/profiles.toml:3:10: invalid string".into()),
                now: NOW,
                ..HomeData::default()
            })));
        }
        "help" => {
            w.update(Msg::Loaded(Box::new(home_data(several()))));
            w.update(k(KeyCode::Char('?')));
        }
        "demo_help" => {
            w.demo = Some(demo());
            w.update(Msg::Loaded(Box::new(home_data(vec![]))));
            w.update(k(KeyCode::Char('?')));
        }
        "demo_home" => {
            w.demo = Some(demo());
            w.update(Msg::Loaded(Box::new(home_data(vec![]))));
        }
        "prereqs" => to_step(&mut w, "prereqs"),
        "prereqs_refused" => {
            to_step(&mut w, "prereqs");
            w.update(k(KeyCode::Enter));
        }
        "domain_empty" => to_step(&mut w, "domain"),
        "domain_pasted" => {
            to_step(&mut w, "domain");
            w.update(Msg::Paste("  https://PBX.MyCompany.com:5001/webclient/#/login  ".into()));
        }
        "domain_refused" => {
            to_step(&mut w, "domain");
            typed(&mut w, "https://admin:pw@pbx.mycompany.com");
            w.update(k(KeyCode::Enter));
        }
        "integration" => to_step(&mut w, "integration"),
        "key_once" => to_step(&mut w, "key_once"),
        "credentials" => {
            to_step(&mut w, "credentials");
            typed(&mut w, "900");
            w.update(k(KeyCode::Tab));
            w.update(Msg::Paste(KEY.into()));
        }
        "credentials_revealed" => {
            to_step(&mut w, "credentials");
            typed(&mut w, "900");
            w.update(k(KeyCode::Tab));
            w.update(Msg::Paste(KEY.into()));
            w.update(Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)));
        }
        "credentials_missing" => {
            to_step(&mut w, "credentials");
            w.update(k(KeyCode::Tab));
            w.update(k(KeyCode::Enter));
        }
        "validate_running" => {
            to_step(&mut w, "validate");
            let a = w.attempt;
            w.update(Msg::Validation {
                attempt: a,
                event: ValidationEvent::Plan(checks(&[
                    CheckState::Passed,
                    CheckState::Passed,
                    CheckState::Running,
                    CheckState::Pending,
                    CheckState::Pending,
                ])),
            });
            w.update(Msg::Tick);
            w.update(Msg::Tick);
        }
        // Another pbxlink holds this Client ID's token: the token check says it waits, and for whom.
        "validate_waiting" => {
            to_step(&mut w, "validate");
            let a = w.attempt;
            let plan = checks(&[
                CheckState::Passed,
                CheckState::Pending,
                CheckState::Running,
                CheckState::Pending,
                CheckState::Pending,
            ]);
            let mut token = plan[2].clone();
            token.detail = "waiting for pbxlink validate (pid 4242) to finish with this Client ID's token (3CX keeps one per Client ID)".into();
            w.update(Msg::Validation { attempt: a, event: ValidationEvent::Plan(plan) });
            w.update(Msg::Validation { attempt: a, event: ValidationEvent::Update(token) });
            w.update(Msg::Tick);
        }
        "validate_ok" => {
            to_step(&mut w, "validate");
            finish(&mut w, true);
        }
        "validate_failed" => {
            to_step(&mut w, "validate");
            finish(&mut w, false);
        }
        "review" => {
            to_step(&mut w, "validate");
            finish(&mut w, true);
            w.update(k(KeyCode::Enter));
        }
        "done" => {
            to_step(&mut w, "validate");
            finish(&mut w, true);
            w.update(k(KeyCode::Enter));
            w.update(k(KeyCode::Enter));
            w.update(Msg::Saved(Ok("/home/admin/.config/pbxlink/profiles.toml".into())));
        }
        "revalidate" => {
            w.update(Msg::Loaded(Box::new(home_data(several()))));
            w.update(k(KeyCode::Enter));
            let a = w.attempt;
            let r = Report {
                checks: checks(&[
                    CheckState::Passed,
                    CheckState::Passed,
                    CheckState::Passed,
                    CheckState::Passed,
                    CheckState::NotAvailable,
                ]),
                failure: None,
                hint: None,
                ms: 61,
            };
            w.update(Msg::Validation { attempt: a, event: ValidationEvent::Done(r) });
        }
        "revalidate_all" => {
            w.update(Msg::Loaded(Box::new(home_data(several()))));
            w.update(k(KeyCode::Char('V')));
            let first = w.attempt - 2;
            let ok = Report { checks: checks(&[CheckState::Passed; 5]), failure: None, hint: None, ms: 61 };
            w.update(Msg::Validation { attempt: first, event: ValidationEvent::Done(ok) });
            let bad = unauthorized();
            w.update(Msg::Validation { attempt: first + 1, event: ValidationEvent::Done(bad) });
            w.update(k(KeyCode::Down));
        }
        "choose_provider" => {
            w.update(Msg::Loaded(Box::new(home_data(vec![]))));
            w.update(k(KeyCode::Char('a')));
        }
        "x8_products" => {
            to_8x8(&mut w, "products");
            for c in
                [KeyCode::Down, KeyCode::Down, KeyCode::Char(' '), KeyCode::Down, KeyCode::Down, KeyCode::Char(' ')]
            {
                w.update(k(c));
            }
        }
        "x8_secret_once" => to_8x8(&mut w, "secret_once"),
        "x8_prereqs" => {
            to_8x8(&mut w, "products");
            w.update(k(KeyCode::Esc));
            w.update(k(KeyCode::Esc));
        }
        "x8_create_app" => {
            to_8x8(&mut w, "products");
            w.update(k(KeyCode::Esc));
        }
        "x8_review" => {
            to_8x8(&mut w, "validate");
            let guide = ProviderId::EightByEight.guide();
            let checks = [
                ("dns", "api.8x8.com is 192.0.2.80"),
                ("connect", "api.8x8.com: TLS verified"),
                ("token", "token issued, valid for 30 min"),
                ("products", "granted: Cloud Storage Service, Contact Center Chat (from api_product_list)"),
            ]
            .iter()
            .map(|(id, d)| Check {
                id,
                title: guide.check_title(id),
                state: CheckState::Passed,
                ms: 12,
                detail: d.to_string(),
            })
            .collect();
            let a = w.attempt;
            w.update(Msg::Validation {
                attempt: a,
                event: ValidationEvent::Done(Report { checks, failure: None, hint: None, ms: 31 }),
            });
            w.update(k(KeyCode::Enter));
        }
        "x8_credentials" => {
            to_8x8(&mut w, "credentials");
            // A Client ID not starting with eght_: a soft hint, never a refusal.
            typed(&mut w, "pbxlink-monitoring");
            w.update(k(KeyCode::Tab));
            w.update(Msg::Paste(KEY.into()));
        }
        "x8_validate_missing" => {
            to_8x8(&mut w, "validate");
            let states = [
                CheckState::Passed,
                CheckState::Passed,
                CheckState::Passed,
                CheckState::Failed(FailureKind::Forbidden),
            ];
            let guide = ProviderId::EightByEight.guide();
            let plan = [
                ("dns", "api.8x8.com is 192.0.2.80"),
                ("connect", "api.8x8.com: TLS verified"),
                ("token", "token issued, valid for 30 min"),
                ("products", "not granted: Contact Center Chat"),
            ];
            let checks = plan
                .iter()
                .zip(states)
                .map(|((id, d), st)| Check {
                    id,
                    title: guide.check_title(id),
                    state: st,
                    ms: 12,
                    detail: d.to_string(),
                })
                .collect();
            let r = Report {
                checks,
                failure: Some(FailureKind::Forbidden),
                hint: Some(guide.hint_at("products", FailureKind::Forbidden)),
                ms: 40,
            };
            let a = w.attempt;
            w.update(Msg::Validation { attempt: a, event: ValidationEvent::Done(r) });
        }
        other if other.starts_with("cx_") => cx_state(&mut w, other),
        other if other.starts_with("principals_") => principals_state(&mut w, other),
        other => panic!("unknown state {other}"),
    }
    w
}

/// The 3CX profiles' principals as a PBX lists them: the profile's own (900), another integration,
/// a system one with an unknown Number.
fn principal_rows() -> Vec<Principal> {
    let p = |id, number: Option<&str>, xapi, cc, system, last: Option<&str>| Principal {
        id,
        number: number.map(str::to_string),
        xapi_enabled: xapi,
        call_control_enabled: cc,
        is_system: system,
        last_used: last.map(str::to_string),
    };
    vec![
        p(1, Some("900"), Some(true), Some(false), Some(false), Some("2026-11-22T08:15:00Z")),
        p(2, Some("901"), Some(true), Some(true), Some(false), None),
        p(3, None, None, Some(true), Some(true), None),
    ]
}

fn principals_state(w: &mut Wizard, name: &str) {
    w.update(Msg::Loaded(Box::new(home_data(several()))));
    w.update(k(KeyCode::Char('p')));
    let attempt = w.attempt;
    if name == "principals_loading" {
        return;
    }
    // Another pbxlink holds the Client ID's token: the screen says whom it waits for.
    if name == "principals_waiting" {
        let detail = "waiting for pbxlink validate (pid 4242) to finish with this Client ID's token (3CX keeps one per Client ID)";
        w.update(Msg::PrincipalsWaiting { attempt, detail: detail.into() });
        return;
    }
    if name == "principals_forbidden" {
        let problem = Problem {
            step: None,
            kind: FailureKind::Forbidden,
            detail: "listing service principals: HTTP 403: Access denied (the integration's role is probably too low)"
                .into(),
            fix: ProviderId::ThreeCx.guide().hint_at("principals", FailureKind::Forbidden),
        };
        w.update(Msg::Principals { attempt, result: Err(problem) });
        return;
    }
    w.update(Msg::Principals { attempt, result: Ok(principal_rows()) });
    if name == "principals_list" {
        return;
    }
    w.update(k(KeyCode::Down));
    w.update(k(KeyCode::Char('g')));
    typed(w, "ye");
    if name == "principals_confirm" {
        return;
    }
    typed(w, "s");
    w.update(k(KeyCode::Enter));
    let attempt = w.attempt;
    w.update(Msg::AppToken { attempt, result: Ok(SecretString::from(KEY)) });
    if name == "principals_token" {
        return;
    }
    w.update(k(KeyCode::Char('s')));
    if name == "principals_token_name" {
        return;
    }
    w.update(k(KeyCode::Enter));
    let attempt = w.attempt;
    w.update(Msg::Validation {
        attempt,
        event: ValidationEvent::Done(Report {
            checks: checks(&[CheckState::Passed; 5]),
            failure: None,
            hint: None,
            ms: 40,
        }),
    });
    w.update(Msg::Saved(Ok("/home/admin/.config/pbxlink/profiles.toml".into())));
}

const DOWNLOADED: &str = "/home/admin/Downloads/CX Engine (1).xml";
const COPY: &str = "/home/admin/Downloads/CXEngine.xml";

/// What the template check finds in a file at `path` with `text`, as the driver would report it.
fn inspection(path: &str, text: &str) -> Inspection {
    let name = std::path::Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or_default();
    Inspection {
        path: path.into(),
        name_problem: crm_template::check_file_name(name).err().map(|r| r.to_string()),
        problems: crm_template::check_xml(text),
        template_name: crm_template::template_name(text),
    }
}

/// Into the CX-Engine guide (third in the chooser) up to `step`, with three 3CX profiles saved.
fn to_cx(w: &mut Wizard, step: &str) {
    w.update(Msg::Loaded(Box::new(home_data(several()))));
    w.update(k(KeyCode::Char('a')));
    w.update(k(KeyCode::Down));
    w.update(k(KeyCode::Down));
    w.update(k(KeyCode::Enter));
    if step == "method" {
        return;
    }
    w.update(k(KeyCode::Enter));
    if step == "url" {
        return;
    }
    w.update(Msg::Paste("https://MyCompany.cx-engine.app/crm/settings\n".into()));
    w.update(k(KeyCode::Enter));
    if step == "api_client" {
        return;
    }
    typed(w, "7");
    w.update(k(KeyCode::Tab));
    w.update(Msg::Paste(KEY.into()));
    w.update(k(KeyCode::Tab));
    typed(w, "12");
    w.update(k(KeyCode::Enter));
    if step == "template" {
        return;
    }
    typed(w, DOWNLOADED);
    w.update(k(KeyCode::Enter));
    w.update(Msg::TemplateChecked { typed: DOWNLOADED.into(), result: Ok(inspection(DOWNLOADED, DEMO_TEMPLATE)) });
    if step == "template_bad_name" {
        return;
    }
    w.update(k(KeyCode::Enter));
    w.update(Msg::TemplateCopied(Ok(COPY.into())));
    w.update(Msg::TemplateChecked { typed: COPY.into(), result: Ok(inspection(COPY, DEMO_TEMPLATE)) });
    if step == "threecx" {
        return;
    }
    w.update(k(KeyCode::Enter));
    if step == "test_warning" {
        return;
    }
    w.update(k(KeyCode::Char(' ')));
    w.update(k(KeyCode::Enter));
    if step == "link" {
        return;
    }
    w.update(k(KeyCode::Down));
    w.update(k(KeyCode::Enter));
}

/// A CX-Engine validation with the linked 3CX read: `crm` as given.
fn cx_report(crm: CheckState, crm_detail: &str) -> Report {
    let guide = ProviderId::CxEngine.guide();
    let plan = [
        ("dns", CheckState::Passed, "mycompany.cx-engine.app is 192.0.2.40"),
        ("connect", CheckState::Passed, "mycompany.cx-engine.app: TLS verified"),
        ("token", CheckState::Passed, "token issued, valid for 365 days: the API client's credentials work"),
        ("approval", CheckState::NotAvailable, ""),
        ("crm", crm, crm_detail),
    ];
    // The approval check says what validation says for an Authorization Code profile.
    let note = guide.note("approval");
    let checks = plan
        .iter()
        .map(|(id, st, d)| Check {
            id,
            title: guide.check_title(id),
            state: *st,
            ms: 14,
            detail: if *id == "approval" { note.clone() } else { d.to_string() },
        })
        .collect();
    let failure = if let CheckState::Failed(kind) = crm { Some(kind) } else { None };
    Report { checks, failure, hint: failure.map(|f| guide.hint_at("crm", f)), ms: 55 }
}

fn cx_state(w: &mut Wizard, name: &str) {
    match name {
        "cx_method" => to_cx(w, "method"),
        "cx_method_password" => {
            to_cx(w, "method");
            w.update(k(KeyCode::Down));
            w.update(k(KeyCode::Down));
            w.update(k(KeyCode::Enter));
        }
        "cx_url" => {
            to_cx(w, "url");
            typed(w, "http://mycompany.cx-engine.app");
        }
        "cx_api_client" => {
            to_cx(w, "api_client");
            typed(w, "7");
            w.update(k(KeyCode::Tab));
            w.update(Msg::Paste(KEY.into()));
        }
        "cx_template_empty" => to_cx(w, "template"),
        "cx_template_candidates" => {
            to_cx(w, "template");
            typed(w, "~/Downloads/CX");
            w.update(k(KeyCode::Tab));
            let completion = Completion {
                text: "~/Downloads/CX".into(),
                candidates: vec!["CX Engine (1).xml".into(), "CX-old/".into(), "CXEngine-notes.txt".into()],
            };
            w.update(Msg::Completed { typed: "~/Downloads/CX".into(), completion });
        }
        "cx_template_bad_name" => to_cx(w, "template_bad_name"),
        "cx_template_broken" => {
            to_cx(w, "template");
            let path = "/home/admin/Downloads/CXEngine.xml";
            typed(w, path);
            w.update(k(KeyCode::Enter));
            let broken = DEMO_TEMPLATE
                .replace("Version=\"3\"", "Version=\"three\"")
                .replace("Prefix=\"AsIs\"", "Prefix=\"Sometimes\"");
            w.update(Msg::TemplateChecked { typed: path.into(), result: Ok(inspection(path, &broken)) });
        }
        "cx_threecx" => to_cx(w, "threecx"),
        "cx_test_warning" => to_cx(w, "test_warning"),
        "cx_link" => {
            to_cx(w, "link");
            w.update(k(KeyCode::Down));
        }
        "cx_validate_ok" => {
            to_cx(w, "validate");
            let r = cx_report(CheckState::Passed, "3CX uses \"CX-Engine\"; lookups: external calls on, DID calls off");
            let a = w.attempt;
            w.update(Msg::Validation { attempt: a, event: ValidationEvent::Done(r) });
        }
        "cx_validate_crm_failed" => {
            to_cx(w, "validate");
            let r = cx_report(
                CheckState::Failed(FailureKind::NotFound),
                "3CX mycompany.3cx.us: no CRM template is selected",
            );
            let a = w.attempt;
            w.update(Msg::Validation { attempt: a, event: ValidationEvent::Done(r) });
        }
        "cx_review" => {
            to_cx(w, "validate");
            let r = cx_report(CheckState::Passed, "3CX uses \"CX-Engine\"; lookups: external calls on, DID calls off");
            let a = w.attempt;
            w.update(Msg::Validation { attempt: a, event: ValidationEvent::Done(r) });
            w.update(k(KeyCode::Enter));
        }
        "cx_demo_template" => {
            w.demo = Some(demo());
            to_cx(w, "template");
        }
        other => panic!("unknown state {other}"),
    }
}

/// The demo as `pbxlink demo` shows it (each unit's accounts, at a fixed address), with fewer
/// accounts than the real list so the help fits.
fn demo() -> DemoInfo {
    let domain = "localhost:40123";
    let keep = ["900", "901", "eght_demo_app", "7"];
    let accounts =
        pbxlink::providers::demo::accounts(domain).into_iter().filter(|a| keep.contains(&a.client_id.as_str()));
    DemoInfo {
        domain: domain.into(),
        accounts: accounts.collect(),
        template: Some("/tmp/pbxlink-demo-x1/Downloads/CX Engine (1).xml".into()),
    }
}

/// Into the 8x8 guide (second in the chooser) up to `step`, choosing Cloud Storage and Chat.
fn to_8x8(w: &mut Wizard, step: &str) {
    w.update(Msg::Loaded(Box::new(home_data(vec![]))));
    w.update(k(KeyCode::Char('a')));
    w.update(k(KeyCode::Down));
    w.update(k(KeyCode::Enter));
    w.update(k(KeyCode::Char(' ')));
    w.update(k(KeyCode::Enter));
    w.update(k(KeyCode::Enter));
    if step == "products" {
        return;
    }
    for c in [
        KeyCode::Down,
        KeyCode::Down,
        KeyCode::Char(' '),
        KeyCode::Down,
        KeyCode::Down,
        KeyCode::Char(' '),
        KeyCode::Enter,
    ] {
        w.update(k(c));
    }
    if step == "secret_once" {
        return;
    }
    w.update(k(KeyCode::Char(' ')));
    w.update(k(KeyCode::Enter));
    if step == "credentials" {
        return;
    }
    typed(w, "pbxlink-monitoring");
    w.update(k(KeyCode::Tab));
    w.update(Msg::Paste(format!("x8-{KEY}")));
    w.update(k(KeyCode::Enter));
}

/// A validation that failed at the token: the key was refused.
fn unauthorized() -> Report {
    let states = [
        CheckState::Passed,
        CheckState::Passed,
        CheckState::Failed(FailureKind::Unauthorized),
        CheckState::Skipped,
        CheckState::Skipped,
    ];
    let hint = pbxlink::providers::ProviderId::ThreeCx.guide().hint_at("token", FailureKind::Unauthorized);
    Report { checks: checks(&states), failure: Some(FailureKind::Unauthorized), hint: Some(hint), ms: 40 }
}

fn finish(w: &mut Wizard, ok: bool) {
    let a = w.attempt;
    let r = if ok {
        Report { checks: checks(&[CheckState::Passed; 5]), failure: None, hint: None, ms: 87 }
    } else {
        unauthorized()
    };
    w.update(Msg::Validation { attempt: a, event: ValidationEvent::Done(r) });
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
    let svg = support::svg::render(term.backend().buffer(), &format!("pbxlink: {name}"));
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
