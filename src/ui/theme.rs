//! Every style and glyph in one place, so colour and character-set choices (ASCII terminals,
//! NO_COLOR) are made here and nowhere else. Nothing is shown by colour alone: focus and selection
//! also carry a marker or reverse video.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    pub ascii: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme { color: true, ascii: false }
    }
}

impl Theme {
    /// The theme for this terminal: ASCII when asked or when the locale is not UTF-8 (LC_ALL, then
    /// LC_CTYPE, then LANG, as the C library decides), colour unless NO_COLOR is set or refused.
    pub fn detect(ascii: bool, color: Option<bool>, env: impl Fn(&str) -> Option<String>) -> Theme {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].iter().find_map(|k| env(k).filter(|v| !v.is_empty()));
        let utf8 = locale.is_some_and(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("utf-8") || l.contains("utf8")
        });
        let no_color = env("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { ascii: ascii || !utf8, color: color.unwrap_or(!no_color) }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color { Style::new().fg(c) } else { Style::new() }
    }

    pub fn header(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
    pub fn banner(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Yellow)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        if self.color { Style::new().fg(Color::DarkGray) } else { Style::new() }
    }
    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    /// The selected row or focused field: reverse video, so it shows without colour too.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn focus_border(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn border_set(&self) -> border::Set<'static> {
        if self.ascii {
            border::Set {
                top_left: "+",
                top_right: "+",
                bottom_left: "+",
                bottom_right: "+",
                vertical_left: "|",
                vertical_right: "|",
                horizontal_top: "-",
                horizontal_bottom: "-",
            }
        } else {
            border::PLAIN
        }
    }

    pub fn pass_glyph(&self) -> &'static str {
        if self.ascii { "ok" } else { "✓" }
    }
    pub fn fail_glyph(&self) -> &'static str {
        if self.ascii { "XX" } else { "✗" }
    }
    pub fn na_glyph(&self) -> &'static str {
        if self.ascii { "--" } else { "–" }
    }
    pub fn pending_glyph(&self) -> &'static str {
        if self.ascii { ".." } else { "·" }
    }
    pub fn marker(&self) -> &'static str {
        if self.ascii { ">" } else { "›" }
    }
    pub fn mask(&self) -> char {
        if self.ascii { '*' } else { '•' }
    }
    pub fn sep(&self) -> &'static str {
        if self.ascii { " - " } else { " · " }
    }
    pub fn spinner(&self, frame: usize) -> &'static str {
        const UNICODE: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
        const ASCII: [&str; 4] = ["|", "/", "-", "\\"];
        if self.ascii { ASCII[frame % ASCII.len()] } else { UNICODE[frame % UNICODE.len()] }
    }
    pub fn tick_box(&self, on: bool) -> &'static str {
        if on { "[x]" } else { "[ ]" }
    }
    /// A single-choice option: chosen or not.
    pub fn radio(&self, on: bool) -> &'static str {
        match (on, self.ascii) {
            (true, false) => "(•)",
            (true, true) => "(*)",
            (false, _) => "( )",
        }
    }
}

/// In ASCII mode, replaces every non-ASCII character left in the frame (guide text, server
/// answers, host names) with an ASCII look-alike, so a terminal without UTF-8 shows no mojibake.
pub fn asciify(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        let sym = cell.symbol();
        if sym.is_ascii() {
            continue;
        }
        cell.set_symbol(ascii_lookalike(sym));
    }
}

/// The ASCII look-alike of a non-ASCII symbol (`›` is `>`, `•` is `*`; `?` when there is none).
/// Shared by the ASCII theme and plain mode.
pub fn ascii_lookalike(sym: &str) -> &'static str {
    match sym {
        "›" | "»" | "→" => ">",
        "‹" | "«" | "←" => "<",
        "•" | "·" | "●" => "*",
        "–" | "—" | "─" => "-",
        "…" => ".",
        "“" | "”" | "„" => "\"",
        "‘" | "’" => "'",
        "✓" => "v",
        "✗" => "x",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn locale_and_no_color() {
        assert_eq!(Theme::detect(false, None, env(&[("LANG", "en_US.UTF-8")])), Theme { ascii: false, color: true });
        assert_eq!(Theme::detect(false, None, env(&[("LANG", "C")])), Theme { ascii: true, color: true });
        // LC_ALL wins over LANG, LC_CTYPE over LANG.
        assert!(Theme::detect(false, None, env(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])).ascii);
        assert!(!Theme::detect(false, None, env(&[("LC_CTYPE", "C.UTF-8"), ("LANG", "C")])).ascii);
        assert!(Theme::detect(false, None, env(&[])).ascii, "no locale at all: ASCII");
        assert!(!Theme::detect(false, None, env(&[("LANG", "C.UTF-8"), ("NO_COLOR", "1")])).color);
        assert!(
            Theme::detect(false, Some(true), env(&[("LANG", "C.UTF-8"), ("NO_COLOR", "1")])).color,
            "--color always wins"
        );
        assert!(Theme::detect(true, None, env(&[("LANG", "C.UTF-8")])).ascii, "--ascii wins");
    }
}
