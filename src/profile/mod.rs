//! The profile model: what one saved link holds (its vendor's [`schema::Values`]), how it maps to
//! its TOML table, and the rules for profile names. Which fields a vendor has is its unit's
//! [`schema::Schema`]; reading and writing files is in [`store`]; last validation results in
//! [`results`].

pub mod checked_file;
pub mod exchange;
pub mod keep;
pub mod listing;
pub mod os_keyring;
pub mod results;
pub mod schema;
pub mod secret_ref;
pub mod store;
#[cfg(test)]
pub(crate) mod test_schemas;
pub mod token_cache;

use secrecy::ExposeSecret;
use std::path::PathBuf;
use toml_edit::{Item, Table, Value as TomlValue};

use schema::{Kind, Schema, Value, Values};

/// One saved link. `Debug` is safe: secrets are `SecretString`, which prints redacted.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    /// As written in the file (`"3cx"`).
    pub provider: String,
    /// The vendor's fields; `None` for a provider this version cannot handle (a newer pbxlink
    /// wrote it): listed, kept, not validated.
    pub schema: Option<&'static Schema>,
    pub values: Values,
    /// A private CA to trust for this profile, in addition to the system roots.
    pub ca_file: Option<PathBuf>,
    /// Its own health thresholds, for every vendor.
    pub thresholds: crate::report::OwnThresholds,
    /// Why its secret references (env, command, keyring) are not read, when they are not: it
    /// comes from a file someone else wrote (a profiles file another user owns), and the user did
    /// not say to trust it (`--allow-references`). A reference read for such a file would run its
    /// owner's program, or send this user's variable or keyring entry where the owner chose.
    pub refs_refused: Option<String>,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.provider)
    }
}

impl Profile {
    /// A profile of `schema`'s vendor with these (checked) values.
    pub fn new(name: &str, schema: &'static Schema, values: Values, ca_file: Option<PathBuf>) -> Profile {
        Profile {
            name: name.to_string(),
            provider: schema.provider.to_string(),
            schema: Some(schema),
            values,
            ca_file,
            thresholds: Default::default(),
            refs_refused: None,
        }
    }

    pub fn provider_name(&self) -> &str {
        &self.provider
    }

    /// Where it points, for lists (never a secret): the schema's target field (or its default),
    /// without a scheme.
    pub fn target(&self) -> String {
        let Some(s) = self.schema else { return String::new() };
        let def = s.field(s.target).and_then(|f| f.default);
        let t = self.values.text(s.target).or(def).unwrap_or_default();
        t.trim_start_matches("https://").to_string()
    }

