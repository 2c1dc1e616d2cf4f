//! `pbxlink add PROVIDER`: the guide in the TUI (or as line prompts with `--plain`), or with
//! `--non-interactive` a scripted setup that takes every value from flags and the secret from
//! stdin, a file or an environment variable (never from a flag value, which `ps` and shell history
//! would show). It validates before saving and saves nothing when validation fails. The flags and
//! their checks come from the vendor's schema: nothing here names a vendor.

use anyhow::{Context, Result};
use std::io::{IsTerminal, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::{Globals, exit, interactive};
use crate::cli::{AddArgs, SecretSource};
use crate::profile::checked_file::FileRules;
use crate::profile::schema::{FieldDef, Kind, Schema, Value, Values};
use crate::profile::secret_ref::SecretRef;
use crate::profile::store::{Entry, SaveMode};
use crate::profile::{Profile, check_name};
use crate::providers::ProviderId;
use crate::validate::{Options, Progress};

/// A usage problem (exit code 2): the one type every command uses.
use super::UsageError as Usage;

pub fn run(config: &Path, g: &Globals, args: AddArgs) -> Result<u8> {
    let schema = args.provider.schema();
    if let Err(Usage(msg)) = foreign_flags(schema, &args) {
        eprintln!("pbxlink: {msg}");
        return Ok(exit::USAGE);
    }
    if !args.non_interactive {
        // Plain mode reads its answers as lines, from a terminal or a pipe alike.
        if !g.plain && (!std::io::stdin().is_terminal() || !std::io::stdout().is_terminal()) {
            eprintln!(
                "pbxlink: `pbxlink add` opens the interactive guide, which needs a terminal (with --plain, it asks line prompts and reads the answers from a pipe too).\nFor scripts, pass --non-interactive with {}.",
                needed_flags(schema)
            );
            return Ok(exit::USAGE);
        }
        // Every value flag given fills its field (or, when the guide does not ask, the new
        // profile's value).
        let prefill: Vec<(&str, Option<&str>)> = schema
            .fields
            .iter()
            .filter(|d| !d.secret() && d.kind != Kind::Products)
            .map(|d| (d.key, args.fields.one(&d.flag())))
            .collect();
        return interactive::add(config, g, args.provider, &prefill);
    }
    match scripted(config, g, &args) {
        Ok(code) => Ok(code),
        Err(Usage(msg)) => {
            eprintln!("pbxlink: {msg}");
            Ok(exit::USAGE)
        }
    }
}

/// What `--non-interactive` needs for `schema`'s vendor, as a sentence.
fn needed_flags(schema: &Schema) -> String {
    let mut flags = vec!["--name".to_string()];
    flags.extend(schema.fields.iter().filter(|d| !d.optional && !d.secret()).map(|d| format!("--{}", d.flag())));
    let secret = schema.fields.iter().find(|d| d.secret()).map(|d| {
        let f = d.flag();
        format!("one of --{f}-stdin, --{f}-file or --{f}-env")
    });
    let last = secret.unwrap_or_else(|| flags.pop().unwrap_or_default());
    format!("{} and {last}", flags.join(", "))
}

/// A flag another vendor uses is refused by name: it would be silently ignored otherwise. A
/// secret from the wrong family says what this vendor calls its secret.
fn foreign_flags(schema: &Schema, args: &AddArgs) -> Result<(), Usage> {
    let name = schema.guide().name.as_str();
    for flag in args.fields.given() {
        if schema.fields.iter().any(|d| d.flag() == flag) {
            continue;
        }
        let ours = schema.fields.iter().find(|d| d.secret());
        let theirs = crate::providers::SCHEMAS.iter().flat_map(|s| s.fields).find(|d| d.flag() == flag);
        return Err(Usage(match (ours, theirs) {
            (Some(o), Some(t)) if t.secret() => {
                let f = o.flag();
                format!("{name} calls its secret {}: use --{f}-stdin, --{f}-file or --{f}-env, not --{flag}-*", o.help)
            }
            _ => format!("--{flag} is not a {name} setting; {name} takes {}", needed_flags(schema)),
        }));
    }
    Ok(())
}

/// The profile's values from the flags, each checked by its field's rule (the guide's, the
/// profile file's): the secret from its source, a template checked on disk, a link to a saved
/// profile of the vendor it names.
fn values_from_flags(schema: &Schema, args: &AddArgs, config: &Path) -> Result<Values, Usage> {
    let guide = schema.guide();
    let mut values = Values::default();
    for def in schema.fields {
        let flag = def.flag();
        let needs = || Usage(format!("--non-interactive needs --{flag} {}", def.key.to_uppercase()));
        let value = match def.kind {
            _ if def.secret() => Some(secret(def, args.fields.secret(&flag))?),
            Kind::Products => match args.fields.list(&flag) {
                [] if def.optional => None,
                [] => return Err(needs()),
                items => Some(def.check_list(items, guide).map_err(|e| Usage(format!("--{flag}: {e}")))?),
            },
            _ => match args.fields.one(&flag).filter(|v| !v.trim().is_empty()) {
                None if def.optional => None,
                None => return Err(needs()),
                Some(v) => {
                    let checked = def.check(v, guide).map_err(|e| Usage(format!("--{flag}: {e}")))?;
                    // The guide's soft hints (8x8: the Client ID starts with eght_), as the TUI
                    // and plain mode show them.
                    if let Some(note) = def.note(v.trim(), guide) {
                        eprintln!("note: {note}");
                    }
                    match def.kind {
                        Kind::File(rules) => Some(checked_file(rules, guide.field(def.key), &flag, v)?),
                        Kind::Link { provider } => {
                            linked(config, &flag, v.trim(), provider)?;
                            checked
                        }
                        _ => checked,
                    }
                }
            },
        };
        if let Some(v) = value {
            values.set(def.key, v);
        }
    }
    Ok(values)
}

/// A file given by flag that the vendor checks must pass its check; it is recorded as the
/// absolute file. `spec` is the field's guide entry, whose words say how to get a good one.
pub(super) fn checked_file(
    rules: &FileRules,
    spec: &crate::guide::FieldSpec,
    flag: &str,
    typed: &str,
) -> Result<Value, Usage> {
    let found = (rules.check)(typed).map_err(|e| Usage(format!("--{flag} {typed}: {e}")))?;
    if !found.ok() {
        let mut problems: Vec<String> = found.name_problem.clone().into_iter().collect();
        problems.extend(found.problems.iter().map(|p| format!("line {}: {}", p.line, p.message)));
        let fix = spec.file.as_ref().map_or(String::new(), |w| format!("\n{}", w.flag_fix));
        return Err(Usage(format!("--{flag} {typed}:\n  {}{fix}", problems.join("\n  "))));
    }
    for w in &found.warnings {
        eprintln!("warning: --{flag} {typed}: line {}: {}", w.line, w.message);
    }
    Ok(Value::Text(found.path.display().to_string()))
}

/// A linked profile must exist, and be of the vendor the link names.
pub(super) fn linked(config: &Path, flag: &str, name: &str, provider: &str) -> Result<(), Usage> {
    let loaded = crate::providers::store(config).load().map_err(|e| Usage(format!("{e:#}")))?;
    let vendor = ProviderId::parse(provider).map_or(provider, |p| p.guide().name.as_str());
    match loaded.get(name) {
        Some(Entry::Ok(p)) if p.provider == provider && p.schema.is_some() => Ok(()),
        _ => Err(Usage(format!("--{flag}: \"{name}\" is not a {vendor} profile in {}", config.display()))),
    }
}

fn scripted(config: &Path, g: &Globals, args: &AddArgs) -> Result<u8, Usage> {
    let ca = g.ca();
    let name = args
        .name
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Usage("--non-interactive needs --name NAME".into()))?;
    check_name(name).map_err(|e| Usage(format!("--name: {e}")))?;
    let schema = args.provider.schema();
    let values = values_from_flags(schema, args, config)?;
    let ca_file = match ca {
        Some(p) => Some(std::fs::canonicalize(p).map_err(|e| Usage(format!("--ca-file {}: {e}", p.display())))?),
        None => None,
    };
    let store = crate::providers::store(config);
    let loaded = store.load().map_err(|e| Usage(format!("{e:#}")))?;
    let exists = loaded.get(name).is_some();
    if exists && !args.force {
        return Err(Usage(format!(
            "a profile named \"{name}\" already exists in {}; pass --force to replace it",
            config.display()
        )));
    }
    // A replaced profile keeps the CA file it trusted unless --ca-file names another (`set`
    // changes single fields; the profile's own thresholds are kept by the save itself).
    let ca_file = ca_file.or_else(|| match loaded.get(name) {
        Some(Entry::Ok(old)) => old.ca_file.clone(),
        _ => None,
    });
    let mut profile = Profile::new(name, schema, values, ca_file);
    let Ok(rt) = crate::validate::runtime() else { return Ok(exit::ERROR) };
    if !args.no_validate {
        let all: Vec<Profile> = loaded
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Ok(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        let code = validate_before_save(&rt, &profile, profile.linked_in(&all), g);
        if code != exit::OK {
            eprintln!("Nothing was saved.");
            return Ok(code);
        }
    }
    let undo = match into_keyring(&rt, &mut profile, &for_keyring(schema, &args.fields)) {
        Ok(undo) => undo,
        Err(e) => {
            eprintln!("pbxlink: {e}\nNothing was saved.");
            return Ok(exit::USAGE);
        }
    };
    let mode = if exists { SaveMode::Replace { old: name.to_string() } } else { SaveMode::Create };
    if let Err(e) = store.save(&profile, &mode) {
        eprintln!("pbxlink: {e:#}");
        undo.run(&rt);
        return Ok(exit::ERROR);
    }
    eprintln!("Saved profile \"{name}\" in {}", config.display());
    Ok(exit::OK)
}

/// The secret from the one source given, checked like the guide's secret field.
pub(super) fn secret(def: &FieldDef, source: SecretSource<'_>) -> Result<Value, Usage> {
    let what = def.help.trim_start_matches("the ");
    let flag = format!("--{}", def.flag());
    let given = source.stdin || source.file.is_some() || source.env.is_some();
    if let Some(r) = source.reference {
        let r = SecretRef::parse_flag(&format!("{flag}-ref"), r).map_err(|e| Usage(e.to_string()))?;
        match (given, &r) {
            // The secret given now, validated as a value, goes to the keyring before the save.
            (true, SecretRef::Keyring) => {}
            (true, _) => {
                return Err(Usage(format!(
                    "{flag}-ref {} reads the {what} at each use, so it takes no secret now: drop {flag}-stdin/-file/-env (only {flag}-ref keyring takes one, to store it in the OS keyring)",
                    source.reference.unwrap_or_default()
                )));
            }
            (false, _) => return Ok(Value::Ref(r)),
        }
    }
    let value = read_secret(source.stdin, source.file, source.env, what, &flag)?;
    // A reference given as the secret itself is a mistake, never run nor read: the user says
    // "keep a reference" with -ref alone.
    if value.trim() == "keyring" || SecretRef::parse_flag("", value.trim()).is_ok() {
        return Err(Usage(format!(
            "the {what} given with {flag}-stdin/-file/-env looks like a reference (env:, command:, keyring), which is never run nor read when given as the secret: to keep a reference, give it with {flag}-ref"
        )));
    }
    crate::guide::FieldKind::Secret
        .check(&value)
        .map(|v| Value::Secret(secrecy::SecretString::from(v)))
        .map_err(|e| Usage(format!("{what}: {e}")))
}

/// The secret fields whose secret was given to be stored in the OS keyring:
/// `--api-key-ref keyring` with `--api-key-stdin`, `-file` or `-env`.
pub(super) fn for_keyring(schema: &Schema, fields: &crate::cli::FieldFlags) -> Vec<&'static str> {
    let given =
        |s: SecretSource<'_>| s.reference == Some("keyring") && (s.stdin || s.file.is_some() || s.env.is_some());
    schema.fields.iter().filter(|d| d.secret() && given(fields.secret(&d.flag()))).map(|d| d.key).collect()
}

