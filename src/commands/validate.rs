//! `pbxlink validate`: re-validates saved profiles concurrently (bounded by `--jobs`), streams a
//! line per profile as each finishes (or prints one JSON document, or one Nagios line), records the
//! last results in the state dir, and exits with a code that tells "rejected" from "unreachable".
//! Never prompts, never writes `profiles.toml`.

use anyhow::Result;
use futures_util::StreamExt;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{Globals, exit};
use crate::cli::ValidateArgs;
use crate::profile::results::{LastResult, Results, now_secs};
use crate::profile::store::{Entry, Store};
use crate::profile::{Profile, ProfileBody};
use crate::report::{CheckState, FailureKind, Report};
use crate::validate::{self, Options};

/// The outcome for one profile: a report, or why it could not be validated at all.
enum Outcome {
    Report(Report),
    Invalid(String),
}

struct Done {
    index: usize,
    name: String,
    provider: String,
    target: String,
    outcome: Outcome,
}

pub fn run(config: &Path, g: &Globals, args: ValidateArgs) -> Result<u8> {
    let ca = g.ca();
    if let Ok(state) = crate::paths::state_dir() {
        super::init_log(&state, g.log_file.as_deref());
    }
    let mode = if args.json {
        Mode::Json
    } else if args.nagios {
        Mode::Nagios
    } else {
        Mode::Text
    };
    if let Some(ca) = ca
        && let Err(e) = std::fs::metadata(ca)
    {
        let msg = format!("--ca-file {}: {e}", ca.display());
        if mode == Mode::Nagios {
            writeln!(std::io::stdout(), "PBXLINK UNKNOWN - {msg}")?;
            return Ok(3);
        }
        eprintln!("pbxlink: {msg}");
        return Ok(exit::USAGE);
    }
    match select(config, &args) {
        Ok((entries, threecx)) => {
            let opts = Options {
                ca_files: ca.map(PathBuf::from).into_iter().collect(),
                connect_timeout: Duration::from_secs(args.timeout.min(5)),
                request_timeout: Duration::from_secs(args.timeout),
                no_proxy: g.no_proxy,
                lock: g.lock(),
            };
            // A CX-Engine profile travels with the 3CX profile it links, found among all saved ones.
            let entries = entries
                .into_iter()
                .map(|e| {
                    let linked = match &e {
                        Entry::Ok(p) => p.linked_in(&threecx).cloned(),
                        Entry::Invalid { .. } => None,
                    };
                    (e, linked)
                })
                .collect();
            validate_all(entries, opts, usize::from(args.jobs), mode)
        }
        Err(msg) => {
            if mode == Mode::Nagios {
                writeln!(std::io::stdout(), "PBXLINK UNKNOWN - {msg}")?;
                return Ok(3);
            }
            eprintln!("pbxlink: {msg}");
            Ok(exit::USAGE)
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Json,
    Nagios,
}

/// The entries to validate and every saved 3CX profile (which CX-Engine profiles may link), or a
/// usage/config error.
fn select(config: &Path, args: &ValidateArgs) -> Result<(Vec<Entry>, Vec<Profile>), String> {
    let loaded = Store::new(config).load().map_err(|e| format!("{e:#}"))?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let threecx: Vec<Profile> = loaded
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Ok(p @ Profile { body: ProfileBody::ThreeCx(_), .. }) => Some(p.clone()),
            _ => None,
        })
        .collect();
    if args.all {
        if loaded.entries.is_empty() {
            return Err(format!("no profiles in {}; add one with `pbxlink add 3cx`", config.display()));
        }
        return Ok((loaded.entries, threecx));
    }
    if args.names.is_empty() {
        return Err("name the profiles to validate, or pass --all".into());
    }
    let mut out = Vec::new();
    for n in &args.names {
        match loaded.get(n) {
            Some(e) => out.push(e.clone()),
            None => return Err(format!("no profile named \"{n}\" in {}; `pbxlink list` shows them", config.display())),
        }
    }
    Ok((out, threecx))
}

fn same_client_key(e: &Entry, linked: Option<&Profile>) -> Option<String> {
    match e {
        Entry::Ok(p) => validate::token_group(p, linked),
        Entry::Invalid { .. } => None,
    }
}

/// One profile to validate, with the 3CX profile it links (CX-Engine).
type Job = (Entry, Option<Profile>);

fn validate_all(entries: Vec<Job>, opts: Options, jobs: usize, mode: Mode) -> Result<u8> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let started = Instant::now();
    let mut groups: Vec<Vec<(usize, Job)>> = Vec::new();
    let mut keys: Vec<Option<String>> = Vec::new();
    for (i, e) in entries.into_iter().enumerate() {
        let key = same_client_key(&e.0, e.1.as_ref());
        match key.as_ref().and_then(|k| keys.iter().position(|x| x.as_ref() == Some(k))) {
            Some(g) => groups[g].push((i, e)),
            None => {
                keys.push(key);
                groups.push(vec![(i, e)]);
            }
        }
    }
    let total: usize = groups.iter().map(Vec::len).sum();
    // Lines are printed as profiles finish: the columns are sized for every profile up front.
    let heads: Vec<Vec<String>> = groups.iter().flatten().map(|(_, (e, _))| head_cells(e)).collect();
    let widths = crate::table::widths(&["", "", ""], &heads);
    let mut done: Vec<Done> = Vec::with_capacity(total);
    rt.block_on(async {
        let mut stream = futures_util::stream::iter(groups.into_iter().map(|g| {
            let opts = opts.clone();
            async move {
                let mut out = Vec::new();
                for (index, e) in g {
                    out.push(validate_one(index, e, &opts).await);
                }
                out
            }
        }))
        .buffer_unordered(jobs);
        let mut stdout = std::io::stdout().lock();
        while let Some(batch) = stream.next().await {
            for d in batch {
                if mode == Mode::Text {
                    let _ = write!(stdout, "{}", text_lines(&d, &widths));
                    let _ = stdout.flush();
                }
                done.push(d);
            }
        }
    });
    done.sort_by_key(|d| d.index);
    record(&done);
    let code = exit_code(&done);
    match mode {
        Mode::Text => {
            let failed = done.iter().filter(|d| !ok(d)).count();
            eprintln!("{} of {} profiles ok ({:.1} s)", total - failed, total, started.elapsed().as_secs_f64());
            Ok(code)
        }
        Mode::Json => {
            writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&json_doc(&done))?)?;
            Ok(code)
        }
        Mode::Nagios => {
            writeln!(std::io::stdout(), "{}", nagios_line(&done, started.elapsed()))?;
            Ok(nagios_code(&done))
        }
    }
}

