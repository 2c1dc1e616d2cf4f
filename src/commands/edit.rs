//! `pbxlink set NAME KEY=VALUE...` and `pbxlink rename OLD NEW`: change a saved profile in place.
//! Every value is checked by its field's rule (the guide's, `add`'s, the profile file's); only the
//! keys named change, every other key and comment stays; `set` validates before it saves (unless
//! `--no-validate`) and saves nothing when validation fails. Secrets never come as values: they
//! come from `add`'s `-stdin`, `-file` or `-env` flags.

use anyhow::Result;
use std::path::Path;

use super::add::{checked_file, for_keyring, into_keyring, linked, secret, validate_before_save};
use super::{Globals, UsageError as Usage, exit};
use crate::cli::SetArgs;
use crate::profile::results::Results;
use crate::profile::schema::{Kind, Value};
use crate::profile::secret_ref::SecretRef;
use crate::profile::store::{Entry, Loaded, SaveMode};
use crate::profile::{Profile, check_name};
use crate::report::OwnThresholds;

pub fn set(config: &Path, g: &Globals, args: SetArgs) -> Result<u8> {
    match changed(config, &args) {
        Ok((mut profile, all, kept_in_keyring)) => {
            let Ok(rt) = crate::validate::runtime() else { return Ok(exit::ERROR) };
            if !args.no_validate {
                let code = validate_before_save(&rt, &profile, profile.linked_in(&all), g);
                if code != exit::OK {
                    eprintln!("Nothing was changed.");
                    return Ok(code);
                }
            }
            let mut keys = profile.schema.map(|s| for_keyring(s, &args.fields)).unwrap_or_default();
            keys.extend(kept_in_keyring);
            let undo = match into_keyring(&rt, &mut profile, &keys) {
                Ok(undo) => undo,
                Err(e) => {
                    eprintln!("pbxlink: {e}\nNothing was changed.");
                    return Ok(exit::USAGE);
                }
            };
            if let Err(e) =
                crate::providers::store(config).save(&profile, &SaveMode::Replace { old: args.name.clone() })
            {
                eprintln!("pbxlink: {e:#}");
                undo.run(&rt);
                return Ok(exit::ERROR);
            }
            eprintln!("Saved profile \"{}\" in {}", args.name, config.display());
            Ok(exit::OK)
        }
        Err(Usage(msg)) => {
            eprintln!("pbxlink: {msg}");
            Ok(exit::USAGE)
        }
    }
}

