//! One step of a vendor guide: its text, then what the step asks for (tick boxes, fields, the live
//! checks, the review), and the keys it takes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Theme, block, checks, scrolled_text};
use crate::guide::{FieldKind, FieldSpec, StepKind};
use crate::host::normalise_host;
use crate::wizard::{Field, GuideState, Wizard};

pub fn draw(f: &mut Frame, area: Rect, g: &GuideState, w: &Wizard, t: &Theme) {
    let step = g.current();
    if let Some(path) = g.saved_in() {
        return done(f, area, g, path, t);
    }
    let b = block(format!(" {} ", step.title), t);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let body = text_lines(&g.body(step), inner_width(area));
    match step.kind {
        StepKind::Info => {
            scrolled_text(f, inner, body, g.scroll, t);
        }
        StepKind::Confirm | StepKind::Ack | StepKind::Select => {
            let ticks = g.ticks.get(&step.id).cloned().unwrap_or_default();
            let items: Vec<Line> = step
                .confirm
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let on = ticks.get(i).copied().unwrap_or(false);
                    let focused = i == g.focus;
                    let text = format!("{} {} {c}", if focused { t.marker() } else { " " }, t.tick_box(on));
                    if focused { Line::styled(text, t.selected()) } else { Line::raw(text) }
                })
                .collect();
            let h = items.len() as u16 + 1;
            let [top, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(h)]).areas(inner);
            scrolled_text(f, top, body, g.scroll, t);
            let mut lines = vec![Line::raw("")];
            lines.extend(items);
            f.render_widget(Paragraph::new(lines), bottom);
        }
        StepKind::Choose => {
            let width = usize::from(inner_width(area)).saturating_sub(6).max(10);
            let mut items: Vec<Line> = vec![Line::raw("")];
            for (i, c) in step.choices.iter().enumerate() {
                let focused = i == g.focus;
                let on = g.chosen.get(&step.id) == Some(&i);
                let text = format!("{} {} {}", if focused { t.marker() } else { " " }, t.radio(on), c.label);
                items.push(if focused { Line::styled(text, t.selected()) } else { Line::raw(text) });
                for l in crate::text::wrap_hanging(&c.note, width) {
                    items.push(Line::styled(format!("      {l}"), t.dim()));
                }
            }
            list_below(f, inner, body, items, g.scroll, t);
        }
        StepKind::Link => {
            let mut items: Vec<Line> = vec![Line::raw("")];
            let vendor = g.link_provider().map_or("saved", |p| p.guide().name.as_str());
            let options = std::iter::once((format!("Do not link a {vendor} profile"), String::new()))
                .chain(g.link_options.iter().map(|(n, d)| (n.clone(), format!("  {d}"))));
            for (i, (name, domain)) in options.enumerate() {
                let focused = i == g.focus;
                let on = match (i, &g.pbx) {
                    (0, None) => true,
                    (i, Some(p)) => g.link_options.get(i.wrapping_sub(1)).is_some_and(|(n, _)| n == p),
                    _ => false,
                };
                let head = format!("{} {} {name}", if focused { t.marker() } else { " " }, t.radio(on));
                let style = if focused { t.selected() } else { ratatui::style::Style::default() };
                items.push(Line::from(vec![Span::styled(head, style), Span::styled(domain, t.dim())]));
            }
            if g.link_options.is_empty() {
                let width = usize::from(inner_width(area)).saturating_sub(2).max(10);
                items.extend(
                    crate::text::wrap_hanging(&step.refuse, width).into_iter().map(|l| Line::styled(l, t.dim())),
                );
            }
            list_below(f, inner, body, items, g.scroll, t);
        }
        StepKind::Form => {
            let ids = &step.fields;
            let per: Vec<u16> = ids
                .iter()
                .map(|id| match g.guide().field(id) {
                    spec if spec.kind == FieldKind::Path => 3 + file_lines(g, usize::from(inner.width), t).len() as u16,
                    spec if has_note_line(spec) => 4,
                    _ => 3,
                })
                .collect();
            let total: u16 = per.iter().sum();
            let [top, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(total)]).areas(inner);
            scrolled_text(f, top, body, g.scroll, t);
            let areas = Layout::vertical(per.iter().map(|h| Constraint::Length(*h))).split(bottom);
            for (i, id) in ids.iter().enumerate() {
                if let Some(field) = g.field(id) {
                    input(f, areas[i], field, g.guide().field(id), i == g.focus, g.reveal, t);
                    if field.kind == FieldKind::Path {
                        let below = Rect { y: areas[i].y + 3, height: areas[i].height.saturating_sub(3), ..areas[i] };
                        f.render_widget(Paragraph::new(file_lines(g, usize::from(inner.width), t)), below);
                    }
                }
            }
        }
        StepKind::Validate => {
            let mut intro = body;
            if !step.warning.is_empty() {
                intro.push(Line::styled(format!("! {}", step.warning), t.warn()));
            }
            if g.pbx.is_some() && !step.link_warning.is_empty() {
                intro.push(Line::styled(format!("! {}", step.link_warning), t.warn()));
            }
            if let Some(run) = &g.run {
                checks::draw_run(f, inner, intro, run, w.spinner, g.scroll, t);
            }
        }
        StepKind::Review => review(f, inner, g, body, t),
    }
}

