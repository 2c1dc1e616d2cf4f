//! The driver: turns terminal events and signals into `Msg`s, feeds them to the wizard, runs the
//! effects it returns, and draws once per batch of messages (never on idle, and the spinner ticks
//! only while a validation runs). SIGINT, SIGTERM and SIGHUP take the normal way out, so the
//! terminal is restored and nothing is left half-written.
//!
//! The loop ([`drive`]) knows neither the real terminal nor the real effects: it draws on any
//! [`Display`] (every ratatui `Terminal`, whatever its `Backend`; the real one adds synchronized
//! updates and the clipboard) and hands effects to any [`Effects`]. [`run`] plugs in the crossterm
//! terminal and the [`Executor`]; whole-app tests plug in a `TestBackend` and drive key sequences.

mod lean;
pub mod terminal;

pub use crate::effects::{Effects, Executor, load_home};

use anyhow::Result;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{self, UnboundedReceiver};

use crate::ui::{self, Theme};
use crate::wizard::{Msg, Wizard};

/// How the session ended.
pub struct Ended {
    /// The signal that ended it, if one did (for the 128+n exit code).
    pub signal: Option<i32>,
    /// Profiles saved during the session.
    pub saved: Vec<String>,
}

/// What the driver draws on.
pub trait Display {
    /// Columns and rows.
    fn size(&mut self) -> Result<(u16, u16)>;
    /// Draws the wizard as one frame.
    fn show(&mut self, wizard: &Wizard, theme: &Theme) -> Result<()>;
    /// Puts `text` on the user's clipboard, where the display can.
    fn clipboard(&mut self, text: &secrecy::SecretString) -> Result<()>;
    /// Gives the terminal back and stops the process (Ctrl-Z, SIGTSTP); returns once it is
    /// continued, the display taken back.
    fn suspend(&mut self) -> Result<()> {
        Ok(())
    }
    /// Takes the display back after the process was continued by someone else (SIGCONT).
    fn resume(&mut self) -> Result<()> {
        Ok(())
    }
}

/// The signals that stop and continue the process, as the driver hears them.
const SIGTSTP: i32 = 20;
const SIGCONT: i32 = 18;

/// Any ratatui terminal (a `TestBackend` in tests): frames drawn plainly, no clipboard.
impl<B: Backend> Display for Terminal<B>
where
    B::Error: Send + Sync + 'static,
{
    fn size(&mut self) -> Result<(u16, u16)> {
        let s = Terminal::size(self)?;
        Ok((s.width, s.height))
    }

    fn show(&mut self, wizard: &Wizard, theme: &Theme) -> Result<()> {
        self.draw(|f| ui::draw(f, wizard, theme))?;
        Ok(())
    }

    fn clipboard(&mut self, _text: &secrecy::SecretString) -> Result<()> {
        Ok(())
    }
}

