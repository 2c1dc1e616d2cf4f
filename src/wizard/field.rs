//! One input field: its text (a `tui_input::Input`), how pasted text is cleaned, and the checks
//! that turn it into a value. Secret fields never print their text in `Debug`.

use crossterm::event::{Event, KeyEvent};
use tui_input::{Input, InputRequest, backend::crossterm::to_input_request};

use crate::guide::FieldKind;

/// Longest text a field keeps; longer pastes are cut (no credential is this long).
pub const MAX_LEN: usize = 4096;

#[derive(Clone)]
pub struct Field {
    pub id: String,
    pub kind: FieldKind,
    pub input: Input,
    /// The text is a saved secret, not yet touched: the first edit (a paste, a typed character, a
    /// deletion) replaces it whole, as in a password field, so a new key is never appended to
    /// the old one.
    pub saved: bool,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = if self.kind == FieldKind::Secret {
            format!("<{} chars hidden>", self.input.value().chars().count())
        } else {
            self.input.value().to_string()
        };
        f.debug_struct("Field").field("id", &self.id).field("value", &value).finish()
    }
}

impl Field {
    pub fn new(id: &str, kind: FieldKind, value: &str) -> Self {
        Field { id: id.to_string(), kind, input: Input::new(value.to_string()), saved: false }
    }

    /// A field holding a saved secret: see [`Field::saved`].
    pub fn saved_secret(id: &str, value: &str) -> Self {
        Field { saved: !value.is_empty(), ..Field::new(id, FieldKind::Secret, value) }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// Applies a key; returns true when the text or cursor changed.
    pub fn key(&mut self, key: KeyEvent) -> bool {
        let req = to_input_request(&Event::Key(key));
        if self.saved && req.as_ref().is_some_and(changes_text) {
            // The first edit of a saved secret replaces it: typed, the character is all there is.
            self.replace_saved();
            if let Some(InputRequest::InsertChar(c)) = req {
                self.input.handle(InputRequest::InsertChar(c));
            }
            return true;
        }
        match req {
            Some(InputRequest::InsertChar(_)) if self.input.value().len() >= MAX_LEN => false,
            Some(req) => self.input.handle(req).is_some(),
            None => false,
        }
    }

    fn replace_saved(&mut self) {
        self.input = Input::default();
        self.saved = false;
    }

    /// Inserts cleaned pasted text at the cursor; into a saved secret, in its place.
    pub fn paste(&mut self, text: &str) {
        if self.saved {
            self.replace_saved();
        }
        for c in clean_paste(text).chars() {
            if self.input.value().len() >= MAX_LEN {
                break;
            }
            self.input.handle(InputRequest::InsertChar(c));
        }
    }

    /// The value this field stands for, or why it is not acceptable (with the fix).
    pub fn check(&self) -> Result<String, crate::report::Refusal> {
        self.kind.check(self.value())
    }
}

/// Whether an input request changes the text (rather than moving the cursor).
fn changes_text(req: &InputRequest) -> bool {
    !matches!(
        req,
        InputRequest::GoToPrevChar
            | InputRequest::GoToNextChar
            | InputRequest::GoToPrevWord
            | InputRequest::GoToNextWord
            | InputRequest::GoToStart
            | InputRequest::GoToEnd
    )
}

/// How many non-empty lines a paste had: a field keeps only the first, and says so when there
/// were more (a key pasted with the line after it, a whole e-mail).
pub fn pasted_lines(text: &str) -> usize {
    text.split(['\n', '\r']).filter(|l| !l.trim().is_empty()).count()
}

/// What a single-line field keeps of a paste: the first non-empty line, without control
/// characters (so an embedded ESC or a stray `\e[201~` cannot act), trimmed, and bounded.
pub fn clean_paste(text: &str) -> String {
    let line = text.split(['\n', '\r']).map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    line.chars().filter(|c| !c.is_control()).take(MAX_LEN).collect::<String>().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paste_cleaning() {
        assert_eq!(clean_paste("  key-123\n"), "key-123");
        assert_eq!(clean_paste("\r\n\nabc\r\ndef"), "abc");
        assert_eq!(clean_paste("a\u{1b}[201~b"), "a[201~b");
        assert_eq!(clean_paste("\t x \t"), "x");
        assert_eq!(clean_paste(&"k".repeat(10_000)).len(), MAX_LEN);
        assert_eq!(pasted_lines("key\r\n"), 1);
        assert_eq!(pasted_lines("\nkey\nsecond line\n\nthird"), 3);
    }

    #[test]
    fn checks() {
        let f = |k, v| Field::new("x", k, v).check();
        assert_eq!(f(FieldKind::Host, " https://PBX.example.com:5001/webclient "), Ok("pbx.example.com:5001".into()));
        assert!(f(FieldKind::Host, "a b").is_err());
        assert_eq!(f(FieldKind::Id, " 900 "), Ok("900".into()));
        assert!(f(FieldKind::Secret, "ab cd").is_err());
        assert!(f(FieldKind::Secret, "").is_err());
        assert_eq!(f(FieldKind::Url, "mycompany.cx-engine.app/crm"), Ok("https://mycompany.cx-engine.app".into()));
        assert!(f(FieldKind::Url, "http://x.example").is_err());
        assert_eq!(f(FieldKind::Path, "  "), Ok(String::new()));
        assert_eq!(f(FieldKind::Path, " ~/CX Engine.xml "), Ok("~/CX Engine.xml".into()));
    }

    /// A new key pasted or typed into a saved one replaces it, never follows it.
    #[test]
    fn a_saved_secret_is_replaced_by_the_first_edit() {
        use crossterm::event::{KeyCode, KeyModifiers};
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        let mut f = Field::saved_secret("api_key", "demo-key-900");
        f.paste("new-key-123\n");
        assert_eq!((f.value(), f.saved), ("new-key-123", false));
        f.paste("-4");
        assert_eq!(f.value(), "new-key-123-4", "after the first edit, a paste goes at the cursor");
        let mut f = Field::saved_secret("api_key", "demo-key-900");
        assert!(f.key(key(KeyCode::Left)));
        assert!(f.saved, "moving the cursor is not an edit");
        f.key(key(KeyCode::Char('x')));
        assert_eq!(f.value(), "x");
        let mut f = Field::saved_secret("api_key", "demo-key-900");
        f.key(key(KeyCode::Backspace));
        assert_eq!((f.value(), f.saved), ("", false), "a deletion clears it");
        assert!(!Field::saved_secret("api_key", "").saved);
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Field::new("api_key", FieldKind::Secret, "hunter2-secret");
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
