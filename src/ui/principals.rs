//! The service principals screen: a table of the PBX's principals (the profile's own marked), the
//! confirmation that names the principal and its risk, and the new token, masked until revealed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Theme, block, checks, home::clip, scrolled_text};
use crate::providers::threecx::principals::Principal;
use crate::wizard::{Principals, PrincipalsStage as Stage, TokenShown, Wizard};

pub fn draw(f: &mut Frame, area: Rect, p: &Principals, w: &Wizard, t: &Theme) {
    match &p.stage {
        Stage::List => list(f, area, p, w.spinner, t),
        Stage::Confirm { principal, answer } => {
            let b = block(" Generate an app token? ", t).border_style(t.focus_border());
            let inner = b.inner(area);
            f.render_widget(b, area);
            let mut lines = vec![
                Line::styled(format!("Principal {} (Number {})", principal.id, number(principal)), t.title()),
                Line::raw(""),
                Line::styled(
                    "! 3CX does not document what this does to the principal's current key: it may stop working, and every program using it would be cut off.",
                    t.warn(),
                ),
                Line::raw(""),
                Line::raw("The new token is shown once. Save it as a profile or copy it before you leave."),
            ];
            if p.is_own(principal) {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    format!(
                        "! This is the principal of \"{}\" itself: its saved key may stop working.",
                        p.profile.name
                    ),
                    t.warn(),
                ));
            }
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::raw("Type "),
                Span::styled("yes", t.title()),
                Span::raw(format!(" and press Enter to generate: {}", answer.value())),
            ]));
            scrolled_text(f, inner, lines, 0, t);
        }
        Stage::Generating { principal } => {
            let b = block(" Generating… ", t);
            let mut text = vec![Line::raw(format!(
                "{} Asking the PBX for a new app token for principal {} (Number {})…",
                t.spinner(w.spinner),
                principal.id,
                number(principal)
            ))];
            text.extend(p.waiting.as_ref().map(|d| Line::styled(d.clone(), t.warn())));
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }).block(b), area);
        }
        Stage::Token(tok) => token(f, area, p, tok, w.spinner, t),
    }
}

fn number(p: &Principal) -> &str {
    p.number.as_deref().unwrap_or("unknown")
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
}

fn list(f: &mut Frame, area: Rect, p: &Principals, spinner: usize, t: &Theme) {
    let title = format!(" Service principals of \"{}\" ", p.profile.name);
    let b = block(title, t);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    match &p.list {
        None => {
            lines.push(Line::raw(format!("{} Signing in and reading the principals…", t.spinner(spinner))));
            lines.extend(p.waiting.as_ref().map(|d| Line::styled(d.clone(), t.warn())));
        }
        Some(Err(problem)) => {
            lines.push(Line::styled(format!("{} {}", t.fail_glyph(), problem.detail), t.bad()));
            lines.push(Line::raw(""));
            lines.push(Line::raw(format!("Fix: {}", problem.fix)));
        }
        Some(Ok(rows)) if rows.is_empty() => lines.push(Line::raw("The PBX lists no service principal.")),
        Some(Ok(rows)) => {
            let head = format!(
                "  {:>4}  {:<10} {:<5} {:<12} {:<6} {}",
                "Id", "Number", "XAPI", "Call Control", "System", "Last used"
            );
            lines.push(Line::styled(clip(&head, width), t.dim()));
            for (i, r) in rows.iter().enumerate() {
                let mark = if p.is_own(r) { "*" } else { " " };
                let last = r.last_used.as_deref().map(|s| s.replace('T', " ")).unwrap_or_else(|| "never".into());
                let text = format!(
                    "{} {mark}{:>3}  {:<10} {:<5} {:<12} {:<6} {}",
                    if i == p.selected { t.marker() } else { " " },
                    r.id,
                    clip(number(r), 10),
                    yes_no(r.xapi_enabled),
                    yes_no(r.call_control_enabled),
                    if r.is_system_note.is_some() { "n/a" } else { yes_no(r.is_system) },
                    clip(last.trim_end_matches('Z'), 19)
                );
                let text = clip(&text, width);
                lines.push(if i == p.selected { Line::styled(text, t.selected()) } else { Line::raw(text) });
            }
            if rows.iter().any(|r| p.is_own(r)) {
                lines.push(Line::raw(""));
                lines.push(Line::styled(format!("* the principal \"{}\" signs in with", p.profile.name), t.dim()));
            }
            if let Some(note) = rows.iter().find_map(|r| r.is_system_note) {
                lines.push(Line::styled(format!("System n/a: {note}"), t.dim()));
            }
        }
    }
    scrolled_text(f, inner, lines, 0, t);
}

fn token(f: &mut Frame, area: Rect, p: &Principals, tok: &TokenShown, spinner: usize, t: &Theme) {
    let b = block(" New app token (shown once) ", t);
    let inner = b.inner(area);
    f.render_widget(b, area);
    use secrecy::ExposeSecret;
    let secret = tok.token.expose_secret();
    let shown = if tok.reveal {
        secret.to_string()
    } else {
        format!(
            "{}  ({} characters, hidden)",
            std::iter::repeat_n(t.mask(), secret.chars().count().min(32)).collect::<String>(),
            secret.chars().count()
        )
    };
    let mut lines = vec![
        Line::raw(format!(
            "For principal {} (Number {}) on {}:",
            tok.principal.id,
            number(&tok.principal),
            p.profile.target()
        )),
        Line::raw(""),
        Line::styled(format!("  {shown}"), t.title()),
        Line::raw(""),
    ];
    match (&tok.saved, &tok.name) {
        (Some(path), _) => lines.push(Line::styled(format!("{} Saved in {path}.", t.pass_glyph()), t.ok())),
        (None, Some(_)) => {}
        (None, None) => lines.push(Line::raw(
            "s validates it and saves it as a profile; c copies it to your clipboard (also over SSH).",
        )),
    }
    if let Some(run) = &tok.run {
        lines.push(Line::raw(""));
        // scrolled_text wraps these lines itself.
        lines.extend(checks::lines(run, spinner, true, usize::MAX, t));
    }
    let name_h = if tok.name.is_some() && tok.saved.is_none() { 3 } else { 0 };
    let [top, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(name_h)]).areas(inner);
    scrolled_text(f, top, lines, 0, t);
    if let (Some(name), true) = (&tok.name, name_h > 0) {
        let label = if tok.saving || tok.run.as_ref().is_some_and(|r| r.report.is_none()) {
            " › Profile name (checking…) "
        } else {
            " › Profile name: Enter validates and saves "
        };
        let nb = block(label.to_string(), t).border_style(t.focus_border());
        let ni = nb.inner(bottom);
        f.render_widget(Paragraph::new(name.value().to_string()).block(nb), bottom);
        let x = ni.x + name.input.visual_cursor() as u16;
        f.set_cursor_position((x.min(ni.right().saturating_sub(1)), ni.y));
    }
}

/// The keys of the principals screen, for the footer.
pub fn keys(p: &Principals) -> Vec<(&'static str, &'static str)> {
    use crate::wizard::{keymap::named, screen_keys};
    named(&screen_keys::principals(p.at()))
}
