//! The wizard states the screen tests draw, built by feeding the wizard messages as the app
//! would: the home screen, the 3CX guide's steps, the principals screen.

use super::*;

pub(crate) fn state(name: &str) -> Wizard {
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
        "validate_ok_health" => {
            // What the health interpreter makes of a SystemStatus with a licence ending in 12
            // days, maintenance ended 3 days ago and one trunk of two down.
            to_step(&mut w, "validate");
            let day = |d: i64| pbxlink::report::utc_date((NOW as i64 + d * 86_400) as u64);
            let body = format!(
                r#"{{"LicenseActive":true,"ExpirationDate":"{}T00:00:00Z","MaintenanceExpiresAt":"{}T00:00:00Z","TrunksTotal":2,"TrunksRegistered":1}}"#,
                day(13),
                day(-2)
            );
            let thresholds = pbxlink::report::Thresholds::default();
            let health = pbxlink::providers::threecx::health::health(body.as_bytes(), NOW, &thresholds);
            let r = Report { checks: checks(&[CheckState::Passed; 5]), failure: None, hint: None, ms: 87, health };
            let a = w.attempt;
            w.update(Msg::Validation { attempt: a, event: ValidationEvent::Done(r) });
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
                health: None,
            };
            w.update(Msg::Validation { attempt: a, event: ValidationEvent::Done(r) });
        }
        "revalidate_all" => {
            w.update(Msg::Loaded(Box::new(home_data(several()))));
            w.update(k(KeyCode::Char('V')));
            let first = w.attempt - 2;
            let ok =
                Report { checks: checks(&[CheckState::Passed; 5]), failure: None, hint: None, ms: 61, health: None };
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
                event: ValidationEvent::Done(Report { checks, failure: None, hint: None, ms: 31, health: None }),
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
                (
                    "products",
                    "not granted: Contact Center Chat (8x8's table code vcc is not in api_product_list_json, which lists storage)",
                ),
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
                health: None,
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
pub(crate) fn principal_rows() -> Vec<Principal> {
    let p = |id, number: Option<&str>, xapi, cc, system, last: Option<&str>| Principal {
        id,
        number: number.map(str::to_string),
        xapi_enabled: xapi,
        call_control_enabled: cc,
        is_system: system,
        is_system_note: None,
        last_used: last.map(str::to_string),
    };
    vec![
        p(1, Some("900"), Some(true), Some(false), Some(false), Some("2026-11-22T08:15:00Z")),
        p(2, Some("901"), Some(true), Some(true), Some(false), None),
        p(3, None, None, Some(true), Some(true), None),
    ]
}

pub(crate) fn principals_state(w: &mut Wizard, name: &str) {
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
            health: None,
        }),
    });
    w.update(Msg::Saved(Ok("/home/admin/.config/pbxlink/profiles.toml".into())));
}
