//! The last validation result of each profile, and since when its verdict holds, kept in the state
//! directory (never in `profiles.toml`, which `validate` must not write); and each profile's
//! history, its last [`HISTORY`] results (`history/<name>.json`), for `pbxlink history`. Shown on
//! the TUI home screen and by `list`. Holds no secrets: outcome, failure kind, a one-line detail
//! and the time. Every write is atomic and under one lock, so two runs at once lose nothing.
//!
//! Results belong to a profiles file, not to a name alone: two files may both hold an "office".
//! Each file's are under `results/<id>/` (the id a digest of the file's path; `profiles-file` there
//! names it). Results kept before that (`last-results.json` and `history/` at the top of the
//! state directory) are moved, whole and once, to the first profiles file that reads or records
//! results.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::clock::when;
use crate::files::atomic::{lock_beside, write_atomic, write_atomic_in};
use crate::report::{FailureKind, Report};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastResult {
    pub ok: bool,
    /// The failure kind's contract name, if it failed.
    pub failure: Option<String>,
    /// Seconds since the Unix epoch.
    pub checked_at: u64,
    pub detail: String,
    /// Since when the verdict (working or not) holds: the first of the results in a row that
    /// agree with this one. Unknown in files of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<u64>,
}

/// How many results each profile's history keeps.
pub const HISTORY: usize = 100;

impl LastResult {
    pub fn from_report(r: &Report, now: u64) -> Self {
        let detail = match r.checks.iter().find(|c| matches!(c.state, crate::report::CheckState::Failed(_))) {
            Some(c) => c.detail.clone(),
            None => r
                .checks
                .iter()
                .rev()
                .find(|c| c.state == crate::report::CheckState::Passed)
                .map(|c| c.detail.clone())
                .unwrap_or_default(),
        };
        LastResult {
            ok: r.ok(),
            failure: r.failure.map(|k| k.as_str().to_string()),
            checked_at: now,
            detail,
            since: None,
        }
    }

    pub fn failure_kind(&self) -> Option<FailureKind> {
        self.failure.as_deref().and_then(FailureKind::parse)
    }
}

impl LastResult {
    /// ", since 3 Dec 09:12" (", failing since …") when earlier results agree with this one;
    /// empty when this is the first of its verdict, whose time the list already shows.
    pub fn since_text(&self, now: u64) -> String {
        match self.since {
            Some(s) if s < self.checked_at => {
                format!(", {}since {}", if self.ok { "" } else { "failing " }, when(s, now))
            }
            _ => String::new(),
        }
    }
}

/// A move of one profile's results still to make (see [`Results::begin_move`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Move {
    from: String,
    /// The new name; `None`: the profile was removed.
    to: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Results {
    path: PathBuf,
    /// The state directory, whose results from before they were kept per file are moved here.
    legacy: Option<PathBuf>,
    /// The profiles file these results are of, named beside them when they are first written.
    profiles_file: Option<PathBuf>,
}

