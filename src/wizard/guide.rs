//! A vendor guide in progress: which step is on screen, the values typed so far, the ticks, the
//! live validation and the save. Steps come from the guide asset; their `kind` decides the keys
//! (`guide_keys`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::file_step::FileStep;
use super::keeping::Keeping;
use super::{Effect, Field, ValidationEvent};
use crate::guide::{FieldKind, Guide, Step, StepKind};
use crate::profile::Profile;
use crate::providers::ProviderId;
use crate::report::{Check, Report};

/// Where a guide is in its life. Each key is handled by (phase, action), in `guide_keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// On a step, answering it.
    Editing,
    /// Esc was pressed on the way out with values typed: a second Esc discards them, any other
    /// key keeps them.
    ConfirmingDiscard,
    /// The values are being checked (the validation step, until its report).
    Validating,
    /// The profile is being written.
    Saving,
    /// Saved, in this file: any of Enter, Esc or q finishes.
    Saved(String),
}

/// A validation as the screen shows it: its checks so far and, at the end, the report.
#[derive(Debug, Clone)]
pub struct Run {
    pub attempt: u64,
    pub checks: Vec<Check>,
    pub report: Option<Report>,
}

impl Run {
    pub fn new(attempt: u64) -> Self {
        Run { attempt, checks: Vec::new(), report: None }
    }

