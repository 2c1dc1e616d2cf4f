//! The live list of validation checks (spinner, result, duration, detail) and the verdict under it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Theme, block, scrolled_text};
use crate::providers::ProviderId;
use crate::report::CheckState;
use crate::wizard::{Run, Wizard};

/// A line per check with its time, and under it the detail. `compact` (small terminals) keeps
/// the detail only where it matters: a failure, a running check, an "n/a".
pub fn lines(run: &Run, spinner: usize, compact: bool, t: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if run.checks.is_empty() {
        out.push(Line::from(vec![
            Span::raw(format!("{} ", t.spinner(spinner))),
            Span::raw("starting…"),
        ]));
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
        let wanted =
            !compact || matches!(c.state, CheckState::Failed(_) | CheckState::NotAvailable);
        if !detail.is_empty() && wanted {
            out.push(Line::styled(format!("   {detail}"), t.dim()));
        }
    }
    out
}

/// The verdict: the link works, or the failure kind and its fix.
pub fn verdict(run: &Run, t: &Theme) -> Option<(Vec<Line<'static>>, u16)> {
    let r = run.report.as_ref()?;
    Some(match r.failure {
        None => (
            vec![Line::styled(
                format!("{} The link works ({} ms).", t.pass_glyph(), r.ms),
                t.ok(),
            )],
            1,
        ),
        Some(k) => {
            let hint = r.hint.clone().unwrap_or_default();
            let lines = vec![
                Line::styled(format!("{} Failed: {k}", t.fail_glyph()), t.bad()),
                Line::raw(hint),
            ];
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
    let verdict_h: u16 = Paragraph::new(verdict_lines.clone())
        .wrap(Wrap { trim: true })
        .line_count(area.width) as u16;
    let intro_h = Paragraph::new(intro.clone())
        .wrap(Wrap { trim: false })
        .line_count(area.width) as u16;
    let mut checks = lines(run, spinner, false, t);
    if checks.len() as u16 + verdict_h + intro_h.min(2) > area.height {
        checks = lines(run, spinner, true, t);
    }
    let checks_h = checks.len() as u16;
    let [top, mid, bottom] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(checks_h),
        Constraint::Length(verdict_h),
    ])
    .areas(area);
    scrolled_text(f, top, intro, scroll, t);
    f.render_widget(Paragraph::new(checks), mid);
    f.render_widget(
        Paragraph::new(verdict_lines).wrap(Wrap { trim: true }),
        bottom,
    );
}

pub fn revalidate(
    f: &mut Frame,
    area: Rect,
    name: &str,
    provider: ProviderId,
    run: &Run,
    w: &Wizard,
    t: &Theme,
) {
    let b = block(format!(" {name} ({}) ", provider.guide().name), t);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let target = w.home.profile(name).map(|p| p.target()).unwrap_or_default();
    let mut intro = vec![Line::raw(format!(
        "Checking profile \"{name}\" against {target}."
    ))];
    let warning = provider
        .guide()
        .steps
        .iter()
        .find(|s| !s.warning.is_empty())
        .map(|s| s.warning.clone());
    if let Some(wn) = warning {
        intro.push(Line::styled(format!("! {wn}"), t.warn()));
    }
    draw_run(f, inner, intro, run, w.spinner, 0, t);
}
