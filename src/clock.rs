//! The clock and its human forms: now in seconds since the epoch, and "5m ago", "3 Dec 09:12" for
//! lists and results (UTC, as the results are kept).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the epoch (0 on a clock set before it).
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

/// "3 Dec 09:12" (UTC), with the year when it is not `now`'s: when a verdict began.
pub fn when(secs: u64, now: u64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let date = crate::report::utc_date(secs);
    let (year, month, day) =
        (&date[..4], date[5..7].parse::<usize>().unwrap_or(1), date[8..10].trim_start_matches('0'));
    let clock = format!("{:02}:{:02}", secs % 86_400 / 3600, secs % 3600 / 60);
    let month = MONTHS[(month - 1).min(11)];
    match crate::report::utc_date(now).starts_with(year) {
        true => format!("{day} {month} {clock}"),
        false => format!("{day} {month} {year} {clock}"),
    }
}

/// [`when`] for narrow lists: "09:12" within a day, else the day ("3 Dec", "3 Dec 2025").
pub fn when_short(secs: u64, now: u64) -> String {
    let full = when(secs, now);
    match now.saturating_sub(secs) < 86_400 {
        true => format!("{} UTC", full.rsplit(' ').next().unwrap_or_default()),
        false => full.rsplit_once(' ').map_or(full.clone(), |(day, _)| day.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_forms() {
        assert_eq!(ago(0, 7200), "2h ago");
        assert_eq!(ago(0, 30), "just now");
        let dec3 = crate::report::parse_datetime("2026-12-03T09:12:00Z").expect("date");
        assert_eq!(when(dec3, dec3 + 3600), "3 Dec 09:12");
        assert_eq!(when(dec3, dec3 + 40 * 86_400), "3 Dec 2026 09:12");
        assert_eq!(when_short(dec3, dec3 + 3600), "09:12 UTC");
        assert_eq!(when_short(dec3, dec3 + 3 * 86_400), "3 Dec");
    }
}
