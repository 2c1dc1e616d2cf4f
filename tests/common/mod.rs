//! A small tmux harness: runs the real binary in a real terminal (a tmux pane), types keys,
//! pastes with bracketed paste, reads the screen, and after exit reads the exit code and the
//! terminal modes (`stty -a`) the program left behind.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub mod app;
pub mod sandbox;
pub mod secret_service;

pub struct Pane {
    socket: String,
    pub dir: PathBuf,
    /// Every screen read so far, for leak checks.
    pub seen: std::cell::RefCell<Vec<String>>,
}

impl Pane {
    /// Starts `args` of the pbxlink binary in a `w`x`h` pane, with `env` set. After the program
    /// ends, the pane prints `__EXIT=<code>` and saves `stty -a` to `<dir>/stty.txt`.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)], w: u16, h: u16) -> Pane {
        let socket = format!("pbxlink-test-{}-{}", std::process::id(), rand_suffix());
        let bin = env!("CARGO_BIN_EXE_pbxlink");
        let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
        // A UTF-8 locale unless the test sets one: the tests read the Unicode glyphs.
        let mut all: Vec<(&str, &str)> = vec![("LC_ALL", "C.UTF-8"), ("LANG", "C.UTF-8")];
        all.retain(|(k, _)| !env.iter().any(|(e, _)| e == k));
        all.extend_from_slice(env);
        let envs: Vec<String> = all.iter().map(|(k, v)| format!("{k}={}", shell_quote(v))).collect();
        let script = format!(
            "{} {} {}; echo __EXIT=$?; stty -a > {}; sleep 60",
            envs.join(" "),
            shell_quote(bin),
            quoted.join(" "),
            shell_quote(&dir.join("stty.txt").to_string_lossy())
        );
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
                "sh",
                "-c",
                &script,
            ])
            .env_remove("TMUX")
            .status()
            .expect("tmux must be installed (scripts/setup installs it)");
        assert!(status.success(), "tmux failed to start");
        let pane = Pane { socket, dir: dir.to_path_buf(), seen: Default::default() };
        pane.tmux(&["set-option", "-g", "escape-time", "0"]);
        pane
    }

    /// An interactive shell with job control (`bash -i`: Ctrl-Z, `fg`) in a `w`x`h` pane, its
    /// prompt `$ `, with `env` exported; [`Pane::run`] types a pbxlink command line into it.
    pub fn shell(dir: &Path, env: &[(&str, &str)], w: u16, h: u16) -> Pane {
        let socket = format!("pbxlink-test-{}-{}", std::process::id(), rand_suffix());
        let mut all: Vec<(&str, &str)> = vec![("LC_ALL", "C.UTF-8"), ("LANG", "C.UTF-8"), ("PS1", "$ ")];
        all.retain(|(k, _)| !env.iter().any(|(e, _)| e == k));
        all.extend_from_slice(env);
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-x", &w.to_string(), "-y", &h.to_string()]);
        cmd.args(["env"]).args(all.iter().map(|(k, v)| format!("{k}={v}"))).args([
            "bash",
            "--norc",
            "--noprofile",
            "-i",
        ]);
        let status = cmd.env_remove("TMUX").status().expect("tmux must be installed (scripts/setup installs it)");
        assert!(status.success(), "tmux failed to start");
        let pane = Pane { socket, dir: dir.to_path_buf(), seen: Default::default() };
        pane.tmux(&["set-option", "-g", "escape-time", "0"]);
        // capture-pane trims the prompt's trailing space.
        pane.wait_for("$");
        pane
    }

    /// Types `pbxlink ARGS` (the binary under test) and Enter into a [`Pane::shell`].
    pub fn run(&self, args: &[&str]) {
        let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
        self.text(&format!("{} {}", shell_quote(env!("CARGO_BIN_EXE_pbxlink")), quoted.join(" ")));
        self.keys(&["Enter"]);
    }

    /// The shell's own `stty -a` now (in a [`Pane::shell`], the program stopped or ended).
    pub fn shell_stty(&self) -> String {
        let out = self.dir.join(format!("stty-{}.txt", rand_suffix()));
        self.text(&format!("stty -a > {}", shell_quote(&out.to_string_lossy())));
        self.keys(&["Enter"]);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(s) = std::fs::read_to_string(&out)
                && !s.is_empty()
            {
                return s;
            }
            std::thread::sleep(Duration::from_millis(40));
        }
        panic!("no stty output; screen:\n{}", self.screen());
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends tmux key names ("Enter", "Space", "C-c", or literal text with `-l`).
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", k]);
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn text(&self, s: &str) {
        self.tmux(&["send-keys", "-l", s]);
        std::thread::sleep(Duration::from_millis(30));
    }

    /// Pastes `s` as the terminal would: wrapped in bracketed-paste markers when the program
    /// asked for them.
    pub fn paste(&self, s: &str) {
        self.tmux(&["set-buffer", "--", s]);
        self.tmux(&["paste-buffer", "-p"]);
        std::thread::sleep(Duration::from_millis(30));
    }

    pub fn screen(&self) -> String {
        let s = self.tmux(&["capture-pane", "-p"]);
        self.seen.borrow_mut().push(s.clone());
        s
    }

    /// Waits until the screen contains `needle`; panics with the screen after 20 s (generous: a loaded machine is slow, and this bounds a hang, it times nothing).
    pub fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {needle:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// The program's exit code, once it has ended.
    pub fn exit_code(&self) -> i32 {
        let s = self.wait_for("__EXIT=");
        let code = s.split("__EXIT=").nth(1).and_then(|r| r.split_whitespace().next()).and_then(|c| c.parse().ok());
        code.unwrap_or_else(|| panic!("no exit code in:\n{s}"))
    }

    /// `#{alternate_on} #{cursor_flag}` of the pane.
    pub fn modes(&self) -> (bool, bool) {
        let s = self.tmux(&["display-message", "-p", "#{alternate_on} #{cursor_flag}"]);
        let mut it = s.split_whitespace();
        (it.next() == Some("1"), it.next() == Some("1"))
    }

    /// The `stty -a` the shell saw after the program ended.
    pub fn stty_after(&self) -> String {
        let path = self.dir.join("stty.txt");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(s) = std::fs::read_to_string(&path)
                && !s.is_empty()
            {
                return s;
            }
            std::thread::sleep(Duration::from_millis(40));
        }
        panic!("no stty output");
    }

    /// Checks the terminal was fully restored: main screen, cursor shown, cooked mode with echo.
    pub fn assert_restored(&self) {
        let (alt, cursor) = self.modes();
        assert!(!alt, "still on the alternate screen");
        assert!(cursor, "cursor left hidden");
        let stty = self.stty_after();
        let words: Vec<&str> = stty.split_whitespace().collect();
        for flag in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(words.contains(&flag), "terminal left without {flag}: {stty}");
        }
    }

    /// The pid of the pbxlink process running in the pane.
    pub fn pid(&self) -> u32 {
        let shell: u32 = self.tmux(&["display-message", "-p", "#{pane_pid}"]).trim().parse().expect("pane pid");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            for e in std::fs::read_dir("/proc").expect("proc").flatten() {
                let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                    continue;
                };
                let after = stat.rsplit(')').next().unwrap_or("");
                let ppid: Option<u32> = after.split_whitespace().nth(1).and_then(|p| p.parse().ok());
                if ppid == Some(shell) && stat.contains("(pbxlink)") {
                    return e.file_name().to_string_lossy().parse().expect("pid");
                }
            }
            std::thread::sleep(Duration::from_millis(40));
        }
        panic!("pbxlink process not found");
    }

    pub fn kill(&self, signal: &str) {
        let st = Command::new("kill").args([&format!("-{signal}"), &self.pid().to_string()]).status().expect("kill");
        assert!(st.success());
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).status();
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish() % 1_000_000
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
