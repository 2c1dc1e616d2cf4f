//! The TUI as a pure state machine: `Wizard::update(Msg) -> Vec<Effect>`.
//!
//! No I/O, no tokio, no terminal: the driver in `tui` reads keys, runs the effects and feeds their
//! results back as messages, and `ui` draws the state. So every screen and transition is testable
//! with plain `#[test]`s. Async results carry the `attempt` that started them; a result from an
//! older attempt (the user pressed Esc or retried) is dropped.

mod build;
mod demo;
mod field;
mod file_step;
mod guide;
mod guide_keys;
mod home;
mod keeping;
pub mod keymap;
mod msg;
mod principals;
mod revalidate;
mod review;
pub mod screen_keys;
mod steps;

pub use crate::providers::DemoAccount;
pub use demo::DemoInfo;
pub use field::{Field, clean_paste};
pub use file_step::FileStep;
pub use guide::{Ctx, GuideState, NewDefaults, Outcome as GuideOutcome, Phase, Run};
pub use home::{Home, Row};
pub use keeping::{IN_FILE, Keeping};
pub use msg::{Effect, HomeData, Msg, ValidationEvent};
pub use principals::{Principals, Stage as PrincipalsStage, TokenShown};
pub use revalidate::{CapabilityRead, Revalidation};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::providers::ProviderId;

/// The smallest terminal every screen is laid out for.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

fn is_ctrl_c(k: &KeyEvent) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL) && matches!(k.code, KeyCode::Char('c') | KeyCode::Char('C'))
}

/// What is on screen.
#[derive(Debug, Clone)]
pub enum Screen {
    Home,
    /// Pick a provider (skipped while only one is available).
    ChooseProvider {
        selected: usize,
    },
    Guide(Box<GuideState>),
    /// Re-validating saved profiles (one, or all).
    Revalidate(Box<Revalidation>),
    ConfirmRemove {
        name: String,
    },
    /// A 3CX profile's service principals, and generating an app token for one.
    Principals(Box<Principals>),
}

#[derive(Debug, Clone)]
pub struct Wizard {
    pub screen: Screen,
    pub home: Home,
    pub help: bool,
    /// How far the help text is scrolled (small terminals).
    pub help_scroll: u16,
    pub demo: Option<DemoInfo>,
    pub size: (u16, u16),
    /// Spinner frame; advances on `Msg::Tick` only.
    pub spinner: usize,
    /// Generation of the latest validation started; results of older ones are ignored.
    pub attempt: u64,
    /// Where profiles are saved, as shown to the user.
    pub config_path: String,
    /// `pbxlink add 3cx`: leave when the guide ends instead of going home.
    pub exit_after_guide: bool,
    /// Values new profiles get without the user typing them (`--ca-file`, the demo's hosts).
    pub new_profile: NewDefaults,
    /// Set when the app should end; the driver exits after drawing nothing more.
    pub quitting: bool,
    /// Profile lists asked for (`Effect::LoadProfiles`) and not yet read: keys on the home screen
    /// wait for them, in order. A key pressed on a list about to change would act on the old one
    /// (validate a profile with the key it had before a save).
    pending_loads: usize,
    deferred: Vec<KeyEvent>,
}

impl Wizard {
    pub fn new(config_path: impl Into<String>) -> Self {
        Wizard {
            screen: Screen::Home,
            home: Home::default(),
            help: false,
            help_scroll: 0,
            demo: None,
            size: (80, 24),
            spinner: 0,
            attempt: 0,
            config_path: config_path.into(),
            exit_after_guide: false,
            new_profile: NewDefaults::default(),
            quitting: false,
            pending_loads: 0,
            deferred: Vec::new(),
        }
    }

    /// The effects to run at start: read the profiles.
    pub fn start(&mut self) -> Vec<Effect> {
        self.pending_loads += 1;
        vec![Effect::LoadProfiles]
    }

    /// Opens a provider's guide straight away (`pbxlink add 3cx`).
    pub fn open_guide(&mut self, provider: ProviderId) {
        self.screen = Screen::Guide(Box::new(GuideState::new(provider)));
    }

    /// True while a validation runs: the driver sends ticks only then.
    pub fn busy(&self) -> bool {
        match &self.screen {
            Screen::Guide(g) => g.running(),
            Screen::Revalidate(r) => r.running() || r.capabilities.as_ref().is_some_and(|c| c.result.is_none()),
            Screen::Principals(p) => p.busy(),
            _ => false,
        }
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut fx = self.apply(msg);
        self.pending_loads += fx.iter().filter(|f| matches!(f, Effect::LoadProfiles)).count();
        if self.pending_loads == 0 && !self.deferred.is_empty() {
            for k in std::mem::take(&mut self.deferred) {
                fx.extend(self.update(Msg::Key(k)));
            }
        }
        fx
    }

