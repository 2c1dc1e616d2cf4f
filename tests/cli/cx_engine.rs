//! CX-Engine from the command line: `cx-engine check-template` and a scripted add that checks the
//! template and the linked 3CX profile.

use super::*;

#[test]
fn check_template_reports_each_problem_with_its_line_and_never_changes_the_file() {
    let e = Env::new();
    let good = "<Crm Country=\"\" Name=\"CX-Engine\" Version=\"3\">\n<Number Prefix=\"AsIs\"/>\n<Connection MaxConcurrentRequests=\"2\"/>\n<Parameters><Parameter Name=\"ClientId\" Type=\"String\"/></Parameters>\n<Authentication Type=\"No\"/>\n<Scenarios><Scenario Id=\"\"/></Scenarios>\n</Crm>\n";
    let ok_path = e.dir.path().join("CXEngine.xml");
    std::fs::write(&ok_path, good).expect("write");
    let o = e.run(&["cx-engine", "check-template", ok_path.to_str().expect("utf8")], None, &[]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("a valid 3CX CRM template"));

    let sub = e.dir.path().join("dl");
    std::fs::create_dir(&sub).expect("mkdir");
    let bad_path = sub.join("CXEngine (2).xml");
    let broken =
        good.replace("Type=\"No\"", "Type=\"Magic\"").replace("<Connection MaxConcurrentRequests=\"2\"/>\n", "");
    std::fs::write(&bad_path, &broken).expect("write");
    let o =
        e.run(&["cx-engine", "check-template", bad_path.to_str().expect("utf8"), "--json", "--write-copy"], None, &[]);
    assert_eq!(o.code, 2);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert!(v["name_problem"].as_str().is_some_and(|n| n.contains("a space")));
    let lines: Vec<(u64, String)> = v["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| (p["line"].as_u64().unwrap_or(0), p["message"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(lines, vec![(4, "<Authentication Type=\"Magic\"> is not one of No, Basic, Scenario".to_string())]);
    // Without <Connection>: said, never refused.
    let warnings = v["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{v:#}");
    assert!(warnings[0]["message"].as_str().is_some_and(|m| m.starts_with("<Connection> is missing")), "{v:#}");
    assert_eq!(std::fs::read_to_string(&bad_path).expect("original"), broken, "the original is never touched");
    assert_eq!(std::fs::read_to_string(sub.join("CXEngine.xml")).expect("copy"), broken);

    let not_xml = e.dir.path().join("page.xml");
    std::fs::write(&not_xml, "<html><body>Download</body></html>").expect("write");
    let o = e.run(&["cx-engine", "check-template", not_xml.to_str().expect("utf8")], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stdout.contains("not <Crm>: this is not a 3CX CRM template"), "{}", o.stdout);

    // A template without <Connection> is accepted, with the warning.
    let no_connection = e.dir.path().join("nc").join("CXEngine.xml");
    std::fs::create_dir(no_connection.parent().expect("dir")).expect("mkdir");
    std::fs::write(&no_connection, good.replace("<Connection MaxConcurrentRequests=\"2\"/>\n", "")).expect("write");
    let o = e.run(&["cx-engine", "check-template", no_connection.to_str().expect("utf8")], None, &[]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(":1: warning: <Connection> is missing") && o.stdout.contains("a valid 3CX CRM template"),
        "{}",
        o.stdout
    );
}

use pbxlink::providers::cxengine::simulated::CxEngineAccount;

const SECRET_CX: &str = "cx-cli-secret-1a2b3c4d5e";

