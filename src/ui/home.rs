//! The home screen: the saved profiles with their last result, or what to do when there are none.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Theme, block};
use crate::clock::ago;
use crate::wizard::{Row, Wizard};

pub fn draw(f: &mut Frame, area: Rect, w: &Wizard, t: &Theme) {
    let h = &w.home;
    let title = format!(" Profiles ({}) ", h.rows.len());
    if let Some(e) = &h.error {
        let text = vec![
            Line::styled("The profiles file cannot be read:", t.bad()),
            Line::raw(e.clone()),
            Line::raw(""),
            Line::raw("Fix it by hand, then start pbxlink again. pbxlink will not write to it until it reads cleanly."),
        ];
        return f.render_widget(Paragraph::new(text).block(block(title, t)).wrap(Wrap { trim: false }), area);
    }
    if !h.loaded {
        return f.render_widget(Paragraph::new("Reading profiles…").block(block(title, t)), area);
    }
    let warnings: Vec<Line> = h.warnings.iter().take(3).map(|x| Line::styled(format!("! {x}"), t.warn())).collect();
    let warn_h = (Paragraph::new(warnings.clone()).wrap(Wrap { trim: true }).line_count(area.width) as u16).min(4);
    let [list, warn] = Layout::vertical([Constraint::Min(3), Constraint::Length(warn_h)]).areas(area);
    if h.rows.is_empty() {
        let text = vec![
            Line::raw(""),
            Line::styled("No profiles yet.", t.title()),
            Line::raw(""),
            Line::from(vec![
                Span::raw("Press "),
                Span::styled("a", t.key()),
                Span::raw(format!(
                    " to link a {} system. pbxlink walks you through the vendor's console step by step, checks the link live, then saves it as a profile.",
                    providers()
                )),
            ]),
            Line::raw(""),
            Line::styled(format!("Profiles are saved in {}", w.config_path), t.dim()),
        ];
        f.render_widget(Paragraph::new(text).block(block(title, t)).wrap(Wrap { trim: false }), list);
    } else {
        let inner_w = usize::from(list.width.saturating_sub(4));
        let lines: Vec<Line> =
            h.rows.iter().enumerate().map(|(i, r)| row_line(r, i == h.selected, inner_w, h.now, t)).collect();
        let visible = usize::from(list.height.saturating_sub(2)).max(1);
        let offset = h.selected.saturating_sub(visible - 1);
        f.render_widget(Paragraph::new(lines).scroll((offset as u16, 0)).block(block(title, t)), list);
    }
    f.render_widget(Paragraph::new(warnings).wrap(Wrap { trim: true }), warn);
}

fn row_line(r: &Row, selected: bool, width: usize, now: u64, t: &Theme) -> Line<'static> {
    let (glyph, verdict, style) = match (&r.invalid, &r.last) {
        (Some(why), _) => ("!", format!("invalid: {why}"), t.warn()),
        (None, None) => (t.pending_glyph(), "never checked".to_string(), t.dim()),
        (None, Some(l)) if l.ok => (t.pass_glyph(), format!("ok {}", ago(l.checked_at, now)), t.ok()),
        // A link that keeps failing says since when (`list` says both).
        (None, Some(l)) => {
            let kind = l.failure.as_deref().unwrap_or("failed");
            let when = match l.since.filter(|s| *s < l.checked_at) {
                Some(s) => format!("since {}", crate::clock::when_short(s, now)),
                None => ago(l.checked_at, now),
            };
            (t.fail_glyph(), format!("{kind} {when}"), t.bad())
        }
    };
    let marker = if selected { t.marker() } else { " " };
    let left = format!("{marker} {:<12} {:<4} ", clip(&r.name, 12), r.provider);
    let right = format!(" {glyph} {verdict}");
    let target_w = width.saturating_sub(left.chars().count() + right.chars().count()).max(4);
    let target = format!("{:<target_w$}", clip(&r.target, target_w));
    let right = clip(&right, width.saturating_sub(left.chars().count() + target_w));
    let line = Line::from(vec![Span::raw(left), Span::raw(target), Span::styled(right, style)]);
    if selected { line.style(t.selected()) } else { line }
}

/// The providers on offer, by name ("3CX", "3CX or 8x8", "3CX, 8x8 or CX-Engine").
fn providers() -> String {
    // The schemas' names: the first frame parses no guide.
    let names: Vec<&str> = crate::providers::ProviderId::ALL.iter().map(|p| p.schema().name).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// Cuts to `n` characters with an ellipsis.
pub(crate) fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    s.chars().take(n.saturating_sub(1)).collect::<String>() + "…"
}

pub fn confirm_remove(f: &mut Frame, area: Rect, name: &str, t: &Theme) {
    let w = area.width.saturating_sub(8).min(64);
    let popup = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + area.height / 2 - 3,
        width: w,
        height: 6.min(area.height),
    };
    let text = vec![
        Line::styled(format!("Remove profile \"{name}\"?"), t.title()),
        Line::raw("Its entry is deleted from the profiles file (the previous file is kept as .bak)."),
        Line::from(vec![
            Span::styled("y", t.key()),
            Span::raw(" remove   "),
            Span::styled("any other key", t.key()),
            Span::raw(" keep it"),
        ]),
    ];
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).block(block(" Confirm ", t)), popup);
}
