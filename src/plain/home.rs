//! Plain mode's home: the profiles with their last result (the table `pbxlink list` prints), then
//! a numbered menu: add an account, validate one profile or all of them, quit. Ctrl-D at the menu
//! quits; inside a guide it stops that guide without saving (see `plain`).

use super::prompt::Stop;
use super::{Plain, guide};
use crate::clock::now_secs;
use crate::exit;
use crate::profile::results::Results;
use crate::profile::store::Entry;
use crate::providers::ProviderId;

pub fn run(pl: &mut Plain) -> Result<u8, Stop> {
    loop {
        profiles(pl);
        pl.p.say("");
        pl.p.say("What next?");
        for (k, what) in ["Add an account", "Validate one profile", "Validate all profiles", "Quit"].iter().enumerate()
        {
            pl.p.say(&format!("  {}  {what}", k + 1));
        }
        let asked = match pl.p.number(1, 4, None) {
            Ok(1) => provider(pl).map(Some),
            Ok(2) => validate_one(pl).map(|()| None),
            Ok(3) => {
                validate_all(pl);
                Ok(None)
            }
            Ok(_) | Err(Stop::Eof) => return Ok(exit::OK),
            Err(e) => return Err(e),
        };
        match asked {
            // Input ended at a menu's own question: nothing is in progress, so that is a quit.
            Err(Stop::Eof) => return Ok(exit::OK),
            Err(e) => return Err(e),
            // Ctrl-D inside the guide ends the session without saving; its `q` after a failed
            // check comes back here, like the TUI's Esc.
            Ok(Some(p)) => {
                guide::run(pl, p, &[])?;
            }
            Ok(None) => {}
        }
    }
}

fn profiles(pl: &mut Plain) {
    let loaded = pl.load();
    for w in &loaded.warnings {
        pl.p.say(&format!("Warning: {w}"));
    }
    let results = Results::of(&pl.s.state, &pl.s.config).load();
    let table = crate::profile::listing::table(&loaded, &results, now_secs());
    pl.p.say("");
    if table.is_empty() {
        pl.p.say(&format!("No profiles yet in {}.", pl.s.config.display()));
        return;
    }
    pl.p.say(&format!("Profiles in {}:", pl.s.config.display()));
    for line in table {
        pl.p.say(&line);
    }
}

fn provider(pl: &mut Plain) -> Result<ProviderId, Stop> {
    pl.p.say("");
    pl.p.say("Which account?");
    for (k, p) in ProviderId::ALL.iter().enumerate() {
        let g = p.guide();
        pl.p.say(&format!("  {}  {}: {}", k + 1, g.name, g.summary));
    }
    let k = pl.p.number(1, ProviderId::ALL.len(), None)?;
    Ok(ProviderId::ALL.get(k - 1).copied().unwrap_or(ProviderId::FIRST))
}

fn validate_one(pl: &mut Plain) -> Result<(), Stop> {
    let loaded = pl.load();
    if loaded.entries.is_empty() {
        pl.p.say("There is no profile to validate yet.");
        return Ok(());
    }
    pl.p.say("");
    pl.p.say("Which profile?");
    for (k, e) in loaded.entries.iter().enumerate() {
        pl.p.say(&format!("  {}  {}", k + 1, e.name()));
    }
    let k = pl.p.number(1, loaded.entries.len(), None)?;
    if let Some(e) = loaded.entries.get(k - 1) {
        validate(pl, e, &loaded.profiles());
    }
    Ok(())
}

/// One after another: profiles sharing a 3CX client never race each other's token.
fn validate_all(pl: &mut Plain) {
    let loaded = pl.load();
    if loaded.entries.is_empty() {
        pl.p.say("There is no profile to validate yet.");
    }
    let linkable = loaded.profiles();
    for e in &loaded.entries {
        validate(pl, e, &linkable);
    }
}

fn validate(pl: &mut Plain, e: &Entry, linkable: &[crate::profile::Profile]) {
    pl.p.say("");
    match e {
        Entry::Invalid { name, reason } => pl.p.say(&format!("{name}: cannot be validated: {reason}")),
        Entry::Ok(p) => {
            pl.p.say(&format!("{} ({}, {})", p.name, p.provider_name(), p.target()));
            let report = pl.check(p, p.linked_in(linkable));
            pl.record(&p.name, &report);
            let verdict = match report.failure {
                None => "ok".to_string(),
                Some(kind) => format!("failed ({kind})"),
            };
            pl.p.say(&format!("{}: {verdict}", p.name));
        }
    }
}
