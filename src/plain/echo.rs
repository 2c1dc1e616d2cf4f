//! The terminal's echo, off while a secret is typed and always back on afterwards: when the read
//! ends, when a panic unwinds through the guard, on SIGINT, SIGTERM, SIGHUP or SIGQUIT (plain
//! mode's signal task calls [`restore`] before exiting), and while the process is stopped
//! (Ctrl-Z: [`suspended`] gives the shell its echo back, and takes it away again on `fg`). Only
//! echo changes: the terminal stays in line mode, so typing, Backspace and paste work as at any
//! shell prompt.

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
    let quiet = quiet_of(&before);
    // Saved before the change, so a signal arriving in between still restores.
    *saved() = Some(before);
    // `Now`, not `Flush`: a secret pasted right after the prompt must not be thrown away.
    if tcsetattr(&stdin, OptionalActions::Now, &quiet).is_err() {
        saved().take();
        return None;
    }
    Some(EchoOff(()))
}

/// The settings `before` with echo off but the newline of Enter shown.
fn quiet_of(before: &Termios) -> Termios {
    let mut quiet = before.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    quiet
}

/// Runs `stop` (which stops the process until it is continued) with the terminal's settings from
/// before echo went off, then, if echo was off, turns it off again: a Ctrl-Z at the secret prompt
/// leaves the shell its echo, and `fg` comes back to the same prompt.
pub fn suspended(stop: impl FnOnce()) {
    let before = saved().clone();
    if let Some(t) = &before {
        let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, t);
    }
    stop();
    if let Some(t) = &before
        && saved().is_some()
    {
        let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, &quiet_of(t));
    }
}

/// After the process was continued by someone else: echo off again where it should be (the shell
/// may have reset the terminal while the process was stopped).
pub fn resumed() {
    if let Some(t) = saved().clone() {
        let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, &quiet_of(&t));
    }
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
