//! The service principals screen of a 3CX profile: the list (the profile's own marked), then, for
//! one principal, an explicit confirmation, the app token shown once (masked; reveal, copy over
//! OSC 52), and saving it as a profile after a validation with it. Generating may replace the
//! principal's current key, so nothing here happens without the user typing `yes`.

use crossterm::event::KeyEvent;
use secrecy::SecretString;

use super::screen_keys::{self, Principals as Keys, PrincipalsAt};
use super::{Effect, Field, Run, ValidationEvent, keymap};
use crate::guide::FieldKind;
use crate::profile::store::SaveMode;
use crate::profile::{self, Profile};
use crate::providers::threecx::ThreeCx;
use crate::providers::threecx::principals::{Principal, Problem};
use crate::report::Report;

#[derive(Debug, Clone)]
pub struct Principals {
    /// The 3CX profile that signs in.
    pub profile: Profile,
    /// The attempt of the request in flight (list, generate or the token's validation); answers
    /// of any other attempt are stale.
    pub attempt: u64,
    /// The list, or why it could not be read; `None` while loading.
    pub list: Option<Result<Vec<Principal>, Problem>>,
    pub selected: usize,
    pub stage: Stage,
    /// Why a key did nothing, or what just happened.
    pub message: Option<String>,
    /// What the request in flight waits for (another pbxlink holding the Client ID's token).
    pub waiting: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Stage {
    List,
    /// Generating was asked for this principal: only `yes` typed here, then Enter, goes on.
    Confirm {
        principal: Principal,
        answer: Field,
    },
    Generating {
        principal: Principal,
    },
    /// The new token, shown once.
    Token(Box<TokenShown>),
}

/// A new app token on screen. Its `Debug` shows no token (`SecretString`).
#[derive(Debug, Clone)]
pub struct TokenShown {
    pub principal: Principal,
    pub token: SecretString,
    pub reveal: bool,
    /// Sent to the terminal's clipboard at least once.
    pub copied: bool,
    /// The profile name being typed, once `s` was pressed.
    pub name: Option<Field>,
    /// The validation of the token before it is saved.
    pub run: Option<Run>,
    pub saving: bool,
    /// The file it was saved in.
    pub saved: Option<String>,
    /// Esc was pressed once with the token neither saved nor copied.
    pub leaving: bool,
}

pub enum Outcome {
    Stay(Vec<Effect>),
    Leave(Vec<Effect>),
}

/// What the screen needs from the rest of the wizard: the attempt counter and the saved profiles
/// (names in use, and which of them are 3CX).
pub struct Ctx<'a> {
    pub attempt: &'a mut u64,
    pub profiles: Vec<Profile>,
}

impl Principals {
    /// Where the screen is, for its keys and its footer.
    pub fn at(&self) -> PrincipalsAt {
        match &self.stage {
            Stage::List if self.list.is_none() => PrincipalsAt::Loading,
            Stage::List if self.rows().is_empty() => PrincipalsAt::Empty,
            Stage::List => PrincipalsAt::List,
            Stage::Confirm { .. } => PrincipalsAt::Confirm,
            Stage::Generating { .. } => PrincipalsAt::Generating,
            Stage::Token(t) if t.name.is_some() && t.saved.is_none() => PrincipalsAt::Naming { revealed: t.reveal },
            Stage::Token(t) => PrincipalsAt::Token { saved: t.saved.is_some(), revealed: t.reveal },
        }
    }

    /// Opens the screen for a 3CX profile and asks for its list.
    pub fn open(profile: Profile, attempt: &mut u64) -> (Self, Vec<Effect>) {
        *attempt += 1;
        let fx = vec![Effect::ListPrincipals { attempt: *attempt, profile: Box::new(profile.clone()) }];
        let p = Principals {
            profile,
            attempt: *attempt,
            list: None,
            selected: 0,
            stage: Stage::List,
            message: None,
            waiting: None,
        };
        (p, fx)
    }

    fn client_id(&self) -> &str {
        self.profile.values.text(crate::providers::threecx::CLIENT_ID).unwrap_or_default()
    }

    /// The principals loaded so far (empty while loading or after a failure).
    pub fn rows(&self) -> &[Principal] {
        match &self.list {
            Some(Ok(v)) => v,
            _ => &[],
        }
    }

    pub fn is_own(&self, p: &Principal) -> bool {
        p.is_own(self.client_id())
    }

    /// True while a request runs (the driver ticks the spinner then).
    pub fn busy(&self) -> bool {
        match &self.stage {
            Stage::List => self.list.is_none(),
            Stage::Generating { .. } => true,
            Stage::Token(t) => t.saving || t.run.as_ref().is_some_and(|r| r.report.is_none()),
            Stage::Confirm { .. } => false,
        }
    }

    /// True when `?` should be typed rather than open help.
    pub fn typing(&self) -> bool {
        matches!(&self.stage, Stage::Confirm { .. })
            || matches!(&self.stage, Stage::Token(t) if t.name.is_some() && t.saved.is_none())
    }

