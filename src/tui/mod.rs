//! The driver: owns the terminal, turns terminal events and signals into `Msg`s, feeds them to the
//! wizard, runs the effects it returns, and draws once per batch of messages (never on idle, and
//! the spinner ticks only while a validation runs). SIGINT, SIGTERM and SIGHUP take the normal way
//! out, so the terminal is restored and nothing is left half-written.

mod effects;
pub mod terminal;

pub use effects::{Executor, load_home};

use anyhow::Result;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::ui::{self, Theme};
use crate::wizard::{Msg, Wizard};

/// How the session ended.
pub struct Ended {
    /// The signal that ended it, if one did (for the 128+n exit code).
    pub signal: Option<i32>,
    /// Profiles saved during the session.
    pub saved: Vec<String>,
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

/// For the benchmark: with `PBXLINK_BENCH_FRAME_FILE` set, writes the time the first frame was
/// drawn (nanoseconds since the epoch) there.
fn mark_first_frame() {
    if let Some(path) = std::env::var_os("PBXLINK_BENCH_FRAME_FILE") {
        let ns = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let _ = std::fs::write(path, ns.to_string());
    }
}

/// Runs the TUI until the user quits or a signal arrives.
pub async fn run(
    mut wizard: Wizard,
    exec_parts: (crate::profile::store::Store, crate::profile::results::Results, crate::validate::Options),
    theme: Theme,
) -> Result<Ended> {
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    // The guard exists before the terminal changes, so a failure half-way still restores it.
    let _guard = terminal::Guard;
    let mut term = terminal::enter()?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let (store, results, opts) = exec_parts;
    let mut exec = Executor::new(store, results, opts, tx);
    let size = term.size()?;
    wizard.size = (size.width, size.height);
    // Draw before reading anything: the first frame never waits for disk or network.
    terminal::draw(&mut term, |f| ui::draw(f, &wizard, &theme))?;
    mark_first_frame();
    for fx in wizard.start() {
        exec.run(fx);
    }
    // Terminal events are forwarded by their own task into the same channel as effect results,
    // so one `try_recv` loop drains everything that is waiting before a draw.
    let events_tx = exec.sender();
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
            if events_tx.send(msg).is_err() || quit {
                break;
            }
        }
    });
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ended_by = None;
    // A deliberate crash on the first key, so tests can prove a panic restores the terminal.
    let panic_on_key = std::env::var_os("PBXLINK_PANIC_ON_KEY").is_some();
    loop {
        let busy = wizard.busy();
        let first = tokio::select! {
            Some(m) = rx.recv() => Some(m),
            _ = ticker.tick(), if busy => Some(Msg::Tick),
            _ = sigterm.recv() => { ended_by = Some(15); Some(Msg::Quit) }
            _ = sighup.recv() => { ended_by = Some(1); Some(Msg::Quit) }
            _ = sigint.recv() => { ended_by = Some(2); Some(Msg::Quit) }
        };
        let mut batch: Vec<Msg> = first.into_iter().collect();
        // Take everything else already waiting, then draw once.
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        if batch.is_empty() {
            continue;
        }
        for msg in batch {
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
        if exec.exit || wizard.quitting {
            break;
        }
        if let Some(text) = exec.clipboard.take() {
            terminal::copy_to_clipboard(&text)?;
        }
        terminal::draw(&mut term, |f| ui::draw(f, &wizard, &theme))?;
    }
    drop(term);
    terminal::restore();
    Ok(Ended { signal: ended_by, saved: exec.saved })
}
