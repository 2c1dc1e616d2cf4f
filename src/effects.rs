//! Carries out the wizard's effects for both front ends: reads and writes profiles, runs
//! validations as tasks, and sends every result back as a `Msg`. The only place the TUI and plain
//! mode's guides touch disk or network (through `validate`). The TUI's loop feeds the messages to
//! the wizard; plain mode feeds them to the guide it asks about.

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::clock::now_secs;
use crate::profile::results::{LastResult, Results};
use crate::profile::store::{Store, StoreError};
use crate::providers::threecx::{ThreeCx, principal_requests};
use crate::validate::{self, Progress};
use crate::wizard::{Effect, HomeData, Msg, ValidationEvent};

/// What carries out the wizard's effects and reports back as messages (the [`Executor`]; the
/// TUI's loop takes any, so tests can watch or replace it).
pub trait Effects {
    fn run(&mut self, fx: Effect);
    /// A save was reported successful.
    fn confirm_saved(&mut self);
    /// Whether an effect asked the session to end.
    fn exit(&self) -> bool;
    /// Text an effect wants on the clipboard.
    fn take_clipboard(&mut self) -> Option<secrecy::SecretString>;
    /// The profiles saved during the session.
    fn saved(&self) -> Vec<String>;
}

/// Validations run at once when re-validating every profile from the TUI.
const JOBS: usize = 4;

pub struct Executor {
    pub store: Store,
    pub results: Results,
    pub opts: validate::Options,
    tx: UnboundedSender<Msg>,
    /// Validations in flight (several when re-validating all profiles).
    running: Vec<JoinHandle<()>>,
    /// How many run at once, and one at a time per 3CX client (the token group).
    sched: validate::Scheduler,
    /// The one lane for the profiles file and the last results: what is written there (a save, a
    /// recorded result) and what reads it (the home screen's list) happen in the order the wizard
    /// asked, off the thread that draws. Without it a home screen loaded right after a
    /// validation could be read before that validation's result was written ("never checked").
    /// Started by its first job (after the first frame: no thread is made before it).
    disk: Option<std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>>,
    /// The profile being saved, reported at exit once the save succeeded.
    pending_save: Option<String>,
    exit: bool,
    /// Names saved during this session, reported at exit.
    saved: Vec<String>,
    /// Text for the terminal's clipboard, written by the driver (which owns the terminal).
    clipboard: Option<secrecy::SecretString>,
    /// `PBXLINK_PANIC_IN_VALIDATION` (the `test-hooks` feature only): a deliberate crash inside a
    /// validation task, so tests can prove a panic off the drawing thread restores the terminal too.
    panic_in_validation: bool,
}

impl Executor {
    /// Called inside the tokio runtime that will run the effects.
    pub fn new(store: Store, results: Results, opts: validate::Options, tx: UnboundedSender<Msg>) -> Self {
        Executor {
            disk: None,
            store,
            results,
            opts,
            tx,
            running: Vec::new(),
            sched: validate::Scheduler::new(JOBS),
            pending_save: None,
            exit: false,
            saved: Vec::new(),
            clipboard: None,
            panic_in_validation: cfg!(feature = "test-hooks")
                && std::env::var_os("PBXLINK_PANIC_IN_VALIDATION").is_some(),
        }
    }

    /// The same, taking turns in `sched` (plain mode's: one validation at a time).
    pub fn with_scheduler(self, sched: validate::Scheduler) -> Self {
        Executor { sched, ..self }
    }
}

impl Effects for Executor {
    fn exit(&self) -> bool {
        self.exit
    }

    fn take_clipboard(&mut self) -> Option<secrecy::SecretString> {
        self.clipboard.take()
    }

    fn saved(&self) -> Vec<String> {
        self.saved.clone()
    }

    /// Called when a save is reported successful.
    fn confirm_saved(&mut self) {
        self.saved.extend(self.pending_save.take());
    }

