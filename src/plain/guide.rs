//! One vendor guide as line prompts. The guide is the full-screen guide's own state machine
//! (`wizard::GuideState`): plain mode asks the question of the step the state is on, puts the
//! answer in the state (a field's value, the ticks, the focused option) and sends the same
//! front-end-neutral actions as the TUI's keys (`Action::Next`, `Back`, `Retry`), so going back,
//! the choice refusals, the template check and copy, the suggested name, the name rule and the save
//! are the guide's, not plain mode's. Its effects run on the same executor as the TUI's; plain mode
//! only prints what they report, one line per thing said.

use std::sync::MutexGuard;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::prompt::Stop;
use super::{Plain, SAVING, finish, form};
use crate::effects::{Effects, Executor};
use crate::guide::{Step, StepKind};
use crate::profile::results::Results;
use crate::providers::ProviderId;
use crate::report::CheckState;
use crate::wizard::keymap::Action;
use crate::wizard::{Ctx, Effect, GuideOutcome, GuideState, Msg, Phase, ValidationEvent};

/// How a guide ended (Ctrl-D ends it as `Stop::Eof`).
pub enum Ended {
    Saved,
    /// Left without saving after a failed validation, with that failure's exit code.
    Left(u8),
}

pub fn run(pl: &mut Plain, provider: ProviderId, prefill: &[(String, String)]) -> Result<Ended, Stop> {
    let mut g = GuideState::new(provider);
    for (id, v) in prefill {
        g.prefill(id, Some(v));
    }
    pl.p.say("");
    pl.p.say(&provider.guide().title);
    let mut a = Asking::new(pl, g);
    a.announce();
    loop {
        if let Some(end) = a.ask()? {
            return Ok(end);
        }
    }
}

/// A guide being asked: its state, the executor of its effects and the answers they send back.
pub(super) struct Asking<'p, 'a> {
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
    left: bool,
}

impl<'p, 'a> Asking<'p, 'a> {
    fn new(pl: &'p mut Plain<'a>, g: GuideState) -> Self {
        let (tx, inbox) = unbounded_channel();
        let exec = {
            let _in_runtime = pl.rt.enter();
            let (store, results) = (crate::providers::store(&pl.s.config), Results::of(&pl.s.state, &pl.s.config));
            Executor::new(store, results, pl.s.opts.clone(), tx).with_scheduler(pl.s.sched.clone())
        };
        Asking { pl, g, exec, inbox, attempt: 0, shown: None, saving: None, left: false }
    }

