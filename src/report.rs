//! What a validation reports: checks, their outcomes and the failure kinds of the contract.
//!
//! Pure data shared by the engine (`validate`), the wizard, the UI and the CLI. Nothing here holds a
//! secret, so everything may be printed, logged or serialised.

use serde::Serialize;

mod health;
pub use health::{Dated, Fact, Finding, Health, Level, OwnThresholds, Thresholds, expiry};

/// Why a validation failed. The names (as serialised) are part of the CLI/JSON contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    Dns,
    Connect,
    Tls,
    Timeout,
    Unauthorized,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    BadResponse,
    /// 3CX accepted the key and issued a token, then refused that token: another holder of the
    /// same Client ID took a new one (3CX keeps one active token per Client ID). No verdict on the
    /// key.
    TokenEnded,
    /// 3CX accepted the key, then refused at once every token it issued for it, a second one too,
    /// taken while no other pbxlink held the Client ID: no competing holder is proven, and what
    /// refuses (the integration's API access, its role, Console Restrictions, a program taking
    /// tokens many times a second) is not said by 3CX. No verdict on the key.
    TokenRefused,
    /// Another pbxlink held this 3CX Client ID's token for the whole wait: no token was asked
    /// for, so no verdict.
    TokenBusy,
    /// The profile's secret reference could not be read (an unset variable, a failed command):
    /// nothing was asked of the server. A configuration problem, not a verdict on the link.
    SecretUnavailable,
}

impl FailureKind {
    /// Every kind, for tables and tests.
    pub const ALL: [FailureKind; 14] = [
        Self::Dns,
        Self::Connect,
        Self::Tls,
        Self::Timeout,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::RateLimited,
        Self::ServerError,
        Self::BadResponse,
        Self::TokenEnded,
        Self::TokenRefused,
        Self::TokenBusy,
        Self::SecretUnavailable,
    ];

    /// The contract name (`unauthorized`, `not_found`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dns => "dns",
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Timeout => "timeout",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::RateLimited => "rate_limited",
            Self::ServerError => "server_error",
            Self::BadResponse => "bad_response",
            Self::TokenEnded => "token_ended",
            Self::TokenRefused => "token_refused",
            Self::TokenBusy => "token_busy",
            Self::SecretUnavailable => "secret_unavailable",
        }
    }

    /// True when the server answered and said no: the credentials or their rights are the problem,
    /// not the network. Scripts use this to tell "fix the key" from "fix the network". A 404
    /// (`not_found`) is not one: no vendor documents it as an answer about credentials, and a web
    /// server that is not the vendor's API (a wrong port, base URL or path) answers so. It says the
    /// address is wrong.
    pub fn is_rejection(self) -> bool {
        matches!(self, Self::Unauthorized | Self::Forbidden)
    }

    /// A passing trouble of the server or of another program, not of this link: monitoring says
    /// WARNING for these alone, never CRITICAL.
    pub fn is_transient(self) -> bool {
        matches!(self, Self::RateLimited | Self::ServerError | Self::TokenEnded | Self::TokenBusy)
    }

    /// The Nagios state this kind alone calls for: 1 WARNING for a passing trouble, 2 CRITICAL
    /// for everything else.
    pub fn nagios_state(self) -> u8 {
        match self {
            // pbxlink could not try: UNKNOWN, as for a configuration it cannot read.
            Self::SecretUnavailable => 3,
            k if k.is_transient() => 1,
            _ => 2,
        }
    }

    /// Parses a contract name back (used by the last-results store).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a value is not accepted (a profile name, an address, a field, a table of profiles.toml),
/// with what to do: shown to the user as it is. The type says it is a refusal of the input, not a
/// failure of pbxlink: the commands turn it into a usage error (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

impl From<String> for Refusal {
    fn from(s: String) -> Self {
        Refusal(s)
    }
}

