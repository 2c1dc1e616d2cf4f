//! Crashes and races while saving `profiles.toml`, with the real binary: `pbxlink add` killed
//! (SIGKILL, no clean-up at all) at random moments, hundreds of times, must leave the old file or
//! the new one, never a torn one, always 0600, with a `.bak` of a previous version and no
//! temp files piling up; two `pbxlink add` started together must both land; and a writer that
//! finds the lock held says so clearly and changes nothing.

use pbxlink::profile::Profile;
use pbxlink::profile::store::SaveMode;
use pbxlink::providers::threecx::ThreeCx;
use rand::Rng;
use secrecy::SecretString;
use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "crash-test-key-5d4c3b2a19";
const HAND_WRITTEN: &str = "# my PBXs, by hand\n\n[profiles.keep] # never touched\nprovider = \"3cx\"\ndomain = \"keep.example.com\"\nclient_id = \"1\"\napi_key = \"keep-key\"\n";

struct Files {
    _dir: tempfile::TempDir,
    config: PathBuf,
    state: PathBuf,
}

fn files() -> Files {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("cfg/profiles.toml");
    std::fs::create_dir_all(config.parent().expect("dir")).expect("mkdir");
    std::fs::write(&config, HAND_WRITTEN).expect("write");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let state = dir.path().join("state");
    Files { _dir: dir, config, state }
}

