//! `pbxlink api NAME PATH`, like `gh api`: one authenticated request with the profile's address,
//! CA and token (kept ones first, `commands::token`), the answer's body on stdout. GET unless
//! `--method` says otherwise; any other method changes the PBX, so it is confirmed in a terminal
//! and needs `--yes` without one. `--field k=v` builds a JSON body; `--paginate` follows OData's
//! `@odata.nextLink` (3CX's XAPI) and prints one document holding every page's `value`. A 401 with
//! a kept token asks for a new token once. Exit codes as `validate`'s.

use anyhow::Result;
use secrecy::ExposeSecret;
use std::io::{IsTerminal, Write};
use std::path::Path;

use super::token::{Kept, load, obtain, usage};
use super::{Globals, exit};
use crate::cli::ApiArgs;
use crate::providers::threecx::principal_requests::next_path;
use crate::report::CheckState;
use crate::validate::{Progress, Tracker, session, status_failure};

/// Pages `--paginate` follows at most.
const MAX_PAGES: usize = 1000;

pub fn run(config: &Path, g: &Globals, args: ApiArgs) -> Result<u8> {
    let method = args.method.to_ascii_uppercase();
    let Ok(method) = reqwest::Method::from_bytes(method.as_bytes()) else {
        return Ok(usage(&format!("--method {}: give GET, POST, PUT, PATCH or DELETE", args.method)));
    };
    if !args.path.starts_with('/') {
        return Ok(usage(&format!("{}: give the API's own path, such as /xapi/v1/Users", args.path)));
    }
    let body = match fields(&args.field) {
        Ok(b) => b,
        Err(e) => return Ok(usage(&e)),
    };
    let get = method == reqwest::Method::GET;
    if get && body.is_some() {
        return Ok(usage("--field builds a JSON body: give --method POST, PUT or PATCH with it"));
    }
    if args.paginate && !get {
        return Ok(usage("--paginate follows the pages of a GET"));
    }
    let (rt, resolved) = match load(config, g, &args.name) {
        Ok(found) => found,
        Err(code) => return Ok(code),
    };
    let Some(address) = crate::providers::token::api_address(&resolved) else {
        return Ok(usage(&format!("profile \"{}\" cannot be read", args.name)));
    };
    if !get && !args.yes && !confirmed(&method, &args.path, &address, &args.name)? {
        return Ok(exit::USAGE);
    }
    let opts = g.options().for_profile(&resolved);
    rt.block_on(async {
        let mut quiet = |_: Progress| {};
        let mut t = Tracker::new(&[("dns", String::new()), ("connect", String::new())], &mut quiet);
        let Some(s) = session::open(&mut t, &address, &opts).await else {
            let report = t.finish(|_, _| String::new());
            let detail = report.checks.iter().find(|c| matches!(c.state, CheckState::Failed(_)));
            eprintln!("pbxlink: {}: {}", args.name, detail.map_or("no connection", |c| c.detail.as_str()));
            return Ok(report.failure.map_or(exit::ERROR, exit::for_failure));
        };
        let mut got = match obtain(&args.name, &resolved, &opts, Kept::AsItIs).await {
            Ok(t) => t,
            Err(code) => return Ok(code),
        };
        let mut pages: Vec<serde_json::Value> = Vec::new();
        // Bytes read over every page: the pages are held until the end, so they are bounded.
        let mut read = 0usize;
        let mut path = args.path.clone();
        loop {
            let mut answer = s.call(method.clone(), &path, got.token.expose_secret(), body.as_ref()).await;
            // A kept token someone ended (3CX: any new token for the Client ID): once more, new.
            if got.kept && matches!(&answer, Ok(a) if a.status == 401) {
                got = match obtain(&args.name, &resolved, &opts, Kept::Never).await {
                    Ok(t) => t,
                    Err(code) => return Ok(code),
                };
                answer = s.call(method.clone(), &path, got.token.expose_secret(), body.as_ref()).await;
            }
            let a = match answer {
                Ok(a) => a,
                Err((kind, detail)) => {
                    eprintln!("pbxlink: {}: {} {}: {}", args.name, method, path, s.redact(&detail));
                    return Ok(exit::for_failure(kind));
                }
            };
            // Never a cut answer printed as if whole (broken JSON with exit 0).
            if a.truncated {
                eprintln!(
                    "pbxlink: {}: {} {}: HTTP {}: the answer is longer than {} MiB: nothing printed; ask for less (OData $top and $select, or --paginate)",
                    args.name,
                    method,
                    path,
                    a.status,
                    session::API_BODY_LIMIT / (1024 * 1024)
                );
                return Ok(exit::ERROR);
            }
            read += a.body.len();
            if read > session::API_BODY_LIMIT {
                eprintln!(
                    "pbxlink: {}: --paginate: the pages came to more than {} MiB after {} pages: nothing printed; ask for less (OData $select, $filter)",
                    args.name,
                    session::API_BODY_LIMIT / (1024 * 1024),
                    pages.len() + 1
                );
                return Ok(exit::ERROR);
            }
            if let Some((kind, detail)) = status_failure(&a) {
                // The API's own answer is the caller's to read: on stdout, as on success.
                write_out(&scrubbed(&s, &a.body))?;
                eprintln!("pbxlink: {}: {} {}: {}", args.name, method, path, s.redact(&detail));
                return Ok(exit::for_failure(kind));
            }
            if !args.paginate {
                write_out(&scrubbed(&s, &a.body))?;
                return Ok(exit::OK);
            }
            let page: serde_json::Value = match serde_json::from_slice(&scrubbed(&s, &a.body)) {
                Ok(v) => v,
                Err(_) => {
                    eprintln!("pbxlink: {}: --paginate: {path} did not answer JSON", args.name);
                    return Ok(exit::for_failure(crate::report::FailureKind::BadResponse));
                }
            };
            let next = page.get("@odata.nextLink").and_then(|l| l.as_str()).map(str::to_string);
            pages.push(page);
            match next {
                Some(link) if pages.len() < MAX_PAGES => match next_path(&s.base, &path, &link) {
                    Ok(p) => path = p,
                    Err(why) => {
                        eprintln!("pbxlink: {}: the next page's link is {}: not followed", args.name, why.0);
                        return Ok(exit::for_failure(crate::report::FailureKind::BadResponse));
                    }
                },
                Some(_) => {
                    eprintln!("pbxlink: {}: more than {MAX_PAGES} pages: stopped", args.name);
                    return Ok(exit::ERROR);
                }
                None => break,
            }
        }
        let all: Vec<serde_json::Value> =
            pages.iter().flat_map(|p| p.get("value").and_then(|v| v.as_array()).cloned().unwrap_or_default()).collect();
        let doc = serde_json::json!({ "value": all });
        write_out(serde_json::to_string_pretty(&doc)?.as_bytes())?;
        Ok(exit::OK)
    })
}

