//! The real binary's non-interactive commands against the simulator over real HTTPS: every failure
//! kind reaches the right JSON `failure` and exit code, Nagios lines, scripted `add` with each
//! secret source, profiles files kept intact, bounded concurrency, and no secret in any output,
//! log or state file.

use crate::common::sandbox::{Guarded, Sandbox};
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

const GOOD: &str = "key-good-8f3a2c91d7e4";
const WRONG: &str = "key-wrong-55c0a1b2c3d4";
const OTHER: &str = "key-other-0a9b8c7d6e5f";
const SECRETS: [&str; 4] = [GOOD, WRONG, OTHER, "cli-8x8-secret-4b5c6d7e8f"];

/// The shared sandbox (tests/common/sandbox.rs), checked for leaked secrets when a test ends.
type Env = Guarded;

fn accounts() -> Vec<ThreeCxAccount> {
    vec![
        ThreeCxAccount::new("900", GOOD, Behaviour::Good),
        ThreeCxAccount::new("901", OTHER, Behaviour::NoXapiAccess),
        ThreeCxAccount::new("902", OTHER, Behaviour::LowRole),
        ThreeCxAccount::new("904", OTHER, Behaviour::NoLicence),
        ThreeCxAccount::new("905", OTHER, Behaviour::RateLimited),
        ThreeCxAccount::new("906", OTHER, Behaviour::ServerError),
        ThreeCxAccount::new("907", OTHER, Behaviour::NotThreeCx),
    ]
}

/// Guards `sandbox` with this file's secrets.
fn guarded(sandbox: Sandbox) -> Env {
    Guarded { sandbox, secrets: SECRETS.to_vec() }
}

impl Guarded {
    fn new() -> Env {
        Self::with(accounts())
    }

    fn with(accounts: Vec<ThreeCxAccount>) -> Env {
        guarded(Sandbox::start(accounts, vec![], vec![]))
    }

    fn profile(&self, name: &str, domain: &str, client: &str, key: &str, with_ca: bool) -> String {
        self.profile_3cx(name, domain, client, key, with_ca)
    }

    fn validate_json(&self, name: &str, extra: &[&str]) -> (i32, serde_json::Value) {
        let mut args = vec!["validate", name, "--json", "--timeout", "2"];
        args.extend_from_slice(extra);
        let o = self.run(&args, None, &[]);
        let v: serde_json::Value =
            serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", o.stdout, o.stderr));
        (o.code, v)
    }
}

#[path = "cli/add.rs"]
mod add;
#[path = "cli/api.rs"]
mod api;
#[path = "cli/capabilities.rs"]
mod capabilities;
#[path = "cli/completion.rs"]
mod completion;
#[path = "cli/concurrency.rs"]
mod concurrency;
#[path = "cli/cx_engine.rs"]
mod cx_engine;
#[path = "cli/edit.rs"]
mod edit;
#[path = "cli/eightbyeight.rs"]
mod eightbyeight;
#[path = "cli/health.rs"]
mod health;
#[path = "cli/history.rs"]
mod history;
#[path = "cli/import.rs"]
mod import;
#[cfg(feature = "keyring")]
#[path = "cli/keyring.rs"]
mod keyring;
#[path = "cli/output.rs"]
mod output;
#[path = "cli/prometheus.rs"]
mod prometheus;
#[path = "cli/secret_refs.rs"]
mod secret_refs;
#[path = "cli/token.rs"]
mod token;
#[path = "cli/trust.rs"]
mod trust;
