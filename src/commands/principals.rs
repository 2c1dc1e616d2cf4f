//! `pbxlink 3cx principals` and `pbxlink 3cx app-token`: list the service principals of the PBX a
//! 3CX profile signs in to, and generate an app token for one of them.
//!
//! Generating may replace the principal's current key (3CX does not say), so it is never done
//! without a confirmation: typed "yes" in a terminal, or `--yes`. The token goes to stdout and
//! nowhere else (not the log, not stderr, not an error); everything else goes to stderr, so
//! `pbxlink 3cx app-token ... --yes > token.txt` captures exactly the token.

use anyhow::Result;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::{Globals, UsageError as Usage, exit};
use crate::profile::store::{Entry, SaveMode};
use crate::profile::{Profile, check_name};
use crate::providers::threecx::ThreeCx;
use crate::providers::threecx::principal_requests as remote;
use crate::providers::threecx::principals::{Principal, Problem, Step};
use crate::text::one_line;

/// A wait for another pbxlink's token, said on stderr (stdout holds only the answer).
fn say_waiting(detail: &str) {
    eprintln!("{detail}");
}

/// `pbxlink 3cx principals PROFILE [--json]`.
pub fn list(config: &Path, g: &Globals, name: &str, json: bool) -> Result<u8> {
    start_log(g);
    let (profile, cx) = match load(config, g, name) {
        Ok(found) => found,
        Err(Usage(msg)) => return Ok(usage(&msg)),
    };
    let rt = runtime()?;
    let principals = match rt.block_on(remote::list(&cx, &g.options().for_profile(&profile), &mut say_waiting)) {
        Ok(list) => list,
        Err(p) => {
            // A script reading --json gets a document either way, as from `validate --json`.
            if json {
                let doc = JsonDoc::failed(name, &p);
                writeln!(std::io::stdout().lock(), "{}", serde_json::to_string_pretty(&doc)?)?;
            }
            return Ok(failed(name, &p));
        }
    };
    tracing::info!(profile = %name, count = principals.len(), "service principals listed");
    let mut out = std::io::stdout().lock();
    if json {
        let doc = JsonDoc {
            schema: 1,
            profile: name,
            ok: true,
            failure: None,
            detail: None,
            hint: None,
            principals: principals.iter().map(|p| JsonPrincipal::new(p, &cx.client_id)).collect(),
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else if principals.is_empty() {
        eprintln!("The PBX lists no service principals.");
    } else {
        write!(out, "{}", table(&principals, name, &cx.client_id))?;
    }
    if !principals.iter().any(|p| p.is_own(&cx.client_id)) {
        eprintln!("note: no principal's Number is {}, the Client ID of \"{name}\"", cx.client_id);
    }
    Ok(exit::OK)
}

/// `pbxlink 3cx app-token PROFILE --id N [--yes] [--save-to NAME]`.
pub fn app_token(config: &Path, g: &Globals, name: &str, id: i32, yes: bool, save_to: Option<&str>) -> Result<u8> {
    start_log(g);
    // Everything that can be refused is refused before anything is generated: once the PBX has
    // made a token, the old key may be gone.
    let (profile, cx) = match load(config, g, name) {
        Ok(found) => found,
        Err(Usage(msg)) => return Ok(usage(&msg)),
    };
    let target = match save_to.map(|to| save_target(config, to)).transpose() {
        Ok(t) => t,
        Err(Usage(msg)) => return Ok(usage(&msg)),
    };
    let can_ask = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !yes && !can_ask {
        return Ok(usage(&format!(
            "not generating an app token for principal {id}: there is no terminal to confirm on, and the \
             principal's current key may stop working. Pass --yes to go ahead."
        )));
    }
    let opts = g.options().for_profile(&profile);
    let rt = runtime()?;
    // The principal is looked up first, so the question and the output name its Number.
    let principal = match rt.block_on(remote::list(&cx, &opts, &mut say_waiting)) {
        Ok(list) => list.into_iter().find(|p| p.id == id),
        Err(p) => return Ok(failed(name, &p)),
    };
    let Some(principal) = principal else {
        return Ok(usage(&format!(
            "{} has no service principal with Id {id}; `pbxlink 3cx principals {name}` lists them",
            cx.domain
        )));
    };
    let number = principal.number.clone();
    let shown = number.as_deref().unwrap_or("unknown");
    if target.is_some() && number.is_none() {
        return Ok(usage(&format!(
            "the PBX did not say principal {id}'s Number (its Client ID), so no profile can be made for it. \
             Nothing was generated; run again without --save-to"
        )));
    }
    let own = principal.is_own(&cx.client_id);
    if !yes && !confirmed(id, shown, own.then_some(name))? {
        eprintln!("Nothing generated.");
        return Ok(exit::ERROR);
    }
    let token = match rt.block_on(remote::generate_app_token(&cx, id, &opts, &mut say_waiting)) {
        Ok(t) => t,
        Err(p) => {
            let code = failed(name, &p);
            // Without a clear "no" from the PBX, the token may exist and the old key be gone.
            if p.step == Some(Step::Generate) && !p.kind.is_rejection() {
                eprintln!(
                    "note: the PBX may have made a new token before its answer was lost; if principal {id}'s \
                     current key stopped working, generate another one."
                );
            }
            return Ok(code);
        }
    };
    tracing::info!(profile = %name, principal = id, "app token generated");
    // The token first, and alone on stdout: it may be the only copy now.
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", token.expose_secret())?;
    out.flush()?;
    drop(out);
    eprintln!("New app token for principal {id} (Number {shown}) printed on stdout. pbxlink keeps no other copy.");
    if own && save_to != Some(name) {
        eprintln!(
            "warning: profile \"{name}\" signs in as this principal: its saved key may stop working. Save the new \
             token into it (`pbxlink add 3cx --non-interactive --force --name {name} ... --api-key-stdin`); next \
             time, --save-to {name} validates and saves it in one step."
        );
    }
    match (target, number) {
        (Some(t), Some(number)) => Ok(save(&rt, config, g, &profile, &cx, t, number, token)),
        _ => Ok(exit::OK),
    }
}

fn start_log(g: &Globals) {
    if let Ok(state) = crate::paths::state_dir() {
        super::init_log(&state, g.log_file.as_deref());
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(crate::validate::runtime()?)
}

fn usage(msg: &str) -> u8 {
    eprintln!("pbxlink: {msg}");
    exit::USAGE
}

/// Prints a failed request with its fix; returns its exit code (3 rejected, 4 no verdict).
fn failed(name: &str, p: &Problem) -> u8 {
    tracing::info!(profile = %name, failure = %p.kind, "service principal request failed");
    eprintln!("pbxlink: {name}: {}", p.detail);
    if !p.fix.is_empty() {
        eprintln!("fix: {}", p.fix);
    }
    exit::for_failure(p.kind)
}

/// The 3CX profile `name`, or why it cannot be used (usage errors).
fn load(config: &Path, g: &Globals, name: &str) -> Result<(Profile, ThreeCx), Usage> {
    if let Some(ca) = g.ca()
        && let Err(e) = std::fs::metadata(ca)
    {
        return Err(Usage(format!("--ca-file {}: {e}", ca.display())));
    }
    let loaded = crate::providers::store(config).load().map_err(|e| Usage(format!("{e:#}")))?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    match loaded.get(name) {
        Some(Entry::Ok(p)) if crate::providers::ProviderId::ThreeCx.owns(p) => {
            // A secret kept elsewhere is read now (a configuration error when it cannot be).
            let rt = crate::validate::runtime().map_err(|e| Usage(format!("{e:#}")))?;
            let resolved = rt.block_on(p.resolved()).map_err(|e| Usage(format!("profile \"{name}\": {e}")))?;
            let cx = ThreeCx::of(&resolved).ok_or_else(|| Usage(format!("profile \"{name}\" cannot be read")))?;
            Ok((p.clone(), cx))
        }
        Some(Entry::Ok(p)) => Err(Usage(format!(
            "\"{name}\" is not a 3CX profile (its provider is {}); service principals belong to 3CX",
            p.provider_name()
        ))),
        Some(Entry::Invalid { reason, .. }) => Err(Usage(format!("profile \"{name}\" is broken: {reason}"))),
        None => Err(Usage(format!("no profile named \"{name}\" in {}; `pbxlink list` shows them", config.display()))),
    }
}

/// Where `--save-to NAME` will save: a new profile, or an existing 3CX one to replace (the user
/// named it). Any other existing profile is refused.
struct Target {
    name: String,
    exists: bool,
}

fn save_target(config: &Path, name: &str) -> Result<Target, Usage> {
    check_name(name).map_err(|e| Usage(format!("--save-to: {e}")))?;
    let loaded = crate::providers::store(config).load().map_err(|e| Usage(format!("{e:#}")))?;
    let exists = match loaded.get(name) {
        None => false,
        Some(Entry::Ok(p)) if crate::providers::ProviderId::ThreeCx.owns(p) => true,
        Some(_) => {
            return Err(Usage(format!(
                "--save-to: \"{name}\" exists in {} and is not a 3CX profile; choose another name",
                config.display()
            )));
        }
    };
    Ok(Target { name: name.to_string(), exists })
}

/// Asks on stderr and reads the answer from the terminal; only "yes" goes ahead.
fn confirmed(id: i32, number: &str, own_profile: Option<&str>) -> Result<bool> {
    if let Some(p) = own_profile {
        eprintln!("Principal {id} is the one profile \"{p}\" signs in with.");
    }
    eprint!(
        "Generate a new app token for principal {id} (Number {number})? Its current key may stop working. Type yes: "
    );
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

/// Validates the new token as a profile for principal `number`, then saves it. The token was
/// already printed: a failure here loses nothing, and says so.
#[allow(clippy::too_many_arguments)]
fn save(
    rt: &tokio::runtime::Runtime,
    config: &Path,
    g: &Globals,
    source: &Profile,
    cx: &ThreeCx,
    target: Target,
    number: String,
    token: SecretString,
) -> u8 {
    let name = target.name;
    // The same PBX and the same trust as the profile it came from; like `add`, a --ca-file given
    // now is stored when the source profile has none.
    let ca_file = source.ca_file.clone().or_else(|| g.ca().and_then(|c| std::fs::canonicalize(c).ok()));
    let profile = ThreeCx { domain: cx.domain.clone(), client_id: number, api_key: token }.profile(&name, ca_file);
    eprintln!("Validating the new token before saving it as \"{name}\":");
    let code = super::add::validate_before_save(rt, &profile, None, g);
    if code != exit::OK {
        eprintln!("The token was NOT saved as \"{name}\"; keep the copy printed on stdout.");
        return code;
    }
    let mode = if target.exists { SaveMode::Replace { old: name.clone() } } else { SaveMode::Create };
    if let Err(e) = crate::providers::store(config).save(&profile, &mode) {
        eprintln!("pbxlink: {e:#}\nThe token was NOT saved as \"{name}\"; keep the copy printed on stdout.");
        return exit::ERROR;
    }
    tracing::info!(profile = %name, "app token saved as a profile");
    eprintln!("Saved profile \"{name}\" in {}", config.display());
    exit::OK
}

/// The table: one row per principal, the profile's own marked with `*`; unknown values are `?`.
fn table(principals: &[Principal], name: &str, client_id: &str) -> String {
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    };
    const HEADER: [&str; 6] = ["ID", "NUMBER", "XAPI", "CALL CONTROL", "SYSTEM", "LAST USED"];
    let rows: Vec<Vec<String>> = principals
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.number.as_deref().unwrap_or("?").to_string(),
                yes_no(p.xapi_enabled).to_string(),
                yes_no(p.call_control_enabled).to_string(),
                if p.is_system_note.is_some() { "n/a".to_string() } else { yes_no(p.is_system).to_string() },
                p.last_used.as_deref().unwrap_or("-").to_string(),
            ]
        })
        .collect();
    let w = crate::table::widths(&HEADER, &rows);
    // Ids line up on the right, as numbers do.
    let id = |s: &str| format!("{}{s}", " ".repeat(w[0].saturating_sub(s.chars().count())));
    let mut s = format!(
        "  {}\n",
        crate::table::line(&[id(HEADER[0]).as_str(), HEADER[1], HEADER[2], HEADER[3], HEADER[4], HEADER[5]], &w, 2)
    );
    for (p, row) in principals.iter().zip(&rows) {
        let mark = if p.is_own(client_id) { '*' } else { ' ' };
        let mut cells = row.clone();
        cells[0] = id(&row[0]);
        s.push_str(&format!("{mark} {}\n", crate::table::line(&cells, &w, 2)));
    }
    if principals.iter().any(|p| p.is_own(client_id)) {
        s.push_str(&format!(
            "* the principal profile \"{name}\" signs in with (Client ID {})\n",
            one_line(client_id, 40)
        ));
    }
    if let Some(note) = principals.iter().find_map(|p| p.is_system_note) {
        s.push_str(&format!("SYSTEM n/a: {note}\n"));
    }
    s
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    schema: u32,
    profile: &'a str,
    ok: bool,
    /// The failure kind, as in `validate --json` (`forbidden`, `unauthorized`, ...).
    failure: Option<&'static str>,
    detail: Option<&'a str>,
    hint: Option<&'a str>,
    principals: Vec<JsonPrincipal<'a>>,
}

