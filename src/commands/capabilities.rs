//! `pbxlink validate NAME --capabilities`: what each profile's key may read, from one cheap GET per
//! read an integration commonly needs (`$top=1`), as a table (or `--json`), with the role the
//! refusals point to. Never part of plain `validate`, which keeps to its few requests.

use anyhow::Result;
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::{Globals, UsageError, exit};
use crate::cli::ValidateArgs;
use crate::profile::Profile;
use crate::profile::store::Entry;
use crate::providers::{Access, Capabilities, Problem};

pub fn run(config: &Path, g: &Globals, args: &ValidateArgs) -> Result<u8> {
    let profiles = match select(config, args) {
        Ok(p) => p,
        Err(UsageError(msg)) => {
            eprintln!("pbxlink: {msg}");
            return Ok(exit::USAGE);
        }
    };
    let opts = crate::validate::Options {
        connect_timeout: Duration::from_secs(args.timeout.min(5)),
        request_timeout: Duration::from_secs(args.timeout),
        ..g.options()
    };
    let rt = crate::validate::runtime()?;
    // As `validate`: rejected (3) before no verdict (4) before a broken profile (2).
    let (mut rejected, mut unreachable, mut invalid) = (false, false, false);
    let mut doc = Vec::new();
    let mut out = std::io::stdout().lock();
    for entry in &profiles {
        let p = match entry {
            Entry::Ok(p) => p,
            Entry::Invalid { name, reason } => {
                invalid = true;
                eprintln!("pbxlink: profile \"{name}\" is broken: {reason}");
                doc.push(JsonProfile::broken(name, reason));
                continue;
            }
        };
        let mut waiting = |detail: &str| eprintln!("{detail}");
        let answer = rt.block_on(crate::providers::capabilities(p, &opts, &mut waiting));
        let Some(answer) = answer else {
            let why = format!(
                "capability reads are 3CX's ({}'s own checks in `validate` show what its key may do)",
                p.provider_name()
            );
            eprintln!("{}: not asked: {why}", p.name);
            doc.push(JsonProfile { not_asked: Some(why), ..JsonProfile::new(p) });
            continue;
        };
        match answer {
            Ok(c) => {
                tracing::info!(profile = %p.name, "capabilities read");
                match args.json {
                    true => doc.push(JsonProfile::read(p, &c)),
                    false => write!(out, "{}", table(p, &c))?,
                }
            }
            Err(problem) => {
                match problem.kind {
                    k if k.is_rejection() => rejected = true,
                    // A secret that could not be read is the profile's configuration.
                    crate::report::FailureKind::SecretUnavailable => invalid = true,
                    _ => unreachable = true,
                }
                match args.json {
                    true => doc.push(JsonProfile::failed(p, &problem)),
                    false => {
                        eprintln!("pbxlink: {}: {}", p.name, problem.detail);
                        if !problem.fix.is_empty() {
                            eprintln!("fix: {}", problem.fix);
                        }
                    }
                }
            }
        }
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&JsonDoc { schema: 1, profiles: doc })?)?;
    }
    Ok(match (rejected, unreachable, invalid) {
        (true, _, _) => exit::REJECTED,
        (_, true, _) => exit::UNREACHABLE,
        (_, _, true) => exit::USAGE,
        _ => exit::OK,
    })
}

/// The profiles named (each must exist), or with `--all` every one; broken ones are told.
fn select(config: &Path, args: &ValidateArgs) -> Result<Vec<Entry>, UsageError> {
    let loaded = crate::providers::store(config).load().map_err(|e| UsageError(format!("{e:#}")))?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    if args.all {
        return Ok(loaded.entries);
    }
    if args.names.is_empty() {
        return Err(UsageError("name the profiles whose capabilities to read, or pass --all".into()));
    }
    args.names
        .iter()
        .map(|n| match loaded.get(n) {
            Some(e) => Ok(e.clone()),
            None => {
                Err(UsageError(format!("no profile named \"{n}\" in {}; `pbxlink list` shows them", config.display())))
            }
        })
        .collect()
}

/// The table of one profile: a line per read, then the role the refusals point to.
fn table(p: &Profile, c: &Capabilities) -> String {
    let mut s = format!("{} ({} {}): what its key may read\n", p.name, p.provider_name(), p.target());
    let rows: Vec<Vec<String>> = c.results.iter().map(|(cap, a)| vec![cap.label.to_string(), a.shown()]).collect();
    let widths = crate::table::widths(&["", ""], &rows);
    for row in &rows {
        s.push_str(&format!(
            "  {}\n",
            crate::table::line(&row.iter().map(String::as_str).collect::<Vec<_>>(), &widths, 2).trim_end()
        ));
    }
    if let Some(role) = c.missing_role() {
        s.push_str(&format!("  → {role}\n"));
        if c.results.iter().all(|(_, a)| *a == Access::Refused)
            && let Some(seen) = &c.seen_as
        {
            s.push_str(&format!("    ({seen})\n"));
        }
    }
    s
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
    /// Whether signing in worked (the reads then each have their own answer).
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
    capabilities: Vec<JsonCapability>,
    /// The role the refusals point to ("probably ..."), or null.
    missing_role: Option<String>,
    /// Why this profile was not asked (a vendor without capability reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    not_asked: Option<String>,
}

#[derive(Serialize)]
struct JsonCapability {
    id: &'static str,
    label: &'static str,
    request: String,
    access: &'static str,
    /// Why it could not be told, for `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

impl JsonProfile {
    fn new(p: &Profile) -> Self {
        JsonProfile {
            name: p.name.clone(),
            provider: p.provider.clone(),
            ok: true,
            failure: None,
            detail: None,
            hint: None,
            capabilities: Vec::new(),
            missing_role: None,
            not_asked: None,
        }
    }

    fn broken(name: &str, reason: &str) -> Self {
        JsonProfile {
            name: name.to_string(),
            provider: "?".into(),
            ok: false,
            failure: Some("invalid_profile"),
            detail: Some(reason.to_string()),
            hint: None,
            capabilities: Vec::new(),
            missing_role: None,
            not_asked: None,
        }
    }

    fn read(p: &Profile, c: &Capabilities) -> Self {
        let capabilities = c
            .results
            .iter()
            .map(|(cap, a)| JsonCapability {
                id: cap.id,
                label: cap.label,
                request: format!("GET {}", cap.path),
                access: a.id(),
                detail: match a {
                    Access::Unknown(why) => Some(why.clone()),
                    _ => None,
                },
            })
            .collect();
        JsonProfile { capabilities, missing_role: c.missing_role(), ..Self::new(p) }
    }

    fn failed(p: &Profile, problem: &Problem) -> Self {
        JsonProfile {
            ok: false,
            failure: Some(problem.kind.as_str()),
            detail: Some(problem.detail.clone()),
            hint: Some(problem.fix.clone()).filter(|f| !f.is_empty()),
            ..Self::new(p)
        }
    }
}
