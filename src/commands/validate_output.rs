//! How `pbxlink validate` tells its outcomes: a text line per profile (columns sized up front, as
//! lines are printed when each profile finishes), the JSON document, the Nagios line with perfdata,
//! and the exit codes of both contracts.

use serde::Serialize;
use std::time::Duration;

use super::exit;
use crate::profile::store::Entry;
use crate::report::{CheckState, FailureKind, Level, Report};

/// The outcome for one profile: a report, or why it could not be validated at all.
pub enum Outcome {
    Report(Report),
    Invalid(String),
}

pub struct Done {
    pub index: usize,
    pub name: String,
    pub provider: String,
    pub target: String,
    pub outcome: Outcome,
}

pub fn ok(d: &Done) -> bool {
    matches!(&d.outcome, Outcome::Report(r) if r.ok())
}

/// The most serious health finding of any profile.
fn health_level(done: &[Done]) -> Option<Level> {
    done.iter()
        .filter_map(|d| if let Outcome::Report(r) = &d.outcome { r.health.as_ref()?.level() } else { None })
        .max()
}

/// 0 all ok; 3 any credentials/access rejected; 4 any unreachable or without verdict; 2 a broken
/// profile (and nothing worse); with `strict`, 5 when all that is left is a health finding.
pub fn exit_code(done: &[Done], strict: bool) -> u8 {
    let code = link_code(done);
    if code == exit::OK && strict && health_level(done).is_some() { exit::HEALTH } else { code }
}

fn link_code(done: &[Done]) -> u8 {
    let kinds: Vec<FailureKind> =
        done.iter().filter_map(|d| if let Outcome::Report(r) = &d.outcome { r.failure } else { None }).collect();
    if kinds.iter().any(|k| k.is_rejection()) {
        exit::REJECTED
    } else if kinds.iter().any(|k| *k != FailureKind::SecretUnavailable) {
        exit::UNREACHABLE
    } else if !kinds.is_empty() || done.iter().any(|d| matches!(d.outcome, Outcome::Invalid(_))) {
        exit::USAGE
    } else {
        exit::OK
    }
}

pub fn nagios_code(done: &[Done]) -> u8 {
    let kinds: Vec<FailureKind> =
        done.iter().filter_map(|d| if let Outcome::Report(r) = &d.outcome { r.failure } else { None }).collect();
    let mut states: Vec<u8> = kinds.iter().map(|k| k.nagios_state()).collect();
    // Health findings are warnings and criticals of their own, beside the links' states.
    states.extend(health_level(done).map(|l| match l {
        Level::Warning => 1,
        Level::Critical => 2,
    }));
    if states.contains(&2) {
        2
    } else if states.contains(&1) {
        1
    } else if states.contains(&3) || done.iter().any(|d| matches!(d.outcome, Outcome::Invalid(_))) {
        3
    } else {
        0
    }
}

pub fn nagios_line(done: &[Done], took: Duration) -> String {
    let failed: Vec<String> = done
        .iter()
        .filter(|d| !ok(d))
        .map(|d| match &d.outcome {
            Outcome::Report(r) => format!("{} {}", d.name, r.failure.map(FailureKind::as_str).unwrap_or("failed")),
            Outcome::Invalid(_) => format!("{} invalid", d.name),
        })
        .collect();
    let state = ["OK", "WARNING", "CRITICAL", "UNKNOWN"][usize::from(nagios_code(done))];
    let n = done.len();
    let mut summary = if failed.is_empty() {
        format!("{n} profiles ok")
    } else {
        format!("{} of {n} profiles failed: {}", failed.len(), failed.join(", "))
    };
    let findings: Vec<String> = done
        .iter()
        .filter_map(|d| match &d.outcome {
            Outcome::Report(r) => Some((d, r.health.as_ref()?)),
            Outcome::Invalid(_) => None,
        })
        .flat_map(|(d, h)| h.findings.iter().map(move |f| format!("{}: {}", d.name, f.text)))
        .collect();
    if !findings.is_empty() {
        summary.push_str(&format!("; health: {}", findings.join(", ")));
    }
    let mut perf = vec![
        format!("ok={};;;0;{n}", n - failed.len()),
        format!("failed={};;;0;{n}", failed.len()),
        format!("time={:.3}s;;;0", took.as_secs_f64()),
    ];
    for d in done {
        if let Outcome::Report(r) = &d.outcome {
            perf.push(format!("'{}_ms'={}ms;;;0", d.name, r.ms));
            perf.extend(r.health.iter().flat_map(|h| health_perf(&d.name, h)));
        }
    }
    format!("PBXLINK {state} - {summary} | {}", perf.join(" "))
}

/// A profile's health as perfdata: days left (warning and critical below the thresholds it was
/// judged by, in Nagios's `N:` range form) and trunks registered of their total.
fn health_perf(name: &str, h: &crate::report::Health) -> Vec<String> {
    let t = &h.thresholds;
    let fact = |id: &str| h.facts.iter().find(|f| f.id == id);
    let number = |id: &str| fact(id).and_then(|f| f.number);
    let mut out = Vec::new();
    for (id, label) in [
        ("licence_expires", "licence_days"),
        ("maintenance_expires", "maintenance_days"),
        ("certificate_expires", "certificate_days"),
    ] {
        if let Some(days) = number(id) {
            out.push(format!("'{name}_{label}'={days};{}:;{}:", t.warn_days, t.crit_days));
        }
    }
    // Days since the last backup: a warning past the backup threshold (Nagios's `N` is 0..N).
    if let Some(days) = number("last_backup") {
        out.push(format!("'{name}_backup_age_days'={days};{};;0", t.backup_days));
    }
    if let Some((reg, total)) = fact("trunks").and_then(|f| Some((f.number?, f.of?))) {
        out.push(format!("'{name}_trunks'={reg};{total}:;;0;{total}"));
    }
    out
}

