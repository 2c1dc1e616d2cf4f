//! Plain-text tables sized to their content (`list`, `validate`, `3cx principals`): each column as
//! wide as its widest cell, so a long profile name or domain never pushes the rest out of line.

/// The width (in characters) of each column of `rows`, at least the header's.
pub fn widths<S: AsRef<str>>(header: &[&str], rows: &[Vec<S>]) -> Vec<usize> {
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter().filter_map(|r| r.get(i)).map(|c| c.as_ref().chars().count()).fold(h.chars().count(), usize::max)
        })
        .collect()
}

/// One line: every cell but the last padded to its column's width, `gap` spaces between columns.
pub fn line<S: AsRef<str>>(cells: &[S], widths: &[usize], gap: usize) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        let c = c.as_ref();
        if i > 0 {
            out.extend(std::iter::repeat_n(' ', gap));
        }
        out.push_str(c);
        if i + 1 < cells.len() {
            let w = widths.get(i).copied().unwrap_or(0);
            out.extend(std::iter::repeat_n(' ', w.saturating_sub(c.chars().count())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_the_longest_cell() {
        let rows = vec![vec!["a-profile-name-of-24-chr", "3cx", "x"], vec!["b", "8x8", "y"]];
        let w = widths(&["NAME", "PROVIDER", "LAST"], &rows);
        assert_eq!(w, vec![24, 8, 4]);
        assert_eq!(line(&rows[1], &w, 1), format!("b{} 8x8      y", " ".repeat(23)));
        assert_eq!(line(&["NAME", "PROVIDER", "LAST"], &w, 1).find("PROVIDER"), line(&rows[0], &w, 1).find("3cx"));
        assert_eq!(line(&["é", "z"], &[3, 1], 2), "é    z", "widths count characters, not bytes");
    }
}
