//! CX-Engine validations against the simulator: the token, the grant refusals, a host without
//! /oauth, and the linked 3CX's CRM settings read back (never tested).

use super::*;

use pbxlink::providers::cxengine::AuthMethod;
use pbxlink::providers::cxengine::CxEngine;

const SECRET_CX: &str = "cx-secret-9f8e7d6c5b4a";

fn profile(base: &str, client: &str, secret: &str) -> Profile {
    CxEngine {
        base_url: format!("https://{base}"),
        auth_method: AuthMethod::AuthorizationCode,
        client_id: client.into(),
        client_secret: SecretString::from(secret.to_string()),
        account_id: "7".into(),
        template_path: None,
        pbx_profile: None,
    }
    .profile("crm", None)
}

async fn env() -> (Simulator, tempfile::TempDir, Options) {
    let accounts = vec![CxEngineAccount::new("7", SECRET_CX), CxEngineAccount::new("8", SECRET_CX).code_only()];
    let sim = start(vec![], vec![], accounts).await.expect("simulator");
    let (dir, opts) = trusting(&sim);
    (sim, dir, opts)
}

fn with_method(mut p: Profile, m: AuthMethod) -> Profile {
    if let Some(mut c) = CxEngine::of(&p) {
        c.auth_method = m;
        p = c.profile(&p.name, p.ca_file.clone());
    }
    p
}

#[tokio::test]
async fn client_credentials_token() {
    let (sim, _d, opts) = env().await;
    let r = pbxlink::providers::validate(&profile(&sim.domain(), "7", SECRET_CX), &opts, &mut |_| {}).await;
    assert!(r.ok(), "{r:#?}");
    // What was proven, and what only 3CX can prove.
    assert_eq!(detail(&r, "token"), "token issued, valid for 365 days: the API client's credentials work");
    assert_eq!(state(&r, "approval"), CheckState::NotAvailable);
    assert!(detail(&r, "approval").contains("only 3CX can prove"), "{}", detail(&r, "approval"));
    let cc = with_method(profile(&sim.domain(), "7", SECRET_CX), AuthMethod::ClientCredentials);
    let r = pbxlink::providers::validate(&cc, &opts, &mut |_| {}).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(detail(&r, "token"), "token issued, valid for 365 days");
    assert!(r.checks.iter().all(|c| c.id != "approval"), "client credentials need no approval");
    assert_eq!(sim.requests(), vec!["POST /oauth/token"; 2]);
    // A wrong secret: for Client Credentials a rejection; for Authorization Code "not checked",
    // as CX-Engine's 401 invalid_client may also mean a client not allowed client credentials.
    let wrong = with_method(profile(&sim.domain(), "7", "wrong"), AuthMethod::ClientCredentials);
    let r = pbxlink::providers::validate(&wrong, &opts, &mut |_| {}).await;
    assert_eq!(r.failure, Some(FailureKind::Unauthorized));
    assert!(detail(&r, "token").contains("Client authentication failed"));
    let r = pbxlink::providers::validate(&profile(&sim.domain(), "7", "wrong"), &opts, &mut |_| {}).await;
    assert_eq!((r.failure, state(&r, "token")), (None, CheckState::NotAvailable), "{r:#?}");
    assert!(detail(&r, "token").contains("may also to a client allowed only Authorization Code"));
    assert!(!format!("{r:?}").contains(SECRET_CX));
}

/// A client CX-Engine allows only the authorization-code grant answers `unauthorized_client`:
/// for an Authorization Code profile that is "not checked", for a Client Credentials profile a
/// method mismatch; never "rejected".
#[tokio::test]
async fn a_refused_grant_is_a_method_question_not_a_rejected_key() {
    let (sim, _d, opts) = env().await;
    let code = pbxlink::providers::validate(&profile(&sim.domain(), "8", SECRET_CX), &opts, &mut |_| {}).await;
    assert!(code.ok(), "{code:#?}");
    assert_eq!(state(&code, "token"), CheckState::NotAvailable);
    assert!(detail(&code, "token").contains("unauthorized_client"), "{}", detail(&code, "token"));
    let cc = with_method(profile(&sim.domain(), "8", SECRET_CX), AuthMethod::ClientCredentials);
    let r = pbxlink::providers::validate(&cc, &opts, &mut |_| {}).await;
    assert_eq!(r.failure, Some(FailureKind::Forbidden), "{r:#?}");
    let hint = r.hint.clone().unwrap_or_default();
    assert!(hint.contains("Choose Authorization Code") && !hint.contains("rejected"), "{hint}");
}

#[tokio::test]
async fn a_host_without_oauth_names_the_url_tried() {
    // A 3CX-only simulator: /oauth/token answers 404 there.
    let sim = start(vec![], vec![], vec![]).await.expect("simulator");
    let (_dir, opts) = trusting(&sim);
    let r = pbxlink::providers::validate(&profile(&sim.domain(), "7", SECRET_CX), &opts, &mut |_| {}).await;
    assert_eq!(r.failure, Some(FailureKind::NotFound), "{r:#?}");
    assert!(detail(&r, "token").contains(&format!("https://{}/oauth/token", sim.domain())), "{}", detail(&r, "token"));
    assert!(r.hint.as_deref().is_some_and(|h| h.contains("not documented")));
}

/// A CX-Engine profile linked to a 3CX profile for client `client` (with its own CA file, as a
/// saved profile would have), and that 3CX profile.
fn linked(sim: &Simulator, dir: &std::path::Path, client: &str, template: Option<&str>) -> (Profile, Profile) {
    let mut cx = profile(&sim.domain(), "7", SECRET_CX);
    let template_path = template.map(|text| {
        let p = dir.join("CXEngine.xml");
        std::fs::write(&p, text).expect("template");
        p
    });
    if let Some(mut c) = CxEngine::of(&cx) {
        c.pbx_profile = Some("office".into());
        c.template_path = template_path;
        cx = c.profile(&cx.name, cx.ca_file.clone());
    }
    let mut pbx = super::profile(&sim.domain(), client, SECRET);
    pbx.name = "office".into();
    (cx, pbx)
}

