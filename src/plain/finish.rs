//! The end of a guide as line prompts: after the live checks (printed as they end by the guide
//! driver), retry / back / quit; then the review with secrets hidden, the profile name and the
//! save (and where the secret is kept). Retrying, going back, the suggested name, the name rule and the save are the guide's
//! (`Action::Retry`, `Back`, `Next` on the review), as in the TUI.

use super::asking::{Asking, Ended};
use super::prompt::{Prompter, Stop};
use crate::exit;
use crate::guide::{FieldKind, StepKind};
use crate::wizard::keymap::Action;
use crate::wizard::{Field, GuideState};

/// The validation step, once its check is over: the link works (on to the review), or the user
/// retries, goes back to change a value, or quits with the failure's exit code.
pub fn checked(a: &mut Asking) -> Result<Option<Ended>, Stop> {
    let report = a.g.run.as_ref().and_then(|r| r.report.clone());
    let code = match &report {
        Some(r) if r.ok() => {
            a.pl.p.say("The link works.");
            a.act(Action::Next);
            return Ok(None);
        }
        Some(r) => r.failure.map_or(exit::ERROR, exit::for_failure),
        None => {
            // The values do not make a profile (the guide said why): nothing was checked.
            if let Some(m) = a.g.message.take() {
                a.pl.p.say(&m);
            }
            exit::USAGE
        }
    };
    loop {
        let answer = a.pl.p.ask("Type r to retry, b to go back and change a value, q to quit: ")?;
        match answer.trim().to_ascii_lowercase().as_str() {
            "r" | "retry" if report.is_some() => {
                a.pl.p.say("");
                a.act(Action::Retry);
                return Ok(None);
            }
            "b" | "back" => {
                let to = back_to(&mut a.pl.p, &a.g)?;
                // Back, as often as Esc would be pressed: the guide's own way back (it never
                // lands on the validation step).
                while a.g.step > to {
                    let at = a.g.step;
                    a.act(Action::Back);
                    if a.g.step == at {
                        break;
                    }
                }
                return Ok(None);
            }
            "q" | "quit" => return Ok(Some(Ended::Left(code))),
            _ if report.is_none() => a.pl.p.say("Type b or q."),
            _ => a.pl.p.say("Type r, b or q."),
        }
    }
}

/// The step to change: the only one that holds answers, or one picked from a numbered list.
fn back_to(p: &mut Prompter, g: &GuideState) -> Result<usize, Stop> {
    let steps = &g.guide().steps;
    let answers: Vec<usize> = (0..g.step)
        .filter(|&i| matches!(steps[i].kind, StepKind::Form | StepKind::Choose | StepKind::Select | StepKind::Link))
        .collect();
    if let [only] = answers[..] {
        return Ok(only);
    }
    p.say("Which step?");
    for (k, &i) in answers.iter().enumerate() {
        p.say(&format!("  {}  {}", k + 1, steps[i].title));
    }
    let k = p.number(1, answers.len(), None)?;
    Ok(answers.get(k - 1).copied().unwrap_or(0))
}

/// Shows the values (secrets as their length only), asks the profile name (the guide's
/// suggestion in brackets) and saves through the guide.
pub fn review(a: &mut Asking) -> Result<Option<Ended>, Stop> {
    a.pl.p.say("");
    for (label, value) in a.g.review_rows() {
        a.pl.p.say(&format!("  {label:<16} {value}"));
    }
    a.pl.p.say("");
    let suggested = a.g.name.value().trim().to_string();
    // Asked once; again only when a save was tried and failed (the secret could not be kept
    // there), not after each refused name.
    let mut ask_keep = true;
    loop {
        if ask_keep {
            keep(a)?;
        }
        let line = a.pl.p.ask(&format!("Profile name [{suggested}]: "))?;
        let name = match line.trim() {
            "" => suggested.clone(),
            typed => typed.to_string(),
        };
        a.g.name = Field::new("name", FieldKind::Id, &name);
        a.act(Action::Next);
        if a.g.saved_in().is_some() {
            let config = a.pl.s.config.display();
            a.pl.p.say(&format!("Saved profile \"{name}\" in {config} (readable only by you)."));
            a.pl.p.say(&format!("The secret: {}.", a.g.keep_row()));
            a.pl.p.say(&format!("Check it again any time, by hand or from cron: pbxlink validate {name}"));
            return Ok(Some(Ended::Saved));
        }
        let why = a.g.message.take().unwrap_or_default();
        ask_keep = why.starts_with("Not saved");
        if !why.is_empty() {
            a.pl.p.say(&why);
        }
    }
}

/// Where the secret is kept, asked until understood: Enter keeps it in profiles.toml (or, for an
/// edited profile, where it was), else a reference as `--api-key-ref` takes it.
fn keep(a: &mut Asking) -> Result<(), Stop> {
    if a.g.secret_key().is_none() {
        return Ok(());
    }
    let current = a.g.keeping.field.value().trim().to_string();
    let shown = if current.is_empty() { "profiles.toml".to_string() } else { current.clone() };
    loop {
        let line = a.pl.p.ask(&format!(
            "Keep the secret [{shown}] (Enter, or type profiles.toml, keyring, env:VAR or command:PROGRAM ARG...): "
        ))?;
        let typed = match line.trim() {
            "" => current.as_str(),
            t => t,
        };
        a.g.keeping.field = Field::new("keep", FieldKind::Path, typed);
        match a.g.keep_to() {
            Ok(_) => return Ok(()),
            Err(e) => a.pl.p.say(&e.to_string()),
        }
    }
}
