//! The reference for `scripts/bench`: a minimal ratatui program (two bordered blocks and a one-line
//! input, nothing else), so pbxlink's terminal figures can be put beside what ratatui itself costs.
//! With `REF_SPINNER=1` it redraws a spinner every 100 ms, like pbxlink while validating.

use crossterm::event::{self, Event, KeyCode, KeyEventKind};
use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::time::Duration;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

fn main() -> std::io::Result<()> {
    let mut term = ratatui::init();
    let mut input = Input::default();
    let spinner = std::env::var_os("REF_SPINNER").is_some();
    let mut frame = 0usize;
    let mut first = true;
    loop {
        term.draw(|f| {
            let [a, b] = Layout::vertical([Constraint::Min(3), Constraint::Length(3)]).areas(f.area());
            let spin = if spinner { ["|", "/", "-", "\\"][frame % 4] } else { " " };
            f.render_widget(
                Paragraph::new(format!("{spin} reference"))
                    .block(Block::default().borders(Borders::ALL).title(" ref ")),
                a,
            );
            f.render_widget(
                Paragraph::new(input.value()).block(Block::default().borders(Borders::ALL).title(" input ")),
                b,
            );
            f.set_cursor_position((b.x + 1 + input.visual_cursor() as u16, b.y + 1));
        })?;
        if first {
            first = false;
            if let Some(path) = std::env::var_os("PBXLINK_BENCH_FRAME_FILE") {
                let ns = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0);
                std::fs::write(path, ns.to_string())?;
            }
        }
        if !event::poll(Duration::from_millis(if spinner { 100 } else { 60_000 }))? {
            frame += 1;
            continue;
        }
        if let Event::Key(k) = event::read()? {
            if k.kind != KeyEventKind::Press {
                continue;
            }
            if k.code == KeyCode::Esc {
                break;
            }
            input.handle_event(&Event::Key(k));
        }
    }
    ratatui::restore();
    Ok(())
}
