//! The command line, as clap definitions. What each command does is in `commands`.

mod field_flags;

use clap::{Args, Parser, Subcommand, ValueEnum};
pub use field_flags::{FieldFlags, SecretSource};
use std::path::PathBuf;

/// What Nagios Core keeps of a plugin's output (its MAX_PLUGIN_OUTPUT_LENGTH): the default of
/// `validate --nagios-max-bytes`.
pub const NAGIOS_MAX_BYTES: usize = 8192;

#[derive(Debug, Parser)]
#[command(
    name = "pbxlink",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("PBXLINK_COMMIT"), ", TLS rustls with ring)"),
    about = "Link telephony accounts (3CX, 8x8, the CX-Engine CRM connector) from the terminal and keep those links healthy.",
    after_help = "Without a command, pbxlink opens the full-screen home screen (with --plain, line prompts).\nExit codes: 0 ok, 1 error, 2 usage or config error, 3 credentials or access rejected, 4 could not reach or no verdict, 5 (validate --strict) a health finding."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The options every command takes, before or after its name.
#[derive(Debug, Args)]
pub struct Global {
    /// The profiles file [default: ~/.config/pbxlink/profiles.toml]
    #[arg(long, global = true, env = "PBXLINK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Also trust this CA (PEM) for validations, besides the system roots
    #[arg(long, global = true, value_name = "PATH")]
    pub ca_file: Option<PathBuf>,

    /// Connect directly, ignoring HTTPS_PROXY and ALL_PROXY
    #[arg(long, global = true)]
    pub no_proxy: bool,

    /// Write the log here instead of <state dir>/pbxlink.log
    #[arg(long, global = true, env = "PBXLINK_LOG_FILE", value_name = "PATH")]
    pub log_file: Option<PathBuf>,

    /// Draw with ASCII only (automatic when the locale is not UTF-8)
    #[arg(long, global = true)]
    pub ascii: bool,

    /// Colours: auto (off with NO_COLOR), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Plain mode: the home screen, `add` and `demo` as line prompts instead of the full-screen UI,
    /// for screen readers, serial consoles, TERM=dumb and piped answers (also ACCESSIBLE=1)
    #[arg(long, global = true)]
    pub plain: bool,

