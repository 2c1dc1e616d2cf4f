//! Turns a ratatui buffer into an SVG picture with its colours, for `screenshots/`. Each row is
//! split into runs of one style; a run becomes a background rectangle and one `<text>`.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const CW: f32 = 8.4;
const CH: f32 = 17.0;
const FG: &str = "#d4d4d4";
const BG: &str = "#1e1e1e";

fn hex(c: Color, default: &'static str) -> String {
    match c {
        Color::Reset => default.into(),
        Color::Black => "#1e1e1e".into(),
        Color::Red => "#f14c4c".into(),
        Color::Green => "#23d18b".into(),
        Color::Yellow => "#e5e510".into(),
        Color::Blue => "#3b8eea".into(),
        Color::Magenta => "#d670d6".into(),
        Color::Cyan => "#29b8db".into(),
        Color::Gray => "#cccccc".into(),
        Color::DarkGray => "#808080".into(),
        Color::White => "#ffffff".into(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        _ => default.into(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub fn render(buf: &Buffer, title: &str) -> String {
    let (w, h) = (buf.area.width, buf.area.height);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" viewBox=\"0 0 {:.0} {:.0}\" font-family=\"'DejaVu Sans Mono', Menlo, Consolas, monospace\" font-size=\"14\">\n<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"{BG}\"/>\n",
        f32::from(w) * CW + 16.0,
        f32::from(h) * CH + 16.0,
        f32::from(w) * CW + 16.0,
        f32::from(h) * CH + 16.0,
        escape(title)
    );
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let first = &buf[(x, y)];
            let style = (first.fg, first.bg, first.modifier);
            let mut text = String::new();
            let start = x;
            while x < w && (buf[(x, y)].fg, buf[(x, y)].bg, buf[(x, y)].modifier) == style {
                text.push_str(buf[(x, y)].symbol());
                x += 1;
            }
            let reversed = style.2.contains(Modifier::REVERSED);
            let (mut fg, mut bg) = (hex(style.0, FG), hex(style.1, BG));
            if reversed {
                std::mem::swap(&mut fg, &mut bg);
                if style.0 == Color::Reset {
                    bg = FG.into();
                }
                if style.1 == Color::Reset {
                    fg = BG.into();
                }
            }
            let px = 8.0 + f32::from(start) * CW;
            let py = 8.0 + f32::from(y) * CH;
            let width = f32::from(x - start) * CW;
            if bg != BG {
                out.push_str(&format!(
                    "<rect x=\"{px:.1}\" y=\"{py:.1}\" width=\"{width:.1}\" height=\"{CH:.1}\" fill=\"{bg}\"/>\n"
                ));
            }
            if !text.trim().is_empty() {
                let weight = if style.2.contains(Modifier::BOLD) { " font-weight=\"bold\"" } else { "" };
                out.push_str(&format!(
                    "<text x=\"{px:.1}\" y=\"{:.1}\" fill=\"{fg}\"{weight} xml:space=\"preserve\" textLength=\"{width:.1}\" lengthAdjust=\"spacingAndGlyphs\">{}</text>\n",
                    py + CH * 0.78,
                    escape(&text)
                ));
            }
        }
    }
    out.push_str("</svg>\n");
    out
}
