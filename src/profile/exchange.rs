//! The files of `import` and `export`: CSV with a header row (one row per profile, a column per
//! field) or TOML in profiles.toml's own `[profiles.NAME]` form. A secret cell holds a reference
//! (`env:VAR`, `command:PROGRAM ARG...`, `keyring`) or the secret itself, which is taken only from
//! a file its owner alone can read. Every row becomes a profile through the same checks as the
//! profiles file; an error names the row and the field, never a secret.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use toml_edit::{Array, DocumentMut, Item, Table};

use super::schema::{Kind, Schema, Value};
use super::{Profile, check_name};
use crate::report::{OwnThresholds, Refusal};

/// Files larger than this are not a list of PBXs (100 000 rows fit in well under it).
const MAX_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Toml,
}

impl Format {
    /// The format a file's name says (`.csv`, `.toml`), else what its text looks like.
    pub fn of(path: &Path, text: &str) -> Format {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("toml") => Format::Toml,
            Some("csv") => Format::Csv,
            _ if text.lines().any(|l| l.trim_start().starts_with("[profiles")) => Format::Toml,
            _ => Format::Csv,
        }
    }
}

/// One row of an import file: where it is, the name it gives, and the profile or what is wrong.
#[derive(Debug)]
pub struct Row {
    /// "row 3" (the CSV line) or "[profiles.office]".
    pub at: String,
    pub name: String,
    pub profile: Result<Profile, Refusal>,
}

/// Reads the rows of the file at `path` (its format given, or found from the file).
pub fn read(path: &Path, format: Option<Format>, schemas: &[&'static Schema]) -> Result<Vec<Row>, Refusal> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if meta.len() > MAX_BYTES {
        return Err(format!("{shown} is {} bytes: more than an import file can be", meta.len()).into());
    }
    let bytes = crate::files::read_regular(path, MAX_BYTES).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("cannot read {shown}: it is not UTF-8 text"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mode = meta.permissions().mode() & 0o777;
    let mut rows = match format.unwrap_or_else(|| Format::of(path, text)) {
        Format::Csv => csv_rows(text, schemas).map_err(|e| format!("{shown}: {e}"))?,
        Format::Toml => toml_rows(text, schemas).map_err(|e| format!("{shown}: {e}"))?,
    };
    // A secret written in a file others can read is already out: pbxlink does not make a link of it.
    if mode & 0o077 != 0 {
        for row in &mut rows {
            if let Ok(p) = &row.profile
                && let Some(key) = literal_secret(p)
            {
                row.profile = Err(format!(
                    "{key}: {shown} can be read by other users (mode {mode:o}), so no secret is taken from it: chmod 600 {shown}, or give a reference (env:VAR, command:PROGRAM ARG..., keyring)"
                )
                .into());
            }
        }
    }
    Ok(rows)
}

/// The first field holding a secret itself rather than a reference.
fn literal_secret(p: &Profile) -> Option<&'static str> {
    let fields = p.schema.map(|s| s.fields).unwrap_or_default();
    fields.iter().find(|d| d.secret() && matches!(p.values.get(d.key), Some(Value::Secret(_)))).map(|d| d.key)
}

fn toml_rows(text: &str, schemas: &[&'static Schema]) -> Result<Vec<Row>, Refusal> {
    let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let msg = e.message().lines().next().unwrap_or("invalid TOML").to_string();
        format!("not valid TOML: {msg}")
    })?;
    let Some(profiles) = doc.get("profiles").and_then(Item::as_table_like) else {
        return Err("no [profiles.NAME] tables: write one per profile, as in profiles.toml".into());
    };
    let rows = profiles.iter().map(|(name, item)| {
        let at = format!("[profiles.{}]", name.escape_debug());
        let profile = check_name(name).and_then(|()| match item.as_table_like() {
            Some(t) => known(Profile::from_table(name, t, schemas)?, schemas),
            None => Err("not a table".into()),
        });
        Row { at, name: name.escape_debug().to_string(), profile }
    });
    Ok(rows.collect())
}

