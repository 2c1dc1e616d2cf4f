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

/// The most the first line's lists take: Nagios shows that line in its tables and notifications.
const FIRST_LINE_LISTS: usize = 2048;

/// A profile's most serious health finding, if it has one.
fn worst_finding(d: &Done) -> Option<&crate::report::Finding> {
    let Outcome::Report(r) = &d.outcome else { return None };
    r.health.as_ref()?.findings.iter().max_by_key(|f| f.level)
}

/// The failure of a profile in a few words: `unauthorized`, `invalid`.
fn failure_word(d: &Done) -> &'static str {
    match &d.outcome {
        Outcome::Report(r) => r.failure.map(FailureKind::as_str).unwrap_or("failed"),
        Outcome::Invalid(_) => "invalid",
    }
}

/// `items` joined with ", " up to `budget` bytes, then how many were left out.
fn bounded_list(items: &[String], budget: usize) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let more = format!(", … {} more", items.len() - i);
        if out.len() + sep.len() + item.len() + more.len() > budget && i > 0 {
            return out + &more;
        }
        out.push_str(sep);
        out.push_str(item);
    }
    out
}

/// The Nagios plugin output, as the plugin guidelines lay it out, within `max_bytes` (0: no
/// bound): a first line with the state, the counts and the failing profiles named first, and
/// the aggregate perfdata; then one line per profile (failing, then with health findings, then
/// ok) as long output; then each profile's own perfdata when all of it fits. Whatever is cut is
/// cut from the end, with a line saying how much.
pub fn nagios_output(done: &[Done], took: Duration, max_bytes: usize) -> String {
    let max = if max_bytes == 0 { usize::MAX } else { max_bytes };
    let n = done.len();
    let failing: Vec<&Done> = done.iter().filter(|d| !ok(d)).collect();
    let warned: Vec<&Done> = done.iter().filter(|d| ok(d) && worst_finding(d).is_some()).collect();
    let state = ["OK", "WARNING", "CRITICAL", "UNKNOWN"][usize::from(nagios_code(done))];

    let mut summary = if failing.is_empty() {
        format!("{n} profiles ok")
    } else {
        let named: Vec<String> = failing.iter().map(|d| format!("{} {}", d.name, failure_word(d))).collect();
        format!("{} of {n} profiles failed: {}", failing.len(), bounded_list(&named, FIRST_LINE_LISTS))
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
        let budget = (FIRST_LINE_LISTS * 3 / 2).saturating_sub(summary.len()).max(200);
        summary.push_str(&format!("; health: {}", bounded_list(&findings, budget)));
    }
    let aggregate = [
        format!("ok={};;;0;{n}", n - failing.len()),
        format!("failed={};;;0;{n}", failing.len()),
        format!("warning={};;;0;{n}", warned.len()),
        format!("time={:.3}s;;;0", took.as_secs_f64()),
    ];
    let first = format!("PBXLINK {state} - {summary} | {}", aggregate.join(" "));

    // Long output: the profiles that need an admin first, then the rest.
    let line = |d: &Done| -> String {
        match &d.outcome {
            Outcome::Invalid(why) => {
                format!("FAIL {}: invalid profile: {}", d.name, crate::text::one_line(why, 160))
            }
            Outcome::Report(r) if !r.ok() => {
                let at = r.checks.iter().find(|c| matches!(c.state, CheckState::Failed(_)));
                let (check, detail) = at.map(|c| (c.id, crate::text::one_line(&c.detail, 160))).unwrap_or_default();
                format!("FAIL {}: {} at {check}: {detail}", d.name, failure_word(d))
            }
            Outcome::Report(r) => match worst_finding(d) {
                Some(f) => format!("WARN {}: {} ({} ms)", d.name, f.text, r.ms),
                None => format!("ok   {} ({} ms)", d.name, r.ms),
            },
        }
    };
    let mut ordered: Vec<&Done> = failing.clone();
    ordered.extend(&warned);
    ordered.extend(done.iter().filter(|d| ok(d) && worst_finding(d).is_none()));
    let long: Vec<String> = ordered.iter().map(|d| line(d)).collect();
    let perf: Vec<String> = done
        .iter()
        .filter_map(|d| match &d.outcome {
            Outcome::Report(r) => Some((d, r)),
            Outcome::Invalid(_) => None,
        })
        .flat_map(|(d, r)| {
            let mut v = vec![format!("'{}_ms'={}ms;;;0", d.name, r.ms)];
            v.extend(r.health.iter().flat_map(|h| health_perf(&d.name, h)));
            v
        })
        .collect();
    // The per-profile perfdata, ten to a line after the long output's last line.
    let perf_text: String = perf.chunks(10).map(|c| c.join(" ")).collect::<Vec<_>>().join("\n");

    // Room for the note on what was left out, when something is.
    const NOTE: usize = 160;
    let mut out = first;
    let room = |out: &String| max.saturating_sub(out.len());
    let needed = |lines: &[String]| lines.iter().map(|l| l.len() + 1).sum::<usize>();
    let with_perf = !perf.is_empty() && needed(&long) + 3 + perf_text.len() < room(&out);
    let perf_note =
        format!("(per-profile perfdata left out to keep within {max} bytes; --nagios-max-bytes 0 keeps it)");
    let mut shown = 0;
    for l in &long {
        let perf_room = match (with_perf, perf.is_empty()) {
            (true, _) => 3 + perf_text.len() + 1,
            (false, false) => perf_note.len() + 1,
            (false, true) => 0,
        };
        let left = long.len() - shown - 1;
        let note_room = if left > 0 { NOTE } else { 0 };
        if l.len() + 1 + perf_room + note_room > room(&out) {
            break;
        }
        out.push('\n');
        out.push_str(l);
        shown += 1;
    }
    if shown < long.len() {
        let unlisted = &ordered[shown..];
        let failing_left = unlisted.iter().filter(|d| !ok(d)).count();
        let also = if failing_left > 0 { format!(" ({failing_left} of them failing)") } else { String::new() };
        out.push_str(&format!(
            "\n… {} more profiles{also} not listed, to keep within {max} bytes; `pbxlink validate --all` lists every one",
            unlisted.len()
        ));
    }
    if with_perf {
        out.push_str(" | ");
        out.push_str(&perf_text);
    } else if !perf.is_empty() && room(&out) > perf_note.len() {
        out.push('\n');
        out.push_str(&perf_note);
    }
    out
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

/// The end of a text run, on stderr: how many are ok, then the failing and the warned profiles by
/// name, so a cron mail says at its end what needs an admin.
pub fn text_summary(done: &[Done], took: Duration) -> String {
    let failing: Vec<String> =
        done.iter().filter(|d| !ok(d)).map(|d| format!("{} ({})", d.name, failure_word(d))).collect();
    let warned: Vec<String> = done
        .iter()
        .filter(|d| ok(d))
        .filter_map(|d| Some(format!("{} ({})", d.name, worst_finding(d)?.text)))
        .collect();
    let mut s = format!("{} of {} profiles ok ({:.1} s)\n", done.len() - failing.len(), done.len(), took.as_secs_f64());
    if !failing.is_empty() {
        s.push_str(&format!("failing ({}): {}\n", failing.len(), failing.join(", ")));
    }
    if !warned.is_empty() {
        s.push_str(&format!("warnings ({}): {}\n", warned.len(), warned.join(", ")));
    }
    s
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
