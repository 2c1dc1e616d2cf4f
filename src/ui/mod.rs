//! Pure drawing of a [`Wizard`] into a ratatui frame. No state of its own: what is on screen is a
//! function of the wizard, so `TestBackend` snapshots show exactly what a user sees.

mod capabilities;
mod checks;
mod guide;
mod home;
mod principals;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph, Wrap};

pub use theme::Theme;

use crate::guide::FieldKind;
use crate::providers::ProviderId;
use crate::wizard::{MIN_HEIGHT, MIN_WIDTH, Screen, Wizard};

/// Draws the whole screen: each screen's own drawing is a function of its own.
pub fn draw(f: &mut Frame, w: &Wizard, t: &Theme) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area);
        if t.ascii {
            theme::asciify(f.buffer_mut());
        }
        return;
    }
    let banner_h = u16::from(w.demo.is_some());
    let footer_lines = footer_lines(w, t, area.width);
    let [header, banner, body, msg_area, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Min(5),
        Constraint::Length(message_height(w, area.width)),
        Constraint::Length(footer_lines.len() as u16),
    ])
    .areas(area);

    f.render_widget(Paragraph::new(header_text(w, t)).style(t.header()), header);
    if let Some(d) = &w.demo {
        let s = t.sep();
        let on_template =
            matches!(&w.screen, Screen::Guide(g) if g.focused_field().is_some_and(|f| f.kind == FieldKind::Path));
        let text = match d.first_for(w.current_provider()) {
            Some(_) if on_template && d.template.is_some() => {
                format!(" DEMO{s}template {}", d.template.as_deref().unwrap_or_default())
            }
            Some(a) => {
                let pairs: String = a.banner.iter().map(|(label, value)| format!("{s}{label} {value}")).collect();
                format!(" DEMO{pairs}{s}? help")
            }
            None => format!(" DEMO{s}simulator at {}{s}? help", d.domain),
        };
        f.render_widget(Paragraph::new(text).style(t.banner()), banner);
    }
    match &w.screen {
        Screen::Home | Screen::ConfirmRemove { .. } => home::draw(f, body, w, t),
        Screen::ChooseProvider { selected } => choose(f, body, *selected, t),
        Screen::Guide(g) => guide::draw(f, body, g, w, t),
        Screen::Revalidate(r) => checks::revalidate(f, body, r, w, t),
        Screen::Principals(p) => principals::draw(f, body, p, w, t),
    }
    if let Some((text, style)) = message(w, t) {
        f.render_widget(Paragraph::new(text).style(style).wrap(Wrap { trim: true }), msg_area);
    }
    f.render_widget(Paragraph::new(footer_lines), footer);
    if let Screen::ConfirmRemove { name } = &w.screen {
        home::confirm_remove(f, body, name, t);
    }
    if w.help {
        help(f, Rect { height: area.height - footer.height, ..area }, w, t);
    }
    if t.ascii {
        theme::asciify(f.buffer_mut());
    }
}

fn header_text(w: &Wizard, t: &Theme) -> String {
    let what = match &w.screen {
        Screen::Home | Screen::ConfirmRemove { .. } => "saved profiles".to_string(),
        Screen::ChooseProvider { .. } => "link a new account".to_string(),
        Screen::Guide(g) => {
            let (k, n) = g.progress();
            format!("{} setup{}step {k} of {n}", g.guide().name, t.sep())
        }
        Screen::Revalidate(r) if r.rows.len() == 1 => format!("validating \"{}\"", r.rows[0].0.name),
        Screen::Revalidate(r) => format!("validating {} profiles", r.rows.len()),
        Screen::Principals(p) => format!("3CX service principals of \"{}\"", p.profile.name),
    };
    format!(" pbxlink{}{what}", t.sep())
}

/// The line under the body: a refusal, an error, or the result of the last action.
fn message(w: &Wizard, t: &Theme) -> Option<(String, Style)> {
    match &w.screen {
        Screen::Guide(g) => g.message.clone().map(|m| (m, t.bad())),
        Screen::Home => w.home.status.clone().map(|m| (m, t.warn())),
        Screen::Principals(p) => p.message.clone().map(|m| (m, t.warn())),
        _ => None,
    }
}

fn message_height(w: &Wizard, width: u16) -> u16 {
    match &w.screen {
        Screen::Guide(g) => g.message.as_ref().map_or(0, |m| wrapped_lines(m, width)),
        Screen::Home => w.home.status.as_ref().map_or(0, |m| wrapped_lines(m, width)),
        Screen::Principals(p) => p.message.as_ref().map_or(0, |m| wrapped_lines(m, width)),
        _ => 0,
    }
}

/// Lines `text` takes when wrapped at `width` (a close estimate, capped at 3).
pub(crate) fn wrapped_lines(text: &str, width: u16) -> u16 {
    let w = usize::from(width.max(1));
    let n: usize = text.lines().map(|l| l.chars().count().max(1).div_ceil(w)).sum();
    (n.clamp(1, 3)) as u16
}

