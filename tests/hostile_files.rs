//! Hostile `profiles.toml` files, through the real binary: invalid TOML, 50 MB, not UTF-8, a
//! symlink (also a dangling one), readable by others, in a read-only directory, a directory or a
//! FIFO where the file should be, a byte order mark with CRLF line endings. Each gets a clear
//! message naming the file and what to do, and none is damaged: the bytes are compared before and
//! after, and no backup or temp file appears where nothing was saved.

use std::hash::{Hash, Hasher};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "hostile-files-key-8e7f6a5b";
const GOOD: &str = "# by hand\n[profiles.a]\nprovider = \"3cx\"\ndomain = \"a.example.com\"\nclient_id = \"1\"\napi_key = \"a-key-value\"\n";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env { dir: tempfile::tempdir().expect("tempdir") }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `text` at `rel` (0600, directories created).
    fn file(&self, rel: &str, text: &[u8]) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("dir")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        p
    }

    fn command(&self, config: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pbxlink"));
        c.args(args)
            .env("PBXLINK_CONFIG", config)
            .env("PBXLINK_STATE_DIR", self.path("state"))
            .env("PBXLINK_LOG", "off")
            .env("PBX_KEY", KEY)
            .stdin(Stdio::null());
        c
    }

    fn run(&self, config: &Path, args: &[&str]) -> Output {
        self.command(config, args).output().expect("run pbxlink")
    }
}

const ADD: [&str; 12] = [
    "add",
    "3cx",
    "--non-interactive",
    "--no-validate",
    "--name",
    "b",
    "--domain",
    "b.example.com",
    "--client-id",
    "2",
    "--api-key-env",
    "PBX_KEY",
];

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Size, mode and a hash of the content: enough to tell any change, even of a 50 MB file.
fn fingerprint(p: &Path) -> (u64, u32, u64) {
    let meta = std::fs::symlink_metadata(p).expect("metadata");
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if meta.is_file() {
        std::fs::read(p).expect("read").hash(&mut h);
    }
    (meta.len(), meta.permissions().mode() & 0o7777, h.finish())
}

