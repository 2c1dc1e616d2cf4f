//! What each command does, and the mapping of outcomes to exit codes. `main` only calls [`main`].

mod add;
mod api;
mod capabilities;
#[cfg(feature = "simulator")]
mod demo;
mod edit;
mod import;
mod interactive;
mod principals;
mod profiles;
mod token;
mod validate;
mod validate_output;
mod validate_prometheus;

use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub use crate::exit;

/// The flags every command shares.
pub struct Globals {
    pub ca: Option<PathBuf>,
    pub no_proxy: bool,
    pub log_file: Option<PathBuf>,
    pub theme: crate::ui::Theme,
    /// `--plain` or `ACCESSIBLE`: line prompts instead of the full-screen UI.
    pub plain: bool,
    /// What this process is, for other pbxlinks that wait for its one-token lock.
    pub who: String,
    /// `--allow-references`: read the references of files someone else wrote.
    pub allow_references: bool,
}

impl Globals {
    pub fn ca(&self) -> Option<&Path> {
        self.ca.as_deref()
    }

    /// Validation options from the flags (timeouts at their defaults), with the one-token locks
    /// every pbxlink process shares.
    pub fn options(&self) -> crate::validate::Options {
        crate::validate::Options {
            ca_files: self.ca.clone().into_iter().collect(),
            no_proxy: self.no_proxy,
            lock: self.lock(),
            ..Default::default()
        }
    }

    /// The one-token locks in the state directory (none when it cannot be found).
    pub fn lock(&self) -> Option<crate::validate::LockConfig> {
        let dir = crate::paths::state_dir().ok()?.join("locks");
        Some(crate::validate::LockConfig { dir, who: self.who.clone() })
    }
}

/// A usage or configuration problem (bad flags, no terminal for the full screen, an unreadable or
/// invalid profiles file): printed with its fix, exit code [`exit::USAGE`], from every command.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// `e` as a [`UsageError`], keeping its whole message (`{:#}`: every context).
pub fn usage(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::Error::new(UsageError(format!("{e:#}")))
}

/// The environment variable that asks for shell completion (`PBXLINK_COMPLETE=bash pbxlink`).
pub const COMPLETE_VAR: &str = "PBXLINK_COMPLETE";

pub fn main() -> ExitCode {
    // `PBXLINK_COMPLETE=bash pbxlink` prints the shell's dynamic completion script, and the shell
    // then asks pbxlink for candidates (profile names included); otherwise this returns at once.
    // A variable of pbxlink's own: clap's default, `COMPLETE`, may be set in a cron or Nagios
    // environment for something else, and would turn a check into completion output (exit 0).
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command).var(COMPLETE_VAR).complete();
    crash_exit_code();
    let cli = <Cli as clap::Parser>::parse();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => ExitCode::from(exit_for(&e)),
    }
}

/// A panic anywhere ends the process with 101 after its message, in every build: the release
/// build aborts on panic (smaller, no unwinding tables), which would otherwise end with SIGABRT.
/// The TUI and plain mode put their terminal restore in front of this hook.
fn crash_exit_code() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        std::process::exit(101);
    }));
}

/// The one mapping of a command's error to its exit code (and message on stderr).
fn exit_for(e: &anyhow::Error) -> u8 {
    // `pbxlink man | head`: the reader left; nothing is wrong and nothing is said.
    if e.chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
    {
        return exit::OK;
    }
    eprintln!("pbxlink: {e:#}");
    if e.chain().any(|c| c.is::<UsageError>()) { exit::USAGE } else { exit::ERROR }
}

