//! A vendor's guide as data: its steps (what each asks of the user, by kind), its fields (label,
//! kind, soft hints), its products (8x8), its check titles, notes and fixes, all loaded from
//! `assets/guides/<vendor>.toml`. The wizard's behaviour is keyed on the kinds; the words are data.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::host::normalise_host;
use crate::report::{FailureKind, Refusal};

/// What a guide step asks of the user. The wizard's behaviour is keyed on this; the words are data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Read, tick every item with Space, continue.
    Confirm,
    /// One or more input fields.
    Form,
    /// Read and continue.
    Info,
    /// An explicit acknowledgement (a tick box that Enter alone cannot pass).
    Ack,
    /// Choose one or more of the listed items (Space ticks); at least one.
    Select,
    /// Choose exactly one of the step's `choices` (a choice with `refuse` set is explained, never taken).
    Choose,
    /// Optionally link a saved 3CX profile (CX-Engine: the PBX the connector belongs to).
    Link,
    /// Live validation of the values entered so far.
    Validate,
    /// Name the profile, review the values (redacted) and save.
    Review,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Step {
    pub id: String,
    pub kind: StepKind,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(default)]
    pub confirm: Vec<String>,
    /// Shown when Enter is pressed before every item is ticked.
    #[serde(default)]
    pub refuse: String,
    /// A caution shown on the step (e.g. 3CX's one-token rule on validation).
    #[serde(default)]
    pub warning: String,
    /// A caution shown on the step only when a 3CX profile is linked.
    #[serde(default)]
    pub link_warning: String,
    /// The options of a `choose` step.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// Plain mode's wording: phrases of this step's text (body, refusal, its fields' placeholders)
    /// that name keys of the full-screen UI, and what line prompts say instead.
    #[serde(default)]
    pub plain: BTreeMap<String, String>,
}

impl Step {
    /// `text` (this step's body, refusal, or a placeholder of its fields) as plain mode says it.
    pub fn plain_text(&self, text: &str) -> String {
        self.plain.iter().fold(text.to_string(), |t, (from, to)| t.replace(from.as_str(), to))
    }
}

/// One option of a `choose` step.
#[derive(Debug, Clone, Deserialize)]
pub struct Choice {
    /// The value stored in the profile (`authorization_code`).
    pub id: String,
    pub label: String,
    /// One line under the label: when to use it.
    #[serde(default)]
    pub note: String,
    /// Set for an option the vendor does not support: choosing it shows this and stays.
    #[serde(default)]
    pub refuse: Option<String>,
}

impl StepKind {
    /// A step whose answer is part of the profile (what editing a profile opens on).
    pub fn holds_values(self) -> bool {
        matches!(self, Self::Form | Self::Choose)
    }
}

/// How a field's input is cleaned and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A host or pasted URL, normalised by [`host::normalise_host`] and shown back live.
    Host,
    /// An identifier: trimmed, no whitespace or control characters inside.
    Id,
    /// A secret: masked on screen, trimmed, never altered otherwise.
    Secret,
    /// An `https://` URL whose scheme is kept (CX-Engine), normalised like a host and shown back live.
    Url,
    /// A local file path; Tab completes it. May be left empty when the step says so.
    Path,
}

