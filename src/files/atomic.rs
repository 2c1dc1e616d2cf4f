//! Crash-safe file replacement: write a temp file beside the target (mode 0600 from creation),
//! fsync it, keep the previous version as `.bak`, rename over the target, fsync the directory.
//! At every instant the target is either the old or the new version, never a torn one.

use std::fs::{self, DirBuilder, File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Follows symlinks (every level) so a link stays a link and its target is what gets replaced, as
/// rclone and docker do; a path that does not exist yet is returned as is.
pub fn real_path(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => match fs::canonicalize(path) {
            Ok(p) => Ok(p),
            // A dangling link: write where it points.
            Err(_) => {
                let target = fs::read_link(path)?;
                Ok(if target.is_absolute() { target } else { path.parent().unwrap_or(Path::new(".")).join(target) })
            }
        },
        _ => Ok(path.to_path_buf()),
    }
}

/// An exclusive lock on `<file>.lock` beside `path`, held for a whole read-modify-write. It is an
/// flock, so it dies with the process: a crash never leaves a stale lock behind. Waits up to 3 s.
pub fn lock_beside(path: &Path) -> anyhow::Result<File> {
    use anyhow::Context;
    let real = real_path(path)?;
    if let Some(dir) = real.parent() {
        ensure_private_dir(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut name = real.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    let lock_path = real.with_file_name(name);
    let file = match crate::files::open_lock(&lock_path) {
        Ok(f) => f,
        Err(e) => {
            let fix = unwritable_fix(&e, lock_path.parent().unwrap_or(Path::new(".")));
            let msg = format!("cannot open the lock file {}; nothing was changed{fix}", lock_path.display());
            return Err(anyhow::Error::new(e).context(msg));
        }
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(fs::TryLockError::WouldBlock) => {
                anyhow::bail!(
                    "another pbxlink is writing {} ({} is locked); try again when it is done",
                    real.display(),
                    lock_path.display()
                )
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", lock_path.display()));
            }
        }
    }
}

/// What to do when `dir` refuses a write: an empty string for other errors.
pub fn unwritable_fix(e: &io::Error, dir: &Path) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => format!(
            ": {} is not writable; make it writable (chmod u+w {}) or point --config at a file elsewhere",
            dir.display(),
            dir.display()
        ),
        _ => String::new(),
    }
}

/// Creates `dir` (and parents) with mode 0700 when missing.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// The prefix of the temp files a write of `target` makes: `.profiles.toml.` for `profiles.toml`
/// (its backup's temp file, `.profiles.toml.bak.XXXXXX.tmp`, shares it).
fn temp_prefix(target: &Path) -> String {
    format!(".{}.", target.file_name().unwrap_or_default().to_string_lossy())
}

