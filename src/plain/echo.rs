//! The terminal's echo, off while a secret is typed and always back on afterwards: when the read
//! ends, when a panic unwinds through the guard, and on SIGINT, SIGTERM or SIGHUP (plain mode's
//! signal task calls [`restore`] before exiting). Only echo changes: the terminal stays in line
//! mode, so typing, Backspace and paste work as at any shell prompt.

use rustix::termios::{LocalModes, OptionalActions, Termios, tcgetattr, tcsetattr};
use std::sync::{Mutex, MutexGuard};

/// The terminal's settings from before echo was turned off, while it is off.
static SAVED: Mutex<Option<Termios>> = Mutex::new(None);

/// Echo is off while this lives.
pub struct EchoOff(());

impl Drop for EchoOff {
    fn drop(&mut self) {
        restore();
    }
}

/// Turns echo off on stdin, keeping the newline of Enter visible so the next line starts on a line
/// of its own. `None` when stdin is not a terminal or refuses the change.
pub fn off() -> Option<EchoOff> {
    let stdin = std::io::stdin();
    let before = tcgetattr(&stdin).ok()?;
    let mut quiet = before.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    // Saved before the change, so a signal arriving in between still restores.
    *saved() = Some(before);
    // `Now`, not `Flush`: a secret pasted right after the prompt must not be thrown away.
    if tcsetattr(&stdin, OptionalActions::Now, &quiet).is_err() {
        saved().take();
        return None;
    }
    Some(EchoOff(()))
}

/// Puts back the settings saved by [`off`], if echo is off; otherwise does nothing.
pub fn restore() {
    if let Some(t) = saved().take() {
        let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, &t);
    }
}

fn saved() -> MutexGuard<'static, Option<Termios>> {
    // A panic while holding the lock leaves the settings usable: take them anyway.
    SAVED.lock().unwrap_or_else(|e| e.into_inner())
}