/// The profile as it will be saved, and every saved profile (for the one it may link).
/// The changed profile, every saved one (for links), and the secret fields whose new secret goes
/// to the OS keyring because the profile kept them there.
fn changed(config: &Path, args: &SetArgs) -> Result<(Profile, Vec<Profile>, Vec<&'static str>), Usage> {
    let loaded = load(config)?;
    let mut p = readable(&loaded, &args.name, config)?;
    let schema = p.schema.ok_or_else(|| Usage(format!("\"{}\" needs a newer pbxlink to change", args.name)))?;
    let guide = schema.guide();
    if args.pairs.is_empty() && args.fields.given().is_empty() {
        return Err(Usage(format!(
            "nothing to set: name fields as KEY=VALUE (`pbxlink show {}` lists them)",
            args.name
        )));
    }
    let mut keep_in_keyring = Vec::new();
    // add's flags, then KEY=VALUE pairs: one list of (key, value) for the rules below.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for flag in args.fields.given() {
        let Some(def) = schema.fields.iter().find(|d| d.flag() == flag) else {
            return Err(Usage(format!("--{flag} is not a {} setting", guide.name)));
        };
        if def.secret() {
            let was_keyring = matches!(p.values.secret_ref(def.key), Some(SecretRef::Keyring));
            let new = secret(def, args.fields.secret(flag))?;
            // A new key for a profile that keeps it in the keyring goes to the keyring too.
            if was_keyring && matches!(new, Value::Secret(_)) {
                keep_in_keyring.push(def.key);
            }
            p.values.set(def.key, new);
        } else if def.kind == Kind::Products {
            pairs.push((def.key.to_string(), args.fields.list(flag).join(",")));
        } else {
            pairs.push((def.key.to_string(), args.fields.one(flag).unwrap_or_default().to_string()));
        }
    }
    for pair in &args.pairs {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| Usage(format!("\"{pair}\": give each field as KEY=VALUE (domain=pbx.example.com)")))?;
        pairs.push((k.trim().to_string(), v.to_string()));
    }
    for (key, raw) in pairs {
        let v = raw.trim();
        if key == "ca_file" {
            p.ca_file = match v {
                "" => None,
                path => Some(std::fs::canonicalize(path).map_err(|e| Usage(format!("ca_file {path}: {e}")))?),
            };
            continue;
        }
        if OwnThresholds::KEYS.contains(&key.as_str()) {
            let days =
                v.parse::<i64>().ok().filter(|d| (0..=OwnThresholds::MAX_DAYS).contains(d)).ok_or_else(|| {
                    Usage(format!(
                        "{key}={v}: a threshold is a whole number of days from 0 to {}",
                        OwnThresholds::MAX_DAYS
                    ))
                })?;
            p.thresholds.set(&key, days);
            continue;
        }
        let Some(def) = schema.fields.iter().find(|d| d.key == key) else {
            let keys: Vec<&str> = schema.fields.iter().filter(|d| !d.secret()).map(|d| d.key).collect();
            return Err(Usage(format!(
                "\"{key}\" is not a {} field; it has {}, ca_file, warn_days, crit_days, backup_days",
                guide.name,
                keys.join(", ")
            )));
        };
        if def.secret() {
            let f = def.flag();
            return Err(Usage(format!(
                "{key}: a secret is never a value on the command line (ps and the shell's history show those); use --{f}-stdin, --{f}-file or --{f}-env"
            )));
        }
        if v.is_empty() {
            if !def.optional {
                return Err(Usage(format!("{key} cannot be empty: the profile needs it")));
            }
            p.values.remove(def.key);
            continue;
        }
        let value = match def.kind {
            Kind::Products => {
                let items: Vec<String> = v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                def.check_list(&items, guide).map_err(|e| Usage(format!("{key}: {e}")))?
            }
            Kind::File(rules) => checked_file(rules, guide.field(def.key), &key, v)?,
            kind => {
                let checked = def.check(v, guide).map_err(|e| Usage(format!("{key}: {e}")))?;
                if let Kind::Link { provider } = kind {
                    linked(config, &key, v, provider)?;
                }
                checked.ok_or_else(|| Usage(format!("{key} cannot be empty")))?
            }
        };
        if let Some(note) = def.note(v, guide) {
            eprintln!("note: {note}");
        }
        p.values.set(def.key, value);
    }
    if let (Some(w), Some(c)) = (p.thresholds.warn_days, p.thresholds.crit_days)
        && c > w
    {
        return Err(Usage(format!("crit_days {c} is more than warn_days {w}: critical must come closer to the end")));
    }
    Ok((p, loaded.profiles(), keep_in_keyring))
}

pub fn rename(config: &Path, old: &str, new: &str) -> Result<u8> {
    match renamed(config, old, new) {
        Ok(relinked) => {
            eprintln!("Renamed \"{old}\" to \"{new}\" in {}", config.display());
            for name in relinked {
                eprintln!("  \"{name}\" now links \"{new}\"");
            }
            Ok(exit::OK)
        }
        Err(Renaming::Refused(Usage(msg))) => {
            eprintln!("pbxlink: {msg}");
            Ok(exit::USAGE)
        }
        // A busy lock, a full disk: nothing was renamed, and the input was fine (exit 1).
        Err(Renaming::Failed(msg)) => {
            eprintln!("pbxlink: {msg}");
            Ok(exit::ERROR)
        }
    }
}

/// Why a rename did not happen: the input (exit 2), or the writing (exit 1).
enum Renaming {
    Refused(Usage),
    Failed(String),
}

impl From<Usage> for Renaming {
    fn from(u: Usage) -> Self {
        Renaming::Refused(u)
    }
}

