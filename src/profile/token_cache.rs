//! Tokens `pbxlink token` issued, kept for their lifetime in the state directory (`tokens/`, a
//! 0700 directory, each file 0600 and written atomically) so that a script calling `token` in a
//! loop does not ask for a new one each time: with 3CX each new token ends the one any other
//! holder of the Client ID has, a running integration included. A token is kept only when its
//! answer said how long it lasts, and reused only while more than [`MARGIN`] of that is left.
//! The caller holds a lock per key (`validate::token_lock`) from reading here to writing here.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::files::atomic;

/// A kept token is handed out only with at least this many seconds left.
pub const MARGIN: u64 = 60;

pub struct TokenCache {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Kept {
    expires_at: u64,
    access_token: String,
}

impl TokenCache {
    pub fn in_state(state: &Path) -> TokenCache {
        TokenCache { dir: state.join("tokens") }
    }

    /// The directory the tokens and their locks are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `key` is a hex digest ([`crate::providers::token::cache_key`]): a file-safe name.
    fn path(&self, key: &str) -> PathBuf {
        let name: String = key.chars().filter(char::is_ascii_alphanumeric).take(32).collect();
        self.dir.join(format!("{name}.json"))
    }

    /// The kept token for `key` and the seconds it has left, when it has more than [`MARGIN`].
    pub fn get(&self, key: &str, now: u64) -> Option<(SecretString, u64)> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let kept: Kept = serde_json::from_slice(&bytes).ok()?;
        let left = kept.expires_at.checked_sub(now)?;
        (left > MARGIN && !kept.access_token.is_empty()).then(|| (SecretString::from(kept.access_token), left))
    }

    /// Keeps `token` for `lifetime` seconds from `now`.
    pub fn put(&self, key: &str, token: &SecretString, lifetime: u64, now: u64) -> std::io::Result<()> {
        atomic::ensure_private_dir(&self.dir)?;
        let kept = Kept { expires_at: now.saturating_add(lifetime), access_token: token.expose_secret().to_string() };
        let json = serde_json::to_vec(&kept).map_err(std::io::Error::other)?;
        atomic::write_atomic(&self.path(key), &json, false)
    }

    /// Drops the kept token for `key` (it stopped working).
    pub fn forget(&self, key: &str) {
        let _ = std::fs::remove_file(self.path(key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_token_is_kept_private_and_only_while_it_lasts() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = TokenCache::in_state(dir.path());
        let key = "ab12".repeat(16);
        assert!(cache.get(&key, 1000).is_none());
        cache.put(&key, &SecretString::from("tok-1"), 600, 1000).expect("put");
        let (tok, left) = cache.get(&key, 1100).expect("kept");
        assert_eq!((tok.expose_secret(), left), ("tok-1", 500));
        assert!(cache.get(&key, 1000 + 600 - MARGIN).is_none(), "not with a minute or less left");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&cache.path(&key)), 0o600);
        assert_eq!(mode(cache.dir()), 0o700);
        cache.forget(&key);
        assert!(cache.get(&key, 1100).is_none());
    }
}
