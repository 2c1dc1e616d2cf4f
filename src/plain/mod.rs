//! Plain mode (`--plain`, `ACCESSIBLE=1`): the home screen, the vendor guides and the demo as
//! linear line prompts, for screen readers, serial consoles, `TERM=dumb` and piped answers. No
//! full-screen drawing, cursor movement, colour or spinner: one line per thing said, one prompt
//! per answer. The guides are the same assets, field checks, validation engine and profile store
//! as the TUI's; only the way of asking differs.
//!
//! Ending: Ctrl-D (end of input) at a guide's prompt stops without saving that profile (exit 1);
//! at the home menu it quits (exit 0). SIGINT, SIGTERM and SIGHUP restore the terminal's echo,
//! let a save in progress finish, and exit with 128+n.

mod asking;
mod echo;
mod finish;
mod form;
mod guide;
mod home;
pub mod prompt;

use anyhow::{Context, Result};
use std::path::PathBuf;
use std::sync::Mutex;
use tokio::runtime::Runtime;

use crate::clock::now_secs;
use crate::exit;
use crate::profile::Profile;
use crate::profile::results::{LastResult, Results};
use crate::profile::store::Loaded;
use crate::providers::ProviderId;
use crate::report::{CheckState, Report};
use crate::validate::{self, Progress};
use crate::wizard::{DemoInfo, NewDefaults};
use prompt::{Prompter, Stop};

/// What a plain session works with (built by `commands::interactive`, like the TUI's).
pub struct Session {
    pub config: PathBuf,
    /// Where the last results are recorded.
    pub state: PathBuf,
    pub opts: validate::Options,
    /// Values new profiles get without being typed (`--ca-file`, the demo's hosts).
    pub new: NewDefaults,
    /// ASCII only (`--ascii`, or a locale that is not UTF-8).
    pub ascii: bool,
    /// In `pbxlink demo`: the simulator's accounts, printed first.
    pub demo: Option<DemoInfo>,
    /// Every validation of the session takes its turn here (one at a time, as prompts are).
    pub sched: validate::Scheduler,
}

/// Where a session starts.
pub enum Start {
    Home,
    /// `pbxlink add PROVIDER`: one guide, with values from flags (field id, value) already filled in.
    Guide(ProviderId, Vec<(String, String)>),
}

/// Held while the profiles file or the results are written, so that a signal lets the write
/// finish before the process exits.
static SAVING: Mutex<()> = Mutex::new(());

/// Runs a plain session on stdin and stdout until it ends; returns the exit code.
pub fn run(rt: &Runtime, session: Session, start: Start) -> Result<u8> {
    watch_signals(rt)?;
    exit_on_panic();
    let prompter = Prompter::stdio(session.ascii);
    run_with(rt, session, start, prompter)
}

/// [`run`], asking on `prompter` (tests give it their answers and read what was said), without
/// the signal handling.
pub fn run_with(rt: &Runtime, session: Session, start: Start, prompter: Prompter) -> Result<u8> {
    let mut pl = Plain { s: &session, rt, p: prompter };
    pl.p.say("pbxlink, plain mode: answer each prompt and press Enter. Ctrl-D stops without saving.");
    if let Some(d) = &session.demo {
        demo_banner(&mut pl.p, d, &session);
    }
    let ended = match start {
        Start::Home => home::run(&mut pl),
        Start::Guide(provider, prefill) => guide::run(&mut pl, provider, &prefill).map(|e| match e {
            asking::Ended::Saved => exit::OK,
            asking::Ended::Left(code) => code,
        }),
    };
    match ended {
        Ok(code) => Ok(code),
        Err(Stop::Eof) => {
            eprintln!("\nInput ended: stopped without saving this profile.");
            Ok(exit::ERROR)
        }
        Err(Stop::Io(e)) => Err(e).context("cannot read the answers"),
    }
}

/// A running session: its settings, the runtime, and the prompts.
pub(crate) struct Plain<'a> {
    pub s: &'a Session,
    pub rt: &'a Runtime,
    pub p: Prompter,
}