    fn run(&mut self, fx: Effect) {
        match fx {
            Effect::LoadProfiles => {
                let (store, results, tx) = (self.store.clone(), self.results.clone(), self.tx.clone());
                self.on_disk(move || drop(tx.send(Msg::Loaded(Box::new(load_home(&store, &results))))));
            }
            Effect::Validate { attempt, profile, linked } => {
                self.running.retain(|h| !h.is_finished());
                let tx = self.tx.clone();
                let sched = self.sched.clone();
                let opts = self.opts.clone();
                #[cfg_attr(not(feature = "test-hooks"), allow(unused_variables))]
                let crash = self.panic_in_validation;
                tracing::info!(profile = %profile.name, provider = profile.provider_name(), "validation started");
                self.running.push(tokio::spawn(async move {
                    #[cfg(feature = "test-hooks")]
                    if crash {
                        panic!("PBXLINK_PANIC_IN_VALIDATION is set: crashing on purpose inside a validation task");
                    }
                    let ptx = tx.clone();
                    let mut progress = move |p: Progress| {
                        let event = match p {
                            Progress::Plan(c) => ValidationEvent::Plan(c),
                            Progress::Update(c) => ValidationEvent::Update(c),
                        };
                        let _ = ptx.send(Msg::Validation { attempt, event });
                    };
                    let report =
                        crate::providers::validate_in(&sched, &profile, linked.as_deref(), &opts, &mut progress).await;
                    tracing::info!(ok = report.ok(), failure = ?report.failure, ms = report.ms, "validation finished");
                    let _ = tx.send(Msg::Validation { attempt, event: ValidationEvent::Done(report) });
                }));
            }
            Effect::CancelValidation => self.cancel(),
            Effect::Record { name, report } => {
                // Disk work (and a lock wait) never runs on the thread that draws and validates.
                let results = self.results.clone();
                self.on_disk(move || {
                    if let Err(e) = results.record(&[(name, LastResult::from_report(&report, now_secs()))]) {
                        tracing::warn!("could not record the result: {e:#}");
                    }
                });
            }
            Effect::Save { mut profile, mode, keep } => {
                let store = self.store.clone();
                let results = self.results.clone();
                let tx = self.tx.clone();
                let path = self.store.path().display().to_string();
                self.pending_save = Some(profile.name.clone());
                self.on_disk(move || {
                    // The secret goes where the review said first (the keyring, or a reference
                    // that must give the secret checked), on the disk lane so saves stay in order,
                    // and on a runtime of its own: a Ctrl-C during "saving…" shuts the app's
                    // runtime down, and with it the timers that bound the keyring and commands.
                    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                        Ok(rt) => rt,
                        Err(e) => {
                            let _ = tx.send(Msg::Saved(Err(StoreError(format!("cannot start the save: {e}")))));
                            return;
                        }
                    };
                    let settled = match &keep {
                        Some(k) => match rt.block_on(k.settle(&mut profile)) {
                            Ok(s) => s,
                            Err(e) => {
                                tracing::warn!(profile = %profile.name, "secret not kept: {e}");
                                let _ = tx.send(Msg::Saved(Err(StoreError(e.to_string()))));
                                return;
                            }
                        },
                        None => Default::default(),
                    };
                    // Renamed in the guide: its results follow it, whatever happens in between.
                    let renamed = match &mode {
                        crate::profile::store::SaveMode::Replace { old } if *old != profile.name => Some(old.clone()),
                        _ => None,
                    };
                    if let Some(old) = &renamed
                        && let Err(e) = results.begin_move(old, Some(&profile.name))
                    {
                        let _ = tx.send(Msg::Saved(Err(StoreError::from_anyhow(&e))));
                        return;
                    }
                    let r = store.save(&profile, &mode).map(|()| path).map_err(|e| StoreError::from_anyhow(&e));
                    if renamed.is_some() {
                        results.settle();
                    }
                    match &r {
                        Ok(_) => {
                            tracing::info!(profile = %profile.name, keyring = settled.stored().is_some(), "profile saved");
                            // The entry the profile no longer reads, once the file names the new place.
                            if let Some(old) = &settled.forget
                                && let Err(e) = rt.block_on(crate::profile::os_keyring::forget(old))
                            {
                                tracing::warn!(account = %old, "the old keyring entry stays: {e}");
                            }
                        }
                        Err(e) => {
                            tracing::warn!(profile = %profile.name, "save failed: {e}");
                            // The file does not name the new entry: the keyring holds what it held.
                            if let Some(before) = settled.replaced {
                                let account = before.account.clone();
                                if let Err(e) = rt.block_on(before.restore()) {
                                    tracing::warn!(account = %account, "the keyring entry could not be put back: {e}");
                                }
                            }
                        }
                    }
                    let _ = tx.send(Msg::Saved(r));
                });
            }
            Effect::Remove { name } => {
                let (store, results, tx) = (self.store.clone(), self.results.clone(), self.tx.clone());
                self.on_disk(move || {
                    // Its results go with it, whatever happens in between (a later profile of
                    // that name must not inherit them): noted first, so a busy lock changes nothing.
                    let result = results
                        .begin_move(&name, None)
                        .and_then(|()| store.remove(&name))
                        .map_err(|e| StoreError::from_anyhow(&e))
                        .and_then(|found| if found { Ok(()) } else { Err(StoreError("no such profile".into())) });
                    results.settle();
                    let _ = tx.send(Msg::Removed { name, result });
                });
            }
            // Disk work runs off the drawing thread; each answer names what it answers.
            Effect::CheckFile { rules, typed } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = (rules.check)(&typed);
                    let _ = tx.send(Msg::FileChecked { typed, result });
                });
            }
            Effect::CopyFile { rules, from } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = (rules.copy)(&from);
                    if let Ok(p) = &result {
                        tracing::info!(copy = %p.display(), "wrote a correctly named copy");
                    }
                    let _ = tx.send(Msg::FileCopied(result));
                });
            }
            Effect::CompletePath { typed } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let completion = crate::files::complete::complete(&typed);
                    let _ = tx.send(Msg::Completed { typed, completion });
                });
            }
            // Both take a 3CX token for the profile's client: they wait for that client's lock, as
            // validations do, so they never end a running validation's token.
            Effect::ListPrincipals { attempt, profile } => {
                let (tx, opts, sched) = (self.tx.clone(), self.opts.for_profile(&profile), self.sched.clone());
                self.running.push(tokio::spawn(async move {
                    let _turn = sched.turn(crate::providers::token_group(&profile, None)).await;
                    let cx = match threecx_now(&profile).await {
                        Ok(cx) => cx,
                        Err(problem) => return drop(tx.send(Msg::Principals { attempt, result: Err(problem) })),
                    };
                    let Some(cx) = cx else { return };
                    let wtx = tx.clone();
                    let mut waiting =
                        |d: &str| drop(wtx.send(Msg::PrincipalsWaiting { attempt, detail: d.to_string() }));
                    let result = principal_requests::list(&cx, &opts, &mut waiting).await;
                    let _ = tx.send(Msg::Principals { attempt, result });
                }));
            }
            Effect::ReadCapabilities { attempt, profile } => {
                let (tx, opts, sched) = (self.tx.clone(), self.opts.clone(), self.sched.clone());
                self.running.push(tokio::spawn(async move {
                    let _turn = sched.turn(crate::providers::token_group(&profile, None)).await;
                    // The screen's spinner says it is under way; a wait for the token's lock is
                    // bounded by the timeouts.
                    let Some(result) = crate::providers::capabilities(&profile, &opts, &mut |_| {}).await else {
                        return;
                    };
                    let _ = tx.send(Msg::Capabilities { attempt, result });
                }));
            }
            Effect::GenerateAppToken { attempt, profile, id } => {
                let (tx, opts, sched) = (self.tx.clone(), self.opts.for_profile(&profile), self.sched.clone());
                tracing::info!(profile = %profile.name, principal = id, "generating an app token (confirmed by the user)");
                // Not kept in `running`: a cancel must not drop the answer of a request that may
                // already have replaced the principal's key.
                tokio::spawn(async move {
                    let _turn = sched.turn(crate::providers::token_group(&profile, None)).await;
                    let cx = match threecx_now(&profile).await {
                        Ok(cx) => cx,
                        Err(problem) => return drop(tx.send(Msg::AppToken { attempt, result: Err(problem) })),
                    };
                    let Some(cx) = cx else { return };
                    let wtx = tx.clone();
                    let mut waiting =
                        |d: &str| drop(wtx.send(Msg::PrincipalsWaiting { attempt, detail: d.to_string() }));
                    let result = principal_requests::generate_app_token(&cx, id, &opts, &mut waiting).await;
                    tracing::info!(ok = result.is_ok(), "app token request finished");
                    let _ = tx.send(Msg::AppToken { attempt, result });
                });
            }
            Effect::CopyToClipboard(text) => self.clipboard = Some(text),
            Effect::Exit => {
                self.cancel();
                self.exit = true;
            }
        }
    }
}

