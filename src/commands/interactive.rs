//! The full-screen commands: the home screen, `add PROVIDER`, and `demo` (the same TUI against the
//! loopback simulator, in a temporary config). With `--plain` (or `ACCESSIBLE`), the same three as
//! line prompts (`crate::plain`), sharing the set-up here.

use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::{Globals, exit};
use crate::plain;
use crate::profile::results::Results;
use crate::providers::ProviderId;
use crate::providers::threecx::demo::demo_accounts;
use crate::providers::threecx::simulated::{Behaviour, ThreeCxAccount, ThreeCxSite};
use crate::simulator::Simulator;
use crate::tui;
use crate::wizard::{DemoInfo, NewDefaults, Wizard};

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
fn plain_session(config: &Path, state: &Path, g: &Globals, new: NewDefaults) -> plain::Session {
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
fn canonical_ca(g: &Globals) -> Result<Option<PathBuf>> {
    g.ca().map(|ca| std::fs::canonicalize(ca).with_context(|| format!("--ca-file {}", ca.display()))).transpose()
}

/// `pbxlink simulator`: the demo's simulator on its own, until Ctrl-C or SIGTERM; then prints how
/// many requests and TLS handshakes it served (the benchmark reads this).
#[inline(never)] // its own code, paged in only when it runs: see `commands::dispatch`
pub fn simulator(ca_out: &Path, extra: usize) -> Result<u8> {
    let rt = runtime()?;
    rt.block_on(async {
        // The demo's PBX, with the benchmark's accounts added.
        let keys: Vec<String> = (0..extra).map(|i| format!("bench-key-{i}")).collect();
        let bench = keys.iter().enumerate().map(|(i, k)| ThreeCxAccount::new(&format!("bench{i}"), k, Behaviour::Good));
        let pbx = ThreeCxSite::new(demo_accounts().into_iter().chain(bench).collect());
        let sim = crate::providers::demo::simulator_with(ProviderId::ThreeCx, std::sync::Arc::new(pbx)).await?;
        std::fs::write(ca_out, &sim.ca_pem).with_context(|| format!("cannot write {}", ca_out.display()))?;
        println!("simulator listening: domain {} (CA in {})", sim.domain(), ca_out.display());
        if extra > 0 {
            println!("  client ids bench0..bench{}, api keys bench-key-0..: works", extra - 1);
        }
        for a in crate::providers::demo::accounts(&sim) {
            let (name, label) = (&a.provider.guide().name, a.secret_label.to_lowercase());
            println!("  {name} client id {}, {label} {}: {}", a.client_id, a.secret, a.what);
        }
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        println!("served requests={} handshakes={}", sim.requests().len(), sim.handshakes());
        anyhow::Ok(())
    })?;
    Ok(exit::OK)
}

#[inline(never)] // its own code, paged in only when it runs: see `commands::dispatch`
pub fn demo(config: Option<&Path>, g: &Globals) -> Result<u8> {
    if g.plain {
        let rt = runtime()?;
        let d = demo_setup(&rt, config)?;
        let session =
            plain::Session { demo: Some(d.info.clone()), ..plain_session(&d.config, &d.state, g, d.new_defaults()) };
        let code = plain::run(&rt, session, plain::Start::Home)?;
        println!("Demo profiles were written to {}", d.config.display());
        return Ok(code);
    }
    check_terminal()?;
    let rt = crate::validate::screen_runtime().context("cannot start the async runtime")?;
    let d = demo_setup(&rt, config)?;
    let code = run_in(&rt, &d.config, &d.state, g, |w| {
        w.demo = Some(d.info.clone());
        w.new_profile = d.new_defaults();
    })?;
    println!("Demo profiles were written to {}", d.config.display());
    Ok(code)
}

/// What `demo` runs against, in either mode: the simulator (running in `rt` until dropped), a
/// temporary directory with its CA, a sample template and the state, and the profiles file.
struct Demo {
    sim: Simulator,
    config: PathBuf,
    state: PathBuf,
    ca_path: PathBuf,
    info: DemoInfo,
}

impl Demo {
    /// New demo profiles trust the simulator's CA, and a host no guide asks for (8x8's API host)
    /// is the simulator's.
    fn new_defaults(&self) -> NewDefaults {
        let hosts = ProviderId::ALL.iter().flat_map(|p| p.schema().fields.iter().filter(|d| !d.asked(p.guide())));
        let values = hosts
            .filter(|d| d.kind == crate::profile::schema::Kind::Text(crate::guide::FieldKind::Host))
            .map(|d| (d.key, self.sim.domain()))
            .collect();
        NewDefaults { ca_file: Some(self.ca_path.clone()), values }
    }
}

fn demo_setup(rt: &tokio::runtime::Runtime, config: Option<&Path>) -> Result<Demo> {
    let dir = tempfile::Builder::new()
        .prefix("pbxlink-demo-")
        .tempdir()
        .context("cannot create a temporary directory")?
        .keep();
    // The demo writes to its own temporary file unless --config says otherwise on its command
    // line: a PBXLINK_CONFIG exported for real use must not receive demo profiles.
    let from_env = std::env::var_os("PBXLINK_CONFIG").map(PathBuf::from);
    let config = config
        .filter(|c| from_env.as_deref() != Some(*c))
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join("profiles.toml"));
    let state = dir.join("state");
    let sim = rt.block_on(crate::providers::demo::simulator())?;
    let ca_path = dir.join("demo-ca.pem");
    std::fs::write(&ca_path, &sim.ca_pem).context("cannot write the demo CA")?;
    // A template as a browser saves a second download: a name 3CX refuses, to show the safe copy.
    let downloads = dir.join("Downloads");
    std::fs::create_dir_all(&downloads).context("cannot create the demo Downloads directory")?;
    let template = downloads.join("CX Engine (1).xml");
    std::fs::write(&template, crate::simulator::DEMO_TEMPLATE).context("cannot write the demo template")?;
    let info = DemoInfo {
        domain: sim.domain(),
        accounts: crate::providers::demo::accounts(&sim),
        template: Some(template.display().to_string()),
    };
    Ok(Demo { sim, config, state, ca_path, info })
}

/// Refuses to start the full-screen UI where it cannot work, saying what to use instead (a usage
/// error: exit 2, as for `add` without a terminal).
fn check_terminal() -> Result<()> {
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
fn runtime() -> Result<tokio::runtime::Runtime> {
    crate::validate::runtime().context("cannot start the async runtime")
}

fn run(config: &Path, state: &Path, g: &Globals, setup: impl FnOnce(&mut Wizard)) -> Result<u8> {
    check_terminal()?;
    let rt = crate::validate::screen_runtime().context("cannot start the async runtime")?;
    run_in(&rt, config, state, g, setup)
}

fn run_in(
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
