//! What a 3CX system says about its own health in `SystemStatus` (the same read that gives its
//! version: no extra request), as facts and the findings the run's thresholds draw from them.
//! Pure: the answer's body and the time in, a `Health` out. Field names and types are the
//! OpenAPI spec's (`Pbx.SystemStatus`); a field the PBX does not send is "unknown", never a
//! guess. `LicenseKey` is never read.

use serde_json::Value;

use crate::report::{Dated, Fact, Finding, Health, Level, Thresholds, expiry};

/// The `SystemStatus` properties read (the details check's `$select`): never `LicenseKey`.
pub const SELECT: &str = "FQDN,Version,ProductCode,LicenseActive,ExtensionsTotal,ExtensionsRegistered,MaxSimCalls,ExpirationDate,MaintenanceExpiresAt,TrunksTotal,TrunksRegistered,LastBackupDateTime,BackupScheduled,HasNotRunningServices,FreeDiskSpace,TotalDiskSpace,DiskUsage,RecordingQuotaReached,VoicemailQuotaReached,LastSuccessfulUpdate";

const UNKNOWN: &str = "unknown";
const DAY: i64 = 86_400;

/// The health in a `SystemStatus` body read at `now` (seconds since the epoch); `None` when the
/// body is not a JSON object.
pub fn health(body: &[u8], now: u64, t: &Thresholds) -> Option<Health> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let o = v.as_object()?;
    let text = |k: &str| o.get(k).and_then(Value::as_str).map(|s| crate::text::one_line(s, 40));
    let flag = |k: &str| o.get(k).and_then(Value::as_bool);
    let count = |k: &str| o.get(k).and_then(Value::as_i64);
    let date = |k: &str| o.get(k).and_then(Value::as_str).and_then(Dated::written);
    let mut h = Health { thresholds: *t, ..Health::default() };
    let fact = |id, label, value: String| Fact { id, label, value, number: None, at: None, of: None };

    let licence = match (text("ProductCode"), flag("LicenseActive")) {
        (code, Some(active)) => {
            let state = if active { "active" } else { "not active" };
            code.map_or(state.to_string(), |c| format!("{c}, {state}"))
        }
        (Some(code), None) => format!("{code}, active: {UNKNOWN}"),
        (None, None) => UNKNOWN.to_string(),
    };
    h.facts.push(fact("licence", "Licence", licence));
    if flag("LicenseActive") == Some(false) {
        h.findings.push(Finding { id: "licence", level: Level::Critical, text: "the licence is not active".into() });
    }
    for (id, label, key, what) in [
        ("licence_expires", "Licence expires", "ExpirationDate", "the licence"),
        ("maintenance_expires", "Maintenance expires", "MaintenanceExpiresAt", "maintenance"),
    ] {
        let (f, finding) = expiry(id, label, date(key), now, t, what);
        h.facts.push(f);
        h.findings.extend(finding);
    }

    let (reg, total) = (count("TrunksRegistered"), count("TrunksTotal"));
    let mut trunks = fact("trunks", "Trunks registered", ratio(reg, total));
    (trunks.number, trunks.of) = (reg, total);
    h.facts.push(trunks);
    if let (Some(r), Some(n)) = (reg, total)
        && r < n
    {
        let down = n - r;
        let text = format!("{down} of {n} trunk{} not registered", if n == 1 { "" } else { "s" });
        h.findings.push(Finding { id: "trunks", level: Level::Warning, text });
    }
    let (reg, total) = (count("ExtensionsRegistered"), count("ExtensionsTotal"));
    let mut extensions = fact("extensions", "Extensions registered", ratio(reg, total));
    (extensions.number, extensions.of) = (reg, total);
    h.facts.push(extensions);

    let backup = date("LastBackupDateTime");
    let mut last = fact("last_backup", "Last backup", backup.as_ref().map_or(UNKNOWN.into(), |d| ago(d, now)));
    last.at = backup.as_ref().map(|d| d.at);
    last.number = backup.as_ref().map(|d| (now as i64 - d.at as i64).div_euclid(DAY));
    h.facts.push(last);
    if let Some(days) = backup.as_ref().map(|d| (now as i64 - d.at as i64).div_euclid(DAY))
        && days > t.backup_days
    {
        let unit = if days == 1 { "day" } else { "days" };
        let text = format!("the last backup is {days} {unit} old (more than {})", t.backup_days);
        h.findings.push(Finding { id: "last_backup", level: Level::Warning, text });
    }
    h.facts.push(fact("backup_scheduled", "Backup scheduled", yes_no(flag("BackupScheduled"))));
    if flag("BackupScheduled") == Some(false) {
        let text = "no backup is scheduled".to_string();
        h.findings.push(Finding { id: "backup_scheduled", level: Level::Warning, text });
    }

    let stopped = flag("HasNotRunningServices");
    let services = match stopped {
        Some(true) => "some are not running".to_string(),
        Some(false) => "all running".to_string(),
        None => UNKNOWN.to_string(),
    };
    h.facts.push(fact("services", "Services", services));
    if stopped == Some(true) {
        let text = "some 3CX services are not running".to_string();
        h.findings.push(Finding { id: "services", level: Level::Warning, text });
    }

    // 3CX documents no unit for its disk figures, and a real 20.0.8 sent FreeDiskSpace 253909528,
    // TotalDiskSpace 40947412992 and DiskUsage 27 in one answer, which no one unit reconciles:
    // they are shown as sent, nothing is derived from them, and no finding is raised.
    let sent: Vec<String> = ["FreeDiskSpace", "TotalDiskSpace", "DiskUsage"]
        .into_iter()
        .filter_map(|k| count(k).map(|n| format!("{k} {n}")))
        .collect();
    let disk = if sent.is_empty() {
        UNKNOWN.to_string()
    } else {
        format!("{} (as sent; 3CX documents no unit)", sent.join(", "))
    };
    h.facts.push(fact("disk", "Disk", disk));
    for (id, label, key, what) in [
        ("recording_quota", "Recording quota reached", "RecordingQuotaReached", "the recording quota is reached"),
        ("voicemail_quota", "Voicemail quota reached", "VoicemailQuotaReached", "the voicemail quota is reached"),
    ] {
        h.facts.push(fact(id, label, yes_no(flag(key))));
        if flag(key) == Some(true) {
            h.findings.push(Finding { id, level: Level::Warning, text: what.into() });
        }
    }

    h.facts.push(fact("version", "Version", text("Version").unwrap_or_else(|| UNKNOWN.into())));
    let updated = date("LastSuccessfulUpdate");
    let mut update = fact("last_update", "Last update", updated.as_ref().map_or(UNKNOWN.into(), |d| ago(d, now)));
    update.at = updated.as_ref().map(|d| d.at);
    h.facts.push(update);
    Some(h)
}

