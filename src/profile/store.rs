//! `profiles.toml` on disk: reading with precise errors, and saving or removing one profile while
//! keeping every other byte (other profiles, comments, unknown keys) as it was. Writes are atomic
//! (see [`crate::files::atomic`]), 0600 in a 0700 directory, under an exclusive lock so that two pbxlink
//! processes never lose each other's change.

use anyhow::{Context, Result, anyhow, bail};
use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Table};

use super::Profile;
use super::schema::Schema;
use crate::files::atomic::{lock_beside, real_path, unwritable_fix, write_atomic};

/// Files larger than this are not profile files someone wrote by hand.
pub const MAX_FILE: u64 = 4 * 1024 * 1024;

/// Why the store could not save or remove a profile, as a message that names the file and what to
/// do (the store's own errors, with every context), carried to the front ends as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

impl StoreError {
    /// `e` with its whole chain of context.
    pub fn from_anyhow(e: &anyhow::Error) -> Self {
        StoreError(format!("{e:#}"))
    }
}

/// Whether the user said to read the secret references of a profiles file another user owns
/// (`--allow-references`, for this run): see [`Profile::refs_refused`].
static ALLOW_REFERENCES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Trust the references of profiles files other users own, for the rest of this run.
pub fn allow_references() {
    ALLOW_REFERENCES.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Why the references of a file owned by `owner` are not read by this process, or `None` when
/// they are: the file is the user's own (or root's, who could do anything anyway), or the user
/// said to trust it.
pub fn foreign_owner(path: &Path, owner: u32) -> Option<String> {
    let me = rustix::process::geteuid().as_raw();
    if owner == me || owner == 0 || ALLOW_REFERENCES.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    Some(format!(
        "{} belongs to another user (uid {owner}), whose file could make pbxlink run a program or send your variables and keyring entries; pass --allow-references to trust it, or own the file",
        path.display()
    ))
}

#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
    /// The vendors whose profiles it reads (`providers::SCHEMAS`); others are kept, unsupported.
    schemas: &'static [&'static Schema],
}

/// A profile as found in the file: usable, or broken with the reason (so one bad table never hides
/// the others).
#[derive(Debug, Clone)]
pub enum Entry {
    Ok(Profile),
    Invalid { name: String, reason: String },
}

impl Entry {
    pub fn name(&self) -> &str {
        match self {
            Entry::Ok(p) => &p.name,
            Entry::Invalid { name, .. } => name,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub entries: Vec<Entry>,
    /// Things the user should fix (e.g. a file readable by others), with the command to fix them.
    pub warnings: Vec<String>,
}

impl Loaded {
    pub fn names(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.name().to_string()).collect()
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name() == name)
    }

    /// The profiles that could be read (which a profile may link: a CX-Engine profile its 3CX).
    pub fn profiles(&self) -> Vec<Profile> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Ok(p) => Some(p.clone()),
                Entry::Invalid { .. } => None,
            })
            .collect()
    }
}

/// How a save treats an existing profile of the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveMode {
    /// Refuse if the name exists.
    Create,
    /// Replace the profile `old` (which may have another name: a rename) or create it.
    Replace { old: String },
}

