//! The profiles as `pbxlink list` shows them (a table sized to its content, or JSON items), which
//! plain mode's home shows too: each profile with its target and its last result.

use serde::Serialize;
use std::collections::BTreeMap;

use super::results::LastResult;
use super::store::{Entry, Loaded};
use crate::clock::ago;

/// One profile as listed (serialised for `list --json`).
#[derive(Serialize)]
pub struct ListItem<'a> {
    name: &'a str,
    provider: String,
    target: String,
    /// Why the profile cannot be used, if its table is broken.
    error: Option<&'a str>,
    last: Option<&'a LastResult>,
    /// Where each secret comes from: "profiles file", "env OFFICE_KEY", "command pass show …".
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    secrets: BTreeMap<&'static str, String>,
}

/// The `list` table as lines, header first (plain mode's home shows it too); empty without
/// profiles.
pub fn table(loaded: &Loaded, results: &BTreeMap<String, LastResult>, now: u64) -> Vec<String> {
    let items = items(loaded, results);
    if items.is_empty() { Vec::new() } else { rows(&items, now) }
}

pub fn items<'a>(loaded: &'a Loaded, results: &'a BTreeMap<String, LastResult>) -> Vec<ListItem<'a>> {
    loaded
        .entries
        .iter()
        .map(|e| match e {
            Entry::Ok(p) => ListItem {
                name: &p.name,
                provider: p.provider_name().into(),
                target: p.target(),
                error: None,
                last: results.get(&p.name),
                secrets: p.secret_sources().into_iter().collect(),
            },
            Entry::Invalid { name, reason } => {
                let secrets = BTreeMap::new();
                ListItem { name, provider: "?".into(), target: String::new(), error: Some(reason), last: None, secrets }
            }
        })
        .collect()
}

pub fn rows(items: &[ListItem], now: u64) -> Vec<String> {
    const HEADER: [&str; 4] = ["NAME", "PROVIDER", "TARGET", "LAST RESULT"];
    let cells: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            let last = match (i.error, i.last) {
                (Some(e), _) => format!("invalid: {e}"),
                (None, Some(r)) => {
                    let verdict = if r.ok { "ok" } else { r.failure.as_deref().unwrap_or("failed") };
                    let since = r.since_text(now);
                    let utc = if since.is_empty() { "" } else { " UTC" };
                    format!("{verdict} ({}){since}{utc}", ago(r.checked_at, now))
                }
                (None, None) => "never checked".into(),
            };
            vec![i.name.to_string(), i.provider.clone(), i.target.clone(), last]
        })
        .collect();
    let w = crate::table::widths(&HEADER, &cells);
    std::iter::once(crate::table::line(&HEADER, &w, 1))
        .chain(cells.iter().map(|c| crate::table::line(c, &w, 1)))
        .collect()
}