/// Maps a terminal event to a message; `None` for events the wizard does not care about.
pub fn to_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind == KeyEventKind::Press => Some(Msg::Key(k)),
        Event::Paste(s) => Some(Msg::Paste(s)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

/// For the benchmark (the `test-hooks` feature only): with `PBXLINK_BENCH_FRAME_FILE` set, writes
/// the time the first frame was drawn (nanoseconds since the epoch) there.
fn mark_first_frame() {
    #[cfg(feature = "test-hooks")]
    if let Some(path) = std::env::var_os("PBXLINK_BENCH_FRAME_FILE") {
        let ns = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let _ = std::fs::write(path, ns.to_string());
    }
}

/// Runs the TUI on the real terminal until the user quits or a signal arrives.
pub async fn run(
    wizard: Wizard,
    exec_parts: (crate::profile::store::Store, crate::profile::results::Results, crate::validate::Options),
    theme: Theme,
) -> Result<Ended> {
    let (sig_tx, sig_rx) = mpsc::unbounded_channel();
    // SIGQUIT ends the session like the others (restored, exit 131); SIGTSTP (Ctrl-Z from a
    // shell's `kill -TSTP`) suspends it, SIGCONT takes the terminal back after any stop.
    let kinds = [
        (SignalKind::terminate(), 15),
        (SignalKind::hangup(), 1),
        (SignalKind::interrupt(), 2),
        (SignalKind::quit(), 3),
        (SignalKind::from_raw(SIGTSTP), SIGTSTP),
        (SignalKind::from_raw(SIGCONT), SIGCONT),
    ];
    for (kind, n) in kinds {
        let mut s = signal(kind)?;
        let tx = sig_tx.clone();
        tokio::spawn(async move {
            while s.recv().await.is_some() {
                if tx.send(n).is_err() {
                    break;
                }
            }
        });
    }
    // The guard exists before the terminal changes, so a failure half-way still restores it.
    let _guard = terminal::Guard;
    let mut tty = terminal::Tty(terminal::enter()?);
    let (tx, rx) = mpsc::unbounded_channel::<Msg>();
    let (store, results, opts) = exec_parts;
    let mut exec = Executor::new(store, results, opts, tx.clone());
    // Terminal events are forwarded by their own task into the same channel as effect results,
    // so one `try_recv` loop drains everything that is waiting before a draw.
    tokio::spawn(async move {
        let mut events = EventStream::new();
        loop {
            let msg = match events.next().await {
                Some(Ok(ev)) => match to_msg(ev) {
                    Some(m) => m,
                    None => continue,
                },
                // EOF or EIO: the terminal is gone (an SSH drop). Leave instead of spinning.
                Some(Err(_)) | None => Msg::Quit,
            };
            let quit = matches!(msg, Msg::Quit);
            if tx.send(msg).is_err() || quit {
                break;
            }
        }
    });
    let ended = drive(wizard, &mut tty, &mut exec, rx, sig_rx, &theme).await;
    drop(tty);
    terminal::restore();
    ended
}

/// The loop: draws the first frame before anything is read, then takes messages (`inbox`: keys,
/// effect results) and signals (`signals`: their numbers) until the wizard or an effect ends the
/// session. Generic over the display and the effects, so tests run the whole app in one piece.
pub async fn drive(
    mut wizard: Wizard,
    display: &mut impl Display,
    exec: &mut impl Effects,
    mut inbox: UnboundedReceiver<Msg>,
    mut signals: UnboundedReceiver<i32>,
    theme: &Theme,
) -> Result<Ended> {
    wizard.size = display.size()?;
    // Draw before reading anything: the first frame never waits for disk or network.
    display.show(&wizard, theme)?;
    mark_first_frame();
    for fx in wizard.start() {
        exec.run(fx);
    }
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ended_by = None;
    // A deliberate crash on the first key, so tests can prove a panic restores the terminal (the
    // `test-hooks` feature only).
    #[cfg(feature = "test-hooks")]
    let panic_on_key = std::env::var_os("PBXLINK_PANIC_ON_KEY").is_some();
    loop {
        let busy = wizard.busy();
        let first = tokio::select! {
            Some(m) = inbox.recv() => Some(m),
            _ = ticker.tick(), if busy => Some(Msg::Tick),
            Some(n) = signals.recv() => match n {
                SIGTSTP => { display.suspend()?; Some(Msg::Tick) }
                SIGCONT => { display.resume()?; Some(Msg::Tick) }
                n => { ended_by = Some(n); Some(Msg::Quit) }
            }
        };
        let mut batch: Vec<Msg> = first.into_iter().collect();
        // Take everything else already waiting, then draw once.
        while let Ok(m) = inbox.try_recv() {
            batch.push(m);
        }
        if batch.is_empty() {
            continue;
        }
        for msg in batch {
            // Ctrl-Z, as any full-screen program takes it: leave the screen, stop, come back.
            if let Msg::Key(k) = &msg
                && k.code == crossterm::event::KeyCode::Char('z')
                && k.modifiers.contains(crossterm::event::KeyModifiers::CONTROL)
            {
                display.suspend()?;
                continue;
            }
            #[cfg(feature = "test-hooks")]
            if panic_on_key && matches!(msg, Msg::Key(_)) {
                panic!("PBXLINK_PANIC_ON_KEY is set: crashing on purpose to test terminal restore");
            }
            if let Msg::Saved(Ok(_)) = &msg {
                exec.confirm_saved();
            }
            for fx in wizard.update(msg) {
                exec.run(fx);
            }
        }
        if exec.exit() || wizard.quitting {
            break;
        }
        if let Some(text) = exec.take_clipboard() {
            display.clipboard(&text)?;
        }
        display.show(&wizard, theme)?;
    }
    Ok(Ended { signal: ended_by, saved: exec.saved() })
}