impl Plain<'_> {
    /// The profiles file as it is now; a file that cannot be read is reported and counts as empty
    /// (a save then fails with the same reason, and says so).
    fn load(&mut self) -> Loaded {
        match crate::providers::store(&self.s.config).load() {
            Ok(l) => l,
            Err(e) => {
                self.p.say(&format!("Cannot read the profiles: {e:#}"));
                Loaded::default()
            }
        }
    }

    /// Validates `profile`, printing each check as a line when it ends, then the failure and its
    /// fix.
    fn check(&mut self, profile: &Profile, linked: Option<&Profile>) -> Report {
        let Plain { s, rt, p } = self;
        let out = &mut p.out;
        let mut show = |pr: Progress| match pr {
            Progress::Update(c) if c.state == CheckState::Running && !c.detail.is_empty() => {
                // A check held up says so (another pbxlink holding this Client ID's token).
                out.say(&format!("...  {}: {}", c.title, c.detail));
            }
            Progress::Update(c) => {
                if let Some(line) = c.line() {
                    out.say(&line);
                }
            }
            Progress::Plan(_) => {}
        };
        tracing::info!(profile = %profile.name, provider = profile.provider_name(), "validation started");
        let report = rt.block_on(crate::providers::validate_in(&s.sched, profile, linked, &s.opts, &mut show));
        tracing::info!(ok = report.ok(), failure = ?report.failure, ms = report.ms, "validation finished");
        if let Some(kind) = report.failure {
            p.say(&format!("Validation failed: {kind}"));
            if let Some(h) = &report.hint {
                p.say(&format!("Fix: {h}"));
            }
        }
        report
    }

    fn record(&self, name: &str, report: &Report) {
        let _saving = SAVING.lock().unwrap_or_else(|e| e.into_inner());
        let results = Results::of(&self.s.state, &self.s.config);
        if let Err(e) = results.record(&[(name.to_string(), LastResult::from_report(report, now_secs()))]) {
            tracing::warn!("could not record the result: {e:#}");
        }
    }
}

fn demo_banner(p: &mut Prompter, d: &DemoInfo, s: &Session) {
    p.say("");
    p.say(&format!(
        "Demo: a simulator of the vendor APIs answers at {0}. Type it as the 3CX domain, and https://{0} as the CX-Engine URL (8x8 profiles use it by themselves).",
        d.domain
    ));
    p.say("Demo accounts (their secrets are public demo values):");
    for a in &d.accounts {
        let name = &a.provider.guide().name;
        p.say(&format!("  {name}: Client ID {}, {} {}: {}", a.client_id, a.secret_label, a.secret, a.what));
    }
    if let Some(t) = &d.template {
        p.say(&format!("  CX-Engine template (a name 3CX refuses): {t}"));
    }
    p.say(&format!("Demo profiles go to {}", s.config.display()));
}

/// A panic anywhere (a validation task, the disk lane) ends the session, echo back on, exit 101,
/// as in the full screen: plain mode would otherwise wait for an answer that never comes.
fn exit_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        echo::restore();
        previous(info);
        std::process::exit(101);
    }));
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT end the session from the runtime's worker, whatever the
/// main thread is waiting for: echo back on, a save in progress finished, exit 128+n. SIGTSTP
/// (Ctrl-Z) stops it with the shell's echo back, SIGCONT takes the secret prompt's silence back.
fn watch_signals(rt: &Runtime) -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let _in_runtime = rt.enter();
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut quit = signal(SignalKind::quit())?;
    let mut tstp = signal(SignalKind::from_raw(20))?;
    let mut cont = signal(SignalKind::from_raw(18))?;
    rt.spawn(async move {
        let n: i32 = loop {
            tokio::select! {
                _ = term.recv() => break 15,
                _ = int.recv() => break 2,
                _ = hup.recv() => break 1,
                _ = quit.recv() => break 3,
                _ = tstp.recv() => echo::suspended(|| {
                    // SIGSTOP, which no handler catches: SIGTSTP is caught, to get here.
                    let _ = rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::STOP);
                }),
                _ = cont.recv() => echo::resumed(),
            }
        };
        let _saving = SAVING.lock().unwrap_or_else(|e| e.into_inner());
        echo::restore();
        eprintln!("\nInterrupted.");
        std::process::exit(128 + n);
    });
    Ok(())
}