fn ratio(part: Option<i64>, total: Option<i64>) -> String {
    match (part, total) {
        (Some(p), Some(t)) => format!("{p} of {t}"),
        (Some(p), None) => format!("{p} of {UNKNOWN}"),
        _ => UNKNOWN.into(),
    }
}

fn yes_no(b: Option<bool>) -> String {
    match b {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => UNKNOWN.into(),
    }
}

/// A date as the PBX wrote it and its age in whole days ("2026-11-20, 12 days ago").
fn ago(d: &Dated, now: u64) -> String {
    match (now as i64 - d.at as i64).div_euclid(DAY) {
        n if n <= 0 => format!("{}, today", d.date),
        1 => format!("{}, 1 day ago", d.date),
        n => format!("{}, {n} days ago", d.date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-02T00:00:00Z.
    const NOW: u64 = 1_796_169_600;

    fn of(body: &str) -> Health {
        health(body.as_bytes(), NOW, &Thresholds::default()).expect("an object")
    }

    fn value<'a>(h: &'a Health, id: &str) -> &'a str {
        &h.facts.iter().find(|f| f.id == id).expect(id).value
    }

    #[test]
    fn a_healthy_system_has_facts_and_no_finding() {
        let h = of(r#"{"ProductCode":"3CXPSENT","LicenseActive":true,"ExpirationDate":"2027-12-02T00:00:00Z",
            "MaintenanceExpiresAt":"2027-06-02T00:00:00Z","TrunksTotal":2,"TrunksRegistered":2,"ExtensionsTotal":40,
            "ExtensionsRegistered":12,"LastBackupDateTime":"2026-12-01T03:00:00Z","BackupScheduled":true,
            "HasNotRunningServices":false,"FreeDiskSpace":40000000000,"TotalDiskSpace":80000000000,
            "RecordingQuotaReached":false,"VoicemailQuotaReached":false,"Version":"20.0.9.995",
            "LastSuccessfulUpdate":"2026-11-20T00:00:00Z","LicenseKey":"SIMU-LATED-LICE-NSE0"}"#);
        assert_eq!(h.findings, vec![], "{h:#?}");
        assert_eq!(value(&h, "licence"), "3CXPSENT, active");
        assert_eq!(value(&h, "licence_expires"), "2027-12-02 (365 days left)");
        assert_eq!(value(&h, "trunks"), "2 of 2");
        assert_eq!(value(&h, "last_backup"), "2026-12-01, today");
        assert_eq!(
            value(&h, "disk"),
            "FreeDiskSpace 40000000000, TotalDiskSpace 80000000000 (as sent; 3CX documents no unit)"
        );
        assert_eq!(value(&h, "last_update"), "2026-11-20, 12 days ago");
        assert!(!format!("{h:?}").contains("SIMU-LATED"), "the licence key is never read");
    }

    #[test]
    fn thresholds_make_warnings_and_criticals() {
        let h = of(
            r#"{"LicenseActive":true,"ExpirationDate":"2026-12-20T00:00:00Z","MaintenanceExpiresAt":"2026-12-05T00:00:00Z",
            "TrunksTotal":3,"TrunksRegistered":1,"LastBackupDateTime":"2026-11-01T00:00:00Z","HasNotRunningServices":true}"#,
        );
        let got: Vec<(&str, Level)> = h.findings.iter().map(|f| (f.id, f.level)).collect();
        assert_eq!(
            got,
            vec![
                ("licence_expires", Level::Warning),
                ("maintenance_expires", Level::Critical),
                ("trunks", Level::Warning),
                ("last_backup", Level::Warning),
                ("services", Level::Warning),
            ]
        );
        assert_eq!(h.level(), Some(Level::Critical));
        assert!(h.findings[2].text.starts_with("2 of 3 trunks not registered"), "{:?}", h.findings[2]);
        let strict = Thresholds { warn_days: 10, crit_days: 2, backup_days: 40 };
        let h = health(
            br#"{"ExpirationDate":"2026-12-20T00:00:00Z","LastBackupDateTime":"2026-11-01T00:00:00Z"}"#,
            NOW,
            &strict,
        );
        assert_eq!(h.expect("object").findings, vec![], "per-run thresholds apply");
    }

    /// A real 3CX 20.0.8.1131's answer (captured in centreon-plugins' tests): its disk figures
    /// are shown as sent, never as a share, and raise nothing; its dates keep the PBX's own
    /// offset (the backup is on 16 June for the admin, though 15 June in UTC).
    #[test]
    fn a_real_3cx_answer_is_shown_as_it_was_sent() {
        let h = of(r#"{"FreeDiskSpace":253909528,"TotalDiskSpace":40947412992,"DiskUsage":27,
            "LastBackupDateTime":"2026-06-16T00:00:29.4924927+02:00","BackupScheduled":true,
            "ExpirationDate":"2027-01-01T00:30:00+02:00"}"#);
        assert_eq!(
            value(&h, "disk"),
            "FreeDiskSpace 253909528, TotalDiskSpace 40947412992, DiskUsage 27 (as sent; 3CX documents no unit)"
        );
        assert!(h.findings.iter().all(|f| f.id != "disk"), "{:?}", h.findings);
        assert!(value(&h, "last_backup").starts_with("2026-06-16, "), "{}", value(&h, "last_backup"));
        assert!(value(&h, "licence_expires").starts_with("2027-01-01 ("), "{}", value(&h, "licence_expires"));
        assert_eq!(of(r#"{"DiskUsage":27}"#).facts.iter().find(|f| f.id == "disk").map(|f| f.number), Some(None));
    }

    #[test]
    fn what_is_not_sent_is_unknown_and_an_ended_licence_is_critical() {
        let h = of(r#"{"ExpirationDate":"2026-11-30T00:00:00Z","LicenseActive":false}"#);
        assert_eq!(value(&h, "licence_expires"), "2026-11-30 (ended 2 days ago)");
        assert_eq!(value(&h, "trunks"), "unknown");
        assert_eq!(value(&h, "last_backup"), "unknown");
        assert_eq!(value(&h, "services"), "unknown");
        assert_eq!(value(&h, "version"), "unknown");
        assert!(h.findings.iter().any(|f| f.id == "licence" && f.level == Level::Critical));
        assert!(h.findings.iter().any(|f| f.text == "the licence ended on 2026-11-30"));
        assert_eq!(health(b"[]", NOW, &Thresholds::default()), None);
        assert_eq!(of(r#"{"ExpirationDate":"soon"}"#).facts[1].value, "unknown", "an unreadable date is unknown");
    }
}
