//! The whole app in one piece, for tests: the TUI's real driver loop (`tui::drive`) and effects
//! (`effects::Executor`: the profiles file, the last results, validations over real HTTPS against
//! the simulator) on ratatui's `TestBackend`, keys and pastes sent as the terminal sends them and
//! every frame kept; and plain mode's real session on the same simulator, answers in and the
//! transcript out. So a test can give both front ends the same situation and compare.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pbxlink::profile::results::Results;
use pbxlink::providers::ProviderId;
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount, ThreeCxSite};
use pbxlink::simulator::{Simulator, Site};
use pbxlink::tui::{Display, Ended, Executor};
use pbxlink::ui::Theme;
use pbxlink::validate::Options;
use pbxlink::wizard::{Msg, NewDefaults, Wizard};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// The key of the default PBX's account 900.
pub const SECRET: &str = "app-test-Key-4b1d9e77c2";

/// A `TestBackend` terminal that keeps the text of every frame drawn.
pub struct Recorder {
    term: Terminal<TestBackend>,
    frames: Arc<Mutex<Vec<String>>>,
}

impl Display for Recorder {
    fn size(&mut self) -> anyhow::Result<(u16, u16)> {
        Display::size(&mut self.term)
    }

    fn show(&mut self, wizard: &Wizard, theme: &Theme) -> anyhow::Result<()> {
        self.term.show(wizard, theme)?;
        let text = format!("{}", self.term.backend());
        self.frames.lock().expect("frames").push(text);
        Ok(())
    }

    fn clipboard(&mut self, _text: &secrecy::SecretString) -> anyhow::Result<()> {
        Ok(())
    }
}

/// A running app: the loop on its own task, the simulator, a scratch directory.
pub struct App {
    pub rt: tokio::runtime::Runtime,
    pub sim: Simulator,
    pub dir: tempfile::TempDir,
    keys: UnboundedSender<Msg>,
    pub signals: UnboundedSender<i32>,
    frames: Arc<Mutex<Vec<String>>>,
    ended: Option<tokio::task::JoinHandle<anyhow::Result<Ended>>>,
}

impl App {
    /// The home screen on an 80x24 terminal, with `profiles` as the profiles file (if any;
    /// `DOMAIN` and `CA` in it become the simulator's address and CA file), against a PBX with
    /// one working account, 900 with [`SECRET`].
    pub fn start(profiles: Option<&str>) -> App {
        let pbx = ThreeCxSite::new(vec![ThreeCxAccount::new("900", SECRET, Behaviour::Good)]);
        Self::start_with(vec![Arc::new(pbx)], profiles)
    }

    /// [`App::start`] against these simulator sites.
    pub fn start_with(sites: Vec<Arc<dyn Site>>, profiles: Option<&str>) -> App {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let sim = rt.block_on(Simulator::start(sites)).expect("simulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, &sim.ca_pem).expect("ca");
        let config = dir.path().join("cfg/profiles.toml");
        if let Some(text) = profiles {
            write_profiles(&config, &fill(text, &sim, &ca));
        }
        let opts = options();
        let store = pbxlink::providers::store(&config);
        let results = Results::of(&dir.path().join("state"), &config);
        let (keys, inbox) = unbounded_channel();
        let (signals, signal_rx) = unbounded_channel();
        let frames = Arc::new(Mutex::new(Vec::new()));
        let mut wizard = Wizard::new(config.display().to_string());
        wizard.new_profile.ca_file = Some(ca);
        let mut screen =
            Recorder { term: Terminal::new(TestBackend::new(80, 24)).expect("term"), frames: frames.clone() };
        let mut exec = {
            let _in_runtime = rt.enter();
            Executor::new(store, results, opts, keys.clone())
        };
        let ended = rt.spawn(async move {
            pbxlink::tui::drive(wizard, &mut screen, &mut exec, inbox, signal_rx, &Theme::default()).await
        });
        App { rt, sim, dir, keys, signals, frames, ended: Some(ended) }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("cfg/profiles.toml")
    }

    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Plain mode's guide for `provider`, on the same simulator, in a profiles file of its own
    /// that starts as `profiles`; `answers` typed one per line. Returns the exit code, what
    /// plain mode said, and its profiles file.
    pub fn plain(&self, provider: ProviderId, profiles: Option<&str>, answers: &[&str]) -> (u8, String, PathBuf) {
        let dir = self.dir.path().join(format!("plain-{}", rand_name()));
        let config = dir.join("profiles.toml");
        if let Some(text) = profiles {
            write_profiles(&config, &fill(text, &self.sim, &self.ca()));
        }
        let session = pbxlink::plain::Session {
            config: config.clone(),
            state: dir.join("state"),
            opts: options(),
            new: NewDefaults { ca_file: Some(self.ca()), ..NewDefaults::default() },
            ascii: false,
            demo: None,
            sched: pbxlink::validate::Scheduler::new(1),
        };
        let input: String = answers.iter().map(|a| format!("{a}\n")).collect();
        let out = Transcript::default();
        let prompter = pbxlink::plain::prompt::Prompter::new(
            Box::new(std::io::Cursor::new(input.into_bytes())),
            Box::new(out.clone()),
            false,
            false,
        );
        let start = pbxlink::plain::Start::Guide(provider, Vec::new());
        let code = pbxlink::plain::run_with(&self.rt, session, start, prompter).expect("plain session");
        let text = String::from_utf8_lossy(&out.0.lock().expect("transcript")).into_owned();
        (code, text, config)
    }

    pub fn key(&self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    pub fn ctrl(&self, c: char) {
        self.send(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    }

    pub fn text(&self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn paste(&self, s: &str) {
        self.send(Msg::Paste(s.to_string()));
    }

    pub fn send(&self, m: Msg) {
        self.keys.send(m).expect("the app is running");
    }

    /// The first frame drawn from now on (or already the last one) that shows `needle`.
    pub fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(f) = self.frames.lock().expect("frames").last().filter(|f| f.contains(needle)) {
                return f.clone();
            }
            assert!(Instant::now() < deadline, "timed out waiting for {needle:?}; last frame:\n{}", self.last());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn last(&self) -> String {
        self.frames.lock().expect("frames").last().cloned().unwrap_or_default()
    }

    /// Waits for the loop to end.
    pub fn ended(&mut self) -> Ended {
        let handle = self.ended.take().expect("not ended yet");
        let r = self.rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), handle).await });
        r.expect("the loop ends").expect("the loop's task").expect("the loop")
    }