/// Renames `old` and points the profiles that link it at `new`, in one write of the profiles file
/// (any reader sees all of it or none), its results following by a move noted first (so a kill
/// at any point leaves results that follow the file, the move finished by the next run); returns
/// the profiles relinked.
fn renamed(config: &Path, old: &str, new: &str) -> Result<Vec<String>, Renaming> {
    check_name(new).map_err(|e| Usage(format!("{new}: {e}")))?;
    let loaded = load(config)?;
    let mut p = readable(&loaded, old, config)?;
    if loaded.get(new).is_some() {
        return Err(Usage(format!("a profile named \"{new}\" already exists: choose another name")).into());
    }
    let store = crate::providers::store(config);
    let results = crate::paths::state_dir().ok().map(|state| Results::of(&state, config));
    // The results' move first: a busy lock or a full disk here changes nothing.
    if let Some(r) = &results {
        r.begin_move(old, Some(new)).map_err(|e| Renaming::Failed(format!("{e:#}; nothing was renamed")))?;
    }
    let moved = copy_keyring(&p, new).inspect_err(|_| settle(&results))?;
    p.name = new.to_string();
    // The profiles that link it, pointed at the new name in the same write.
    let mut relinked: Vec<Profile> = Vec::new();
    for mut other in loaded.profiles() {
        let Some((def, provider)) = other.schema.and_then(|s| s.link()) else { continue };
        if provider != p.provider || other.values.text(def.key) != Some(old) {
            continue;
        }
        other.values.set(def.key, Value::Text(new.to_string()));
        relinked.push(other);
    }
    let mut batch = vec![(&p, SaveMode::Replace { old: old.to_string() })];
    batch.extend(relinked.iter().map(|o| (o, SaveMode::Replace { old: o.name.clone() })));
    if let Err(e) = store.save_all(&batch) {
        // The copies go again: the file still names the old entries, which are untouched.
        forget_keyring(moved.iter().map(|(_, to)| to));
        settle(&results);
        return Err(Renaming::Failed(format!("{e:#}")));
    }
    settle(&results);
    for (from, to) in &moved {
        eprintln!("Moved the secret in the OS keyring from account {from} to {to}");
    }
    forget_keyring(moved.iter().map(|(from, _)| from));
    Ok(relinked.into_iter().map(|o| o.name).collect())
}

/// Makes the results' noted move as far as the profiles file says it happened.
fn settle(results: &Option<Results>) {
    if let Some(r) = results {
        r.settle();
    }
}

/// Copies each keyring secret of `p` to its account under the name `new` (the file is not changed
/// yet: a secret that cannot be read or written, or an entry already under the new name, stops
/// the rename before anything moved); returns (old, new) accounts: the old to delete once the
/// file names `new`, the new to delete if the save fails.
fn copy_keyring(p: &Profile, new: &str) -> Result<Vec<(String, String)>, Usage> {
    use crate::profile::os_keyring;
    let keys: Vec<&str> = p
        .schema
        .map(|s| s.fields)
        .unwrap_or_default()
        .iter()
        .filter(|d| matches!(p.values.secret_ref(d.key), Some(crate::profile::secret_ref::SecretRef::Keyring)))
        .map(|d| d.key)
        .collect();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let rt = crate::validate::runtime().map_err(|e| Usage(format!("{e:#}")))?;
    let mut moved: Vec<(String, String)> = Vec::new();
    for key in keys {
        let (from, to) = (os_keyring::account(&p.name, key), os_keyring::account(new, key));
        let copied = rt.block_on(async {
            // An entry already there (one a removed profile of that name left) is never replaced.
            if os_keyring::previous(&to).await?.is_some() {
                return Err(format!(
                    "the OS keyring already holds an entry for account {to}; delete it first if it is no longer needed (Linux: secret-tool clear service pbxlink username {to})"
                )
                .into());
            }
            let secret = os_keyring::read(&from).await?;
            os_keyring::store(&to, &secret).await
        });
        if let Err(e) = copied {
            forget_keyring(moved.iter().map(|(_, to)| to));
            return Err(Usage(format!("{key}: {e}; nothing was renamed")));
        }
        moved.push((from, to));
    }
    Ok(moved)
}

/// Deletes the keyring entries a rename left behind; one that stays is only a warning.
fn forget_keyring<'a>(accounts: impl Iterator<Item = &'a String>) {
    let Ok(rt) = crate::validate::runtime() else { return };
    for account in accounts {
        if let Err(e) = rt.block_on(crate::profile::os_keyring::forget(account)) {
            eprintln!("warning: the old keyring entry {account} stays: {e}");
        }
    }
}

fn load(config: &Path) -> Result<Loaded, Usage> {
    let loaded = crate::providers::store(config).load().map_err(|e| Usage(format!("{e:#}")))?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    Ok(loaded)
}

/// The readable profile `name`, or why it cannot be changed.
fn readable(loaded: &Loaded, name: &str, config: &Path) -> Result<Profile, Usage> {
    match loaded.get(name) {
        Some(Entry::Ok(p)) => Ok(p.clone()),
        Some(Entry::Invalid { reason, .. }) => {
            Err(Usage(format!("profile \"{name}\" is broken: {reason}; fix it in {}", config.display())))
        }
        None => Err(Usage(format!("no profile named \"{name}\" in {}; `pbxlink list` shows them", config.display()))),
    }
}
