//! The full-screen commands: the home screen and `add PROVIDER` (and `demo`, in `demo.rs`). With
//! `--plain` (or `ACCESSIBLE`), the same as line prompts (`crate::plain`), sharing the set-up here.

use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::{Globals, exit};
use crate::plain;
use crate::profile::results::Results;
use crate::providers::ProviderId;
use crate::tui;
use crate::wizard::{NewDefaults, Wizard};

pub fn home(config: &Path, g: &Globals) -> Result<u8> {
    // As for `add`: a profiles file that cannot be read is said at once, with exit 2.
    crate::providers::store(config).load().map_err(super::usage)?;
    let state = crate::paths::state_dir()?;
    if g.plain {
        let rt = runtime()?;
        let session = plain_session(config, &state, g, NewDefaults { ca_file: canonical_ca(g)?, ..Default::default() });
        return plain::run(&rt, session, plain::Start::Home);
    }
    run(config, &state, g, |_| {})
}

/// The guide for `provider`, with the values given as flags already filled in.
/// `pbxlink add PROVIDER`: the guide on its own; `prefill` (field id, value) comes from flags.
pub fn add(config: &Path, g: &Globals, p: ProviderId, prefill: &[(&str, Option<&str>)]) -> Result<u8> {
    // A profiles file that cannot be read would refuse the save at the very end, after the user
    // typed a key that is shown only once: say so before anything is typed.
    crate::providers::store(config).load().map_err(super::usage)?;
    let state = crate::paths::state_dir()?;
    // A flag for a field the guide does not ask (8x8's API host) becomes the new profile's value,
    // checked now by its field's rule.
    let (schema, guide) = (p.schema(), p.guide());
    let mut values = Vec::new();
    for def in schema.fields.iter().filter(|d| !d.asked(guide)) {
        if let Some(v) = prefill.iter().find(|(k, _)| *k == def.key).and_then(|(_, v)| *v) {
            def.check(v, guide).map_err(|e| super::usage(format!("--{} {v}: {e}", def.flag())))?;
            values.push((def.key, v.to_string()));
        }
    }
    let new = NewDefaults { ca_file: canonical_ca(g)?, values };
    if g.plain {
        let rt = runtime()?;
        let prefill = prefill.iter().filter_map(|(id, v)| Some((id.to_string(), (*v)?.to_string()))).collect();
        let session = plain_session(config, &state, g, new);
        return plain::run(&rt, session, plain::Start::Guide(p, prefill));
    }
    run(config, &state, g, |w| {
        w.new_profile = new;
        w.open_guide(p);
        if let crate::wizard::Screen::Guide(g) = &mut w.screen {
            for (id, value) in prefill {
                g.prefill(id, *value);
            }
        }
        w.exit_after_guide = true;
    })
}

/// Plain mode's session: the same files, log, validation options and defaults for new profiles
/// (`new`) as the TUI's (`run_in`).
pub(super) fn plain_session(config: &Path, state: &Path, g: &Globals, new: NewDefaults) -> plain::Session {
    let _log = super::init_log(state, g.log_file.as_deref());
    plain::Session {
        config: config.to_path_buf(),
        state: state.to_path_buf(),
        opts: g.options(),
        new,
        ascii: g.theme.ascii,
        demo: None,
        sched: crate::validate::Scheduler::new(1),
    }
}

/// New profiles keep the --ca-file they were validated with, so later checks trust it too.
pub(super) fn canonical_ca(g: &Globals) -> Result<Option<PathBuf>> {
    g.ca().map(|ca| std::fs::canonicalize(ca).with_context(|| format!("--ca-file {}", ca.display()))).transpose()
}

/// Refuses to start the full-screen UI where it cannot work, saying what to use instead (a usage
/// error: exit 2, as for `add` without a terminal).
pub(super) fn check_terminal() -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(super::usage(
            "the interactive UI needs a terminal (stdin and stdout are not both terminals); add --plain for line prompts that read answers from a pipe too, or use `pbxlink list` or `pbxlink show`",
        ));
    }
    if std::env::var("TERM").is_ok_and(|t| t == "dumb") {
        return Err(super::usage(
            "TERM=dumb cannot show the full-screen UI; add --plain for line prompts (screen readers, serial consoles), or set TERM (e.g. TERM=xterm)",
        ));
    }
    Ok(())
}

/// The process's one runtime (`validate::runtime`); the full-screen UI's is `screen_runtime`.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime> {
    crate::validate::runtime().context("cannot start the async runtime")
}

pub(super) fn run(config: &Path, state: &Path, g: &Globals, setup: impl FnOnce(&mut Wizard)) -> Result<u8> {
    check_terminal()?;
    let rt = crate::validate::screen_runtime().context("cannot start the async runtime")?;
    run_in(&rt, config, state, g, setup)
}

pub(super) fn run_in(
    rt: &tokio::runtime::Runtime,
    config: &Path,
    state: &Path,
    g: &Globals,
    setup: impl FnOnce(&mut Wizard),
) -> Result<u8> {
    let _log = super::init_log(state, g.log_file.as_deref());
    let mut wizard = Wizard::new(config.display().to_string());
    wizard.new_profile.ca_file = canonical_ca(g)?;
    setup(&mut wizard);
    let parts = (crate::providers::store(config), Results::of(state, config), g.options());
    let ended = rt.block_on(tui::run(wizard, parts, g.theme))?;
    for name in &ended.saved {
        eprintln!("Saved profile \"{name}\" in {}", config.display());
    }
    Ok(match ended.signal {
        Some(n) => 128 + n as u8,
        None => exit::OK,
    })
}
