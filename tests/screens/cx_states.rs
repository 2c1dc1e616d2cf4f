//! The CX-Engine and 8x8 guides' states for the screen tests, and the demo's banner data.

use super::*;

pub(crate) const DOWNLOADED: &str = "/home/admin/Downloads/CX Engine (1).xml";
pub(crate) const COPY: &str = "/home/admin/Downloads/CXEngine.xml";

/// What the template check finds in a file at `path` with `text`, as the driver would report it.
pub(crate) fn inspection(path: &str, text: &str) -> Inspection {
    let name = std::path::Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or_default();
    Inspection {
        path: path.into(),
        name_problem: crm_template::check_file_name(name).err().map(|r| r.to_string()),
        problems: crm_template::check_xml(text),
        warnings: crm_template::check_warnings(text),
        name: crm_template::template_name(text),
    }
}

/// Into the CX-Engine guide (third in the chooser) up to `step`, with three 3CX profiles saved.
pub(crate) fn to_cx(w: &mut Wizard, step: &str) {
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
    w.update(Msg::FileChecked { typed: DOWNLOADED.into(), result: Ok(inspection(DOWNLOADED, DEMO_TEMPLATE)) });
    if step == "template_bad_name" {
        return;
    }
    w.update(k(KeyCode::Enter));
    w.update(Msg::FileCopied(Ok(COPY.into())));
    w.update(Msg::FileChecked { typed: COPY.into(), result: Ok(inspection(COPY, DEMO_TEMPLATE)) });
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
pub(crate) fn cx_report(crm: CheckState, crm_detail: &str) -> Report {
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
    Report { checks, failure, hint: failure.map(|f| guide.hint_at("crm", f)), ms: 55, health: None }
}

pub(crate) fn cx_state(w: &mut Wizard, name: &str) {
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
            w.update(Msg::FileChecked { typed: path.into(), result: Ok(inspection(path, &broken)) });
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
                CheckState::Failed(FailureKind::Forbidden),
                "3CX mycompany.3cx.us: HTTP 403: Access denied (this 3CX role may not read the CRM settings)",
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
pub(crate) fn demo() -> DemoInfo {
    let domain = "localhost:40123";
    let keep = ["900", "901", "eght_demo_app", "7"];
    let accounts = pbxlink::providers::demo::accounts_at(domain, None)
        .into_iter()
        .filter(|a| keep.contains(&a.client_id.as_str()));
    DemoInfo {
        domain: domain.into(),
        accounts: accounts.collect(),
        template: Some("/tmp/pbxlink-demo-x1/Downloads/CX Engine (1).xml".into()),
    }
}

/// Into the 8x8 guide (second in the chooser) up to `step`, choosing Cloud Storage and Chat.
pub(crate) fn to_8x8(w: &mut Wizard, step: &str) {
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
pub(crate) fn unauthorized() -> Report {
    let states = [
        CheckState::Passed,
        CheckState::Passed,
        CheckState::Failed(FailureKind::Unauthorized),
        CheckState::Skipped,
        CheckState::Skipped,
    ];
    let hint = pbxlink::providers::ProviderId::ThreeCx.guide().hint_at("token", FailureKind::Unauthorized);
    Report { checks: checks(&states), failure: Some(FailureKind::Unauthorized), hint: Some(hint), ms: 40, health: None }
}

pub(crate) fn finish(w: &mut Wizard, ok: bool) {
    let a = w.attempt;
    let r = if ok {
        Report { checks: checks(&[CheckState::Passed; 5]), failure: None, hint: None, ms: 87, health: None }
    } else {
        unauthorized()
    };
    w.update(Msg::Validation { attempt: a, event: ValidationEvent::Done(r) });
}
