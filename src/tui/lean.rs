//! The terminal backend: crossterm's, writing fewer bytes per frame. Over SSH to a distant PBX
//! every byte of a keystroke's redraw crosses the link, so a frame says only what changed:
//!
//! - after the changed cells, one `SGR 0` when the pen is not already plain (crossterm's backend
//!   resets foreground, background, underline colour and attributes after every frame: 20 bytes);
//! - the cursor is shown or hidden only when that changes (crossterm's says "show" every frame);
//! - a frame whose first changed cell is where the cursor was left (the character typed at the
//!   caret) starts there without a move;
//! - a style change that only adds attributes adds them; one that removes any starts from `SGR 0`.
//!
//! Everything else (size, clearing, the cursor position query) is crossterm's backend's.

use std::io::{self, Write};

use crossterm::cursor::{Hide, MoveTo, Show};
use crossterm::queue;
use crossterm::style::{Attribute, Color as CColor, Colors, SetAttribute, SetColors, SetUnderlineColor};
use ratatui::backend::{Backend, ClearType, CrosstermBackend, IntoCrossterm, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};

pub struct Lean<W: Write> {
    inner: CrosstermBackend<W>,
    /// Whether the terminal shows the cursor, once pbxlink has said so (`None` before).
    cursor_shown: Option<bool>,
    /// Where the cursor was put after the last frame; `None` once anything may have moved it.
    /// Only the synchronized-update markers and OSC 52 are written between frames, and neither
    /// moves it; a resize clears the screen, which forgets it.
    cursor_at: Option<Position>,
}

impl<W: Write> Lean<W> {
    pub fn new(writer: W) -> Self {
        Lean { inner: CrosstermBackend::new(writer), cursor_shown: None, cursor_at: None }
    }
}

impl<W: Write> Write for Lean<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

/// The pen: what the next printed cell would look like.
#[derive(Clone, Copy, PartialEq)]
struct Pen {
    fg: Color,
    bg: Color,
    underline: Color,
    modifier: Modifier,
}

const PLAIN: Pen = Pen { fg: Color::Reset, bg: Color::Reset, underline: Color::Reset, modifier: Modifier::empty() };

/// The SGR attribute that turns each modifier on.
const ATTRIBUTES: [(Modifier, Attribute); 9] = [
    (Modifier::BOLD, Attribute::Bold),
    (Modifier::DIM, Attribute::Dim),
    (Modifier::ITALIC, Attribute::Italic),
    (Modifier::UNDERLINED, Attribute::Underlined),
    (Modifier::SLOW_BLINK, Attribute::SlowBlink),
    (Modifier::RAPID_BLINK, Attribute::RapidBlink),
    (Modifier::REVERSED, Attribute::Reverse),
    (Modifier::HIDDEN, Attribute::Hidden),
    (Modifier::CROSSED_OUT, Attribute::CrossedOut),
];

fn crossterm_color(c: Color) -> CColor {
    c.into_crossterm()
}

/// Writes what turns `from` into `to`; returns `to`.
fn restyle(w: &mut impl Write, from: Pen, to: Pen) -> io::Result<Pen> {
    let mut from = from;
    if !(from.modifier - to.modifier).is_empty() {
        // Turning attributes off one by one is terminal lore (bold and dim share one "off");
        // starting from plain is exact.
        queue!(w, SetAttribute(Attribute::Reset))?;
        from = PLAIN;
    }
    for (m, a) in ATTRIBUTES {
        if to.modifier.contains(m) && !from.modifier.contains(m) {
            queue!(w, SetAttribute(a))?;
        }
    }
    if (to.fg, to.bg) != (from.fg, from.bg) {
        queue!(w, SetColors(Colors::new(crossterm_color(to.fg), crossterm_color(to.bg))))?;
    }
    if to.underline != from.underline {
        queue!(w, SetUnderlineColor(crossterm_color(to.underline)))?;
    }
    Ok(to)
}