/// Name, provider and target of an entry: the first columns of its line.
pub fn head_cells(e: &Entry) -> Vec<String> {
    match e {
        Entry::Ok(p) => vec![p.name.clone(), p.provider_name().to_string(), p.target()],
        Entry::Invalid { name, .. } => vec![name.clone(), "?".into(), String::new()],
    }
}

/// A profile's lines: its verdict, then its findings; with `facts`, every health fact too.
pub fn text_lines(d: &Done, widths: &[usize], facts: bool) -> String {
    let cells = [d.name.as_str(), d.provider.as_str(), d.target.as_str(), ""];
    let head = crate::table::line(&cells, widths, 1);
    match &d.outcome {
        Outcome::Invalid(why) => format!("FAIL  {head}invalid profile: {why}\n"),
        Outcome::Report(r) if r.ok() => {
            let about = r
                .checks
                .iter()
                .rev()
                .find(|c| matches!(c.id, "access" | "products"))
                .map(|c| c.detail.clone())
                .unwrap_or_default();
            let facts = if facts { health_facts(r) } else { String::new() };
            format!("ok    {head}{} ms  {about}\n{}{facts}", r.ms, findings(r))
        }
        Outcome::Report(r) => {
            let (check, detail) = r
                .checks
                .iter()
                .find(|c| matches!(c.state, CheckState::Failed(_)))
                .map(|c| (c.id, c.detail.clone()))
                .unwrap_or(("", String::new()));
            let kind = r.failure.map(FailureKind::as_str).unwrap_or("failed");
            let mut s = format!("FAIL  {head}{kind} at {check}: {detail}\n");
            if let Some(h) = &r.hint {
                s.push_str(&format!("      fix: {h}\n"));
            }
            s.push_str(&findings(r));
            s
        }
    }
}

/// Every health fact under a profile's line: "      Licence expires: 2027-03-01 (89 days left)".
fn health_facts(r: &crate::report::Report) -> String {
    let facts = r.health.iter().flat_map(|h| &h.facts);
    facts.map(|f| format!("      {}: {}\n", f.label, f.value)).collect()
}

/// The health findings under a profile's line, most serious first: "      critical: ...".
fn findings(r: &crate::report::Report) -> String {
    let mut found: Vec<&crate::report::Finding> = r.health.iter().flat_map(|h| &h.findings).collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.level));
    found
        .iter()
        .map(|f| {
            let level = match f.level {
                crate::report::Level::Critical => "critical",
                crate::report::Level::Warning => "warning",
            };
            format!("      {level}: {}\n", f.text)
        })
        .collect()
}

#[derive(Serialize)]
pub struct JsonDoc {
    schema: u32,
    profiles: Vec<JsonProfile>,
}

#[derive(Serialize)]
struct JsonProfile {
    name: String,
    provider: String,
    target: String,
    ok: bool,
    failure: Option<FailureKind>,
    hint: Option<String>,
    /// Set when the profile could not be validated at all (a broken table).
    error: Option<String>,
    ms: u64,
    checks: Vec<JsonCheck>,
    /// What the system says about its health (3CX's SystemStatus), with its findings; null
    /// where the vendor tells none or it could not be read.
    health: Option<crate::report::Health>,
}

#[derive(Serialize)]
struct JsonCheck {
    name: &'static str,
    ok: bool,
    /// passed, failed, n/a or skipped.
    state: &'static str,
    ms: u64,
    detail: String,
}

pub fn json_doc(done: &[Done]) -> JsonDoc {
    let profiles = done
        .iter()
        .map(|d| match &d.outcome {
            Outcome::Report(r) => JsonProfile {
                name: d.name.clone(),
                provider: d.provider.clone(),
                target: d.target.clone(),
                ok: r.ok(),
                failure: r.failure,
                hint: r.hint.clone(),
                error: None,
                ms: r.ms,
                health: r.health.clone(),
                checks: r
                    .checks
                    .iter()
                    .map(|c| {
                        let state = match c.state {
                            CheckState::Passed => "passed",
                            CheckState::NotAvailable => "n/a",
                            CheckState::Failed(_) => "failed",
                            _ => "skipped",
                        };
                        JsonCheck {
                            name: c.id,
                            ok: matches!(c.state, CheckState::Passed | CheckState::NotAvailable),
                            state,
                            ms: c.ms,
                            detail: c.detail.clone(),
                        }
                    })
                    .collect(),
            },
            Outcome::Invalid(why) => JsonProfile {
                name: d.name.clone(),
                provider: d.provider.clone(),
                target: d.target.clone(),
                ok: false,
                failure: None,
                hint: None,
                error: Some(why.clone()),
                ms: 0,
                checks: vec![],
                health: None,
            },
        })
        .collect();
    JsonDoc { schema: 1, profiles }
}
