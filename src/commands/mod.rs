//! What each command does, and the mapping of outcomes to exit codes. `main` only calls [`main`].

mod add;
mod interactive;
mod profiles;
mod template;
mod validate;

use anyhow::Result;
use clap::Parser;
use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Exit codes (documented in the README and `--help`).
pub mod exit {
    /// Everything worked; every profile validated is ok.
    pub const OK: u8 = 0;
    /// pbxlink itself failed (I/O, a bug).
    pub const ERROR: u8 = 1;
    /// Bad flags, an unknown profile, an unreadable or invalid profiles file.
    pub const USAGE: u8 = 2;
    /// The server answered and said no: unauthorized, forbidden, not_found.
    pub const REJECTED: u8 = 3;
    /// No verdict: dns, connect, tls, timeout, rate_limited, server_error, bad_response.
    pub const UNREACHABLE: u8 = 4;
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
    let ca = cli.ca_file.as_deref();
    let color = match cli.color {
        crate::cli::ColorChoice::Auto => None,
        crate::cli::ColorChoice::Always => Some(true),
        crate::cli::ColorChoice::Never => Some(false),
    };
    let theme = crate::ui::Theme::detect(cli.ascii, color, |k| std::env::var(k).ok());
    match cli.command {
        None => interactive::home(&config, ca, theme),
        Some(Command::Add(args)) => add::run(&config, ca, *args, theme),
        Some(Command::Demo) => interactive::demo(cli.config.as_deref(), ca, theme),
        Some(Command::Validate(args)) => validate::run(&config, ca, args),
        Some(Command::List { json }) => profiles::list(&config, json),
        Some(Command::Show { name, json }) => profiles::show(&config, &name, json),
        Some(Command::Remove { name, yes }) => profiles::remove(&config, &name, yes),
        Some(Command::Paths) => profiles::paths(&config),
        Some(Command::CxEngine(crate::cli::CxEngineCommand::CheckTemplate { path, json, write_copy })) => {
            template::check(&path, json, write_copy)
        }
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "pbxlink", &mut std::io::stdout());
            Ok(exit::OK)
        }
        Some(Command::Man) => {
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut std::io::stdout())?;
            Ok(exit::OK)
        }
        Some(Command::Simulator { ca_out, accounts }) => interactive::simulator(&ca_out, accounts),
    }
}