    /// The saved profile this one links (its link field names it), found among `all` with the
    /// provider the link asks for.
    pub fn linked_in<'a>(&self, all: impl IntoIterator<Item = &'a Profile>) -> Option<&'a Profile> {
        let (def, provider) = self.schema?.link()?;
        let name = self.values.text(def.key)?;
        all.into_iter().find(|p| p.name == name && p.provider == provider && p.schema.is_some())
    }

    /// Reads a profile from its `[profiles.NAME]` table, with the schema of its `provider` among
    /// `schemas` (none: a provider this version cannot handle). Every value is checked by its
    /// field's rule; an error names the key and never quotes a secret.
    pub fn from_table(
        name: &str,
        t: &dyn toml_edit::TableLike,
        schemas: &[&'static Schema],
    ) -> Result<Profile, crate::report::Refusal> {
        let get = |k: &str| t.get(k).and_then(|i| i.as_str()).map(str::to_string);
        let known: Vec<String> = schemas.iter().map(|s| format!("\"{}\"", s.provider)).collect();
        let provider = get("provider").ok_or_else(|| format!("missing \"provider\" ({})", known.join(", ")))?;
        let ca_file = get("ca_file").map(PathBuf::from);
        let thresholds = own_thresholds(t)?;
        let Some(schema) = schemas.iter().copied().find(|s| s.provider == provider) else {
            let values = Values::default();
            return Ok(Profile {
                name: name.to_string(),
                provider,
                schema: None,
                values,
                ca_file,
                thresholds,
                refs_refused: None,
            });
        };
        let guide = schema.guide();
        let mut values = Values::default();
        for def in schema.fields {
            let missing = || {
                let example = if def.example.is_empty() { String::new() } else { format!(" ({})", def.example) };
                format!("missing \"{}\"{example}", def.key)
            };
            if def.kind == Kind::Products {
                match t.get(def.key).and_then(|i| i.as_array()) {
                    Some(a) => {
                        let items: Vec<String> = a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
                        values.set(def.key, def.check_list(&items, guide)?);
                    }
                    None if def.optional => {}
                    None => return Err(missing().into()),
                }
                continue;
            }
            // A secret field may hold where its secret is read from instead.
            if def.secret()
                && let Some(r) = t.get(def.key).and_then(|i| secret_ref::SecretRef::from_item(def.key, i))
            {
                values.set(def.key, Value::Ref(r?));
                continue;
            }
            let raw = get(def.key).unwrap_or_default();
            if raw.trim().is_empty() && !def.optional {
                return Err(missing().into());
            }
            let checked = def.check(&raw, guide).map_err(|e| match def.secret() {
                true => format!("{}: {e}", def.key),
                false => format!("{} \"{raw}\": {e}", def.key),
            })?;
            if let Some(v) = checked {
                values.set(def.key, v);
            }
        }
        Ok(Profile {
            name: name.to_string(),
            provider,
            schema: Some(schema),
            values,
            ca_file,
            thresholds,
            refs_refused: None,
        })
    }

    /// Writes this profile's keys into an existing or new table, changing only the keys it owns so
    /// that comments and unknown keys stay as they were.
    pub fn write_into(&self, t: &mut Table) {
        set(t, "provider", self.provider_name());
        for def in self.schema.map(|s| s.fields).unwrap_or_default() {
            match self.values.get(def.key) {
                Some(Value::Text(v)) => set(t, def.key, v),
                // The secrets leave their wrappers here, and only here, on their way to disk.
                Some(Value::Secret(v)) => set(t, def.key, v.expose_secret()),
                Some(Value::List(l)) => set_list(t, def.key, l),
                Some(Value::Ref(r)) => set_value(t, def.key, r.to_toml()),
                None => {
                    t.remove(def.key);
                }
            }
        }
        match &self.ca_file {
            Some(p) => set(t, "ca_file", &p.to_string_lossy()),
            None => {
                t.remove("ca_file");
            }
        }
        // Thresholds it holds are written; one it does not hold is left as the file has it: the
        // guide and `add --force` replace a link's credentials, not the admin's exceptions.
        for (key, days) in self.thresholds.given() {
            match t.get_mut(key).and_then(Item::as_value_mut) {
                Some(old) => {
                    let decor = old.decor().clone();
                    *old = TomlValue::from(days);
                    *old.decor_mut() = decor;
                }
                None => {
                    t.insert(key, toml_edit::value(days));
                }
            }
        }
    }
}

/// A profile's own thresholds from its table: whole days from 0 to ten years, a critical one at
/// most its warning one.
fn own_thresholds(t: &dyn toml_edit::TableLike) -> Result<crate::report::OwnThresholds, crate::report::Refusal> {
    use crate::report::OwnThresholds;
    let mut own = OwnThresholds::default();
    for key in OwnThresholds::KEYS {
        let Some(item) = t.get(key) else { continue };
        match item.as_integer() {
            Some(d) if (0..=OwnThresholds::MAX_DAYS).contains(&d) => own.set(key, d),
            _ => {
                // The value as written, without its comment.
                let shown = item.as_value().map(|v| v.clone().decorated("", "").to_string());
                return Err(format!(
                    "{key} = {}: a threshold is a whole number of days from 0 to {}, like {key} = 45",
                    shown.unwrap_or_else(|| "a table".into()),
                    OwnThresholds::MAX_DAYS
                )
                .into());
            }
        }
    }
    if let (Some(w), Some(c)) = (own.warn_days, own.crit_days)
        && c > w
    {
        return Err(format!(
            "crit_days = {c} is more than warn_days = {w}: critical must come closer to the end than a warning"
        )
        .into());
    }
    Ok(own)
}

/// Sets a list of strings, keeping the decoration of an existing value.
fn set_list(t: &mut Table, key: &str, l: &[String]) {
    let list: toml_edit::Array = l.iter().map(String::as_str).collect();
    match t.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = TomlValue::Array(list);
            *old.decor_mut() = decor;
        }
        None => {
            t.insert(key, toml_edit::value(list));
        }
    }
}

