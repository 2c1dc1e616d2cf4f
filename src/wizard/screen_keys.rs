//! The keys of the screens around the guides (home, the provider list, a revalidation, the
//! confirmation of a removal, a 3CX profile's service principals), as tables of the same kind as the guide's (`keymap`): each screen's
//! handler looks its keys up here, and the footer is drawn from the same rows.

use crossterm::event::KeyCode::{self, Char, Delete, Down, Enter, Esc, PageDown, PageUp, Up};

use super::keymap::{Binding, bind};

/// What the home screen's keys ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    Up,
    Down,
    Add,
    Validate,
    ValidateAll,
    Edit,
    Remove,
    Principals,
    Quit,
    /// Named in the footer only: `?` is the wizard's, on every screen.
    Help,
}

/// The home screen's keys: adding needs a readable profiles file; a profile's keys are named when
/// there is one (principals on a 3CX profile).
pub fn home(error: bool, empty: bool, three_cx: bool) -> Vec<Binding<Home>> {
    let profile = |what: &'static str| if error || empty { "" } else { what };
    let mut rows = Vec::new();
    if !error {
        rows.push(bind("a", &[Char('a'), Char('n')], "add", Home::Add));
    }
    rows.extend([
        bind("Enter", &[Enter, Char('v')], profile("validate"), Home::Validate),
        bind("V", &[Char('V')], "", Home::ValidateAll),
        bind("e", &[Char('e')], profile("edit"), Home::Edit),
        bind("d", &[Char('d'), Delete], profile("remove"), Home::Remove),
        bind("p", &[Char('p')], if three_cx { profile("principals") } else { "" }, Home::Principals),
        bind("Up", &[Up, Char('k')], "", Home::Up),
        bind("Down", &[Down, Char('j')], "", Home::Down),
        bind("?", &[], "help", Home::Help),
        bind("q", &[Char('q'), Esc], "quit", Home::Quit),
    ]);
    rows
}

/// What the provider list's keys ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choose {
    Up,
    Down,
    Start,
    Back,
}

pub const CHOOSE: &[Binding<Choose>] = &[
    bind("Up/Down", &[Up, Char('k')], "choose", Choose::Up),
    bind("Down", &[Down, Char('j')], "", Choose::Down),
    bind("Enter", &[Enter], "start", Choose::Start),
    bind("Esc", &[Esc], "back", Choose::Back),
];

/// What a revalidation's keys ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revalidate {
    Up,
    Down,
    /// Cancel what runs, and go home.
    Back,
    Again,
    Done,
    /// Read what the selected profile's key may do.
    Capabilities,
    /// Show (or hide) every health fact of the selected profile.
    Health,
    /// Scroll what is shown in place of the checks.
    ScrollDown,
    ScrollUp,
    /// Named in the footer only.
    Help,
    Quit,
}

/// A revalidation's keys: while it runs only leaving is offered; then checking again, moving
/// between several profiles, and (where the selected profile's vendor has them) its capabilities.
pub fn revalidate(running: bool, several: bool, capabilities: bool, health: bool) -> Vec<Binding<Revalidate>> {
    const UP: &[KeyCode] = &[Up, Char('k')];
    const DOWN: &[KeyCode] = &[Down, Char('j')];
    if running {
        return vec![
            bind("Esc", &[Esc, Char('q')], "cancel", Revalidate::Back),
            bind("Ctrl-C", &[], "quit", Revalidate::Quit),
            bind("Up", UP, "", Revalidate::Up),
            bind("Down", DOWN, "", Revalidate::Down),
        ];
    }
    let mut keys = vec![
        bind("Up/Down", UP, if several { "choose" } else { "" }, Revalidate::Up),
        bind("Down", DOWN, "", Revalidate::Down),
        bind("r", &[Char('r')], "again", Revalidate::Again),
    ];
    if health {
        keys.push(bind("h", &[Char('h')], "health", Revalidate::Health));
        keys.push(bind("PgDn", &[PageDown], "", Revalidate::ScrollDown));
        keys.push(bind("PgUp", &[PageUp], "", Revalidate::ScrollUp));
    }
    if capabilities {
        keys.push(bind("c", &[Char('c')], "capabilities", Revalidate::Capabilities));
    }
    keys.extend([
        bind("Esc", &[Esc, Char('q')], "back", Revalidate::Back),
        bind("Enter", &[Enter], "", Revalidate::Done),
        bind("?", &[], "help", Revalidate::Help),
    ]);
    keys
}

/// The confirmation of a removal: y removes, any other key keeps.
pub const CONFIRM_REMOVE: &[Binding<bool>] =
    &[bind("y", &[Char('y'), Char('Y')], "remove", true), bind("other", &[], "keep", false)];

/// What the principals screen's keys ask for. Keys no row names go to the answer being typed
/// (the confirmation's "yes", the token profile's name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principals {
    Up,
    Down,
    Reload,
    Generate,
    Back,
    /// Enter: generate (after "yes"), validate and save the name, or leave the token.
    Next,
    Copy,
    Save,
    Reveal,
    /// Named in the footer only.
    Help,
    Quit,
}

/// Where the principals screen is, for its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalsAt {
    Loading,
    Empty,
    List,
    Confirm,
    Generating,
    /// Naming the token's profile.
    Naming {
        revealed: bool,
    },
    Token {
        saved: bool,
        revealed: bool,
    },
}