/// A refusal reads as its message (`contains`, `starts_with`, …).
impl std::ops::Deref for Refusal {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Refusal {
    fn from(s: &str) -> Self {
        Refusal(s.to_string())
    }
}

/// `YYYY-MM-DD` (UTC) of a Unix time: certificate dates in check details, and the simulator's
/// `LastUsed` (Howard Hinnant's civil-from-days algorithm, so no date crate is needed).
pub fn utc_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Where one check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckState {
    /// Not started yet (shown dimmed so the user sees what is coming).
    Pending,
    /// In flight (shown with a spinner).
    Running,
    Passed,
    /// Optional information the credentials may not read: not a failure.
    NotAvailable,
    Failed(FailureKind),
    /// Not run because an earlier check failed.
    Skipped,
}

impl CheckState {
    pub fn is_done(&self) -> bool {
        !matches!(self, Self::Pending | Self::Running)
    }
}

/// One line of a validation: a name, an outcome, how long it took, and a one-line detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Stable machine name (`dns`, `connect`, `token`, `access`, `details`).
    pub id: &'static str,
    /// Human title shown in the TUI.
    pub title: String,
    pub state: CheckState,
    pub ms: u64,
    pub detail: String,
}

impl Check {
    pub fn pending(id: &'static str, title: impl Into<String>) -> Self {
        Check { id, title: title.into(), state: CheckState::Pending, ms: 0, detail: String::new() }
    }

    /// One plain-text line for a check that has ended (`ok   Get a token ...   12 ms  detail`), as
    /// the scripted `add` and plain mode print them; `None` while it runs or when it was skipped.
    pub fn line(&self) -> Option<String> {
        let mark = match self.state {
            CheckState::Passed => "ok  ",
            CheckState::NotAvailable => "n/a ",
            CheckState::Failed(_) => "FAIL",
            _ => return None,
        };
        Some(format!("{mark} {:<44} {:>5} ms  {}", self.title, self.ms, self.detail))
    }
}

/// The end of a validation: every check plus the first failure and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub checks: Vec<Check>,
    pub failure: Option<FailureKind>,
    /// The actionable fix for `failure`, in the vendor's words (from the guide assets).
    pub hint: Option<String>,
    /// Wall time of the whole validation.
    pub ms: u64,
    /// What the system said about its own health, when the vendor tells it (3CX's SystemStatus).
    /// Separate from the verdict: a working link with a licence about to end is still `ok`.
    pub health: Option<Health>,
}

/// Seconds since the epoch of an RFC 3339 / ISO 8601 date-time as OData writes it
/// (`2026-12-31T23:59:59Z`, fractions and `±hh:mm` offsets allowed, or a bare date). `None` for
/// anything else: a date that cannot be read is unknown, never guessed.
pub fn parse_datetime(s: &str) -> Option<u64> {
    let s = s.trim();
    let num =
        |t: &str| -> Option<i64> { (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok())? };
    let (date, time) = s.split_once(['T', ' ']).unwrap_or((s, "00:00:00Z"));
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) || date.len() != 10 {
        return None;
    }
    // The offset: Z, +hh:mm or -hh:mm; none means UTC.
    let (clock, offset) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(i) = time.rfind(['+', '-']) {
        let (c, o) = time.split_at(i);
        let (sign, o) = (if o.starts_with('-') { -1 } else { 1 }, &o[1..]);
        let (oh, om) = o.split_once(':').unwrap_or((o.get(..2)?, o.get(2..)?));
        (c, sign * (num(oh)? * 3600 + num(om)? * 60))
    } else {
        (time, 0)
    };
    let clock = clock.split('.').next()?;
    let mut t = clock.split(':');
    let (hh, mm, ss) = (num(t.next()?)?, num(t.next()?)?, num(t.next().unwrap_or("0"))?);
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), the inverse of `utc_date`.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss - offset).ok()
}

impl Report {
    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_as_odata_writes_them() {
        assert_eq!(parse_datetime("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_datetime("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(parse_datetime("2025-06-02T08:15:00Z"), Some(1_748_852_100));
        assert_eq!(parse_datetime("2025-06-02T10:15:00.1234567+02:00"), Some(1_748_852_100));
        assert_eq!(parse_datetime("2025-06-02T03:15:00-05:00"), Some(1_748_852_100));
        assert_eq!(parse_datetime("2020-12-31"), Some(1_609_372_800));
        for bad in ["", "soon", "2025-13-01T00:00:00Z", "2025-06-02T25:00:00Z", "25-06-02", "2025-06-02Tnoon"] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        for secs in [0, 951_782_400, 1_609_459_199, 4_102_444_800] {
            assert_eq!(parse_datetime(&utc_date(secs)), Some(secs - secs % 86_400));
        }
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_609_459_199), "2020-12-31");
        assert_eq!(utc_date(4_102_444_800), "2100-01-01");
    }
}
