//! The whole app in one piece, on ratatui's `TestBackend`: the real driver loop (`tui::drive`), the
//! real effects (`tui::Executor`: the profiles file, the last results, validations over real HTTPS
//! against the simulator), key presses and pastes sent as the terminal would send them, and every
//! frame the loop draws kept, so tests wait for what the user would see and snapshot it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pbxlink::profile::results::Results;
use pbxlink::providers::threecx::simulated::{Behaviour, ThreeCxAccount, ThreeCxSite};
use pbxlink::simulator::Simulator;
use pbxlink::tui::{Display, Ended, Executor};
use pbxlink::ui::Theme;
use pbxlink::validate::Options;
use pbxlink::wizard::{Msg, Wizard};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

const SECRET: &str = "app-test-Key-4b1d9e77c2";

/// A `TestBackend` terminal that keeps the text of every frame drawn.
struct Recorder {
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
struct App {
    rt: tokio::runtime::Runtime,
    sim: Simulator,
    dir: tempfile::TempDir,
    keys: UnboundedSender<Msg>,
    signals: UnboundedSender<i32>,
    frames: Arc<Mutex<Vec<String>>>,
    ended: Option<tokio::task::JoinHandle<anyhow::Result<Ended>>>,
}

impl App {
    /// The home screen on an 80x24 terminal, with `profiles` as the profiles file (if any).
    fn start(profiles: Option<&str>) -> App {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let pbx = ThreeCxSite::new(vec![ThreeCxAccount::new("900", SECRET, Behaviour::Good)]);
        let sim = rt.block_on(Simulator::start(vec![Arc::new(pbx)])).expect("simulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, &sim.ca_pem).expect("ca");
        let config = dir.path().join("cfg/profiles.toml");
        if let Some(text) = profiles {
            std::fs::create_dir_all(config.parent().expect("dir")).expect("mkdir");
            std::fs::write(&config, text.replace("DOMAIN", &sim.domain()).replace("CA", &ca.to_string_lossy()))
                .expect("profiles");
            std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        let opts = Options {
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(3),
            ..Options::default()
        };
        let store = pbxlink::providers::store(&config);
        let results = Results::in_dir(&dir.path().join("state"));
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

    fn config(&self) -> PathBuf {
        self.dir.path().join("cfg/profiles.toml")
    }

    fn key(&self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn ctrl(&self, c: char) {
        self.send(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    }

    fn text(&self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn paste(&self, s: &str) {
        self.send(Msg::Paste(s.to_string()));
    }

    fn send(&self, m: Msg) {
        self.keys.send(m).expect("the app is running");
    }

    /// The first frame drawn from now on (or already the last one) that shows `needle`.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(f) = self.frames.lock().expect("frames").last().filter(|f| f.contains(needle)) {
                return f.clone();
            }
            assert!(Instant::now() < deadline, "timed out waiting for {needle:?}; last frame:\n{}", self.last());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn last(&self) -> String {
        self.frames.lock().expect("frames").last().cloned().unwrap_or_default()
    }

    /// Waits for the loop to end.
    fn ended(&mut self) -> Ended {
        let handle = self.ended.take().expect("not ended yet");
        let r = self.rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), handle).await });
        r.expect("the loop ends").expect("the loop's task").expect("the loop")
    }

    /// A frame with the simulator's port (which changes every run) written as `PPPPP`.
    fn stable(&self, frame: &str) -> String {
        let port = self.sim.addr.port().to_string();
        frame.replace(&format!("localhost:{port}"), &format!("localhost:{}", "P".repeat(port.len())))
    }

    /// No frame so far shows the secret.
    fn assert_secret_never_shown(&self) {
        for (i, f) in self.frames.lock().expect("frames").iter().enumerate() {
            assert!(!f.contains(SECRET), "frame {i} shows the key:\n{f}");
        }
    }
}

#[test]
fn a_3cx_link_from_the_home_screen_to_a_saved_profile() {
    let mut app = App::start(None);
    app.wait_for("No profiles yet");
    app.key(KeyCode::Char('a'));
    app.wait_for("Link a new account");
    app.key(KeyCode::Enter);
    app.wait_for("Before you start");
    for k in [KeyCode::Char(' '), KeyCode::Down, KeyCode::Char(' '), KeyCode::Enter] {
        app.key(k);
    }
    app.wait_for("Find your 3CX domain");
    app.paste(&format!("  https://{}/webclient/#/login\n", app.sim.domain()));
    app.wait_for(&format!("will connect to https://{}", app.sim.domain()));
    app.key(KeyCode::Enter);
    app.wait_for("Create the API integration");
    app.key(KeyCode::Enter);
    app.wait_for("shown only once");
    app.key(KeyCode::Enter);
    app.wait_for("Tick the box with Space");
    app.key(KeyCode::Char(' '));
    app.key(KeyCode::Enter);
    app.wait_for("Enter the Client ID and API key");
    app.text("900");
    app.key(KeyCode::Tab);
    app.paste(SECRET);
    app.wait_for(&format!("({} characters, hidden)", SECRET.len()));
    app.key(KeyCode::Enter);
    // The validation runs on the real executor, over HTTPS, while the loop keeps drawing.
    let checks = app.wait_for("The link works");
    assert!(checks.contains("3CX version 20.0.9.995"), "{checks}");
    app.key(KeyCode::Enter);
    app.wait_for("Review and save");
    app.ctrl('u');
    app.text("office");
    let review = app.wait_for("office");
    insta::assert_snapshot!("app_3cx_review", app.stable(&review));
    app.key(KeyCode::Enter);
    app.wait_for("Saved profile \"office\"");
    app.key(KeyCode::Enter);
    // Back home, the new profile with the verdict just recorded.
    let home = app.wait_for("ok just now");
    insta::assert_snapshot!("app_3cx_home_after_save", app.stable(&home));
    app.key(KeyCode::Char('q'));
    let ended = app.ended();
    assert_eq!(ended.saved, vec!["office".to_string()]);
    assert_eq!(ended.signal, None);
    app.assert_secret_never_shown();

    let config = app.config();
    let text = std::fs::read_to_string(&config).expect("profile written");
    assert!(text.contains("[profiles.office]") && text.contains(&format!("api_key = \"{SECRET}\"")), "{text}");
    assert_eq!(std::fs::metadata(&config).expect("meta").permissions().mode() & 0o777, 0o600);
    // One validation: its token, the version, the status; nothing else was asked of the PBX.
    assert_eq!(
        app.sim.requests(),
        vec!["POST /connect/token", "GET /xapi/v1/Defs", "GET /xapi/v1/SystemStatus"],
        "requests"
    );
}

#[test]
fn a_refused_key_is_said_on_revalidation_and_the_profile_is_kept() {
    let profiles = "# my office PBX\n[profiles.office]\nprovider = \"3cx\"\ndomain = \"DOMAIN\"\nclient_id = \"900\"\napi_key = \"not-the-key-0000\"\nca_file = \"CA\"\n";
    let mut app = App::start(Some(profiles));
    app.wait_for("office");
    app.key(KeyCode::Char('v'));
    let failed = app.wait_for("✗ Failed: unauthorized");
    assert!(failed.contains("3CX rejected the Client ID or API key") && failed.contains("r again"), "{failed}");
    app.key(KeyCode::Esc);
    // Home again, with the verdict just recorded beside the profile, which is left as it was.
    let home = app.wait_for("saved profiles");
    insta::assert_snapshot!("app_3cx_home_after_refusal", app.stable(&home));
    app.key(KeyCode::Char('q'));
    assert!(app.ended().saved.is_empty());
    let after = std::fs::read_to_string(app.config()).expect("profiles");
    assert_eq!(
        after,
        profiles.replace("DOMAIN", &app.sim.domain()).replace("CA", &app.dir.path().join("ca.pem").to_string_lossy())
    );
}

#[test]
fn a_signal_ends_the_session_with_its_number() {
    let mut app = App::start(None);
    app.wait_for("No profiles yet");
    app.signals.send(15).expect("signal");
    let ended = app.ended();
    assert_eq!(ended.signal, Some(15));
}
