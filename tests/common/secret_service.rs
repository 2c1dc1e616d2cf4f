//! A real Secret Service for `{ keyring = true }` tests: a private D-Bus session bus and
//! gnome-keyring's daemon on it with an unlocked login keyring, both started per test and ended
//! with it, so no test ever touches the keyring of the person running them. `secret-tool` (libsecret's
//! client, independent of the keyring crate pbxlink uses) reads and writes entries beside it.
//! `scripts/setup` installs all three.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SecretService {
    /// The bus address pbxlink and secret-tool are pointed at.
    pub address: String,
    home: tempfile::TempDir,
    bus: Child,
    daemon: Child,
}

impl SecretService {
    /// Starts the bus and the keyring daemon; panics naming `scripts/setup` when either is missing.
    pub fn start() -> SecretService {
        let home = tempfile::tempdir().expect("keyring home");
        let missing = |what: &str, e: std::io::Error| -> ! {
            panic!(
                "{what} could not start ({e}): run scripts/setup, which installs dbus-daemon, gnome-keyring and secret-tool"
            )
        };
        // A bus of its own with no service directories, so nothing it carries can be started on
        // demand (the system's gnome-keyring service file would start a daemon with the real
        // HOME), and a clean environment.
        let config = home.path().join("bus.conf");
        std::fs::write(&config, bus_config(home.path())).expect("bus config");
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| missing("dbus-daemon", e));
        let mut line = String::new();
        BufReader::new(bus.stdout.take().expect("bus stdout")).read_line(&mut line).expect("bus address");
        let address = line.trim().to_string();
        assert!(address.starts_with("unix:"), "dbus-daemon gave no address: {line:?}");
        let runtime = home.path().join("run");
        std::fs::create_dir(&runtime).expect("runtime dir");
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| missing("gnome-keyring-daemon", e));
        // The login keyring's password, then end of input: it is created unlocked.
        let mut stdin = daemon.stdin.take().expect("daemon stdin");
        stdin.write_all(b"test-login-password").expect("unlock");
        drop(stdin);
        let service = SecretService { address, home, bus, daemon };
        service.wait_until_ready();
        service
    }

    /// The daemon answers once it owns org.freedesktop.secrets; a lookup of nothing then exits 1.
    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let o = self.secret_tool(&["lookup", "service", "pbxlink-ready-probe"], None);
            if o.0 == Some(1) && o.2.is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "gnome-keyring did not come up on {}: {o:?}", self.address);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs secret-tool on this bus: (exit code, stdout, stderr).
    fn secret_tool(&self, args: &[&str], stdin: Option<&str>) -> (Option<i32>, String, String) {
        let mut child = Command::new("secret-tool")
            .args(args)
            .env_clear()
            .env("HOME", self.home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("secret-tool could not start ({e}): run scripts/setup"));
        let mut input = child.stdin.take().expect("stdin");
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).expect("secret-tool stdin");
        }
        drop(input);
        let out = child.wait_with_output().expect("secret-tool");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
    }

    /// The secret stored for service pbxlink and `account`, as another client reads it.
    pub fn lookup(&self, account: &str) -> Option<String> {
        match self.secret_tool(&["lookup", "service", "pbxlink", "username", account], None) {
            (Some(0), out, _) => Some(out),
            (Some(1), _, err) if err.is_empty() => None,
            other => panic!("secret-tool lookup {account}: {other:?}"),
        }
    }

    /// Stores `secret` for service pbxlink and `account`, as a user does with secret-tool.
    pub fn store(&self, account: &str, secret: &str) {
        let o = self.secret_tool(
            &["store", "--label", &format!("pbxlink {account}"), "service", "pbxlink", "username", account],
            Some(secret),
        );
        assert_eq!(o.0, Some(0), "secret-tool store {account}: {o:?}");
    }

    /// The environment that points pbxlink at this keyring and nothing else.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![("DBUS_SESSION_BUS_ADDRESS", self.address.clone()), ("XDG_RUNTIME_DIR", self.runtime_dir())]
    }

    fn runtime_dir(&self) -> String {
        self.home.path().join("run").display().to_string()
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// A bus address where nothing listens: no keyring reachable.
    pub fn nowhere(dir: &Path) -> String {
        let path: PathBuf = dir.join("no-bus-here");
        format!("unix:path={}", path.display())
    }
}

/// A session bus's configuration with no `<servicedir>`: only what is started here is on it.
fn bus_config(dir: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        dir.display()
    )
}

impl Drop for SecretService {
    fn drop(&mut self) {
        for child in [&mut self.daemon, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
