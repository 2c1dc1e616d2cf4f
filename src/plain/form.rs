//! A form step's fields as prompts, one per field: the answer is cleaned like a paste into the
//! full-screen field and checked by the same `Field::check` (a refusal says why and asks again),
//! secrets are read with echo off, and the template file is checked on disk, with the offer of a
//! correctly named copy. There is no Tab completion: the path is a plain line (`~` works).

use super::prompt::{Prompter, Stop};
use crate::guide::{FieldKind, Step};
use crate::host::normalise_host;
use crate::template_file;
use crate::template_file::crm::RECOMMENDED_NAME;
use crate::wizard::{Field, GuideState};

pub fn ask(p: &mut Prompter, g: &mut GuideState, step: &Step) -> Result<(), Stop> {
    for id in &step.fields {
        match g.guide().field(id).kind {
            FieldKind::Secret => secret(p, g, id)?,
            FieldKind::Path => template(p, g, step, id)?,
            FieldKind::Host | FieldKind::Url | FieldKind::Id => value(p, g, step, id)?,
        }
    }
    Ok(())
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

/// The template file: empty skips; a file is checked on disk, never changed; a file whose only
/// fault is its name gets, on a yes, a correctly named copy beside it, which is then checked.
fn template(p: &mut Prompter, g: &mut GuideState, step: &Step, id: &str) -> Result<(), Stop> {
    let spec = g.guide().field(id);
    let prompt = format!("{} ({}): ", spec.label, step.plain_text(&spec.placeholder));
    let mut copied: Option<String> = None;
    loop {
        let typed = match copied.take() {
            Some(path) => path,
            None => match set(g, id, &p.ask(&prompt)?) {
                Ok(v) => v,
                Err(e) => {
                    p.say(&format!("{}: {e}", spec.label));
                    continue;
                }
            },
        };
        if typed.is_empty() {
            p.say("  No template file: skipped (the template is already in 3CX).");
            return Ok(());
        }
        let found = match template_file::inspect(&typed) {
            Ok(f) => f,
            Err(e) => {
                p.say(&format!("  {e}"));
                continue;
            }
        };
        if found.ok() {
            let name = found.template_name.clone().unwrap_or_default();
            p.say(&format!("  ok: a 3CX CRM template, \"{name}\" ({})", found.path.display()));
            g.template.checked = Some((typed, Ok(found)));
            return Ok(());
        }
        if let Some(n) = &found.name_problem {
            p.say(&format!("  file name: {n}"));
        }
        for problem in &found.problems {
            p.say(&format!("  line {}: {}", problem.line, problem.message));
        }
        if !found.problems.is_empty() {
            p.say("  Download the template again (or fix it), then type its path again.");
            continue;
        }
        let copy = found.path.with_file_name(RECOMMENDED_NAME);
        let offer =
            format!("Write a correctly named copy, {}? The original stays as it is. Type yes or no: ", copy.display());
        if !p.yes_no(&offer)? {
            p.say("  Type the path of a file 3CX accepts, or nothing to skip.");
            continue;
        }
        match template_file::write_copy(&found.path) {
            Ok(path) => {
                tracing::info!(copy = %path.display(), "wrote a correctly named template copy");
                let path = path.to_string_lossy().into_owned();
                p.say(&format!("  Wrote {path}"));
                g.prefill(id, Some(&path));
                copied = Some(path);
            }
            Err(e) => p.say(&format!("  No copy written: {e}")),
        }
    }
}
