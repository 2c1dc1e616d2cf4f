//! The command line, as clap definitions. What each command does is in `commands`.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "pbxlink",
    version,
    about = "Link telephony accounts (3CX) from the terminal and keep those links healthy."
)]
pub struct Cli {
    /// The profiles file [default: ~/.config/pbxlink/profiles.toml]
    #[arg(long, global = true, env = "PBXLINK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Also trust this CA (PEM) for every validation, besides the system roots
    #[arg(long, global = true, value_name = "PATH")]
    pub ca_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Try the whole TUI against a built-in simulator of the vendor APIs (no PBX needed)
    Demo,
    /// Link a new account: opens the guide for PROVIDER
    Add {
        #[arg(value_enum)]
        provider: ProviderArg,
    },
    /// List saved profiles with their last validation result
    List,
    /// Show one profile, secrets redacted
    Show { name: String },
    /// Remove a profile
    Remove {
        name: String,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProviderArg {
    #[value(name = "3cx")]
    ThreeCx,
}
