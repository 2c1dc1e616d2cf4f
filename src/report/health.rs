//! Link health: what a system tells of itself (facts), what needs an admin (findings, with a
//! level of their own, never a verdict on the credentials), and the thresholds that draw them.

use serde::Serialize;

use super::utc_date;

/// How serious a health finding is. Never a verdict on the credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Critical,
}

/// One thing a system says about itself, as shown: "Licence expires", "2027-03-01 (89 days
/// left)". A value the system did not send is "unknown", never a guess.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    /// The figure for monitoring (days left, trunks registered), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    /// The moment a date fact names (seconds since the epoch), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
    /// The whole `number` is a part of (trunks registered of `of`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of: Option<i64>,
}

/// Something in the system's health that needs an admin, with its level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The fact it is about.
    pub id: &'static str,
    pub level: Level,
    pub text: String,
}

/// A system's health: its facts, and the findings drawn from them with the run's thresholds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Health {
    pub facts: Vec<Fact>,
    pub findings: Vec<Finding>,
    /// What the findings were judged by (the run's, or the profile's own).
    pub thresholds: Thresholds,
}

impl Health {
    /// The most serious finding's level, if any.
    pub fn level(&self) -> Option<Level> {
        self.findings.iter().map(|f| f.level).max()
    }
}

/// When a health finding is raised: days left (licence, maintenance, certificate) under `warn_days`
/// is a warning, under `crit_days` critical; a last backup older than `backup_days` a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    pub warn_days: i64,
    pub crit_days: i64,
    pub backup_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { warn_days: 30, crit_days: 7, backup_days: 14 }
    }
}

/// The thresholds a profile sets for itself (`warn_days`, `crit_days`, `backup_days` in its
/// table). Each one given wins over the run's: the run sets the policy, a profile its exception.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnThresholds {
    pub warn_days: Option<i64>,
    pub crit_days: Option<i64>,
    pub backup_days: Option<i64>,
}

impl OwnThresholds {
    /// The profile keys, with what each sets.
    pub const KEYS: [&'static str; 3] = ["warn_days", "crit_days", "backup_days"];

    /// The most days a threshold may be (ten years).
    pub const MAX_DAYS: i64 = 3650;

    /// (key, value) of each one given, in [`KEYS`](Self::KEYS) order.
    pub fn given(&self) -> Vec<(&'static str, i64)> {
        let values = [self.warn_days, self.crit_days, self.backup_days];
        Self::KEYS.iter().zip(values).filter_map(|(k, v)| Some((*k, v?))).collect()
    }

    /// Sets `key` (one of [`KEYS`](Self::KEYS)).
    pub fn set(&mut self, key: &str, days: i64) {
        let slot = match key {
            "warn_days" => &mut self.warn_days,
            "crit_days" => &mut self.crit_days,
            "backup_days" => &mut self.backup_days,
            _ => return,
        };
        *slot = Some(days);
    }
}

impl Thresholds {
    /// These thresholds, with those `own` gives in their place. Where the profile's one and the
    /// run's other would put critical before a warning, the profile's wins and the other follows
    /// it (a profile's `warn_days = 5` brings the run's 7 critical days down to 5).
    pub fn with(self, own: &OwnThresholds) -> Thresholds {
        let mut warn_days = own.warn_days.unwrap_or(self.warn_days);
        let mut crit_days = own.crit_days.unwrap_or(self.crit_days);
        if crit_days > warn_days {
            match own.warn_days {
                Some(_) => crit_days = warn_days,
                None => warn_days = crit_days,
            }
        }
        Thresholds { warn_days, crit_days, backup_days: own.backup_days.unwrap_or(self.backup_days) }
    }
}

/// A moment as a system wrote it: when it is (seconds since the epoch) and the date to show, the
/// one the system's own console shows (its local date for a date written with an offset; UTC for
/// a certificate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated {
    pub at: u64,
    pub date: String,
}

impl Dated {
    /// A UTC moment (a certificate's end), shown as its UTC date.
    pub fn utc(at: u64) -> Dated {
        Dated { at, date: utc_date(at) }
    }

    /// An RFC 3339 date-time as a PBX wrote it, shown with the PBX's own date (`2026-06-16T00:00:29
    /// +02:00` is on 16 June for the admin looking at its console, though 15 June in UTC). `None`
    /// when it cannot be read: unknown, never guessed.
    pub fn written(s: &str) -> Option<Dated> {
        let s = s.trim();
        Some(Dated { at: super::parse_datetime(s)?, date: s.get(..10)?.to_string() })
    }
}

/// A date that ends something (a licence, maintenance, a certificate): the fact, with days left,
/// and under the thresholds its finding; ended is always critical. `None` for `at`: unknown.
pub fn expiry(
    id: &'static str,
    label: &'static str,
    dated: Option<Dated>,
    now: u64,
    t: &Thresholds,
    what: &str,
) -> (Fact, Option<Finding>) {
    let Some(Dated { at, date }) = dated else {
        return (Fact { id, label, value: "unknown".into(), number: None, at: None, of: None }, None);
    };
    let left = (at as i64 - now as i64).div_euclid(86_400);
    let value = match left {
        l if l < 0 => format!("{date} (ended {} days ago)", -l),
        1 => format!("{date} (1 day left)"),
        l => format!("{date} ({l} days left)"),
    };
    let level = match left {
        l if l < t.crit_days => Some(Level::Critical),
        l if l < t.warn_days => Some(Level::Warning),
        _ => None,
    };
    let finding = level.map(|level| Finding {
        id,
        level,
        text: if left < 0 { format!("{what} ended on {date}") } else { format!("{what} ends in {left} days ({date})") },
    });
    (Fact { id, label, value, number: Some(left), at: Some(at), of: None }, finding)
}

#[cfg(test)]
mod threshold_tests {
    use super::*;

    #[test]
    fn a_profiles_own_threshold_wins_and_the_other_follows() {
        let run = Thresholds::default();
        let own = |w, c| OwnThresholds { warn_days: w, crit_days: c, backup_days: None };
        assert_eq!(run.with(&own(Some(60), None)), Thresholds { warn_days: 60, crit_days: 7, backup_days: 14 });
        assert_eq!(run.with(&own(Some(5), None)), Thresholds { warn_days: 5, crit_days: 5, backup_days: 14 });
        assert_eq!(run.with(&own(None, Some(40))), Thresholds { warn_days: 40, crit_days: 40, backup_days: 14 });
        assert_eq!(run.with(&own(Some(20), Some(3))), Thresholds { warn_days: 20, crit_days: 3, backup_days: 14 });
    }
}