/// Host and URL fields show their normal form under the box, and fields with an expected prefix a
/// hint.
fn has_note_line(spec: &FieldSpec) -> bool {
    matches!(spec.kind, FieldKind::Host | FieldKind::Url) || spec.expect_prefix.is_some()
}

/// The step's text above, a list of options (already styled) below it.
fn list_below(f: &mut Frame, area: Rect, body: Vec<Line<'static>>, items: Vec<Line<'static>>, scroll: u16, t: &Theme) {
    let h = (items.len() as u16).min(area.height.saturating_sub(2));
    let [top, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(h)]).areas(area);
    scrolled_text(f, top, body, scroll, t);
    f.render_widget(Paragraph::new(items), bottom);
}

/// Under a checked file's field: Tab's candidates, the check in progress, or what the file turned out
/// to be and what Enter will do next. Wrapped to `width`, at most a few lines.
fn file_lines(g: &GuideState, width: usize, t: &Theme) -> Vec<Line<'static>> {
    let typed = g.file_key().and_then(|k| g.field(k)).map(|f| f.value().trim().to_string()).unwrap_or_default();
    let ts = &g.file;
    let Some(words) = g.file_key().and_then(|k| g.guide().field(k).file.as_ref()) else { return vec![] };
    let wanted = g.file_rules().map_or("", |r| r.wanted_name);
    let width = width.max(20);
    let say = |glyph: &str, text: &str, style| -> Vec<Line<'static>> {
        let body = crate::text::wrap_hanging(text, width - 4);
        body.into_iter()
            .enumerate()
            .map(|(i, l)| {
                let lead = if i == 0 { format!("  {glyph:<1} ") } else { "    ".to_string() };
                Line::styled(format!("{lead}{l}"), style)
            })
            .collect()
    };
    if !ts.candidates.is_empty() {
        return pack(&ts.candidates, width - 2, 3)
            .into_iter()
            .map(|l| Line::styled(format!("  {l}"), t.dim()))
            .collect();
    }
    if ts.busy {
        return say("", "checking the file…", t.dim());
    }
    if typed.is_empty() {
        return say("", &words.empty, t.dim());
    }
    match ts.found_for(&typed) {
        None => say("", "Enter checks the file", t.dim()),
        Some(Err(e)) => say(t.fail_glyph(), &e.to_string(), t.bad()),
        Some(Ok(found)) if found.ok() => {
            let name = found.name.clone().unwrap_or_default();
            let mut lines = say(t.pass_glyph(), &words.found.replace("{name}", &name), t.ok());
            for w in &found.warnings {
                lines.extend(say("!", &format!("line {}: {}", w.line, w.message), t.warn()));
            }
            lines
        }
        Some(Ok(found)) => {
            let mut lines = Vec::new();
            if let Some(n) = &found.name_problem {
                lines.extend(say(t.fail_glyph(), &format!("file name: {n}"), t.bad()));
            }
            const SHOWN: usize = 3;
            for p in found.problems.iter().take(SHOWN) {
                lines.extend(say(t.fail_glyph(), &format!("line {}: {}", p.line, p.message), t.bad()));
            }
            if found.problems.len() > SHOWN {
                let more = found.problems.len() - SHOWN;
                lines.extend(say("", &format!("… {more} more: {}", words.more), t.dim()));
            }
            let next = if found.problems.is_empty() {
                let copy = found.path.with_file_name(wanted);
                format!("Press Enter to write a correctly named copy, {}; the original stays as it is.", copy.display())
            } else {
                format!("{}, then press Enter to check again.", words.refetch)
            };
            lines.extend(say("", &next, t.warn()));
            lines
        }
    }
}

