//! One vendor guide as line prompts, step after step. The values live in a `wizard::GuideState`, so
//! the step texts (with their `{client_id}` placeholders), the ticks and choices, the field checks
//! and the profile built are the full-screen guide's own; this module only asks.

use super::prompt::{Prompter, Stop};
use super::{Plain, finish, form, threecx};
use crate::guide::{Step, StepKind};
use crate::providers::ProviderId;
use crate::wizard::GuideState;

/// How a guide ended (Ctrl-D ends it as `Stop::Eof`).
pub enum Ended {
    Saved,
    /// Left without saving after a failed validation, with that failure's exit code.
    Left(u8),
}

pub fn run(pl: &mut Plain, provider: ProviderId, prefill: &[(String, String)]) -> Result<Ended, Stop> {
    let mut g = GuideState::new(provider);
    for (id, v) in prefill {
        g.prefill(id, Some(v));
    }
    let guide = provider.guide();
    let steps = &guide.steps;
    pl.p.say("");
    pl.p.say(&guide.title);
    let mut i = 0;
    // After going back from the validation to change one step: where to return.
    let mut resume = None;
    let mut report = None;
    while let Some(step) = steps.get(i) {
        pl.p.say("");
        pl.p.say(&format!("Step {} of {}: {}", i + 1, steps.len(), step.title));
        pl.p.say("");
        pl.p.say(&step.plain_text(&g.body(step)));
        match step.kind {
            StepKind::Info => {
                pl.p.ask("Press Enter to continue: ")?;
            }
            StepKind::Confirm | StepKind::Ack => confirm(&mut pl.p, step)?,
            StepKind::Select => select(&mut pl.p, &mut g, step)?,
            StepKind::Choose => choose(&mut pl.p, &mut g, step)?,
            StepKind::Link => link(pl, &mut g, step)?,
            StepKind::Form => form::ask(&mut pl.p, &mut g, step)?,
            StepKind::Validate => match finish::validate(pl, &mut g, step, i)? {
                finish::Checked::Passed(r) => report = Some(r),
                finish::Checked::Back(to) => {
                    resume = Some(i);
                    i = to;
                    continue;
                }
                finish::Checked::Quit(code) => return Ok(Ended::Left(code)),
            },
            StepKind::Review => {
                finish::review(pl, &mut g, report.as_ref())?;
                return Ok(Ended::Saved);
            }
        }
        i = resume.take().unwrap_or(i + 1);
    }
    Ok(Ended::Left(crate::exit::ERROR))
}

/// Each item confirmed with a typed yes; a no explains why it matters and asks again.
fn confirm(p: &mut Prompter, step: &Step) -> Result<(), Stop> {
    for item in &step.confirm {
        p.say("");
        p.say(&format!("  {item}"));
        while !p.yes_no("Type yes when this is true: ")? {
            p.say(&step.plain_text(&step.refuse));
            p.say("Type yes when it is true, or press Ctrl-D to stop without saving.");
        }
    }
    Ok(())
}

/// A numbered checklist (8x8's products): several numbers, at least one.
fn select(p: &mut Prompter, g: &mut GuideState, step: &Step) -> Result<(), Stop> {
    p.say("");
    for (k, item) in step.confirm.iter().enumerate() {
        p.say(&format!("  {}  {item}", k + 1));
    }
    let ticks = g.ticks.get(&step.id).cloned().unwrap_or_default();
    let current: Vec<usize> = ticks.iter().enumerate().filter(|(_, on)| **on).map(|(k, _)| k + 1).collect();
    let chosen = p.numbers(step.confirm.len(), &current, &step.plain_text(&step.refuse))?;
    if let Some(t) = g.ticks.get_mut(&step.id) {
        for (k, on) in t.iter_mut().enumerate() {
            *on = chosen.contains(&(k + 1));
        }
    }
    let names: Vec<&str> = chosen.iter().filter_map(|k| step.confirm.get(k - 1)).map(String::as_str).collect();
    p.say(&format!("Chosen: {}", names.join(", ")));
    Ok(())
}

/// A numbered list of options, one number; an option the vendor does not support is explained and
/// the question asked again.
fn choose(p: &mut Prompter, g: &mut GuideState, step: &Step) -> Result<(), Stop> {
    p.say("");
    for (k, c) in step.choices.iter().enumerate() {
        p.say(&format!("  {}  {}", k + 1, c.label));
        if !c.note.is_empty() {
            p.say(&format!("     {}", c.note));
        }
    }
    let current = g.chosen.get(&step.id).map(|i| i + 1);
    loop {
        let k = p.number(1, step.choices.len(), current)?;
        let Some(c) = step.choices.get(k - 1) else { continue };
        if let Some(why) = &c.refuse {
            p.say(&step.plain_text(why));
            continue;
        }
        g.choose(&step.id, &c.id);
        p.say(&format!("Chosen: {}", c.label));
        return Ok(());
    }
}

/// The saved 3CX profiles by number, 0 for none; nothing to ask when there is none.
fn link(pl: &mut Plain, g: &mut GuideState, step: &Step) -> Result<(), Stop> {
    let loaded = pl.load();
    let options: Vec<(String, String)> = threecx(&loaded).into_iter().map(|p| (p.name.clone(), p.target())).collect();
    pl.p.say("");
    if options.is_empty() {
        g.pbx = None;
        pl.p.say(&step.plain_text(&step.refuse));
        return Ok(());
    }
    pl.p.say("  0  none: do not link a 3CX profile");
    for (k, (name, domain)) in options.iter().enumerate() {
        pl.p.say(&format!("  {}  {name} ({domain})", k + 1));
    }
    let current = g.pbx.as_ref().and_then(|n| options.iter().position(|(o, _)| o == n)).map_or(0, |i| i + 1);
    let k = pl.p.number(0, options.len(), Some(current))?;
    g.pbx = k.checked_sub(1).and_then(|i| options.get(i)).map(|(name, _)| name.clone());
    Ok(())
}
