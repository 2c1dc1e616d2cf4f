//! The wizard's inputs (`Msg`) and outputs (`Effect`). Every side effect the TUI performs is an
//! `Effect` value; every result comes back as a `Msg`.

use crossterm::event::KeyEvent;
use std::collections::BTreeMap;

use crate::files::complete::Completion;
use crate::profile::Profile;
use crate::profile::checked_file::{FileCheck, FileRules};
use crate::profile::results::LastResult;
use crate::profile::store::{Entry, SaveMode};
use crate::providers::threecx::principals::{Principal, Problem};
use crate::report::{Check, Report};
use secrecy::SecretString;

/// Something that happened: a key, a paste, a result of an effect, a signal. Its `Debug` never
/// shows typed or pasted text, which may be a secret.
#[derive(Clone)]
pub enum Msg {
    /// A key press (releases and repeats are filtered out by the driver).
    Key(KeyEvent),
    /// A bracketed paste: never treated as keys, so a pasted newline is never Enter.
    Paste(String),
    Resize(u16, u16),
    /// Spinner tick, sent only while something runs.
    Tick,
    /// The profiles file was read (or could not be).
    Loaded(Box<HomeData>),
    /// Progress of the validation started with `attempt`; stale attempts are ignored.
    Validation {
        attempt: u64,
        event: ValidationEvent,
    },
    /// A save finished: the file's path, or why it failed (nothing was changed then).
    Saved(Result<String, crate::profile::store::StoreError>),
    /// A remove finished.
    Removed {
        name: String,
        result: Result<(), crate::profile::store::StoreError>,
    },
    /// The checked file typed as `typed` was read and checked (or could not be read: why).
    FileChecked {
        typed: String,
        result: Result<FileCheck, String>,
    },
    /// A correctly named copy of the checked file was written (its path), or why not.
    FileCopied(Result<std::path::PathBuf, String>),
    /// Tab completed the path typed as `typed`.
    Completed {
        typed: String,
        completion: Completion,
    },
    /// The service principals of the PBX, for the request started with `attempt`.
    Principals {
        attempt: u64,
        result: Result<Vec<Principal>, Problem>,
    },
    /// A principals request (`attempt`) waits: for another pbxlink holding the Client ID's token.
    PrincipalsWaiting {
        attempt: u64,
        detail: String,
    },
    /// A new app token (shown once), or why none was made.
    AppToken {
        attempt: u64,
        result: Result<SecretString, Problem>,
    },
    /// What the key may read, for the capability request started with `attempt`.
    Capabilities {
        attempt: u64,
        result: Result<crate::providers::Capabilities, Problem>,
    },
    /// Leave now: a signal (SIGTERM, SIGHUP, SIGINT) or the terminal went away.
    Quit,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Msg::Key(k) => match k.code {
                crossterm::event::KeyCode::Char(_) => write!(f, "Key(<char>, {:?})", k.modifiers),
                code => write!(f, "Key({code:?}, {:?})", k.modifiers),
            },
            Msg::Paste(s) => write!(f, "Paste(<{} chars>)", s.chars().count()),
            Msg::Resize(w, h) => write!(f, "Resize({w}, {h})"),
            Msg::Tick => f.write_str("Tick"),
            Msg::Loaded(d) => f.debug_tuple("Loaded").field(d).finish(),
            Msg::Validation { attempt, event } => {
                f.debug_struct("Validation").field("attempt", attempt).field("event", event).finish()
            }
            Msg::Saved(r) => f.debug_tuple("Saved").field(r).finish(),
            Msg::Removed { name, result } => {
                f.debug_struct("Removed").field("name", name).field("result", result).finish()
            }
            Msg::FileChecked { result, .. } => f.debug_tuple("FileChecked").field(&result.is_ok()).finish(),
            Msg::FileCopied(r) => f.debug_tuple("FileCopied").field(&r.is_ok()).finish(),
            Msg::Completed { completion, .. } => {
                write!(f, "Completed({} candidates)", completion.candidates.len())
            }
            Msg::Principals { attempt, result } => {
                f.debug_struct("Principals").field("attempt", attempt).field("result", result).finish()
            }
            Msg::PrincipalsWaiting { attempt, detail } => {
                f.debug_struct("PrincipalsWaiting").field("attempt", attempt).field("detail", detail).finish()
            }
            // SecretString's Debug is redacted; the token never prints.
            Msg::AppToken { attempt, result } => {
                f.debug_struct("AppToken").field("attempt", attempt).field("result", result).finish()
            }
            Msg::Capabilities { attempt, result } => {
                f.debug_struct("Capabilities").field("attempt", attempt).field("result", result).finish()
            }
            Msg::Quit => f.write_str("Quit"),
        }
    }
}

#[derive(Debug, Clone)]
pub enum ValidationEvent {
    Plan(Vec<Check>),
    Update(Check),
    Done(Report),
}

/// What the home screen shows, as read from disk by the driver.
#[derive(Debug, Clone, Default)]
pub struct HomeData {
    pub entries: Vec<Entry>,
    pub results: BTreeMap<String, LastResult>,
    pub warnings: Vec<String>,
    /// The file could not be read or parsed: shown instead of the list, and nothing is written.
    pub error: Option<String>,
    /// Seconds since the epoch when it was read, for "3 h ago".
    pub now: u64,
}

/// Something for the driver to do.
#[derive(Debug, Clone)]
pub enum Effect {
    LoadProfiles,
    /// Validate `profile`, reporting as `Msg::Validation { attempt, .. }`. `linked` is the saved 3CX
    /// profile a CX-Engine profile names, whose CRM settings are read back.
    Validate {
        attempt: u64,
        profile: Box<Profile>,
        linked: Option<Box<Profile>>,
    },
    /// Stop the running validation (its late results would be ignored anyway).
    CancelValidation,
    /// Keep this report as the profile's last result (state dir).
    Record {
        name: String,
        report: Box<Report>,
    },
    Save {
        profile: Box<Profile>,
        mode: SaveMode,
        /// Where its secret goes first, when not simply in the file (the review's choice, or
        /// the edited profile's reference).
        keep: Option<Box<crate::profile::keep::Keep>>,
    },
    Remove {
        name: String,
    },
    /// Read and check the file typed as `typed` (`~` allowed) by its field's rules.
    CheckFile {
        rules: &'static FileRules,
        typed: String,
    },
    /// Write a correctly named copy of the file beside it; the original is never touched.
    CopyFile {
        rules: &'static FileRules,
        from: std::path::PathBuf,
    },
    /// List the directory of a typed path and complete it (Tab).
    CompletePath {
        typed: String,
    },
    /// List the service principals `profile` (3CX) can see.
    ListPrincipals {
        attempt: u64,
        profile: Box<Profile>,
    },
    /// Read what the key of `profile` may do (3CX's capability reads: GETs only).
    ReadCapabilities {
        attempt: u64,
        profile: Box<Profile>,
    },
    /// Generate an app token for principal `id`: may replace its current key. Only ever after the
    /// user typed `yes`.
    GenerateAppToken {
        attempt: u64,
        profile: Box<Profile>,
        id: i32,
    },
    /// Put this text on the user's local clipboard through the terminal (OSC 52).
    CopyToClipboard(SecretString),
    Exit,
}