/// The names in a directory, sorted.
fn ls(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).expect("ls").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// Runs every command that reads the file: each must refuse with exit 2 and a message containing
/// `says` (and the path); the file, and the directory's contents, must not change.
fn refused_by_every_command(e: &Env, config: &Path, says: &[&str]) {
    let before = fingerprint(config);
    let dir = config.parent().expect("dir");
    let names = ls(dir);
    let commands: [&[&str]; 6] =
        [&["list"], &["list", "--json"], &["show", "a"], &["remove", "a", "--yes"], &["validate", "--all"], &ADD];
    for args in commands {
        let started = Instant::now();
        let o = e.run(config, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(&config.display().to_string()), "{args:?} does not name the file: {err}");
        for s in says {
            assert!(err.contains(s), "{args:?}: {err:?} lacks {s:?}");
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{args:?} took {:?}", started.elapsed());
        assert_eq!(fingerprint(config), before, "{args:?} changed the file");
        assert_eq!(ls(dir), names, "{args:?} created or removed files beside it");
    }
    println!("{}: refused by 6 commands: {}", config.display(), stderr(&e.run(config, &["list"])).trim());
}

#[test]
fn invalid_toml_is_reported_with_line_and_column_and_never_written() {
    let e = Env::new();
    let config = e.file("cfg/profiles.toml", b"# by hand\n[profiles.a]\nprovider = \"3cx\"\ndomain = \n");
    let line_col = format!("{}:4:10:", config.display());
    refused_by_every_command(&e, &config, &[&line_col, "Fix the file by hand; pbxlink will not overwrite it"]);
}

#[test]
fn a_huge_file_is_refused_from_its_size_without_reading_it() {
    let e = Env::new();
    let config = e.file("cfg/profiles.toml", GOOD.as_bytes());
    // 50 MB: the real profiles, then zeros (sparse, so the test itself stays light).
    std::fs::OpenOptions::new().write(true).open(&config).expect("open").set_len(50 * 1024 * 1024).expect("grow");
    refused_by_every_command(&e, &config, &["is 52428800 bytes: too large for a profile file", "--config"]);
}

#[test]
fn a_file_that_is_not_utf8_is_refused() {
    let e = Env::new();
    let mut bytes = GOOD.as_bytes().to_vec();
    bytes.extend_from_slice(b"# caf\xe9\n");
    let config = e.file("cfg/profiles.toml", &bytes);
    refused_by_every_command(&e, &config, &["is not UTF-8 text (byte 110)", "save it as UTF-8"]);
}

#[test]
fn a_directory_where_the_file_should_be() {
    let e = Env::new();
    let config = e.path("cfg/profiles.toml");
    std::fs::create_dir_all(&config).expect("mkdir");
    refused_by_every_command(&e, &config, &["is a directory, not a profiles file", "point --config"]);
    assert_eq!(ls(&config), Vec::<String>::new(), "nothing was written inside it");
}

#[test]
fn a_fifo_where_the_file_should_be_never_blocks() {
    let e = Env::new();
    let config = e.path("cfg/profiles.toml");
    std::fs::create_dir_all(config.parent().expect("dir")).expect("mkdir");
    let made = Command::new("mkfifo").arg(&config).status();
    if !made.is_ok_and(|s| s.success()) {
        println!("SKIPPED: mkfifo is not available");
        return;
    }
    // Opening a FIFO for reading would wait for a writer forever: the file type is checked first.
    refused_by_every_command(&e, &config, &["is not a regular file", "point --config"]);
}

/// A FIFO where the lock file goes (`profiles.toml.lock`): opening it to write would wait for a
/// reader for ever. Every command that writes says what is in the way and ends at once; the
/// profiles file is left as it was.
#[test]
fn a_fifo_as_the_lock_file_never_blocks_a_write() {
    let e = Env::new();
    let config = e.file("cfg/profiles.toml", GOOD.as_bytes());
    let lock = e.path("cfg/profiles.toml.lock");
    assert!(Command::new("mkfifo").arg(&lock).status().is_ok_and(|s| s.success()));
    let before = fingerprint(&config);
    for args in
        [&ADD[..], &["remove", "a", "--yes"], &["set", "a", "client_id=9", "--no-validate"], &["rename", "a", "z"]]
    {
        let started = Instant::now();
        let o = e.run(&config, args);
        assert!(started.elapsed() < Duration::from_secs(5), "{args:?} took {:?}", started.elapsed());
        assert_ne!(o.status.code(), Some(0), "{args:?}");
        assert!(
            stderr(&o).contains("is not a regular file (a FIFO or a device?): remove it"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert_eq!(fingerprint(&config), before, "{args:?} changed the file");
    }
}

#[test]
fn a_symlink_is_written_through_and_stays_a_link() {
    let e = Env::new();
    let real = e.file("dotfiles/pbxlink.toml", GOOD.as_bytes());
    let config = e.path("cfg/profiles.toml");
    std::fs::create_dir_all(config.parent().expect("dir")).expect("mkdir");
    std::os::unix::fs::symlink("../dotfiles/pbxlink.toml", &config).expect("symlink");
    let o = e.run(&config, &ADD);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let link = std::fs::symlink_metadata(&config).expect("link");
    assert!(link.file_type().is_symlink(), "the link was replaced by a file");
    assert_eq!(std::fs::read_link(&config).expect("readlink"), Path::new("../dotfiles/pbxlink.toml"));
    let text = std::fs::read_to_string(&real).expect("target");
    assert!(text.starts_with(GOOD) && text.contains("[profiles.b]"), "{text}");
    assert_eq!(fingerprint(&real).1, 0o600);
    // The backup and the lock live beside the file that was changed.
    assert_eq!(std::fs::read_to_string(e.path("dotfiles/pbxlink.toml.bak")).expect("bak"), GOOD);
    assert_eq!(ls(&e.path("cfg")), vec!["profiles.toml"], "nothing else appears beside the link");
    let o = e.run(&config, &["remove", "b", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&real).expect("target"), GOOD);
    assert!(std::fs::symlink_metadata(&config).expect("link").file_type().is_symlink());

    // A dangling link: the file is created where it points, and the link stays.
    let dangling = e.path("cfg2/profiles.toml");
    std::fs::create_dir_all(dangling.parent().expect("dir")).expect("mkdir");
    std::os::unix::fs::symlink("../dotfiles/new.toml", &dangling).expect("symlink");
    let o = e.run(&dangling, &ADD);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&dangling).expect("link").file_type().is_symlink());
    assert!(std::fs::read_to_string(e.path("dotfiles/new.toml")).expect("created").contains("[profiles.b]"));
}

#[test]
fn a_file_readable_by_others_gets_a_warning_and_is_tightened_on_save() {
    let e = Env::new();
    let config = e.file("cfg/profiles.toml", GOOD.as_bytes());
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let before = fingerprint(&config);
    for args in [&["list"][..], &["show", "a"]] {
        let o = e.run(&config, args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let err = stderr(&o);
        let want = format!("warning: {} is readable by other users (mode 644)", config.display());
        assert!(err.contains(&want) && err.contains(&format!("run chmod 600 {}", config.display())), "{err}");
        assert_eq!(fingerprint(&config), before, "reading never changes the file, nor its mode");
    }
    let o = e.run(&config, &ADD);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(fingerprint(&config).1, 0o600, "tightened by the save");
    assert!(std::fs::read_to_string(&config).expect("read").starts_with(GOOD));
    assert_eq!(fingerprint(&config.with_file_name("profiles.toml.bak")).1, 0o600, "the backup too");
}

#[test]
fn crlf_and_a_byte_order_mark_are_kept() {
    let e = Env::new();
    let windows = format!("\u{feff}{}", GOOD.replace('\n', "\r\n"));
    let config = e.file("cfg/profiles.toml", windows.as_bytes());
    let o = e.run(&config, &ADD);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = std::fs::read_to_string(&config).expect("read");
    assert!(after.starts_with(&windows), "the existing bytes changed: {after:?}");
    assert!(!after.replace("\r\n", "").contains('\n'), "a bare LF was mixed in: {after:?}");
    let o = e.run(&config, &["show", "b"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("domain = \"b.example.com\""), "{}", stderr(&o));
    let o = e.run(&config, &["remove", "b", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&config).expect("read"), windows, "back to the original bytes");
}

/// Whether this process runs as root, which ignores directory permissions.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

#[test]
fn a_read_only_directory_gets_a_clear_message_and_nothing_is_lost() {
    let e = Env::new();
    let dir = e.path("ro");
    let config = e.file("ro/profiles.toml", GOOD.as_bytes());
    std::fs::create_dir_all(e.path("state")).expect("state");
    // Root ignores permissions: run pbxlink as nobody (setpriv), who owns the directory.
    let root = is_root();
    let as_nobody = |args: &[&str]| -> Output {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_pbxlink")])
            .args(args)
            .env("PBXLINK_CONFIG", &config)
            .env("PBXLINK_STATE_DIR", e.path("state"))
            .env("PBXLINK_LOG", "off")
            .env("PBX_KEY", KEY)
            .stdin(Stdio::null());
        c.output().expect("setpriv")
    };
    if root {
        if !Command::new("setpriv").arg("--version").output().is_ok_and(|o| o.status.success()) {
            println!("SKIPPED: running as root, and setpriv is not available to drop to nobody");
            return;
        }
        std::fs::set_permissions(e.dir.path(), std::fs::Permissions::from_mode(0o711)).expect("chmod");
        for p in [&dir, &config, &e.path("state")] {
            std::os::unix::fs::chown(p, Some(65534), Some(65534)).expect("chown");
        }
    }
    let run = |args: &[&str]| if root { as_nobody(args) } else { e.run(&config, args) };
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o500)).expect("chmod");
    let before = fingerprint(&config);
    let fix = format!("{} is not writable; make it writable (chmod u+w {})", dir.display(), dir.display());
    // First without a lock file (it cannot be created), then with one (the temp file cannot be).
    for (lock_exists, says) in [
        (false, format!("cannot open the lock file {}.lock; nothing was changed", config.display())),
        (true, format!("could not write {}; nothing was changed", config.display())),
    ] {
        if lock_exists {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
            let lock = e.file("ro/profiles.toml.lock", b"");
            if root {
                std::os::unix::fs::chown(&lock, Some(65534), Some(65534)).expect("chown");
            }
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o500)).expect("chmod");
        }
        for args in [&ADD[..], &["remove", "a", "--yes"]] {
            let o = run(args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
            assert!(err.contains(&says) && err.contains(&fix), "{args:?}: {err}");
            assert_eq!(fingerprint(&config), before, "{args:?} changed the file");
            println!("read-only directory, {}: {}", args[0], err.trim());
        }
        let o = run(&["list"]);
        assert_eq!(o.status.code(), Some(0), "reading still works: {}", stderr(&o));
    }
    let left: Vec<String> = ls(&dir).into_iter().filter(|n| n != "profiles.toml.lock").collect();
    assert_eq!(left, vec!["profiles.toml"], "nothing else was created");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod back");
}
