//! `pbxlink import FILE` and `pbxlink export`: many profiles at once. Import reads every row
//! (profile/exchange.rs), validates the well-formed ones concurrently as `validate --all` does
//! (one-token groups in turn), saves those that pass in one atomic write, and reports each row;
//! nothing is saved for a row that failed, and a file that cannot be read saves nothing at all.
//! Export writes saved profiles in the same format, never a secret.

use anyhow::Result;
use futures_util::StreamExt;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::validate_output::{Done, Outcome, text_lines};
use super::{Globals, exit};
use crate::cli::{ExportArgs, ImportArgs};
use crate::profile::exchange::{self, Format, LeftOut, Row};
use crate::profile::store::SaveMode;
use crate::profile::{Profile, store::Entry};
use crate::validate::{self, Options};

pub fn run(config: &Path, g: &Globals, args: ImportArgs) -> Result<u8> {
    if let Ok(state) = crate::paths::state_dir() {
        super::init_log(&state, g.log_file.as_deref());
    }
    let store = crate::providers::store(config);
    let loaded = match store.load() {
        Ok(l) => l,
        Err(e) => return usage(&format!("{e:#}")),
    };
    let rows = match exchange::read(&args.file, args.format, &crate::providers::SCHEMAS) {
        Ok(rows) if rows.is_empty() => return usage(&format!("{}: no rows to import", args.file.display())),
        Ok(rows) => rows,
        Err(e) => return usage(&e.to_string()),
    };
    let rows = refuse_names(rows, &loaded.names(), args.replace);
    let rows = references_asked(rows, &args.file, g.allow_references, args.json);
    let rows = match with_ca_files(rows, g.ca()) {
        Ok(rows) => rows,
        Err(e) => return usage(&e),
    };
    // A CX-Engine row is checked with the 3CX profile it links: the file's own row of that name
    // first (it replaces a saved one), else the saved one.
    let in_file: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    let mut linkable: Vec<Profile> = rows.iter().filter_map(|r| r.profile.as_ref().ok().cloned()).collect();
    linkable.extend(loaded.profiles().into_iter().filter(|p| !in_file.contains(&p.name)));
    let opts = Options {
        ca_files: g.ca().map(PathBuf::from).into_iter().collect(),
        connect_timeout: Duration::from_secs(args.timeout.min(5)),
        request_timeout: Duration::from_secs(args.timeout),
        no_proxy: g.no_proxy,
        lock: g.lock(),
        thresholds: crate::report::Thresholds::default(),
        redactor: Default::default(),
    };
    let started = Instant::now();
    let mut done = check_rows(rows, &linkable, &opts, usize::from(args.jobs), args.no_validate, args.json)?;
    let saved_names: Vec<String> = loaded.names().into_iter().filter(|n| !in_file.contains(n)).collect();
    refuse_broken_links(&mut done, &saved_names, args.no_validate, args.json);
    let passed: Vec<&Checked> = done.iter().filter(|d| passes(d, args.no_validate)).collect();
    let profiles: Vec<&Profile> = passed.iter().filter_map(|d| d.profile.as_ref()).collect();
    let mode = |p: &Profile| if args.replace { SaveMode::Replace { old: p.name.clone() } } else { SaveMode::Create };
    let batch: Vec<(&Profile, SaveMode)> = profiles.iter().map(|p| (*p, mode(p))).collect();
    let saved = if batch.is_empty() { Ok(()) } else { store.save_all(&batch) };
    let saved_ok = saved.is_ok();
    // Only the saved rows' verdicts are kept: a refused row's must not stand for the profile it
    // would have replaced, nor for a name that does not exist.
    if !args.no_validate && saved_ok {
        super::validate::record(config, done.iter().filter(|c| passes(c, false)).map(|c| &c.done));
    }
    if args.json {
        let doc = json_doc(&done, saved_ok, args.no_validate);
        writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&doc)?)?;
    }
    let rejected: Vec<String> =
        done.iter().filter(|d| !passes(d, args.no_validate)).map(|d| format!("{} ({})", d.done.name, d.at)).collect();
    let took = started.elapsed().as_secs_f64();
    match saved {
        Err(e) => {
            eprintln!("pbxlink: nothing was saved: {e:#}");
            return Ok(exit::ERROR);
        }
        Ok(()) if batch.is_empty() => eprintln!("Nothing saved: no row passed ({took:.1} s)."),
        Ok(()) => eprintln!(
            "Saved {} of {} profiles in {} in one write ({took:.1} s).",
            batch.len(),
            done.len(),
            config.display()
        ),
    }
    if rejected.is_empty() {
        return Ok(exit::OK);
    }
    eprintln!("Not saved: {}. Fix those rows and import the file again.", rejected.join(", "));
    Ok(exit::REJECTED)
}

