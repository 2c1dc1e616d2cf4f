//! The live list of validation checks (spinner, result, duration, detail) and the verdict under it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Theme, block, scrolled_text};
use crate::providers::ProviderId;
use crate::report::CheckState;
use crate::wizard::{Revalidation, Run, Wizard};

/// A line per check with its time, and under it the detail, wrapped to `width` under its indent
/// (a failed check's detail is what the admin needs whole). `compact` (small terminals) keeps
/// the detail only where it matters: a failure, a running check, an "n/a".
pub fn lines(run: &Run, spinner: usize, compact: bool, width: usize, t: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if run.checks.is_empty() {
        out.push(Line::from(vec![Span::raw(format!("{} ", t.spinner(spinner))), Span::raw("starting…")]));
    }
    for c in &run.checks {
        let (glyph, style) = match &c.state {
            CheckState::Pending => (t.pending_glyph(), t.dim()),
            CheckState::Running => (t.spinner(spinner), t.title()),
            CheckState::Passed => (t.pass_glyph(), t.ok()),
            CheckState::NotAvailable => (t.na_glyph(), t.dim()),
            CheckState::Failed(_) => (t.fail_glyph(), t.bad()),
            CheckState::Skipped => (t.na_glyph(), t.dim()),
        };
        let time = match &c.state {
            CheckState::Passed | CheckState::Failed(_) | CheckState::NotAvailable => {
                format!("  {} ms", c.ms)
            }
            CheckState::Skipped => "  skipped".to_string(),
            _ => String::new(),
        };
        out.push(Line::from(vec![
            Span::styled(format!("{glyph:>2} "), style),
            Span::styled(c.title.clone(), style),
            Span::styled(time, t.dim()),
        ]));
        let detail = match &c.state {
            CheckState::Failed(k) => format!("{k}: {}", c.detail),
            _ => c.detail.clone(),
        };
        // A running check's detail says what it waits for (another pbxlink's token, say).
        let wanted =
            !compact || matches!(c.state, CheckState::Failed(_) | CheckState::NotAvailable | CheckState::Running);
        if !detail.is_empty() && wanted {
            let wrapped = crate::text::wrap_hanging(&format!("   {detail}"), width);
            out.extend(wrapped.into_iter().map(|l| Line::styled(l, t.dim())));
        }
    }
    out
}

/// The verdict: the link works (with what the system says needs an admin, most serious first),
/// or the failure kind and its fix.
pub fn verdict(run: &Run, t: &Theme) -> Option<(Vec<Line<'static>>, u16)> {
    let r = run.report.as_ref()?;
    Some(match r.failure {
        None => {
            let mut lines = vec![Line::styled(format!("{} The link works ({} ms).", t.pass_glyph(), r.ms), t.ok())];
            let mut found: Vec<_> = r.health.iter().flat_map(|h| &h.findings).collect();
            found.sort_by_key(|f| std::cmp::Reverse(f.level));
            for f in found {
                let (word, style) = match f.level {
                    crate::report::Level::Critical => ("critical", t.bad()),
                    crate::report::Level::Warning => ("warning", t.warn()),
                };
                lines.push(Line::styled(format!("! {word}: {}", f.text), style));
            }
            let n = lines.len() as u16;
            (lines, n)
        }
        Some(k) => {
            let hint = r.hint.clone().unwrap_or_default();
            let lines = vec![Line::styled(format!("{} Failed: {k}", t.fail_glyph()), t.bad()), Line::raw(hint)];
            (lines, 0)
        }
    })
}

/// The checks and verdict in `area`, giving the checks priority over `intro` text above them.
pub fn draw_run(
    f: &mut Frame,
    area: Rect,
    intro: Vec<Line<'static>>,
    run: &Run,
    spinner: usize,
    scroll: u16,
    t: &Theme,
) {
    let (verdict_lines, _) = verdict(run, t).unwrap_or_default();
    let verdict_h: u16 = Paragraph::new(verdict_lines.clone()).wrap(Wrap { trim: true }).line_count(area.width) as u16;
    let intro_h = Paragraph::new(intro.clone()).wrap(Wrap { trim: false }).line_count(area.width) as u16;
    let width = usize::from(area.width);
    let mut checks = lines(run, spinner, false, width, t);
    if checks.len() as u16 + verdict_h + intro_h.min(2) > area.height {
        checks = lines(run, spinner, true, width, t);
    }
    let checks_h = checks.len() as u16;
    // The intro gets what the checks and verdict leave, but no more than it needs (plus a blank
    // line), so the checks sit right under it.
    let intro_room = area.height.saturating_sub(checks_h + verdict_h).min(intro_h + 1);
    let [top, mid, bottom, _] = Layout::vertical([
        Constraint::Length(intro_room),
        Constraint::Length(checks_h),
        Constraint::Length(verdict_h),
        Constraint::Min(0),
    ])
    .areas(area);
    scrolled_text(f, top, intro, scroll, t);
    f.render_widget(Paragraph::new(checks), mid);
    f.render_widget(Paragraph::new(verdict_lines).wrap(Wrap { trim: true }), bottom);
}