    /// Asks the question of the step the guide is on, and acts on the answer.
    fn ask(&mut self) -> Result<Option<Ended>, Stop> {
        if self.left {
            return Ok(Some(Ended::Left(crate::exit::ERROR)));
        }
        let step = self.g.current();
        match step.kind {
            StepKind::Info => {
                self.pl.p.ask("Press Enter to continue: ")?;
                self.act(Action::Next);
            }
            StepKind::Confirm | StepKind::Ack => {
                confirm(self, step)?;
                self.act(Action::Next);
            }
            StepKind::Select => {
                select(self, step)?;
                self.act(Action::Next);
            }
            StepKind::Choose => choose(self, step)?,
            StepKind::Link => link(self, step)?,
            StepKind::Form => form::ask(self, step)?,
            StepKind::Validate => return finish::checked(self),
            StepKind::Review => return finish::review(self),
        }
        Ok(None)
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
            let busy = self.g.running() || self.g.phase == Phase::Saving || self.g.template.busy;
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
            Msg::TemplateChecked { typed, result } => {
                form::say_inspection(&mut self.pl.p, &result);
                let loaded = self.pl.load();
                let mut ctx = Ctx {
                    attempt: &mut self.attempt,
                    taken: loaded.names(),
                    new: self.pl.s.new.clone(),
                    saved: loaded.profiles(),
                };
                match self.g.template_checked(typed, result, &mut ctx) {
                    GuideOutcome::Stay(fx) | GuideOutcome::Leave(fx) => fx,
                }
            }
            Msg::TemplateCopied(result) => {
                if let Ok(path) = &result {
                    self.pl.p.say(&format!("  Wrote {}", path.display()));
                }
                self.g.template_copied(result)
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

/// Each item confirmed with a typed yes; a no explains why it matters and asks again. Items
/// confirmed before (the guide was walked back over) are said, not asked again.
fn confirm(a: &mut Asking, step: &Step) -> Result<(), Stop> {
    let before = a.g.ticks.get(&step.id).is_some_and(|t| t.iter().all(|b| *b));
    for (k, item) in step.confirm.iter().enumerate() {
        a.pl.p.say("");
        a.pl.p.say(&format!("  {item}"));
        if before {
            a.pl.p.say("  (confirmed before)");
            continue;
        }
        while !a.pl.p.yes_no("Type yes when this is true: ")? {
            a.pl.p.say(&step.plain_text(&step.refuse));
            a.pl.p.say("Type yes when it is true, or press Ctrl-D to stop without saving.");
        }
        if let Some(t) = a.g.ticks.get_mut(&step.id).and_then(|t| t.get_mut(k)) {
            *t = true;
        }
    }
    Ok(())
}

/// A numbered checklist (8x8's products): several numbers, at least one.
fn select(a: &mut Asking, step: &Step) -> Result<(), Stop> {
    let p = &mut a.pl.p;
    p.say("");
    for (k, item) in step.confirm.iter().enumerate() {
        p.say(&format!("  {}  {item}", k + 1));
    }
    let ticks = a.g.ticks.get(&step.id).cloned().unwrap_or_default();
    let current: Vec<usize> = ticks.iter().enumerate().filter(|(_, on)| **on).map(|(k, _)| k + 1).collect();
    let chosen = p.numbers(step.confirm.len(), &current, &step.plain_text(&step.refuse))?;
    if let Some(t) = a.g.ticks.get_mut(&step.id) {
        for (k, on) in t.iter_mut().enumerate() {
            *on = chosen.contains(&(k + 1));
        }
    }
    // Each by its name alone, without the gloss in brackets (8x8's console label).
    let names: Vec<&str> =
        chosen.iter().filter_map(|k| step.confirm.get(k - 1)).map(|l| l.split(" (").next().unwrap_or(l)).collect();
    p.say(&format!("Chosen: {}", names.join(", ")));
    Ok(())
}

/// A numbered list of options, one number. The guide refuses an option the vendor does not
/// support, with the reason; the question is then asked again.
fn choose(a: &mut Asking, step: &Step) -> Result<(), Stop> {
    a.pl.p.say("");
    for (k, c) in step.choices.iter().enumerate() {
        a.pl.p.say(&format!("  {}  {}", k + 1, c.label));
        if !c.note.is_empty() {
            a.pl.p.say(&format!("     {}", c.note));
        }
    }
    let current = a.g.chosen.get(&step.id).map(|i| i + 1);
    loop {
        let k = a.pl.p.number(1, step.choices.len(), current)?;
        a.g.focus = k - 1;
        a.g.message = None;
        let at = a.g.step;
        if let Some(c) = step.choices.get(k - 1).filter(|c| c.refuse.is_none()) {
            a.pl.p.say(&format!("Chosen: {}", c.label));
        }
        a.act(Action::Next);
        if a.g.step != at {
            return Ok(());
        }
        if let Some(why) = a.g.message.take() {
            a.pl.p.say(&step.plain_text(&why));
        }
    }
}

/// The saved 3CX profiles the guide offers, by number, 0 for none; nothing to ask when there is
/// none.
fn link(a: &mut Asking, step: &Step) -> Result<(), Stop> {
    a.pl.p.say("");
    if a.g.link_options.is_empty() {
        a.pl.p.say(&step.plain_text(&step.refuse));
        a.g.focus = 0;
        a.act(Action::Next);
        return Ok(());
    }
    a.pl.p.say("  0  none: do not link a 3CX profile");
    for (k, (name, domain)) in a.g.link_options.iter().enumerate() {
        a.pl.p.say(&format!("  {}  {name} ({domain})", k + 1));
    }
    // The guide opened the step on the profile linked before (or none).
    let k = a.pl.p.number(0, a.g.link_options.len(), Some(a.g.focus))?;
    a.g.focus = k;
    a.act(Action::Next);
    Ok(())
}