    fn apply(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Quit => self.quit(),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                vec![]
            }
            Msg::Tick => {
                if self.busy() {
                    self.spinner = self.spinner.wrapping_add(1);
                }
                vec![]
            }
            // Quitting needs no list: Ctrl-C, q and Esc never wait.
            Msg::Key(k)
                if self.pending_loads > 0
                    && matches!(self.screen, Screen::Home)
                    && !is_ctrl_c(&k)
                    && !matches!(k.code, KeyCode::Char('q') | KeyCode::Esc) =>
            {
                self.deferred.push(k);
                vec![]
            }
            Msg::Key(k) => self.key(k),
            Msg::Paste(text) => {
                if let Screen::Guide(g) = &mut self.screen {
                    g.paste(&text);
                }
                vec![]
            }
            Msg::Loaded(data) => {
                self.pending_loads = self.pending_loads.saturating_sub(1);
                self.home.load(*data);
                vec![]
            }
            Msg::Validation { attempt, event } => {
                match &mut self.screen {
                    // Several runs at once: each finds its row by attempt; unknown ones are stale.
                    Screen::Revalidate(r) => r.apply(attempt, event),
                    Screen::Guide(g) if attempt == self.attempt => g.validation(event),
                    Screen::Principals(p) => p.validation(attempt, event, &self.home.profiles()),
                    _ => vec![],
                }
            }
            Msg::Saved(result) => match &mut self.screen {
                Screen::Guide(g) => g.saved(result),
                Screen::Principals(p) => p.saved(result),
                _ => vec![],
            },
            Msg::Capabilities { attempt, result } => {
                if let Screen::Revalidate(r) = &mut self.screen {
                    r.capabilities_read(attempt, result);
                }
                vec![]
            }
            Msg::Principals { attempt, result } => {
                if let Screen::Principals(p) = &mut self.screen {
                    p.listed(attempt, result);
                }
                vec![]
            }
            Msg::PrincipalsWaiting { attempt, detail } => {
                if let Screen::Principals(p) = &mut self.screen {
                    p.waiting(attempt, detail);
                }
                vec![]
            }
            Msg::AppToken { attempt, result } => {
                if let Screen::Principals(p) = &mut self.screen {
                    p.generated(attempt, result);
                }
                vec![]
            }
            Msg::FileChecked { typed, result } => {
                self.send_to_guide(|g, mut ctx| g.file_checked(typed, result, &mut ctx))
            }
            Msg::FileCopied(result) => self.send_to_guide(|g, _| guide::Outcome::Stay(g.file_copied(result))),
            Msg::Completed { typed, completion } => {
                self.send_to_guide(|g, _| guide::Outcome::Stay(g.completed(&typed, completion)))
            }
            Msg::Removed { name, result } => {
                self.home.status = Some(match result {
                    Ok(()) => format!("Removed profile \"{name}\"."),
                    Err(e) => format!("Could not remove \"{name}\": {e}"),
                });
                vec![Effect::LoadProfiles]
            }
        }
    }

    /// The one way out: the flag the driver stops on, and the effect that stops what runs.
    pub(crate) fn quit(&mut self) -> Vec<Effect> {
        self.quitting = true;
        let mut fx = Vec::new();
        if self.busy() {
            fx.push(Effect::CancelValidation);
        }
        fx.push(Effect::Exit);
        fx
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if is_ctrl_c(&k) {
            return self.quit();
        }
        if self.help {
            // Scroll keys scroll; any other key closes help and does nothing else.
            match k.code {
                KeyCode::PageDown | KeyCode::Down => self.help_scroll = (self.help_scroll + 3).min(30),
                KeyCode::PageUp | KeyCode::Up => self.help_scroll = self.help_scroll.saturating_sub(3),
                _ => {
                    self.help = false;
                    self.help_scroll = 0;
                }
            }
            return vec![];
        }
        if k.code == KeyCode::F(1) || (k.code == KeyCode::Char('?') && !self.typing_secret()) {
            self.help = true;
            return vec![];
        }
        let screen = std::mem::replace(&mut self.screen, Screen::Home);
        let (screen, fx) = match screen {
            Screen::Home => self.home_key(k),
            Screen::ChooseProvider { selected } => self.choose_key(selected, k),
            Screen::Guide(g) => self.guide_key(g, k),
            Screen::Revalidate(mut r) => match r.key(k, &mut self.attempt) {
                revalidate::Outcome::Stay(fx) => (Screen::Revalidate(r), fx),
                revalidate::Outcome::Leave(fx) => (Screen::Home, fx),
            },
            Screen::Principals(mut p) => {
                let mut ctx = principals::Ctx { attempt: &mut self.attempt, profiles: self.home.profiles() };
                match p.key(k, &mut ctx) {
                    principals::Outcome::Stay(fx) => (Screen::Principals(p), fx),
                    principals::Outcome::Leave(fx) => (Screen::Home, fx),
                }
            }
            Screen::ConfirmRemove { name } => match keymap::find(screen_keys::CONFIRM_REMOVE, k) {
                Some(true) => (Screen::Home, vec![Effect::Remove { name }]),
                _ => {
                    self.home.status = Some("Nothing removed.".into());
                    (Screen::Home, vec![])
                }
            },
        };
        self.screen = screen;
        fx
    }

    /// The provider the screen is about: the guide's, else the first offered.
    pub fn current_provider(&self) -> ProviderId {
        match &self.screen {
            Screen::Guide(g) => g.provider,
            Screen::ChooseProvider { selected } => ProviderId::ALL.get(*selected).copied().unwrap_or(ProviderId::FIRST),
            _ => ProviderId::FIRST,
        }
    }

    /// True when `?` should be typed, not open help: inside a secret field, or typing an answer on
    /// the principals screen.
    fn typing_secret(&self) -> bool {
        match &self.screen {
            Screen::Guide(g) => g.focused_field().is_some_and(|f| f.kind == crate::guide::FieldKind::Secret),
            Screen::Principals(p) => p.typing(),
            _ => false,
        }
    }

    fn choose_key(&mut self, selected: usize, k: KeyEvent) -> (Screen, Vec<Effect>) {
        use screen_keys::Choose;
        let n = ProviderId::ALL.len();
        match keymap::find(screen_keys::CHOOSE, k) {
            Some(Choose::Up) => (Screen::ChooseProvider { selected: selected.saturating_sub(1) }, vec![]),
            Some(Choose::Down) => (Screen::ChooseProvider { selected: (selected + 1).min(n - 1) }, vec![]),
            Some(Choose::Start) => (Screen::Guide(Box::new(GuideState::new(ProviderId::ALL[selected]))), vec![]),
            Some(Choose::Back) => (Screen::Home, vec![]),
            None => (Screen::ChooseProvider { selected }, vec![]),
        }
    }

    fn guide_key(&mut self, g: Box<GuideState>, k: KeyEvent) -> (Screen, Vec<Effect>) {
        self.in_guide(g, |g, ctx| g.key(k, ctx))
    }

    /// Runs `f` on the guide with its context, and goes home (or exits, for `pbxlink add`) when
    /// the guide is over.
    fn in_guide(
        &mut self,
        mut g: Box<GuideState>,
        f: impl FnOnce(&mut GuideState, guide::Ctx<'_>) -> guide::Outcome,
    ) -> (Screen, Vec<Effect>) {
        let ctx = guide::Ctx {
            attempt: &mut self.attempt,
            taken: self.home.names(),
            new: self.new_profile.clone(),
            saved: self.home.linkable_profiles(),
        };
        match f(&mut g, ctx) {
            guide::Outcome::Stay(fx) => (Screen::Guide(g), fx),
            guide::Outcome::Leave(mut fx) => {
                if self.exit_after_guide {
                    fx.extend(self.quit());
                } else {
                    fx.push(Effect::LoadProfiles);
                }
                (Screen::Home, fx)
            }
        }
    }

    /// Hands a message to the guide on screen, if there is one.
    fn send_to_guide(&mut self, f: impl FnOnce(&mut GuideState, guide::Ctx<'_>) -> guide::Outcome) -> Vec<Effect> {
        match std::mem::replace(&mut self.screen, Screen::Home) {
            Screen::Guide(g) => {
                let (screen, fx) = self.in_guide(g, f);
                self.screen = screen;
                fx
            }
            other => {
                self.screen = other;
                vec![]
            }
        }
    }
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_8x8;
#[cfg(test)]
mod tests_cx;
#[cfg(test)]
mod tests_home;
#[cfg(test)]
mod tests_principals;
#[cfg(test)]
mod tests_rules;
