//! Re-validating saved profiles from the home screen: one, or all of them at once, each with its
//! live checks. Each profile's validation has its own attempt number, so results find their row
//! and results of a cancelled run are dropped.

use crossterm::event::KeyEvent;

use super::keymap;
use super::screen_keys::{self, Revalidate as Keys};

use super::{Effect, Run, ValidationEvent};
use crate::profile::Profile;

#[derive(Debug, Clone)]
pub struct Revalidation {
    /// The profiles being checked, each with its run.
    pub rows: Vec<(Profile, Run)>,
    /// The row whose checks are shown in full.
    pub selected: usize,
    /// Saved 3CX profiles, which CX-Engine profiles may link.
    pub saved: Vec<Profile>,
}

pub enum Outcome {
    Stay(Vec<Effect>),
    Leave(Vec<Effect>),
}

impl Revalidation {
    /// Starts validating `profiles`, numbering their attempts after `*attempt`.
    pub fn start(profiles: Vec<Profile>, saved: Vec<Profile>, attempt: &mut u64) -> (Self, Vec<Effect>) {
        let mut rows = Vec::new();
        let mut fx = Vec::new();
        for p in profiles {
            *attempt += 1;
            let linked = p.linked_in(&saved).cloned().map(Box::new);
            fx.push(Effect::Validate { attempt: *attempt, profile: Box::new(p.clone()), linked });
            rows.push((p, Run::new(*attempt)));
        }
        (Revalidation { rows, selected: 0, saved }, fx)
    }

    pub fn running(&self) -> bool {
        self.rows.iter().any(|(_, r)| r.report.is_none())
    }

    /// Routes a validation event to its row; a finished one is recorded as the last result.
    pub fn apply(&mut self, attempt: u64, event: ValidationEvent) -> Vec<Effect> {
        let Some((p, run)) = self.rows.iter_mut().find(|(_, r)| r.attempt == attempt) else {
            return vec![];
        };
        let done = if let ValidationEvent::Done(r) = &event { Some(r.clone()) } else { None };
        run.apply(event);
        match done {
            Some(report) => {
                vec![Effect::Record { name: p.name.clone(), report: Box::new(report) }, Effect::LoadProfiles]
            }
            None => vec![],
        }
    }

    pub fn key(&mut self, k: KeyEvent, attempt: &mut u64) -> Outcome {
        let keys = screen_keys::revalidate(self.running(), self.rows.len() > 1);
        match keymap::find(&keys, k) {
            Some(Keys::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Keys::Down) => self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1)),
            Some(Keys::Back) => {
                let fx = if self.running() {
                    // A new generation makes every late result of this screen stale.
                    *attempt += 1;
                    vec![Effect::CancelValidation]
                } else {
                    vec![]
                };
                return Outcome::Leave(fx);
            }
            Some(Keys::Done) => return Outcome::Leave(vec![]),
            Some(Keys::Again) => {
                let profiles = self.rows.iter().map(|(p, _)| p.clone()).collect();
                let (fresh, fx) = Self::start(profiles, std::mem::take(&mut self.saved), attempt);
                self.saved = fresh.saved;
                self.rows = fresh.rows;
                return Outcome::Stay(fx);
            }
            _ => {}
        }
        Outcome::Stay(vec![])
    }
}