/// Starts `pbxlink add 3cx --non-interactive --no-validate --force` for `name` at `domain`; the
/// key comes from the environment, never from the arguments.
fn add(f: &Files, name: &str, domain: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pbxlink"))
        .args(["add", "3cx", "--non-interactive", "--no-validate", "--force", "--name", name, "--domain", domain])
        .args(["--client-id", "900", "--api-key-env", "PBX_KEY"])
        .env("PBX_KEY", KEY)
        .env("PBXLINK_CONFIG", &f.config)
        .env("PBXLINK_STATE_DIR", &f.state)
        .env("PBXLINK_LOG", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pbxlink")
}

fn profile(name: &str, domain: &str) -> Profile {
    ThreeCx { domain: domain.into(), client_id: "900".into(), api_key: SecretString::from(KEY) }.profile(name, None)
}

/// The bytes `add` writes when it completes: the same store, run in-process on a scratch copy.
fn expected_after(current: &[u8], name: &str, domain: &str) -> Vec<u8> {
    let d = tempfile::tempdir().expect("tempdir");
    let p = d.path().join("profiles.toml");
    std::fs::write(&p, current).expect("copy");
    let s = pbxlink::providers::store(&p);
    let exists = s.load().expect("load").get(name).is_some();
    let mode = if exists { SaveMode::Replace { old: name.into() } } else { SaveMode::Create };
    s.save(&profile(name, domain), &mode).expect("save");
    std::fs::read(&p).expect("read")
}

/// The temp files a killed writer left beside the profiles file.
fn leftovers(config: &Path) -> Vec<String> {
    let dir = config.parent().expect("dir");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    v.sort();
    v
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn sigkill_at_random_moments_never_tears_the_file() {
    let rounds = 300;
    let f = files();
    let bak = f.config.with_file_name("profiles.toml.bak");
    // Every version the file has had: the .bak must always be one of them.
    let mut versions: HashSet<Vec<u8>> = [HAND_WRITTEN.as_bytes().to_vec()].into_iter().collect();
    // How long a save takes here, so that the kills spread over the whole run, save included.
    let mut runs: Vec<Duration> = (0..5)
        .map(|i| {
            let started = Instant::now();
            let out = add(&f, "warmup", &format!("warm{i}.example.com")).wait_with_output().expect("wait");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            versions.insert(std::fs::read(&f.config).expect("read"));
            started.elapsed()
        })
        .collect();
    runs.sort();
    let window = runs[2].as_micros() as u64 * 3 / 2;
    let started = Instant::now();
    let mut old = std::fs::read(&f.config).expect("read");
    let (mut untouched, mut completed, mut mid_write, mut most_left) = (0, 0, 0, 0);
    let mut before: Vec<String> = Vec::new();
    let mut rng = rand::rng();
    for round in 0..rounds {
        let name = ["a", "b", "c", "warmup"][round % 4];
        let domain = format!("pbx{round}.example.com");
        let new = expected_after(&old, name, &domain);
        let mut child = add(&f, name, &domain);
        std::thread::sleep(Duration::from_micros(rng.random_range(0..=window)));
        let _ = child.kill();
        let _ = child.wait();

        let now = std::fs::read(&f.config).expect("the file is still there");
        let at = |what: &str| format!("round {round} ({name} -> {domain}): {what}");
        if now == old {
            untouched += 1;
        } else if now == new {
            completed += 1;
        } else {
            panic!("{}\n{}", at("neither the old nor the new version"), String::from_utf8_lossy(&now));
        }
        let loaded =
            pbxlink::providers::store(&f.config).load().unwrap_or_else(|e| panic!("{}: {e:#}", at("does not load")));
        assert!(loaded.get("keep").is_some(), "{}", at("the hand-written profile is gone"));
        assert_eq!(mode(&f.config), 0o600, "{}", at("mode"));
        versions.insert(now.clone());
        // A replace has happened before this round (warm-up runs included): the backup exists.
        let b = std::fs::read(&bak).unwrap_or_else(|e| panic!("{}: {e}", at("no .bak")));
        assert!(versions.contains(&b), "{}", at(".bak is not a version the file ever had"));
        assert_eq!(mode(&bak), 0o600, "{}", at(".bak mode"));
        let left = leftovers(&f.config);
        if left.iter().any(|n| !before.contains(n)) {
            mid_write += 1;
        }
        most_left = most_left.max(left.len());
        // Each save removes what the previous killed one left: never more than one save's worth.
        assert!(left.len() <= 2, "{}: {left:?}", at("temp files pile up"));
        assert!(left.iter().all(|n| n.starts_with(".profiles.toml.")), "{left:?}");
        old = now;
        before = left;
    }
    let took = started.elapsed();
    // One more save, not killed: it leaves no temp file behind, and the profile is there.
    let out = add(&f, "final", "final.example.com").wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(leftovers(&f.config), Vec::<String>::new(), "temp files were not cleaned up by the next save");
    assert!(pbxlink::providers::store(&f.config).load().expect("load").get("final").is_some());
    println!(
        "crash loop: {rounds} rounds in {took:.1?} (kill after 0-{window} us): {untouched} old version, \
         {completed} new version, {mid_write} killed mid-write (temp files left: at most {most_left} at once), 0 torn"
    );
    assert!(untouched > 0 && completed > 0, "the kills should land both before and after the rename");
}

#[test]
fn two_writers_at_once_lose_nothing() {
    let rounds = 100;
    let f = files();
    let started = Instant::now();
    for round in 0..rounds {
        let (a, b) = (format!("a{round}"), format!("b{round}"));
        let first = add(&f, &a, &format!("{a}.example.com"));
        let second = add(&f, &b, &format!("{b}.example.com"));
        for child in [first, second] {
            let out = child.wait_with_output().expect("wait");
            assert!(out.status.success(), "round {round}: {}", String::from_utf8_lossy(&out.stderr));
        }
        let loaded = pbxlink::providers::store(&f.config).load().expect("load");
        for r in 0..=round {
            for n in [format!("a{r}"), format!("b{r}")] {
                assert!(loaded.get(&n).is_some(), "round {round}: profile {n} was lost");
            }
        }
    }
    let text = std::fs::read_to_string(&f.config).expect("read");
    assert!(text.starts_with(HAND_WRITTEN), "the hand-written part changed");
    assert_eq!(leftovers(&f.config), Vec::<String>::new());
    println!(
        "concurrent writers: {rounds} rounds of 2 processes in {:.1?}, {} profiles saved, none lost",
        started.elapsed(),
        2 * rounds
    );
}

#[test]
fn a_held_lock_is_reported_and_nothing_changes() {
    let f = files();
    let lock_path = f.config.with_file_name("profiles.toml.lock");
    let lock =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path).expect("lock file");
    lock.lock().expect("flock");
    for args in [vec!["add", "lab"], vec!["remove", "keep"]] {
        let started = Instant::now();
        let out = if args[0] == "add" {
            add(&f, args[1], "lab.example.com").wait_with_output().expect("wait")
        } else {
            Command::new(env!("CARGO_BIN_EXE_pbxlink"))
                .args(["remove", args[1], "--yes"])
                .env("PBXLINK_CONFIG", &f.config)
                .env("PBXLINK_STATE_DIR", &f.state)
                .stdin(Stdio::null())
                .output()
                .expect("run")
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("another pbxlink is writing {}", f.config.display()))
                && stderr.contains("try again when it is done"),
            "{args:?}: {stderr}"
        );
        assert!(started.elapsed() < Duration::from_secs(10), "it waits a few seconds, then gives up");
        assert_eq!(std::fs::read_to_string(&f.config).expect("read"), HAND_WRITTEN, "{args:?} changed the file");
        println!("held lock, {:?}: exit 1 after {:.1?}: {}", args[0], started.elapsed(), stderr.trim());
    }
    drop(lock);
    let out = add(&f, "lab", "lab.example.com").wait_with_output().expect("wait");
    assert!(out.status.success(), "once the lock is free: {}", String::from_utf8_lossy(&out.stderr));
}