    pub fn apply(&mut self, ev: ValidationEvent) {
        match ev {
            ValidationEvent::Plan(c) => self.checks = c,
            ValidationEvent::Update(c) => match self.checks.iter_mut().find(|x| x.id == c.id) {
                Some(x) => *x = c,
                None => self.checks.push(c),
            },
            ValidationEvent::Done(r) => {
                self.checks = r.checks.clone();
                self.report = Some(r);
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct GuideState {
    pub provider: ProviderId,
    /// Index into the guide's steps.
    pub step: usize,
    /// Every field of the guide, kept across steps so nothing typed is ever lost.
    pub fields: Vec<Field>,
    /// Focused item of the current step (a field or a tick box).
    pub focus: usize,
    /// Tick boxes per step id.
    pub ticks: BTreeMap<String, Vec<bool>>,
    /// Why Enter did not continue, or what went wrong: shown until the next edit.
    pub message: Option<String>,
    /// Secrets shown in clear (Ctrl-R), reset on every step change.
    pub reveal: bool,
    pub run: Option<Run>,
    /// The profile name, asked on the review step.
    pub name: Field,
    /// The profile being edited, if this is an edit.
    pub editing: Option<Profile>,
    pub phase: Phase,
    /// How far the step's text is scrolled (PgUp/PgDn), for small terminals.
    pub scroll: u16,
    /// The option chosen per `choose` step (index into its choices).
    pub chosen: BTreeMap<String, usize>,
    /// The saved profiles (name, address) the `link` step offers: those of the provider the
    /// schema's link field names.
    pub link_options: Vec<(String, String)>,
    /// The linked profile's name.
    pub pbx: Option<String>,
    /// The template file step: its last check and Tab's candidates.
    pub file: FileStep,
    /// The review's second field: where the secret is kept.
    pub keeping: Keeping,
}

/// What the driver passes in: the attempt counter, names in use, defaults for new profiles, and
/// the saved profiles (which a profile may link: a CX-Engine profile links a 3CX one).
pub struct Ctx<'a> {
    pub attempt: &'a mut u64,
    pub taken: Vec<String>,
    pub new: NewDefaults,
    pub saved: Vec<Profile>,
}

/// Values new profiles get that the user does not type: the `--ca-file` they were validated
/// with, and values of fields the guide does not ask, by key (8x8's API host from `add
/// --base-url`, or the simulator's in the demo).
#[derive(Debug, Clone, Default)]
pub struct NewDefaults {
    pub ca_file: Option<PathBuf>,
    pub values: Vec<(&'static str, String)>,
}

pub enum Outcome {
    Stay(Vec<Effect>),
    /// The guide is over (done, or backed out of its first step).
    Leave(Vec<Effect>),
}

impl GuideState {
    pub fn new(provider: ProviderId) -> Self {
        let g = provider.guide();
        let mut fields = Vec::new();
        for s in &g.steps {
            for id in &s.fields {
                fields.push(Field::new(id, g.field(id).kind, ""));
            }
        }
        let ticks = g
            .steps
            .iter()
            .filter(|s| !s.confirm.is_empty())
            .map(|s| (s.id.clone(), vec![false; s.confirm.len()]))
            .collect();
        GuideState {
            provider,
            step: 0,
            fields,
            focus: 0,
            ticks,
            message: None,
            reveal: false,
            run: None,
            name: Field::new("name", FieldKind::Id, ""),
            editing: None,
            phase: Phase::Editing,
            scroll: 0,
            chosen: BTreeMap::new(),
            link_options: Vec::new(),
            pbx: None,
            file: FileStep::default(),
            keeping: Keeping::default(),
        }
    }

    /// Fills a field before the user sees it (values given on the command line); a value for the
    /// schema's choice (`--auth-method`) is chosen in advance, and the step opens on it.
    pub fn prefill(&mut self, id: &str, value: Option<&str>) {
        let Some(v) = value else { return };
        if let Some(f) = self.fields.iter_mut().find(|f| f.id == id) {
            *f = Field::new(id, f.kind, v);
        } else if self.provider.schema().field(id).is_some_and(|d| d.kind == crate::profile::schema::Kind::Choice) {
            self.choose_value(v.trim());
        }
    }

    pub fn guide(&self) -> &'static Guide {
        self.provider.guide()
    }

    pub fn current(&self) -> &'static Step {
        let steps = &self.guide().steps;
        &steps[self.step.min(steps.len() - 1)]
    }

    pub fn running(&self) -> bool {
        self.phase == Phase::Validating
    }

    /// The file the profile was saved in, once saved.
    pub fn saved_in(&self) -> Option<&str> {
        match &self.phase {
            Phase::Saved(path) => Some(path),
            _ => None,
        }
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The field under the cursor on a form or review step.
    pub fn focused_field(&self) -> Option<&Field> {
        if self.saved_in().is_some() {
            return None;
        }
        match self.current().kind {
            StepKind::Form => self.current().fields.get(self.focus).and_then(|id| self.field(id)),
            StepKind::Review if self.keeping.focused => Some(&self.keeping.field),
            StepKind::Review => Some(&self.name),
            _ => None,
        }
    }

    pub(super) fn focused_field_mut(&mut self) -> Option<&mut Field> {
        if self.saved_in().is_some() {
            return None;
        }
        let step = self.current();
        match step.kind {
            StepKind::Form => {
                let id = step.fields.get(self.focus)?;
                self.fields.iter_mut().find(|f| &f.id == id)
            }
            StepKind::Review if self.keeping.focused => Some(&mut self.keeping.field),
            StepKind::Review => Some(&mut self.name),
            _ => None,
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.focused_field_mut() {
            f.paste(text);
            let lines = super::field::pasted_lines(text);
            self.message =
                (lines > 1).then(|| format!("The pasted text had {lines} lines: this field kept the first one only."));
        }
    }

    pub fn validation(&mut self, ev: ValidationEvent) -> Vec<Effect> {
        if let Some(run) = &mut self.run {
            let done = matches!(ev, ValidationEvent::Done(_));
            run.apply(ev);
            if done && self.phase == Phase::Validating {
                self.phase = Phase::Editing;
            }
        }
        vec![]
    }

    pub fn saved(&mut self, result: Result<String, crate::profile::store::StoreError>) -> Vec<Effect> {
        self.phase = Phase::Editing;
        match result {
            Ok(path) => {
                self.phase = Phase::Saved(path);
                self.message = None;
                match self.run.as_ref().and_then(|r| r.report.clone()) {
                    Some(report) => {
                        vec![Effect::Record { name: self.name.value().trim().to_string(), report: Box::new(report) }]
                    }
                    None => vec![],
                }
            }
            Err(e) => {
                self.message = Some(format!("Not saved: {e}"));
                vec![]
            }
        }
    }

    pub(super) fn start_validation(&mut self, ctx: &mut Ctx<'_>) -> Vec<Effect> {
        // An edited profile is checked under its own name: a keyring reference reads its account.
        let name = self.editing.as_ref().map_or_else(|| "new".to_string(), |p| p.name.clone());
        match self.build_profile(&name, &ctx.new) {
            Ok(p) => {
                *ctx.attempt += 1;
                self.run = Some(Run::new(*ctx.attempt));
                self.phase = Phase::Validating;
                self.message = None;
                let linked = p.linked_in(&ctx.saved).cloned().map(Box::new);
                vec![Effect::Validate { attempt: *ctx.attempt, profile: Box::new(p), linked }]
            }
            Err(e) => {
                // No check ran for these values: an earlier run's verdict must not stand for them.
                self.run = None;
                self.message = Some(e.to_string());
                vec![]
            }
        }
    }

    pub(super) fn forward(&mut self, ctx: &mut Ctx<'_>) -> Outcome {
        let last = self.guide().steps.len() - 1;
        if self.step >= last {
            return Outcome::Stay(vec![]);
        }
        self.enter(self.step + 1);
        let fx = match self.current().kind {
            StepKind::Validate => self.start_validation(ctx),
            StepKind::Link => {
                self.enter_link(ctx);
                vec![]
            }
            StepKind::Review => {
                if self.name.value().is_empty() {
                    self.name = Field::new("name", FieldKind::Id, &self.suggested_name(&ctx.taken));
                }
                vec![]
            }
            _ => vec![],
        };
        Outcome::Stay(fx)
    }

    pub(super) fn back(&mut self, ctx: &mut Ctx<'_>) -> Outcome {
        let mut fx = Vec::new();
        if self.running() {
            // Bump the generation so the cancelled run's late results are dropped, and forget the
            // run so nothing keeps spinning.
            *ctx.attempt += 1;
            self.run = None;
            self.phase = Phase::Editing;
            fx.push(Effect::CancelValidation);
        }
        let steps = &self.guide().steps;
        // Going back never lands on the validation step (it would re-run): skip over it.
        let mut i = self.step;
        loop {
            if i == 0 {
                return self.leave(fx);
            }
            i -= 1;
            if steps[i].kind != StepKind::Validate {
                break;
            }
        }
        if self.editing.is_some() && !steps[..=i].iter().any(|s| s.kind.holds_values()) {
            return self.leave(fx);
        }
        self.enter(i);
        Outcome::Stay(fx)
    }

    /// Leaves the guide, but never silently throws away what was typed: the API key may have
    /// been shown only once. The first Esc asks, the second leaves.
    pub(super) fn leave(&mut self, fx: Vec<Effect>) -> Outcome {
        let typed = self.fields.iter().any(|f| !f.value().trim().is_empty());
        if typed && self.phase != Phase::ConfirmingDiscard {
            self.phase = Phase::ConfirmingDiscard;
            self.message =
                Some("Press Esc again to discard what you typed, the API key too; any other key keeps it.".into());
            return Outcome::Stay(fx);
        }
        Outcome::Leave(fx)
    }

    pub(super) fn enter(&mut self, step: usize) {
        self.step = step;
        self.scroll = 0;
        self.message = None;
        self.reveal = false;
        let st = self.current();
        // A choice opens on what was chosen before (going back, or editing).
        self.focus = match st.kind {
            StepKind::Choose => self.chosen.get(&st.id).copied().unwrap_or(0),
            StepKind::Link => {
                self.pbx.as_ref().map_or(0, |n| self.link_options.iter().position(|(o, _)| o == n).map_or(0, |i| i + 1))
            }
            _ => 0,
        };
    }

    /// "step k of n", counting the guide's steps.
    pub fn progress(&self) -> (usize, usize) {
        (self.step + 1, self.guide().steps.len())
    }
}
