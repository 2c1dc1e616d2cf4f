//! What a finished revalidation shows in place of its checks: every health fact of the profile
//! (`h`: its findings, then each fact as the system said it), or what its key may read (`c`: a
//! line per read with its answer, then the role the refusals point to; while the reads run, a
//! spinner; when signing in failed, what happened and the fix).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{Theme, scrolled_text};
use crate::providers::Access;
use crate::wizard::CapabilityRead;

/// Every health fact, under the findings drawn from them.
pub fn health(
    f: &mut Frame,
    area: Rect,
    mut lines: Vec<Line<'static>>,
    h: &crate::report::Health,
    scroll: u16,
    t: &Theme,
) {
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    let mut findings: Vec<&crate::report::Finding> = h.findings.iter().collect();
    findings.sort_by_key(|x| std::cmp::Reverse(x.level));
    for x in findings {
        let level = match x.level {
            crate::report::Level::Critical => "critical",
            crate::report::Level::Warning => "warning",
        };
        lines.push(Line::styled(format!("! {level}: {}", x.text), t.warn()));
    }
    lines.push(Line::styled("What the system says:", t.title()));
    let width = h.facts.iter().map(|x| x.label.chars().count()).max().unwrap_or(0);
    lines.extend(h.facts.iter().map(|x| Line::raw(format!("  {:<width$}  {}", x.label, x.value))));
    scrolled_text(f, area, lines, scroll, t);
}

pub fn draw(f: &mut Frame, area: Rect, mut lines: Vec<Line<'static>>, c: &CapabilityRead, spinner: usize, t: &Theme) {
    lines.push(Line::raw(""));
    match &c.result {
        None => lines.push(Line::styled(
            format!("{} Reading what the key may do (one GET each, one item at most)…", t.spinner(spinner)),
            t.title(),
        )),
        Some(Err(problem)) => {
            lines.push(Line::styled(format!("{} {}", t.fail_glyph(), problem.detail), t.bad()));
            if !problem.fix.is_empty() {
                lines.push(Line::raw(format!("Fix: {}", problem.fix)));
            }
        }
        Some(Ok(caps)) => {
            lines.push(Line::styled("What the key may read:", t.title()));
            let width = caps.results.iter().map(|(c, _)| c.label.chars().count()).max().unwrap_or(0);
            for (cap, access) in &caps.results {
                let (glyph, style) = match access {
                    Access::CanRead => (t.pass_glyph(), t.ok()),
                    Access::Refused => (t.fail_glyph(), t.bad()),
                    Access::NotFound | Access::Unknown(_) => (t.na_glyph(), t.dim()),
                };
                lines.push(Line::styled(format!("{glyph} {:<width$}  {}", cap.label, access.shown()), style));
            }
            if let Some(role) = caps.missing_role() {
                lines.push(Line::raw(""));
                lines.push(Line::styled(format!("→ {role}"), t.warn()));
            }
        }
    }
    scrolled_text(f, area, lines, 0, t);
}