/// Stores each of `keys`' secrets in the OS keyring (service pbxlink, account
/// `<profile>/<field>`) and leaves `{ keyring = true }` in their place: after validation, so only
/// a secret that works is stored, and before the profile is saved, so a profile never names an
/// entry that could not be written.
pub(super) fn into_keyring(
    rt: &tokio::runtime::Runtime,
    profile: &mut Profile,
    keys: &[&'static str],
) -> Result<Undo, crate::report::Refusal> {
    use crate::profile::os_keyring;
    let mut undo = Undo::default();
    for &key in keys {
        let Some(Value::Secret(secret)) = profile.values.get(key).cloned() else { continue };
        let account = os_keyring::account(&profile.name, key);
        match rt.block_on(os_keyring::Before::replace(&account, &secret)) {
            Ok(before) => undo.0.push(before),
            Err(e) => {
                undo.run(rt);
                return Err(format!("{key} could not be stored in the OS keyring: {e}").into());
            }
        }
        eprintln!("Stored the {key} in the OS keyring (service pbxlink, account {account})");
        profile.values.set(key, Value::Ref(SecretRef::Keyring));
    }
    Ok(undo)
}

/// Keyring entries as they were before [`into_keyring`] replaced them, to put back when the save
/// that was to name them fails.
#[derive(Default)]
pub(super) struct Undo(Vec<crate::profile::os_keyring::Before>);

impl Undo {
    pub(super) fn run(self, rt: &tokio::runtime::Runtime) {
        for before in self.0 {
            let account = before.account.clone();
            match rt.block_on(before.restore()) {
                Ok(()) => eprintln!("The OS keyring entry {account} is back as it was."),
                Err(e) => eprintln!("warning: the OS keyring entry {account} could not be put back: {e}"),
            }
        }
    }
}

/// Reads the secret from the one source given. Never echoes it, never puts it in an error.
fn read_secret(
    stdin: bool,
    file: Option<&PathBuf>,
    env: Option<&str>,
    what: &str,
    flag: &str,
) -> Result<String, Usage> {
    if stdin {
        if std::io::stdin().is_terminal() {
            return Err(Usage(format!(
                "{flag}-stdin reads a pipe (e.g. `pass show pbx | pbxlink add ...`); in a terminal, use the interactive guide"
            )));
        }
        let mut s = String::new();
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut s)
            .map_err(|e| Usage(format!("cannot read the {what} from stdin: {e}")))?;
        return Ok(first_line(&s));
    }
    if let Some(path) = file {
        let meta = std::fs::metadata(path).map_err(|e| Usage(format!("{flag}-file {}: {e}", path.display())))?;
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "warning: {} is readable by other users; protect it with chmod 600 {}",
                path.display(),
                path.display()
            );
        }
        let s = read_small(path).map_err(|e| Usage(format!("{flag}-file {}: {e:#}", path.display())))?;
        return Ok(first_line(&s));
    }
    if let Some(var) = env {
        return std::env::var(var)
            .map(|s| first_line(&s))
            .map_err(|_| Usage(format!("{flag}-env: the environment variable {var} is not set")));
    }
    Err(Usage(format!(
        "--non-interactive needs the {what} from {flag}-stdin, {flag}-file PATH or {flag}-env VAR (never as a flag value), or where to read it at each use from {flag}-ref env:VAR|command:CMD|keyring"
    )))
}