/// Packs names into at most `max` lines of `width`, three spaces apart (names may hold spaces);
/// what does not fit is counted on the last line.
fn pack(names: &[String], width: usize, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for (i, n) in names.iter().enumerate() {
        let last = lines.last_mut().map(|l| l.chars().count()).unwrap_or(0);
        let need = n.chars().count() + if last == 0 { 0 } else { 3 };
        if last > 0 && last + need > width {
            if lines.len() == max {
                let rest = format!("   (+{} more)", names.len() - i);
                if let Some(l) = lines.last_mut() {
                    l.push_str(&rest);
                }
                break;
            }
            lines.push(String::new());
        }
        if let Some(l) = lines.last_mut() {
            if !l.is_empty() {
                l.push_str("   ");
            }
            l.push_str(&super::home::clip(n, width));
        }
    }
    lines
}

/// Guide text as lines, wrapped with hanging indents for list items.
fn text_lines(body: &str, width: u16) -> Vec<Line<'static>> {
    crate::text::wrap_hanging(body, usize::from(width)).into_iter().map(Line::raw).collect()
}

/// Text width inside a bordered, padded block.
fn inner_width(area: Rect) -> u16 {
    area.width.saturating_sub(4)
}

/// A bordered input with the label as title; secrets masked unless revealed; host fields show
/// their normalised form (or why it is refused) live underneath.
#[allow(clippy::too_many_arguments)]
fn input(f: &mut Frame, area: Rect, field: &Field, spec: &FieldSpec, focused: bool, reveal: bool, t: &Theme) {
    let (label, placeholder) = (&spec.label, &spec.placeholder);
    let title = if focused { format!(" {} {label} ", t.marker()) } else { format!(" {label} ") };
    let mut b = block(title, t);
    if focused {
        b = b.border_style(t.focus_border());
    }
    let box_area = Rect { height: 3.min(area.height), ..area };
    let inner = b.inner(box_area);
    let width = usize::from(inner.width.max(1));
    let value = field.value();
    let shown: String = if field.kind == FieldKind::Secret && !reveal {
        value.chars().map(|_| t.mask()).collect()
    } else {
        value.to_string()
    };
    let scroll = field.input.visual_scroll(width.saturating_sub(1));
    let para = if value.is_empty() {
        Paragraph::new(Span::styled(placeholder.to_string(), t.dim()))
    } else {
        let extra = if field.kind == FieldKind::Secret && !reveal {
            Span::styled(format!("  ({} characters, hidden)", value.chars().count()), t.dim())
        } else {
            Span::raw("")
        };
        Paragraph::new(Line::from(vec![Span::raw(shown), extra])).scroll((0, scroll as u16))
    };
    f.render_widget(para.block(b), box_area);
    if focused {
        let x = inner.x + (field.input.visual_cursor().saturating_sub(scroll)) as u16;
        f.set_cursor_position(Position { x: x.min(inner.right().saturating_sub(1)), y: inner.y });
    }
    // A soft hint only: the value is never refused for it.
    if let (Some(hint), true) = (spec.soft_note(value), area.height > 3) {
        let note = Rect { y: area.y + 3, height: 1, ..area };
        f.render_widget(Paragraph::new(Line::styled(format!("  ! {hint}"), t.warn())), note);
    }
    if matches!(field.kind, FieldKind::Host | FieldKind::Url) && area.height > 3 {
        let live = Rect { y: area.y + 3, height: 1, ..area };
        let line = if value.trim().is_empty() {
            Line::styled("  paste the address from your browser, or type the domain", t.dim())
        } else {
            match normalise_host(value) {
                Ok(h) => Line::from(vec![
                    Span::styled(format!("  {} ", t.pass_glyph()), t.ok()),
                    Span::raw("will connect to "),
                    Span::styled(h.https_base(), t.title()),
                ]),
                Err(e) => Line::styled(format!("  {} {}: {}", t.fail_glyph(), e.reason, e.fix), t.bad()),
            }
        };
        f.render_widget(Paragraph::new(line), live);
    }
}