async fn validate_one(index: usize, (e, linked): Job, opts: &Options) -> Done {
    match e {
        Entry::Ok(p) => {
            let outcome = match &p.body {
                ProfileBody::Unsupported { provider } => {
                    Outcome::Invalid(format!("provider \"{provider}\" needs a newer pbxlink"))
                }
                _ => {
                    let r = validate::validate_linked(&p, linked.as_ref(), opts, &mut |_| {}).await;
                    tracing::info!(profile = %p.name, ok = r.ok(), failure = ?r.failure, ms = r.ms, "validation finished");
                    Outcome::Report(r)
                }
            };
            Done { index, provider: p.provider_name().to_string(), target: p.target(), name: p.name, outcome }
        }
        Entry::Invalid { name, reason } => {
            Done { index, name, provider: "?".into(), target: String::new(), outcome: Outcome::Invalid(reason) }
        }
    }
}

fn ok(d: &Done) -> bool {
    matches!(&d.outcome, Outcome::Report(r) if r.ok())
}

/// 0 all ok; 3 any credentials/access rejected; 4 any unreachable or without verdict; 2 a broken
/// profile (and nothing worse).
fn exit_code(done: &[Done]) -> u8 {
    let kinds: Vec<FailureKind> =
        done.iter().filter_map(|d| if let Outcome::Report(r) = &d.outcome { r.failure } else { None }).collect();
    if kinds.iter().any(|k| k.is_rejection()) {
        exit::REJECTED
    } else if !kinds.is_empty() {
        exit::UNREACHABLE
    } else if done.iter().any(|d| matches!(d.outcome, Outcome::Invalid(_))) {
        exit::USAGE
    } else {
        exit::OK
    }
}

fn nagios_code(done: &[Done]) -> u8 {
    let kinds: Vec<FailureKind> =
        done.iter().filter_map(|d| if let Outcome::Report(r) = &d.outcome { r.failure } else { None }).collect();
    let critical = kinds.iter().any(|k| !k.is_transient());
    if critical {
        2
    } else if !kinds.is_empty() {
        1
    } else if done.iter().any(|d| matches!(d.outcome, Outcome::Invalid(_))) {
        3
    } else {
        0
    }
}

fn nagios_line(done: &[Done], took: Duration) -> String {
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
    let summary = if failed.is_empty() {
        format!("{n} profiles ok")
    } else {
        format!("{} of {n} profiles failed: {}", failed.len(), failed.join(", "))
    };
    let mut perf = vec![
        format!("ok={};;;0;{n}", n - failed.len()),
        format!("failed={};;;0;{n}", failed.len()),
        format!("time={:.3}s;;;0", took.as_secs_f64()),
    ];
    for d in done {
        if let Outcome::Report(r) = &d.outcome {
            perf.push(format!("'{}_ms'={}ms;;;0", d.name, r.ms));
        }
    }
    format!("PBXLINK {state} - {summary} | {}", perf.join(" "))
}

/// Name, provider and target of an entry: the first columns of its line.
fn head_cells(e: &Entry) -> Vec<String> {
    match e {
        Entry::Ok(p) => vec![p.name.clone(), p.provider_name().to_string(), p.target()],
        Entry::Invalid { name, .. } => vec![name.clone(), "?".into(), String::new()],
    }
}

fn text_lines(d: &Done, widths: &[usize]) -> String {
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
            format!("ok    {head}{} ms  {about}\n", r.ms)
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
            s
        }
    }
}

#[derive(Serialize)]
struct JsonDoc {
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

fn json_doc(done: &[Done]) -> JsonDoc {
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
            },
        })
        .collect();
    JsonDoc { schema: 1, profiles }
}

/// Keeps the last result of each validated profile for the TUI and `list`. A failure to write it
/// is reported but does not change the verdict.
fn record(done: &[Done]) {
    let now = now_secs();
    let updates: Vec<(String, LastResult)> = done
        .iter()
        .filter_map(|d| {
            if let Outcome::Report(r) = &d.outcome {
                Some((d.name.clone(), LastResult::from_report(r, now)))
            } else {
                None
            }
        })
        .collect();
    let dir = match crate::paths::state_dir() {
        Ok(d) => d,
        Err(e) => return eprintln!("warning: results not recorded: {e:#}"),
    };
    if let Err(e) = Results::in_dir(&dir).record(&updates) {
        eprintln!("warning: results not recorded: {e:#}");
    }
}
