//! A guide being asked as line prompts: the guide's own state (`wizard::GuideState`), the
//! executor of its effects (the TUI's), and the answers they send back, printed one line per thing
//! said. The steps' prompts (`guide`, `form`, `finish`) act through it.

use std::sync::MutexGuard;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::prompt::Prompter;
use super::{Plain, SAVING};
use crate::effects::{Effects, Executor};
use crate::guide::FileTexts;
use crate::guide::StepKind;
use crate::profile::checked_file::FileCheck;
use crate::profile::results::Results;
use crate::report::CheckState;
use crate::wizard::keymap::Action;
use crate::wizard::{Ctx, Effect, GuideOutcome, GuideState, Msg, Phase, ValidationEvent};

/// How a guide ended (Ctrl-D ends it as `Stop::Eof`).
pub enum Ended {
    Saved,
    /// Left without saving after a failed validation, with that failure's exit code.
    Left(u8),
}

/// A guide being asked: its state, the executor of its effects and the answers they send back.
pub struct Asking<'p, 'a> {
    pub pl: &'p mut Plain<'a>,
    pub g: GuideState,
    exec: Executor,
    inbox: UnboundedReceiver<Msg>,
    attempt: u64,
    /// The step whose title and text were printed last.
    shown: Option<usize>,
    /// Held from a save to its recorded result, so a signal lets both finish.
    saving: Option<MutexGuard<'static, ()>>,
    /// The guide left (backed out of its first step).
    pub left: bool,
}

impl<'p, 'a> Asking<'p, 'a> {
    pub fn new(pl: &'p mut Plain<'a>, g: GuideState) -> Self {
        let (tx, inbox) = unbounded_channel();
        let exec = {
            let _in_runtime = pl.rt.enter();
            let (store, results) = (crate::providers::store(&pl.s.config), Results::of(&pl.s.state, &pl.s.config));
            Executor::new(store, results, pl.s.opts.clone(), tx).with_scheduler(pl.s.sched.clone())
        };
        Asking { pl, g, exec, inbox, attempt: 0, shown: None, saving: None, left: false }
    }

    /// Sends `action` to the guide (as the TUI's key for it would), prints the step it moves to,
    /// and runs the effects it asks for until the guide waits for nothing.
    pub fn act(&mut self, action: Action) {
        let loaded = self.pl.load();
        let ctx = Ctx {
            attempt: &mut self.attempt,
            taken: loaded.names(),
            new: self.pl.s.new.clone(),
            saved: loaded.profiles(),
        };
        let fx = match self.g.act(action, ctx) {
            GuideOutcome::Stay(fx) => fx,
            GuideOutcome::Leave(fx) => {
                self.left = true;
                fx
            }
        };
        self.announce();
        self.settle(fx);
    }

    /// Prints the step's title and text when the guide has moved to another step.
    pub fn announce(&mut self) {
        if self.shown == Some(self.g.step) || self.left {
            return;
        }
        self.shown = Some(self.g.step);
        let (step, steps) = (self.g.current(), self.g.guide().steps.len());
        let p = &mut self.pl.p;
        p.say("");
        p.say(&format!("Step {} of {steps}: {}", self.g.step + 1, step.title));
        p.say("");
        p.say(&step.plain_text(&self.g.body(step)));
        if step.kind == StepKind::Validate {
            if !step.warning.is_empty() {
                p.say(&format!("Warning: {}", step.warning));
            }
            if self.g.pbx.is_some() && !step.link_warning.is_empty() {
                p.say(&format!("Warning: {}", step.link_warning));
            }
        }
    }

