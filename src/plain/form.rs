//! A form step's fields as prompts, one per field: the answer is cleaned like a paste into the
//! full-screen field and checked by the same `Field::check` (a refusal says why and asks again),
//! secrets are read with echo off. Then the step goes on as the TUI's Enter does (`Action::Next`):
//! a file the vendor checks is checked by the guide's effect, and a file whose only fault is its name gets,
//! on a yes, the guide's correctly named copy. There is no Tab completion: the path is a plain
//! line (`~` works).

use super::asking::Asking;
use super::prompt::{Prompter, Stop};
use crate::guide::{FieldKind, Step};
use crate::host::normalise_host;
use crate::wizard::keymap::Action;
use crate::wizard::{Field, GuideState};

pub fn ask(a: &mut Asking, step: &Step) -> Result<(), Stop> {
    let mut path = None;
    for id in &step.fields {
        match a.g.guide().field(id).kind {
            FieldKind::Secret => secret(&mut a.pl.p, &mut a.g, id)?,
            FieldKind::Path => path = Some(id),
            FieldKind::Host | FieldKind::Url | FieldKind::Id => value(&mut a.pl.p, &mut a.g, step, id)?,
        }
    }
    // Enter on the last field: the guide checks the step (and its file) and goes on.
    a.g.focus = step.fields.len().saturating_sub(1);
    match path {
        Some(id) => checked_file(a, step, id),
        None => {
            let at = a.g.step;
            a.act(Action::Next);
            if a.g.step == at
                && let Some(why) = a.g.message.take()
            {
                a.pl.p.say(&why);
            }
            Ok(())
        }
    }
}

/// The field's value when it holds an acceptable one (typed before, or given as a flag).
fn accepted(g: &GuideState, id: &str) -> Option<String> {
    g.field(id).filter(|f| !f.value().trim().is_empty()).and_then(|f| f.check().ok())
}

/// Puts `typed` in the field as a paste would, and checks it.
fn set(g: &mut GuideState, id: &str, typed: &str) -> Result<String, crate::report::Refusal> {
    let Some(f) = g.fields.iter_mut().find(|f| f.id == id) else { return Err("no such field".into()) };
    *f = Field::new(id, f.kind, "");
    f.paste(typed);
    f.check()
}

/// A host, URL or identifier: the value so far in brackets (Enter keeps it), else the placeholder.
fn value(p: &mut Prompter, g: &mut GuideState, step: &Step, id: &str) -> Result<(), Stop> {
    let spec = g.guide().field(id);
    loop {
        let current = accepted(g, id);
        let prompt = match &current {
            Some(v) => format!("{} [{v}]: ", spec.label),
            None if !spec.placeholder.is_empty() => {
                format!("{} ({}): ", spec.label, step.plain_text(&spec.placeholder))
            }
            None => format!("{}: ", spec.label),
        };
        let line = p.ask(&prompt)?;
        if line.trim().is_empty() && current.is_some() {
            return Ok(());
        }
        match set(g, id, &line) {
            Ok(v) => {
                // What the TUI shows live under the field: where pbxlink will connect.
                let target = match spec.kind {
                    FieldKind::Host => normalise_host(&v).ok().map(|h| h.https_base()),
                    FieldKind::Url => Some(v),
                    _ => None,
                };
                if let Some(t) = target {
                    p.say(&format!("  will connect to {t}"));
                }
                if let Some(hint) = spec.soft_note(&line) {
                    p.say(&format!("  Note: {hint}"));
                }
                return Ok(());
            }
            Err(e) => {
                p.say(&format!("{}: {e}", spec.label));
                g.prefill(id, current.as_deref());
            }
        }
    }
}

/// A secret, read with echo off. Enter alone is never a secret; one typed before is kept only on
/// an explicit yes.
fn secret(p: &mut Prompter, g: &mut GuideState, id: &str) -> Result<(), Stop> {
    let spec = g.guide().field(id);
    if let Some(v) = accepted(g, id) {
        let n = v.chars().count();
        if p.yes_no(&format!("Keep the {} you typed ({n} characters)? Type yes or no: ", spec.label))? {
            return Ok(());
        }
    }
    let prompt =
        if p.tty() { format!("{} (not shown as you type): ", spec.label) } else { format!("{}: ", spec.label) };
    loop {
        let line = p.ask_secret(&prompt)?;
        match set(g, id, &line) {
            Ok(v) => {
                p.say(&format!("  {} characters, hidden", v.chars().count()));
                if let Some(hint) = spec.soft_note(&v) {
                    p.say(&format!("  Note: {hint}"));
                }
                return Ok(());
            }
            Err(e) => p.say(&format!("{}: {e}", spec.label)),
        }
    }
}

/// A file the vendor checks: empty skips; a file is checked on disk by the guide, never changed; a
/// file whose only fault is its name gets, on a yes, the guide's correctly named copy beside it,
/// which is then checked. Asked until the guide goes on.
fn checked_file(a: &mut Asking, step: &Step, id: &str) -> Result<(), Stop> {
    let spec = a.g.guide().field(id);
    let words = spec.file.as_ref();
    let wanted = a.g.file_rules().map_or("", |r| r.wanted_name);
    let prompt = format!("{} ({}): ", spec.label, step.plain_text(&spec.placeholder));
    let at = a.g.step;
    loop {
        let typed = match set(&mut a.g, id, &a.pl.p.ask(&prompt)?) {
            Ok(v) => v,
            Err(e) => {
                a.pl.p.say(&format!("{}: {e}", spec.label));
                continue;
            }
        };
        if typed.is_empty() {
            a.pl.p.say(&format!("  {}", words.map_or("Skipped.", |w| w.skipped.as_str())));
        }
        // A path typed (again) is checked again: a copy is written only after the yes below.
        a.g.file.checked = None;
        a.act(Action::Next);
        if a.g.step != at {
            return Ok(());
        }
        let only_the_name = matches!(&a.g.file.checked, Some((_, Ok(f))) if f.only_its_name());
        if !only_the_name {
            if matches!(&a.g.file.checked, Some((_, Ok(_)))) {
                let fix = words.map_or("Fix the file", |w| w.refetch.as_str());
                a.pl.p.say(&format!("  {fix}, then type its path again."));
            }
            continue;
        }
        let dir = a.g.file_path().and_then(|p| p.parent().map(|d| d.join(wanted)));
        let copy = dir.map(|c| c.display().to_string()).unwrap_or_else(|| wanted.to_string());
        let offer = format!("Write a correctly named copy, {copy}? The original stays as it is. Type yes or no: ");
        if !a.pl.p.yes_no(&offer)? {
            a.pl.p.say("  Type the path of another file, or nothing to skip.");
            continue;
        }
        // A second Enter on a file refused only for its name: the guide writes the copy and
        // checks it.
        a.act(Action::Next);
        if a.g.step != at {
            return Ok(());
        }
        if let Some(why) = a.g.message.take() {
            a.pl.p.say(&format!("  {why}"));
        }
    }
}
