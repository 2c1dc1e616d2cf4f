//! The validation engine: the only code in pbxlink that talks HTTP. Shared by the TUI and the
//! `validate` command. It proves a profile live as a list of checks, reporting each as it starts
//! and ends, and turns every failure into one of the contract's kinds with the vendor's fix.
//! [`principals`] reuses its 3CX sign-in for the service principal requests, which are never part
//! of a validation.
//!
//! Rules it keeps: connect and request timeouts are always set; redirects are never followed (a
//! credential is never re-sent elsewhere); bodies are read with a bound; no error text ever carries
//! a URL or a secret; one TLS connection serves every request of a validation.

mod client;
mod cxengine;
mod eightbyeight;
mod errors;
pub mod principals;
mod proxy;
mod scheduler;
mod session;
mod threecx;
mod tls;
mod token_lock;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::profile::{Profile, ProfileBody};
use crate::report::{Check, CheckState, FailureKind, Report};

pub use client::http_client_for_tests;
pub use scheduler::{Scheduler, Turn};
pub use tls::roots_notice;
pub use token_lock::LockConfig;

/// The one async runtime of a pbxlink process: validations, the TUI's effects, plain mode's signal
/// watcher and the demo's simulator all run on it. Two workers, so work goes on while the main
/// thread waits for a line to be typed, and no more: PBX hosts are small.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("pbxlink").enable_all().build()
}

/// Knobs for one validation.
#[derive(Debug, Clone)]
pub struct Options {
    /// Extra CA files to trust besides the system roots (`--ca-file`, the profile's `ca_file`).
    pub ca_files: Vec<PathBuf>,
    pub connect_timeout: Duration,
    /// Bound on each request, from sending it to the end of the body.
    pub request_timeout: Duration,
    /// Connect directly even when HTTPS_PROXY/ALL_PROXY are set (`--no-proxy`).
    pub no_proxy: bool,
    /// Where the one-token-per-Client-ID locks live (the state directory's `locks/`), shared with
    /// every other pbxlink process; `None`: no lock across processes (library use, tests).
    pub lock: Option<LockConfig>,
}

impl Options {
    /// These options with the profile's own CA file (`ca_file`) trusted too.
    pub fn for_profile(&self, profile: &Profile) -> Options {
        let mut opts = self.clone();
        opts.ca_files.extend(profile.ca_file.iter().cloned());
        opts
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            ca_files: Vec::new(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            no_proxy: false,
            lock: None,
        }
    }
}

/// Profiles with the same key must be validated one after another, never at once: 3CX keeps one
/// active token per client, so two validations of one client end each other's tokens and the
/// loser would be told its (good) key was refused.
/// A CX-Engine profile with a `linked` 3CX profile takes a token for that 3CX client too.
pub fn token_group(p: &Profile, linked: Option<&Profile>) -> Option<String> {
    match (&p.body, linked) {
        (ProfileBody::ThreeCx(x), _) => Some(threecx::token_key(x)),
        (ProfileBody::CxEngine(_), Some(l)) => token_group(l, None),
        // 8x8 and CX-Engine issue independent tokens: their validations may run side by side.
        _ => None,
    }
}

/// Streamed while a validation runs, so a UI can show each check as it changes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// The full list of checks, all pending, before anything runs.
    Plan(Vec<Check>),
    /// One check changed (started or finished).
    Update(Check),
}

/// Validates a profile, calling `progress` on every change. Never panics on bad input or bad
/// answers; every outcome is in the returned report.
pub async fn validate(profile: &Profile, opts: &Options, progress: &mut (dyn FnMut(Progress) + Send)) -> Report {
    validate_linked(profile, None, opts, progress).await
}

