//! `pbxlink validate`: re-validates saved profiles concurrently (bounded by `--jobs`), streams a
//! line per profile as each finishes (or prints one JSON document, or one Nagios line), records the
//! last results in the state dir, and exits with a code that tells "rejected" from "unreachable".
//! Never prompts, never writes `profiles.toml`.

use anyhow::Result;
use futures_util::StreamExt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::validate_output::{
    Done, Outcome, exit_code, head_cells, json_doc, nagios_code, nagios_output, text_lines, text_summary,
};
use super::{Globals, UsageError, exit};
use crate::cli::ValidateArgs;
use crate::clock::now_secs;
use crate::profile::Profile;
use crate::profile::results::{LastResult, Results};
use crate::profile::store::Entry;
use crate::validate::{self, Options};

pub fn run(config: &Path, g: &Globals, args: ValidateArgs) -> Result<u8> {
    let ca = g.ca();
    if let Ok(state) = crate::paths::state_dir() {
        super::init_log(&state, g.log_file.as_deref());
    }
    let mode = if args.json {
        Mode::Json
    } else if args.nagios {
        Mode::Nagios
    } else if args.prometheus {
        Mode::Prometheus
    } else {
        Mode::Text
    };
    // A run that cannot validate at all says so where its results would go: Nagios's UNKNOWN,
    // and a metrics file that says the run failed (one left as it was would keep saying "up").
    let refuse = |msg: &str| -> Result<u8> {
        if let Some(path) = &args.prometheus_file
            && let Err(e) = crate::files::atomic::write_public_atomic(
                path,
                super::validate_prometheus::run_failed(now_secs()).as_bytes(),
            )
        {
            eprintln!("pbxlink: cannot write {}: {e}", path.display());
        }
        if mode == Mode::Nagios {
            writeln!(std::io::stdout(), "PBXLINK UNKNOWN - {msg}")?;
            return Ok(3);
        }
        eprintln!("pbxlink: {msg}");
        Ok(exit::USAGE)
    };
    if args.crit_days > args.warn_days {
        return refuse(&format!(
            "--crit-days {} is more than --warn-days {}: critical must come closer to the end than a warning",
            args.crit_days, args.warn_days
        ));
    }
    if let Some(ca) = ca
        && let Err(e) = std::fs::metadata(ca)
    {
        return refuse(&format!("--ca-file {}: {e}", ca.display()));
    }
    if args.capabilities {
        return super::capabilities::run(config, g, &args);
    }
    match select(config, &args) {
        Ok((entries, linkable)) => {
            let thresholds = crate::report::Thresholds {
                warn_days: args.warn_days,
                crit_days: args.crit_days,
                backup_days: args.backup_days,
            };
            let opts = Options {
                ca_files: ca.map(PathBuf::from).into_iter().collect(),
                connect_timeout: Duration::from_secs(args.timeout.min(5)),
                request_timeout: Duration::from_secs(args.timeout),
                no_proxy: g.no_proxy,
                lock: g.lock(),
                thresholds,
                redactor: Default::default(),
            };
            // A CX-Engine profile travels with the 3CX profile it links, found among all saved ones.
            let entries = entries
                .into_iter()
                .map(|e| {
                    let linked = match &e {
                        Entry::Ok(p) => p.linked_in(&linkable).cloned(),
                        Entry::Invalid { .. } => None,
                    };
                    (e, linked)
                })
                .collect();
            let out = Output {
                mode,
                strict: args.strict,
                facts: args.health,
                prometheus_file: args.prometheus_file.clone(),
                nagios_max_bytes: args.nagios_max_bytes,
            };
            validate_all(config, entries, opts, usize::from(args.jobs), out)
        }
        Err(msg) => refuse(&msg.to_string()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Json,
    Nagios,
    Prometheus,
}

/// The entries to validate and every readable saved profile (which a profile may link), or a
/// usage/config error.
fn select(config: &Path, args: &ValidateArgs) -> Result<(Vec<Entry>, Vec<Profile>), UsageError> {
    let loaded = crate::providers::store(config).load().map_err(|e| UsageError(format!("{e:#}")))?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let linkable = loaded.profiles();
    if args.all {
        if loaded.entries.is_empty() {
            return Err(UsageError(format!("no profiles in {}; add one with `pbxlink add 3cx`", config.display())));
        }
        // By name: the same order every run, whatever the file's or the network's, so that two
        // runs' outputs (a cron mail, a diff) differ only where a profile did.
        let mut entries = loaded.entries;
        entries.sort_by(|a, b| a.name().cmp(b.name()));
        return Ok((entries, linkable));
    }
    if args.names.is_empty() {
        return Err(UsageError("name the profiles to validate, or pass --all".into()));
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // A name given twice is validated once: one line, one series per profile.
    for n in args.names.iter().filter(|n| seen.insert(n.as_str())) {
        match loaded.get(n) {
            Some(e) => out.push(e.clone()),
            None => {
                return Err(UsageError(format!(
                    "no profile named \"{n}\" in {}; `pbxlink list` shows them",
                    config.display()
                )));
            }
        }
    }
    Ok((out, linkable))
}

/// One profile to validate, with the 3CX profile it links (CX-Engine).
type Job = (Entry, Option<Profile>);

/// How a run tells its results.
struct Output {
    mode: Mode,
    strict: bool,
    /// Every health fact under each line (text only).
    facts: bool,
    /// Where the Prometheus exposition also goes, whatever the mode.
    prometheus_file: Option<PathBuf>,
    /// The most bytes the Nagios output takes (0: no bound).
    nagios_max_bytes: usize,
}

fn validate_all(config: &Path, entries: Vec<Job>, opts: Options, jobs: usize, out: Output) -> Result<u8> {
    let Output { mode, strict, facts, prometheus_file, nagios_max_bytes } = out;
    let rt = validate::runtime()?;
    let started = Instant::now();
    let total = entries.len();
    // Lines are printed as profiles finish: the columns are sized for every profile up front.
    let heads: Vec<Vec<String>> = entries.iter().map(|(e, _)| head_cells(e)).collect();
    let widths = crate::table::widths(&["", "", ""], &heads);
    // At most `jobs` at once, one at a time per 3CX client: the scheduler's turns.
    let sched = validate::Scheduler::new(jobs);
    let mut done: Vec<Done> = Vec::with_capacity(total);
    rt.block_on(async {
        let (sched, opts) = (&sched, &opts);
        let mut pending: futures_util::stream::FuturesUnordered<_> =
            entries.into_iter().enumerate().map(|(index, job)| validate_one(index, job, sched, opts)).collect();
        let mut stdout = std::io::stdout().lock();
        // Lines go out in the run's order as soon as every one before them is done: a slow
        // profile holds back those after it, never reorders them.
        let mut finished: std::collections::BTreeMap<usize, Done> = std::collections::BTreeMap::new();
        while let Some(d) = pending.next().await {
            finished.insert(d.index, d);
            while let Some(d) = finished.remove(&done.len()) {
                if mode == Mode::Text {
                    let _ = write!(stdout, "{}", text_lines(&d, &widths, facts));
                    let _ = stdout.flush();
                }
                done.push(d);
            }
        }
    });
    record(config, &done);
    let mut code = exit_code(&done, strict);
    let exposition = || super::validate_prometheus::exposition(&done, started.elapsed(), now_secs());
    if let Some(path) = &prometheus_file
        && let Err(e) = crate::files::atomic::write_public_atomic(path, exposition().as_bytes())
    {
        // The verdicts stand; the monitoring that reads the file must hear of it: exit 1.
        eprintln!("pbxlink: cannot write {}: {e}", path.display());
        code = code.max(exit::ERROR);
    }
    match mode {
        Mode::Text => {
            eprint!("{}", text_summary(&done, started.elapsed()));
            Ok(code)
        }
        Mode::Json => {
            writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&json_doc(&done))?)?;
            Ok(code)
        }
        Mode::Prometheus => {
            write!(std::io::stdout(), "{}", exposition())?;
            Ok(code)
        }
        Mode::Nagios => {
            writeln!(std::io::stdout(), "{}", nagios_output(&done, started.elapsed(), nagios_max_bytes))?;
            Ok(nagios_code(&done))
        }
    }
}

async fn validate_one(index: usize, (e, linked): Job, sched: &validate::Scheduler, opts: &Options) -> Done {
    match e {
        Entry::Ok(p) => {
            let outcome = match p.schema {
                None => Outcome::Invalid(format!("provider \"{}\" needs a newer pbxlink", p.provider)),
                Some(_) => {
                    let r = crate::providers::validate_in(sched, &p, linked.as_ref(), opts, &mut |_| {}).await;
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

/// Keeps the last result of each validated profile for the TUI and `list`. A failure to write it
/// is reported but does not change the verdict.
pub(super) fn record<'a>(config: &Path, done: impl IntoIterator<Item = &'a Done>) {
    let now = now_secs();
    let updates: Vec<(String, LastResult)> = done
        .into_iter()
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
    if let Err(e) = Results::of(&dir, config).record(&updates) {
        eprintln!("warning: results not recorded: {e:#}");
    }
}
