//! The template step's state besides its field (CX-Engine's CRM template): what was found on
//! disk for the path typed, and the completions offered. Data only; the step's rules are in
//! `steps`.

use crate::template_file::{Inspection, TemplateError};

/// The template step's state besides its field.
#[derive(Debug, Clone, Default)]
pub struct TemplateStep {
    /// The text last checked and what was found, or why the file could not be read.
    pub checked: Option<(String, Result<Inspection, TemplateError>)>,
    /// A check, copy or completion is running: Enter waits for it.
    pub busy: bool,
    /// Names that match the typed path after Tab, when there are several.
    pub candidates: Vec<String>,
}

impl TemplateStep {
    /// What was found for exactly this text, if it was checked.
    pub fn found_for(&self, typed: &str) -> Option<&Result<Inspection, TemplateError>> {
        self.checked.as_ref().filter(|(t, _)| t == typed).map(|(_, r)| r)
    }
}