#[test]
fn scripted_add_checks_the_template_and_the_linked_pbx() {
    let e = guarded(Sandbox::start(
        vec![ThreeCxAccount::new("900", GOOD, Behaviour::Good)],
        vec![],
        vec![CxEngineAccount::new("7", SECRET_CX)],
    ));
    let url = format!("https://{}/some/page", e.sim.domain());
    let ca = e.ca.clone();
    e.write_config(&e.profile("pbx", &e.sim.domain(), "900", GOOD, true));
    let good_tpl = e.dir.path().join("CXEngine.xml");
    std::fs::write(&good_tpl, pbxlink::simulator::DEMO_TEMPLATE).expect("tpl");
    let bad_tpl = e.dir.path().join("CX Engine.xml");
    std::fs::write(&bad_tpl, "<Crm/>").expect("tpl");
    let ca_s = ca.to_string_lossy().to_string();
    let add = |name: &str, method: &str, tpl: &std::path::Path, pbx: &str, secret: &str| {
        e.run(
            &[
                "--ca-file",
                &ca_s,
                "add",
                "cx-engine",
                "--non-interactive",
                "--name",
                name,
                "--base-url",
                &url,
                "--auth-method",
                method,
                "--client-id",
                "7",
                "--account-id",
                "7",
                "--template",
                tpl.to_str().expect("utf8"),
                "--pbx-profile",
                pbx,
                "--client-secret-stdin",
            ],
            Some(secret),
            &[],
        )
    };
    let o = add("crm", "authorization_code", &good_tpl, "pbx", SECRET_CX);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = add("crm2", "password", &good_tpl, "pbx", SECRET_CX);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("does not support the password grant"), "{}", o.stderr);
    let o = add("crm3", "client_credentials", &bad_tpl, "pbx", SECRET_CX);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("contains a space") && o.stderr.contains("<Number> is missing"), "{}", o.stderr);
    let o = add("crm4", "client_credentials", &good_tpl, "nosuch", SECRET_CX);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("is not a 3CX profile"), "{}", o.stderr);
    let o = add("crm5", "client_credentials", &good_tpl, "pbx", "wrong");
    assert_eq!(o.code, 3, "{}", o.stderr);

    let text = std::fs::read_to_string(e.config()).expect("config");
    assert!(
        text.contains("provider = \"cx-engine\"")
            && text.contains(&format!("base_url = \"https://{}\"", e.sim.domain())),
        "{text}"
    );
    assert!(text.contains("auth_method = \"authorization_code\"") && text.contains("pbx_profile = \"pbx\""), "{text}");
    let (code, v) = e.validate_json("crm", &[]);
    assert_eq!(code, 0, "{v:#}");
    // The linked 3CX profile's CRM settings were read back, and its test endpoint never called.
    let checks = v["profiles"][0]["checks"].as_array().cloned().unwrap_or_default();
    let crm = checks.iter().find(|c| c["name"] == "crm").cloned().unwrap_or_default();
    assert_eq!(crm["state"], "passed", "{v:#}");
    assert!(crm["detail"].as_str().is_some_and(|d| d.contains("\"CX-Engine\"")), "{crm:#}");
    assert!(!e.sim.requests().iter().any(|r| r.contains("Pbx.Test")));
    // 3CX names no template: what an empty name means is not documented, so it is shown as
    // "not checked", never failed.
    pbxlink::providers::threecx::simulated::ThreeCxSite::of(&e.sim).set_crm_template(None);
    let (code, v) = e.validate_json("crm", &[]);
    assert_eq!((code, v["profiles"][0]["failure"].as_str()), (0, None), "{v:#}");
    let checks = v["profiles"][0]["checks"].as_array().cloned().unwrap_or_default();
    let crm = checks.iter().find(|c| c["name"] == "crm").cloned().unwrap_or_default();
    assert_eq!(crm["state"], "n/a", "{v:#}");
    pbxlink::providers::threecx::simulated::ThreeCxSite::of(&e.sim)
        .set_crm_template(Some(pbxlink::providers::threecx::simulated::DEMO_TEMPLATE_NAME));
    let o = e.run(&["show", "crm"], None, &[]);
    assert!(o.stdout.contains("client_secret = \"…4d5e\"  # redacted"), "{}", o.stdout);
    e.assert_none_of(&[SECRET_CX]);
    // `token`: an Authorization Code profile's tokens go through 3CX; client credentials get one.
    let o = e.run(&["token", "crm"], None, &[]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("Authorization Code profile's tokens go to 3CX") && o.stdout.is_empty(), "{}", o.stderr);
    assert_eq!(add("cc", "client_credentials", &good_tpl, "pbx", SECRET_CX).code, 0);
    let o = e.run(&["token", "cc"], None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stdout.trim().is_empty() && !o.stdout.contains(SECRET_CX), "{}", o.stdout);
    // Without a terminal, the guide says to use --non-interactive and its flags.
    let o = e.run(&["add", "cx-engine"], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--non-interactive") && o.stderr.contains("--base-url"), "{}", o.stderr);
}
