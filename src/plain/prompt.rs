//! Line prompts: prints text that can never hold an escape sequence (control characters are
//! dropped; in ASCII mode other characters become look-alikes), asks a question and reads one line
//! (from a terminal or a pipe alike), reads secrets with the terminal's echo off, and reads
//! yes/no, a number from a numbered list, or several numbers.

use std::io::{BufRead, Read, Write};

use super::echo;

/// Why a prompt got no answer.
#[derive(Debug)]
pub enum Stop {
    /// Input ended: Ctrl-D in a terminal, or the end of piped answers.
    Eof,
    Io(std::io::Error),
}

/// Longest answer kept per line (nothing pbxlink asks for comes near it).
const MAX_LINE: u64 = 64 * 1024;

/// Where plain mode writes: every text goes through [`clean`].
pub struct Output {
    w: Box<dyn Write + Send>,
    ascii: bool,
}

impl Output {
    /// Prints `text` and a newline. A closed output is ignored: reading then ends the session.
    pub fn say(&mut self, text: &str) {
        let _ = writeln!(self.w, "{}", clean(text, self.ascii));
    }

    fn prompt(&mut self, text: &str) {
        let _ = write!(self.w, "{}", clean(text, self.ascii));
        let _ = self.w.flush();
    }
}

pub struct Prompter {
    input: Box<dyn BufRead>,
    pub out: Output,
    /// Answers come from a terminal, which shows what is typed (secrets aside). From a pipe nothing
    /// is shown, so a newline is printed after each answer to keep the transcript readable.
    tty: bool,
}

impl Prompter {
    pub fn new(input: Box<dyn BufRead>, out: Box<dyn Write + Send>, tty: bool, ascii: bool) -> Self {
        Prompter { input, out: Output { w: out, ascii }, tty }
    }

    /// Prompts on stdout, answers from stdin.
    pub fn stdio(ascii: bool) -> Self {
        use std::io::IsTerminal;
        let tty = std::io::stdin().is_terminal();
        Self::new(Box::new(std::io::stdin().lock()), Box::new(std::io::stdout()), tty, ascii)
    }

    pub fn tty(&self) -> bool {
        self.tty
    }

    pub fn say(&mut self, text: &str) {
        self.out.say(text);
    }

    /// Prints `prompt` and returns the line typed, without its line ending.
    pub fn ask(&mut self, prompt: &str) -> Result<String, Stop> {
        self.out.prompt(prompt);
        let line = self.read_line();
        if !self.tty {
            self.out.say("");
        }
        line
    }

    /// [`ask`](Self::ask) with the terminal's echo off, so the answer is never shown.
    pub fn ask_secret(&mut self, prompt: &str) -> Result<String, Stop> {
        let quiet = if self.tty { echo::off() } else { None };
        if self.tty && quiet.is_none() {
            self.out.say("Note: this terminal would not turn echo off; what you type will show.");
        }
        let line = self.ask(prompt);
        drop(quiet);
        line
    }

    /// Asks until the answer is yes or no.
    pub fn yes_no(&mut self, prompt: &str) -> Result<bool, Stop> {
        loop {
            match yes_no(&self.ask(prompt)?) {
                Some(b) => return Ok(b),
                None => self.say("Type yes or no."),
            }
        }
    }

    /// Asks for one number from `lo` to `hi`; Enter alone takes `default` when there is one.
    pub fn number(&mut self, lo: usize, hi: usize, default: Option<usize>) -> Result<usize, Stop> {
        let prompt = match default {
            Some(d) => format!("Type a number [{d}]: "),
            None => "Type a number: ".to_string(),
        };
        loop {
            let line = self.ask(&prompt)?;
            match (line.trim(), default) {
                ("", Some(d)) => return Ok(d),
                (s, _) => match s.parse::<usize>() {
                    Ok(n) if (lo..=hi).contains(&n) => return Ok(n),
                    _ => self.say(&format!("Type a number from {lo} to {hi}.")),
                },
            }
        }
    }

