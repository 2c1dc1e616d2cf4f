//! The validation engine: the only code in pbxlink that talks HTTP (reqwest lives here and nowhere
//! else). A vendor's sequence (`providers/<vendor>/check.rs`) states its checks to a [`Tracker`]
//! and its requests to a [`session::Session`]; the engine connects, sends, bounds, classifies every
//! transport failure into one of the contract's kinds, and schedules validations ([`Scheduler`]).
//! It knows no vendor.
//!
//! Rules it keeps: connect and request timeouts are always set; redirects are never followed (a
//! credential is never re-sent elsewhere); bodies are read with a bound; no error text ever carries
//! a URL or a secret; one TLS connection serves every request of a validation.

mod answer;
pub mod cert;
mod client;
mod errors;
mod proxy;
mod roots;
mod scheduler;
pub mod session;
mod tls;
pub mod token_lock;
mod tracker;

use std::path::PathBuf;
use std::time::Duration;

use crate::profile::Profile;
use crate::report::Check;

pub use answer::{Answer, Failure, server_message, status_failure};

pub use client::http_client_for_tests;
pub use scheduler::{Scheduler, Turn};
pub use token_lock::LockConfig;
pub use tracker::Tracker;

/// The one async runtime of a pbxlink process (the full-screen UI has [`screen_runtime`]):
/// validations, plain mode's effects and signal watcher, the demo's simulator all run on it. Two
/// workers, so work goes on while the main thread waits for a line to be typed, and no more: PBX
/// hosts are small.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("pbxlink").enable_all().build()
}

/// The full-screen UI's runtime: its thread, no others. The drawing loop runs inside it, so the
/// validations (network waits, a TLS handshake of a millisecond) go on between frames; no worker
/// thread starts before the first frame or holds memory while the screen waits for a key. Plain
/// mode keeps [`runtime`]: its main thread blocks on reading a line.
pub fn screen_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    // Room for 64 socket events per turn, not the default 1024: the screen has a few sockets.
    tokio::runtime::Builder::new_current_thread().enable_all().max_io_events_per_tick(64).build()
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
    /// When health findings are raised (`--warn-days`, `--crit-days`).
    pub thresholds: crate::report::Thresholds,
    /// The secrets the requests carry, taken out of every text made from an answer. Clones share
    /// it: the sessions of one validation add to it, its checks' details are redacted with it.
    pub redactor: crate::redact::Redactor,
}

impl Options {
    /// These options with the profile's own CA file (`ca_file`) trusted too, and its own
    /// thresholds in place of the run's.
    pub fn for_profile(&self, profile: &Profile) -> Options {
        let mut opts = self.clone();
        opts.ca_files.extend(profile.ca_file.iter().cloned());
        opts.thresholds = self.thresholds.with(&profile.thresholds);
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
            thresholds: crate::report::Thresholds::default(),
            redactor: crate::redact::Redactor::default(),
        }
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
