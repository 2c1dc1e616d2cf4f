//! The last validation result of each profile, kept in the state directory (never in
//! `profiles.toml`, which `validate` must not write). Shown on the TUI home screen and by `list`.
//! Holds no secrets: outcome, failure kind, a one-line detail and the time.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::atomic::{lock_beside, write_atomic};
use crate::report::{FailureKind, Report};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastResult {
    pub ok: bool,
    /// The failure kind's contract name, if it failed.
    pub failure: Option<String>,
    /// Seconds since the Unix epoch.
    pub checked_at: u64,
    pub detail: String,
}

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
        LastResult { ok: r.ok(), failure: r.failure.map(|k| k.as_str().to_string()), checked_at: now, detail }
    }

    pub fn failure_kind(&self) -> Option<FailureKind> {
        self.failure.as_deref().and_then(FailureKind::parse)
    }
}

pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// "just now", "5m ago", "3h ago", "2d ago": short, for narrow lists.
pub fn ago(then: u64, now: u64) -> String {
    let s = now.saturating_sub(then);
    match s {
        0..=59 => "just now".into(),
        60..=3599 => format!("{}m ago", s / 60),
        3600..=86_399 => format!("{}h ago", s / 3600),
        _ => format!("{}d ago", s / 86_400),
    }
}

#[derive(Debug, Clone)]
pub struct Results {
    path: PathBuf,
}

impl Results {
    pub fn in_dir(state_dir: &Path) -> Self {
        Results { path: state_dir.join("last-results.json") }
    }

    /// All known results; a missing or unreadable file is simply "no results yet" (it is a cache).
    pub fn load(&self) -> BTreeMap<String, LastResult> {
        std::fs::read(&self.path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    pub fn record(&self, updates: &[(String, LastResult)]) -> Result<()> {
        // Locked, so the TUI and a cron run recording at once do not drop each other's results.
        let _lock = lock_beside(&self.path)?;
        let mut all = self.load();
        for (name, r) in updates {
            all.insert(name.clone(), r.clone());
        }
        self.write(&all)
    }

    pub fn forget(&self, name: &str) -> Result<()> {
        let _lock = lock_beside(&self.path)?;
        let mut all = self.load();
        if all.remove(name).is_some() {
            self.write(&all)?;
        }
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
        let lr =
            LastResult { ok: false, failure: Some("unauthorized".into()), checked_at: 10, detail: "HTTP 401".into() };
        r.record(&[("office".into(), lr.clone())]).expect("record");
        assert_eq!(r.load().get("office"), Some(&lr));
        assert_eq!(lr.failure_kind(), Some(FailureKind::Unauthorized));
        r.forget("office").expect("forget");
        assert!(r.load().is_empty());
        assert_eq!(ago(0, 7200), "2h ago");
    }
}