    /// The request `attempt` waits for `detail` (shown until its answer comes).
    pub fn waiting(&mut self, attempt: u64, detail: String) {
        if attempt == self.attempt {
            self.waiting = Some(detail);
        }
    }

    pub fn listed(&mut self, attempt: u64, result: Result<Vec<Principal>, Problem>) {
        if attempt != self.attempt || !matches!(self.stage, Stage::List) {
            return;
        }
        self.waiting = None;
        // The profile's own principal first under the cursor: it is the one people look for.
        self.selected = result.as_ref().ok().and_then(|v| v.iter().position(|p| self.is_own(p))).unwrap_or(0);
        self.list = Some(result);
    }

    pub fn generated(&mut self, attempt: u64, result: Result<SecretString, Problem>) {
        let Stage::Generating { principal } = &self.stage else { return };
        if attempt != self.attempt {
            return;
        }
        self.waiting = None;
        match result {
            Ok(token) => {
                self.stage = Stage::Token(Box::new(TokenShown {
                    principal: principal.clone(),
                    token,
                    reveal: false,
                    copied: false,
                    name: None,
                    run: None,
                    saving: false,
                    saved: None,
                    leaving: false,
                }));
                self.message = None;
            }
            Err(p) => {
                self.message = Some(format!("{}. Fix: {}", p.detail, p.fix));
                self.stage = Stage::List;
            }
        }
    }

    /// Progress of the token's validation; a good one is saved at once.
    /// `saved` are the profiles on disk, to tell a new name from a replaced one.
    pub fn validation(&mut self, attempt: u64, ev: ValidationEvent, saved: &[Profile]) -> Vec<Effect> {
        let Stage::Token(t) = &mut self.stage else { return vec![] };
        if attempt != self.attempt {
            return vec![];
        }
        let Some(run) = &mut t.run else { return vec![] };
        run.apply(ev);
        let Some(report) = run.report.clone() else { return vec![] };
        if !report.ok() {
            self.message = Some(not_saved(&report));
            return vec![];
        }
        let name = t.name.as_ref().map(|f| f.value().trim().to_string()).unwrap_or_default();
        match ThreeCx::for_token(&self.profile, t.principal.number.as_deref(), &t.token, &name) {
            Ok(p) => {
                let exists = saved.iter().any(|x| x.name == name);
                let mode = if exists { SaveMode::Replace { old: name } } else { SaveMode::Create };
                t.saving = true;
                vec![Effect::Save { profile: Box::new(p), mode, keep: None }]
            }
            Err(e) => {
                self.message = Some(e.to_string());
                vec![]
            }
        }
    }

    pub fn saved(&mut self, result: Result<String, crate::profile::store::StoreError>) -> Vec<Effect> {
        let Stage::Token(t) = &mut self.stage else { return vec![] };
        t.saving = false;
        match result {
            Ok(path) => {
                let name = t.name.as_ref().map(|f| f.value().trim().to_string()).unwrap_or_default();
                self.message = Some(format!("Saved the token as profile \"{name}\" in {path}."));
                t.saved = Some(path);
                match t.run.as_ref().and_then(|r| r.report.clone()) {
                    Some(report) => vec![Effect::Record { name, report: Box::new(report) }, Effect::LoadProfiles],
                    None => vec![Effect::LoadProfiles],
                }
            }
            Err(e) => {
                self.message = Some(format!("Not saved: {e}. The token is still here: copy it (c) before leaving."));
                vec![]
            }
        }
    }

    pub fn key(&mut self, k: KeyEvent, ctx: &mut Ctx<'_>) -> Outcome {
        let action = keymap::find(&screen_keys::principals(self.at()), k);
        match std::mem::replace(&mut self.stage, Stage::List) {
            Stage::List => self.list_key(action, ctx),
            Stage::Confirm { principal, answer } => self.confirm_key(principal, answer, action, k, ctx),
            s @ Stage::Generating { .. } => {
                // The request is out: cancelling would not undo it, so the answer is awaited.
                self.stage = s;
                self.message = Some("Waiting for the PBX: the token may already be made.".into());
                Outcome::Stay(vec![])
            }
            Stage::Token(t) => self.token_key(t, action, k, ctx),
        }
    }

    fn list_key(&mut self, action: Option<Keys>, ctx: &mut Ctx<'_>) -> Outcome {
        let n = self.rows().len();
        self.message = None;
        match action {
            Some(Keys::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Keys::Down) => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Some(Keys::Reload) => {
                let (fresh, fx) = Self::open(self.profile.clone(), ctx.attempt);
                *self = fresh;
                return Outcome::Stay(fx);
            }
            Some(Keys::Generate) => match self.rows().get(self.selected) {
                Some(p) => {
                    self.stage =
                        Stage::Confirm { principal: p.clone(), answer: Field::new("confirm", FieldKind::Id, "") };
                    return Outcome::Stay(vec![]);
                }
                None => self.message = Some("No principal selected.".into()),
            },
            Some(Keys::Back) => return Outcome::Leave(vec![]),
            _ => {}
        }
        Outcome::Stay(vec![])
    }

