//! The demo (`pbxlink demo`, `pbxlink simulator`): every unit's simulated site, and its accounts as
//! the demo shows them (the banner, the help, plain mode's list). Their secrets are public demo
//! values, shown on screen by design. The simulator listens twice: at its domain with a fresh
//! certificate, and at a second one whose certificate ends in [`ENDING_CERT_DAYS`] days, to show
//! that finding.

use std::sync::Arc;

use super::{DemoAccount, ProviderId};
use crate::guide::FieldKind;
use crate::profile::schema::Kind;
use crate::simulator::{CERT_DAYS, Simulator, Site};

/// Days left on the certificate of the demo simulator's second host.
pub const ENDING_CERT_DAYS: i64 = 5;

/// The simulator with every unit's demo accounts, in the current tokio runtime.
pub async fn simulator() -> anyhow::Result<Simulator> {
    start(ProviderId::ALL.iter().map(|p| p.demo_site()).collect()).await
}

/// [`simulator`], with `site` in place of `vendor`'s demo site (the benchmark's many accounts).
pub async fn simulator_with(vendor: ProviderId, site: Arc<dyn Site>) -> anyhow::Result<Simulator> {
    let sites = ProviderId::ALL.iter().map(|&p| if p == vendor { site.clone() } else { p.demo_site() }).collect();
    start(sites).await
}

async fn start(sites: Vec<Arc<dyn Site>>) -> anyhow::Result<Simulator> {
    Simulator::start_with_certificates(sites, &[CERT_DAYS, ENDING_CERT_DAYS]).await
}

/// Every unit's demo accounts on `sim`; each vendor's first is the one that works, which the
/// banner shows. Where `sim` has a second host (the demo's), each vendor whose guide asks for the
/// host gets its working account once more, at that host, to show a certificate about to end.
pub fn accounts(sim: &Simulator) -> Vec<DemoAccount> {
    accounts_at(&sim.domain(), sim.domain_at(1).as_deref())
}

/// [`accounts`] of a simulator at `domain`, with its second host at `ending` if it has one.
pub fn accounts_at(domain: &str, ending: Option<&str>) -> Vec<DemoAccount> {
    let mut all: Vec<DemoAccount> = ProviderId::ALL.iter().flat_map(|p| p.demo_accounts(domain)).collect();
    let Some(ending) = ending else { return all };
    for p in ProviderId::ALL.iter().filter(|p| asks_host(**p)) {
        if let Some(mut a) = p.demo_accounts(ending).into_iter().next() {
            a.what = format!("works at {ending}, whose certificate ends in {ENDING_CERT_DAYS} days");
            all.push(a);
        }
    }
    all
}

/// Whether `p`'s guide asks where the account lives (a 3CX domain, a CX-Engine URL), so that a
/// user can type the second host.
fn asks_host(p: ProviderId) -> bool {
    let host = |k: &Kind| matches!(k, Kind::Text(FieldKind::Host | FieldKind::Url));
    p.schema().fields.iter().any(|d| host(&d.kind) && d.asked(p.guide()))
}
