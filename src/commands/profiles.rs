//! `list`, `show`, `remove` and `paths`: plain text or JSON, never prompting when there is no
//! terminal, never printing a secret (at most its last 4 characters).

use anyhow::{Result, bail};
use secrecy::{ExposeSecret, SecretString};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::exit;
use crate::clock::now_secs;
use crate::profile::listing;
use crate::profile::results::Results;
use crate::profile::schema::Value;
use crate::profile::store::{Entry, Loaded};

/// Loads the profiles file and prints its warnings (a file readable by others); one that cannot
/// be read or parsed is a configuration error (exit 2), reported with its path.
fn load(config: &Path) -> Result<Loaded, u8> {
    let loaded = crate::providers::store(config).load().map_err(|e| {
        eprintln!("pbxlink: {e:#}");
        exit::USAGE
    })?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    Ok(loaded)
}

pub fn list(config: &Path, json: bool) -> Result<u8> {
    let loaded = match load(config) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let results = Results::of(&crate::paths::state_dir()?, config).load();
    let items = listing::items(&loaded, &results);
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&serde_json::json!({ "schema": 1, "profiles": items }))?)?;
        return Ok(exit::OK);
    }
    if items.is_empty() {
        eprintln!("No profiles in {}. Add one with `pbxlink add 3cx`.", config.display());
        return Ok(exit::OK);
    }
    for line in listing::rows(&items, now_secs()) {
        writeln!(out, "{line}")?;
    }
    Ok(exit::OK)
}

/// A secret as `show` prints it: its last 4 characters when it is long enough that they give
/// nothing useful away, else nothing.
pub fn redact(s: &SecretString) -> String {
    let chars: Vec<char> = s.expose_secret().chars().collect();
    if chars.len() >= 12 {
        format!("…{}", chars[chars.len() - 4..].iter().collect::<String>())
    } else {
        "…".to_string()
    }
}

pub fn show(config: &Path, name: &str, json: bool) -> Result<u8> {
    let loaded = match load(config) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let Some(entry) = loaded.get(name) else {
        eprintln!("pbxlink: no profile named \"{name}\" in {}; `pbxlink list` shows them", config.display());
        return Ok(exit::USAGE);
    };
    let mut fields: Vec<(&str, toml_edit::Value)> = Vec::new();
    let entry_schema = match entry {
        Entry::Ok(p) => p.schema,
        Entry::Invalid { .. } => None,
    };
    match entry {
        Entry::Invalid { reason, .. } => fields.push(("error", reason.as_str().into())),
        Entry::Ok(p) => {
            fields.push(("provider", p.provider_name().into()));
            for def in p.schema.map(|s| s.fields).unwrap_or_default() {
                match p.values.get(def.key) {
                    Some(Value::Text(v)) => fields.push((def.key, v.as_str().into())),
                    Some(Value::Secret(v)) => fields.push((def.key, redact(v).into())),
                    Some(Value::Ref(r)) => fields.push((def.key, r.to_toml())),
                    Some(Value::List(l)) => {
                        fields.push((def.key, l.iter().map(String::as_str).collect::<toml_edit::Array>().into()))
                    }
                    None => {}
                }
            }
            if let Some(ca) = &p.ca_file {
                fields.push(("ca_file", ca.display().to_string().into()));
            }
            fields.extend(p.thresholds.given().into_iter().map(|(k, d)| (k, d.into())));
        }
    }
    let mut out = std::io::stdout().lock();
    if json {
        let mut m = serde_json::Map::new();
        m.insert("schema".into(), 1.into());
        m.insert("name".into(), name.into());
        if let Entry::Ok(p) = entry {
            let sources: serde_json::Map<String, serde_json::Value> =
                p.secret_sources().into_iter().map(|(k, v)| (k.to_string(), v.into())).collect();
            m.insert("secret_sources".into(), sources.into());
        }
        for (k, v) in fields {
            let json = json_of(&v);
            m.insert(k.into(), json);
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&m)?)?;
    } else {
        writeln!(out, "[profiles.{name}]")?;
        for (k, v) in fields {
            let secret = entry_schema.and_then(|s| s.field(k)).is_some_and(|f| f.secret());
            let note = match (secret, v.is_inline_table()) {
                (true, true) => "  # read at each use, never stored",
                (true, false) => "  # redacted",
                _ => "",
            };
            writeln!(out, "{k} = {}{note}", v.decorated("", ""))?;
        }
    }
    Ok(exit::OK)
}