    /// Read the secret references (env:, command:, keyring) of a file someone else wrote, for this
    /// run: an imported file's, or a profiles file another user owns. Without it they are refused:
    /// such a file could make pbxlink run a program or send your variables elsewhere
    #[arg(long, global = true)]
    pub allow_references: bool,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Try the whole TUI against a built-in simulator of the vendor APIs (no PBX needed; not in
    /// the static PBX-host build)
    Demo,
    /// Link a new account: opens the guide, or with --non-interactive takes everything from flags
    Add(Box<AddArgs>),
    /// Re-validate saved profiles, concurrently; never prompts, never writes profiles.toml
    Validate(ValidateArgs),
    /// List saved profiles with their last validation result
    List {
        /// One JSON document instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Show one profile, secrets redacted to their last 4 characters
    Show {
        #[arg(add = profile_names())]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Change fields of a saved profile (KEY=VALUE, or add's flags), keeping every other field
    /// and comment; validates before saving unless --no-validate
    Set(SetArgs),
    /// Rename a profile; its results and history follow, and profiles that link it are updated
    Rename {
        #[arg(add = profile_names())]
        old: String,
        new: String,
    },
    /// Add many profiles from a CSV (with a header row) or TOML file: validated concurrently, the
    /// ones that pass saved in one write, a line per row
    Import(ImportArgs),
    /// Write saved profiles as CSV or TOML (for import elsewhere): secrets as their references, or
    /// left out
    Export(ExportArgs),
    /// Print an access token for a profile, alone on stdout (curl -H "Authorization: Bearer
    /// $(pbxlink token office)"); a token issued before is given again while it lasts
    Token {
        #[arg(add = profile_names())]
        name: String,
        /// Ask for a new token even when one issued before still works (with 3CX this ends the
        /// token any other program using the Client ID holds)
        #[arg(long)]
        fresh: bool,
    },
    /// One authenticated API request with a profile (like `gh api`): GET by default, the answer's
    /// body on stdout
    Api(ApiArgs),
    /// A profile's last results (up to 100), oldest first, with their times (UTC)
    History {
        #[arg(add = profile_names())]
        name: String,
        /// One JSON document instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Remove a profile (asks first in a terminal; needs --yes otherwise)
    Remove {
        #[arg(add = profile_names())]
        name: String,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Print the files and directories pbxlink uses
    Paths,
    /// 3CX tools: list service principals, generate an app token for one
    #[command(name = "3cx", subcommand)]
    ThreeCx(ThreeCxCommand),
    #[command(flatten)]
    Vendor(crate::providers::VendorCommand),
    /// Print static shell completions (without profile names)
    ///
    /// For completions that also offer the saved profile names, have the shell ask pbxlink
    /// itself: `source <(PBXLINK_COMPLETE=bash pbxlink)` in ~/.bashrc (zsh likewise;
    /// fish: `PBXLINK_COMPLETE=fish pbxlink | source`). Only PBXLINK_COMPLETE asks for that:
    /// a COMPLETE variable in the environment is ignored.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Run the vendor API simulator on loopback until interrupted (for trying `validate`)
    #[cfg(feature = "simulator")]
    #[command(hide = true)]
    Simulator {
        /// Write the simulator's throw-away CA here
        #[arg(long, value_name = "PATH")]
        ca_out: PathBuf,
        /// Also serve N working accounts, client ids bench0..bench(N-1), keys bench-key-0..
        #[arg(long, default_value_t = 0)]
        accounts: usize,
        /// Name N loopback addresses from 127.0.1.0 on in the certificate too (for PBXs on many
        /// hosts behind a delay link)
        #[arg(long, default_value_t = 0)]
        hosts: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum ThreeCxCommand {
    /// List the service principals (API integrations) of the PBX a 3CX profile signs in to; the
    /// profile's own is marked. Needs an admin-level role (System Owner or System Admin)
    Principals {
        /// A saved 3CX profile
        #[arg(add = profile_names())]
        profile: String,
        /// One JSON document instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Generate a new app token for one service principal and print it on stdout (only there).
    /// The principal's current key may stop working
    AppToken {
        /// A saved 3CX profile, used to sign in
        #[arg(add = profile_names())]
        profile: String,
        /// The principal's Id (`pbxlink 3cx principals` lists them)
        #[arg(long)]
        id: i32,
        /// Do not ask for confirmation (needed without a terminal)
        #[arg(long)]
        yes: bool,
        /// Validate the token, then save it as 3CX profile NAME (created, or replaced if it is 3CX)
        #[arg(long, value_name = "NAME")]
        save_to: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(value_enum)]
    pub provider: crate::providers::ProviderId,
    /// Profile name (letters, digits, - and _)
    #[arg(long)]
    pub name: Option<String>,
    /// The profile's fields, one flag each, derived from the vendors' schemas.
    #[command(flatten)]
    pub fields: FieldFlags,
    /// Take everything from flags; never open the TUI or prompt
    #[arg(long)]
    pub non_interactive: bool,
    /// Save without validating first
    #[arg(long)]
    pub no_validate: bool,
    /// Replace an existing profile of the same name
    #[arg(long)]
    pub force: bool,
}

/// Completes a profile name from the saved profiles (`PBXLINK_COMPLETE=bash pbxlink`, clap_complete's
/// dynamic completion): the profiles file named by `PBXLINK_CONFIG`, else the default one. A
/// file that cannot be read completes nothing.
fn profile_names() -> clap_complete::ArgValueCandidates {
    clap_complete::ArgValueCandidates::new(|| {
        let Ok(path) = crate::paths::config_file(std::env::var_os("PBXLINK_CONFIG").map(PathBuf::from)) else {
            return Vec::new();
        };
        let Ok(loaded) = crate::providers::store(path).load() else { return Vec::new() };
        loaded.names().into_iter().map(clap_complete::CompletionCandidate::new).collect()
    })
}

#[derive(Debug, Args)]
pub struct ApiArgs {
    #[arg(add = profile_names())]
    pub name: String,
    /// The API's own path: /xapi/v1/Users (3CX), /storage/... (8x8)
    pub path: String,
    /// GET, POST, PUT, PATCH or DELETE; any but GET asks first in a terminal
    #[arg(long, short = 'X', default_value = "GET")]
    pub method: String,
    /// A JSON body field, KEY=VALUE (numbers, true, false and null typed), repeatable
    #[arg(long, short = 'f', value_name = "KEY=VALUE")]
    pub field: Vec<String>,
    /// Follow @odata.nextLink and print every page's value as one document
    #[arg(long)]
    pub paginate: bool,
    /// Send a request other than GET without asking
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The profile to change
    #[arg(add = profile_names())]
    pub name: String,
    /// Fields to set: domain=pbx.example.com, products=cloud-storage,cc-chat, ca_file=PATH,
    /// warn_days=60; an optional field left empty (ca_file=) is removed. Secrets never here:
    /// use the -stdin, -file, -env or -ref flags
    #[arg(value_name = "KEY=VALUE")]
    pub pairs: Vec<String>,
    /// The same fields as `add`'s flags, the secret from its -stdin, -file or -env flag
    #[command(flatten)]
    pub fields: FieldFlags,
    /// Save without validating first
    #[arg(long)]
    pub no_validate: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: CSV with a header row (name,provider,domain,client_id,api_key,...) or TOML with
    /// [profiles.NAME] tables
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The file's format [default: from its name (.csv, .toml), else from its text]
    #[arg(long, value_enum)]
    pub format: Option<crate::profile::exchange::Format>,
    /// Save every well-formed row without validating it
    #[arg(long)]
    pub no_validate: bool,
    /// Replace saved profiles of the same name (otherwise such a row is refused)
    #[arg(long)]
    pub replace: bool,
    /// One JSON document instead of a line per row
    #[arg(long)]
    pub json: bool,
    /// How many validations run at once
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Seconds each request may take
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The profiles to write [default: all]
    #[arg(add = profile_names())]
    pub names: Vec<String>,
    /// csv or toml [default: from --output's name, else csv]
    #[arg(long, value_enum)]
    pub format: Option<crate::profile::exchange::Format>,
    /// Write to this file (0600) instead of stdout
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Profiles to validate
    #[arg(add = profile_names())]
    pub names: Vec<String>,
    /// Validate every profile
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
    /// One JSON document on stdout
    #[arg(long, conflicts_with = "nagios")]
    pub json: bool,
    /// Nagios/Icinga plugin output and exit codes 0/1/2/3: a status line naming the failing
    /// profiles, a line per profile, perfdata; kept within --nagios-max-bytes
    #[arg(long)]
    pub nagios: bool,
    /// The most bytes of --nagios output (Nagios Core keeps 8192); 0 for no bound (Icinga 2).
    /// Failing profiles come first; what does not fit is counted, never silently dropped
    #[arg(long, value_name = "BYTES", default_value_t = NAGIOS_MAX_BYTES, requires = "nagios")]
    pub nagios_max_bytes: usize,
    /// The results in Prometheus's text format on stdout, instead of the lines
    #[arg(long, conflicts_with_all = ["json", "nagios"])]
    pub prometheus: bool,
    /// Also write the results in Prometheus's text format to this file, atomically (0644), for
    /// node_exporter's textfile collector
    #[arg(long, value_name = "PATH")]
    pub prometheus_file: Option<std::path::PathBuf>,
    /// Instead of validating, show what the key may read (3CX: users, trunks, call history,
    /// active calls, recordings, service principals, system status), one GET each with $top=1
    #[arg(long, conflicts_with_all = ["nagios", "strict", "prometheus", "prometheus_file", "health"])]
    pub capabilities: bool,
    /// How many profiles to validate at once
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Seconds allowed for each request (connecting is bounded separately, at most 5 s)
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
    /// Health: a licence, maintenance or certificate ending within this many days is a warning
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub warn_days: i64,
    /// Print every health fact under each working profile's line: licence, expiry dates, trunks,
    /// extensions, backups, services, disk, quotas, version, the server certificate
    #[arg(long, conflicts_with_all = ["json", "nagios", "prometheus"])]
    pub health: bool,
    /// Health findings count: exit 5 when every link works but a finding was raised
    #[arg(long)]
    pub strict: bool,
    /// Health: ending within this many days is critical (at most --warn-days)
    #[arg(long, value_name = "DAYS", default_value_t = 7, value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub crit_days: i64,
    /// Health: a last backup older than this many days is a warning
    #[arg(long, value_name = "DAYS", default_value_t = 14, value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub backup_days: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Plain mode is asked for by `--plain`, or by `ACCESSIBLE` set to anything but empty or `0` (the
/// variable screen-reader set-ups export for command-line tools).
pub fn plain_requested(flag: bool, accessible: Option<&std::ffi::OsStr>) -> bool {
    flag || accessible.is_some_and(|v| !v.is_empty() && v != "0")
}

#[cfg(test)]
mod tests {
    use super::plain_requested;
    use std::ffi::OsStr;

    #[test]
    fn accessible_selects_plain_mode() {
        assert!(plain_requested(true, None));
        assert!(!plain_requested(false, None));
        assert!(plain_requested(false, Some(OsStr::new("1"))));
        assert!(plain_requested(false, Some(OsStr::new("yes"))));
        assert!(!plain_requested(false, Some(OsStr::new(""))));
        assert!(!plain_requested(false, Some(OsStr::new("0"))));
    }
}