impl<W: Write> Backend for Lean<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let w = &mut self.inner;
        let mut pen = PLAIN;
        // Where the cursor is: where the last frame left it, then after each printed cell (one
        // column on; after a wide character the next changed cell is further, and is moved to).
        let mut at = self.cursor_at.take();
        for (x, y, cell) in content {
            if at != Some(Position { x, y }) {
                queue!(w, MoveTo(x, y))?;
            }
            at = Some(Position { x: x.saturating_add(1), y });
            let want = Pen { fg: cell.fg, bg: cell.bg, underline: cell.underline_color, modifier: cell.modifier };
            if want != pen {
                pen = restyle(w, pen, want)?;
            }
            w.write_all(cell.symbol().as_bytes())?;
        }
        if pen != PLAIN {
            queue!(w, SetAttribute(Attribute::Reset))?;
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown != Some(false) {
            queue!(self.inner, Hide)?;
            self.cursor_shown = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown != Some(true) {
            queue!(self.inner, Show)?;
            self.cursor_shown = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.cursor_at = None;
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        queue!(self.inner, MoveTo(p.x, p.y))?;
        self.cursor_at = Some(p);
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.cursor_at = None;
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.cursor_at = None;
        self.inner.clear_region(clear_type)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.cursor_at = None;
        self.inner.append_lines(n)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;
    use std::sync::{Arc, Mutex};

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Tape(Arc<Mutex<Vec<u8>>>);

    impl Write for Tape {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("tape").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Tape {
        fn take(&self) -> String {
            String::from_utf8(std::mem::take(&mut *self.0.lock().expect("tape"))).expect("utf-8")
        }
    }

    fn cell(symbol: &'static str, style: Style) -> Cell {
        let mut c = Cell::new(symbol);
        c.set_style(style);
        c
    }

    #[test]
    fn plain_cells_are_moves_and_text_only() {
        let tape = Tape::default();
        let mut b = Lean::new(tape.clone());
        let (a, bee, far) = (cell("a", Style::new()), cell("b", Style::new()), cell("z", Style::new()));
        b.draw([(0, 0, &a), (1, 0, &bee), (5, 2, &far)].into_iter()).expect("draw");
        // Adjacent cells need no move; nothing to reset after plain text.
        assert_eq!(tape.take(), "\x1b[1;1Hab\x1b[3;6Hz");
    }

    #[test]
    fn a_styled_run_is_set_once_and_reset_once() {
        let tape = Tape::default();
        let mut b = Lean::new(tape.clone());
        let bold = Style::new().bold();
        let (x, y, plain) = (cell("x", bold), cell("y", bold), cell("p", Style::new()));
        b.draw([(0, 0, &x), (1, 0, &y)].into_iter()).expect("draw");
        assert_eq!(tape.take(), "\x1b[1;1H\x1b[1mxy\x1b[0m");
        // Bold, then plain: dropping an attribute starts from plain, and the frame ends plain.
        b.draw([(0, 0, &x), (1, 0, &plain)].into_iter()).expect("draw");
        assert_eq!(tape.take(), "\x1b[1;1H\x1b[1mx\x1b[0mp");
        // Adding colour to bold keeps the bold.
        let red = cell("r", bold.fg(Color::Red));
        b.draw([(0, 0, &x), (1, 0, &red)].into_iter()).expect("draw");
        assert_eq!(tape.take(), "\x1b[1;1H\x1b[1mx\x1b[38;5;1;49mr\x1b[0m");
    }

    #[test]
    fn a_frame_starting_at_the_cursor_needs_no_move() {
        let tape = Tape::default();
        let mut b = Lean::new(tape.clone());
        let (e, url) = (cell("e", Style::new()), cell("e", Style::new().bold()));
        b.set_cursor_position(Position { x: 8, y: 19 }).expect("caret");
        tape.take();
        // The key typed at the caret, then the live line below it.
        b.draw([(8, 19, &e), (33, 21, &url)].into_iter()).expect("draw");
        assert_eq!(tape.take(), "e\x1b[22;34H\x1b[1me\x1b[0m");
        // Printing moved the cursor: the next frame moves first, unless it was put back.
        b.draw([(8, 19, &e)].into_iter()).expect("draw");
        assert_eq!(tape.take(), "\x1b[20;9He");
        b.set_cursor_position(Position { x: 9, y: 19 }).expect("caret");
        b.clear().expect("clear");
        tape.take();
        b.draw([(9, 19, &e)].into_iter()).expect("draw");
        assert_eq!(tape.take(), "\x1b[20;10He", "a clear forgets where the cursor is");
    }

    #[test]
    fn the_cursor_is_shown_or_hidden_only_when_that_changes() {
        let tape = Tape::default();
        let mut b = Lean::new(tape.clone());
        b.show_cursor().expect("show");
        b.set_cursor_position(Position { x: 3, y: 1 }).expect("move");
        assert_eq!(tape.take(), "\x1b[?25h\x1b[2;4H");
        b.show_cursor().expect("show");
        b.set_cursor_position(Position { x: 4, y: 1 }).expect("move");
        assert_eq!(tape.take(), "\x1b[2;5H", "already shown");
        b.hide_cursor().expect("hide");
        b.hide_cursor().expect("hide");
        assert_eq!(tape.take(), "\x1b[?25l");
    }
}
