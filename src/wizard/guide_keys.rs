//! The keys of a guide step: what each does, by the step's kind (tick boxes, a form, the live
//! validation, the review). Pure, like the rest of the guide state: keys in, effects out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::guide::{Ctx, GuideState, Outcome};
use super::{Effect, Field};
use crate::guide::{Step, StepKind};
use crate::report::Report;

impl GuideState {
    pub fn key(&mut self, k: KeyEvent, mut ctx: Ctx<'_>) -> Outcome {
        if self.saved.is_some() {
            return match k.code {
                KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') => Outcome::Leave(vec![]),
                _ => Outcome::Stay(vec![]),
            };
        }
        if self.saving {
            return Outcome::Stay(vec![]);
        }
        if k.code != KeyCode::Esc && self.confirm_discard {
            // Any other key answers "keep it".
            self.confirm_discard = false;
            self.message = None;
            return Outcome::Stay(vec![]);
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(k.code, KeyCode::Char('r')) {
            self.reveal = !self.reveal;
            return Outcome::Stay(vec![]);
        }
        let step = self.current();
        match k.code {
            KeyCode::PageDown => {
                self.scroll = (self.scroll + 3).min(step.body.lines().count() as u16);
                return Outcome::Stay(vec![]);
            }
            KeyCode::PageUp => {
                self.scroll = self.scroll.saturating_sub(3);
                return Outcome::Stay(vec![]);
            }
            _ => {}
        }
        match step.kind {
            StepKind::Info => match k.code {
                KeyCode::Enter => self.forward(&mut ctx),
                KeyCode::Esc => self.back(&mut ctx),
                _ => Outcome::Stay(vec![]),
            },
            StepKind::Confirm | StepKind::Ack | StepKind::Select => self.tick_key(step, k, &mut ctx),
            StepKind::Choose => self.choose_key(step, k, &mut ctx),
            StepKind::Link => self.link_key(k, &mut ctx),
            StepKind::Form => self.form_key(step, k, &mut ctx),
            StepKind::Validate => self.validate_key(k, &mut ctx),
            StepKind::Review => self.review_key(k, &mut ctx),
        }
    }

    fn tick_key(&mut self, step: &Step, k: KeyEvent, ctx: &mut Ctx<'_>) -> Outcome {
        let n = step.confirm.len();
        match k.code {
            KeyCode::Up | KeyCode::BackTab => self.focus = self.focus.saturating_sub(1),
            KeyCode::Down | KeyCode::Tab => self.focus = (self.focus + 1).min(n - 1),
            KeyCode::Char(' ') => {
                if let Some(t) = self.ticks.get_mut(&step.id).and_then(|t| t.get_mut(self.focus)) {
                    *t = !*t;
                    self.message = None;
                }
            }
            KeyCode::Enter => {
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
            KeyCode::Esc => return self.back(ctx),
            _ => {}
        }
        Outcome::Stay(vec![])
    }

    fn form_key(&mut self, step: &Step, k: KeyEvent, ctx: &mut Ctx<'_>) -> Outcome {
        let n = step.fields.len().max(1);
        match k.code {
            KeyCode::Tab if self.completing() => return Outcome::Stay(self.complete()),
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % n,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + n - 1) % n,
            KeyCode::Esc => return self.back(ctx),
            KeyCode::Enter if self.focus + 1 < n => self.focus += 1,
            KeyCode::Enter => {
                for (i, id) in step.fields.iter().enumerate() {
                    if let Some(Err(e)) = self.field(id).map(Field::check) {
                        self.focus = i;
                        self.message = Some(format!("{}: {e}", self.guide().field(id).label));
                        return Outcome::Stay(vec![]);
                    }
                }
                return self.template_enter(ctx);
            }
            _ => {
                if let Some(f) = self.focused_field_mut()
                    && f.key(k)
                {
                    self.message = None;
                    self.template.candidates.clear();
                }
            }
        }
        Outcome::Stay(vec![])
    }

    fn validate_key(&mut self, k: KeyEvent, ctx: &mut Ctx<'_>) -> Outcome {
        let ok = self.run.as_ref().and_then(|r| r.report.as_ref()).map(Report::ok);
        match (k.code, ok) {
            (KeyCode::Esc, _) => self.back(ctx),
            (KeyCode::Enter, Some(true)) => self.forward(ctx),
            (KeyCode::Char('r'), Some(_)) => Outcome::Stay(self.start_validation(ctx)),
            (KeyCode::Enter, Some(false)) => {
                self.message = Some("Press r to retry, or Esc to go back and fix a value.".into());
                Outcome::Stay(vec![])
            }
            _ => Outcome::Stay(vec![]),
        }
    }

    fn review_key(&mut self, k: KeyEvent, ctx: &mut Ctx<'_>) -> Outcome {
        match k.code {
            KeyCode::Esc => self.back(ctx),
            KeyCode::Enter => {
                let name = self.name.value().trim().to_string();
                match self.save_as(&name, &ctx.taken, &ctx.new) {
                    Ok((p, mode)) => {
                        self.saving = true;
                        self.message = None;
                        Outcome::Stay(vec![Effect::Save { profile: Box::new(p), mode }])
                    }
                    Err(e) => {
                        self.message = Some(e.to_string());
                        Outcome::Stay(vec![])
                    }
                }
            }
            _ => {
                if self.name.key(k) {
                    self.message = None;
                }
                Outcome::Stay(vec![])
            }
        }
    }
}
