//! Text shaping shared by every layer: text from elsewhere (a server, a child process, a file)
//! made one safe line, and guide text wrapped the way a reader expects.

/// Collapses whitespace and control characters and cuts to `max` characters, so that text from a
/// server can never move the cursor or break a line in the TUI or a log.
pub fn one_line(s: &str, max: usize) -> String {
    let mut out = String::new();
    for w in s.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.chars().count() > max {
        out = out.chars().take(max.saturating_sub(1)).collect::<String>() + "…";
    }
    out
}

/// Wraps `text` to `width` columns, keeping each source line's indent and hanging list items
/// (`•`, `-`, `1.` wrap under their first word), so steps stay readable at 60 columns.
pub fn wrap_hanging(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            out.push(String::new());
            continue;
        }
        let indent = line.chars().take_while(|c| *c == ' ').count();
        let rest = &line[indent..];
        let marker = list_marker(rest);
        let hang = indent + marker;
        let mut current = " ".repeat(indent);
        let mut len = indent;
        // Whether the output line being built already holds a word (so the next needs a space).
        let mut has_word = false;
        for word in rest.split(' ').filter(|w| !w.is_empty()) {
            let wl = word.chars().count();
            if has_word && len + 1 + wl > width {
                out.push(std::mem::take(&mut current));
                current = " ".repeat(hang);
                len = hang;
                has_word = false;
            }
            if has_word {
                current.push(' ');
                len += 1;
            }
            current.push_str(word);
            len += wl;
            has_word = true;
        }
        out.push(current);
    }
    out
}

/// Width of a list marker at the start of `s` ("• ", "- ", "12. "), or 0.
fn list_marker(s: &str) -> usize {
    if s.starts_with("• ") || s.starts_with("- ") || s.starts_with("* ") {
        return 2;
    }
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && s[digits..].starts_with(". ") {
        return digits + 2;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_takes_out_control_characters() {
        assert_eq!(one_line("a\u{1b}[2Jb", 50), "a [2Jb");
        assert_eq!(one_line("a\n  b\tc", 50), "a b c");
        assert_eq!(one_line("abcdef", 4), "abc…");
    }

    #[test]
    fn hanging_indent() {
        let t = "Intro text that is long enough to wrap.\n  1. Choose a Client ID. It is also the DN.\n  • short";
        assert_eq!(
            wrap_hanging(t, 24),
            vec![
                "Intro text that is long",
                "enough to wrap.",
                "  1. Choose a Client ID.",
                "     It is also the DN.",
                "  • short"
            ]
        );
    }

    #[test]
    fn long_words_and_blank_lines() {
        assert_eq!(wrap_hanging("a\n\nbbbbbbbbbbbbbbbbbbbbbb c", 10), vec!["a", "", "bbbbbbbbbbbbbbbbbbbbbb", "c"]);
    }
}
