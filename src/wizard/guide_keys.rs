//! The keys of a guide: a key becomes an [`Action`] through the keymap table (`keymap`), and the
//! action is handled by (phase, action), then on an editing step by the step's kind (tick boxes, a
//! choice, a form, the validation, the review). Pure, like the rest of the guide state: actions
//! in, effects out.

use crossterm::event::KeyEvent;

use super::guide::{Ctx, GuideState, Outcome, Phase};
use super::keymap::{self, Action, Situation};
use super::{Effect, Field};
use crate::guide::{FieldKind, Step, StepKind};
use crate::report::Report;

impl GuideState {
    /// Where the guide is, for the keymap.
    pub fn situation(&self) -> Situation {
        if self.saved_in().is_some() {
            return Situation::Saved;
        }
        let step = self.current();
        match step.kind {
            StepKind::Info => Situation::Info,
            StepKind::Confirm | StepKind::Ack | StepKind::Select => {
                Situation::Ticks { several: step.confirm.len() > 1 }
            }
            StepKind::Choose | StepKind::Link => Situation::Choose,
            StepKind::Form if self.focused_field().is_some_and(|f| f.kind == FieldKind::Path) => Situation::FormPath,
            StepKind::Form => Situation::Form {
                secret: step.fields.iter().any(|id| self.guide().field(id).kind == FieldKind::Secret),
                revealed: self.reveal,
            },
            StepKind::Validate if self.running() => Situation::Validating,
            StepKind::Validate => {
                Situation::Checked { ok: self.run.as_ref().and_then(|r| r.report.as_ref()).is_some_and(Report::ok) }
            }
            StepKind::Review => Situation::Review,
        }
    }

    pub fn key(&mut self, k: KeyEvent, ctx: Ctx<'_>) -> Outcome {
        let action = keymap::action(self.situation(), k);
        self.act(action, ctx)
    }

    /// The one place an action is handled: first by the phase, then by the step.
    pub fn act(&mut self, action: Action, mut ctx: Ctx<'_>) -> Outcome {
        match (&self.phase, action) {
            (Phase::Saved(_), Action::Next | Action::Back) => Outcome::Leave(vec![]),
            (Phase::Saved(_) | Phase::Saving, _) => Outcome::Stay(vec![]),
            (Phase::ConfirmingDiscard, Action::Back) => self.back(&mut ctx),
            (Phase::ConfirmingDiscard, _) => {
                // Any other key answers "keep it".
                self.phase = Phase::Editing;
                self.message = None;
                Outcome::Stay(vec![])
            }
            (_, Action::Reveal) => {
                self.reveal = !self.reveal;
                Outcome::Stay(vec![])
            }
            (_, Action::ScrollDown) => {
                self.scroll = (self.scroll + 3).min(self.current().body.lines().count() as u16);
                Outcome::Stay(vec![])
            }
            (_, Action::ScrollUp) => {
                self.scroll = self.scroll.saturating_sub(3);
                Outcome::Stay(vec![])
            }
            (Phase::Validating, Action::Back) => self.back(&mut ctx),
            (Phase::Validating, _) => Outcome::Stay(vec![]),
            (Phase::Editing, action) => self.on_step(action, &mut ctx),
        }
    }

    /// An action on the step being answered, by the step's kind.
    fn on_step(&mut self, action: Action, ctx: &mut Ctx<'_>) -> Outcome {
        let step = self.current();
        match step.kind {
            StepKind::Info => match action {
                Action::Next => self.forward(ctx),
                Action::Back => self.back(ctx),
                _ => Outcome::Stay(vec![]),
            },
            StepKind::Confirm | StepKind::Ack | StepKind::Select => self.tick_key(step, action, ctx),
            StepKind::Choose => self.choose_key(step, action, ctx),
            StepKind::Link => self.link_key(action, ctx),
            StepKind::Form => self.form_key(step, action, ctx),
            StepKind::Validate => self.validate_key(action, ctx),
            StepKind::Review => self.review_key(action, ctx),
        }
    }

