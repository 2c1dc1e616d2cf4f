//! One demo account as the demo shows it (its banner, the help, plain mode's list): plain data,
//! in every build; the demo itself (`demo.rs`, the simulator) only where the `simulator` feature
//! is.

use super::ProviderId;

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
