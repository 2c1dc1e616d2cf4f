//! `pbxlink add PROVIDER`: the guide in the TUI (or as line prompts with `--plain`), or with
//! `--non-interactive` a scripted setup that takes every value from flags and the secret from
//! stdin, a file or an environment variable (never from a flag value, which `ps` and shell history
//! would show). It validates before saving and saves nothing when validation fails.

use anyhow::{Context, Result};
use secrecy::SecretString;
use std::io::{IsTerminal, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::{Globals, exit, interactive};
use crate::cli::{AddArgs, ProviderArg};
use crate::profile::store::{SaveMode, Store};
use crate::profile::{EightByEight, Profile, ProfileBody, ThreeCx, check_name};
use crate::providers::FieldKind;
use crate::validate::{self, Options, Progress};
use crate::wizard::Field;

/// A usage problem (exit code 2): the one type every command uses.
use super::UsageError as Usage;

pub fn run(config: &Path, g: &Globals, args: AddArgs) -> Result<u8> {
    if !args.non_interactive {
        // Plain mode reads its answers as lines, from a terminal or a pipe alike.
        if !g.plain && (!std::io::stdin().is_terminal() || !std::io::stdout().is_terminal()) {
            let flags = match args.provider {
                ProviderArg::ThreeCx => {
                    "--name, --domain, --client-id and one of --api-key-stdin, --api-key-file or --api-key-env"
                }
                ProviderArg::EightByEight => {
                    "--name, --client-id, --products and one of --client-secret-stdin, --client-secret-file or --client-secret-env"
                }
                ProviderArg::CxEngine => {
                    "--name, --base-url, --auth-method, --client-id, --account-id and one of --client-secret-stdin, --client-secret-file or --client-secret-env"
                }
            };
            eprintln!(
                "pbxlink: `pbxlink add` opens the interactive guide, which needs a terminal (with --plain, it asks line prompts and reads the answers from a pipe too).\nFor scripts, pass --non-interactive with {flags}."
            );
            return Ok(exit::USAGE);
        }
        let prefill = [
            ("domain", args.domain.as_deref()),
            ("base_url", args.base_url.as_deref()),
            ("client_id", args.client_id.as_deref()),
            ("account_id", args.account_id.as_deref()),
        ];
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

fn required<'a>(v: &'a Option<String>, flag: &str) -> Result<&'a str, Usage> {
    v.as_deref().filter(|s| !s.trim().is_empty()).ok_or_else(|| Usage(format!("--non-interactive needs {flag}")))
}

/// The profile body the flags describe, checked with the same rules as the guide's fields.
fn body_from_flags(args: &AddArgs, config: &Path) -> Result<ProfileBody, Usage> {
    let client_id = Field::new("client_id", FieldKind::Id, required(&args.client_id, "--client-id ID")?)
        .check()
        .map_err(|e| Usage(format!("--client-id: {e}")))?;
    // The guide's soft hints (8x8: the Client ID starts with eght_), as the TUI and plain mode show them.
    if let Some(hint) = args.provider.id().guide().field("client_id").soft_note(&client_id) {
        eprintln!("note: {hint}");
    }
    match args.provider {
        ProviderArg::CxEngine => cx_engine_from_flags(args, client_id, config),
        ProviderArg::ThreeCx => {
            let domain = Field::new("domain", FieldKind::Host, required(&args.domain, "--domain DOMAIN")?)
                .check()
                .map_err(|e| Usage(format!("--domain: {e}")))?;
            let key = secret(args)?;
            Ok(ProfileBody::ThreeCx(ThreeCx { domain, client_id, api_key: SecretString::from(key) }))
        }
        ProviderArg::EightByEight => {
            let guide = args.provider.id().guide();
            // Ids (cloud-storage) or the names the Admin Console shows (Cloud Storage Service).
            let products: Vec<String> = args
                .products
                .iter()
                .map(|p| p.trim())
                .filter(|p| !p.is_empty())
                .map(|p| crate::providers::eightbyeight::product_id(guide, p).unwrap_or_else(|| p.to_string()))
                .collect();
            crate::profile::check_products(guide, &products).map_err(|e| Usage(format!("--products: {e}")))?;
            let base_url = match &args.base_url {
                Some(b) => Some(
                    crate::providers::host::normalise_host(b)
                        .map_err(|e| Usage(format!("--base-url: {e}")))?
                        .to_string(),
                ),
                None => None,
            };
            let secret = secret(args)?;
            Ok(ProfileBody::EightByEight(EightByEight {
                client_id,
                client_secret: SecretString::from(secret),
                products,
                base_url,
                region: check_region(args.region.as_deref())?,
            }))
        }
    }
}

/// A region is a short lowercase word; the known ones come from 8x8's specs, others get a note
/// (the list is not documented in one place, so an unknown one is not refused).
fn check_region(region: Option<&str>) -> Result<Option<String>, Usage> {
    let Some(r) = region.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(None) };
    if r.len() > 20 || !r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(Usage(format!("--region \"{r}\": use a region name such as us-west, us-east, uk, ap or ca")));
    }
    let known = crate::providers::eightbyeight::REGIONS;
    if !known.contains(&r) {
        eprintln!(
            "note: region \"{r}\" is not one 8x8 documents ({}); product checks will say \"not checked\"",
            known.join(", ")
        );
    }
    Ok(Some(r.to_string()))
}

