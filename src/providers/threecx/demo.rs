//! The simulated 3CX's demo accounts, one per outcome worth seeing, and how the demo shows them.

use super::simulated::{Behaviour, ThreeCxAccount, ThreeCxSite};
use crate::providers::DemoAccount;
use crate::providers::ProviderId;
use crate::simulator::Site;

/// The demo accounts, one per outcome worth seeing. Their keys are public by design: the demo
/// shows them on screen.
pub fn demo_accounts() -> Vec<ThreeCxAccount> {
    vec![
        ThreeCxAccount::new("900", "demo-key-900", Behaviour::Good),
        ThreeCxAccount::new("901", "demo-key-901", Behaviour::NoXapiAccess),
        ThreeCxAccount::new("902", "demo-key-902", Behaviour::LowRole),
        ThreeCxAccount::new("903", "demo-key-903", Behaviour::OldVersion),
        ThreeCxAccount::new("904", "demo-key-904", Behaviour::NoLicence),
        ThreeCxAccount::new("905", "demo-key-905", Behaviour::LicenceEnding),
        ThreeCxAccount::new("906", "demo-key-906", Behaviour::TrunkDown),
        ThreeCxAccount::new("907", "demo-key-907", Behaviour::OldBackup),
        ThreeCxAccount::new("908", "demo-key-908", Behaviour::SystemAdmin),
    ]
}

/// The demo's PBX.
pub fn demo_site() -> std::sync::Arc<dyn Site> {
    std::sync::Arc::new(ThreeCxSite::new(demo_accounts()))
}

/// The demo accounts as the demo shows them.
pub fn demo(domain: &str) -> Vec<DemoAccount> {
    let banner = |a: &ThreeCxAccount| {
        vec![("domain", domain.to_string()), ("Client ID", a.client_id.clone()), ("API key", a.api_key().to_string())]
    };
    let show = |a: ThreeCxAccount| DemoAccount {
        provider: ProviderId::ThreeCx,
        banner: banner(&a),
        secret: a.api_key().to_string(),
        secret_label: "API key",
        what: describe(a.behaviour).to_string(),
        client_id: a.client_id,
    };
    demo_accounts().into_iter().map(show).collect()
}

/// What an account shows, for the demo's help and `pbxlink simulator`.
pub fn describe(b: Behaviour) -> &'static str {
    match b {
        Behaviour::Good => "works",
        Behaviour::NoXapiAccess => "API access not ticked (forbidden)",
        Behaviour::LowRole => "low role: details n/a, service principals refused",
        Behaviour::OldVersion => "older 3CX (expires_in in minutes)",
        Behaviour::NoLicence => "no API licence (not found)",
        Behaviour::RateLimited => "rate limited",
        Behaviour::ServerError => "server error",
        Behaviour::NotThreeCx => "not a 3CX server",
        Behaviour::Blocked => "blocked by a firewall",
        Behaviour::TokenTaken => "token taken by another program (the second works)",
        Behaviour::RefusesTokens => "every token refused at the XAPI",
        Behaviour::CallControlOnly => "Call Control only (forbidden; Call Control answers)",
        Behaviour::CallControlRefusesXapiTokens => "Call Control only, XAPI answers 401",
        Behaviour::EarlyVersion => "3CX 20.0.5 (principals without IsSystem)",
        Behaviour::RedirectsAway => "redirects to another host",
        Behaviour::HugeBody => "answers 10 MB of junk",
        Behaviour::LicenceEnding => "works; licence ends in 12 days, maintenance ended",
        Behaviour::TrunkDown => "works; a trunk is down",
        Behaviour::OldBackup => "works; last backup 40 days ago, none scheduled",
        Behaviour::SystemAdmin => "works; System Admin role: call history and recordings refused (capabilities)",
    }
}
