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
use crate::profile::results::now_secs;
use crate::profile::store::Entry;
use crate::profile::token_cache::TokenCache;
use crate::providers::{ProviderId, token};
use crate::report::{CheckState, FailureKind};
use crate::validate::{LockConfig, token_lock};

pub fn run(config: &Path, g: &Globals, name: &str, fresh: bool) -> Result<u8> {
    let state = crate::paths::state_dir()?;
    super::init_log(&state, g.log_file.as_deref());
    let loaded = match crate::providers::store(config).load() {
        Ok(l) => l,
        Err(e) => return Ok(usage(&format!("{e:#}"))),
    };
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let profile = match loaded.get(name) {
        Some(Entry::Ok(p)) => p.clone(),
        Some(Entry::Invalid { reason, .. }) => return Ok(usage(&format!("profile \"{name}\" is broken: {reason}"))),
        None => {
            return Ok(usage(&format!(
                "no profile named \"{name}\" in {}; `pbxlink list` shows them",
                config.display()
            )));
        }
    };
    if let Some(why) = token::unsupported(&profile) {
        return Ok(usage(&format!("{name}: {why}")));
    }
    let rt = crate::validate::runtime()?;
    // A secret kept elsewhere is read now: a configuration error when it cannot be.
    let resolved = match rt.block_on(profile.resolved()) {
        Ok(p) => p,
        Err(e) => return Ok(usage(&format!("profile \"{name}\": {e}"))),
    };
    let opts = g.options();
    let key = token::cache_key(&resolved);
    let cache = TokenCache::in_state(&state);
    rt.block_on(async {
        // One `pbxlink token` per key at a time: parallel calls share one new token.
        let cfg = LockConfig { dir: cache.dir().to_path_buf(), who: "pbxlink token".into() };
        let said = |holder: &str| eprintln!("waiting for {holder}, which is getting this profile's token");
        let _lock = match token_lock::acquire(&cfg, &format!("cache {key}"), opts.request_timeout, said).await {
            Ok(lock) => lock,
            Err(holder) => {
                eprintln!("pbxlink: {name}: waited for {holder}, which is getting this profile's token");
                return Ok(exit::for_failure(FailureKind::TokenBusy));
            }
        };
        if !fresh && let Some((kept, left)) = cache.get(&key, now_secs()) {
            if token::still_works(&resolved, &opts, &kept).await {
                tracing::info!(profile = %name, left, "kept token handed out");
                print(&kept)?;
                eprintln!("(a token issued before, good for about {} more min; --fresh asks for a new one)", left / 60);
                return Ok(exit::OK);
            }
            cache.forget(&key);
        }
        match token::issue(&resolved, &opts).await {
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
                print(&issued.access_token)?;
                if resolved.is(ProviderId::ThreeCx) {
                    let client = resolved.values.text(crate::providers::threecx::CLIENT_ID).unwrap_or_default();
                    eprintln!(
                        "note: 3CX keeps one token per Client ID: this new token ended the one any other program using Client ID {client} held"
                    );
                }
                Ok(exit::OK)
            }
            Err(report) => {
                let failed = report.checks.iter().find(|c| matches!(c.state, CheckState::Failed(_)));
                let detail = failed.map_or("no token", |c| c.detail.as_str());
                eprintln!("pbxlink: {name}: {detail}");
                if let Some(fix) = report.hint.as_deref().filter(|h| !h.is_empty()) {
                    eprintln!("fix: {fix}");
                }
                tracing::info!(profile = %name, failure = ?report.failure, "no token");
                Ok(report.failure.map_or(exit::ERROR, exit::for_failure))
            }
        }
    })
}

/// The token alone on stdout, with its newline; a closed pipe is no error.
fn print(token: &secrecy::SecretString) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", token.expose_secret()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

fn usage(msg: &str) -> u8 {
    eprintln!("pbxlink: {msg}");
    exit::USAGE
}