    /// Asks for at least one of the numbers 1 to `n`, separated by commas; Enter alone keeps
    /// `current` when it is not empty. `refuse` says why none is not an answer.
    pub fn numbers(&mut self, n: usize, current: &[usize], refuse: &str) -> Result<Vec<usize>, Stop> {
        let prompt = if current.is_empty() {
            "Type the numbers, separated by commas: ".to_string()
        } else {
            format!("Type the numbers, separated by commas [{}]: ", join(current))
        };
        loop {
            let line = self.ask(&prompt)?;
            if line.trim().is_empty() && !current.is_empty() {
                return Ok(current.to_vec());
            }
            match numbers(&line, n) {
                Ok(v) if v.is_empty() => self.say(refuse),
                Ok(v) => return Ok(v),
                Err(e) => self.say(&e),
            }
        }
    }

    fn read_line(&mut self) -> Result<String, Stop> {
        let mut buf = Vec::new();
        let n = (&mut self.input).take(MAX_LINE).read_until(b'\n', &mut buf).map_err(Stop::Io)?;
        if n == 0 {
            return Err(Stop::Eof);
        }
        Ok(String::from_utf8_lossy(&buf).trim_end_matches(['\n', '\r']).to_string())
    }
}

/// `text` as plain mode prints it: no control character but the newline (so no escape sequence
/// can move the cursor or colour anything, whatever a server sent), and in ASCII mode an ASCII
/// look-alike for every other character.
pub fn clean(text: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c if ascii && !c.is_ascii() => out.push_str(crate::ui::theme::ascii_lookalike(c.encode_utf8(&mut [0; 4]))),
            c => out.push(c),
        }
    }
    out
}

/// `yes`/`y` or `no`/`n`, in any case.
pub fn yes_no(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Some(true),
        "n" | "no" => Some(false),
        _ => None,
    }
}

/// Numbers from 1 to `n` separated by commas or spaces, sorted, each once; or what is wrong.
pub fn numbers(s: &str, n: usize) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for w in s.split([',', ' ', '\t']).filter(|w| !w.is_empty()) {
        match w.parse::<usize>() {
            Ok(k) if (1..=n).contains(&k) => out.push(k),
            _ => return Err(format!("\"{w}\" is not a number from 1 to {n}.")),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn join(v: &[usize]) -> String {
    v.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn prompter(input: &str) -> (Prompter, Shared) {
        let out = Shared::default();
        let p = Prompter::new(
            Box::new(std::io::Cursor::new(input.as_bytes().to_vec())),
            Box::new(out.clone()),
            false,
            false,
        );
        (p, out)
    }

    fn text(s: &Shared) -> String {
        String::from_utf8(s.0.lock().map(|b| b.clone()).unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn answers_are_read_until_they_fit_then_input_ends() {
        let (mut p, out) = prompter("maybe\nYes\n9\nx\n2\n\n1, 3,3\n");
        assert!(p.yes_no("Sure? ").is_ok_and(|b| b));
        assert!(p.number(1, 3, None).is_ok_and(|n| n == 2));
        assert!(p.number(0, 3, Some(0)).is_ok_and(|n| n == 0), "Enter takes the default");
        assert!(p.numbers(5, &[], "none").is_ok_and(|v| v == [1, 3]));
        assert!(matches!(p.ask("more? "), Err(Stop::Eof)));
        let t = text(&out);
        assert!(t.contains("Type yes or no.") && t.contains("Type a number from 1 to 3."), "{t}");
    }

    #[test]
    fn a_last_line_without_newline_is_an_answer() {
        let (mut p, _) = prompter("abc\r\nlast");
        assert_eq!(p.ask("").ok().as_deref(), Some("abc"));
        assert_eq!(p.ask("").ok().as_deref(), Some("last"));
        assert!(matches!(p.ask(""), Err(Stop::Eof)));
    }

    #[test]
    fn no_escape_sequence_is_ever_printed() {
        assert_eq!(clean("a\u{1b}[2Jb\r\n\u{7}c", false), "a[2Jb\nc");
        assert_eq!(clean("Admin › API • “x” ✓", true), "Admin > API * \"x\" v");
        let (mut p, out) = prompter("");
        p.say("server said \u{1b}[31mred\u{1b}[0m");
        assert!(!text(&out).contains('\u{1b}'));
    }

    #[test]
    fn number_lists() {
        assert_eq!(numbers("2, 1 2", 5), Ok(vec![1, 2]));
        assert_eq!(numbers("", 5), Ok(vec![]));
        assert!(numbers("0", 5).is_err() && numbers("6", 5).is_err() && numbers("a", 5).is_err());
        assert_eq!(yes_no(" Y "), Some(true));
        assert_eq!(yes_no("nope"), None);
    }
}