impl FieldKind {
    /// The value `raw` stands for (trimmed; a host or URL in normal form), or why it is not
    /// acceptable, with the fix. The one rule for a field's value: the guide's fields, plain mode,
    /// the profile file and `add`'s flags all check with it.
    pub fn check(self, raw: &str) -> Result<String, Refusal> {
        let v = raw.trim();
        match self {
            FieldKind::Host => {
                normalise_host(v).map(|h| h.to_string()).map_err(|e| format!("{}. Fix: {}", e.reason, e.fix).into())
            }
            // Like a host (a pasted URL is fine, its path is dropped), but the https scheme is kept.
            FieldKind::Url => normalise_host(v).map(|h| h.https_base()).map_err(|e| e.to_string().into()),
            // Optional: an empty path means "skip"; whether the file is good is checked on disk.
            FieldKind::Path => {
                if v.chars().any(char::is_control) {
                    return Err("contains a control character: type the path again".into());
                }
                Ok(v.to_string())
            }
            FieldKind::Id | FieldKind::Secret => {
                if v.is_empty() {
                    return Err("empty: paste or type it".into());
                }
                if v.chars().any(char::is_whitespace) {
                    return Err("contains a space: copy the value again, without spaces".into());
                }
                if v.chars().any(char::is_control) {
                    return Err("contains a control character: paste it again as plain text".into());
                }
                Ok(v.to_string())
            }
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct FieldSpec {
    pub label: String,
    #[serde(default)]
    pub placeholder: String,
    pub kind: FieldKind,
    /// A prefix values usually have; when missing, `expect_note` is shown (a hint, never a refusal).
    #[serde(default)]
    pub expect_prefix: Option<String>,
    #[serde(default)]
    pub expect_note: String,
    /// What a step's text says in the field's `{id}` place before a value is typed.
    #[serde(default)]
    pub unset: String,
    /// For a field naming a file the vendor checks: what is said about it.
    #[serde(default)]
    pub file: Option<FileTexts>,
}

/// The words around a checked file (`[fields.<key>.file]`), the vendor's; the front ends add only
/// what is true of any file (its line numbers, "checking the file…", the copy's path).
#[derive(Debug, Clone, Deserialize)]
pub struct FileTexts {
    /// Under an empty field: what leaving it empty means.
    pub empty: String,
    /// Said when the field is left empty (plain mode).
    pub skipped: String,
    /// A file that passes; `{name}` is the name the file gives itself.
    pub found: String,
    /// After the first problems, where to see them all.
    pub more: String,
    /// What to do about a file with problems beyond its name.
    pub refetch: String,
    /// For a file given by flag that is refused: how to get one that is not.
    pub flag_fix: String,
}

impl FieldSpec {
    /// The soft hint for `value` (trimmed): `expect_note` when the value lacks the expected prefix.
    /// Every front end (the TUI, plain mode, scripted `add`) shows it the same way, never refusing.
    pub fn soft_note(&self, value: &str) -> Option<&str> {
        let v = value.trim();
        let prefix = self.expect_prefix.as_deref()?;
        (!v.is_empty() && !v.starts_with(prefix)).then_some(self.expect_note.as_str())
    }
}

/// A product an API app can be granted (8x8).
#[derive(Debug, Clone, Deserialize)]
pub struct ProductSpec {
    /// As stored in profiles and given to `--products`.
    pub id: String,
    pub name: String,
    /// The codes of the vendor's own table that grant it (8x8's `api_product_list`), matched as
    /// whole codes in any case, never as parts.
    pub codes: Vec<String>,
    /// What the vendor's console calls it, where that differs from `name`.
    #[serde(default)]
    pub console: Option<String>,
    /// Which regional address scheme its API follows (8x8: `analytics` or `storage`).
    #[serde(default)]
    pub family: Option<String>,
    /// The cheapest read of its own API (`{prefix}` or `{region}` replaced), when there is one.
    #[serde(default)]
    pub probe: Option<String>,
    /// Why there is no probe, shown as "not checked".
    #[serde(default)]
    pub no_probe: String,
}

/// A vendor's guide as loaded from its asset file.
#[derive(Debug, Clone, Deserialize)]
pub struct Guide {
    pub provider: String,
    pub name: String,
    pub title: String,
    pub summary: String,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSpec>,
    /// Check id → title shown while validating.
    pub checks: BTreeMap<String, String>,
    /// Failure kind name → the fix, in the vendor's words.
    pub hints: BTreeMap<String, String>,
    /// Check id → what it says when it cannot check (why, and who can).
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    #[serde(default)]
    pub products: Vec<ProductSpec>,
    /// What checking a saved profile again costs, said before it runs (3CX: it ends the token a
    /// running integration holds).
    #[serde(default)]
    pub recheck_warning: String,
}

impl Guide {
    /// Parses a guide asset. The assets are compiled in and covered by tests, so a broken one is a
    /// build defect, not a user error: it panics with the parse error.
    pub fn parse(text: &str) -> Guide {
        match toml::from_str::<Guide>(text) {
            Ok(g) => g,
            Err(e) => panic!("guide asset is invalid: {e}"),
        }
    }

    pub fn field(&self, id: &str) -> &FieldSpec {
        static FALLBACK: OnceLock<FieldSpec> = OnceLock::new();
        self.fields.get(id).unwrap_or_else(|| {
            FALLBACK.get_or_init(|| FieldSpec {
                label: "?".into(),
                placeholder: String::new(),
                kind: FieldKind::Id,
                expect_prefix: None,
                expect_note: String::new(),
                unset: String::new(),
                file: None,
            })
        })
    }

    /// The product id for what a user typed: an id (`cloud-storage`) or the name the vendor's
    /// console shows ("Cloud Storage Service"), in any case and spacing.
    pub fn product_id(&self, typed: &str) -> Option<String> {
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let t = norm(typed);
        self.products.iter().find(|p| norm(&p.id) == t || norm(&p.name) == t).map(|p| p.id.clone())
    }

    /// A product's display name from its id (the id itself when unknown).
    pub fn product_name(&self, id: &str) -> String {
        self.products.iter().find(|p| p.id == id).map_or_else(|| id.to_string(), |p| p.name.clone())
    }

    pub fn check_title(&self, id: &str) -> String {
        self.checks.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    /// The note of check `id` (see `notes`), or nothing.
    pub fn note(&self, id: &str) -> String {
        self.notes.get(id).cloned().unwrap_or_default()
    }

    pub fn hint(&self, kind: FailureKind) -> String {
        self.hints.get(kind.as_str()).cloned().unwrap_or_default()
    }

    /// The fix for `kind` failing at check `at`: a step-specific hint (`"access.unauthorized"`)
    /// when the guide has one, else the kind's general hint.
    pub fn hint_at(&self, at: &str, kind: FailureKind) -> String {
        self.hints.get(&format!("{at}.{}", kind.as_str())).cloned().unwrap_or_else(|| self.hint(kind))
    }
}