impl<'a> JsonDoc<'a> {
    fn failed(profile: &'a str, p: &'a Problem) -> Self {
        JsonDoc {
            schema: 1,
            profile,
            ok: false,
            failure: Some(p.kind.as_str()),
            detail: Some(&p.detail),
            hint: Some(&p.fix).filter(|f| !f.is_empty()).map(String::as_str),
            principals: Vec::new(),
        }
    }
}

/// One principal in `--json`; unknown values are null.
#[derive(Serialize)]
struct JsonPrincipal<'a> {
    id: i32,
    number: Option<&'a str>,
    xapi_enabled: Option<bool>,
    call_control_enabled: Option<bool>,
    is_system: Option<bool>,
    /// Why `is_system` is null when the PBX's version has no such field.
    #[serde(skip_serializing_if = "Option::is_none")]
    is_system_note: Option<&'static str>,
    last_used: Option<&'a str>,
    /// The principal this profile signs in with (its Number is the profile's Client ID).
    own: bool,
}

impl<'a> JsonPrincipal<'a> {
    fn new(p: &'a Principal, client_id: &str) -> Self {
        JsonPrincipal {
            id: p.id,
            number: p.number.as_deref(),
            xapi_enabled: p.xapi_enabled,
            call_control_enabled: p.call_control_enabled,
            is_system: p.is_system,
            is_system_note: p.is_system_note,
            last_used: p.last_used.as_deref(),
            own: p.is_own(client_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_marks_the_own_principal_and_unknowns() {
        let p = |id, number: Option<&str>, xapi| Principal {
            id,
            number: number.map(str::to_string),
            xapi_enabled: xapi,
            call_control_enabled: Some(false),
            is_system: Some(false),
            is_system_note: None,
            last_used: None,
        };
        let t = table(&[p(1, Some("900"), Some(true)), p(2, None, None)], "office", "900");
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[1].starts_with("*  1  900 ") && lines[1].contains("yes"), "{t}");
        assert!(lines[2].starts_with("   2  ?   ") && lines[2].contains(" ?     "), "{t}");
        assert_eq!(lines[0].find("XAPI"), lines[1].find("yes"), "{t}");
        // A long Number widens its column; the rest stays in line.
        let wide = table(&[p(1, Some("integration-number-42"), Some(true)), p(100_000, Some("9"), None)], "o", "9");
        let wl: Vec<&str> = wide.lines().collect();
        assert_eq!(wl[0].find("XAPI"), wl[1].find("yes"), "{wide}");
        assert_eq!(wl[0].find("XAPI"), wl[2].find('?'), "{wide}");
        assert_eq!(wl[1].find(" 1 ").map(|i| i + 1), wl[2].find("100000").map(|i| i + 5), "ids right-aligned: {wide}");
        assert!(lines[3].starts_with("* the principal profile \"office\""), "{t}");
        assert!(!table(&[p(2, None, None)], "office", "900").contains("* the principal"));
    }
}
