//! A simulator and a scratch directory for running the real binary: the simulator's CA written out
//! (this machine's SSL_CERT_FILE points at the system bundle, so tests pass it explicitly), the
//! profiles file, state directory and log inside the scratch directory, and every output kept, by
//! what wrote it, for the leak checks.

use pbxlink::providers::cxengine::simulated::{CxEngineAccount, CxEngineSite};
use pbxlink::providers::eightbyeight::simulated::{EightByEightAccount, EightByEightSite};
use pbxlink::providers::threecx::simulated::{ThreeCxAccount, ThreeCxSite};
use pbxlink::simulator::{Simulator, Site};
use std::cell::RefCell;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;

pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub sim: Simulator,
    _rt: tokio::runtime::Runtime,
    /// The simulator's throw-away CA, as a file.
    pub ca: PathBuf,
    /// (what wrote it, the text) of every output kept.
    pub outputs: RefCell<Vec<(String, String)>>,
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Sandbox {
    /// A simulator with these accounts, on its own runtime.
    pub fn start(
        threecx: Vec<ThreeCxAccount>,
        eightbyeight: Vec<EightByEightAccount>,
        cxengine: Vec<CxEngineAccount>,
    ) -> Sandbox {
        Self::start_with_certificates(threecx, eightbyeight, cxengine, &[pbxlink::simulator::CERT_DAYS])
    }

    /// A simulator serving these sites (a purpose-built hostile server's, say), on its own runtime.
    pub fn start_sites(sites: Vec<Arc<dyn Site>>) -> Sandbox {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let sim = rt.block_on(Simulator::start(sites)).expect("simulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, &sim.ca_pem).expect("ca");
        Sandbox { dir, sim, _rt: rt, ca, outputs: RefCell::new(Vec::new()) }
    }

    /// [`start`](Self::start), listening once per entry of `days_left` with a certificate that
    /// has that many days left (`sim.domain_at(i)`).
    pub fn start_with_certificates(
        threecx: Vec<ThreeCxAccount>,
        eightbyeight: Vec<EightByEightAccount>,
        cxengine: Vec<CxEngineAccount>,
        days_left: &[i64],
    ) -> Sandbox {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let sites: Vec<Arc<dyn Site>> = vec![
            Arc::new(ThreeCxSite::new(threecx)),
            Arc::new(EightByEightSite::new(eightbyeight)),
            Arc::new(CxEngineSite::new(cxengine)),
        ];
        let sim = rt.block_on(Simulator::start_with_certificates(sites, days_left)).expect("simulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, &sim.ca_pem).expect("ca");
        Sandbox { dir, sim, _rt: rt, ca, outputs: RefCell::new(Vec::new()) }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("cfg/profiles.toml")
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn log(&self) -> PathBuf {
        self.dir.path().join("logs/pbxlink.log")
    }

    /// Writes the profiles file, 0600.
    pub fn write_config(&self, text: &str) {
        let p = self.config();
        std::fs::create_dir_all(p.parent().expect("dir")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }

    /// A 3CX profile's table; with `with_ca`, it trusts the simulator's CA itself.
    pub fn profile_3cx(&self, name: &str, domain: &str, client: &str, key: &str, with_ca: bool) -> String {
        let ca = if with_ca { format!("ca_file = \"{}\"\n", self.ca.display()) } else { String::new() };
        format!(
            "[profiles.{name}]\nprovider = \"3cx\"\ndomain = \"{domain}\"\nclient_id = \"{client}\"\napi_key = \"{key}\"\n{ca}\n"
        )
    }

    /// The binary with `args`, the sandbox's profiles file (`PBXLINK_CONFIG`), state directory and
    /// debug logging; nothing of the caller's environment that changes its behaviour.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pbxlink"));
        cmd.args(args)
            .env("PBXLINK_CONFIG", self.config())
            .env("PBXLINK_STATE_DIR", self.state())
            .env("PBXLINK_LOG", "debug")
            .env_remove("RUST_BACKTRACE")
            .env_remove("ACCESSIBLE")
            // Never the keyring of whoever runs the tests: a bus where nothing listens (removing the
            // variable is not enough: D-Bus then finds the login session's bus under
            // /run/user/<uid>), and a runtime dir of the sandbox's own. A keyring test points
            // both at its private keyring.
            .env("DBUS_SESSION_BUS_ADDRESS", super::secret_service::SecretService::nowhere(self.dir.path()))
            .env("XDG_RUNTIME_DIR", self.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs `cmd` with `stdin` piped in (or none), calling `running` with its pid while it runs;
    /// keeps its stderr, and its stdout unless `stdout_may_hold_a_secret`, under `what`.
    pub fn output(
        &self,
        mut cmd: Command,
        stdin: Option<&[u8]>,
        what: &str,
        stdout_may_hold_a_secret: bool,
        running: impl FnOnce(u32),
    ) -> Out {
        cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = cmd.spawn().expect("spawn");
        running(child.id());
        if let Some(s) = stdin {
            // The command may exit before reading (a usage error): a broken pipe is fine then.
            let _ = child.stdin.take().expect("stdin").write_all(s);
        }
        let out = child.wait_with_output().expect("wait");
        let o = Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into(),
            stderr: String::from_utf8_lossy(&out.stderr).into(),
        };
        let mut kept = self.outputs.borrow_mut();
        if !stdout_may_hold_a_secret {
            kept.push((format!("stdout of {what}"), o.stdout.clone()));
        }
        kept.push((format!("stderr of {what}"), o.stderr.clone()));
        o
    }

    /// `args` with `env` set and `stdin` piped in; both outputs kept.
    pub fn run(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Out {
        let mut cmd = self.command(args);
        cmd.envs(env.iter().copied());
        self.output(cmd, stdin.map(str::as_bytes), &format!("{args:?}"), false, |_| {})
    }

    /// Every output kept and every file in the state directory, as (what, text).
    pub fn texts(&self) -> Vec<(String, String)> {
        let mut texts = self.outputs.borrow().clone();
        for e in std::fs::read_dir(self.state()).into_iter().flatten().flatten() {
            let text = String::from_utf8_lossy(&std::fs::read(e.path()).unwrap_or_default()).into_owned();
            texts.push((e.path().display().to_string(), text));
        }
        texts
    }

    /// None of `secrets` in any output kept or any state file.
    pub fn assert_none_of(&self, secrets: &[&str]) {
        for (what, text) in self.texts() {
            for s in secrets {
                assert!(!text.contains(s), "a secret leaked into {what}:\n{text}");
            }
        }
    }
}

/// A sandbox that, when a test ends without panicking, checks that none of `secrets` is in any
/// output kept or any state file.
pub struct Guarded {
    pub sandbox: Sandbox,
    pub secrets: Vec<&'static str>,
}

impl std::ops::Deref for Guarded {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.sandbox.assert_none_of(&self.secrets);
        }
    }
}