impl Store {
    /// The store at `path`, reading the profiles of `schemas`' vendors.
    pub fn new(path: impl Into<PathBuf>, schemas: &'static [&'static Schema]) -> Self {
        Store { path: path.into(), schemas }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads every profile. A missing file is an empty store; an unreadable or invalid one is an
    /// error naming the path and line, and is never overwritten.
    pub fn load(&self) -> Result<Loaded> {
        let Some(text) = self.read_text()? else {
            return Ok(Loaded::default());
        };
        let doc = self.parse(&text)?;
        let mut loaded = Loaded::default();
        let meta = fs::metadata(&self.path).ok();
        let foreign = meta.as_ref().and_then(|m| foreign_owner(&self.path, std::os::unix::fs::MetadataExt::uid(m)));
        if let Some(meta) = &meta
            && meta.permissions().mode() & 0o077 != 0
        {
            loaded.warnings.push(format!(
                "{} is readable by other users (mode {:o}); it holds secrets: run chmod 600 {}",
                self.path.display(),
                meta.permissions().mode() & 0o777,
                self.path.display()
            ));
        }
        let Some(profiles) = doc.get("profiles") else {
            return Ok(loaded);
        };
        let Some(profiles) = profiles.as_table_like() else {
            bail!("{}: \"profiles\" must be a table of [profiles.NAME] sections", self.path.display());
        };
        for (name, item) in profiles.iter() {
            if let Err(why) = super::check_name(name) {
                // Shown escaped: a hand-written name must not move the cursor of whoever lists it.
                let shown: String = name.escape_debug().collect();
                loaded.entries.push(Entry::Invalid { name: shown, reason: format!("bad profile name: {why}") });
                continue;
            }
            let entry = match item.as_table_like() {
                Some(t) => match Profile::from_table(name, t, self.schemas) {
                    Ok(p) => Entry::Ok(Profile { refs_refused: foreign.clone(), ..p }),
                    Err(reason) => Entry::Invalid { name: name.to_string(), reason: reason.to_string() },
                },
                None => Entry::Invalid { name: name.to_string(), reason: "not a table".into() },
            };
            loaded.entries.push(entry);
        }
        Ok(loaded)
    }

    /// Saves one profile, keeping everything else in the file.
    pub fn save(&self, profile: &Profile, mode: &SaveMode) -> Result<()> {
        self.save_all(&[(profile, mode.clone())])
    }

    /// Saves several profiles in one atomic write under one lock (`import`): either the file
    /// holds all of them, or it is as it was. Everything else in the file is kept.
    pub fn save_all(&self, batch: &[(&Profile, SaveMode)]) -> Result<()> {
        for (profile, _) in batch {
            super::check_name(&profile.name).map_err(|e| anyhow!("profile name \"{}\": {e}", profile.name))?;
        }
        let _lock = lock_beside(&self.path)?;
        let text = self.read_text()?.unwrap_or_default();
        let mut doc = self.parse(&text)?;
        let profiles = profiles_table(&mut doc, &self.path)?;
        for (profile, mode) in batch {
            put(profiles, profile, mode)?;
        }
        self.write(&text, doc.to_string())
    }

    /// Removes one profile; returns false when there was none of that name.
    pub fn remove(&self, name: &str) -> Result<bool> {
        let _lock = lock_beside(&self.path)?;
        let Some(text) = self.read_text()? else {
            return Ok(false);
        };
        let mut doc = self.parse(&text)?;
        let profiles = profiles_table(&mut doc, &self.path)?;
        if profiles.remove(name).is_none() {
            return Ok(false);
        }
        self.write(&text, doc.to_string())?;
        Ok(true)
    }

    /// Writes `new` in the style of `old`: a byte order mark and CRLF line endings are kept (the
    /// editor only writes `\n`), so that a file saved by a Windows editor changes only where
    /// pbxlink changed it.
    fn write(&self, old: &str, new: String) -> Result<()> {
        let mut out = if old.contains("\r\n") && !old.replace("\r\n", "").contains('\n') {
            new.replace("\r\n", "\n").replace('\n', "\r\n")
        } else {
            new
        };
        if old.starts_with('\u{feff}') && !out.starts_with('\u{feff}') {
            out.insert(0, '\u{feff}');
        }
        // Never write what the reader refuses: every command, the TUI and Nagios would then find
        // every profile unreadable.
        if out.len() as u64 > MAX_FILE {
            bail!(
                "{} would be {} bytes, more than the {} MiB a profiles file may hold; nothing was changed: keep some of these profiles in another file (--config)",
                self.path.display(),
                out.len(),
                MAX_FILE / (1024 * 1024)
            );
        }
        write_atomic(&self.path, out.as_bytes(), true).map_err(|e| {
            let real = real_path(&self.path).unwrap_or_else(|_| self.path.clone());
            let fix = unwritable_fix(&e, real.parent().unwrap_or(Path::new(".")));
            anyhow::Error::new(e).context(format!("could not write {}; nothing was changed{fix}", self.path.display()))
        })
    }

    fn read_text(&self) -> Result<Option<String>> {
        let meta = match fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", self.path.display()));
            }
        };
        if meta.is_dir() {
            bail!(
                "{} is a directory, not a profiles file: move it away, or point --config (or PBXLINK_CONFIG) at a file",
                self.path.display()
            );
        }
        if !meta.is_file() {
            bail!(
                "{} is not a regular file (a FIFO, socket or device?): point --config (or PBXLINK_CONFIG) at the profiles file",
                self.path.display()
            );
        }
        if meta.len() > MAX_FILE {
            bail!(
                "{} is {} bytes: too large for a profile file; check that --config points to the right file",
                self.path.display(),
                meta.len()
            );
        }
        let bytes = fs::read(&self.path).with_context(|| format!("cannot read {}", self.path.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            anyhow!(
                "{} is not UTF-8 text (byte {}): save it as UTF-8, or check that --config points to the right file",
                self.path.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        Ok(Some(text))
    }

    fn parse(&self, text: &str) -> Result<DocumentMut> {
        text.parse::<DocumentMut>().map_err(|e| {
            let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            let msg = e.message().lines().next().unwrap_or("invalid TOML").to_string();
            anyhow!("{}:{line}:{col}: {msg}. Fix the file by hand; pbxlink will not overwrite it", self.path.display())
        })
    }
}

/// Puts `profile` into the `[profiles]` table as `mode` says.
fn put(profiles: &mut Table, profile: &Profile, mode: &SaveMode) -> Result<()> {
    let exists = profiles.contains_key(&profile.name);
    match mode {
        SaveMode::Create if exists => {
            bail!("a profile named \"{}\" already exists: choose another name", profile.name)
        }
        SaveMode::Replace { old } if old != &profile.name && exists => {
            bail!("a profile named \"{}\" already exists: choose another name", profile.name)
        }
        SaveMode::Replace { old } if old != &profile.name => {
            // A rename: move the old table (with its comments) under the new key.
            if let Some((_, item)) = profiles.remove_entry(old) {
                profiles.insert(&profile.name, item);
            }
        }
        _ => {}
    }
    // A hand-written inline table (`office = { ... }`) becomes a normal one, keeping its keys.
    if let Some(Item::Value(toml_edit::Value::InlineTable(it))) = profiles.get(&profile.name) {
        let t = it.clone().into_table();
        profiles.insert(&profile.name, Item::Table(t));
    }
    let table = match profiles.get_mut(&profile.name) {
        Some(Item::Table(t)) => t,
        _ => {
            profiles.insert(&profile.name, Item::Table(Table::new()));
            match profiles.get_mut(&profile.name) {
                Some(Item::Table(t)) => t,
                _ => bail!("internal: could not create [profiles.{}]", profile.name),
            }
        }
    };
    profile.write_into(table);
    Ok(())
}

fn profiles_table<'a>(doc: &'a mut DocumentMut, path: &Path) -> Result<&'a mut Table> {
    if !doc.contains_key("profiles") {
        let mut t = Table::new();
        t.set_implicit(true);
        doc.insert("profiles", Item::Table(t));
    }
    match doc.get_mut("profiles") {
        Some(Item::Table(t)) => Ok(t),
        _ => bail!("{}: \"profiles\" must be a table of [profiles.NAME] sections; fix it by hand", path.display()),
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