/// CX-Engine's values from flags: the URL keeps its https scheme, the template is checked, and a
/// linked 3CX profile must exist.
fn cx_engine_from_flags(args: &AddArgs, client_id: String, config: &Path) -> Result<ProfileBody, Usage> {
    let url = required(&args.base_url, "--base-url URL")?;
    let base_url = crate::profile::cx_engine_url(url).map_err(|e| Usage(format!("--base-url: {e}")))?;
    let auth_method =
        crate::providers::cxengine::AuthMethod::parse(required(&args.auth_method, "--auth-method METHOD")?)
            .map_err(|e| Usage(format!("--auth-method: {e}")))?;
    let account_id = Field::new("account_id", FieldKind::Id, required(&args.account_id, "--account-id ID")?)
        .check()
        .map_err(|e| Usage(format!("--account-id: {e}")))?;
    let template_path = match &args.template {
        Some(t) => {
            let at = |e: crate::template_file::TemplateError| Usage(format!("--template {}: {e}", t.display()));
            let found = crate::template_file::inspect(&t.to_string_lossy()).map_err(at)?;
            if !found.ok() {
                let mut problems: Vec<String> = found.name_problem.clone().into_iter().collect();
                problems.extend(found.problems.iter().map(|p| format!("line {}: {}", p.line, p.message)));
                return Err(Usage(format!(
                    "--template {}:\n  {}\n`pbxlink cx-engine check-template --write-copy` writes a correctly named copy",
                    t.display(),
                    problems.join("\n  ")
                )));
            }
            Some(found.path)
        }
        None => None,
    };
    if let Some(pbx) = &args.pbx_profile {
        let loaded = Store::new(config).load().map_err(|e| Usage(format!("{e:#}")))?;
        match loaded.get(pbx) {
            Some(crate::profile::store::Entry::Ok(Profile { body: ProfileBody::ThreeCx(_), .. })) => {}
            _ => return Err(Usage(format!("--pbx-profile: \"{pbx}\" is not a 3CX profile in {}", config.display()))),
        }
    }
    let secret = secret(args)?;
    Ok(ProfileBody::CxEngine(crate::profile::CxEngine {
        base_url,
        auth_method,
        client_id,
        client_secret: SecretString::from(secret),
        account_id,
        template_path,
        pbx_profile: args.pbx_profile.clone(),
    }))
}

fn scripted(config: &Path, g: &Globals, args: &AddArgs) -> Result<u8, Usage> {
    let ca = g.ca();
    let name = required(&args.name, "--name NAME")?;
    check_name(name).map_err(|e| Usage(format!("--name: {e}")))?;
    let body = body_from_flags(args, config)?;
    let ca_file = match ca {
        Some(p) => Some(std::fs::canonicalize(p).map_err(|e| Usage(format!("--ca-file {}: {e}", p.display())))?),
        None => None,
    };
    let store = Store::new(config);
    let loaded = store.load().map_err(|e| Usage(format!("{e:#}")))?;
    let exists = loaded.get(name).is_some();
    if exists && !args.force {
        return Err(Usage(format!(
            "a profile named \"{name}\" already exists in {}; pass --force to replace it",
            config.display()
        )));
    }
    let profile = Profile { name: name.to_string(), body, ca_file };
    if !args.no_validate {
        let all: Vec<Profile> = loaded
            .entries
            .iter()
            .filter_map(|e| match e {
                crate::profile::store::Entry::Ok(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        let Ok(rt) = crate::validate::runtime() else { return Ok(exit::ERROR) };
        let code = validate_before_save(&rt, &profile, profile.linked_in(&all), g);
        if code != exit::OK {
            eprintln!("Nothing was saved.");
            return Ok(code);
        }
    }
    let mode = if exists { SaveMode::Replace { old: name.to_string() } } else { SaveMode::Create };
    if let Err(e) = store.save(&profile, &mode) {
        eprintln!("pbxlink: {e:#}");
        return Ok(exit::ERROR);
    }
    eprintln!("Saved profile \"{name}\" in {}", config.display());
    Ok(exit::OK)
}

/// The provider's secret, from its own family of flags (3CX says "API key", the others "Client
/// Secret"), checked like the guide's secret field. The other family's flags are refused by name.
fn secret(args: &AddArgs) -> Result<String, Usage> {
    let api_key = (args.api_key_stdin, args.api_key_file.as_ref(), args.api_key_env.as_deref());
    let client_secret = (args.client_secret_stdin, args.client_secret_file.as_ref(), args.client_secret_env.as_deref());
    let given = |(stdin, file, env): (bool, Option<&PathBuf>, Option<&str>)| stdin || file.is_some() || env.is_some();
    let name = args.provider.id().guide().name.as_str();
    let (ours, theirs, what, flag, other) = match args.provider {
        ProviderArg::ThreeCx => (api_key, client_secret, "API key", "--api-key", "--client-secret"),
        _ => (client_secret, api_key, "Client Secret", "--client-secret", "--api-key"),
    };
    if given(theirs) {
        return Err(Usage(format!(
            "{name} calls its secret the {what}: use {flag}-stdin, {flag}-file or {flag}-env, not {other}-*"
        )));
    }
    let value = read_secret(ours.0, ours.1, ours.2, what, flag)?;
    Field::new("secret", FieldKind::Secret, &value).check().map_err(|e| Usage(format!("{what}: {e}")))
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
        "--non-interactive needs the {what} from {flag}-stdin, {flag}-file PATH or {flag}-env VAR (never as a flag value)"
    )))
}

fn read_small(path: &PathBuf) -> Result<String> {
    let mut s = String::new();
    std::fs::File::open(path)?.take(64 * 1024).read_to_string(&mut s).context("not UTF-8 text")?;
    Ok(s)
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
    let report = rt.block_on(validate::Scheduler::new(1).validate(profile, linked, &opts, &mut show));
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