    fn tick_key(&mut self, step: &Step, action: Action, ctx: &mut Ctx<'_>) -> Outcome {
        let n = step.confirm.len();
        match action {
            Action::Up => self.focus = self.focus.saturating_sub(1),
            Action::Down => self.focus = (self.focus + 1).min(n - 1),
            Action::Toggle => {
                if let Some(t) = self.ticks.get_mut(&step.id).and_then(|t| t.get_mut(self.focus)) {
                    *t = !*t;
                    self.message = None;
                }
            }
            Action::Next => {
                // Confirmations need every box; a choice needs at least one.
                let done = self.ticks.get(&step.id).is_some_and(|t| match step.kind {
                    StepKind::Select => t.iter().any(|b| *b),
                    _ => t.iter().all(|b| *b),
                });
                if done {
                    return self.forward(ctx);
                }
                self.message = Some(step.refuse.clone());
            }
            Action::Back => return self.back(ctx),
            _ => {}
        }
        Outcome::Stay(vec![])
    }

    fn form_key(&mut self, step: &Step, action: Action, ctx: &mut Ctx<'_>) -> Outcome {
        let n = step.fields.len().max(1);
        match action {
            Action::Complete if self.completing() => return Outcome::Stay(self.complete()),
            Action::NextField | Action::Complete => self.focus = (self.focus + 1) % n,
            Action::PrevField => self.focus = (self.focus + n - 1) % n,
            Action::Back => return self.back(ctx),
            Action::Next if self.focus + 1 < n => self.focus += 1,
            Action::Next => {
                for (i, id) in step.fields.iter().enumerate() {
                    let kept = self.secret_kept(id) && self.field(id).is_some_and(|f| f.value().trim().is_empty());
                    if let Some(Err(e)) = self.field(id).filter(|_| !kept).map(Field::check) {
                        self.focus = i;
                        self.message = Some(format!("{}: {e}", self.guide().field(id).label));
                        return Outcome::Stay(vec![]);
                    }
                }
                return self.file_enter(ctx);
            }
            Action::Type(k) => {
                if let Some(f) = self.focused_field_mut()
                    && f.key(k)
                {
                    self.message = None;
                    self.file.candidates.clear();
                }
            }
            _ => {}
        }
        Outcome::Stay(vec![])
    }

    fn validate_key(&mut self, action: Action, ctx: &mut Ctx<'_>) -> Outcome {
        let ok = self.run.as_ref().and_then(|r| r.report.as_ref()).map(Report::ok);
        match (action, ok) {
            (Action::Back, _) => self.back(ctx),
            (Action::Next, Some(true)) => self.forward(ctx),
            (Action::Retry, Some(_)) => Outcome::Stay(self.start_validation(ctx)),
            (Action::Next, Some(false)) => {
                self.message = Some("Press r to retry, or Esc to go back and fix a value.".into());
                Outcome::Stay(vec![])
            }
            _ => Outcome::Stay(vec![]),
        }
    }

    fn review_key(&mut self, action: Action, ctx: &mut Ctx<'_>) -> Outcome {
        match action {
            Action::Back => self.back(ctx),
            Action::Next => {
                let name = self.name.value().trim().to_string();
                match self.save_as(&name, &ctx.taken, &ctx.new) {
                    Ok((p, mode, keep)) => {
                        self.phase = Phase::Saving;
                        self.message = None;
                        Outcome::Stay(vec![Effect::Save { profile: Box::new(p), mode, keep }])
                    }
                    Err(e) => {
                        self.message = Some(e.to_string());
                        Outcome::Stay(vec![])
                    }
                }
            }
            // The name, or where the secret is kept (for a vendor with a secret).
            Action::NextField | Action::PrevField => {
                self.keeping.focused = !self.keeping.focused && self.secret_key().is_some();
                Outcome::Stay(vec![])
            }
            Action::Type(k) => {
                if self.focused_field_mut().is_some_and(|f| f.key(k)) {
                    self.message = None;
                }
                Outcome::Stay(vec![])
            }
            _ => Outcome::Stay(vec![]),
        }
    }
}