/// `--field k=v` as a JSON object: numbers, `true`, `false` and `null` typed, as `gh api -F`
/// does; anything else a string. `None` without fields.
fn fields(given: &[String]) -> Result<Option<serde_json::Value>, String> {
    if given.is_empty() {
        return Ok(None);
    }
    let mut map = serde_json::Map::new();
    for f in given {
        let Some((k, v)) = f.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!("--field {f}: give KEY=VALUE"));
        };
        let typed = match v {
            "true" | "false" | "null" => serde_json::from_str(v).ok(),
            _ if v.parse::<f64>().is_ok_and(f64::is_finite) => serde_json::from_str(v).ok(),
            _ => None,
        };
        map.insert(k.to_string(), typed.unwrap_or_else(|| serde_json::Value::from(v)));
    }
    Ok(Some(serde_json::Value::Object(map)))
}

/// Asks in a terminal before a request that may change the PBX; without one, says `--yes`.
fn confirmed(method: &reqwest::Method, path: &str, address: &str, name: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        eprintln!("pbxlink: {method} {path} may change {address}: run it in a terminal to confirm, or add --yes");
        return Ok(false);
    }
    eprint!("Send {method} {path} to {address} with profile \"{name}\"? Type yes to send: ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    if line.trim().eq_ignore_ascii_case("yes") || line.trim().eq_ignore_ascii_case("y") {
        return Ok(true);
    }
    eprintln!("Nothing was sent.");
    Ok(false)
}

/// The body on stdout, ending in a newline; a closed pipe is no error.
/// The answer without the secrets the request carried (a server may echo the bearer token or the
/// credentials in what it answers), said on stderr when something was taken out.
fn scrubbed(s: &session::Session, body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let clean = s.redact(&text);
    if clean == text {
        return body.to_vec();
    }
    eprintln!("pbxlink: the answer repeated a secret the request carried; it is shown as {}", crate::redact::REDACTED);
    clean.into_bytes()
}

fn write_out(body: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let r = out.write_all(body).and_then(|()| if body.ends_with(b"\n") { Ok(()) } else { out.write_all(b"\n") });
    match r.and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_make_a_typed_json_body() {
        let v = fields(&["Name=Office".into(), "Number=100".into(), "Enabled=true".into(), "Note=".into()])
            .expect("ok")
            .expect("a body");
        assert_eq!(v, serde_json::json!({"Name": "Office", "Number": 100, "Enabled": true, "Note": ""}));
        assert!(fields(&["=x".into()]).is_err() && fields(&["novalue".into()]).is_err());
        assert_eq!(fields(&[]), Ok(None));
        assert_eq!(fields(&["n=inf".into()]).expect("ok"), Some(serde_json::json!({"n": "inf"})));
    }
}