fn review(f: &mut Frame, area: Rect, g: &GuideState, body: Vec<Line<'static>>, t: &Theme) {
    let mut lines = body;
    lines.push(Line::raw(""));
    let rows = g.review_rows();
    let width = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(8).max(9) + 2;
    let row = |k: &str, v: String| Line::from(vec![Span::styled(format!("  {k:<width$}"), t.dim()), Span::raw(v)]);
    for (k, v) in rows {
        lines.push(row(&k, v));
    }
    // What the validation proved, from its last informative check.
    let proof = g.run.as_ref().and_then(|r| {
        r.checks.iter().rev().find(|c| {
            matches!(c.id, "access" | "products" | "crm" | "token")
                && matches!(c.state, crate::report::CheckState::Passed | crate::report::CheckState::NotAvailable)
        })
    });
    if let Some(c) = proof {
        lines.push(row("Verified", c.detail.clone()));
    }
    let keep = g.secret_key().is_some();
    let [top, name_area, keep_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(3), Constraint::Length(if keep { 3 } else { 0 })])
            .areas(area);
    scrolled_text(f, top, lines, g.scroll, t);
    let label = if g.phase == crate::wizard::Phase::Saving { "Profile name (saving…)" } else { "Profile name" };
    let spec = |label: &str, placeholder: &str, kind| FieldSpec {
        label: label.into(),
        placeholder: placeholder.into(),
        kind,
        expect_prefix: None,
        expect_note: String::new(),
        unset: String::new(),
        file: None,
    };
    let focused = g.keeping.focused;
    input(f, name_area, &g.name, &spec(label, "letters, digits, - or _", FieldKind::Id), !focused, true, t);
    if keep {
        let hint = "profiles.toml; or keyring, env:VAR, command:CMD ARG";
        input(f, keep_area, &g.keeping.field, &spec("Keep the secret", hint, FieldKind::Path), focused, true, t);
    }
}

fn done(f: &mut Frame, area: Rect, g: &GuideState, path: &str, t: &Theme) {
    let name = g.name.value().trim();
    let text = vec![
        Line::styled(format!("{} Saved profile \"{name}\".", t.pass_glyph()), t.ok()),
        Line::raw(""),
        Line::raw(format!("File: {path} (readable only by you)")),
        Line::raw(format!("Secret: {}", g.keep_row())),
        Line::raw(""),
        Line::raw("Check it again any time, by hand or from cron:"),
        Line::styled(format!("  pbxlink validate {name}"), t.title()),
        Line::raw(""),
        Line::raw("Press Enter to finish."),
    ];
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }).block(block(" Done ", t)), area);
}

/// The keys of the current guide step, for the footer.
pub fn keys(g: &GuideState) -> Vec<(&'static str, &'static str)> {
    let in_secret = g.focused_field().is_some_and(|f| f.kind == FieldKind::Secret);
    crate::wizard::keymap::footer(g.situation(), in_secret)
}
