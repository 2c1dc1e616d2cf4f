//! Where a new or edited profile's secret will be kept: the review step's second field, and the
//! reference the edited profile read. Data only; the review's rules are in `review`.

use super::Field;
use crate::guide::FieldKind;
use crate::profile::secret_ref::SecretRef;

/// The review's "Keep the secret" field, and the reference the edited profile read.
#[derive(Debug, Clone)]
pub struct Keeping {
    /// Free text (a command has spaces), read by [`SecretRef::parse_flag`].
    pub field: Field,
    /// The edited profile's reference, kept as it is when the field still shows it.
    pub kept: Option<SecretRef>,
    /// Whether the cursor is in this field rather than the name.
    pub focused: bool,
}

impl Default for Keeping {
    fn default() -> Self {
        // `Path`: free text, trimmed; the review offers no completion.
        Keeping { field: Field::new("keep", FieldKind::Path, ""), kept: None, focused: false }
    }
}

/// What the review's keep field holds back when it is empty.
pub const IN_FILE: &str = "in profiles.toml (readable only by you)";
