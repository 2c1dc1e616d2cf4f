//! One token per Client ID, across processes. 3CX keeps one active token per Client ID: asking for
//! a token ends the one anybody else holds. Every pbxlink process (validate, the TUI, plain mode,
//! the service principal commands, the CX-Engine read of a linked 3CX) takes this lock from its
//! token request through its last request with that token, so two pbxlinks never end each other's
//! token: one waits (bounded) for the other.
//!
//! The lock is an `flock` on a file per PBX and Client ID in the state directory, so it dies with
//! its process (a crash never leaves a stale lock). The holder writes who it is into the file, so
//! a waiter can say for whom it waits. The holder removes the file when it is done (so `locks/`
//! holds only the files of locks held, not one per Client ID ever seen), and a waiter that gets
//! the lock of a file removed meanwhile takes the one now in its place. Where the state directory cannot hold the file, validation
//! goes on without the lock (and says so in the log): a lock is a courtesy to other pbxlinks, never
//! a reason to give no verdict.

use std::fs::{File, TryLockError};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where the locks live and who this process is (shown to the processes that wait for it).
#[derive(Debug, Clone)]
pub struct LockConfig {
    pub dir: PathBuf,
    /// What this process is doing, e.g. `pbxlink validate` (never a secret).
    pub who: String,
}

/// A held lock: released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct TokenLock {
    file: Option<File>,
    path: PathBuf,
}

impl Drop for TokenLock {
    /// The file goes while the lock is still held, then the lock with the descriptor: a waiter
    /// that then locks the removed file sees it is no longer at its path and takes a new one.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        drop(self.file.take());
    }
}

/// How often a waiter tries again: short next to a validation, long next to a system call.
const POLL: Duration = Duration::from_millis(20);

/// The lock file for `key` (a PBX and a Client ID): a readable name, and a hash so that two keys
/// that read alike never share a file.
pub fn path_for(dir: &Path, key: &str) -> PathBuf {
    let readable: String =
        key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).take(60).collect();
    // FNV-1a: stable across runs and versions, which std's hasher does not promise.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    dir.join(format!("token-{readable}-{hash:016x}.lock"))
}

/// Takes the lock for `key`, waiting at most `wait`. `waiting` is called once, with the holder's
/// description, if the lock is taken. `Ok(None)`: no lock could be made here (the validation goes
/// on without it); `Err(holder)`: the wait ran out.
pub async fn acquire(
    cfg: &LockConfig,
    key: &str,
    wait: Duration,
    mut waiting: impl FnMut(&str),
) -> Result<Option<TokenLock>, String> {
    let path = path_for(&cfg.dir, key);
    let mut file = match open(&cfg.dir, &path) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "no token lock: going on without one");
            return Ok(None);
        }
    };
    let deadline = Instant::now() + wait;
    let mut told = false;
    loop {
        match file.try_lock() {
            // Its holder removed it before letting go: the lock is the file's now at the path.
            Ok(()) if !crate::files::is_at(&file, &path) => {
                file = match open(&cfg.dir, &path) {
                    Ok(f) => f,
                    Err(e) => {
                        tracing::warn!(path = %path.display(), error = %e, "no token lock: going on without one");
                        return Ok(None);
                    }
                };
            }
            Ok(()) => {
                // Who holds it now, for those who will wait; a failure to say so changes nothing.
                let _ = file.set_len(0).and_then(|()| file.rewind()).and_then(|()| {
                    writeln!(file, "{} (pid {})", cfg.who, std::process::id()).and_then(|()| file.flush())
                });
                return Ok(Some(TokenLock { file: Some(file), path }));
            }
            Err(TryLockError::WouldBlock) => {
                // Who holds it is read when it is told: once at the start, and at the end.
                if Instant::now() >= deadline {
                    return Err(holder(&path));
                }
                if !told {
                    waiting(&holder(&path));
                    told = true;
                }
                tokio::time::sleep(POLL).await;
            }
            Err(TryLockError::Error(e)) => {
                tracing::warn!(path = %path.display(), error = %e, "token lock failed: going on without one");
                return Ok(None);
            }
        }
    }
}

fn open(dir: &Path, path: &Path) -> std::io::Result<File> {
    crate::files::atomic::ensure_private_dir(dir)?;
    crate::files::open_lock(path)
}

