//! The server certificate of every vendor, from the handshake each validation already makes: a
//! simulator listening with certificates of chosen lifetimes (all signed by its CA), each vendor's
//! working account validated at each, the days left told and judged by the thresholds, the
//! verdict untouched.

use super::*;
use pbxlink::providers::cxengine::{AuthMethod, CxEngine};
use pbxlink::providers::eightbyeight::EightByEight;
use pbxlink::providers::eightbyeight::simulated::Grants;
use pbxlink::report::{Level, Thresholds};

/// The profile of each vendor's working account at `host`.
fn profiles(host: &str) -> Vec<Profile> {
    let secret = || SecretString::from(SECRET.to_string());
    vec![
        profile(host, "900", SECRET),
        EightByEight {
            client_id: "all".into(),
            client_secret: secret(),
            products: vec!["cloud-storage".into()],
            base_url: Some(host.into()),
            region: None,
        }
        .profile("cc", None),
        CxEngine {
            base_url: format!("https://{host}"),
            auth_method: AuthMethod::ClientCredentials,
            client_id: "7".into(),
            client_secret: secret(),
            account_id: "7".into(),
            template_path: None,
            pbx_profile: None,
        }
        .profile("crm", None),
    ]
}

/// The certificate's days left and its finding, as the report tells them.
fn certificate(r: &Report) -> (Option<i64>, Option<Level>) {
    let h = r.health.as_ref().expect("every report over TLS has the certificate");
    let fact = h.facts.iter().find(|f| f.id == "certificate_expires").expect("certificate_expires");
    (fact.number, h.findings.iter().find(|f| f.id == "certificate_expires").map(|f| f.level))
}

#[tokio::test]
async fn every_vendor_tells_the_days_its_certificate_has_left() {
    let sites: Vec<Arc<dyn Site>> = vec![
        Arc::new(ThreeCxSite::new(vec![ThreeCxAccount::new("900", SECRET, Behaviour::Good)])),
        Arc::new(EightByEightSite::new(vec![EightByEightAccount::new("all", SECRET, Grants::All)])),
        Arc::new(CxEngineSite::new(vec![CxEngineAccount::new("7", SECRET)])),
    ];
    let sim = Simulator::start_with_certificates(sites, &[89, 20, 5]).await.expect("simulator");
    let (_dir, opts) = trusting(&sim);
    let expected = [(89, None), (20, Some(Level::Warning)), (5, Some(Level::Critical))];
    for (i, (days, level)) in expected.into_iter().enumerate() {
        let host = sim.domain_at(i).expect("listener");
        for p in profiles(&host) {
            let r = pbxlink::providers::validate(&p, &opts, &mut |_| {}).await;
            assert!(r.ok(), "a certificate about to end is a finding, never a failure: {r:#?}");
            assert_eq!(certificate(&r), (Some(days), level), "{} at {host}: {r:#?}", p.provider);
        }
    }
    // The run's thresholds judge it: 20 days is nothing under 10/3, 5 days a warning.
    let lax = Options { thresholds: Thresholds { warn_days: 10, crit_days: 3, ..Thresholds::default() }, ..opts };
    for (i, level) in [(1, None), (2, Some(Level::Warning))] {
        for p in profiles(&sim.domain_at(i).expect("listener")) {
            let r = pbxlink::providers::validate(&p, &lax, &mut |_| {}).await;
            assert_eq!(certificate(&r).1, level, "{}: {r:#?}", p.provider);
        }
    }
}