fn usage(msg: &str) -> Result<u8> {
    eprintln!("pbxlink: {msg}");
    Ok(exit::USAGE)
}

/// Keeps the rows whose secret references (env:, command:, keyring) the user accepts, and
/// refuses the others, named with the reason: a file someone else wrote must not run a program
/// or send a variable of this user's (pbxlink often runs as root). Accepted with
/// `--allow-references`, or by a yes at the terminal after every command and variable is listed;
/// never by default, so `--no-validate` cannot bring them in for the next cron run either.
fn references_asked(mut rows: Vec<Row>, file: &Path, allowed: bool, json: bool) -> Vec<Row> {
    let asked: Vec<(usize, Vec<(&'static str, String)>)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.profile.as_ref().ok().map(|p| (i, p.references())).filter(|(_, refs)| !refs.is_empty()))
        .collect();
    if asked.is_empty() || allowed {
        return rows;
    }
    use std::io::IsTerminal;
    let interactive = !json && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if interactive {
        eprintln!("{} asks pbxlink to read secrets through references:", file.display());
        for (i, refs) in &asked {
            for (key, source) in refs {
                eprintln!("  {} ({}): {key} from {source}", rows[*i].name, rows[*i].at);
            }
        }
        eprint!("Run these commands and read these variables at each use of the profiles? [y/N] ");
        let mut answer = String::new();
        if std::io::stdin().read_line(&mut answer).is_ok() && matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
        {
            return rows;
        }
    }
    for (i, refs) in asked {
        let what: Vec<String> = refs.iter().map(|(key, source)| format!("{key} from {source}")).collect();
        rows[i].profile = Err(format!(
            "the file asks to read {}: references in an imported file are taken only with --allow-references (or a yes when asked at a terminal)",
            what.join(", ")
        )
        .into());
    }
    rows
}

/// Refuses a row whose name is saved already (unless `replace`) or given by an earlier row.
fn refuse_names(mut rows: Vec<Row>, saved: &[String], replace: bool) -> Vec<Row> {
    let mut seen: Vec<(String, String)> = Vec::new();
    for row in &mut rows {
        if let Some((_, at)) = seen.iter().find(|(n, _)| *n == row.name) {
            row.profile = Err(format!("the name is given before, in {at}: each profile needs its own").into());
        } else if !replace && saved.contains(&row.name) {
            row.profile = Err("a saved profile has this name: choose another, or pass --replace to replace it".into());
        }
        seen.push((row.name.clone(), row.at.clone()));
    }
    rows
}

/// Each row's `ca_file` made absolute (so cron finds it from any directory), and `--ca-file` kept
/// in the rows without one, as `add` keeps it: the profile is saved with the CA it was checked with.
fn with_ca_files(mut rows: Vec<Row>, ca: Option<&Path>) -> Result<Vec<Row>, String> {
    let global = match ca {
        Some(p) => Some(std::fs::canonicalize(p).map_err(|e| format!("--ca-file {}: {e}", p.display()))?),
        None => None,
    };
    for row in &mut rows {
        let Ok(p) = &mut row.profile else { continue };
        match p.ca_file.clone() {
            Some(path) => match std::fs::canonicalize(&path) {
                Ok(real) => p.ca_file = Some(real),
                Err(e) => row.profile = Err(format!("ca_file {}: {e}", path.display()).into()),
            },
            None => p.ca_file = global.clone(),
        }
    }
    Ok(rows)
}

/// Refuses each passing row that links a profile which will not be there: neither saved (and
/// not in the file) nor passing in this import. Until nothing changes: a refused link may
/// break another.
fn refuse_broken_links(done: &mut [Checked], saved: &[String], no_validate: bool, quiet: bool) {
    loop {
        let passing: Vec<String> =
            done.iter().filter(|c| passes(c, no_validate)).map(|c| c.done.name.clone()).collect();
        let broken = done.iter().position(|c| {
            let target = c.profile.as_ref().and_then(|p| {
                let (def, _) = p.schema?.link()?;
                p.values.text(def.key).map(str::to_string)
            });
            passes(c, no_validate) && target.is_some_and(|t| !passing.contains(&t) && !saved.contains(&t))
        });
        let Some(i) = broken else { return };
        let c = &mut done[i];
        let target = c.profile.as_ref().and_then(|p| p.values.text(p.schema?.link()?.0.key)).unwrap_or_default();
        let why = format!(
            "links \"{target}\", which is neither saved nor imported now (its row was refused): import them together once it passes"
        );
        if !quiet {
            println!("FAIL  {} ({}): not saved: {why}", c.done.name, c.at);
        }
        c.refused = Some(why);
    }
}

/// One row's end: the line `validate` would print for it, and the profile to save if it passes.
struct Checked {
    at: String,
    done: Done,
    profile: Option<Profile>,
    /// Why a row that passed its own checks is not saved after all (a link to a refused row).
    refused: Option<String>,
}

fn passes(c: &Checked, no_validate: bool) -> bool {
    c.profile.is_some() && c.refused.is_none() && (no_validate || super::validate_output::ok(&c.done))
}

/// Validates every well-formed row (at most `jobs` at once), printing each row's line as it ends.
fn check_rows(
    rows: Vec<Row>,
    linkable: &[Profile],
    opts: &Options,
    jobs: usize,
    no_validate: bool,
    quiet: bool,
) -> Result<Vec<Checked>> {
    let heads: Vec<Vec<String>> = rows.iter().map(head).collect();
    let widths = crate::table::widths(&["", "", ""], &heads);
    let rt = validate::runtime()?;
    let sched = validate::Scheduler::new(jobs);
    let mut out = Vec::with_capacity(rows.len());
    rt.block_on(async {
        let mut pending: futures_util::stream::FuturesUnordered<_> = rows
            .into_iter()
            .enumerate()
            .map(|(index, row)| check_row(index, row, linkable, &sched, opts, no_validate))
            .collect();
        let mut stdout = std::io::stdout().lock();
        while let Some(c) = pending.next().await {
            if !quiet {
                let line = match (&c.done.outcome, no_validate) {
                    (Outcome::Invalid(_), _) | (_, false) => text_lines(&c.done, &widths, false),
                    (Outcome::Report(_), true) => {
                        let cells = [c.done.name.as_str(), c.done.provider.as_str(), c.done.target.as_str(), ""];
                        format!("-     {}not validated (--no-validate)\n", crate::table::line(&cells, &widths, 1))
                    }
                };
                let _ = write!(stdout, "{line}");
                let _ = stdout.flush();
            }
            out.push(c);
        }
    });
    out.sort_by_key(|c| c.done.index);
    Ok(out)
}

fn head(r: &Row) -> Vec<String> {
    match &r.profile {
        Ok(p) => super::validate_output::head_cells(&Entry::Ok(p.clone())),
        Err(_) => vec![r.name.clone(), "?".into(), String::new()],
    }
}

async fn check_row(
    index: usize,
    row: Row,
    linkable: &[Profile],
    sched: &validate::Scheduler,
    opts: &Options,
    no_validate: bool,
) -> Checked {
    let Row { at, name, profile } = row;
    match profile {
        Err(why) => {
            let outcome = Outcome::Invalid(format!("{at}: {why}"));
            let done = Done { index, name, provider: "?".into(), target: String::new(), outcome };
            Checked { at, done, profile: None, refused: None }
        }
        Ok(p) => {
            let report = if no_validate {
                crate::report::Report { checks: vec![], failure: None, hint: None, ms: 0, health: None }
            } else {
                let linked = p.linked_in(linkable);
                let r = crate::providers::validate_in(sched, &p, linked, opts, &mut |_| {}).await;
                tracing::info!(profile = %p.name, ok = r.ok(), failure = ?r.failure, ms = r.ms, "import: validation finished");
                r
            };
            let (provider, target) = (p.provider_name().to_string(), p.target());
            let done = Done { index, name: p.name.clone(), provider, target, outcome: Outcome::Report(report) };
            Checked { at, done, profile: Some(p), refused: None }
        }
    }
}

#[derive(Serialize)]
struct JsonRow<'a> {
    at: &'a str,
    name: &'a str,
    provider: &'a str,
    saved: bool,
    /// "invalid" (the row itself), or the validation's failure kind.
    failure: Option<&'a str>,
    detail: Option<String>,
    fix: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    validated: bool,
    saved: usize,
    rejected: usize,
    rows: Vec<JsonRow<'a>>,
}

fn json_doc(done: &[Checked], saved_ok: bool, no_validate: bool) -> JsonDoc<'_> {
    let rows: Vec<JsonRow> = done
        .iter()
        .map(|c| {
            let (failure, detail, fix) = match &c.done.outcome {
                _ if c.refused.is_some() => (Some("link"), c.refused.clone(), None),
                Outcome::Invalid(why) => (Some("invalid"), Some(why.clone()), None),
                Outcome::Report(r) => {
                    let failed = r.checks.iter().find(|k| matches!(k.state, crate::report::CheckState::Failed(_)));
                    (r.failure.map(|f| f.as_str()), failed.map(|k| k.detail.clone()), r.hint.as_deref())
                }
            };
            let saved = saved_ok && passes(c, no_validate);
            JsonRow { at: &c.at, name: &c.done.name, provider: &c.done.provider, saved, failure, detail, fix }
        })
        .collect();
    let saved = rows.iter().filter(|r| r.saved).count();
    JsonDoc { validated: !no_validate, saved, rejected: rows.len() - saved, rows }
}

