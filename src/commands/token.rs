//! `pbxlink token NAME [--fresh]`: an access token for a saved profile, alone on stdout, for
//! scripts (`curl -H "Authorization: Bearer $(pbxlink token office)" …`). A token issued before
//! is handed out again while it lasts (`profile::token_cache`; a kept 3CX token is tried first,
//! since anybody may have ended it), so a loop does not end a running integration's token at every
//! call; `--fresh` always asks for a new one. Notes go to stderr; failures exit as `validate`'s.

use anyhow::Result;
use secrecy::ExposeSecret;
use std::io::Write;
use std::path::Path;

use super::{Globals, exit};
use crate::clock::now_secs;
use crate::profile::store::Entry;
use crate::profile::token_cache::TokenCache;
use crate::providers::token;
use crate::report::{CheckState, FailureKind};
use crate::validate::{LockConfig, token_lock};

pub fn run(config: &Path, g: &Globals, name: &str, fresh: bool) -> Result<u8> {
    let (rt, resolved) = match load(config, g, name) {
        Ok(found) => found,
        Err(code) => return Ok(code),
    };
    let opts = g.options();
    rt.block_on(async {
        match obtain(name, &resolved, &opts, if fresh { Kept::Never } else { Kept::IfItReads }).await {
            Ok(t) => {
                print(&t.token)?;
                Ok(exit::OK)
            }
            Err(code) => Ok(code),
        }
    })
}

/// Whether a kept token may be handed out: never (`--fresh`), after a read proves it (`token`),
/// or as it is (`api`, whose own request proves it and asks again on a 401).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kept {
    Never,
    IfItReads,
    AsItIs,
}

/// A token obtained, and whether it was a kept one.
pub(super) struct Obtained {
    pub token: secrecy::SecretString,
    pub kept: bool,
}

/// A token for `resolved` (its secret read): a kept one when `kept` allows, else a new one, which
/// is then kept. Notes and failures go to stderr; `Err` is the exit code.
pub(super) async fn obtain(
    name: &str,
    resolved: &crate::profile::Profile,
    opts: &crate::validate::Options,
    kept: Kept,
) -> Result<Obtained, u8> {
    let key = token::cache_key(resolved);
    let Ok(state) = crate::paths::state_dir() else { return Err(usage("no state directory for the kept tokens")) };
    let cache = TokenCache::in_state(&state);
    // One `pbxlink token` per key at a time: parallel calls share one new token.
    let cfg = LockConfig { dir: cache.dir().to_path_buf(), who: "pbxlink token".into() };
    let said = |holder: &str| eprintln!("waiting for {holder}, which is getting this profile's token");
    let _lock = match token_lock::acquire(&cfg, &format!("cache {key}"), opts.request_timeout, said).await {
        Ok(lock) => lock,
        Err(holder) => {
            eprintln!("pbxlink: {name}: waited for {holder}, which is getting this profile's token");
            return Err(exit::for_failure(FailureKind::TokenBusy));
        }
    };
    if kept != Kept::Never
        && let Some((token, left)) = cache.get(&key, now_secs())
    {
        if kept == Kept::AsItIs || token::still_works(resolved, opts, &token).await {
            tracing::info!(profile = %name, left, "kept token handed out");
            if kept == Kept::IfItReads {
                eprintln!("(a token issued before, good for about {} more min; --fresh asks for a new one)", left / 60);
            }
            return Ok(Obtained { token, kept: true });
        }
        cache.forget(&key);
    }
    match token::issue(resolved, opts).await {
        Ok(issued) => {
            match issued.lifetime {
                Some(l) if l > crate::profile::token_cache::MARGIN => {
                    if let Err(e) = cache.put(&key, &issued.access_token, l, now_secs()) {
                        eprintln!("warning: the token is not kept for the next call: {e}");
                    }
                }
                _ => eprintln!("note: not kept for the next call: the answer does not say how long it lasts"),
            }
            tracing::info!(profile = %name, "token issued");
            if let Some(note) = &issued.note {
                eprintln!("{note}");
            }
            Ok(Obtained { token: issued.access_token.clone(), kept: false })
        }
        Err(report) => {
            let failed = report.checks.iter().find(|c| matches!(c.state, CheckState::Failed(_)));
            let detail = failed.map_or("no token", |c| c.detail.as_str());
            eprintln!("pbxlink: {name}: {detail}");
            if let Some(fix) = report.hint.as_deref().filter(|h| !h.is_empty()) {
                eprintln!("fix: {fix}");
            }
            tracing::info!(profile = %name, failure = ?report.failure, "no token");
            Err(report.failure.map_or(exit::ERROR, exit::for_failure))
        }
    }
}

/// The profile `name` with its secret read, and a runtime; `Err` is the exit code (said on stderr).
pub(super) fn load(
    config: &Path,
    g: &Globals,
    name: &str,
) -> Result<(tokio::runtime::Runtime, crate::profile::Profile), u8> {
    if let Ok(state) = crate::paths::state_dir() {
        super::init_log(&state, g.log_file.as_deref());
    }
    let loaded = crate::providers::store(config).load().map_err(|e| usage(&format!("{e:#}")))?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let profile = match loaded.get(name) {
        Some(Entry::Ok(p)) => p.clone(),
        Some(Entry::Invalid { reason, .. }) => return Err(usage(&format!("profile \"{name}\" is broken: {reason}"))),
        None => {
            return Err(usage(&format!(
                "no profile named \"{name}\" in {}; `pbxlink list` shows them",
                config.display()
            )));
        }
    };
    if let Some(why) = token::unsupported(&profile) {
        return Err(usage(&format!("{name}: {why}")));
    }
    let rt = crate::validate::runtime().map_err(|e| usage(&format!("{e:#}")))?;
    // A secret kept elsewhere is read now: a configuration error when it cannot be.
    let resolved = rt.block_on(profile.resolved()).map_err(|e| usage(&format!("profile \"{name}\": {e}")))?;
    Ok((rt, resolved))
}

/// The token alone on stdout, with its newline; a closed pipe is no error.
fn print(token: &secrecy::SecretString) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", token.expose_secret()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

pub(super) fn usage(msg: &str) -> u8 {
    eprintln!("pbxlink: {msg}");
    exit::USAGE
}