fn read_small(path: &std::path::Path) -> Result<String> {
    let bytes = crate::files::read_regular(path, 64 * 1024)?;
    String::from_utf8(bytes).context("not UTF-8 text")
}

/// The first non-empty line, trimmed: files and pipes usually end with a newline.
fn first_line(s: &str) -> String {
    s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").to_string()
}

/// Validates, printing each check as it ends (to stderr); returns the validate exit code.
pub(super) fn validate_before_save(
    rt: &tokio::runtime::Runtime,
    profile: &Profile,
    linked: Option<&Profile>,
    g: &Globals,
) -> u8 {
    // The profile's own ca_file (set from --ca-file) is added by the engine.
    let opts = Options { no_proxy: g.no_proxy, lock: g.lock(), ..Options::default() };
    let mut show = |p: Progress| {
        if let Progress::Update(c) = p
            && let Some(line) = c.line()
        {
            eprintln!("{line}");
        }
    };
    let sched = crate::validate::Scheduler::new(1);
    let report = rt.block_on(crate::providers::validate_in(&sched, profile, linked, &opts, &mut show));
    match report.failure {
        None => exit::OK,
        Some(kind) => {
            eprintln!("Validation failed: {kind}");
            if let Some(h) = &report.hint {
                eprintln!("Fix: {h}");
            }
            exit::for_failure(kind)
        }
    }
}
