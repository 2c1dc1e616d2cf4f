//! The end of a guide as line prompts: the live checks (one line each as it ends, then the failure
//! and its fix, and retry / back / quit), then the review with secrets hidden, the profile name
//! and the save through the same store as the TUI.

use super::Plain;
use super::prompt::{Prompter, Stop};
use crate::exit;
use crate::guide::{Step, StepKind};
use crate::report::Report;
use crate::wizard::GuideState;

/// How the validation step ended.
pub enum Checked {
    Passed(Report),
    /// Change the answer of this step (an index into the guide's steps), then check again.
    Back(usize),
    /// Leave without saving, with this exit code.
    Quit(u8),
}

/// Checks the values typed so far (step `at` of the guide) until they pass or the user goes back
/// or quits.
pub fn validate(pl: &mut Plain, g: &mut GuideState, step: &Step, at: usize) -> Result<Checked, Stop> {
    if !step.warning.is_empty() {
        pl.p.say(&format!("Warning: {}", step.warning));
    }
    if g.pbx.is_some() && !step.link_warning.is_empty() {
        pl.p.say(&format!("Warning: {}", step.link_warning));
    }
    loop {
        pl.p.say("");
        let code = match g.build_profile("new", &pl.s.new) {
            Ok(profile) => {
                let loaded = pl.load();
                let linked = profile.linked_in(&super::threecx(&loaded)).cloned();
                let report = pl.check(&profile, linked.as_ref());
                match report.failure {
                    None => {
                        pl.p.say("The link works.");
                        return Ok(Checked::Passed(report));
                    }
                    Some(kind) => exit::for_failure(kind),
                }
            }
            Err(e) => {
                pl.p.say(&e.to_string());
                exit::USAGE
            }
        };
        loop {
            let answer = pl.p.ask("Type r to retry, b to go back and change a value, q to quit: ")?;
            match answer.trim().to_ascii_lowercase().as_str() {
                "r" | "retry" => break,
                "b" | "back" => return Ok(Checked::Back(back_to(&mut pl.p, g, at)?)),
                "q" | "quit" => return Ok(Checked::Quit(code)),
                _ => pl.p.say("Type r, b or q."),
            }
        }
    }
}

/// The step to change: the only one that holds answers, or one picked from a numbered list.
fn back_to(p: &mut Prompter, g: &GuideState, at: usize) -> Result<usize, Stop> {
    let steps = &g.guide().steps;
    let answers: Vec<usize> = (0..at)
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

/// Shows the values (secrets as their length only), asks the profile name and saves.
pub fn review(pl: &mut Plain, g: &mut GuideState, report: Option<&Report>) -> Result<(), Stop> {
    pl.p.say("");
    for (label, value) in g.review_rows() {
        pl.p.say(&format!("  {label:<16} {value}"));
    }
    pl.p.say("");
    let suggested = g.suggested_name(&pl.load().names());
    loop {
        let line = pl.p.ask(&format!("Profile name [{suggested}]: "))?;
        let name = match line.trim() {
            "" => suggested.clone(),
            typed => typed.to_string(),
        };
        // The guide's own rule, as in the TUI; the names are read again (another pbxlink may
        // have saved one meanwhile).
        let (profile, mode) = match g.save_as(&name, &pl.load().names(), &pl.s.new) {
            Ok(v) => v,
            Err(why) => {
                pl.p.say(&why.to_string());
                continue;
            }
        };
        let saved = pl.save(&profile, &mode, report);
        match saved {
            Ok(()) => {
                pl.p.say(&format!("Saved profile \"{name}\" in {} (readable only by you).", pl.s.config.display()));
                pl.p.say(&format!("Check it again any time, by hand or from cron: pbxlink validate {name}"));
                return Ok(());
            }
            Err(e) => pl.p.say(&format!("Not saved: {e:#}")),
        }
    }
}
