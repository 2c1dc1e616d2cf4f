//! What a 3CX key may do, over the network: signs in as validation does (the `dns`, `connect`
//! and `token` steps, with their fixes), then makes each read of [`capabilities::ALL`] once, in
//! turn, on the same TLS connection. GET only; never part of validation, which keeps to its few
//! requests.

use super::ThreeCx;
use super::capabilities::{self, Access, Capability};
use super::principal_requests::signed_in;
use super::principals::Problem;
use crate::validate::Options;
use crate::validate::session::Session;

/// What each read answered, and (for a fix that names it) the address the PBX saw this machine as.
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub results: Vec<(Capability, Access)>,
    pub seen_as: Option<String>,
}

impl Capabilities {
    /// The role the refusals point to ([`capabilities::missing_role`]).
    pub fn missing_role(&self) -> Option<String> {
        capabilities::missing_role(&self.results)
    }
}

/// Asks every capability read of the PBX `cx` signs in to. `opts` must already hold the
/// profile's CA file ([`Options::for_profile`]); `waiting` hears what the sign-in waits for.
pub async fn read(
    cx: &ThreeCx,
    opts: &Options,
    waiting: &mut (dyn FnMut(&str) + Send),
) -> Result<Capabilities, Problem> {
    signed_in(cx, opts, waiting, async |s: &Session, bearer: &str| {
        let mut results = Vec::with_capacity(capabilities::ALL.len());
        for c in capabilities::ALL {
            let access = match s.get(c.path, bearer).await {
                Ok(a) => match capabilities::interpret(&a) {
                    Access::Unknown(why) => Access::Unknown(s.redact(&why)),
                    known => known,
                },
                // A transport failure tells nothing of the key.
                Err((_, detail)) => Access::Unknown(s.redact(&detail)),
            };
            results.push((c, access));
        }
        Ok(Capabilities { results, seen_as: s.seen_as("the PBX") })
    })
    .await
}
