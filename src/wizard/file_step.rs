//! The state of a step whose field names a file the vendor checks (besides the field): what was
//! found on disk for the path typed, and the completions offered. Data only; the step's rules are
//! in `steps`.

use crate::profile::checked_file::FileCheck;

/// The checked file's step state besides its field.
#[derive(Debug, Clone, Default)]
pub struct FileStep {
    /// The text last checked and what was found, or why the file could not be read.
    pub checked: Option<(String, Result<FileCheck, String>)>,
    /// A check, copy or completion is running: Enter waits for it.
    pub busy: bool,
    /// Names that match the typed path after Tab, when there are several.
    pub candidates: Vec<String>,
}

impl FileStep {
    /// What was found for exactly this text, if it was checked.
    pub fn found_for(&self, typed: &str) -> Option<&Result<FileCheck, String>> {
        self.checked.as_ref().filter(|(t, _)| t == typed).map(|(_, r)| r)
    }
}