pub fn export(config: &Path, args: ExportArgs) -> Result<u8> {
    let loaded = match crate::providers::store(config).load() {
        Ok(l) => l,
        Err(e) => return usage(&format!("{e:#}")),
    };
    let mut profiles = Vec::new();
    for entry in &loaded.entries {
        if !args.names.is_empty() && !args.names.iter().any(|n| n == entry.name()) {
            continue;
        }
        match entry {
            Entry::Ok(p) if p.schema.is_some() => profiles.push(p.clone()),
            Entry::Ok(p) => {
                eprintln!("warning: {} left out: provider \"{}\" needs a newer pbxlink", p.name, p.provider)
            }
            Entry::Invalid { name, reason } => eprintln!("warning: {name} left out: {reason}"),
        }
    }
    if let Some(n) = args.names.iter().find(|n| loaded.get(n).is_none()) {
        return usage(&format!("no profile named \"{n}\" in {}; `pbxlink list` shows them", config.display()));
    }
    let format = args.format.unwrap_or_else(|| match &args.output {
        Some(p) => Format::of(p, ""),
        None => Format::Csv,
    });
    let (text, left_out) = exchange::write(&profiles, format, &crate::providers::SCHEMAS);
    match &args.output {
        Some(path) if is_ours(path, config) => {
            return usage(&format!("--output {}: that is pbxlink's own file; export to another path", path.display()));
        }
        Some(path) => crate::files::atomic::write_atomic(path, text.as_bytes(), false)?,
        None => super::print_all(text.as_bytes())?,
    }
    let secrets: Vec<String> = left_out
        .iter()
        .filter_map(|l| match l {
            LeftOut::Secret { name, key } => Some(format!("{name}'s {key}")),
            LeftOut::Command { .. } => None,
        })
        .collect();
    if !secrets.is_empty() {
        eprintln!(
            "Left out (kept in profiles.toml, never exported): {}. Fill those cells in with a reference (env:VAR, command:PROGRAM ARG..., keyring) or the secret, in a file only you can read, before importing.",
            secrets.join(", ")
        );
    }
    for l in &left_out {
        if let LeftOut::Command { name, key } = l {
            eprintln!(
                "Left out: {name}'s {key} is read by a command with spaces inside an argument, which a CSV cell cannot hold; export as TOML (--format toml) to keep it."
            );
        }
    }
    Ok(exit::OK)
}

/// Whether `path` is the profiles file or its backup (through any link): export never writes there.
fn is_ours(path: &Path, config: &Path) -> bool {
    let real = |p: &Path| {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::canonicalize(dir).ok().map(|d| d.join(p.file_name().unwrap_or_default()))
    };
    let target = std::fs::canonicalize(path).ok().or_else(|| real(path));
    let bak = config.with_file_name(format!("{}.bak", config.file_name().unwrap_or_default().to_string_lossy()));
    [config, bak.as_path()]
        .iter()
        .any(|p| target.is_some() && std::fs::canonicalize(p).ok().or_else(|| real(p)) == target)
}
