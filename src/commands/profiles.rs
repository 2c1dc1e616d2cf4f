//! `list`, `show` and `remove`: plain text, never prompting when there is no terminal, never
//! printing a secret.

use anyhow::{Result, bail};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::exit;
use crate::profile::ProfileBody;
use crate::profile::results::{Results, ago, now_secs};
use crate::profile::store::{Entry, Store};

pub fn list(config: &Path) -> Result<u8> {
    let store = Store::new(config);
    let loaded = store.load()?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    if loaded.entries.is_empty() {
        eprintln!(
            "No profiles in {}. Add one with `pbxlink add 3cx`.",
            config.display()
        );
        return Ok(exit::OK);
    }
    let results = Results::in_dir(&crate::paths::state_dir()?).load();
    let now = now_secs();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<16} {:<9} {:<32} LAST RESULT",
        "NAME", "PROVIDER", "TARGET"
    )?;
    for e in &loaded.entries {
        let (provider, target, last) = match e {
            Entry::Ok(p) => {
                let last = match results.get(&p.name) {
                    Some(r) if r.ok => format!("ok ({})", ago(r.checked_at, now)),
                    Some(r) => format!(
                        "{} ({})",
                        r.failure.as_deref().unwrap_or("failed"),
                        ago(r.checked_at, now)
                    ),
                    None => "never checked".into(),
                };
                (p.provider_name().to_string(), p.target(), last)
            }
            Entry::Invalid { reason, .. } => {
                ("?".into(), String::new(), format!("invalid: {reason}"))
            }
        };
        writeln!(
            out,
            "{:<16} {:<9} {:<32} {last}",
            e.name(),
            provider,
            target
        )?;
    }
    Ok(exit::OK)
}

pub fn show(config: &Path, name: &str) -> Result<u8> {
    let loaded = Store::new(config).load()?;
    let Some(entry) = loaded.get(name) else {
        bail!(
            "no profile named \"{name}\" in {}; `pbxlink list` shows them",
            config.display()
        );
    };
    let mut out = std::io::stdout().lock();
    match entry {
        Entry::Invalid { reason, .. } => writeln!(out, "[profiles.{name}]  # invalid: {reason}")?,
        Entry::Ok(p) => {
            writeln!(out, "[profiles.{name}]")?;
            writeln!(out, "provider = \"{}\"", p.provider_name())?;
            if let ProfileBody::ThreeCx(x) = &p.body {
                use secrecy::ExposeSecret;
                writeln!(out, "domain = \"{}\"", x.domain)?;
                writeln!(out, "client_id = \"{}\"", x.client_id)?;
                writeln!(
                    out,
                    "api_key = \"<redacted: {} characters>\"",
                    x.api_key.expose_secret().chars().count()
                )?;
            }
            if let Some(ca) = &p.ca_file {
                writeln!(out, "ca_file = \"{}\"", ca.display())?;
            }
        }
    }
    Ok(exit::OK)
}

pub fn remove(config: &Path, name: &str, yes: bool) -> Result<u8> {
    let store = Store::new(config);
    if store.load()?.get(name).is_none() {
        bail!("no profile named \"{name}\" in {}", config.display());
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "refusing to remove \"{name}\" without confirmation: there is no terminal to ask on; pass --yes"
            );
        }
        eprint!(
            "Remove profile \"{name}\" from {}? [y/N] ",
            config.display()
        );
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("Nothing removed.");
            return Ok(exit::ERROR);
        }
    }
    store.remove(name)?;
    let _ = Results::in_dir(&crate::paths::state_dir()?).forget(name);
    eprintln!(
        "Removed profile \"{name}\" (the previous file is kept as {}.bak).",
        config.display()
    );
    Ok(exit::OK)
}