/// Writes `bytes` to stdout at once (errors, a closed pipe among them, are returned, not panicked).
pub(crate) fn print_all(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// Runs the command.
fn dispatch(cli: Cli) -> Result<u8> {
    let config = crate::paths::config_file(cli.global.config.clone())?;
    let color = match cli.global.color {
        crate::cli::ColorChoice::Auto => None,
        crate::cli::ColorChoice::Always => Some(true),
        crate::cli::ColorChoice::Never => Some(false),
    };
    let theme = crate::ui::Theme::detect(cli.global.ascii, color, |k| std::env::var(k).ok());
    let g = Globals {
        ca: cli.global.ca_file.clone(),
        no_proxy: cli.global.no_proxy,
        log_file: cli.global.log_file.clone(),
        theme,
        plain: crate::cli::plain_requested(cli.global.plain, std::env::var_os("ACCESSIBLE").as_deref()),
        who: who(cli.command.as_ref()),
        allow_references: cli.global.allow_references,
    };
    if g.allow_references {
        crate::profile::store::allow_references();
    }
    match cli.command {
        None => interactive::home(&config, &g),
        Some(Command::Add(args)) => add::run(&config, &g, *args),
        #[cfg(feature = "simulator")]
        Some(Command::Demo) => demo::demo(cli.global.config.as_deref(), &g),
        // The static PBX-host build leaves the simulator out (scripts/static): say so, not
        // "unrecognized subcommand", to someone who read about the demo.
        #[cfg(not(feature = "simulator"))]
        Some(Command::Demo) => Err(UsageError(
            "this pbxlink is built without the demo and its simulator (the static PBX-host build \
             leaves them out, as does the Debian package): run it from a default build \
             (`cargo build --release`)"
                .into(),
        )
        .into()),
        Some(Command::Validate(args)) => validate::run(&config, &g, args),
        Some(Command::List { json }) => profiles::list(&config, json),
        Some(Command::Show { name, json }) => profiles::show(&config, &name, json),
        Some(Command::History { name, json }) => profiles::history(&config, &name, json),
        Some(Command::Set(args)) => edit::set(&config, &g, args),
        Some(Command::Rename { old, new }) => edit::rename(&config, &old, &new),
        Some(Command::Import(args)) => import::run(&config, &g, args),
        Some(Command::Export(args)) => import::export(&config, args),
        Some(Command::Token { name, fresh }) => token::run(&config, &g, &name, fresh),
        Some(Command::Api(args)) => api::run(&config, &g, args),
        Some(Command::Remove { name, yes }) => profiles::remove(&config, &name, yes),
        Some(Command::Paths) => profiles::paths(&config, g.log_file.as_deref()),
        Some(Command::ThreeCx(crate::cli::ThreeCxCommand::Principals { profile, json })) => {
            principals::list(&config, &g, &profile, json)
        }
        Some(Command::ThreeCx(crate::cli::ThreeCxCommand::AppToken { profile, id, yes, save_to })) => {
            principals::app_token(&config, &g, &profile, id, yes, save_to.as_deref())
        }
        Some(Command::Vendor(c)) => vendor(c),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Man) => man(),
        #[cfg(feature = "simulator")]
        Some(Command::Simulator { ca_out, accounts, hosts }) => {
            crate::simulator::name_extra_hosts(hosts);
            demo::simulator(&ca_out, accounts)
        }
    }
}

fn vendor(c: crate::providers::VendorCommand) -> Result<u8> {
    let (out, code) = c.run()?;
    print_all(out.as_bytes())?;
    Ok(code)
}

fn completions(shell: clap_complete::Shell) -> Result<u8> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut cmd, "pbxlink", &mut text);
    print_all(&text)?;
    Ok(exit::OK)
}

fn man() -> Result<u8> {
    let mut text = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut text)?;
    print_all(&text)?;
    Ok(exit::OK)
}

/// What a command is, in a few words another pbxlink can show while it waits for it.
fn who(c: Option<&Command>) -> String {
    let what = match c {
        None => "pbxlink (home screen)",
        Some(Command::Demo) => "pbxlink demo",
        Some(Command::Add(_)) => "pbxlink add",
        Some(Command::Validate(_)) => "pbxlink validate",
        Some(Command::ThreeCx(_)) => "pbxlink 3cx",
        Some(Command::Token { .. } | Command::Api(_)) => "pbxlink token",
        Some(_) => "pbxlink",
    };
    what.to_string()
}

/// Logs go to `<state>/pbxlink.log` or `--log-file` (never to the screen), filtered by
/// `PBXLINK_LOG` (a level, or `target=level` pairs as in `RUST_LOG`, default `info`; `off`
/// disables). Secrets are never passed to
/// the logger.
/// A log past this size is moved aside when a run starts: a 5-minute cron job writes some 36 MB a
/// day otherwise.
pub const LOG_MAX_BYTES: u64 = 1024 * 1024;

/// How many logs moved aside are kept (`pbxlink.log.1` the newest).
pub const LOG_KEPT: usize = 3;

/// Moves `path` aside as `path.1` (and `.1` to `.2`, …, the oldest dropped) when it is past
/// [`LOG_MAX_BYTES`]: renames, so a run writing the log meanwhile loses nothing but its place.
fn rotate_log(path: &Path) {
    if std::fs::metadata(path).map_or(true, |m| m.len() < LOG_MAX_BYTES) {
        return;
    }
    let aside = |n: usize| {
        let mut name = path.as_os_str().to_os_string();
        name.push(format!(".{n}"));
        std::path::PathBuf::from(name)
    };
    for n in (1..LOG_KEPT).rev() {
        let _ = std::fs::rename(aside(n), aside(n + 1));
    }
    let _ = std::fs::rename(path, aside(1));
}

pub(crate) fn init_log(state: &Path, file: Option<&Path>) -> Option<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let filter = std::env::var("PBXLINK_LOG").unwrap_or_else(|_| "info".into());
    if filter == "off" {
        return None;
    }
    let path = file.map_or_else(|| state.join("pbxlink.log"), Path::to_path_buf);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::atomic::ensure_private_dir(dir).ok()?;
    }
    // Only a regular file: opening a FIFO to append would wait for a reader for ever.
    if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
        return None;
    }
    rotate_log(&path);
    let file = std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(path).ok()?;
    // `Targets` (levels per target) rather than `EnvFilter`: the same `info` or
    // `pbxlink=debug,hyper=warn`, without the regex engine EnvFilter carries into the binary.
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let targets: tracing_subscriber::filter::Targets = filter.parse().ok()?;
    let fmt = tracing_subscriber::fmt::layer().with_ansi(false).with_writer(std::sync::Mutex::new(file));
    tracing_subscriber::registry().with(fmt).with(targets).try_init().ok()
}
