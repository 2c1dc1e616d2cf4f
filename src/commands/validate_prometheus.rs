//! `validate --prometheus` and `--prometheus-file PATH`: the results in Prometheus's text
//! exposition format (version 0.0.4), a sample per profile for each metric, for scraping or for
//! node_exporter's textfile collector. Labels are the profile's name and provider only: never a
//! host, a Client ID or anything secret.

use std::fmt::Write;
use std::time::Duration;

use super::validate_output::{Done, Outcome};
use crate::report::{Fact, Level};

/// The exposition of a run that took `took` and ended at `now` (seconds since the epoch).
pub fn exposition(done: &[Done], took: Duration, now: u64) -> String {
    let mut out = String::new();
    let reports = || done.iter().filter_map(|d| if let Outcome::Report(r) = &d.outcome { Some((d, r)) } else { None });
    let fact = |r: &crate::report::Report, id: &str| -> Option<Fact> {
        r.health.as_ref()?.facts.iter().find(|f| f.id == id).cloned()
    };

    family(&mut out, "pbxlink_up", "Whether the profile's link works (1) or not (0).", |m| {
        for d in done {
            let up = matches!(&d.outcome, Outcome::Report(r) if r.ok());
            m.push((labels(d, &[]), if up { "1".into() } else { "0".into() }));
        }
    });
    family(&mut out, "pbxlink_failure", "The kind of failure of a link that does not work (always 1).", |m| {
        for d in done {
            let kind = match &d.outcome {
                Outcome::Report(r) => r.failure.map(|k| k.as_str()),
                Outcome::Invalid(_) => Some("invalid_profile"),
            };
            if let Some(kind) = kind {
                m.push((labels(d, &[("kind", kind)]), "1".into()));
            }
        }
    });
    family(&mut out, "pbxlink_validation_duration_seconds", "How long the profile's validation took.", |m| {
        for (d, r) in reports() {
            m.push((labels(d, &[]), format!("{:.3}", r.ms as f64 / 1000.0)));
        }
    });
    // Each from one fact: its moment (`at`), its figure (`number`) or the whole it is part of (`of`).
    let from_facts: [(&str, &str, FactValue, &str); 9] = [
        ("pbxlink_licence_expiry_timestamp_seconds", "licence_expires", at, "When the PBX's licence ends (Unix time)."),
        (
            "pbxlink_maintenance_expiry_timestamp_seconds",
            "maintenance_expires",
            at,
            "When the PBX's maintenance ends (Unix time).",
        ),
        (
            "pbxlink_certificate_expiry_timestamp_seconds",
            "certificate_expires",
            at,
            "When the server certificate ends (Unix time).",
        ),
        ("pbxlink_trunks_registered", "trunks", number, "Trunks registered, as the PBX says."),
        ("pbxlink_trunks", "trunks", of, "Trunks configured, as the PBX says."),
        ("pbxlink_extensions_registered", "extensions", number, "Extensions registered, as the PBX says."),
        ("pbxlink_extensions", "extensions", of, "Extensions configured, as the PBX says."),
        (
            "pbxlink_last_backup_timestamp_seconds",
            "last_backup",
            at,
            "When the PBX's last backup was made (Unix time).",
        ),
        ("pbxlink_last_update_timestamp_seconds", "last_update", at, "When the PBX last updated itself (Unix time)."),
    ];
    for (name, id, value, help) in from_facts {
        family(&mut out, name, help, |m| {
            for (d, r) in reports() {
                if let Some(v) = fact(r, id).as_ref().and_then(value) {
                    m.push((labels(d, &[]), v));
                }
            }
        });
    }
    family(&mut out, "pbxlink_health_findings", "Health findings of the profile, by level.", |m| {
        for (d, r) in reports() {
            let Some(h) = &r.health else { continue };
            for (level, word) in [(Level::Warning, "warning"), (Level::Critical, "critical")] {
                let n = h.findings.iter().filter(|f| f.level == level).count();
                m.push((labels(d, &[("level", word)]), n.to_string()));
            }
        }
    });
    family(&mut out, "pbxlink_run_failed", RUN_FAILED_HELP, |m| m.push((String::new(), "0".into())));
    family(&mut out, "pbxlink_run_timestamp_seconds", "When this run of pbxlink validate ended (Unix time).", |m| {
        m.push((String::new(), now.to_string()));
    });
    family(&mut out, "pbxlink_run_duration_seconds", "How long this run of pbxlink validate took.", |m| {
        m.push((String::new(), format!("{:.3}", took.as_secs_f64())));
    });
    out
}

const RUN_FAILED_HELP: &str =
    "Whether this run could validate nothing (1): the profiles file unreadable, a bad flag; see its stderr.";

/// The exposition of a run that could validate nothing, at `now`: monitoring reading the file
/// must not go on seeing the previous run's links as up.
pub fn run_failed(now: u64) -> String {
    let mut out = String::new();
    family(&mut out, "pbxlink_run_failed", RUN_FAILED_HELP, |m| m.push((String::new(), "1".into())));
    family(&mut out, "pbxlink_run_timestamp_seconds", "When this run of pbxlink validate ended (Unix time).", |m| {
        m.push((String::new(), now.to_string()))
    });
    out
}

/// Which value of a fact a metric takes.
type FactValue = fn(&Fact) -> Option<String>;

fn at(f: &Fact) -> Option<String> {
    f.at.map(|v| v.to_string())
}

fn number(f: &Fact) -> Option<String> {
    f.number.map(|v| v.to_string())
}

fn of(f: &Fact) -> Option<String> {
    f.of.map(|v| v.to_string())
}

/// One metric family: its HELP and TYPE (gauge), then its samples; nothing when it has none.
fn family(out: &mut String, name: &str, help: &str, fill: impl FnOnce(&mut Vec<(String, String)>)) {
    let mut samples = Vec::new();
    fill(&mut samples);
    if samples.is_empty() {
        return;
    }
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (labels, value) in samples {
        let _ = writeln!(out, "{name}{labels} {value}");
    }
}

/// `{profile="…",provider="…",extra…}`.
fn labels(d: &Done, extra: &[(&str, &str)]) -> String {
    let all =
        [("profile", d.name.as_str()), ("provider", d.provider.as_str())].into_iter().chain(extra.iter().copied());
    let inner: Vec<String> = all.map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
    format!("{{{}}}", inner.join(","))
}

/// A label value as the format writes it: backslash, double quote and newline escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