/// Sets a string value, keeping the decoration (comments, spacing) of an existing one.
fn set(t: &mut Table, key: &str, v: &str) {
    set_value(t, key, TomlValue::from(v));
}

/// Sets a value, keeping the decoration of an existing one.
fn set_value(t: &mut Table, key: &str, v: TomlValue) {
    match t.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = v;
            *old.decor_mut() = decor;
        }
        None => {
            t.insert(key, toml_edit::value(v));
        }
    }
}

impl Profile {
    /// This profile with each secret reference replaced by the secret it reads (the environment
    /// variable, the command's output), for a use that needs it now; or what could not be read.
    pub async fn resolved(&self) -> Result<Profile, crate::report::Refusal> {
        let mut p = self.clone();
        for def in self.schema.map(|s| s.fields).unwrap_or_default() {
            if let Some(r) = self.values.secret_ref(def.key) {
                if let Some(why) = &self.refs_refused {
                    return Err(format!(
                        "{}: {} not read: {why}",
                        def.key,
                        r.source(&os_keyring::account(&self.name, def.key))
                    )
                    .into());
                }
                let account = os_keyring::account(&self.name, def.key);
                let secret = r.read_field(def.key, &account).await?;
                p.values.set(def.key, Value::Secret(secret));
            }
        }
        Ok(p)
    }

    /// Each secret reference this profile holds, as (field, where it reads from): what a file
    /// from elsewhere would have pbxlink run or read.
    pub fn references(&self) -> Vec<(&'static str, String)> {
        let fields = self.schema.map(|s| s.fields).unwrap_or_default();
        fields
            .iter()
            .filter_map(|d| {
                Some((d.key, self.values.secret_ref(d.key)?.source(&os_keyring::account(&self.name, d.key))))
            })
            .collect()
    }

    /// Where each secret field's secret comes from: ("api_key", "profiles file" or the reference).
    pub fn secret_sources(&self) -> Vec<(&'static str, String)> {
        let fields = self.schema.map(|s| s.fields).unwrap_or_default();
        fields
            .iter()
            .filter(|d| d.secret())
            .filter_map(|d| match self.values.get(d.key)? {
                Value::Ref(r) => Some((d.key, r.source(&os_keyring::account(&self.name, d.key)))),
                _ => Some((d.key, "profiles file".to_string())),
            })
            .collect()
    }
}

/// Profile names are table keys and file-safe words: letters, digits, `-` and `_`, 1 to 64.
pub fn check_name(name: &str) -> Result<(), crate::report::Refusal> {
    if name.is_empty() {
        return Err("the name is empty: use letters, digits, - or _".into());
    }
    if name.chars().count() > 64 {
        return Err("the name is longer than 64 characters".into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Err(format!("\"{}\" is not allowed in a name: use letters, digits, - or _", c.escape_default()).into());
    }
    Ok(())
}

/// A sensible default name from a host: its first label (`mycompany` for `mycompany.3cx.us`),
/// made unique against `taken` by a numeric suffix.
pub fn suggest_name(host: &str, taken: &[String]) -> String {
    let first = host.split(['.', ':']).next().unwrap_or_default();
    let mut base: String = first.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
    if base.is_empty() || base.chars().all(|c| c.is_ascii_digit()) || host.starts_with('[') {
        base = "pbx".into();
    }
    if !taken.contains(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}-{n}")).find(|c| !taken.contains(c)).unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("office-1_b").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("ü").is_err());
        assert!(check_name(&"a".repeat(65)).is_err());
        let taken = vec!["mycompany".to_string(), "mycompany-2".to_string()];
        assert_eq!(suggest_name("mycompany.3cx.us", &taken), "mycompany-3");
        assert_eq!(suggest_name("pbx.example.com:5001", &[]), "pbx");
        assert_eq!(suggest_name("10.0.0.1:5001", &[]), "pbx");
        assert_eq!(suggest_name("[::1]:5001", &[]), "pbx");
        assert_eq!(suggest_name("localhost:4000", &[]), "localhost");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let mut values = Values::default();
        values.set("api_key", Value::Secret(secrecy::SecretString::from("sekrit-value-123")));
        let p = Profile {
            name: "x".into(),
            provider: "3cx".into(),
            schema: None,
            values,
            ca_file: None,
            thresholds: Default::default(),
            refs_refused: None,
        };
        assert!(!format!("{p:?}").contains("sekrit-value-123"));
    }
}
