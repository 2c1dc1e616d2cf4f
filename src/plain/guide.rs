//! One vendor guide as line prompts. The guide is the full-screen guide's own state machine
//! (`wizard::GuideState`): plain mode asks the question of the step the state is on, puts the
//! answer in the state (a field's value, the ticks, the focused option) and sends the same
//! front-end-neutral actions as the TUI's keys (`Action::Next`, `Back`, `Retry`), so going back,
//! the choice refusals, the template check and copy, the suggested name, the name rule and the save
//! are the guide's, not plain mode's. Its effects run on the same executor as the TUI's
//! (`asking`); plain mode only prints what they report.

use super::asking::{Asking, Ended};
use super::prompt::Stop;
use super::{Plain, finish, form};
use crate::guide::{Step, StepKind};
use crate::providers::ProviderId;
use crate::wizard::GuideState;
use crate::wizard::keymap::Action;

pub fn run(pl: &mut Plain, provider: ProviderId, prefill: &[(String, String)]) -> Result<Ended, Stop> {
    let mut g = GuideState::new(provider);
    for (id, v) in prefill {
        g.prefill(id, Some(v));
    }
    pl.p.say("");
    pl.p.say(&provider.guide().title);
    let mut a = Asking::new(pl, g);
    a.announce();
    loop {
        if let Some(end) = ask(&mut a)? {
            return Ok(end);
        }
    }
}

/// Asks the question of the step the guide is on, and acts on the answer.
fn ask(a: &mut Asking) -> Result<Option<Ended>, Stop> {
    if a.left {
        return Ok(Some(Ended::Left(crate::exit::ERROR)));
    }
    let step = a.g.current();
    match step.kind {
        StepKind::Info => {
            a.pl.p.ask("Press Enter to continue: ")?;
            a.act(Action::Next);
        }
        StepKind::Confirm | StepKind::Ack => {
            confirm(a, step)?;
            a.act(Action::Next);
        }
        StepKind::Select => {
            select(a, step)?;
            a.act(Action::Next);
        }
        StepKind::Choose => choose(a, step)?,
        StepKind::Link => link(a, step)?,
        StepKind::Form => form::ask(a, step)?,
        StepKind::Validate => return finish::checked(a),
        StepKind::Review => return finish::review(a),
    }
    Ok(None)
}

/// Each item confirmed with a typed yes; a no explains why it matters and asks again. Items
/// confirmed before (the guide was walked back over) are said, not asked again.
fn confirm(a: &mut Asking, step: &Step) -> Result<(), Stop> {
    let before = a.g.ticks.get(&step.id).is_some_and(|t| t.iter().all(|b| *b));
    for (k, item) in step.confirm.iter().enumerate() {
        a.pl.p.say("");
        a.pl.p.say(&format!("  {item}"));
        if before {
            a.pl.p.say("  (confirmed before)");
            continue;
        }
        while !a.pl.p.yes_no("Type yes when this is true: ")? {
            a.pl.p.say(&step.plain_text(&step.refuse));
            a.pl.p.say("Type yes when it is true, or press Ctrl-D to stop without saving.");
        }
        if let Some(t) = a.g.ticks.get_mut(&step.id).and_then(|t| t.get_mut(k)) {
            *t = true;
        }
    }
    Ok(())
}

/// A numbered checklist (8x8's products): several numbers, at least one.
fn select(a: &mut Asking, step: &Step) -> Result<(), Stop> {
    let p = &mut a.pl.p;
    p.say("");
    for (k, item) in step.confirm.iter().enumerate() {
        p.say(&format!("  {}  {item}", k + 1));
    }
    let ticks = a.g.ticks.get(&step.id).cloned().unwrap_or_default();
    let current: Vec<usize> = ticks.iter().enumerate().filter(|(_, on)| **on).map(|(k, _)| k + 1).collect();
    let chosen = p.numbers(step.confirm.len(), &current, &step.plain_text(&step.refuse))?;
    if let Some(t) = a.g.ticks.get_mut(&step.id) {
        for (k, on) in t.iter_mut().enumerate() {
            *on = chosen.contains(&(k + 1));
        }
    }
    // Each by its name alone, without the gloss in brackets (8x8's console label).
    let names: Vec<&str> =
        chosen.iter().filter_map(|k| step.confirm.get(k - 1)).map(|l| l.split(" (").next().unwrap_or(l)).collect();
    p.say(&format!("Chosen: {}", names.join(", ")));
    Ok(())
}

/// A numbered list of options, one number. The guide refuses an option the vendor does not
/// support, with the reason; the question is then asked again.
fn choose(a: &mut Asking, step: &Step) -> Result<(), Stop> {
    a.pl.p.say("");
    for (k, c) in step.choices.iter().enumerate() {
        a.pl.p.say(&format!("  {}  {}", k + 1, c.label));
        if !c.note.is_empty() {
            a.pl.p.say(&format!("     {}", c.note));
        }
    }
    let current = a.g.chosen.get(&step.id).map(|i| i + 1);
    loop {
        let k = a.pl.p.number(1, step.choices.len(), current)?;
        a.g.focus = k - 1;
        a.g.message = None;
        let at = a.g.step;
        if let Some(c) = step.choices.get(k - 1).filter(|c| c.refuse.is_none()) {
            a.pl.p.say(&format!("Chosen: {}", c.label));
        }
        a.act(Action::Next);
        if a.g.step != at {
            return Ok(());
        }
        if let Some(why) = a.g.message.take() {
            a.pl.p.say(&step.plain_text(&why));
        }
    }
}

/// The saved profiles the link step offers (another vendor's), by number, 0 for none; nothing to
/// ask when there is none.
fn link(a: &mut Asking, step: &Step) -> Result<(), Stop> {
    a.pl.p.say("");
    if a.g.link_options.is_empty() {
        a.pl.p.say(&step.plain_text(&step.refuse));
        a.g.focus = 0;
        a.act(Action::Next);
        return Ok(());
    }
    let vendor = a.g.link_provider().map_or("saved", |p| p.guide().name.as_str());
    a.pl.p.say(&format!("  0  none: do not link a {vendor} profile"));
    for (k, (name, domain)) in a.g.link_options.iter().enumerate() {
        a.pl.p.say(&format!("  {}  {name} ({domain})", k + 1));
    }
    // The guide opened the step on the profile linked before (or none).
    let k = a.pl.p.number(0, a.g.link_options.len(), Some(a.g.focus))?;
    a.g.focus = k;
    a.act(Action::Next);
    Ok(())
}
