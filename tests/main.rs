//! pbxlink's integration tests, one binary with a module per area (as ripgrep's are): one link
//! step for all of them. `common` holds what they share (the simulator sandbox, the tmux pane, the
//! whole-app harness, a private keyring). Run one area with `cargo test --test main AREA::`.

mod common;

mod app;
mod cli;
mod crash;
mod faults;
mod fuzz;
mod hostile_files;
mod layers;
mod leaks;
mod one_token;
mod plain;
mod principals;
mod proxy;
mod same_answers;
mod screens;
mod terminal;
mod validate;
mod whatwg;