    fn confirm_key(
        &mut self,
        principal: Principal,
        mut answer: Field,
        action: Option<Keys>,
        k: KeyEvent,
        ctx: &mut Ctx<'_>,
    ) -> Outcome {
        match action {
            Some(Keys::Back) => {
                self.message = Some("Nothing generated.".into());
                Outcome::Stay(vec![])
            }
            Some(Keys::Next) if answer.value().trim().eq_ignore_ascii_case("yes") => {
                *ctx.attempt += 1;
                self.attempt = *ctx.attempt;
                self.message = None;
                let fx = vec![Effect::GenerateAppToken {
                    attempt: self.attempt,
                    profile: Box::new(self.profile.clone()),
                    id: principal.id,
                }];
                self.stage = Stage::Generating { principal };
                Outcome::Stay(fx)
            }
            Some(Keys::Next) => {
                self.message = Some("Type yes and press Enter to generate, or Esc to cancel.".into());
                self.stage = Stage::Confirm { principal, answer };
                Outcome::Stay(vec![])
            }
            _ => {
                if answer.key(k) {
                    self.message = None;
                }
                self.stage = Stage::Confirm { principal, answer };
                Outcome::Stay(vec![])
            }
        }
    }

    fn token_key(&mut self, mut t: Box<TokenShown>, action: Option<Keys>, k: KeyEvent, ctx: &mut Ctx<'_>) -> Outcome {
        let mut fx = vec![];
        let busy = t.saving || t.run.as_ref().is_some_and(|r| r.report.is_none());
        if action == Some(Keys::Reveal) {
            t.reveal = !t.reveal;
        } else if busy {
            // A validation or save is running: wait for it.
        } else if let (Some(name), None) = (&mut t.name, &t.saved) {
            match action {
                Some(Keys::Back) => t.name = None,
                Some(Keys::Next) => {
                    let typed = name.value().trim().to_string();
                    match self.check_save_name(&typed, ctx) {
                        Ok(()) => {
                            match ThreeCx::for_token(&self.profile, t.principal.number.as_deref(), &t.token, &typed) {
                                Ok(p) => {
                                    *ctx.attempt += 1;
                                    self.attempt = *ctx.attempt;
                                    t.run = Some(Run::new(self.attempt));
                                    self.message = None;
                                    fx.push(Effect::Validate {
                                        attempt: self.attempt,
                                        profile: Box::new(p),
                                        linked: None,
                                    });
                                }
                                Err(e) => self.message = Some(e.to_string()),
                            }
                        }
                        Err(e) => self.message = Some(e.to_string()),
                    }
                }
                _ => {
                    if name.key(k) {
                        self.message = None;
                    }
                }
            }
        } else {
            match action {
                Some(Keys::Copy) => {
                    t.copied = true;
                    self.message = Some(
                        "Sent to your terminal's clipboard (OSC 52); terminals that allow it put it on your local clipboard."
                            .into(),
                    );
                    fx.push(Effect::CopyToClipboard(t.token.clone()));
                }
                Some(Keys::Save) => {
                    let suggestion = profile::suggest_name(
                        &format!("{}-{}", self.profile.name, t.principal.number.as_deref().unwrap_or("token")),
                        &ctx.profiles.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
                    );
                    t.name = Some(Field::new("name", FieldKind::Id, &suggestion));
                    t.leaving = false;
                    self.message = None;
                }
                Some(Keys::Back) => {
                    if t.saved.is_some() || t.copied || t.leaving {
                        return Outcome::Leave(vec![Effect::LoadProfiles]);
                    }
                    t.leaving = true;
                    self.message = Some(
                        "This token is shown only once: s saves it, c copies it. Press Esc again to leave without either."
                            .into(),
                    );
                }
                _ => {}
            }
        }
        self.stage = Stage::Token(t);
        Outcome::Stay(fx)
    }

    /// A name for the token's profile: valid, and either new or an existing 3CX profile (which the
    /// user names on purpose to replace its key).
    fn check_save_name(&self, name: &str, ctx: &Ctx<'_>) -> Result<(), crate::report::Refusal> {
        profile::check_name(name).map_err(|e| format!("Profile name: {e}"))?;
        match ctx.profiles.iter().find(|p| p.name == name) {
            Some(p) if !crate::providers::ProviderId::ThreeCx.owns(p) => {
                Err(format!("\"{name}\" is a {} profile: choose another name.", p.provider_name()).into())
            }
            _ => Ok(()),
        }
    }
}

fn not_saved(r: &Report) -> String {
    let kind = r.failure.map(|k| k.as_str()).unwrap_or("failed");
    let hint = r.hint.clone().unwrap_or_default();
    format!("The token did not validate ({kind}), so it was not saved. {hint} Copy it (c) before leaving.")
}
