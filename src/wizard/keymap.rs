//! The guide's keys, as one table: for each situation a guide can be in, which keys do what and
//! what the footer says about them. The handler (`GuideState::key`) looks keys up here and acts on
//! the front-end-neutral [`Action`]; the footer (`ui::guide::keys`) is drawn from the same rows,
//! so the two cannot disagree. Keys the wizard handles on every screen (help, quit) are in
//! [`GLOBAL`], which the footer and the help screen both read.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the user asks of a guide, whatever the front end (the TUI's keys map to these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Continue, choose, check, save, finish: what Enter means on the step.
    Next,
    /// Go back a step, cancel a running check, or leave (asking first when something was typed).
    Back,
    /// Tick or untick the focused box.
    Toggle,
    Up,
    Down,
    NextField,
    PrevField,
    /// Complete the focused file path.
    Complete,
    /// Show or hide secrets.
    Reveal,
    /// Check the values again.
    Retry,
    ScrollUp,
    ScrollDown,
    /// A key for the focused field (typing, moving the cursor, deleting).
    Type(KeyEvent),
}

/// Where a guide is, as far as its keys are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Situation {
    /// Saved: any of Enter, Esc or q finishes.
    Saved,
    Info,
    /// Tick boxes (several: Up/Down moves between them).
    Ticks {
        several: bool,
    },
    /// One option of a list (a method, the 3CX profile to link).
    Choose,
    /// A form whose focused field is a file path (Tab completes it).
    FormPath,
    /// A form (with a secret field: Ctrl-R, named by what it will do).
    Form {
        secret: bool,
        revealed: bool,
    },
    Validating,
    /// The check is over.
    Checked {
        ok: bool,
    },
    Review,
}

/// One row of the table: the keys, the action, and the footer's word for it ("" hides the row
/// from the footer, for a second key of the same action or one said elsewhere).
/// A row with no keys only names, in the footer, a key another layer handles (`?`, Ctrl-C).
#[derive(Clone, Copy)]
pub struct Binding<A = Action> {
    pub keys: &'static [KeyCode],
    pub ctrl: bool,
    /// The key as the footer names it.
    pub label: &'static str,
    pub what: &'static str,
    pub action: A,
}

pub const fn bind<A>(label: &'static str, keys: &'static [KeyCode], what: &'static str, action: A) -> Binding<A> {
    Binding { keys, ctrl: false, label, what, action }
}

/// The action of the first row `k` matches: a Ctrl row only with Ctrl; a plain row also with Ctrl
/// when no Ctrl row takes the key (Ctrl-J moves as j does, as before the tables).
pub fn find<A: Copy>(rows: &[Binding<A>], k: KeyEvent) -> Option<A> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let exact = rows.iter().find(|b| b.ctrl == ctrl && b.keys.contains(&k.code));
    exact.or_else(|| rows.iter().find(|b| !b.ctrl && b.keys.contains(&k.code))).map(|b| b.action)
}

/// The rows the footer names, in order.
pub fn named<A>(rows: &[Binding<A>]) -> Vec<(&'static str, &'static str)> {
    rows.iter().filter(|b| !b.what.is_empty()).map(|b| (b.label, b.what)).collect()
}

use KeyCode::{BackTab, Down, Enter, Esc, PageDown, PageUp, Tab, Up};

const ENTER: &[KeyCode] = &[Enter];
const ESC: &[KeyCode] = &[Esc];

/// The rows every guide step has besides its own, none named in the footer.
const ANY_STEP: &[Binding] = &[
    bind("PgDn", &[PageDown], "", Action::ScrollDown),
    bind("PgUp", &[PageUp], "", Action::ScrollUp),
    Binding { keys: &[KeyCode::Char('r')], ctrl: true, label: "Ctrl-R", what: "", action: Action::Reveal },
];

