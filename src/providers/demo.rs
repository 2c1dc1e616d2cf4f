//! The demo (`pbxlink demo`, `pbxlink simulator`): every unit's simulated site, and its accounts as
//! the demo shows them (the banner, the help, plain mode's list). Their secrets are public demo
//! values, shown on screen by design.

use std::sync::Arc;

use super::ProviderId;
use crate::simulator::{Simulator, Site};

/// One demo account, as the demo shows it.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub provider: ProviderId,
    pub client_id: String,
    pub secret: String,
    /// What the guide calls the secret ("API key", "Client Secret").
    pub secret_label: &'static str,
    /// What it shows ("works", "API access not ticked", ...).
    pub what: String,
    /// What the banner shows while its vendor's guide is open: (label, value) pairs, with what to
    /// type where (the simulator's address, the Client ID, the secret).
    pub banner: Vec<(&'static str, String)>,
}

/// The simulator with every unit's demo accounts, in the current tokio runtime.
pub async fn simulator() -> anyhow::Result<Simulator> {
    Simulator::start(ProviderId::ALL.iter().map(|p| p.demo_site()).collect()).await
}

/// [`simulator`], with `site` in place of `vendor`'s demo site (the benchmark's many accounts).
pub async fn simulator_with(vendor: ProviderId, site: Arc<dyn Site>) -> anyhow::Result<Simulator> {
    let sites = ProviderId::ALL.iter().map(|&p| if p == vendor { site.clone() } else { p.demo_site() }).collect();
    Simulator::start(sites).await
}

/// Every unit's demo accounts, for a simulator at `domain`; each vendor's first is the one that
/// works, which the banner shows.
pub fn accounts(domain: &str) -> Vec<DemoAccount> {
    ProviderId::ALL.iter().flat_map(|p| p.demo_accounts(domain)).collect()
}
