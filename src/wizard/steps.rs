//! The guide steps that need more than fields and tick boxes: a single choice, linking a saved
//! profile of another vendor, and a file the vendor checks (Tab completion, the check on disk and
//! the correctly named copy, all as effects: this module stays pure).

use super::keymap::Action;

use super::Effect;
use super::guide::{Ctx, GuideState, Outcome};
use crate::files::complete::Completion;
use crate::guide::{FieldKind, Step};
use crate::profile::checked_file::FileCheck;

impl GuideState {
    pub(super) fn choose_key(&mut self, step: &Step, action: Action, ctx: &mut Ctx<'_>) -> Outcome {
        let n = step.choices.len().max(1);
        match action {
            Action::Up => self.focus = self.focus.saturating_sub(1),
            Action::Down => self.focus = (self.focus + 1).min(n - 1),
            Action::Next => match step.choices.get(self.focus) {
                Some(c) if c.refuse.is_some() => self.message = c.refuse.clone(),
                Some(_) => {
                    self.chosen.insert(step.id.clone(), self.focus);
                    return self.forward(ctx);
                }
                None => self.message = Some(step.refuse.clone()),
            },
            Action::Back => return self.back(ctx),
            _ => return Outcome::Stay(vec![]),
        }
        if action != Action::Next {
            self.message = None;
        }
        Outcome::Stay(vec![])
    }

    /// The options of the link step: "do not link" first, then each saved profile it may link.
    pub fn link_count(&self) -> usize {
        1 + self.link_options.len()
    }

    pub(super) fn link_key(&mut self, action: Action, ctx: &mut Ctx<'_>) -> Outcome {
        let n = self.link_count();
        match action {
            Action::Up => self.focus = self.focus.saturating_sub(1),
            Action::Down => self.focus = (self.focus + 1).min(n - 1),
            Action::Next => {
                self.pbx =
                    self.focus.checked_sub(1).and_then(|i| self.link_options.get(i)).map(|(name, _)| name.clone());
                return self.forward(ctx);
            }
            Action::Back => return self.back(ctx),
            _ => {}
        }
        Outcome::Stay(vec![])
    }

    /// Fills the link step's options from the saved profiles, keeping the current choice focused.
    pub(super) fn enter_link(&mut self, ctx: &Ctx<'_>) {
        let linkable = self.provider.schema().link().map(|(_, provider)| provider);
        self.link_options = ctx
            .saved
            .iter()
            .filter(|p| Some(p.provider.as_str()) == linkable && p.schema.is_some())
            .map(|p| (p.name.clone(), p.target()))
            .collect();
        self.focus = match &self.pbx {
            Some(name) => self.link_options.iter().position(|(n, _)| n == name).map_or(0, |i| i + 1),
            None => 0,
        };
    }

    /// The step's focused field is a path: Tab completes it instead of moving on.
    pub(super) fn completing(&self) -> bool {
        self.focused_field().is_some_and(|f| f.kind == FieldKind::Path)
    }

    pub(super) fn complete(&mut self) -> Vec<Effect> {
        let typed = self.focused_field().map(|f| f.value().to_string()).unwrap_or_default();
        self.file.busy = true;
        vec![Effect::CompletePath { typed }]
    }

    pub fn completed(&mut self, typed: &str, c: Completion) -> Vec<Effect> {
        self.file.busy = false;
        // The path field the completion was asked for, if it still holds what was completed.
        if let Some(f) = self.fields.iter_mut().find(|f| f.kind == FieldKind::Path && f.value() == typed) {
            *f = super::Field::new(&f.id, FieldKind::Path, &c.text);
            self.file.candidates = c.candidates;
            self.message = None;
        }
        vec![]
    }

    /// Enter on a form: on the step with the schema's checked file field, an empty path skips; a file
    /// is checked first; a good file continues; a file whose only fault is its name gets its copy
    /// on a second Enter. Any other form goes on.
    pub(super) fn file_enter(&mut self, ctx: &mut Ctx<'_>) -> Outcome {
        let here = self.file_key().filter(|k| self.current().fields.iter().any(|f| f == k));
        let Some(typed) = here.and_then(|k| self.field(k)).map(|f| f.value().trim().to_string()) else {
            return self.forward(ctx);
        };
        if typed.is_empty() {
            return self.forward(ctx);
        }
        if self.file.busy {
            return Outcome::Stay(vec![]);
        }
        let Some(rules) = self.file_rules() else { return self.forward(ctx) };
        let copy_of = match self.file.found_for(&typed) {
            Some(Ok(found)) if found.ok() => return self.forward(ctx),
            Some(Ok(found)) if found.only_its_name() => Some(found.path.clone()),
            _ => None,
        };
        self.file.busy = true;
        match copy_of {
            Some(from) => Outcome::Stay(vec![Effect::CopyFile { rules, from }]),
            _ => {
                self.file.candidates.clear();
                Outcome::Stay(vec![Effect::CheckFile { rules, typed }])
            }
        }
    }

    /// A check finished: a good file continues at once; otherwise the step shows what was found.
    pub fn file_checked(&mut self, typed: String, result: Result<FileCheck, String>, ctx: &mut Ctx<'_>) -> Outcome {
        self.file.busy = false;
        let current = self.file_key().and_then(|k| self.field(k)).map(|f| f.value().trim().to_string());
        if current.as_deref() != Some(typed.as_str()) {
            return Outcome::Stay(vec![]); // The user typed on meanwhile: this answer is stale.
        }
        let good = matches!(&result, Ok(f) if f.ok());
        self.file.checked = Some((typed, result));
        if good { self.forward(ctx) } else { Outcome::Stay(vec![]) }
    }

    /// The copy was written: the field now names it, and it is checked like a typed path.
    pub fn file_copied(&mut self, result: Result<std::path::PathBuf, String>) -> Vec<Effect> {
        self.file.busy = false;
        match result {
            Ok(path) => {
                let typed = path.to_string_lossy().into_owned();
                let Some(rules) = self.file_rules() else { return vec![] };
                if let Some(k) = self.file_key() {
                    self.prefill(k, Some(&typed));
                }
                self.file.busy = true;
                vec![Effect::CheckFile { rules, typed }]
            }
            Err(e) => {
                self.message = Some(format!("No copy written: {e}"));
                vec![]
            }
        }
    }

    /// A step's text with `{FIELD}` (any field but a secret) filled in from what was typed, or the
    /// field's `unset` text, and `{file}` with the checked file's name.
    pub fn body(&self, step: &Step) -> String {
        if !step.body.contains('{') {
            return step.body.clone();
        }
        let file = self.file_path().and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
        let unset = || self.file_key().map_or_else(String::new, |k| self.guide().field(k).unset.clone());
        let mut text = step.body.replace("{file}", &file.unwrap_or_else(unset));
        for f in self.fields.iter().filter(|f| f.kind != FieldKind::Secret) {
            let place = format!("{{{}}}", f.id);
            if text.contains(&place) {
                let typed = f.check().ok().filter(|v| !v.is_empty());
                text = text.replace(&place, &typed.unwrap_or_else(|| self.guide().field(&f.id).unset.clone()));
            }
        }
        text
    }
}
