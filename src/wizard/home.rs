//! The home screen: saved profiles with their last result, and the actions on them.

use crossterm::event::KeyEvent;

use super::keymap;
use super::screen_keys::{self, Home as Keys};

use super::{Effect, GuideState, HomeData, Revalidation, Screen, Wizard};
use crate::profile::Profile;
use crate::profile::results::LastResult;
use crate::profile::store::Entry;
use crate::providers::ProviderId;

/// One line of the list.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub provider: String,
    pub target: String,
    pub last: Option<LastResult>,
    /// Why the profile cannot be used, when its table is broken.
    pub invalid: Option<String>,
    pub profile: Option<Profile>,
}

#[derive(Debug, Clone, Default)]
pub struct Home {
    pub rows: Vec<Row>,
    pub selected: usize,
    pub warnings: Vec<String>,
    pub error: Option<String>,
    /// A one-line message about the last action ("Saved ...", "Removed ...").
    pub status: Option<String>,
    pub loaded: bool,
    pub now: u64,
}

impl Home {
    pub fn load(&mut self, d: HomeData) {
        self.rows = d
            .entries
            .into_iter()
            .map(|e| match e {
                Entry::Ok(p) => Row {
                    name: p.name.clone(),
                    provider: p.provider_name().to_string(),
                    target: p.target(),
                    last: d.results.get(&p.name).cloned(),
                    invalid: match p.schema {
                        None => Some(format!("provider \"{}\" needs a newer pbxlink", p.provider)),
                        Some(_) => None,
                    },
                    profile: Some(p),
                },
                Entry::Invalid { name, reason } => Row {
                    name,
                    provider: "?".into(),
                    target: String::new(),
                    last: None,
                    invalid: Some(reason),
                    profile: None,
                },
            })
            .collect();
        self.warnings = d.warnings;
        self.error = d.error;
        self.now = d.now;
        self.loaded = true;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    pub fn names(&self) -> Vec<String> {
        self.rows.iter().map(|r| r.name.clone()).collect()
    }

    /// The saved, readable 3CX profiles (which CX-Engine profiles may link).
    pub fn linkable_profiles(&self) -> Vec<Profile> {
        self.profiles()
    }

    /// Every saved, readable profile.
    pub fn profiles(&self) -> Vec<Profile> {
        self.rows.iter().filter_map(|r| r.profile.clone()).collect()
    }

    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.rows.iter().find(|r| r.name == name).and_then(|r| r.profile.as_ref())
    }

    /// True when the selected row is a readable 3CX profile (`p` applies).
    pub fn selected_is_3cx(&self) -> bool {
        self.current().and_then(|r| r.profile.as_ref()).is_some_and(|p| ProviderId::ThreeCx.owns(p))
    }

    fn current(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }
}

impl Wizard {
    pub(super) fn home_key(&mut self, k: KeyEvent) -> (Screen, Vec<Effect>) {
        self.home.status = None;
        let n = self.home.rows.len();
        let rows = screen_keys::home(self.home.error.is_some(), n == 0, self.home.selected_is_3cx());
        match keymap::find(&rows, k) {
            Some(Keys::Up) => {
                self.home.selected = self.home.selected.saturating_sub(1);
                (Screen::Home, vec![])
            }
            Some(Keys::Down) => {
                self.home.selected = (self.home.selected + 1).min(n.saturating_sub(1));
                (Screen::Home, vec![])
            }
            Some(Keys::Quit) => (Screen::Home, self.quit()),
            Some(Keys::Add) => match ProviderId::ALL {
                [only] => (Screen::Guide(Box::new(GuideState::new(*only))), vec![]),
                _ => (Screen::ChooseProvider { selected: 0 }, vec![]),
            },
            Some(Keys::Validate) => self.revalidate(false),
            Some(Keys::ValidateAll) => self.revalidate(true),
            Some(Keys::Edit) => self.edit(),
            Some(Keys::Principals) => self.principals(),
            Some(Keys::Remove) => match self.home.current() {
                Some(r) => (Screen::ConfirmRemove { name: r.name.clone() }, vec![]),
                None => (Screen::Home, vec![]),
            },
            Some(Keys::Help) | None => (Screen::Home, vec![]),
        }
    }

    /// Re-validates the selected profile, or with `all` every usable one.
    fn revalidate(&mut self, all: bool) -> (Screen, Vec<Effect>) {
        let Some(row) = self.home.current() else {
            return (Screen::Home, vec![]);
        };
        let profiles: Vec<Profile> = if all {
            self.home.rows.iter().filter(|r| r.invalid.is_none()).filter_map(|r| r.profile.clone()).collect()
        } else {
            if let Some(why) = &row.invalid {
                self.home.status = Some(format!("\"{}\" cannot be validated: {why}", row.name));
                return (Screen::Home, vec![]);
            }
            row.profile.clone().into_iter().collect()
        };
        if profiles.is_empty() {
            self.home.status = Some("No profile here can be validated.".into());
            return (Screen::Home, vec![]);
        }
        let (r, fx) = Revalidation::start(profiles, self.home.linkable_profiles(), &mut self.attempt);
        (Screen::Revalidate(Box::new(r)), fx)
    }

    /// The selected 3CX profile's service principals.
    fn principals(&mut self) -> (Screen, Vec<Effect>) {
        match self.home.current().and_then(|r| r.profile.clone()) {
            Some(p) if ProviderId::ThreeCx.owns(&p) => {
                let (s, fx) = super::Principals::open(p, &mut self.attempt);
                (Screen::Principals(Box::new(s)), fx)
            }
            _ => {
                self.home.status = Some("Service principals (p) are a 3CX thing: select a 3CX profile.".into());
                (Screen::Home, vec![])
            }
        }
    }

    fn edit(&mut self) -> (Screen, Vec<Effect>) {
        let Some(row) = self.home.current() else {
            return (Screen::Home, vec![]);
        };
        match &row.profile {
            Some(p) if ProviderId::of(p).is_some_and(|x| ProviderId::ALL.contains(&x)) => {
                (Screen::Guide(Box::new(GuideState::edit(p))), vec![])
            }
            _ => {
                self.home.status =
                    Some(format!("\"{}\" cannot be edited here: fix it in {}", row.name, self.config_path));
                (Screen::Home, vec![])
            }
        }
    }
}