/// The principals screen's keys.
pub fn principals(at: PrincipalsAt) -> Vec<Binding<Principals>> {
    use Principals as P;
    const UP: &[KeyCode] = &[Up, Char('k')];
    const DOWN: &[KeyCode] = &[Down, Char('j')];
    const LEAVE: &[KeyCode] = &[Esc, Char('q')];
    let reveal = |revealed: bool| Binding {
        keys: &[Char('r')],
        ctrl: true,
        label: "Ctrl-R",
        what: if revealed { "hide" } else { "reveal" },
        action: P::Reveal,
    };
    match at {
        PrincipalsAt::Loading => vec![
            bind("Esc", LEAVE, "back", P::Back),
            bind("Ctrl-C", &[], "quit", P::Quit),
            bind("Up", UP, "", P::Up),
            bind("Down", DOWN, "", P::Down),
            bind("g", &[Char('g')], "", P::Generate),
        ],
        PrincipalsAt::Empty => vec![
            bind("r", &[Char('r')], "reload", P::Reload),
            bind("Esc", LEAVE, "back", P::Back),
            bind("?", &[], "help", P::Help),
            bind("g", &[Char('g')], "", P::Generate),
        ],
        PrincipalsAt::List => vec![
            bind("Up/Down", UP, "choose", P::Up),
            bind("Down", DOWN, "", P::Down),
            bind("g", &[Char('g')], "generate token", P::Generate),
            bind("r", &[Char('r')], "reload", P::Reload),
            bind("Esc", LEAVE, "back", P::Back),
            bind("?", &[], "help", P::Help),
        ],
        PrincipalsAt::Confirm => {
            vec![bind("yes Enter", &[Enter], "generate", P::Next), bind("Esc", &[Esc], "cancel", P::Back)]
        }
        PrincipalsAt::Generating => vec![bind("Ctrl-C", &[], "quit", P::Quit)],
        PrincipalsAt::Naming { revealed } => vec![
            bind("Enter", &[Enter], "validate and save", P::Next),
            bind("Esc", &[Esc], "cancel", P::Back),
            reveal(revealed),
        ],
        PrincipalsAt::Token { saved, revealed } => {
            let mut v = vec![bind("c", &[Char('c')], "copy", P::Copy)];
            if !saved {
                v.push(bind("s", &[Char('s')], "save as profile", P::Save));
            }
            v.push(reveal(revealed));
            v.push(bind("Esc", &[Esc, Char('q'), Enter], "back", P::Back));
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::keymap::{GLOBAL, find, named};
    use crossterm::event::{KeyEvent, KeyModifiers};

    /// Every key of every row does that row's action (no earlier row shadows it).
    fn each_key_does_its_rows_action<A: Copy + PartialEq + std::fmt::Debug>(rows: &[Binding<A>]) {
        for b in rows {
            for &code in b.keys {
                let k = KeyEvent::new(code, if b.ctrl { KeyModifiers::CONTROL } else { KeyModifiers::NONE });
                assert_eq!(find(rows, k), Some(b.action), "{} ({code:?})", b.label);
            }
        }
    }

    fn homes() -> Vec<Vec<Binding<Home>>> {
        let mut v = Vec::new();
        for error in [false, true] {
            for empty in [false, true] {
                for three_cx in [false, true] {
                    v.push(home(error, empty, three_cx));
                }
            }
        }
        v
    }

    fn principals_ats() -> Vec<PrincipalsAt> {
        let mut v = vec![
            PrincipalsAt::Loading,
            PrincipalsAt::Empty,
            PrincipalsAt::List,
            PrincipalsAt::Confirm,
            PrincipalsAt::Generating,
        ];
        for revealed in [false, true] {
            v.push(PrincipalsAt::Naming { revealed });
            v.push(PrincipalsAt::Token { saved: false, revealed });
            v.push(PrincipalsAt::Token { saved: true, revealed });
        }
        v
    }

    fn revalidations() -> Vec<Vec<Binding<Revalidate>>> {
        vec![
            revalidate(true, true, false, false),
            revalidate(false, true, true, true),
            revalidate(false, false, false, false),
        ]
    }

    #[test]
    fn every_key_of_every_screen_does_what_its_row_says() {
        homes().iter().for_each(|rows| each_key_does_its_rows_action(rows));
        revalidations().iter().for_each(|rows| each_key_does_its_rows_action(rows));
        each_key_does_its_rows_action(CHOOSE);
        each_key_does_its_rows_action(CONFIRM_REMOVE);
        principals_ats().into_iter().for_each(|at| each_key_does_its_rows_action(&principals(at)));
    }

    #[test]
    fn the_help_names_every_key_these_footers_name() {
        let help: Vec<&str> = GLOBAL.iter().flat_map(|(k, _)| k.split(" or ")).collect();
        let mut footers: Vec<Vec<(&str, &str)>> = homes().iter().map(|r| named(r)).collect();
        footers.extend(revalidations().iter().map(|r| named(r)));
        footers.push(named(CHOOSE));
        // "yes Enter" names what to type, then the key.
        footers.extend(
            principals_ats()
                .into_iter()
                .map(|at| named(&principals(at)).into_iter().map(|(k, w)| (k.trim_start_matches("yes "), w)).collect()),
        );
        for (label, what) in footers.into_iter().flatten() {
            assert!(help.contains(&label), "the help does not say what {label} ({what}) does");
        }
    }

    #[test]
    fn the_home_footer_names_a_profiles_keys_only_when_there_is_one() {
        assert_eq!(named(&home(false, true, false)), vec![("a", "add"), ("?", "help"), ("q", "quit")]);
        assert_eq!(named(&home(true, true, false)), vec![("?", "help"), ("q", "quit")]);
        let full = named(&home(false, false, true));
        assert!(full.contains(&("p", "principals")) && full.contains(&("d", "remove")), "{full:?}");
        assert!(!named(&home(false, false, false)).contains(&("p", "principals")));
        // A file that cannot be read cannot be added to: `a` does nothing then.
        let a = KeyEvent::new(Char('a'), KeyModifiers::NONE);
        assert_eq!(find(&home(true, true, false), a), None);
    }
}
