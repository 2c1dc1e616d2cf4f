//! What each command does, and the mapping of outcomes to exit codes. `main` only calls [`main`].

mod interactive;
mod profiles;

use anyhow::Result;
use clap::Parser;
use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Exit codes (documented in the README).
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("pbxlink: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}

fn dispatch(cli: Cli) -> Result<u8> {
    let config = crate::paths::config_file(cli.config.clone())?;
    match cli.command {
        None => interactive::home(&config, cli.ca_file.as_deref()),
        Some(Command::Add { provider }) => {
            interactive::add(&config, cli.ca_file.as_deref(), provider)
        }
        Some(Command::Demo) => interactive::demo(cli.config.as_deref(), cli.ca_file.as_deref()),
        Some(Command::List) => profiles::list(&config),
        Some(Command::Show { name }) => profiles::show(&config, &name),
        Some(Command::Remove { name, yes }) => profiles::remove(&config, &name, yes),
    }
}