/// What the holder wrote about itself (one printable line), or a plain word when it wrote nothing.
fn holder(path: &Path) -> String {
    // A regular file only, a few bytes of it: a FIFO put there must not hang the waiter.
    let text =
        crate::files::read_regular(path, 4096).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let line = crate::text::one_line(text.lines().next().unwrap_or(""), 100);
    if line.is_empty() { "another pbxlink".to_string() } else { line }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(dir: &Path, who: &str) -> LockConfig {
        LockConfig { dir: dir.join("locks"), who: who.into() }
    }

    #[tokio::test]
    async fn a_second_taker_waits_and_says_for_whom() {
        let d = tempfile::tempdir().expect("tempdir");
        let first = acquire(&cfg(d.path(), "pbxlink validate"), "3cx pbx:5001 900", Duration::ZERO, |_| {})
            .await
            .expect("free")
            .expect("a lock");
        let mut seen = Vec::new();
        let second = acquire(&cfg(d.path(), "pbxlink"), "3cx pbx:5001 900", Duration::from_millis(100), |h| {
            seen.push(h.to_string())
        })
        .await;
        let holder = second.expect_err("held");
        assert!(holder.starts_with("pbxlink validate (pid "), "{holder}");
        assert_eq!(seen, vec![holder]);
        // Another Client ID of the same PBX is not held up.
        let other = acquire(&cfg(d.path(), "x"), "3cx pbx:5001 901", Duration::ZERO, |_| {}).await;
        assert!(other.expect("free").is_some());
        drop(first);
        let again = acquire(&cfg(d.path(), "x"), "3cx pbx:5001 900", Duration::from_millis(100), |_| {}).await;
        assert!(again.expect("free once released").is_some());
    }

    /// `locks/` keeps only the files of locks held; a waiter on a file removed under it takes
    /// the one in its place, so two holders never hold one key.
    #[tokio::test]
    async fn lock_files_go_with_their_lock_and_a_waiter_takes_the_new_one() {
        let d = tempfile::tempdir().expect("tempdir");
        let c = cfg(d.path(), "x");
        for i in 0..20 {
            let l = acquire(&c, &format!("3cx pbx:5001 {i}"), Duration::ZERO, |_| {}).await.expect("free");
            drop(l);
        }
        assert_eq!(std::fs::read_dir(&c.dir).expect("dir").count(), 0, "no lock file left behind");
        let first = acquire(&c, "k", Duration::ZERO, |_| {}).await.expect("free").expect("lock");
        let waiter = tokio::spawn({
            let c = c.clone();
            async move { acquire(&c, "k", Duration::from_secs(2), |_| {}).await }
        });
        tokio::time::sleep(Duration::from_millis(60)).await;
        drop(first);
        let second = waiter.await.expect("task").expect("got it").expect("a lock");
        assert!(
            crate::files::is_at(second.file.as_ref().expect("file"), &path_for(&c.dir, "k")),
            "the lock of the file at the path"
        );
        let third = acquire(&c, "k", Duration::ZERO, |_| {}).await;
        assert!(third.is_err(), "held by the second");
    }

    #[tokio::test]
    async fn a_fifo_in_the_lock_files_place_never_hangs() {
        let d = tempfile::tempdir().expect("tempdir");
        let c = cfg(d.path(), "x");
        std::fs::create_dir_all(&c.dir).expect("dir");
        let p = path_for(&c.dir, "k");
        assert!(std::process::Command::new("mkfifo").arg(&p).status().is_ok_and(|s| s.success()));
        let got = tokio::time::timeout(Duration::from_secs(2), acquire(&c, "k", Duration::ZERO, |_| {})).await;
        assert!(got.expect("did not hang").expect("no error").is_none(), "goes on without a lock");
    }

    #[tokio::test]
    async fn no_lock_where_none_can_be_made() {
        let d = tempfile::tempdir().expect("tempdir");
        let file = d.path().join("a-file");
        std::fs::write(&file, "").expect("file");
        // The lock directory's place is taken by a file: validation goes on without a lock.
        let c = LockConfig { dir: file, who: "x".into() };
        assert!(acquire(&c, "k", Duration::ZERO, |_| {}).await.expect("no error").is_none());
    }

    #[test]
    fn lock_files_are_named_readably_and_apart() {
        let d = Path::new("/s");
        let a = path_for(d, "3cx pbx.example.com:5001 900");
        assert!(a.to_string_lossy().starts_with("/s/token-3cx_pbx.example.com_5001_900-"), "{}", a.display());
        assert_ne!(path_for(d, "3cx a:1 b"), path_for(d, "3cx a_1 b"), "keys that read alike differ by hash");
    }
}
