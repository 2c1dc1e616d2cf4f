//! Entering and leaving full-screen mode. One `restore` undoes everything, step by step and
//! best-effort (a failed step never skips the others), and it is called on every way out: normal
//! exit, error, panic (hook), and signals (which the driver routes into the normal quit).

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use std::io::{self, Stdout, stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Held while a frame is written and while the terminal is restored, so that a panic on another
/// thread (a validation task) cannot restore the terminal in the middle of a frame, nor a frame be
/// drawn on the restored terminal over the panic message.
static SCREEN: Mutex<()> = Mutex::new(());

/// [`SCREEN`], waiting at most `wait`: a panic raised while this very thread draws (the lock
/// already held here) must still restore the terminal, a moment later.
fn lock_screen(wait: Duration) -> Option<MutexGuard<'static, ()>> {
    let deadline = Instant::now() + wait;
    loop {
        match SCREEN.try_lock() {
            Ok(g) => return Some(g),
            Err(TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(1)),
            Err(TryLockError::WouldBlock) => return None,
        }
    }
}

pub type Term = Terminal<super::lean::Lean<Stdout>>;

/// Raw mode, alternate screen, bracketed paste; installs the restoring panic hook first.
pub fn enter() -> io::Result<Term> {
    install_panic_hook();
    ACTIVE.store(true, Ordering::SeqCst);
    let entered = enable_raw_mode()
        .and_then(|()| execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste))
        .and_then(|()| Terminal::new(super::lean::Lean::new(stdout())));
    if entered.is_err() {
        restore();
    }
    entered
}

/// Puts the terminal back as it was. Safe to call more than once; only the first call acts.
pub fn restore() {
    let _screen = lock_screen(Duration::from_millis(200));
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = stdout();
    // Clear first: on a terminal without an alternate screen, no secret stays in the scrollback.
    let _ = execute!(out, Clear(ClearType::All));
    let _ = execute!(out, DisableBracketedPaste);
    let _ = execute!(out, LeaveAlternateScreen);
    let _ = execute!(out, Show);
    let _ = disable_raw_mode();
}

/// Leaves full-screen mode and stops the process, as a shell's Ctrl-Z stops any program; when the
/// shell continues it (`fg`), full-screen mode comes back and the next frame is drawn whole.
/// SIGSTOP, which no handler catches, does the stopping: SIGTSTP is caught here, to get here.
pub fn suspend(term: &mut Term) -> io::Result<()> {
    {
        let _screen = lock_screen(Duration::from_millis(200));
        let mut out = stdout();
        let _ = execute!(out, DisableBracketedPaste);
        let _ = execute!(out, LeaveAlternateScreen);
        let _ = execute!(out, Show);
        let _ = disable_raw_mode();
    }
    rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::STOP)?;
    resume(term)
}

/// Puts full-screen mode back after the process was continued (`fg`), whoever stopped it and
/// whatever the shell did to the terminal meanwhile, and makes the next frame a whole one.
pub fn resume(term: &mut Term) -> io::Result<()> {
    let _screen = lock_screen(Duration::from_millis(200));
    if !ACTIVE.load(Ordering::SeqCst) {
        return Ok(());
    }
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste, Clear(ClearType::All))?;
    term.hide_cursor()?;
    // The screen is blank now: a blank frame makes ratatui's idea of it blank too, so the next
    // frame is drawn whole. (`Terminal::clear` would ask the terminal for the cursor position,
    // whose answer the key reader takes.)
    term.draw(|f| f.render_widget(ratatui::widgets::Clear, f.area())).map(|_| ())
}

/// The real terminal, as the driver's display.
pub struct Tty(pub Term);

impl super::Display for Tty {
    fn size(&mut self) -> anyhow::Result<(u16, u16)> {
        let s = self.0.size()?;
        Ok((s.width, s.height))
    }

    fn show(&mut self, wizard: &crate::wizard::Wizard, theme: &crate::ui::Theme) -> anyhow::Result<()> {
        Ok(draw(&mut self.0, |f| crate::ui::draw(f, wizard, theme))?)
    }

    fn clipboard(&mut self, text: &secrecy::SecretString) -> anyhow::Result<()> {
        Ok(copy_to_clipboard(text)?)
    }

    fn suspend(&mut self) -> anyhow::Result<()> {
        Ok(suspend(&mut self.0)?)
    }

    fn resume(&mut self) -> anyhow::Result<()> {
        Ok(resume(&mut self.0)?)
    }
}

/// Draws one frame inside a synchronized update (DEC mode 2026): terminals that support it show
/// the frame at once instead of painting it in pieces over a slow link; the others ignore the
/// unknown private mode, as ECMA-48 asks.
pub fn draw(term: &mut Term, f: impl FnOnce(&mut ratatui::Frame)) -> io::Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    let _screen = SCREEN.lock().unwrap_or_else(|p| p.into_inner());
    if !ACTIVE.load(Ordering::SeqCst) {
        // Restored already (a panic elsewhere is on its way out): leave its message readable.
        return Ok(());
    }
    crossterm::queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
    let drawn = term.draw(f).map(|_| ());
    // Always end the update, even when the draw failed, or the terminal would stop painting.
    execute!(term.backend_mut(), EndSynchronizedUpdate)?;
    drawn
}

/// Puts `text` on the clipboard of the terminal the user sits at (OSC 52), which works over SSH.
/// Terminals that do not allow it ignore the sequence.
pub fn copy_to_clipboard(text: &secrecy::SecretString) -> io::Result<()> {
    use base64::Engine;
    use secrecy::ExposeSecret;
    use std::io::Write;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.expose_secret());
    let mut out = stdout();
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}

/// Restores on drop, so an early `?` return cannot leave the terminal raw.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
        // A panic in a background task would otherwise leave the UI running on a restored
        // terminal: end the process instead.
        std::process::exit(101);
    }));
}