fn csv_rows(text: &str, schemas: &[&'static Schema]) -> Result<Vec<Row>, Refusal> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("the header row cannot be read: {e}"))?
        .iter()
        .map(|h| h.to_ascii_lowercase().replace('-', "_"))
        .collect();
    for need in ["name", "provider"] {
        if !header.iter().any(|h| h == need) {
            return Err(format!(
                "the header row has no \"{need}\" column; the first row names the columns: name,provider,domain,client_id,api_key,..."
            )
            .into());
        }
    }
    if let Some(h) = header.iter().find(|h| !is_column(h, schemas)) {
        return Err(format!(
            "column \"{}\" is not a profile field (fields: {})",
            h.escape_debug(),
            columns(schemas).join(", ")
        )
        .into());
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{e}"))?;
        let line = record.position().map_or(0, csv::Position::line);
        // The cells as they were before `export` guarded them against spreadsheet formulas.
        let record: csv::StringRecord = record.iter().map(unguard).collect();
        let cell = |col: &str| header.iter().position(|h| h == col).and_then(|i| record.get(i)).unwrap_or("");
        let name = cell("name").to_string();
        let profile = check_name(&name).and_then(|()| {
            let table = csv_table(&header, &record, schemas)?;
            known(Profile::from_table(&name, &table, schemas)?, schemas)
        });
        rows.push(Row { at: format!("row {line}"), name: name.escape_debug().to_string(), profile });
    }
    Ok(rows)
}

/// A profile's table from a CSV row: each non-empty cell as the profiles file writes that field.
fn csv_table(header: &[String], record: &csv::StringRecord, schemas: &[&'static Schema]) -> Result<Table, Refusal> {
    let provider = header.iter().position(|h| h == "provider").and_then(|i| record.get(i)).unwrap_or("");
    let schema = schemas.iter().find(|s| s.provider == provider);
    let mut t = Table::new();
    for (col, cell) in header.iter().zip(record.iter()) {
        if cell.is_empty() || col == "name" {
            continue;
        }
        if col == "provider" || col == "ca_file" {
            t.insert(col, toml_edit::value(cell));
            continue;
        }
        if OwnThresholds::KEYS.contains(&col.as_str()) {
            let days = cell.parse::<i64>().map_err(|_| format!("{col} \"{cell}\": a whole number of days"))?;
            t.insert(col, toml_edit::value(days));
            continue;
        }
        let Some(schema) = schema else { continue };
        let Some(def) = schema.field(col) else {
            return Err(format!("{col}: not a field of {} profiles; leave that cell empty", schema.provider).into());
        };
        let item = if def.secret() {
            match reference(cell) {
                Some(r) => r.map_err(|()| {
                    // Never quoted: the cell may hold a secret typed after the prefix.
                    format!("{col}: a reference is env:VAR, command:PROGRAM ARG... or keyring (the cell is not shown)")
                })?,
                None => cell.into(),
            }
        } else if def.kind == Kind::Products {
            let items: Array = cell.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
            items.into()
        } else {
            cell.into()
        };
        t.insert(col, toml_edit::value(item));
    }
    Ok(t)
}

/// A secret cell that is a reference, as the profiles file writes it (`None`: the secret itself).
/// The prefixes are read in any case, as spreadsheets capitalise the first letter of a cell.
fn reference(cell: &str) -> Option<Result<toml_edit::Value, ()>> {
    use super::secret_ref::SecretRef;
    if cell.eq_ignore_ascii_case("keyring") {
        return Some(Ok(SecretRef::Keyring.to_toml()));
    }
    let (prefix, rest) = cell.split_once(':')?;
    let prefix = prefix.to_ascii_lowercase();
    if prefix != "env" && prefix != "command" {
        return None;
    }
    Some(SecretRef::parse_flag("", &format!("{prefix}:{rest}")).map(|r| r.to_toml()).map_err(|_| ()))
}

/// A profile of a provider this pbxlink knows, or why not.
fn known(p: Profile, schemas: &[&'static Schema]) -> Result<Profile, Refusal> {
    if p.schema.is_some() {
        return Ok(p);
    }
    let known: Vec<&str> = schemas.iter().map(|s| s.provider).collect();
    Err(format!("provider \"{}\" is not one of {}", p.provider.escape_debug(), known.join(", ")).into())
}

fn is_column(h: &str, schemas: &[&'static Schema]) -> bool {
    columns(schemas).iter().any(|c| c == h)
}

/// Every column a file may have, in the order `export` writes them.
fn columns(schemas: &[&'static Schema]) -> Vec<String> {
    let mut cols: Vec<String> = vec!["name".into(), "provider".into()];
    for def in schemas.iter().flat_map(|s| s.fields) {
        if !cols.iter().any(|c| c == def.key) {
            cols.push(def.key.to_string());
        }
    }
    cols.push("ca_file".into());
    cols.extend(OwnThresholds::KEYS.iter().map(|k| k.to_string()));
    cols
}

/// What [`write`] left out of a profile, and why.
#[derive(Debug, PartialEq, Eq)]
pub enum LeftOut {
    /// The secret itself, kept in profiles.toml: never exported.
    Secret { name: String, key: &'static str },
    /// A command whose arguments hold spaces, which a CSV cell (split at spaces) cannot carry.
    Command { name: String, key: &'static str },
}

/// `profiles` as a file of `format`, each secret as its reference or left out (and said).
pub fn write(profiles: &[Profile], format: Format, schemas: &[&'static Schema]) -> (String, Vec<LeftOut>) {
    use super::secret_ref::SecretRef;
    let mut left_out = Vec::new();
    let mut kept: Vec<Profile> = Vec::with_capacity(profiles.len());
    for p in profiles {
        let mut p = p.clone();
        while let Some(key) = literal_secret(&p) {
            p.values.remove(key);
            left_out.push(LeftOut::Secret { name: p.name.clone(), key });
        }
        let fields = p.schema.map(|s| s.fields).unwrap_or_default();
        let spaced = |argv: &[String]| argv.iter().any(|a| a.is_empty() || a.contains(char::is_whitespace));
        for def in fields.iter().filter(|d| d.secret()) {
            if format == Format::Csv
                && let Some(SecretRef::Command(argv)) = p.values.secret_ref(def.key)
                && spaced(argv)
            {
                p.values.remove(def.key);
                left_out.push(LeftOut::Command { name: p.name.clone(), key: def.key });
            }
        }
        kept.push(p);
    }
    let text = match format {
        Format::Toml => {
            let mut doc = DocumentMut::new();
            let mut all = Table::new();
            all.set_implicit(true);
            for p in &kept {
                let mut t = Table::new();
                p.write_into(&mut t);
                all.insert(&p.name, Item::Table(t));
            }
            doc.insert("profiles", Item::Table(all));
            doc.to_string()
        }
        Format::Csv => csv_text(&kept, schemas),
    };
    (text, left_out)
}

fn csv_text(profiles: &[Profile], schemas: &[&'static Schema]) -> String {
    let tables: Vec<(String, Table)> = profiles
        .iter()
        .map(|p| {
            let mut t = Table::new();
            p.write_into(&mut t);
            (p.name.clone(), t)
        })
        .collect();
    // Only the columns some profile fills, in the one order.
    let cols: Vec<String> =
        columns(schemas).into_iter().filter(|c| c == "name" || tables.iter().any(|(_, t)| t.contains_key(c))).collect();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let _ = w.write_record(&cols);
    for (name, t) in &tables {
        let cells = cols.iter().map(|c| match c.as_str() {
            "name" => name.clone(),
            c => guard(&t.get(c).map(cell_text).unwrap_or_default()),
        });
        let _ = w.write_record(cells.collect::<Vec<_>>());
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// What a spreadsheet takes for the start of a formula in a cell (OWASP's "CSV Injection"): `=`,
/// `+`, `-`, `@`, a tab or a carriage return.
fn formula_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A cell a spreadsheet would run as a formula, with a `'` before it, as OWASP advises (the CSV
/// writer quotes what needs quoting); one already so guarded (quotes before a formula start)
/// gets one more, so [`unguard`] gives back exactly what was written.
fn guard(cell: &str) -> String {
    match cell.trim_start_matches('\'').chars().next() {
        Some(c) if formula_start(c) => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// A cell as it was before [`guard`].
fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').chars().next().is_some_and(formula_start) => rest,
        _ => cell,
    }
}

/// A profiles-file value as a CSV cell: a reference as `--api-key-ref` takes it, a list
/// comma-separated.
fn cell_text(item: &Item) -> String {
    if let Some(s) = item.as_str() {
        return s.to_string();
    }
    if let Some(n) = item.as_integer() {
        return n.to_string();
    }
    if let Some(a) = item.as_array() {
        return a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(",");
    }
    match item.as_value().and_then(|v| super::secret_ref::SecretRef::from_item("", &Item::Value(v.clone()))) {
        Some(Ok(r)) => r.flag_text(),
        _ => String::new(),
    }
}

#[cfg(test)]
#[path = "exchange_tests.rs"]
mod tests;