/// Re-validation from the home screen: the one-token warning, the profiles (when several) with
/// their state, and the selected profile's checks and verdict.
pub fn revalidate(f: &mut Frame, area: Rect, r: &Revalidation, w: &Wizard, t: &Theme) {
    let (sel, run) = &r.rows[r.selected.min(r.rows.len() - 1)];
    let title = if r.rows.len() == 1 {
        format!(" {} ({}) ", sel.name, sel.provider_name())
    } else {
        format!(" {} profiles ", r.rows.len())
    };
    let b = block(title, t);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let mut intro = Vec::new();
    if r.rows.len() == 1 {
        intro.push(Line::raw(format!("Checking profile \"{}\" against {}.", sel.name, sel.target())));
    }
    let mut warnings: Vec<&str> = Vec::new();
    for (p, _) in &r.rows {
        let Some(guide) = ProviderId::of(p).map(ProviderId::guide) else { continue };
        warnings.push(&guide.recheck_warning);
        // A profile that links another's (CX-Engine's 3CX profile) takes that one's token too.
        let links = p.schema.and_then(|s| s.link()).is_some_and(|(def, _)| p.values.text(def.key).is_some());
        if links {
            warnings.extend(guide.steps.iter().map(|s| s.link_warning.as_str()));
        }
    }
    let mut said = std::collections::BTreeSet::new();
    for wn in warnings.into_iter().filter(|w| !w.is_empty()) {
        if said.insert(wn) {
            intro.push(Line::styled(format!("! {wn}"), t.warn()));
        }
    }
    if r.rows.len() == 1 {
        if let Some(h) = r.shown_health() {
            return super::capabilities::health(f, inner, vec![], h, r.scroll, t);
        }
        if let Some(c) = r.shown_capabilities() {
            return super::capabilities::draw(f, inner, intro, c, w.spinner, t);
        }
        return draw_run(f, inner, intro, run, w.spinner, 0, t);
    }
    let list_h = (r.rows.len() as u16).min(inner.height / 3).max(1);
    let intro = Paragraph::new(intro).wrap(Wrap { trim: true });
    let warn_h = (intro.line_count(inner.width) as u16).min(3);
    let [warn, list, gap, detail] = Layout::vertical([
        Constraint::Length(warn_h),
        Constraint::Length(list_h),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    f.render_widget(intro, warn);
    let width = usize::from(list.width);
    let lines: Vec<Line> = r
        .rows
        .iter()
        .enumerate()
        .map(|(i, (p, run))| {
            let (glyph, state, style) = match &run.report {
                None => (t.spinner(w.spinner), "checking…".to_string(), t.title()),
                Some(rep) if rep.ok() => (t.pass_glyph(), format!("ok, {} ms", rep.ms), t.ok()),
                Some(rep) => (t.fail_glyph(), rep.failure.map(|k| k.as_str()).unwrap_or("failed").to_string(), t.bad()),
            };
            let marker = if i == r.selected { t.marker() } else { " " };
            let text =
                super::home::clip(&format!("{marker} {glyph} {:<14} {:<16} {}", p.name, state, p.target()), width);
            let line = Line::styled(text, style);
            if i == r.selected { line.style(t.selected()) } else { line }
        })
        .collect();
    let offset = r.selected.saturating_sub(usize::from(list_h) - 1) as u16;
    f.render_widget(Paragraph::new(lines).scroll((offset, 0)), list);
    let _ = gap;
    let head = vec![Line::styled(format!("{}: {}", sel.name, sel.target()), t.title())];
    match (r.shown_health(), r.shown_capabilities()) {
        (Some(h), _) => super::capabilities::health(f, detail, head, h, r.scroll, t),
        (None, Some(c)) => super::capabilities::draw(f, detail, head, c, w.spinner, t),
        (None, None) => draw_run(f, detail, head, run, w.spinner, 0, t),
    }
}