/// The keys of the current screen, always all shown: on one line when they fit, else on two.
fn footer_lines(w: &Wizard, t: &Theme, width: u16) -> Vec<Line<'static>> {
    let keys: Vec<(&str, &str)> = if w.help {
        vec![("PgUp/PgDn", "scroll"), ("any other key", "close help")]
    } else {
        use crate::wizard::{keymap::named, screen_keys};
        match &w.screen {
            Screen::Home => {
                named(&screen_keys::home(w.home.error.is_some(), w.home.rows.is_empty(), w.home.selected_is_3cx()))
            }
            Screen::ConfirmRemove { .. } => named(screen_keys::CONFIRM_REMOVE),
            Screen::ChooseProvider { .. } => named(screen_keys::CHOOSE),
            Screen::Guide(g) => guide::keys(g),
            Screen::Revalidate(r) => named(&r.keys()),
            Screen::Principals(p) => principals::keys(p),
        }
    };
    let len = |ks: &[(&str, &str)]| {
        ks.iter().map(|(k, w)| k.chars().count() + w.chars().count() + 1 + t.sep().chars().count()).sum::<usize>() + 1
    };
    let line = |ks: &[(&str, &str)]| {
        let mut spans = vec![Span::raw(" ")];
        for (i, (k, what)) in ks.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(t.sep(), t.dim()));
            }
            spans.push(Span::styled(k.to_string(), t.key()));
            spans.push(Span::raw(format!(" {what}")));
        }
        Line::from(spans)
    };
    if len(&keys) <= usize::from(width) {
        return vec![line(&keys)];
    }
    // Split where the first line is as full as it can be.
    let mut cut = keys.len();
    while cut > 1 && len(&keys[..cut]) > usize::from(width) {
        cut -= 1;
    }
    vec![line(&keys[..cut]), line(&keys[cut..])]
}

/// Long text with wrapping and scrolling; when it does not fit, a marker says PgDn shows more.
pub(crate) fn scrolled_text(f: &mut Frame, area: Rect, lines: Vec<Line<'static>>, scroll: u16, t: &Theme) {
    let p = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = p.line_count(area.width) as u16;
    f.render_widget(p.scroll((scroll, 0)), area);
    if area.height > 0 && total > area.height + scroll {
        let marker = " PgDn: more ";
        let w = marker.len() as u16;
        if area.width > w {
            let r = Rect { x: area.right() - w, y: area.bottom() - 1, width: w, height: 1 };
            f.render_widget(Paragraph::new(marker).style(t.selected()), r);
        }
    } else if scroll > 0 && area.height > 0 {
        let marker = " PgUp: back ";
        let w = marker.len() as u16;
        if area.width > w {
            let r = Rect { x: area.right() - w, y: area.y, width: w, height: 1 };
            f.render_widget(Paragraph::new(marker).style(t.selected()), r);
        }
    }
}

fn too_small(f: &mut Frame, area: Rect) {
    let text = format!(
        "Terminal too small ({}x{}).\nEnlarge it to at least {MIN_WIDTH}x{MIN_HEIGHT}.\nCtrl-C quits.",
        area.width, area.height
    );
    let h = 3.min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    f.render_widget(
        Paragraph::new(text).alignment(Alignment::Center).wrap(Wrap { trim: true }),
        Rect { y, height: h, ..area },
    );
}

pub(crate) fn block<'a>(title: impl Into<Line<'a>>, t: &Theme) -> Block<'a> {
    Block::default().borders(Borders::ALL).border_set(t.border_set()).title(title).padding(Padding::horizontal(1))
}

fn choose(f: &mut Frame, area: Rect, selected: usize, t: &Theme) {
    let name_w = ProviderId::ALL.iter().map(|p| p.schema().name.chars().count()).max().unwrap_or(8);
    // The summary wraps under itself, not under the name.
    let summary_w = usize::from(area.width.saturating_sub(4)).saturating_sub(name_w + 3);
    let mut lines: Vec<Line> = Vec::new();
    for (i, p) in ProviderId::ALL.iter().enumerate() {
        let g = p.guide();
        let style = if i == selected { t.selected() } else { Style::default() };
        for (j, part) in crate::text::wrap_hanging(&g.summary, summary_w).into_iter().enumerate() {
            let head = match j {
                0 => format!("{} {:<name_w$} ", if i == selected { t.marker() } else { " " }, g.name),
                _ => " ".repeat(name_w + 3),
            };
            lines.push(Line::styled(format!("{head}{part}"), style));
        }
    }
    f.render_widget(Paragraph::new(lines).block(block(" Link a new account ", t)), area);
}

fn help(f: &mut Frame, area: Rect, w: &Wizard, t: &Theme) {
    let mut lines: Vec<Line<'static>> =
        crate::wizard::keymap::GLOBAL.iter().map(|(key, what)| Line::raw(format!("{key:<10} {what}"))).collect();
    if let Some(d) = &w.demo {
        lines.push(Line::styled(format!("Demo accounts (3CX domain {}):", d.domain), t.title()));
        for a in &d.accounts {
            lines.push(Line::raw(format!("  {} {} / {}: {}", a.provider.guide().name, a.client_id, a.secret, a.what)));
        }
        if let Some(tpl) = &d.template {
            lines.push(Line::raw(format!("  CX-Engine template: {tpl}")));
        }
    }
    lines.push(Line::styled(format!("Profiles file: {}", w.config_path), t.dim()));
    f.render_widget(Clear, area);
    let b = block(" Help ", t);
    let inner = b.inner(area);
    f.render_widget(b, area);
    scrolled_text(f, inner, lines, w.help_scroll, t);
}