/// The id of a profiles file: a digest of its path, made absolute and with its directory's links
/// resolved, so `./profiles.toml` and its full path are one file.
pub fn file_id(profiles_file: &Path) -> String {
    let absolute = std::path::absolute(profiles_file).unwrap_or_else(|_| profiles_file.to_path_buf());
    let resolved = std::fs::canonicalize(&absolute).ok().or_else(|| {
        let dir = std::fs::canonicalize(absolute.parent()?).ok()?;
        Some(dir.join(absolute.file_name()?))
    });
    let path = resolved.unwrap_or(absolute);
    let d = ring::digest::digest(&ring::digest::SHA256, path.as_os_str().as_encoded_bytes());
    d.as_ref().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

impl Results {
    /// The results of the profiles in `profiles_file`, kept in `state_dir`.
    pub fn of(state_dir: &Path, profiles_file: &Path) -> Self {
        let dir = state_dir.join("results").join(file_id(profiles_file));
        Results {
            path: dir.join("last-results.json"),
            legacy: Some(state_dir.to_path_buf()),
            profiles_file: Some(profiles_file.to_path_buf()),
        }
    }

    /// Results kept in `dir` itself (tests).
    pub fn in_dir(dir: &Path) -> Self {
        Results { path: dir.join("last-results.json"), legacy: None, profiles_file: None }
    }

    /// The file of the last results.
    pub fn file(&self) -> &Path {
        &self.path
    }

    /// Moves the results kept before they were per file (`last-results.json`, `history/` at the
    /// top of the state directory) here, when this file has none yet: each a rename, under the
    /// old file's lock, so two pbxlinks never both take them.
    fn adopt_legacy(&self) {
        let Some(state) = &self.legacy else { return };
        let old = state.join("last-results.json");
        if !old.exists() || self.path.exists() {
            return;
        }
        let Ok(_lock) = lock_beside(&old) else { return };
        if !old.exists() || self.path.exists() {
            return;
        }
        let Some(dir) = self.path.parent() else { return };
        let _ = crate::files::atomic::ensure_private_dir(dir);
        let history = dir.join("history");
        if state.join("history").is_dir() && !history.exists() {
            let _ = std::fs::rename(state.join("history"), &history);
        }
        match std::fs::rename(&old, &self.path) {
            Ok(()) => tracing::info!(to = %dir.display(), "results kept before they were per profiles file moved"),
            Err(e) => tracing::warn!(error = %e, "could not move the results kept before they were per profiles file"),
        }
    }

    /// All known results; a missing or unreadable file is simply "no results yet" (it is a cache).
    pub fn load(&self) -> BTreeMap<String, LastResult> {
        self.adopt_legacy();
        self.settle();
        self.read_all()
    }

    fn read_all(&self) -> BTreeMap<String, LastResult> {
        std::fs::read(&self.path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// Keeps these results as the last ones, each with since when its verdict holds, and adds
    /// them to their profiles' histories. A result of a profile no longer in the profiles file (a
    /// rename or a removal while it was validated) is dropped: it must not come back under a name
    /// nothing has now, for a later profile of that name to inherit.
    pub fn record(&self, updates: &[(String, LastResult)]) -> Result<()> {
        self.adopt_legacy();
        // Locked, so the TUI and a cron run recording at once do not drop each other's results.
        let _lock = lock_beside(&self.path)?;
        self.settle_locked();
        let names = self.names_in_file();
        let mut all = self.read_all();
        let mut histories = Vec::new();
        for (name, r) in updates {
            if names.as_ref().is_some_and(|n| !n.contains(name)) {
                continue;
            }
            let mut r = r.clone();
            r.since = match all.get(name) {
                Some(before) if before.ok == r.ok => Some(before.since.unwrap_or(before.checked_at)),
                _ => Some(r.checked_at),
            };
            let mut history = self.read_history(name);
            history.push(r.clone());
            let drop = history.len().saturating_sub(HISTORY);
            history.drain(..drop);
            histories.push((self.history_path(name), serde_json::to_vec_pretty(&history)?));
            all.insert(name.clone(), r);
        }
        if let Some(file) = &self.profiles_file {
            // Which file these are, for whoever looks in the directory; best effort, once.
            let named = self.path.with_file_name("profiles-file");
            if !named.exists() {
                let _ = write_atomic(&named, format!("{}\n", file.display()).as_bytes(), false);
            }
        }
        let dir = self.path.with_file_name("history");
        for ((path, _), written) in histories.iter().zip(write_atomic_in(&dir, &histories)) {
            // The history is a record: one that cannot be written costs no last result.
            if let Err(e) = written {
                tracing::warn!(path = %path.display(), error = %e, "could not write a profile's history");
            }
        }
        self.write(&all)
    }

    /// The kept results of `name`, oldest first (none when it has none or its file is unreadable:
    /// it is a record, never an input).
    pub fn history(&self, name: &str) -> Vec<LastResult> {
        self.adopt_legacy();
        self.settle();
        self.read_history(name)
    }

    fn read_history(&self, name: &str) -> Vec<LastResult> {
        std::fs::read(self.history_path(name)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    fn history_path(&self, name: &str) -> PathBuf {
        // Profile names are file-safe words (`check_name`).
        self.path.with_file_name("history").join(format!("{name}.json"))
    }

    /// The moves of results still to make, kept beside them (`moves.json`).
    fn moves_path(&self) -> PathBuf {
        self.path.with_file_name("moves.json")
    }

    /// Notes, before the profiles file changes, that `from`'s results go to `to` (a rename) or
    /// away (`None`, a removal). [`Results::settle`] makes the move once the file says it
    /// happened, or drops it when the file still has `from`: so a rename or a removal killed at
    /// any point leaves results that follow the file, and the next run that reads them finishes
    /// the move. `Err` (a busy lock, a full disk): nothing should change.
    pub fn begin_move(&self, from: &str, to: Option<&str>) -> Result<()> {
        self.adopt_legacy();
        let _lock = lock_beside(&self.path)?;
        if let Some(to) = to {
            // What a profile of the new name left behind is not this one's: the new name is not
            // in the file, so whatever stands under it now is stale. Gone before anything moves,
            // so that finishing the move later is the same whenever it happens.
            let mut all = self.read_all();
            if all.remove(to).is_some() {
                self.write(&all)?;
            }
            let _ = std::fs::remove_file(self.history_path(to));
        }
        let mut moves = self.read_moves();
        moves.retain(|m| m.from != from);
        moves.push(Move { from: from.to_string(), to: to.map(str::to_string) });
        let bytes = serde_json::to_vec_pretty(&moves)?;
        write_atomic(&self.moves_path(), &bytes, false)
            .with_context(|| format!("could not write {}", self.moves_path().display()))
    }

    /// Makes the moves [`Results::begin_move`] noted, as far as the profiles file says they
    /// happened; idempotent, and a no-op when none is noted.
    pub fn settle(&self) {
        if !self.moves_path().exists() {
            return;
        }
        let Ok(_lock) = lock_beside(&self.path) else { return };
        self.settle_locked();
    }

    /// [`Results::settle`], the lock already held.
    fn settle_locked(&self) {
        let moves = self.read_moves();
        if moves.is_empty() {
            return;
        }
        let names = self.names_in_file();
        let mut all = self.read_all();
        for m in &moves {
            // The file still has the old name: the rename or removal did not happen.
            if names.as_ref().is_some_and(|n| n.contains(&m.from)) {
                continue;
            }
            // Each step may have been done already by a run killed half way: it is done again
            // only where it was not (the old name's entry or file still there).
            let _ = match &m.to {
                Some(to) => {
                    if let Some(r) = all.remove(&m.from) {
                        all.insert(to.clone(), r);
                    }
                    std::fs::rename(self.history_path(&m.from), self.history_path(to))
                }
                None => {
                    all.remove(&m.from);
                    std::fs::remove_file(self.history_path(&m.from))
                }
            };
        }
        // The results first, then the note: killed in between, the moves are made again, the same.
        if self.write(&all).is_ok() {
            let _ = std::fs::remove_file(self.moves_path());
        }
    }

    fn read_moves(&self) -> Vec<Move> {
        std::fs::read(self.moves_path()).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// The profile names the profiles file holds now; `None` when these results have no file to
    /// follow (tests) or it cannot be read (then nothing is judged by it).
    fn names_in_file(&self) -> Option<Vec<String>> {
        let file = self.profiles_file.as_ref()?;
        let bytes = match crate::files::read_regular(file, super::store::MAX_FILE) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(Vec::new()),
            Err(_) => return None,
        };
        let doc: toml_edit::DocumentMut = String::from_utf8(bytes).ok()?.parse().ok()?;
        let profiles = doc.get("profiles").and_then(toml_edit::Item::as_table_like);
        Some(profiles.map(|t| t.iter().map(|(k, _)| k.to_string()).collect()).unwrap_or_default())
    }

    /// Moves `old`'s last result and history to `new` (a renamed profile) now.
    pub fn rename(&self, old: &str, new: &str) -> Result<()> {
        self.begin_move(old, Some(new))?;
        self.settle();
        Ok(())
    }

    /// Drops `name`'s last result and history (a removed profile) now.
    pub fn forget(&self, name: &str) -> Result<()> {
        self.begin_move(name, None)?;
        self.settle();
        Ok(())
    }

    fn write(&self, all: &BTreeMap<String, LastResult>) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(all)?;
        write_atomic(&self.path, &bytes, false).with_context(|| format!("could not write {}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_and_reload() {
        let d = tempfile::tempdir().expect("tempdir");
        let r = Results::in_dir(&d.path().join("state"));
        assert!(r.load().is_empty());
        let lr = LastResult {
            ok: false,
            failure: Some("unauthorized".into()),
            checked_at: 10,
            detail: "HTTP 401".into(),
            since: None,
        };
        r.record(&[("office".into(), lr.clone())]).expect("record");
        assert_eq!(r.load().get("office"), Some(&LastResult { since: Some(10), ..lr.clone() }));
        assert_eq!(lr.failure_kind(), Some(FailureKind::Unauthorized));
        r.forget("office").expect("forget");
        assert!(r.load().is_empty());
        let dec3 = crate::report::parse_datetime("2026-12-03T09:12:00Z").expect("date");
        let failing = LastResult { since: Some(dec3), checked_at: dec3 + 60, ..lr };
        assert_eq!(failing.since_text(dec3 + 60), ", failing since 3 Dec 09:12");
    }
}

#[cfg(test)]
mod history_tests {
    use super::*;

    fn result(ok: bool, at: u64) -> LastResult {
        let failure = (!ok).then(|| "unauthorized".to_string());
        LastResult { ok, failure, checked_at: at, detail: String::new(), since: None }
    }

    #[test]
    fn since_is_the_first_of_the_results_in_a_row_that_agree() {
        let d = tempfile::tempdir().expect("tempdir");
        let r = Results::in_dir(&d.path().join("state"));
        let since = |at, ok| {
            r.record(&[("office".into(), result(ok, at))]).expect("record");
            r.load()["office"].since
        };
        assert_eq!(since(100, true), Some(100));
        assert_eq!(since(200, true), Some(100));
        assert_eq!(since(300, false), Some(300), "the verdict changed");
        assert_eq!(since(400, false), Some(300));
        assert_eq!(since(500, true), Some(500));
    }

    #[test]
    fn the_history_keeps_the_last_hundred_oldest_first_and_goes_with_the_profile() {
        let d = tempfile::tempdir().expect("tempdir");
        let r = Results::in_dir(&d.path().join("state"));
        for at in 0..(HISTORY as u64 + 5) {
            r.record(&[("office".into(), result(at % 2 == 0, at)), ("branch".into(), result(true, at))])
                .expect("record");
        }
        let h = r.history("office");
        assert_eq!(h.len(), HISTORY);
        assert_eq!((h[0].checked_at, h[HISTORY - 1].checked_at), (5, HISTORY as u64 + 4));
        assert_eq!(r.history("branch").len(), HISTORY);
        r.forget("office").expect("forget");
        assert!(r.history("office").is_empty());
        assert_eq!(r.history("branch").len(), HISTORY);
    }
}

#[cfg(test)]
mod per_file_tests {
    use super::*;

    fn failed(at: u64) -> LastResult {
        LastResult {
            ok: false,
            failure: Some("unauthorized".into()),
            checked_at: at,
            detail: "HTTP 401".into(),
            since: None,
        }
    }

    /// Two profiles files with the same profile names keep their own results and histories.
    #[test]
    fn two_files_with_the_same_names_keep_their_own_results() {
        let d = tempfile::tempdir().expect("tempdir");
        let state = d.path().join("state");
        let (one, other) = (d.path().join("profiles.toml"), d.path().join("other.toml"));
        for f in [&one, &other] {
            std::fs::write(f, "[profiles.office]\n").expect("profiles");
        }
        Results::of(&state, &one).record(&[("office".into(), failed(10))]).expect("record");
        assert!(Results::of(&state, &other).load().is_empty(), "another file's office was never checked");
        assert!(Results::of(&state, &other).history("office").is_empty());
        assert_eq!(Results::of(&state, &one).load()["office"].checked_at, 10);
        // One file by any of its names: relative or absolute, through a linked directory.
        let linked = d.path().join("linked");
        std::os::unix::fs::symlink(d.path(), &linked).expect("symlink");
        assert_eq!(file_id(&one), file_id(&linked.join("profiles.toml")));
        assert_ne!(file_id(&one), file_id(&other));
        let named = std::fs::read_to_string(Results::of(&state, &one).file().with_file_name("profiles-file"));
        assert_eq!(named.expect("named").trim(), one.display().to_string());
    }

    /// Results kept before they were per file go, whole and once, to the first file that asks.
    #[test]
    fn results_kept_before_are_moved_once() {
        let d = tempfile::tempdir().expect("tempdir");
        let state = d.path().join("state");
        Results::in_dir(&state).record(&[("office".into(), failed(10))]).expect("legacy");
        assert!(state.join("history/office.json").exists());
        std::fs::write(d.path().join("profiles.toml"), "[profiles.office]\n").expect("profiles");
        let mine = Results::of(&state, &d.path().join("profiles.toml"));
        assert_eq!(mine.load()["office"].checked_at, 10);
        assert_eq!(mine.history("office").len(), 1);
        assert!(!state.join("last-results.json").exists() && !state.join("history").exists());
        assert!(Results::of(&state, &d.path().join("other.toml")).load().is_empty(), "moved once, not copied");
    }
}

#[cfg(test)]
mod move_tests {
    use super::*;

    fn result(at: u64) -> LastResult {
        LastResult { ok: true, failure: None, checked_at: at, detail: String::new(), since: None }
    }

    /// A rename killed at any point leaves results that follow the profiles file: before the
    /// file changed, under the old name; after, under the new one, the move finished by the next
    /// reader. A result recorded for a name the file no longer has is dropped.
    #[test]
    fn results_follow_the_profiles_file_whenever_a_rename_stops() {
        let d = tempfile::tempdir().expect("tempdir");
        let (state, file) = (d.path().join("state"), d.path().join("profiles.toml"));
        std::fs::write(&file, "[profiles.office]\n[profiles.lab]\n").expect("profiles");
        let r = Results::of(&state, &file);
        r.record(&[("office".into(), result(10)), ("lab".into(), result(11))]).expect("record");

        // Killed after the move was noted, before the file changed: nothing moves.
        r.begin_move("office", Some("hq")).expect("noted");
        assert_eq!(r.load().get("office").map(|x| x.checked_at), Some(10));
        assert!(!r.load().contains_key("hq"));
        assert!(!r.moves_path().exists(), "the note of a rename that did not happen is dropped");

        // Killed after the file changed, before the results moved: the next reader moves them.
        r.begin_move("office", Some("hq")).expect("noted");
        std::fs::write(&file, "[profiles.hq]\n[profiles.lab]\n").expect("renamed");
        let again = Results::of(&state, &file);
        assert_eq!(again.history("hq").len(), 1);
        assert_eq!(again.load().get("hq").map(|x| x.checked_at), Some(10));
        assert!(!again.load().contains_key("office") && again.history("office").is_empty());

        // A validation that started before the rename records under the old name: dropped.
        again.record(&[("office".into(), result(20)), ("lab".into(), result(21))]).expect("record");
        assert!(!again.load().contains_key("office"), "not back under a name the file no longer has");
        assert_eq!(again.load().get("lab").map(|x| x.checked_at), Some(21));

        // A removal: noted, the file changed, the results gone; a later profile of the name
        // starts with none.
        again.begin_move("lab", None).expect("noted");
        std::fs::write(&file, "[profiles.hq]\n").expect("removed");
        again.settle();
        std::fs::write(&file, "[profiles.hq]\n[profiles.lab]\n").expect("a new lab");
        assert!(!again.load().contains_key("lab") && again.history("lab").is_empty());
    }
}