/// Removes the temp files a killed writer of `target` left behind (a SIGKILL or a power cut skips
/// every clean-up). Only called under the lock beside `target`, so no live writer of it has one
/// in flight; other files' temp files have another prefix and are never touched.
/// One look at `dir` for all of `targets` (their [`temp_prefix`]es).
fn remove_stale_temps(dir: &Path, targets: &[&Path]) {
    let prefixes: Vec<String> = targets.iter().map(|t| temp_prefix(t)).collect();
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let ours = name.ends_with(".tmp") && prefixes.iter().any(|p| name.starts_with(p.as_str()));
        if ours && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// `bytes` in a private temp file beside `real`, on disk, ready to be renamed over it.
fn synced_temp(real: &Path, dir: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(real))
        .suffix(".tmp")
        .permissions(Permissions::from_mode(0o600))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Replaces `path` with `bytes` atomically; with `backup`, the previous content is kept in
/// `<file>.bak` (0600) first. The caller holds [`lock_beside`] `path`.
pub fn write_atomic(path: &Path, bytes: &[u8], backup: bool) -> io::Result<()> {
    let real = real_path(path)?;
    let dir = real.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    ensure_private_dir(dir)?;
    remove_stale_temps(dir, &[real.as_path()]);
    let tmp = synced_temp(&real, dir, bytes)?;
    if backup && real.exists() {
        let mut name = real.file_name().unwrap_or_default().to_os_string();
        name.push(".bak");
        write_plain_copy(&real, &dir.join(name))?;
    }
    tmp.persist(&real).map_err(|e| e.error)?;
    // The rename is durable only once the directory entry is on disk.
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// Replaces several files of `dir` atomically, each as [`write_atomic`] does (no backup), with one
/// look for stale temp files and one directory sync for them all: `validate --all` records a
/// thousand histories at once, and a scan and a sync per file made that quadratic. Each file's
/// outcome, in order. The caller holds the lock that guards these files.
pub fn write_atomic_in(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Vec<io::Result<()>> {
    if files.is_empty() {
        return Vec::new();
    }
    if let Err(e) = ensure_private_dir(dir) {
        return files.iter().map(|_| Err(io::Error::new(e.kind(), e.to_string()))).collect();
    }
    remove_stale_temps(dir, &files.iter().map(|(p, _)| p.as_path()).collect::<Vec<_>>());
    let one = |path: &Path, bytes: &[u8]| -> io::Result<()> {
        let real = real_path(path)?;
        let tmp = synced_temp(&real, real.parent().unwrap_or(dir), bytes)?;
        tmp.persist(&real).map_err(|e| e.error)?;
        Ok(())
    };
    let mut done: Vec<io::Result<()>> = files.iter().map(|(p, b)| one(p, b)).collect();
    // The renames are durable once the directory entries are on disk: one sync for all of them.
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        for r in done.iter_mut().filter(|r| r.is_ok()) {
            *r = Err(io::Error::new(e.kind(), e.to_string()));
        }
    }
    done
}

/// Replaces `path` with `bytes` atomically, readable by everyone (0644), without touching the
/// directory's mode: for files other programs read that hold no secret (the metrics file that
/// node_exporter's textfile collector, running as its own user, picks up). The temp file ends in
/// `.tmp`, which that collector skips. No lock is taken and no stale temp file removed: two runs
/// at once each rename their own whole file, and the later one stays.
pub fn write_public_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let real = real_path(path)?;
    let dir = real.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(&temp_prefix(&real)).suffix(".tmp").tempfile_in(dir)?;
    // Set after creation: the mode given at creation is narrowed by the umask (077 on many hosts).
    tmp.as_file().set_permissions(Permissions::from_mode(0o644))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&real).map_err(|e| e.error)?;
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// Copies `from` to `to` through a temp file so a crash never leaves a half backup.
fn write_plain_copy(from: &Path, to: &Path) -> io::Result<()> {
    let data = fs::read(from)?;
    let dir = to.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(to))
        .suffix(".tmp")
        .permissions(Permissions::from_mode(0o600))
        .tempfile_in(dir)?;
    tmp.write_all(&data)?;
    tmp.as_file().sync_all()?;
    tmp.persist(to).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn replaces_keeps_backup_and_mode() {
        let d = tempfile::tempdir().expect("tempdir");
        let p = d.path().join("sub/profiles.toml");
        write_atomic(&p, b"one", true).expect("first write");
        assert_eq!(fs::metadata(p.parent().expect("dir")).expect("meta").mode() & 0o777, 0o700);
        write_atomic(&p, b"two", true).expect("second write");
        assert_eq!(fs::read(&p).expect("read"), b"two");
        assert_eq!(fs::read(d.path().join("sub/profiles.toml.bak")).expect("bak"), b"one");
        assert_eq!(fs::metadata(&p).expect("meta").mode() & 0o777, 0o600);
        let leftovers: Vec<_> = fs::read_dir(d.path().join("sub"))
            .expect("ls")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn several_files_of_one_directory_in_one_go() {
        let d = tempfile::tempdir().expect("tempdir");
        let dir = d.path().join("history");
        let (a, b) = (dir.join("a.json"), dir.join("b.json"));
        let files = vec![(a.clone(), b"[1]".to_vec()), (b.clone(), b"[2]".to_vec())];
        assert!(write_atomic_in(&dir, &files).iter().all(|r| r.is_ok()));
        // A killed writer's leftovers of these files go; another file's stays.
        fs::write(dir.join(".a.json.x1y2z3.tmp"), "torn").expect("leftover");
        fs::write(dir.join(".c.json.x1y2z3.tmp"), "other").expect("other");
        let files = vec![(a.clone(), b"[1,3]".to_vec()), (b.clone(), b"[2,4]".to_vec())];
        assert!(write_atomic_in(&dir, &files).iter().all(|r| r.is_ok()));
        assert_eq!(fs::read(&a).expect("a"), b"[1,3]");
        assert_eq!(fs::read(&b).expect("b"), b"[2,4]");
        assert_eq!(fs::metadata(&a).expect("meta").permissions().mode() & 0o777, 0o600);
        let mut left: Vec<String> =
            fs::read_dir(&dir).expect("ls").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, vec![".c.json.x1y2z3.tmp", "a.json", "b.json"]);
        assert!(write_atomic_in(&d.path().join("never"), &[]).is_empty());
        assert!(!d.path().join("never").exists(), "nothing to write makes no directory");
    }

    #[test]
    fn temp_files_of_a_killed_writer_are_removed_by_the_next_save() {
        let d = tempfile::tempdir().expect("tempdir");
        let p = d.path().join("profiles.toml");
        write_atomic(&p, b"one", true).expect("first write");
        // What a SIGKILL between creating and renaming leaves, for the file and for its backup.
        fs::write(d.path().join(".profiles.toml.a1b2c3.tmp"), "torn").expect("leftover");
        fs::write(d.path().join(".profiles.toml.bak.d4e5f6.tmp"), "torn").expect("leftover");
        // Another file's temp file, and a user's file, are not ours to remove.
        fs::write(d.path().join(".last-results.json.g7h8i9.tmp"), "other").expect("other");
        fs::write(d.path().join("profiles.toml.notes"), "mine").expect("mine");
        write_atomic(&p, b"two", true).expect("second write");
        let mut left: Vec<String> = fs::read_dir(d.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![".last-results.json.g7h8i9.tmp", "profiles.toml", "profiles.toml.bak", "profiles.toml.notes"]
        );
    }

    #[test]
    fn writes_through_a_symlink() {
        let d = tempfile::tempdir().expect("tempdir");
        let real = d.path().join("real.toml");
        fs::write(&real, "old").expect("write");
        let link = d.path().join("link.toml");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_atomic(&link, b"new", false).expect("write");
        assert!(fs::symlink_metadata(&link).expect("meta").file_type().is_symlink());
        assert_eq!(fs::read(&real).expect("read"), b"new");
    }
}
