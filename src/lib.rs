//! pbxlink: link telephony accounts (3CX, 8x8, the CX-Engine CRM connector) from the terminal and keep
//! those links healthy.
//!
//! Map of the crate:
//! - `wizard`: the pure state machine of the TUI (no I/O, no tokio, no terminal);
//! - `ui`: pure drawing of that state into a ratatui frame;
//! - `tui`: owns the terminal, turns key presses into messages and runs the wizard's effects;
//! - `plain`: the same guides and home as line prompts (`--plain`), for screen readers and pipes;
//! - `validate`: the engine, the only code that talks HTTP; it knows no vendor;
//! - `providers`: one unit per vendor (its profile schema, guide, validation sequence and the pure
//!   reading of its answers), registered in one list;
//! - `profile`: the generic profile model (a vendor's fields as data) and the `profiles.toml` store
//!   (atomic, 0600, comment-keeping);
//! - `guide`: a guide as data (text in `assets/guides/`); `host`: host and URL normal forms;
//! - `files`: reading a file someone named, bounded and only if it is a regular file;
//! - `table`: plain-text tables sized to their content; `redact`: secrets kept out of texts from
//!   servers and child processes;
//! - `simulator`: the loopback HTTPS simulator behind `pbxlink demo` and the tests;
//! - `cli` and `commands`: the command line; `exit`: the exit codes every front end ends with.

#![forbid(unsafe_code)]

pub mod cli;
pub mod clock;
pub mod commands;
pub mod effects;
pub mod exit;
pub mod files;
pub mod guide;
pub mod host;
pub mod paths;
pub mod plain;
pub mod profile;
pub mod providers;
pub mod redact;
pub mod report;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod table;
pub mod text;
pub mod tui;
pub mod ui;
pub mod validate;
pub mod wizard;