async fn env_linked() -> (Simulator, tempfile::TempDir, Options) {
    let sim = start(
        vec![
            ThreeCxAccount::new("900", SECRET, Behaviour::Good),
            ThreeCxAccount::new("902", SECRET, Behaviour::LowRole),
        ],
        vec![],
        vec![CxEngineAccount::new("7", SECRET_CX)],
    )
    .await
    .expect("simulator");
    let (dir, opts) = trusting(&sim);
    (sim, dir, opts)
}

async fn linked_run(cx: &Profile, pbx: Option<&Profile>, opts: &Options) -> Report {
    let r = pbxlink::providers::validate_linked(cx, pbx, opts, &mut |_| {}).await;
    let all = format!("{r:?}");
    assert!(!all.contains(SECRET_CX) && !all.contains(SECRET), "a secret leaked: {all}");
    r
}

#[tokio::test]
async fn a_linked_3cx_reports_the_template_it_uses_and_is_never_tested() {
    let (sim, dir, opts) = env_linked().await;
    let (cx, pbx) = linked(&sim, dir.path(), "900", Some(pbxlink::simulator::DEMO_TEMPLATE));
    let r = linked_run(&cx, Some(&pbx), &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(detail(&r, "crm"), "3CX uses \"CX-Engine\"; lookups: external calls on, DID calls off");
    let log = sim.requests();
    assert_eq!(log, vec!["POST /oauth/token", "POST /connect/token", "GET /xapi/v1/CrmIntegration"]);
    assert!(!log.iter().any(|l| l.contains("Pbx.Test")), "the CRM test endpoint must never be called");
    assert_eq!(sim.handshakes(), 2, "one connection per host");
}

#[tokio::test]
async fn the_3cx_side_says_what_is_missing_there() {
    let (sim, dir, opts) = env_linked().await;
    // 3CX names no template: what an empty Name means is not documented. Shown, never failed.
    ThreeCxSite::of(&sim).set_crm_template(None);
    let (cx, pbx) = linked(&sim, dir.path(), "900", None);
    let r = linked_run(&cx, Some(&pbx), &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(state(&r, "crm"), CheckState::NotAvailable);
    assert!(detail(&r, "crm").starts_with("not checked: 3CX names no CRM template"), "{}", detail(&r, "crm"));
    // Another name than the template file's: both shown, "not checked" (that 3CX's Name is the
    // file's is documented nowhere).
    ThreeCxSite::of(&sim).set_crm_template(Some("Salesforce"));
    let (cx, pbx) = linked(&sim, dir.path(), "900", Some(pbxlink::simulator::DEMO_TEMPLATE));
    let r = linked_run(&cx, Some(&pbx), &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(state(&r, "crm"), CheckState::NotAvailable);
    assert!(
        detail(&r, "crm").starts_with("not checked: 3CX uses \"Salesforce\", the template file is named \"CX-Engine\""),
        "{}",
        detail(&r, "crm")
    );
    // A role that may not read it.
    let (cx, pbx) = linked(&sim, dir.path(), "902", None);
    let r = linked_run(&cx, Some(&pbx), &opts).await;
    assert_eq!(r.failure, Some(FailureKind::Forbidden));
    assert!(r.hint.as_deref().is_some_and(|h| h.contains("System Owner")), "{:?}", r.hint);
    // The 3CX profile's key is refused: named as the 3CX side's problem, not CX-Engine's.
    let (cx, mut pbx) = linked(&sim, dir.path(), "900", None);
    if let Some(mut x) = ThreeCx::of(&pbx) {
        x.api_key = SecretString::from("wrong-key".to_string());
        pbx = x.profile(&pbx.name, pbx.ca_file.clone());
    }
    let r = linked_run(&cx, Some(&pbx), &opts).await;
    assert_eq!(r.failure, Some(FailureKind::Unauthorized));
    assert_eq!(state(&r, "token"), CheckState::Passed, "CX-Engine's own token was fine");
    assert!(detail(&r, "crm").starts_with(&format!("3CX {}: token: HTTP 401", sim.domain())), "{}", detail(&r, "crm"));
    assert!(r.hint.as_deref().is_some_and(|h| h.contains("3CX profile")), "{:?}", r.hint);
}

#[tokio::test]
async fn a_missing_linked_profile_is_not_a_failure_of_the_connector() {
    let (sim, dir, opts) = env_linked().await;
    let (cx, _) = linked(&sim, dir.path(), "900", None);
    let r = linked_run(&cx, None, &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(state(&r, "crm"), CheckState::NotAvailable);
    assert!(detail(&r, "crm").contains("no saved 3CX profile named \"office\""));
    // A failed CX-Engine token skips the 3CX read (no needless token taken there).
    let (mut cx, pbx) = linked(&sim, dir.path(), "900", None);
    if let Some(mut c) = CxEngine::of(&cx) {
        c.client_secret = SecretString::from("wrong".to_string());
        c.auth_method = AuthMethod::ClientCredentials;
        cx = c.profile(&cx.name, cx.ca_file.clone());
    }
    let before = sim.requests().len();
    let r = linked_run(&cx, Some(&pbx), &opts).await;
    assert_eq!((r.failure, state(&r, "crm")), (Some(FailureKind::Unauthorized), CheckState::Skipped));
    assert_eq!(sim.requests()[before..], ["POST /oauth/token".to_string()]);
}