    /// Runs `fx` and feeds every answer back to the guide while it waits for one.
    fn settle(&mut self, fx: Vec<Effect>) {
        let mut pending = fx;
        let mut wrote = false;
        loop {
            for f in pending.drain(..) {
                if matches!(f, Effect::Save { .. } | Effect::Record { .. }) {
                    wrote = true;
                    self.saving.get_or_insert_with(|| SAVING.lock().unwrap_or_else(|e| e.into_inner()));
                }
                let _in_runtime = self.pl.rt.enter();
                self.exec.run(f);
            }
            let busy = self.g.running() || self.g.phase == Phase::Saving || self.g.file.busy;
            if !busy {
                break;
            }
            let Some(msg) = self.pl.rt.block_on(self.inbox.recv()) else { break };
            pending = self.apply(msg);
            self.announce();
        }
        if wrote {
            // The disk lane runs in order: once the list is read, what was written before it is.
            {
                let _in_runtime = self.pl.rt.enter();
                self.exec.run(Effect::LoadProfiles);
            }
            while let Some(msg) = self.pl.rt.block_on(self.inbox.recv()) {
                if matches!(msg, Msg::Loaded(_)) {
                    break;
                }
            }
            self.saving = None;
        }
    }

    /// One answer from the executor: said, then given to the guide.
    fn apply(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Validation { attempt, event } if attempt == self.attempt => {
                self.say_progress(&event);
                self.g.validation(event)
            }
            Msg::FileChecked { typed, result } => {
                let words = self.g.file_key().and_then(|k| self.g.guide().field(k).file.as_ref());
                say_file_check(&mut self.pl.p, words, &result);
                let loaded = self.pl.load();
                let mut ctx = Ctx {
                    attempt: &mut self.attempt,
                    taken: loaded.names(),
                    new: self.pl.s.new.clone(),
                    saved: loaded.profiles(),
                };
                match self.g.file_checked(typed, result, &mut ctx) {
                    GuideOutcome::Stay(fx) | GuideOutcome::Leave(fx) => fx,
                }
            }
            Msg::FileCopied(result) => {
                if let Ok(path) = &result {
                    self.pl.p.say(&format!("  Wrote {}", path.display()));
                }
                self.g.file_copied(result)
            }
            Msg::Saved(result) => {
                if result.is_ok() {
                    self.exec.confirm_saved();
                }
                self.g.saved(result)
            }
            _ => vec![],
        }
    }

    /// A check's line when it ends (or is held up), then the failure and its fix.
    fn say_progress(&mut self, event: &ValidationEvent) {
        let p = &mut self.pl.p;
        match event {
            ValidationEvent::Update(c) if c.state == CheckState::Running && !c.detail.is_empty() => {
                // A check held up says so (another pbxlink holding this Client ID's token).
                p.say(&format!("...  {}: {}", c.title, c.detail));
            }
            ValidationEvent::Update(c) => {
                if let Some(line) = c.line() {
                    p.say(&line);
                }
            }
            ValidationEvent::Done(report) => {
                if let Some(kind) = report.failure {
                    p.say(&format!("Validation failed: {kind}"));
                    if let Some(h) = &report.hint {
                        p.say(&format!("Fix: {h}"));
                    }
                }
            }
            ValidationEvent::Plan(_) => {}
        }
    }
}

/// What a file check found, as lines, in the words of the guide (`words`: the field's).
fn say_file_check(p: &mut Prompter, words: Option<&FileTexts>, result: &Result<FileCheck, String>) {
    match result {
        Err(e) => p.say(&format!("  {e}")),
        Ok(found) if found.ok() => {
            let name = found.name.clone().unwrap_or_default();
            let what = words.map_or_else(|| name.clone(), |w| w.found.replace("{name}", &name));
            p.say(&format!("  ok: {what} ({})", found.path.display()));
            for w in &found.warnings {
                p.say(&format!("  warning: line {}: {}", w.line, w.message));
            }
        }
        Ok(found) => {
            if let Some(n) = &found.name_problem {
                p.say(&format!("  file name: {n}"));
            }
            for problem in &found.problems {
                p.say(&format!("  line {}: {}", problem.line, problem.message));
            }
        }
    }
}