/// [`validate`], with the saved 3CX profile a CX-Engine profile links (its `pbx_profile`), whose
/// CRM settings are then read back too. `None` for a CX-Engine profile that names one means the
/// name was not found among the saved 3CX profiles.
pub async fn validate_linked(
    profile: &Profile,
    linked: Option<&Profile>,
    opts: &Options,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Report {
    let opts = opts.for_profile(profile);
    match &profile.body {
        ProfileBody::ThreeCx(p) => threecx::run(p, &opts, progress).await,
        ProfileBody::EightByEight(e) => eightbyeight::run(e, &opts, progress).await,
        ProfileBody::CxEngine(c) => cxengine::run(c, linked, &opts, progress).await,
        ProfileBody::Unsupported { provider } => {
            let mut t = Tracker::new(&[("provider", format!("Provider \"{provider}\""))], progress);
            t.fail(
                "provider",
                FailureKind::BadResponse,
                format!("provider \"{provider}\" is not supported by this pbxlink version"),
            );
            t.finish(|_, _| "Upgrade pbxlink, or remove this profile.".to_string())
        }
    }
}

/// Keeps the list of checks and reports each change.
struct Tracker<'a> {
    checks: Vec<Check>,
    started: Instant,
    current: Option<(usize, Instant)>,
    progress: &'a mut (dyn FnMut(Progress) + Send),
    failure: Option<FailureKind>,
    /// What the failure is better explained by than the failed check: `"proxy"` (the proxy failed,
    /// not the server); its fix is the guide's
    /// `<blame>.<kind>` hint.
    blame: Option<&'static str>,
}

impl<'a> Tracker<'a> {
    fn new(plan: &[(&'static str, String)], progress: &'a mut (dyn FnMut(Progress) + Send)) -> Self {
        let checks: Vec<Check> = plan.iter().map(|(id, title)| Check::pending(id, title.clone())).collect();
        progress(Progress::Plan(checks.clone()));
        Tracker { checks, started: Instant::now(), current: None, progress, failure: None, blame: None }
    }

    fn index(&self, id: &str) -> usize {
        self.checks.iter().position(|c| c.id == id).unwrap_or(0)
    }

    fn start(&mut self, id: &str) {
        let i = self.index(id);
        self.checks[i].state = CheckState::Running;
        self.current = Some((i, Instant::now()));
        (self.progress)(Progress::Update(self.checks[i].clone()));
    }

    /// Check `id` is held up: running, with `detail` saying what it waits for.
    fn waiting(&mut self, id: &str, detail: String) {
        let i = self.index(id);
        self.checks[i].state = CheckState::Running;
        self.checks[i].detail = detail;
        (self.progress)(Progress::Update(self.checks[i].clone()));
    }

    /// Ends check `id` with `state`; its duration is measured from `start` unless given.
    fn end(&mut self, id: &str, state: CheckState, detail: String, ms: Option<u64>) {
        let i = self.index(id);
        let measured = match self.current {
            Some((ci, at)) if ci == i => at.elapsed().as_millis() as u64,
            _ => 0,
        };
        let c = &mut self.checks[i];
        c.state = state;
        c.detail = detail;
        c.ms = ms.unwrap_or(measured);
        (self.progress)(Progress::Update(c.clone()));
    }

    fn pass(&mut self, id: &str, detail: String) {
        self.end(id, CheckState::Passed, detail, None);
    }

    fn fail(&mut self, id: &str, kind: FailureKind, detail: String) {
        self.failure.get_or_insert(kind);
        self.end(id, CheckState::Failed(kind), detail, None);
    }

    /// Ends the run: unfinished checks become skipped, and the first failure gets its fix from
    /// `hint(check id, kind)`, so the same kind can be explained per step; a failure with a
    /// `blame` gets `hint(blame, kind)` wherever it happened.
    fn finish(mut self, hint: impl Fn(&str, FailureKind) -> String) -> Report {
        for c in &mut self.checks {
            if !c.state.is_done() {
                c.state = CheckState::Skipped;
                (self.progress)(Progress::Update(c.clone()));
            }
        }
        Report {
            hint: self.failure.map(|k| {
                let failed = self.checks.iter().find(|c| matches!(c.state, CheckState::Failed(_)));
                let at = self.blame.unwrap_or_else(|| failed.map_or("", |c| c.id));
                hint(at, k)
            }),
            failure: self.failure,
            checks: self.checks,
            ms: self.started.elapsed().as_millis() as u64,
        }
    }
}