/// `pbxlink history NAME`: the profile's kept results, oldest first.
pub fn history(config: &Path, name: &str, json: bool) -> Result<u8> {
    let loaded = match load(config) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    if loaded.get(name).is_none() {
        eprintln!("pbxlink: no profile named \"{name}\" in {}; `pbxlink list` shows them", config.display());
        return Ok(exit::USAGE);
    }
    let results = Results::of(&crate::paths::state_dir()?, config).history(name);
    let mut out = std::io::stdout().lock();
    if json {
        let doc = serde_json::json!({"schema": 1, "name": name, "results": results});
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(exit::OK);
    }
    if results.is_empty() {
        eprintln!("No results for \"{name}\" yet: `pbxlink validate {name}` makes one.");
        return Ok(exit::OK);
    }
    const HEADER: [&str; 3] = ["WHEN (UTC)", "RESULT", "DETAIL"];
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            let clock = format!("{:02}:{:02}", r.checked_at % 86_400 / 3600, r.checked_at % 3600 / 60);
            let verdict = if r.ok { "ok" } else { r.failure.as_deref().unwrap_or("failed") };
            vec![format!("{} {clock}", crate::report::utc_date(r.checked_at)), verdict.to_string(), r.detail.clone()]
        })
        .collect();
    let w = crate::table::widths(&HEADER, &rows);
    writeln!(out, "{}", crate::table::line(&HEADER, &w, 2).trim_end())?;
    for row in &rows {
        writeln!(out, "{}", crate::table::line(row, &w, 2).trim_end())?;
    }
    Ok(exit::OK)
}

pub fn remove(config: &Path, name: &str, yes: bool) -> Result<u8> {
    let store = crate::providers::store(config);
    let loaded = match load(config) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let Some(entry) = loaded.get(name) else {
        eprintln!("pbxlink: no profile named \"{name}\" in {}", config.display());
        return Ok(exit::USAGE);
    };
    // Secrets the profile keeps in the OS keyring stay there: the .bak file still names them, and
    // a key shown only once must not go with a removed line.
    let in_keyring: Vec<String> = match entry {
        Entry::Ok(p) => p
            .secret_sources()
            .into_iter()
            .filter(|(_, source)| source.starts_with("keyring"))
            .map(|(key, source)| {
                let account = crate::profile::os_keyring::account(name, key);
                format!(
                    "its {key} stays in the OS {source}, which the .bak file names; delete it when no longer needed (Linux: secret-tool clear service pbxlink username {account})"
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            eprintln!("pbxlink: not removing \"{name}\": there is no terminal to confirm on; pass --yes");
            return Ok(exit::USAGE);
        }
        eprint!("Remove profile \"{name}\" from {}? [y/N] ", config.display());
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("Nothing removed.");
            return Ok(exit::ERROR);
        }
    }
    // Its results go with it, noted first: a busy lock or a full disk here changes nothing, and a
    // kill later leaves them to the next run to drop (a later profile of this name must not
    // inherit them).
    let results = Results::of(&crate::paths::state_dir()?, config);
    results.begin_move(name, None).map_err(|e| anyhow::anyhow!("{e:#}; nothing was removed"))?;
    let removed = store.remove(name);
    results.settle();
    if !removed? {
        bail!("\"{name}\" disappeared while removing it");
    }
    eprintln!("Removed profile \"{name}\" (the previous file is kept as {}.bak).", config.display());
    for other in loaded.profiles() {
        let linked = other.schema.and_then(|s| s.link()).and_then(|(def, _)| other.values.text(def.key));
        if linked == Some(name) {
            eprintln!(
                "warning: \"{}\" links \"{name}\", which is gone: its check of the linked PBX will say \"not checked\" until you link another (pbxlink set {} pbx_profile=NAME)",
                other.name, other.name
            );
        }
    }
    for line in in_keyring {
        eprintln!("Note: {line}");
    }
    Ok(exit::OK)
}

/// The files pbxlink uses; the log is the one `--log-file` / `PBXLINK_LOG_FILE` selects, if any.
pub fn paths(config: &Path, log_file: Option<&Path>) -> Result<u8> {
    let state = crate::paths::state_dir()?;
    let log = log_file.map_or_else(|| state.join("pbxlink.log"), Path::to_path_buf);
    let mut out = std::io::stdout().lock();
    writeln!(out, "profiles  {}", config.display())?;
    writeln!(out, "backup    {}.bak", config.display())?;
    writeln!(out, "state     {}", state.display())?;
    let results = Results::of(&state, config);
    writeln!(out, "results   {}", results.file().display())?;
    writeln!(out, "history   {}", results.file().with_file_name("history").display())?;
    writeln!(out, "tokens    {}", crate::profile::token_cache::TokenCache::in_state(&state).dir().display())?;
    writeln!(out, "log       {}", log.display())?;
    writeln!(out, "locks     {}", state.join("locks").display())?;
    Ok(exit::OK)
}

/// A shown field's TOML value as JSON: a secret reference becomes where it is read from
/// (`{"env": "VAR"}`, `{"keyring": true}`), never a secret.
fn json_of(v: &toml_edit::Value) -> serde_json::Value {
    match v {
        toml_edit::Value::Array(a) => a.iter().map(json_of).collect(),
        toml_edit::Value::Integer(i) => (*i.value()).into(),
        toml_edit::Value::Boolean(b) => (*b.value()).into(),
        toml_edit::Value::InlineTable(t) => {
            t.iter().map(|(k, v)| (k.to_string(), json_of(v))).collect::<serde_json::Map<_, _>>().into()
        }
        other => other.as_str().unwrap_or_default().into(),
    }
}