impl Executor {
    /// Queues `job` on the disk lane.
    fn on_disk(&mut self, job: impl FnOnce() + Send + 'static) {
        let lane = self.disk.get_or_insert_with(|| {
            let (disk, jobs) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
            // A blocking task, not a thread: the runtime waits for it at the end, so a save in
            // progress is finished before the process exits. It ends when the executor is dropped.
            tokio::task::spawn_blocking(move || {
                for job in jobs {
                    job();
                }
            });
            disk
        });
        let _ = lane.send(Box::new(job));
    }

    fn cancel(&mut self) {
        // Aborting a task drops its HTTP futures, which closes its connection.
        for h in self.running.drain(..) {
            h.abort();
        }
    }
}

pub fn load_home(store: &Store, results: &Results) -> HomeData {
    let now = now_secs();
    match store.load() {
        Ok(l) => HomeData { entries: l.entries, results: results.load(), warnings: l.warnings, error: None, now },
        Err(e) => HomeData { error: Some(format!("{e:#}")), now, ..HomeData::default() },
    }
}

/// The 3CX view of `profile` with a secret kept elsewhere read now (`None`: not a 3CX profile),
/// or the problem to show when it cannot be read.
async fn threecx_now(profile: &crate::profile::Profile) -> Result<Option<ThreeCx>, crate::providers::Problem> {
    match profile.resolved().await {
        Ok(p) => Ok(ThreeCx::of(&p)),
        Err(why) => Err(crate::providers::Problem::secret_unavailable(why.to_string())),
    }
}