/// The table.
pub fn bindings(s: Situation) -> Vec<Binding> {
    let mut rows = match s {
        Situation::Saved => vec![
            bind("Enter", ENTER, "finish", Action::Next),
            bind("Esc", &[Esc, KeyCode::Char('q')], "", Action::Next),
        ],
        Situation::Info => vec![bind("Enter", ENTER, "continue", Action::Next), bind("Esc", ESC, "back", Action::Back)],
        Situation::Ticks { several } => vec![
            bind("Up/Down", &[Up, BackTab], if several { "move" } else { "" }, Action::Up),
            bind("Down", &[Down, Tab], "", Action::Down),
            bind("Space", &[KeyCode::Char(' ')], "tick", Action::Toggle),
            bind("Enter", ENTER, "continue", Action::Next),
            bind("Esc", ESC, "back", Action::Back),
        ],
        Situation::Choose => vec![
            bind("Up/Down", &[Up, BackTab, KeyCode::Char('k')], "move", Action::Up),
            bind("Down", &[Down, Tab, KeyCode::Char('j')], "", Action::Down),
            bind("Enter", &[Enter, KeyCode::Char(' ')], "choose", Action::Next),
            bind("Esc", ESC, "back", Action::Back),
        ],
        Situation::FormPath => vec![
            bind("Enter", ENTER, "check", Action::Next),
            bind("Tab", &[Tab], "complete", Action::Complete),
            bind("Down", &[Down], "", Action::NextField),
            bind("Up", &[Up, BackTab], "", Action::PrevField),
            bind("Esc", ESC, "back", Action::Back),
        ],
        Situation::Form { secret, revealed } => {
            let mut v = vec![
                bind("Enter", ENTER, "continue", Action::Next),
                bind("Tab", &[Tab, Down], "next", Action::NextField),
                bind("Up", &[Up, BackTab], "", Action::PrevField),
                bind("Esc", ESC, "back", Action::Back),
            ];
            if secret {
                let what = if revealed { "hide" } else { "reveal" };
                v.push(Binding {
                    keys: &[KeyCode::Char('r')],
                    ctrl: true,
                    label: "Ctrl-R",
                    what,
                    action: Action::Reveal,
                });
            }
            v
        }
        Situation::Validating => vec![bind("Esc", ESC, "cancel and go back", Action::Back)],
        Situation::Checked { ok: true } => vec![
            bind("Enter", ENTER, "continue", Action::Next),
            bind("r", &[KeyCode::Char('r')], "re-check", Action::Retry),
            bind("Esc", ESC, "back", Action::Back),
        ],
        Situation::Checked { ok: false } => vec![
            bind("r", &[KeyCode::Char('r')], "retry", Action::Retry),
            bind("Esc", ESC, "back to fix", Action::Back),
            // Enter says what to press instead.
            bind("Enter", ENTER, "", Action::Next),
        ],
        Situation::Review => vec![
            bind("Enter", ENTER, "save", Action::Next),
            // Between the name and where the secret is kept.
            bind("Tab", &[KeyCode::Tab, KeyCode::Down], "next field", Action::NextField),
            bind("Up", &[KeyCode::Up, KeyCode::BackTab], "", Action::PrevField),
            bind("Esc", ESC, "back", Action::Back),
        ],
    };
    if s != Situation::Saved {
        rows.extend(ANY_STEP.iter().copied());
    }
    rows
}

/// The action `k` asks for in situation `s`: a row of the table, else a key for the focused field.
pub fn action(s: Situation, k: KeyEvent) -> Action {
    find(&bindings(s), k).unwrap_or(Action::Type(k))
}

/// The footer of situation `s`: its named rows, then the keys of every screen (F1 for help inside
/// a secret field, where `?` is typed). A saved guide names only how to finish.
pub fn footer(s: Situation, in_secret: bool) -> Vec<(&'static str, &'static str)> {
    let mut keys = named(&bindings(s));
    if s != Situation::Saved {
        keys.push(if in_secret { ("F1", "help") } else { ("?", "help") });
        keys.push(("Ctrl-C", "quit"));
    }
    keys
}

