//! What the wizard shows of `pbxlink demo`: the simulator's address, its accounts, its template.

use super::DemoAccount;
use crate::providers::ProviderId;

/// Shown on every screen in `pbxlink demo`.
#[derive(Debug, Clone)]
pub struct DemoInfo {
    /// The simulator's address (the 3CX domain, the 8x8 API host).
    pub domain: String,
    /// The demo accounts; their secrets are public demo values.
    pub accounts: Vec<DemoAccount>,
    /// A sample CRM template file written for the CX-Engine guide.
    pub template: Option<String>,
}

impl DemoInfo {
    /// The account to show on the banner for `provider`: its first, the one that works.
    pub fn first_for(&self, provider: ProviderId) -> Option<&DemoAccount> {
        self.accounts.iter().find(|a| a.provider == provider)
    }
}
