//! `pbxlink demo` (the whole TUI, or plain mode, against the loopback simulator, in a temporary
//! config) and `pbxlink simulator` (the demo's simulator on its own): the `simulator` feature's
//! commands, absent from the PBX-host build.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

use super::interactive::{check_terminal, plain_session, run_in, runtime};
use super::{Globals, exit};
use crate::plain;
use crate::providers::ProviderId;
use crate::providers::threecx::demo::demo_accounts;
use crate::providers::threecx::simulated::{Behaviour, ThreeCxAccount, ThreeCxSite};
use crate::simulator::Simulator;
use crate::wizard::{DemoInfo, NewDefaults};

/// `pbxlink simulator`: the demo's simulator on its own, until Ctrl-C or SIGTERM; then prints how
/// many requests and TLS handshakes it served (the benchmark reads this).
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