/// The keys of every screen, for the help screen: (key, what it does).
pub const GLOBAL: &[(&str, &str)] = &[
    ("Enter", "continue, submit, or validate the selected profile"),
    ("Esc", "go back (asks before discarding what you typed)"),
    ("a", "on the home screen: add an account"),
    ("V", "on the home screen: validate every profile"),
    ("e", "on the home screen: edit the selected profile"),
    ("d", "on the home screen: remove it (asks first)"),
    ("p", "on a 3CX profile: its service principals, app tokens"),
    ("g", "on a service principal: generate an app token (asks first)"),
    ("c", "after a 3CX check: what the key may read; app token: copy it"),
    ("s", "on a new app token: save it as a 3CX profile"),
    ("Tab", "next field (Shift-Tab: previous); in a file path: complete it"),
    ("Up/Down", "move between options; Enter chooses"),
    ("Space", "tick or untick the focused box"),
    ("r", "after a check: check again"),
    ("h", "after a check: all the system says (licence, trunks, certificate)"),
    ("Ctrl-R", "reveal or hide a secret"),
    ("PgUp/PgDn", "scroll a long text"),
    ("? or F1", "this help (F1 inside a secret field)"),
    ("q", "on the home screen: quit"),
    ("Ctrl-C", "quit at once"),
];

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Situation; 12] = [
        Situation::Saved,
        Situation::Info,
        Situation::Ticks { several: true },
        Situation::Ticks { several: false },
        Situation::Choose,
        Situation::FormPath,
        Situation::Form { secret: true, revealed: false },
        Situation::Form { secret: false, revealed: false },
        Situation::Validating,
        Situation::Checked { ok: true },
        Situation::Checked { ok: false },
        Situation::Review,
    ];

    fn press(code: KeyCode, ctrl: bool) -> KeyEvent {
        KeyEvent::new(code, if ctrl { KeyModifiers::CONTROL } else { KeyModifiers::NONE })
    }

    #[test]
    fn every_key_does_what_its_row_says() {
        // A key listed in two rows of one situation would do only the first row's action, and the
        // footer would promise the second.
        for s in ALL {
            for b in bindings(s) {
                for &code in b.keys {
                    assert_eq!(action(s, press(code, b.ctrl)), b.action, "{s:?}: {} ({code:?})", b.label);
                }
            }
        }
    }

    #[test]
    fn the_help_names_every_key_a_footer_names() {
        let help: Vec<&str> = GLOBAL.iter().flat_map(|(k, _)| k.split(" or ")).collect();
        for s in ALL {
            for in_secret in [false, true] {
                for (label, _) in footer(s, in_secret) {
                    assert!(help.contains(&label), "{s:?}: the help does not say what {label} does");
                }
            }
        }
    }

    #[test]
    fn a_typed_letter_is_typed_where_a_field_is_focused() {
        for s in [Situation::Form { secret: true, revealed: false }, Situation::FormPath, Situation::Review] {
            for c in ['j', 'k', 'q', 'r', ' ', '?'] {
                let k = press(KeyCode::Char(c), false);
                assert_eq!(action(s, k), Action::Type(k), "{s:?}: {c:?} must reach the field");
            }
        }
        // Where no field is, the same letters move or retry.
        assert_eq!(action(Situation::Choose, press(KeyCode::Char('j'), false)), Action::Down);
        assert_eq!(action(Situation::Checked { ok: false }, press(KeyCode::Char('r'), false)), Action::Retry);
        assert_eq!(action(Situation::Saved, press(KeyCode::Char('q'), false)), Action::Next);
    }

    #[test]
    fn a_plain_row_also_answers_with_ctrl_unless_a_ctrl_row_takes_the_key() {
        assert_eq!(action(Situation::Choose, press(KeyCode::Char('j'), true)), Action::Down);
        assert_eq!(action(Situation::Checked { ok: true }, press(KeyCode::Char('r'), true)), Action::Reveal);
        assert_eq!(action(Situation::Checked { ok: true }, press(KeyCode::Char('r'), false)), Action::Retry);
    }
}
