//! Re-validating saved profiles from the home screen: one, or all of them at once, each with its
//! live checks. Each profile's validation has its own attempt number, so results find their row
//! and results of a cancelled run are dropped.

use crossterm::event::KeyEvent;

use super::keymap;
use super::screen_keys::{self, Revalidate as Keys};

use super::keymap::Binding;
use super::{Effect, Run, ValidationEvent};
use crate::profile::Profile;
use crate::providers::{Capabilities, Problem};

#[derive(Debug, Clone)]
pub struct Revalidation {
    /// The profiles being checked, each with its run.
    pub rows: Vec<(Profile, Run)>,
    /// The row whose checks are shown in full.
    pub selected: usize,
    /// Saved 3CX profiles, which CX-Engine profiles may link.
    pub saved: Vec<Profile>,
    /// What one row's key may read, once asked (`c`): shown in place of its checks.
    pub capabilities: Option<CapabilityRead>,
    /// Every health fact of the selected row shown in place of its checks (`h`).
    pub show_health: bool,
    /// How far that is scrolled (PgDn/PgUp), in lines.
    pub scroll: u16,
}

/// A capability read of one row: under way (`result` none), or its answer.
#[derive(Debug, Clone)]
pub struct CapabilityRead {
    pub attempt: u64,
    pub row: usize,
    pub result: Option<Result<Capabilities, Problem>>,
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
        (Revalidation { rows, selected: 0, saved, capabilities: None, show_health: false, scroll: 0 }, fx)
    }

    /// The capability read shown for the selected row, if any.
    pub fn shown_capabilities(&self) -> Option<&CapabilityRead> {
        self.capabilities.as_ref().filter(|c| c.row == self.selected && !self.show_health)
    }

    /// The health shown for the selected row in place of its checks, if asked (`h`).
    pub fn shown_health(&self) -> Option<&crate::report::Health> {
        let report = self.rows.get(self.selected)?.1.report.as_ref()?;
        report.health.as_ref().filter(|_| self.show_health)
    }

    /// This screen's keys now.
    pub fn keys(&self) -> Vec<Binding<Keys>> {
        let row = self.rows.get(self.selected);
        let has = row.is_some_and(|(p, _)| crate::providers::has_capabilities(p));
        let health = row.and_then(|(_, r)| r.report.as_ref()).is_some_and(|r| r.health.is_some());
        screen_keys::revalidate(self.running(), self.rows.len() > 1, has, health)
    }

    /// The answer of capability read `attempt`; one of a read no longer shown is dropped.
    pub fn capabilities_read(&mut self, attempt: u64, result: Result<Capabilities, Problem>) {
        if let Some(c) = self.capabilities.as_mut().filter(|c| c.attempt == attempt) {
            c.result = Some(result);
        }
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
        let keys = self.keys();
        match keymap::find(&keys, k) {
            // h and c show their view in place of the checks, and again go back to the checks.
            Some(Keys::Health) => {
                if self.show_health {
                    self.capabilities = None;
                }
                self.show_health = !self.show_health;
                self.scroll = 0;
            }
            Some(Keys::ScrollDown) => self.scroll = (self.scroll + 5).min(40),
            Some(Keys::ScrollUp) => self.scroll = self.scroll.saturating_sub(5),
            Some(Keys::Capabilities) if self.shown_capabilities().is_some_and(|c| c.result.is_some()) => {
                self.capabilities = None;
            }
            Some(Keys::Capabilities) => {
                self.show_health = false;
                *attempt += 1;
                let profile = Box::new(self.rows[self.selected].0.clone());
                self.capabilities = Some(CapabilityRead { attempt: *attempt, row: self.selected, result: None });
                return Outcome::Stay(vec![Effect::ReadCapabilities { attempt: *attempt, profile }]);
            }
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
                self.capabilities = None;
                self.show_health = false;
                return Outcome::Stay(fx);
            }
            _ => {}
        }
        Outcome::Stay(vec![])
    }
}