    /// A frame with the simulator's port (which changes every run) written as `PPPPP`.
    pub fn stable(&self, frame: &str) -> String {
        let port = self.sim.addr.port().to_string();
        frame.replace(&format!("localhost:{port}"), &format!("localhost:{}", "P".repeat(port.len())))
    }

    /// From the home screen through the 3CX guide, up to the check it runs: `domain` pasted as the
    /// domain (it must lead to the simulator), 900 as the Client ID, `key` pasted as the API key.
    pub fn through_3cx_guide(&self, domain: &str, key: &str) {
        self.key(KeyCode::Char('a'));
        self.wait_for("Link a new account");
        self.key(KeyCode::Enter);
        self.wait_for("Before you start");
        for k in [KeyCode::Char(' '), KeyCode::Down, KeyCode::Char(' '), KeyCode::Enter] {
            self.key(k);
        }
        self.wait_for("Find your 3CX domain");
        self.paste(domain);
        self.wait_for(&format!("will connect to https://{}", self.sim.domain()));
        self.key(KeyCode::Enter);
        self.wait_for("Create the API integration");
        self.key(KeyCode::Enter);
        self.wait_for("shown only once");
        self.key(KeyCode::Enter);
        self.wait_for("Tick the box with Space");
        self.key(KeyCode::Char(' '));
        self.key(KeyCode::Enter);
        self.wait_for("Enter the Client ID and API key");
        self.text("900");
        self.key(KeyCode::Tab);
        self.paste(key);
        self.wait_for(&format!("({} characters, hidden)", key.chars().count()));
        self.key(KeyCode::Enter);
    }

    /// Presses Enter until a frame shows `needle` (through a guide's steps), at most for 10 s.
    pub fn enter_until(&self, needle: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !self.last().contains(needle) {
            assert!(std::time::Instant::now() < deadline, "never reached {needle:?}:\n{}", self.last());
            self.key(KeyCode::Enter);
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// No frame so far shows the secret.
    pub fn assert_secret_never_shown(&self) {
        for (i, f) in self.frames.lock().expect("frames").iter().enumerate() {
            assert!(!f.contains(SECRET), "frame {i} shows the key:\n{f}");
        }
    }
}

/// What plain mode writes, kept for the test to read.
#[derive(Clone, Default)]
struct Transcript(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Transcript {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn options() -> Options {
    Options { connect_timeout: Duration::from_secs(3), request_timeout: Duration::from_secs(3), ..Options::default() }
}

fn fill(text: &str, sim: &Simulator, ca: &Path) -> String {
    text.replace("DOMAIN", &sim.domain()).replace("CA", &ca.to_string_lossy())
}

/// Writes a profiles file, 0600 (as pbxlink writes it).
fn write_profiles(config: &Path, text: &str) {
    std::fs::create_dir_all(config.parent().expect("dir")).expect("mkdir");
    std::fs::write(config, text).expect("profiles");
    std::fs::set_permissions(config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}

fn rand_name() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::SeqCst).to_string()
}
